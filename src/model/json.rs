//! Compact JSON for the normalized event. A history of 25,000 events held whole (for
//! `-o table`, `-o tree` and the other reports) took 2.4 KB an event as `serde_json`
//! values for about 430 bytes of wire JSON; held as their compact JSON text, an event's
//! payloads and details take about what the wire does. The text is what serializing
//! the value writes, so `-o jsonl`, `-o json` and `details` stay byte for byte what they
//! were; views that need a value parse it when they need it.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::fmt;

/// A JSON value an event carries (its input, output, `cause_json`), as compact text.
#[derive(Clone)]
pub struct Json(Box<RawValue>);

impl Json {
    /// The value as its compact text (what serializing it writes).
    pub fn of(value: &Value) -> Self {
        let text = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
        Json(RawValue::from_string(text).unwrap_or_else(|_| null()))
    }

    /// The value, parsed from its text.
    pub fn value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }

    /// The compact text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The field `key` of an object (`None` for any other value).
    pub fn field(&self, key: &str) -> Option<Value> {
        field_of(self.0.get(), key)
    }
}

fn null() -> Box<RawValue> {
    RawValue::from_string("null".into()).expect("null is JSON")
}

impl From<Value> for Json {
    fn from(value: Value) -> Self {
        Json::of(&value)
    }
}

impl From<Map<String, Value>> for Json {
    fn from(map: Map<String, Value>) -> Self {
        Json::of(&Value::Object(map))
    }
}

impl PartialEq for Json {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl PartialEq<Value> for Json {
    fn eq(&self, other: &Value) -> bool {
        self.value() == *other
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// Every other field of an event, under the service's own names, in the wire's order: a
/// map while a normalizer builds the event, compact JSON text once it is done
/// ([`Details::compact`]). Read by key ([`Details::get`]); a compact object is scanned,
/// not parsed whole.
#[derive(Clone, Default)]
pub enum Details {
    #[default]
    Empty,
    Open(Box<Map<String, Value>>),
    Compact(Box<RawValue>),
}

impl Details {
    pub fn new() -> Self {
        Details::Empty
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Details::Empty => true,
            Details::Open(map) => map.is_empty(),
            // Never made of an empty map.
            Details::Compact(_) => false,
        }
    }

    /// The map, to change it (a compact one is parsed back first).
    pub fn map_mut(&mut self) -> &mut Map<String, Value> {
        if !matches!(self, Details::Open(_)) {
            let map = self.to_map();
            *self = Details::Open(Box::new(map));
        }
        match self {
            Details::Open(map) => map,
            _ => unreachable!("opened above"),
        }
    }

    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        self.map_mut().insert(key, value)
    }

    /// Appends fields; a key already there keeps its place and takes the new value.
    pub fn extend(&mut self, fields: impl IntoIterator<Item = (String, Value)>) {
        let mut fields = fields.into_iter().peekable();
        if fields.peek().is_some() {
            self.map_mut().extend(fields);
        }
    }

    /// The value of field `key`.
    pub fn get(&self, key: &str) -> Option<Value> {
        match self {
            Details::Empty => None,
            Details::Open(map) => map.get(key).cloned(),
            Details::Compact(text) => field_of(text.get(), key),
        }
    }

    /// The field `key` when it is a string.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The field `key` when it is an integer.
    pub fn number(&self, key: &str) -> Option<i64> {
        self.get(key)?.as_i64()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The fields as a map.
    pub fn to_map(&self) -> Map<String, Value> {
        match self {
            Details::Empty => Map::new(),
            Details::Open(map) => (**map).clone(),
            Details::Compact(text) => serde_json::from_str(text.get()).unwrap_or_default(),
        }
    }

    /// Done changing: the map becomes its compact text.
    pub fn compact(&mut self) {
        if let Details::Open(map) = self {
            *self = if map.is_empty() {
                Details::Empty
            } else {
                match serde_json::to_string(map).map(RawValue::from_string) {
                    Ok(Ok(text)) => Details::Compact(text),
                    _ => return,
                }
            };
        }
    }

    /// Bytes held on the heap, for the tests that guard the compact form.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Details::Compact(text) => text.get().len(),
            Details::Empty => 0,
            Details::Open(map) => std::mem::size_of::<Map<String, Value>>() + map.len() * 100,
        }
    }
}

impl From<Map<String, Value>> for Details {
    fn from(map: Map<String, Value>) -> Self {
        if map.is_empty() {
            Details::Empty
        } else {
            Details::Open(Box::new(map))
        }
    }
}

#[cfg(test)]
impl std::ops::Index<&str> for Details {
    type Output = Value;

    /// For tests: the field `key`, compact or not (`Null` when absent, like `Map`'s).
    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Details::Open(map) => map.get(key).unwrap_or(&NULL),
            // A leaked parse: tests only index a few fields of a few events.
            _ => self
                .get(key)
                .map_or(&NULL, |value| Box::leak(Box::new(value))),
        }
    }
}

impl PartialEq for Details {
    fn eq(&self, other: &Self) -> bool {
        self.to_map() == other.to_map()
    }
}

impl fmt::Debug for Details {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Details::Compact(text) => f.write_str(text.get()),
            _ => fmt::Debug::fmt(&self.to_map(), f),
        }
    }
}

impl Serialize for Details {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Details::Empty => Map::new().serialize(s),
            Details::Open(map) => map.serialize(s),
            Details::Compact(text) => text.serialize(s),
        }
    }
}

/// The value of the top-level field `key` of the JSON object `text`, the others skipped
/// unparsed; `None` when `text` is no object or has no such field.
fn field_of(text: &str, key: &str) -> Option<Value> {
    let mut de = serde_json::Deserializer::from_str(text);
    FieldSeed(key).deserialize(&mut de).ok().flatten()
}

/// Finds one field of an object.
struct FieldSeed<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(same) = map.next_key_seed(KeyIs(self.0))? {
            if same && found.is_none() {
                found = Some(map.next_value::<Value>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    // Anything else is no object: no field.
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// A key, compared with the one looked for without being kept.
struct KeyIs<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compact_details_read_and_write_as_the_map_did() {
        let map = json!({"previousEventId": 3, "inputDetails": {"truncated": false},
                         "note": "é \"q\" \u{7}", "list": [1, {"a": 2}], "b": 1.5e300});
        let map = map.as_object().unwrap().clone();
        let mut details = Details::from(map.clone());
        let open = serde_json::to_string(&details).unwrap();
        details.compact();
        assert!(matches!(details, Details::Compact(_)));
        assert_eq!(serde_json::to_string(&details).unwrap(), open);
        assert_eq!(open, serde_json::to_string(&map).unwrap());
        assert_eq!(
            details.get("inputDetails"),
            Some(json!({"truncated": false}))
        );
        assert_eq!(details.number("previousEventId"), Some(3));
        assert_eq!(details.text("note").as_deref(), Some("é \"q\" \u{7}"));
        assert_eq!(details.get("truncated"), None, "only top-level fields");
        assert_eq!(details.get("missing"), None);
        assert_eq!(details.to_map(), map);
        // Changed after all: opened, changed, compact again, in the same order.
        details.insert("z".into(), json!(null));
        details.compact();
        let keys: Vec<String> = details.to_map().keys().cloned().collect();
        assert_eq!(
            keys,
            ["previousEventId", "inputDetails", "note", "list", "b", "z"]
        );
    }

    #[test]
    fn an_empty_map_is_no_details() {
        let mut details = Details::from(Map::new());
        details.compact();
        assert!(details.is_empty());
        assert!(matches!(details, Details::Empty));
    }

    #[test]
    fn a_payload_is_its_compact_text() {
        let value = json!({"n": 2, "payload": "x", "nested": [true, null, -1]});
        let payload = Json::of(&value);
        assert_eq!(payload.text(), serde_json::to_string(&value).unwrap());
        assert_eq!(payload.value(), value);
        assert_eq!(payload.field("n"), Some(json!(2)));
        assert_eq!(Json::of(&json!("text")).field("n"), None);
        assert_eq!(
            serde_json::to_string(&json!({"input": payload})).unwrap(),
            serde_json::to_string(&json!({"input": value})).unwrap()
        );
    }
}

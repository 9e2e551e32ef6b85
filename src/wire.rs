//! Helpers for the wire JSON that the services send and that `--from` files hold: parsing
//! their timestamps (epoch numbers or the AWS CLI v2's ISO 8601 strings) and decoding
//! payload strings that hold JSON. Shared by every normalizer.

use crate::model::Timestamp;
use serde_json::{Map, Value};

/// Reads a wire timestamp: epoch seconds as a JSON number (`1525283875.58`, the API and
/// AWS CLI v1) or as a string, or an ISO 8601 / RFC 3339 string with an offset (AWS CLI
/// v2 prints `2018-05-02T10:57:55.580000-07:00`). Rounded to milliseconds. A time
/// outside the years 1970 to 9999 is no history's: `None` (the caller keeps the value
/// as it is under `details`), so that durations between times never overflow.
pub fn parse_timestamp(value: &Value) -> Option<Timestamp> {
    let time = match value {
        Value::Number(n) => epoch_seconds_to_millis(n.as_f64()?),
        Value::String(s) => parse_timestamp_text(s),
        _ => None,
    }?;
    (0..=LAST_MILLISECOND_OF_9999)
        .contains(&time.millis())
        .then_some(time)
}

/// 9999-12-31T23:59:59.999Z, in milliseconds since the epoch.
const LAST_MILLISECOND_OF_9999: i64 = 253_402_300_799_999;

fn epoch_seconds_to_millis(seconds: f64) -> Option<Timestamp> {
    if !seconds.is_finite() || seconds.abs() > 1e15 {
        return None;
    }
    Some(Timestamp((seconds * 1000.0).round() as i64))
}

fn parse_timestamp_text(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return epoch_seconds_to_millis(seconds);
    }
    // RFC 3339 and ISO 8601 with an offset: `T` or a space, `Z`, `-07:00` or `-0700`.
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Some(Timestamp(t.as_millisecond()));
    }
    // A time without an offset is taken as UTC, as the AWS CLI's `--cli-timestamp-format`
    // output never omits one for history events.
    jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M:%S%.f", text)
        .ok()
        .and_then(|t| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
        .map(|t| Timestamp(t.timestamp().as_millisecond()))
}

/// A payload as the event should carry it: a string that holds a JSON document becomes
/// that document; any other string (or value) is kept as it is.
pub fn decode_payload(value: Value) -> Value {
    match value {
        Value::String(text) => match looks_like_json(&text)
            .then(|| serde_json::from_str::<Value>(&text).ok())
            .flatten()
        {
            Some(decoded) => decoded,
            None => Value::String(text),
        },
        other => other,
    }
}

/// Like [`decode_payload`], but only for a string holding a JSON object or array: for
/// maps of plain strings (configuration values, step outputs) where `"false"` or `"42"`
/// are text, not JSON scalars.
pub fn decode_structured(value: Value) -> Value {
    match value {
        Value::String(text)
            if matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'[')) =>
        {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        }
        other => other,
    }
}

/// A cheap test before a full parse, so that plain text is not parsed at all.
fn looks_like_json(text: &str) -> bool {
    let t = text.trim_start();
    matches!(
        t.as_bytes().first(),
        Some(b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
    )
}

/// Takes a string field out of an object, keeping the order of the other fields (they
/// become `details`); a field that is not a string stays where it was.
pub fn take_string(fields: &mut Map<String, Value>, key: &str) -> Option<String> {
    match fields.get(key) {
        Some(Value::String(_)) => match fields.shift_remove(key) {
            Some(Value::String(text)) => Some(text),
            _ => None,
        },
        _ => None,
    }
}

/// Takes a timestamp field (see [`parse_timestamp`]); one that cannot be read stays
/// among the fields.
pub fn take_time(fields: &mut Map<String, Value>, key: &str) -> Option<Timestamp> {
    let value = fields.shift_remove(key)?;
    let time = parse_timestamp(&value);
    if time.is_none() {
        fields.insert(key.to_string(), value);
    }
    time
}

/// Reads an integer field (a JSON number, or a string holding one).
pub fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_outside_the_years_1970_to_9999_are_not_times() {
        for value in [
            json!(1e300),
            json!(-1e300),
            json!(-1),
            json!("10000-01-01T00:00:00Z"),
        ] {
            assert_eq!(parse_timestamp(&value), None, "{value}");
        }
        assert!(parse_timestamp(&json!(253_402_300_799.999)).is_some());
    }

    #[test]
    fn epoch_numbers_round_to_millis() {
        assert_eq!(
            parse_timestamp(&json!(1525283875.58)),
            Some(Timestamp(1_525_283_875_580))
        );
        assert_eq!(
            parse_timestamp(&json!(1525283875)),
            Some(Timestamp(1_525_283_875_000))
        );
        assert_eq!(
            parse_timestamp(&json!("1525283875.612")),
            Some(Timestamp(1_525_283_875_612))
        );
    }

    #[test]
    fn cli_v2_iso_strings_with_offsets() {
        let expected = Some(Timestamp(1_525_283_875_580));
        assert_eq!(
            parse_timestamp(&json!("2018-05-02T10:57:55.580000-07:00")),
            expected
        );
        assert_eq!(parse_timestamp(&json!("2018-05-02T17:57:55.58Z")), expected);
        assert_eq!(
            parse_timestamp(&json!("2018-05-02 10:57:55.580000-07:00")),
            expected
        );
        assert_eq!(
            parse_timestamp(&json!("2018-05-02T10:57:55.58-0700")),
            expected
        );
        assert_eq!(
            parse_timestamp(&json!("2018-05-02T17:57:55.580")),
            expected,
            "no offset: UTC"
        );
        assert_eq!(
            parse_timestamp(&json!("2018-05-02T10:57:55-07:00")),
            Some(Timestamp(1_525_283_875_000))
        );
        assert_eq!(parse_timestamp(&json!("yesterday")), None);
        assert_eq!(parse_timestamp(&json!(true)), None);
    }

    #[test]
    fn taking_fields_keeps_the_order_of_the_rest() {
        let mut fields = json!({"a": 1, "name": "x", "b": 2, "when": 1.5, "c": 3, "bad": "soon"})
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(take_string(&mut fields, "name"), Some("x".into()));
        assert_eq!(take_string(&mut fields, "a"), None, "not a string: stays");
        assert_eq!(take_time(&mut fields, "when"), Some(Timestamp(1500)));
        assert_eq!(take_time(&mut fields, "bad"), None, "unreadable: stays");
        let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(keys, ["a", "b", "c", "bad"]);
    }

    #[test]
    fn payload_strings_holding_json_are_decoded() {
        assert_eq!(decode_payload(json!("{\"a\":1}")), json!({"a": 1}));
        assert_eq!(decode_payload(json!("\"Hello\"")), json!("Hello"));
        assert_eq!(decode_payload(json!("42")), json!(42));
        assert_eq!(decode_payload(json!("not json")), json!("not json"));
        assert_eq!(decode_payload(json!("{broken")), json!("{broken"));
        assert_eq!(decode_payload(json!("")), json!(""));
    }

    #[test]
    fn only_structured_strings_are_decoded_where_scalars_are_text() {
        assert_eq!(decode_structured(json!("[{\"a\":1}]")), json!([{"a": 1}]));
        assert_eq!(decode_structured(json!(" {\"a\":1}")), json!({"a": 1}));
        assert_eq!(decode_structured(json!("false")), json!("false"));
        assert_eq!(decode_structured(json!("42")), json!("42"));
        assert_eq!(decode_structured(json!("[not json")), json!("[not json"));
    }
}

//! Step Functions history events into normalized events: statuses by type suffix (an
//! `…Exited` after a caught failure keeps the failure's), names inherited along
//! previousEventId, details kept verbatim (mapped wire fields too).

use super::*;
use crate::model::{Event, EventId, Status};
use crate::services::{Normalizer, OddRecords};
use crate::wire::{as_i64, decode_payload, parse_timestamp, take_string};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Which events share a state's name: a Task event is named after the Task state that
/// scheduled it, a Map Run after its Map state, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Task,
    Map,
    Parallel,
    Wait,
    /// Execution-level events, the other state types and unknown types: never inherit.
    None,
}

pub(super) fn family(kind: &str) -> Family {
    if kind.starts_with("Task")
        || kind.starts_with("Activity")
        || kind.starts_with("LambdaFunction")
    {
        Family::Task
    } else if kind.starts_with("Map") {
        Family::Map
    } else if kind.starts_with("ParallelState") {
        Family::Parallel
    } else if kind.starts_with("WaitState") {
        Family::Wait
    } else {
        Family::None
    }
}

/// The normalized status of an event type, by the suffix convention every Step Functions
/// type follows, so that types newer than this code are mapped too.
pub fn status_of(kind: &str) -> Status {
    if kind == "FailStateEntered" {
        return Status::Failed;
    }
    const SUFFIXES: &[(&str, Status)] = &[
        ("Failed", Status::Failed),
        ("TimedOut", Status::TimedOut),
        ("Aborted", Status::Aborted),
        ("Succeeded", Status::Succeeded),
        ("Exited", Status::Succeeded),
        ("Scheduled", Status::Scheduled),
        ("Submitted", Status::Running),
        ("Started", Status::Started),
        ("Entered", Status::Started),
        ("Redriven", Status::Started),
    ];
    SUFFIXES
        .iter()
        .find(|(suffix, _)| kind.ends_with(suffix))
        .map_or(Status::Info, |(_, status)| *status)
}

/// What the normalizer remembers of an event, to name the events caused by it.
pub(super) struct Known {
    family: Family,
    /// What its type says ([`status_of`], [`container_step`], a `MapIteration…`): the
    /// type itself is not kept, for each of a long history's events.
    status: Status,
    container: Option<bool>,
    map_iteration: bool,
    name: Option<String>,
    /// Its cause, the wire's previousEventId.
    parent: Option<i64>,
}

/// What an event of this type says of its state: a container (Map, Parallel) entered,
/// ended, or neither.
fn container_step(kind: &str, family: Family) -> Option<bool> {
    let own = match family {
        Family::Map => kind.strip_prefix("MapState"),
        Family::Parallel => kind.strip_prefix("ParallelState"),
        _ => None,
    }?;
    match own {
        "Entered" => Some(true),
        "Exited" | "Succeeded" | "Failed" | "Aborted" => Some(false),
        _ => None,
    }
}

/// True for the `…StateExited` events, which end any state.
pub(super) fn is_exited(kind: &str) -> bool {
    kind.ends_with("StateExited")
}

/// Normalizes Step Functions history events (see the README's JSON lines schema).
pub struct SfnNormalizer {
    execution: Option<String>,
    /// False with `--no-data`: inputs, outputs and parameters are left out.
    include_data: bool,
    known: HashMap<i64, Known>,
    odd: OddRecords,
}

impl SfnNormalizer {
    pub fn new(execution: Option<String>, include_data: bool) -> Self {
        SfnNormalizer {
            execution,
            include_data,
            known: HashMap::new(),
            odd: OddRecords::default(),
        }
    }

    /// The name an event carries itself: `stateEnteredEventDetails.name` and the like,
    /// or the `state` an `EvaluationFailed` event names.
    fn own_name(raw: &Value) -> Option<String> {
        raw.as_object()?
            .iter()
            .filter(|(key, _)| key.ends_with("EventDetails"))
            .find_map(|(_, details)| {
                let named = details.get("name").or_else(|| details.get("state"));
                named?.as_str().map(str::to_string)
            })
    }

    /// Names the events of a page that carry no name, from the event that caused them.
    /// A page in reverse order lists causes after their effects, hence a walk up the
    /// previousEventId chain instead of a look-back.
    fn inherited_name(&self, id: i64) -> Option<String> {
        let child = self.known.get(&id)?;
        if child.family == Family::None {
            return None;
        }
        let aborted = child.status == Status::Aborted;
        let mut current = id;
        for _ in 0..64 {
            let Some((parent, known)) = self.parent_of(current) else {
                break;
            };
            // Real AWS gives the aborted tasks of a failed Map or Parallel the previous
            // event of the failure that stopped them: that state's name is not theirs.
            if known.family != child.family || (aborted && known.status.is_failure()) {
                break;
            }
            if known.name.is_some() {
                return known.name.clone();
            }
            current = parent;
        }
        self.enclosing_container(id)
    }

    /// The event that caused event `id`, with its id: always an earlier one.
    fn parent_of(&self, id: i64) -> Option<(i64, &Known)> {
        let parent = self.known.get(&id)?.parent.filter(|&p| p > 0 && p < id)?;
        Some((parent, self.known.get(&parent)?))
    }

    /// For a Map's or a Parallel's own event that the same-kind chain left unnamed
    /// (`MapStateFailed` after an aborted task, `ParallelStateFailed` after a branch's
    /// last event): the container state the previousEventId chain is inside, skipping
    /// the containers of its kind that the chain entered and left on the way.
    fn enclosing_container(&self, id: i64) -> Option<String> {
        let start = self.known.get(&id)?;
        start.container?;
        let mut depth = 0usize;
        let mut last_closed = false;
        let mut current = id;
        for _ in 0..100_000 {
            let (parent, known) = self.parent_of(current)?;
            current = parent;
            if known.family != start.family {
                continue;
            }
            match known.container {
                Some(true) if depth == 0 => return known.name.clone(),
                Some(true) => depth -= 1,
                // A state's Failed then Exited (caught) close it once.
                Some(false) if !last_closed => depth += 1,
                Some(false) => {}
                None if depth == 0 && known.map_iteration => return known.name.clone(),
                None => {}
            }
            last_closed = known.container == Some(false);
        }
        None
    }

    fn normalize_one(&self, raw: Value, name: Option<String>) -> Event {
        let Value::Object(mut fields) = raw else {
            let mut event = Event::new(SERVICE, "", Status::Info);
            event.details.insert("event".into(), raw);
            return event;
        };
        let kind = take_string(&mut fields, "type").unwrap_or_default();
        let mut event = Event::new(SERVICE, kind, Status::Info);
        event.status = status_of(&event.kind);
        event.execution = self.execution.clone();
        // An id that is no whole number (a file edited by hand) stays as it came.
        event.id = fields.get("id").and_then(as_i64).map(EventId::Number);
        match (&event.id, fields.get("id")) {
            (Some(_), _) => {
                fields.shift_remove("id");
            }
            (None, Some(id)) => self.odd.note("id", || {
                format!(
                    "histx: an event id that is no whole number ({id}) is kept under details.id"
                )
            }),
            (None, None) => {}
        }
        // The wire's previousEventId stays in `details` as it came (0 included).
        event.parent_id = fields
            .get("previousEventId")
            .and_then(as_i64)
            .filter(|&id| id != 0)
            .map(EventId::Number);
        if let Some(timestamp) = fields.shift_remove("timestamp") {
            match parse_timestamp(&timestamp) {
                Some(time) => event.time = Some(time),
                None => {
                    self.odd.note("timestamp", || {
                        format!(
                            "histx: a timestamp that is no time between the years 1970 and 9999 \
                             ({timestamp}) is kept under details.timestamp"
                        )
                    });
                    event.details.insert("timestamp".into(), timestamp);
                }
            }
        }
        event.name = name;
        for (key, value) in fields {
            match value {
                Value::Object(details) if key.ends_with("EventDetails") => {
                    take_details(&mut event, details, self.include_data)
                }
                other => {
                    event.details.insert(key, other);
                }
            }
        }
        self.caught(&mut event);
        event
    }

    /// An `…StateExited` right after its state's failure: the failure was caught (the
    /// state moves on to its Catch's next state). Its status is the failure's, not
    /// succeeded, and its summary says `caught`.
    fn caught(&self, event: &mut Event) {
        if !is_exited(&event.kind) {
            return;
        }
        let failure = event
            .parent_number()
            .and_then(|parent| self.known.get(&parent))
            .map(|parent| parent.status)
            .filter(|status| status.is_failure());
        if let Some(status) = failure {
            event.status = status;
            event.summary = Some(CAUGHT.to_string());
        }
    }
}

/// The summary of an `…StateExited` event after a caught failure.
pub const CAUGHT: &str = "caught";

/// The fields of an `*EventDetails` object that are execution data, which
/// `includeExecutionData=false` (`--no-data`) leaves out: an event's input and output
/// ("execution data (input or output of a history event)", in the API reference), what
/// says whether they were truncated, and a Task's parameters, the input it sends to its
/// resource.
pub const EXECUTION_DATA: [&str; 5] = [
    "input",
    "inputDetails",
    "output",
    "outputDetails",
    "parameters",
];

/// A wire event without its execution data ([`EXECUTION_DATA`]): what `--no-data` makes
/// of a saved history's events, as the API does of live ones. Every other field stays.
pub fn without_execution_data(mut event: Value) -> Value {
    if let Some(fields) = event.as_object_mut() {
        for (key, details) in fields.iter_mut() {
            if let (true, Some(details)) = (key.ends_with("EventDetails"), details.as_object_mut())
            {
                for field in EXECUTION_DATA {
                    details.shift_remove(field);
                }
            }
        }
    }
    event
}

/// Moves the fields of an `*EventDetails` object into the event: the well-known ones
/// into their normalized fields, every other one into `details` under its own name.
/// `resource` and `resourceType` stay in `details` as the wire has them; without
/// `include_data` (`--no-data`), the execution data ([`EXECUTION_DATA`]) is left out.
pub(super) fn take_details(event: &mut Event, mut details: Map<String, Value>, include_data: bool) {
    details.shift_remove("name"); // already resolved, with inheritance, by the caller
    let resource_type = details.get("resourceType").and_then(Value::as_str);
    if let Some(resource) = details.get("resource").and_then(Value::as_str) {
        event.resource = Some(match resource_type {
            Some(kind) => format!("{kind}:{resource}"),
            None => resource.to_string(),
        });
    }
    event.error = take_string(&mut details, "error");
    event.cause = take_string(&mut details, "cause");
    if include_data {
        let input = details.shift_remove("input");
        // A Task's parameters are the input it sends to its resource.
        let parameters = details.shift_remove("parameters");
        event.input = input.or(parameters).map(|v| decode_payload(v).into());
        event.output = details
            .shift_remove("output")
            .map(|v| decode_payload(v).into());
    } else {
        for field in EXECUTION_DATA {
            details.shift_remove(field);
        }
    }
    event.details.extend(details);
}

impl Normalizer for SfnNormalizer {
    fn take_notices(&mut self) -> Vec<String> {
        self.odd.take()
    }

    fn forget(&mut self) {
        self.known = HashMap::new();
    }

    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event> {
        let mut ids = Vec::with_capacity(page.len());
        for raw in &page {
            let id = raw.get("id").and_then(as_i64);
            if let Some(id) = id {
                let kind = raw.get("type").and_then(Value::as_str).unwrap_or_default();
                self.known.insert(
                    id,
                    Known {
                        family: family(kind),
                        status: status_of(kind),
                        container: container_step(kind, family(kind)),
                        map_iteration: kind.starts_with("MapIteration"),
                        name: Self::own_name(raw),
                        parent: raw.get("previousEventId").and_then(as_i64),
                    },
                );
            }
            ids.push(id);
        }
        // Resolve inherited names for the whole page before normalizing, so that a
        // page in either order names every event it can; causes first (ids ascending),
        // so that an event named by inheritance passes its name on.
        let mut ascending: Vec<i64> = ids.iter().flatten().copied().collect();
        ascending.sort_unstable();
        for id in ascending {
            if self
                .known
                .get(&id)
                .is_some_and(|known| known.name.is_none())
            {
                if let Some(name) = self.inherited_name(id) {
                    if let Some(known) = self.known.get_mut(&id) {
                        known.name = Some(name);
                    }
                }
            }
        }
        page.into_iter()
            .zip(ids)
            .map(|(raw, id)| {
                let name = match id {
                    Some(id) => self.known.get(&id).and_then(|known| known.name.clone()),
                    None => Self::own_name(&raw),
                };
                self.normalize_one(raw, name).compacted()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What a normalized event holds, for a typical record of a big history (a Pass
    /// state's entry with a small payload): about what its wire JSON takes, not the
    /// kilobytes a tree of JSON values took (issue 17's memory goal).
    #[test]
    fn a_normalized_event_holds_about_what_its_wire_record_does() {
        let payload = json!({"n": 2, "payload": "x".repeat(200)}).to_string();
        let wire = json!({
            "timestamp": 1700000000.002, "id": 2, "previousEventId": 1,
            "type": "PassStateEntered",
            "stateEnteredEventDetails": {
                "name": "Step1", "input": payload, "inputDetails": {"truncated": false}
            }
        });
        let wire_bytes = wire.to_string().len();
        let mut normalizer = SfnNormalizer::new(Some("arn:aws:states:x".into()), true);
        let event = normalizer.normalize(vec![wire]).remove(0);
        assert!(
            matches!(event.details, crate::model::Details::Compact(_)),
            "{:?}",
            event.details
        );
        let details = event.details.heap_bytes();
        let input = event.input.as_ref().map_or(0, |i| i.text().len());
        assert_eq!(
            event.details.to_map(),
            json!({"previousEventId": 1, "inputDetails": {"truncated": false}})
                .as_object()
                .unwrap()
                .clone()
        );
        // The payload as its compact text, the details as theirs: no more than the wire.
        assert!(
            details + input <= wire_bytes,
            "{details} + {input} > {wire_bytes}"
        );
        // The record itself: the fixed fields, the payloads and details behind pointers.
        assert!(
            std::mem::size_of::<Event>() <= 400,
            "{}",
            std::mem::size_of::<Event>()
        );
        assert_eq!(
            event.input.unwrap().value(),
            json!({"n": 2, "payload": "x".repeat(200)})
        );
    }
}

//! Step Functions history events into normalized events: statuses by type suffix,
//! names inherited along previousEventId, details kept verbatim.

use super::*;
use crate::model::{Event, EventId, Node, RunSummary, Status};
use crate::services::Normalizer;
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
    name: Option<String>,
}

/// Normalizes Step Functions history events (see the README's JSON lines schema).
pub struct SfnNormalizer {
    execution: Option<String>,
    known: HashMap<i64, Known>,
}

impl SfnNormalizer {
    pub fn new(execution: Option<String>) -> Self {
        SfnNormalizer {
            execution,
            known: HashMap::new(),
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
    fn inherited_name(&self, id: i64, page_parents: &HashMap<i64, i64>) -> Option<String> {
        let mut current = id;
        let child_family = self.known.get(&id)?.family;
        if child_family == Family::None {
            return None;
        }
        for _ in 0..64 {
            let parent = *page_parents.get(&current)?;
            let known = self.known.get(&parent)?;
            if known.family != child_family {
                return None;
            }
            if known.name.is_some() {
                return known.name.clone();
            }
            current = parent;
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
        event.id = fields
            .shift_remove("id")
            .as_ref()
            .and_then(as_i64)
            .map(EventId::Number);
        event.parent_id = fields
            .shift_remove("previousEventId")
            .as_ref()
            .and_then(as_i64)
            .filter(|&id| id != 0)
            .map(EventId::Number);
        if let Some(timestamp) = fields.shift_remove("timestamp") {
            match parse_timestamp(&timestamp) {
                Some(time) => event.time = Some(time),
                None => {
                    event.details.insert("timestamp".into(), timestamp);
                }
            }
        }
        event.name = name;
        for (key, value) in fields {
            match value {
                Value::Object(details) if key.ends_with("EventDetails") => {
                    take_details(&mut event, details)
                }
                other => {
                    event.details.insert(key, other);
                }
            }
        }
        event
    }
}

/// Moves the fields of an `*EventDetails` object into the event: the well-known ones
/// into their normalized fields, every other one into `details` under its own name.
pub(super) fn take_details(event: &mut Event, mut details: Map<String, Value>) {
    details.shift_remove("name"); // already resolved, with inheritance, by the caller
    let resource_type = details
        .get("resourceType")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(resource) = take_string(&mut details, "resource") {
        event.resource = Some(match resource_type {
            Some(kind) => format!("{kind}:{resource}"),
            None => resource,
        });
    }
    event.error = take_string(&mut details, "error");
    event.cause = take_string(&mut details, "cause");
    if let Some(input) = details.shift_remove("input") {
        event.input = Some(decode_payload(input));
    } else if let Some(parameters) = details.shift_remove("parameters") {
        // A Task's parameters are the input it sends to its resource.
        event.input = Some(decode_payload(parameters));
    }
    if let Some(output) = details.shift_remove("output") {
        event.output = Some(decode_payload(output));
    }
    event.details.extend(details);
}

impl Normalizer for SfnNormalizer {
    fn service(&self) -> &'static str {
        SERVICE
    }

    fn summary(&self, events: &[Event]) -> RunSummary {
        tree::summary(events)
    }

    fn tree(&self, events: &[Event], summary: &RunSummary) -> Vec<Node> {
        let name = self
            .execution
            .as_deref()
            .and_then(|arn| arn.rsplit(':').next());
        tree::tree(events, name, summary)
    }

    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event> {
        let mut parents = HashMap::with_capacity(page.len());
        let mut ids = Vec::with_capacity(page.len());
        for raw in &page {
            let id = raw.get("id").and_then(as_i64);
            if let Some(id) = id {
                let kind = raw.get("type").and_then(Value::as_str).unwrap_or_default();
                self.known.insert(
                    id,
                    Known {
                        family: family(kind),
                        name: Self::own_name(raw),
                    },
                );
                if let Some(parent) = raw.get("previousEventId").and_then(as_i64) {
                    parents.insert(id, parent);
                }
            }
            ids.push(id);
        }
        // Resolve inherited names for the whole page before normalizing, so that a
        // page in either order names every event it can.
        for id in ids.iter().flatten() {
            if self.known[id].name.is_none() {
                if let Some(name) = self.inherited_name(*id, &parents) {
                    self.known.get_mut(id).expect("known id").name = Some(name);
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
                self.normalize_one(raw, name)
            })
            .collect()
    }
}

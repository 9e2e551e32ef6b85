//! SWF history events into normalized events (the rules are in the module header of
//! `swf`).

use super::*;
use crate::model::{Event, EventId, Status};
use crate::services::{Normalizer, OddRecords};
use crate::wire::{as_i64, decode_payload, parse_timestamp, take_string};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The normalized status of an event type. Suffixes, so that types newer than this code
/// (and moto's `TimerCancelled`) are mapped too; the module header explains the choices.
pub fn status_of(kind: &str) -> Status {
    match kind {
        "ExternalWorkflowExecutionSignaled" | "ExternalWorkflowExecutionCancelRequested" => {
            return Status::Succeeded
        }
        _ => {}
    }
    const SUFFIXES: &[(&str, Status)] = &[
        ("Failed", Status::Failed),
        ("TimedOut", Status::TimedOut),
        ("Canceled", Status::Cancelled),
        ("Cancelled", Status::Cancelled),
        ("Terminated", Status::Aborted),
        ("Completed", Status::Succeeded),
        ("ContinuedAsNew", Status::Succeeded),
        ("Fired", Status::Succeeded),
        ("Scheduled", Status::Scheduled),
        ("Initiated", Status::Scheduled),
        ("Started", Status::Started),
    ];
    SUFFIXES
        .iter()
        .find(|(suffix, _)| kind.ends_with(suffix))
        .map_or(Status::Info, |(_, status)| *status)
}

/// The attribute fields that name the event a name is inherited from, in order.
pub(super) const NAME_REFERENCES: &[&str] =
    &["scheduledEventId", "initiatedEventId", "startedEventId"];

/// The attribute fields that can be `parent_id`, the most direct cause first.
pub(super) const PARENT_REFERENCES: &[&str] = &[
    "startedEventId",
    "scheduledEventId",
    "initiatedEventId",
    "decisionTaskCompletedEventId",
];

/// The `domain/workflowId/runId` of the run followed, shared by the watch that moves
/// on to a new run and the normalizer that labels its events.
pub type RunLabel = std::rc::Rc<std::cell::RefCell<Option<String>>>;

/// Normalizes SWF history events (see the module header and the README's schema).
pub struct SwfNormalizer {
    execution: Option<String>,
    /// The run being followed, when follow mode can move on to a new run (continue as
    /// new): a page read after the move is labelled with the new run.
    followed: Option<RunLabel>,
    /// The names of the events seen so far, by event id, for the events that refer to them.
    names: HashMap<i64, String>,
    /// Activity names by activityId, for the events that carry only the id.
    activity_names: HashMap<String, String>,
    odd: OddRecords,
}

impl SwfNormalizer {
    pub fn new(execution: Option<String>) -> Self {
        SwfNormalizer {
            execution,
            followed: None,
            names: HashMap::new(),
            activity_names: HashMap::new(),
            odd: OddRecords::default(),
        }
    }

    /// Labels each page with the run `followed` names when the page is normalized.
    pub fn following(mut self, followed: RunLabel) -> Self {
        self.followed = Some(followed);
        self
    }

    fn remember_name(&mut self, raw: &Value) {
        let Some(id) = raw.get("eventId").and_then(as_i64) else {
            return;
        };
        let attributes = attributes_of(raw);
        if let Some(name) = own_label(&attributes) {
            if let (Some(activity_id), Some(_)) = (
                text(&attributes, "activityId"),
                attributes.get("activityType"),
            ) {
                self.activity_names
                    .insert(activity_id.to_string(), name.clone());
            }
            self.names.insert(id, name);
        } else if let Some(name) = self.bare_name(&attributes) {
            self.names.insert(id, name);
        }
    }

    /// The event's name: its own label, else that of the event it refers to, else a bare
    /// activityId or workflowId.
    fn name_of(&self, attributes: &Map<String, Value>) -> Option<String> {
        own_label(attributes)
            .or_else(|| {
                NAME_REFERENCES.iter().find_map(|key| {
                    let id = attributes.get(*key).and_then(as_i64)?;
                    self.names.get(&id).cloned()
                })
            })
            .or_else(|| self.bare_name(attributes))
    }

    fn bare_name(&self, attributes: &Map<String, Value>) -> Option<String> {
        if let Some(activity_id) = text(attributes, "activityId") {
            return Some(
                self.activity_names
                    .get(activity_id)
                    .cloned()
                    .unwrap_or_else(|| activity_id.to_string()),
            );
        }
        workflow_id_of(attributes).map(str::to_string)
    }

    fn normalize_one(&self, raw: Value) -> Event {
        let Value::Object(mut fields) = raw else {
            let mut event = Event::new(SERVICE, "", Status::Info);
            event.details.insert("event".into(), raw);
            return event;
        };
        let kind = take_string(&mut fields, "eventType").unwrap_or_default();
        let mut event = Event::new(SERVICE, kind, Status::Info);
        event.status = status_of(&event.kind);
        event.execution = self.execution.clone();
        event.id = take_positive_id(&mut fields, "eventId");
        if let (None, Some(id)) = (&event.id, fields.get("eventId")) {
            self.odd.note("eventId", || {
                format!("histx: an eventId that is no whole number above 0 ({id}) is kept under details.eventId")
            });
        }
        if let Some(time) = fields.get("eventTimestamp").and_then(parse_timestamp) {
            event.time = Some(time);
            fields.shift_remove("eventTimestamp");
        } else if let Some(time) = fields.get("eventTimestamp") {
            self.odd.note("eventTimestamp", || {
                format!(
                    "histx: an eventTimestamp that is no time between the years 1970 and 9999 \
                     ({time}) is kept under details.eventTimestamp"
                )
            });
        }
        // The attributes are flattened into `details`; other top-level fields follow them.
        let mut attributes = Map::new();
        let mut others = Map::new();
        for (key, value) in fields {
            match value {
                Value::Object(object) if key.ends_with("EventAttributes") => {
                    attributes.extend(object)
                }
                other => {
                    others.insert(key, other);
                }
            }
        }
        event.name = self.name_of(&attributes);
        event.parent_id = PARENT_REFERENCES
            .iter()
            .find_map(|key| take_positive_id(&mut attributes, key));
        take_payloads(&mut event, &mut attributes);
        event.details.extend(attributes);
        event.details.extend(others);
        event
    }
}

impl Normalizer for SwfNormalizer {
    fn take_notices(&mut self) -> Vec<String> {
        self.odd.take()
    }

    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event> {
        let followed = self.followed.as_ref().and_then(|run| run.borrow().clone());
        if followed.is_some() && followed != self.execution {
            // A new run: its event ids count from 1 again.
            self.execution = followed;
            self.names.clear();
            self.activity_names.clear();
        }
        // Every name the page carries first, so that a page in reverse order (effects
        // before causes) names every event it can.
        for raw in &page {
            self.remember_name(raw);
        }
        page.into_iter()
            .map(|raw| self.normalize_one(raw).compacted())
            .collect()
    }
}

/// The error, cause, input and output of an event, moved out of its attributes.
pub(super) fn take_payloads(event: &mut Event, attributes: &mut Map<String, Value>) {
    if let Some(input) = attributes.shift_remove("input") {
        event.input = Some(decode_payload(input).into());
    }
    if let Some(result) = attributes.shift_remove("result") {
        event.output = Some(decode_payload(result).into());
    }
    if event.status.is_failure() {
        event.error = ["cause", "timeoutType", "reason"]
            .iter()
            .find_map(|key| take_string(attributes, key));
        event.cause = ["reason", "message", "details"]
            .iter()
            .find_map(|key| take_string(attributes, key));
    } else if event.output.is_none() {
        if let Some(details) = attributes.shift_remove("details") {
            event.output = Some(decode_payload(details).into());
        }
    }
}

/// Removes an event id field when it holds a positive integer (0 means "none" in SWF).
pub(super) fn take_positive_id(fields: &mut Map<String, Value>, key: &str) -> Option<EventId> {
    let id = fields.get(key).and_then(as_i64).filter(|&id| id > 0)?;
    fields.shift_remove(key);
    Some(EventId::Number(id))
}

/// The fields of an event's `*EventAttributes` objects, merged.
pub(super) fn attributes_of(raw: &Value) -> Map<String, Value> {
    let mut attributes = Map::new();
    if let Some(fields) = raw.as_object() {
        for (key, value) in fields {
            if let (true, Some(object)) = (key.ends_with("EventAttributes"), value.as_object()) {
                attributes.extend(object.clone());
            }
        }
    }
    attributes
}

/// A string field of an event's attributes (or of a normalized event's details).
pub(super) fn text<'a>(attributes: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    attributes.get(key)?.as_str()
}

/// `name/version` of an activityType or workflowType.
pub(super) fn type_label(value: &Value) -> Option<String> {
    let name = value.get("name")?.as_str()?;
    Some(match value.get("version").and_then(Value::as_str) {
        Some(version) => format!("{name}/{version}"),
        None => name.to_string(),
    })
}

/// The workflowId an event is about: `workflowId`, or that of its `workflowExecution`.
pub(super) fn workflow_id_of(attributes: &Map<String, Value>) -> Option<&str> {
    text(attributes, "workflowId").or_else(|| {
        attributes
            .get("workflowExecution")?
            .get("workflowId")?
            .as_str()
    })
}

/// The label an event's own fields give it (see the module header).
pub(super) fn own_label(attributes: &Map<String, Value>) -> Option<String> {
    let workflow_id = workflow_id_of(attributes);
    let with_id = |what: String, id_field: &str, id: Option<&str>| match id {
        Some(id) => format!("{what} ({id_field} {id})"),
        None => what,
    };
    if let (Some(kind), Some(id)) = (
        attributes.get("activityType").and_then(type_label),
        text(attributes, "activityId"),
    ) {
        return Some(with_id(kind, "activityId", Some(id)));
    }
    if let Some(kind) = attributes.get("workflowType").and_then(type_label) {
        return Some(with_id(kind, "workflowId", workflow_id));
    }
    if let Some(signal) = text(attributes, "signalName") {
        return Some(with_id(signal.to_string(), "workflowId", workflow_id));
    }
    if let Some(function) = text(attributes, "name") {
        return Some(with_id(function.to_string(), "id", text(attributes, "id")));
    }
    text(attributes, "markerName")
        .or_else(|| text(attributes, "timerId"))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_documented_type_has_its_status() {
        use Status::*;
        let expected = [
            ("WorkflowExecutionStarted", Started),
            ("WorkflowExecutionCancelRequested", Info),
            ("WorkflowExecutionCompleted", Succeeded),
            ("CompleteWorkflowExecutionFailed", Failed),
            ("WorkflowExecutionFailed", Failed),
            ("FailWorkflowExecutionFailed", Failed),
            ("WorkflowExecutionTimedOut", TimedOut),
            ("WorkflowExecutionCanceled", Cancelled),
            ("CancelWorkflowExecutionFailed", Failed),
            ("WorkflowExecutionContinuedAsNew", Succeeded),
            ("ContinueAsNewWorkflowExecutionFailed", Failed),
            ("WorkflowExecutionTerminated", Aborted),
            ("DecisionTaskScheduled", Scheduled),
            ("DecisionTaskStarted", Started),
            ("DecisionTaskCompleted", Succeeded),
            ("DecisionTaskTimedOut", TimedOut),
            ("ActivityTaskScheduled", Scheduled),
            ("ScheduleActivityTaskFailed", Failed),
            ("ActivityTaskStarted", Started),
            ("ActivityTaskCompleted", Succeeded),
            ("ActivityTaskFailed", Failed),
            ("ActivityTaskTimedOut", TimedOut),
            ("ActivityTaskCanceled", Cancelled),
            ("ActivityTaskCancelRequested", Info),
            ("RequestCancelActivityTaskFailed", Failed),
            ("WorkflowExecutionSignaled", Info),
            ("MarkerRecorded", Info),
            ("RecordMarkerFailed", Failed),
            ("TimerStarted", Started),
            ("StartTimerFailed", Failed),
            ("TimerFired", Succeeded),
            ("TimerCanceled", Cancelled),
            ("CancelTimerFailed", Failed),
            ("StartChildWorkflowExecutionInitiated", Scheduled),
            ("StartChildWorkflowExecutionFailed", Failed),
            ("ChildWorkflowExecutionStarted", Started),
            ("ChildWorkflowExecutionCompleted", Succeeded),
            ("ChildWorkflowExecutionFailed", Failed),
            ("ChildWorkflowExecutionTimedOut", TimedOut),
            ("ChildWorkflowExecutionCanceled", Cancelled),
            ("ChildWorkflowExecutionTerminated", Aborted),
            ("SignalExternalWorkflowExecutionInitiated", Scheduled),
            ("SignalExternalWorkflowExecutionFailed", Failed),
            ("ExternalWorkflowExecutionSignaled", Succeeded),
            ("RequestCancelExternalWorkflowExecutionInitiated", Scheduled),
            ("RequestCancelExternalWorkflowExecutionFailed", Failed),
            ("ExternalWorkflowExecutionCancelRequested", Succeeded),
            ("LambdaFunctionScheduled", Scheduled),
            ("LambdaFunctionStarted", Started),
            ("LambdaFunctionCompleted", Succeeded),
            ("LambdaFunctionFailed", Failed),
            ("LambdaFunctionTimedOut", TimedOut),
            ("ScheduleLambdaFunctionFailed", Failed),
            ("StartLambdaFunctionFailed", Failed),
            // moto's spelling, and a type from the future.
            ("TimerCancelled", Cancelled),
            ("SomethingNewHappened", Info),
        ];
        for (kind, status) in expected {
            assert_eq!(status_of(kind), status, "{kind}");
        }
    }

    #[test]
    fn completions_take_the_name_of_what_they_complete_in_either_order() {
        let scheduled = json!({
            "eventId": 5, "eventType": "ActivityTaskScheduled", "eventTimestamp": 1.5,
            "activityTaskScheduledEventAttributes": {
                "activityId": "a-1", "activityType": {"name": "Charge", "version": "2"},
                "decisionTaskCompletedEventId": 4
            }
        });
        let completed = json!({
            "eventId": 9, "eventType": "ActivityTaskCompleted", "eventTimestamp": 2.5,
            "activityTaskCompletedEventAttributes": {
                "scheduledEventId": 5, "startedEventId": 8, "result": "{\"ok\":true}"
            }
        });
        for page in [
            vec![scheduled.clone(), completed.clone()],
            vec![completed.clone(), scheduled.clone()],
        ] {
            let events = SwfNormalizer::new(None).normalize(page);
            for event in &events {
                assert_eq!(event.name.as_deref(), Some("Charge/2 (activityId a-1)"));
            }
            let done = events
                .iter()
                .find(|e| e.kind == "ActivityTaskCompleted")
                .unwrap();
            assert_eq!(done.parent_id, Some(EventId::Number(8)));
            assert_eq!(done.output, Some(json!({"ok": true}).into()));
            assert_eq!(done.details.get("scheduledEventId"), Some(json!(5)));
            assert_eq!(done.status, Status::Succeeded);
        }
    }
}

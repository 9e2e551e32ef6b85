//! The listing record: one run (or one state machine or pipeline) of `histx <service>
//! ls`, in the normalized shape every service's listing is turned into. Its JSON form is
//! the listing part of the JSON lines contract (README, "Listing records"): the field
//! order and names here are public and never change once released.

use super::{Status, Timestamp};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

/// The fields of a listing record, in order, with their meaning: for the README and
/// `--help`, kept next to the struct they describe.
pub const RUN_RECORD_FIELDS: &[(&str, &str)] = &[
    ("service", "sfn, swf, ssm or codepipeline"),
    ("execution", "exactly what `histx <service> show` takes: an execution ARN, domain/workflowId/runId, an automation execution id, pipeline/executionId; a state machine ARN or a pipeline name when state machines or pipelines are listed"),
    ("name", "the execution's name (sfn), the workflowId (swf), the state machine or pipeline name"),
    ("status", "running, pending, scheduled, succeeded, failed, timed_out, aborted, cancelled or info (absent for a state machine or pipeline)"),
    ("start", "the service's own start time (a state machine's or pipeline's: when it was created), RFC 3339 UTC"),
    ("end", "when the run ended, once it has"),
    ("duration_ms", "end minus start, in milliseconds"),
    ("parent", "what the run belongs to: its state machine ARN, workflow type name/version, document name, pipeline name"),
    ("details", "every other field the service listed, under its own names (the service's own status included)"),
];

/// One record of a listing: a run, or a parent (a state machine, a pipeline) when the
/// listing is of those.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub service: &'static str,
    /// Exactly what `histx <service> show` takes.
    pub execution: String,
    pub name: Option<String>,
    /// The run's normalized status; none for a parent.
    pub status: Option<Status>,
    /// The service's own start time (a parent's: when it was created).
    pub start: Option<Timestamp>,
    /// Only once the run has ended.
    pub end: Option<Timestamp>,
    /// What the run belongs to: its state machine, workflow type, document or pipeline.
    pub parent: Option<String>,
    /// Every other wire field, under the service's own names.
    pub details: Map<String, Value>,
    /// What the table shows for the record when its name is no name of the run (an SWF
    /// workflowId is every run's of that workflow): what `histx <service>` takes, so
    /// that the table tells runs apart. Not a field of the JSON record (`execution` is).
    pub label: Option<String>,
}

impl RunRecord {
    pub fn new(service: &'static str, execution: impl Into<String>) -> Self {
        RunRecord {
            service,
            execution: execution.into(),
            name: None,
            status: None,
            start: None,
            end: None,
            parent: None,
            details: Map::new(),
            label: None,
        }
    }

    /// How long the run took, once it has ended.
    pub fn duration_ms(&self) -> Option<i64> {
        Some(self.end?.millis() - self.start?.millis()).filter(|d| *d >= 0)
    }
}

impl Serialize for RunRecord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("service", self.service)?;
        map.serialize_entry("execution", &self.execution)?;
        if let Some(name) = &self.name {
            map.serialize_entry("name", name)?;
        }
        if let Some(status) = self.status {
            map.serialize_entry("status", status.as_str())?;
        }
        if let Some(start) = &self.start {
            map.serialize_entry("start", start)?;
        }
        if let Some(end) = &self.end {
            map.serialize_entry("end", end)?;
        }
        if let Some(duration) = self.duration_ms() {
            map.serialize_entry("duration_ms", &duration)?;
        }
        if let Some(parent) = &self.parent {
            map.serialize_entry("parent", parent)?;
        }
        if !self.details.is_empty() {
            map.serialize_entry("details", &self.details)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_fields_are_the_serialized_order() {
        let mut record = RunRecord::new("sfn", "arn:x");
        record.name = Some("run".into());
        record.status = Some(Status::Failed);
        record.start = Some(Timestamp(1_000));
        record.end = Some(Timestamp(3_500));
        record.parent = Some("arn:m".into());
        record.details.insert("redriveCount".into(), Value::from(0));
        let text = serde_json::to_string(&record).unwrap();
        let keys: Vec<&str> = RUN_RECORD_FIELDS.iter().map(|(k, _)| *k).collect();
        let mut at = 0;
        for key in keys {
            let found = text[at..].find(&format!("\"{key}\":")).map(|i| i + at);
            assert!(found.is_some(), "{key} in order in {text}");
            at = found.unwrap();
        }
        assert!(text.contains("\"duration_ms\":2500"), "{text}");
    }

    #[test]
    fn a_parent_has_no_status_and_absent_fields_are_omitted() {
        let record = RunRecord::new("codepipeline", "deploy");
        assert_eq!(
            serde_json::to_string(&record).unwrap(),
            r#"{"service":"codepipeline","execution":"deploy"}"#
        );
    }
}

//! The normalized event: the one shape every service is turned into and every renderer
//! reads. Its JSON form is the JSON lines contract (see README, "JSON lines schema"):
//! field order and names here are public and never change once released.
//! No AWS SDK type appears in this module or anywhere below it.

use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;

/// Version of the JSON lines schema; bumped only for incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// One history record of one execution, whatever service it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub service: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<EventId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<EventId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub details: Map<String, Value>,
}

impl Event {
    /// An event with only the mandatory fields set; normalizers fill in the rest.
    pub fn new(service: &'static str, kind: impl Into<String>, status: Status) -> Self {
        Event {
            service,
            execution: None,
            id: None,
            parent_id: None,
            time: None,
            end_time: None,
            duration_ms: None,
            kind: kind.into(),
            status,
            name: None,
            resource: None,
            error: None,
            cause: None,
            input: None,
            output: None,
            details: Map::new(),
        }
    }
}

/// An event id: an integer for Step Functions and SWF, a string for SSM and CodePipeline.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum EventId {
    Number(i64),
    Text(String),
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventId::Number(n) => write!(f, "{n}"),
            EventId::Text(s) => f.write_str(s),
        }
    }
}

/// The normalized state of an event, the same vocabulary for every service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Scheduled,
    Started,
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
    Cancelled,
    Pending,
    Skipped,
    Info,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Scheduled => "scheduled",
            Status::Started => "started",
            Status::Running => "running",
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::TimedOut => "timed_out",
            Status::Aborted => "aborted",
            Status::Cancelled => "cancelled",
            Status::Pending => "pending",
            Status::Skipped => "skipped",
            Status::Info => "info",
        }
    }

    /// True for the statuses that mean something went wrong.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::TimedOut | Status::Aborted)
    }
}

/// A point in time, kept as milliseconds since the Unix epoch (UTC). Serialized as
/// RFC 3339 UTC with milliseconds: `2018-05-02T17:57:55.580Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn to_rfc3339(self) -> String {
        match chrono::DateTime::from_timestamp_millis(self.0) {
            Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            None => self.0.to_string(),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_serializes_as_utc_millis() {
        assert_eq!(
            Timestamp(1_525_283_875_580).to_rfc3339(),
            "2018-05-02T17:57:55.580Z"
        );
    }

    #[test]
    fn absent_fields_are_omitted_and_order_is_fixed() {
        let mut e = Event::new("sfn", "PassStateEntered", Status::Started);
        e.id = Some(EventId::Number(2));
        e.name = Some("Hello".into());
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"service":"sfn","id":2,"type":"PassStateEntered","status":"started","name":"Hello"}"#
        );
    }
}

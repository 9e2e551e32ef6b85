//! The normalized event: the one shape every service is turned into and every renderer
//! reads. Its JSON form is the JSON lines contract (see README, "JSON lines schema"):
//! field order and names here are public and never change once released.
//! No AWS SDK type appears in this module or anywhere below it. The tree node is in
//! `model/tree.rs`.

pub mod digest;
pub mod fold;
mod json;
mod run;
mod tree;

pub use json::{Details, Json};
pub use run::{RunRecord, RUN_RECORD_FIELDS};
pub use tree::{flat_node, group_node, Annotated, Annotations, Node, NodeKind, Reference, Work};

use serde::Serialize;
use std::fmt;

/// Version of the JSON lines schema; bumped only for incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The fields of the JSON lines schema, in order, with their meaning: for the man pages
/// and `--help`, kept next to the struct they describe.
pub const SCHEMA_FIELDS: &[(&str, &str)] = &[
    ("service", "sfn, swf, ssm or codepipeline"),
    ("execution", "the execution: ARN, domain/workflowId/runId, automation execution id, or pipeline/executionId"),
    ("parent_execution", "for a run another run started (--depth): the execution of the run that started it, as that run's records give it"),
    ("id", "the service's event id (an integer for sfn and swf, a string for ssm and codepipeline)"),
    ("parent_id", "the event that caused this one (sfn previousEventId, swf scheduled/started event, parent step, stage)"),
    ("time", "RFC 3339 UTC with milliseconds"),
    ("end_time", "for a span (an SSM step, a CodePipeline action): when it ended"),
    ("duration_ms", "for a span: how long it took, in milliseconds"),
    ("type", "the service's own event type (TaskStateEntered, ActivityTaskFailed, aws:executeScript, Build/CodeBuild)"),
    ("status", "scheduled, started, running, succeeded, failed, timed_out, aborted, cancelled, pending, skipped or info"),
    ("name", "the state, activity, step or stage.action name"),
    ("resource", "what the event called: lambda:invoke, an activity ARN, a step action, an action provider"),
    ("error", "the failure's code"),
    ("cause", "the failure's explanation"),
    ("cause_json", "the object the cause holds, when it holds JSON (a Lambda error: errorType, errorMessage, stackTrace), decoded; a string holding JSON is decoded"),
    ("summary", "the service's own one-line account of the outcome, where it gives one; sfn: caught, on a state's exit after a caught failure"),
    ("input", "the input payload; a string holding JSON is decoded"),
    ("output", "the output payload; a string holding JSON is decoded"),
    ("details", "every other field of the event, under the service's own names"),
];

/// One history record of one execution, whatever service it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub service: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution: Option<String>,
    /// For a run another run started (`--depth`): that run's `execution`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_execution: Option<String>,
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
    /// The object `cause` holds, decoded, when it holds one (a Lambda error object);
    /// `cause` stays as it came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause_json: Option<Json>,
    /// The service's own one-line account of the record's outcome, where it gives one
    /// (CodePipeline's external execution summary and link, SSM's step response).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Payloads and details are compact JSON text (see `model/json.rs`): what the
    /// views read of them is parsed when they read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Json>,
    #[serde(skip_serializing_if = "Details::is_empty")]
    pub details: Details,
}

impl Event {
    /// An event with only the mandatory fields set; normalizers fill in the rest.
    pub fn new(service: &'static str, kind: impl Into<String>, status: Status) -> Self {
        Event {
            service,
            execution: None,
            parent_execution: None,
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
            cause_json: None,
            summary: None,
            input: None,
            output: None,
            details: Details::Empty,
        }
    }
}

impl Event {
    /// Fills in `cause_json` from `cause`: the object it holds, if any.
    pub fn decode_cause(&mut self) {
        self.cause_json = self
            .cause
            .as_deref()
            .and_then(digest::decode_cause)
            .map(Json::from);
    }

    /// Done normalizing: the details become compact text (see [`Details::compact`]).
    pub fn compact(&mut self) {
        self.details.compact();
    }

    /// [`Event::compact`], for a normalizer's `map`.
    pub fn compacted(mut self) -> Self {
        self.compact();
        self
    }

    /// Where the event stands in its history, for services with numbered events (Step
    /// Functions, SWF); events without a number sort last.
    pub fn sequence(&self) -> i64 {
        self.id
            .as_ref()
            .and_then(EventId::as_number)
            .unwrap_or(i64::MAX)
    }

    /// The number of the event that caused this one, for services with numbered events.
    pub fn parent_number(&self) -> Option<i64> {
        self.parent_id.as_ref().and_then(EventId::as_number)
    }

    /// True when `by_id`, a numbered history in [`Event::sequence`] order, is whole: its
    /// first event is the run's start (of type `start_type`, e.g. `ExecutionStarted`) and
    /// its ids run 1, 2, 3, ... without a gap. A page saved with `--reverse-order
    /// --max-items N` is not.
    pub fn whole_history(by_id: &[&Event], start_type: &str) -> bool {
        by_id.first().is_some_and(|e| e.kind == start_type)
            && by_id
                .iter()
                .enumerate()
                .all(|(i, e)| e.id.as_ref().and_then(EventId::as_number) == Some(i as i64 + 1))
    }
}

/// An event id: an integer for Step Functions and SWF, a string for SSM and CodePipeline.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum EventId {
    Number(i64),
    Text(String),
}

impl EventId {
    /// The id as a number, for the services whose ids are numbers.
    pub fn as_number(&self) -> Option<i64> {
        match self {
            EventId::Number(n) => Some(*n),
            EventId::Text(_) => None,
        }
    }
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
    pub const ALL: [Status; 11] = [
        Status::Scheduled,
        Status::Started,
        Status::Running,
        Status::Succeeded,
        Status::Failed,
        Status::TimedOut,
        Status::Aborted,
        Status::Cancelled,
        Status::Pending,
        Status::Skipped,
        Status::Info,
    ];

    /// The status named `text` (`failed`, `timed_out`, ...).
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

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

    /// True for the statuses that end a run, a state or a step.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Succeeded
                | Status::Failed
                | Status::TimedOut
                | Status::Aborted
                | Status::Cancelled
                | Status::Skipped
        )
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
        match self.instant() {
            Some(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            None => self.0.to_string(),
        }
    }

    /// The same instant as a `jiff` timestamp, for formatting; `None` outside the range
    /// it can hold.
    pub fn instant(self) -> Option<jiff::Timestamp> {
        jiff::Timestamp::from_millisecond(self.0).ok()
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

/// A run at a glance: the header of `-o table` and `-o tree`, and what `--summary`
/// prints. Built by each service from all of a run's events.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunSummary {
    pub service: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution: Option<String>,
    /// The run's own status; `None` when the history does not say (still running, or
    /// only part of it was read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
    /// Events (or steps, actions) in the history.
    pub events: usize,
    /// True when the summary covers only part of the run: `--limit` stopped reading
    /// before the history's end, or the history read lacks the run's start (a page saved
    /// with `--reverse-order --max-items N`). It then says nothing it cannot know from
    /// the events read: no start, and no status unless an event read ended the run.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// Why reading stopped before the history's end, when it did (not in the record:
    /// `partial` says it there).
    #[serde(skip)]
    pub stopped: Option<Stopped>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redrives: Option<i64>,
    /// The run's own error and cause, as its terminal event (ExecutionFailed and the
    /// like) gives them: for a `Catch → Fail` flow the Fail state's, where `failure`
    /// holds the root cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The failure that explains the run: what to paste into a ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// How many runs the history read holds, when it holds several (`codepipeline
    /// --all`): the summary is then the newest run's, and `events` counts that run's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executions: Option<usize>,
    /// The runs this run started, as its records name them (`--depth`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<ChildrenRead>,
    /// Where the failure leads in the runs this run started (`--depth 1` or more): the
    /// failed child, and in it its own failure, down to the root cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<ChildCause>,
    /// The run's page in the AWS console, for a run read from AWS (not in the record).
    #[serde(skip)]
    pub console: Option<ConsoleLink>,
}

/// A link to a run's console page, for the summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsoleLink {
    pub url: String,
    /// Shown as a terminal hyperlink (OSC 8), on a terminal known to draw them.
    pub hyperlink: bool,
}

/// The runs a run started, as its summary counts them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChildrenRead {
    /// Runs (and Map Runs, each once) that the run's records name; `None` (`null` in
    /// the record) when they were not counted: a cheap `--summary` read only the newest
    /// events of a history that may name more in its older ones.
    pub started: Option<usize>,
    /// How many of them are Distributed Map Runs (groups of child executions).
    #[serde(skip_serializing_if = "is_zero")]
    pub map_runs: usize,
    /// How many levels down were read: 0 when none were (`--depth 0`, or a run at the
    /// last level `--depth` reads).
    pub depth_read: usize,
    /// When none were read: the `--depth` that would read them (1 for the run shown, N+1
    /// for a child at the last level of `--depth N`).
    #[serde(skip)]
    pub read_with_depth: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// How many child executions a group (a Map Run) has, by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChildCounts {
    pub total: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub timed_out: i64,
    pub aborted: i64,
    pub running: i64,
    pub pending: i64,
}

impl ChildCounts {
    /// Failed, timed out or aborted.
    pub fn unsuccessful(&self) -> i64 {
        self.failed + self.timed_out + self.aborted
    }
}

/// A failed run that a run started, with its own failure; `within` leads further down.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChildCause {
    pub service: &'static str,
    pub execution: String,
    /// The short name people know it by (an execution's name, a workflowId).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// For a group (a Map Run): how many of its children did not succeed, of how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsuccessful_children: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_children: Option<i64>,
    /// The child's own error and cause (its run's, else its failing state's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// Where in the child it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Why the child could not be read, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<Box<ChildCause>>,
}

/// Why reading a history stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// `--limit` was reached.
    Limit,
    /// A request failed for good (said on stderr; the exit status is 1).
    Error,
}

/// Where and why a run failed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Failure {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<EventId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The identical failures of the same state before it, when it was retried (for
    /// the people's summary; not in the record).
    #[serde(skip)]
    pub retries: Option<fold::Repeats>,
}

impl RunSummary {
    /// What every service can say of a run from its records alone: their count, the
    /// earliest start and latest end, and the first failure among them. Services refine
    /// it with what only they know (the run's own status, redrives).
    pub fn from_events(service: &'static str, events: &[Event]) -> Self {
        let start = events.iter().filter_map(|e| e.time).min();
        let end = events.iter().filter_map(|e| e.end_time.or(e.time)).max();
        // The earliest failure, whatever order the events came in.
        let failure = events
            .iter()
            .filter(|e| e.status.is_failure())
            .min_by_key(|e| (e.time, e.id.as_ref().and_then(EventId::as_number)))
            .map(Failure::of);
        RunSummary {
            service,
            execution: events.iter().find_map(|e| e.execution.clone()),
            status: None,
            start,
            end,
            duration_ms: start.zip(end).map(|(s, e)| e.millis() - s.millis()),
            events: events.len(),
            partial: false,
            stopped: None,
            redrives: None,
            error: None,
            cause: None,
            failure,
            executions: None,
            children: None,
            root_cause: None,
            console: None,
        }
    }
}

impl Failure {
    /// The failure that explains a run-ending event `end`, among the failures before it
    /// (in history order): the last with the same error, else the last with an error,
    /// else the last, with what it lacks of error and cause taken from `end`; with none
    /// before it, `end` itself.
    pub fn behind(end: &Event, before: &[&Event]) -> Self {
        let culprit = before
            .iter()
            .rev()
            .find(|e| e.error.is_some() && e.error == end.error)
            .or_else(|| before.iter().rev().find(|e| e.error.is_some()))
            .or_else(|| before.last());
        match culprit {
            Some(event) => {
                let mut failure = Failure::of(event);
                failure.error = failure.error.or_else(|| end.error.clone());
                failure.cause = failure.cause.or_else(|| end.cause.clone());
                failure
            }
            None => Failure::of(end),
        }
    }

    pub fn of(event: &Event) -> Self {
        Failure {
            id: event.id.clone(),
            name: event.name.clone(),
            kind: event.kind.clone(),
            error: event.error.clone(),
            cause: event.cause.clone(),
            retries: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};

    #[test]
    fn a_whole_history_starts_with_the_runs_start_and_has_no_gap() {
        let numbered = |id: i64, kind: &str| {
            let mut event = Event::new("sfn", kind, Status::Info);
            event.id = Some(EventId::Number(id));
            event
        };
        let history = [
            numbered(1, "ExecutionStarted"),
            numbered(2, "PassStateEntered"),
            numbered(3, "PassStateExited"),
        ];
        let all: Vec<&Event> = history.iter().collect();
        assert!(Event::whole_history(&all, "ExecutionStarted"));
        assert!(!Event::whole_history(&all, "WorkflowExecutionStarted"));
        assert!(!Event::whole_history(
            &[&history[0], &history[2]],
            "ExecutionStarted"
        ));
        assert!(
            !Event::whole_history(&all[1..], "PassStateEntered"),
            "ids from 2"
        );
        assert!(!Event::whole_history(&[], "ExecutionStarted"));
    }

    #[test]
    fn timestamp_serializes_as_utc_millis() {
        assert_eq!(
            Timestamp(1_525_283_875_580).to_rfc3339(),
            "2018-05-02T17:57:55.580Z"
        );
    }

    #[test]
    fn the_documented_schema_is_the_serialized_order() {
        let mut e = Event::new("sfn", "T", Status::Info);
        e.execution = Some("x".into());
        e.parent_execution = Some("p".into());
        e.id = Some(EventId::Number(1));
        e.parent_id = Some(EventId::Number(0));
        e.time = Some(Timestamp(0));
        e.end_time = Some(Timestamp(0));
        e.duration_ms = Some(0);
        e.name = Some("n".into());
        e.resource = Some("r".into());
        e.error = Some("e".into());
        e.cause = Some("c".into());
        e.cause_json = Some(Map::new().into());
        e.summary = Some("s".into());
        e.input = Some(Value::Null.into());
        e.output = Some(Value::Null.into());
        e.details.insert("k".into(), Value::Null);
        let value = serde_json::to_value(&e).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let documented: Vec<&str> = SCHEMA_FIELDS.iter().map(|(field, _)| *field).collect();
        assert_eq!(keys, documented);
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

//! Simple Workflow Service: `histx swf --domain D <workflow-id> [--run-id R]`, from
//! `GetWorkflowExecutionHistory`.
//!
//! **Which run.** With `--run-id` that run; without it the workflow's open run, else its
//! most recently started closed one (ListOpenWorkflowExecutions and
//! ListClosedWorkflowExecutions, filtered by workflowId, from the epoch to now, since SWF
//! keeps closed runs for the domain's retention period). Among several candidates the one
//! with the latest startTimestamp wins, then the greatest runId; the choice is printed on
//! stderr as one line.
//!
//! **Pages.** `maximumPageSize` is left unset, so the service returns 1000 events a page:
//! a set value is capped at 100 by the API. It is only sent when the user chose
//! `--page-size`, or when the shared fetch loop asks for 100 events or fewer (a small
//! `--limit`): see [`maximum_page_size`]. Pages are read from the wire JSON (through
//! [`WireTap`]), so event types and fields newer than the SDK survive into `-o raw` and
//! `details`.
//!
//! **Normalized events** (the JSON lines contract for SWF):
//! - `id` eventId, `time` eventTimestamp, `type` eventType, `execution`
//!   `domain/workflowId/runId`.
//! - `status` from the type, by suffix so newer types are mapped too (see [`status_of`]):
//!   `*Scheduled` and `*Initiated` scheduled, `*Started` started, `*Completed`, `TimerFired`,
//!   `External*Signaled`, `ExternalWorkflowExecutionCancelRequested` and
//!   `WorkflowExecutionContinuedAsNew` (the run closed normally, handing over to a new run)
//!   succeeded, `*Failed` failed, `*TimedOut` timed_out, `*Canceled`/`*Cancelled` cancelled,
//!   `*Terminated` aborted; `*CancelRequested` (a request the decider may act on; the outcome
//!   is a later `*Canceled` event), `WorkflowExecutionSignaled`, `MarkerRecorded` and
//!   unknown types info.
//! - `name` is a label built from the event's own fields, which stay in `details` too:
//!   `Type/version (activityId id)` for activities, `Type/version (workflowId id)` for child
//!   workflows, the workflow type for the run's own start and continue-as-new, `signal
//!   (workflowId id)` or the signal name, `function (id id)` for Lambda functions, the marker
//!   name, the timer id. An event that only refers to another (ActivityTaskCompleted to its
//!   ActivityTaskScheduled, through scheduledEventId, initiatedEventId or startedEventId)
//!   takes that event's name when it has been seen (the same page, or an earlier one); a
//!   bare activityId or workflowId is the last resort.
//! - `parent_id`, the most direct cause: the first non-zero of startedEventId,
//!   scheduledEventId, initiatedEventId, decisionTaskCompletedEventId (the others stay in
//!   `details`). externalInitiatedEventId and parentInitiatedEventId are ids in another
//!   execution's history, so they stay in `details`.
//! - `error`, `cause` on failed, timed-out and terminated events: `error` is the service's
//!   code (`cause`, else `timeoutType`, else `reason`), `cause` the explanation (`reason`,
//!   else `message`, else `details`).
//! - `input` is `input`; `output` is `result`, or `details` on other events (a marker's
//!   data, a cancellation's details); strings holding JSON are decoded.
//! - `details`: every other field of the event and of its `*EventAttributes` object,
//!   flattened, with the service's own names.

use crate::aws::{self, ServiceFailure, WireTap};
use crate::exit::UsageError;
use crate::fetch::{Page, PageSource};
use crate::model::{Event, EventId, Node, RunSummary, Status, Timestamp};
use crate::pipeline::print_history;
use crate::render::terminal_safe;
use crate::saved::{SavedHistory, SavedShape};
use crate::services::Context;
use crate::services::{swf_tree, Normalizer};
use crate::wire::{as_i64, decode_payload, parse_timestamp, take_string};
use anyhow::{anyhow, Result};
use aws_sdk_swf::types::{ExecutionTimeFilter, WorkflowExecution, WorkflowExecutionFilter};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Write;

pub const SERVICE: &str = "swf";

/// The largest `maximumPageSize` the API accepts, and what it returns when none is set.
pub const MAX_PAGE_SIZE: usize = 1000;

/// A `maximumPageSize` that is set is capped at this (the API reference says so).
pub const SET_PAGE_SIZE_CAP: usize = 100;

/// What saved GetWorkflowExecutionHistory output looks like (the API's and
/// `aws swf get-workflow-execution-history`'s).
pub const SAVED_SHAPE: SavedShape = SavedShape {
    events_key: "events",
    event_marker: "eventType",
    what: "GetWorkflowExecutionHistory output (an object with \"events\")",
};

/// `histx swf` arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Without --run-id, histx shows the workflow's open run, else its most recently \
started closed run, and says on stderr which run it chose.\n\n\
Page size: SWF returns 1000 events a page when no page size is sent, but caps a page size \
that is set at 100. histx sends none unless --page-size is given (1 to 1000, served as at \
most 100) or --limit needs 100 events or fewer."
)]
pub struct Args {
    /// The workflow execution's workflowId. With --from it is optional and only labels the
    /// events.
    #[arg(value_name = "WORKFLOW_ID")]
    pub workflow_id: Option<String>,

    /// The SWF domain the workflow runs in.
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,

    /// The run to show [default: the workflow's open run, else its most recently started
    /// closed run].
    #[arg(long, value_name = "RUN_ID")]
    pub run_id: Option<String>,
}

impl Args {
    /// Rejects empty names before any request.
    fn check(&self) -> Result<(), UsageError> {
        let fields = [
            ("--domain", &self.domain),
            ("the workflow id", &self.workflow_id),
            ("--run-id", &self.run_id),
        ];
        for (what, value) in fields {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(UsageError::new(format!("{what} is empty")));
            }
        }
        if self.run_id.is_some() && self.workflow_id.is_none() {
            return Err(UsageError::new(
                "--run-id needs the WORKFLOW_ID it is a run of",
            ));
        }
        Ok(())
    }

    /// The `execution` label for events read from a file: as much of
    /// `domain/workflowId/runId` as was given, if at least the domain and workflow are.
    fn saved_label(&self) -> Option<String> {
        let (domain, workflow_id) = (self.domain.as_ref()?, self.workflow_id.as_ref()?);
        Some(match &self.run_id {
            Some(run_id) => format!("{domain}/{workflow_id}/{run_id}"),
            None => format!("{domain}/{workflow_id}"),
        })
    }
}

/// Prints the history of one workflow run, live or from `--from`.
pub async fn run(args: Args, context: Context<'_>) -> Result<()> {
    args.check()?;
    let plan = context.plan(SERVICE, MAX_PAGE_SIZE)?;
    let common = context.common;
    if let Some(path) = &common.from {
        let mut source = SavedHistory::open(path, SAVED_SHAPE, common.reverse)?;
        let normalizer = SwfNormalizer::new(args.saved_label());
        return print_history(&mut source, normalizer, plan, context.output).await;
    }
    let (Some(domain), Some(workflow_id)) = (args.domain.clone(), args.workflow_id.clone()) else {
        return Err(UsageError::new(
            "histx swf needs --domain DOMAIN and a WORKFLOW_ID, or --from FILE",
        )
        .into());
    };
    let config = aws::load_config(&context.connection, None).await?;
    let client = aws_sdk_swf::Client::new(&config);
    let run_id = match &args.run_id {
        Some(run_id) => run_id.clone(),
        None => {
            let choice = find_run(&client, &domain, &workflow_id).await?;
            // Diagnostics only: a closed stderr must not stop the history.
            let _ = writeln!(std::io::stderr(), "{}", choice.describe());
            choice.run.run_id
        }
    };
    let execution = Execution {
        domain,
        workflow_id,
        run_id,
    };
    let normalizer = SwfNormalizer::new(Some(execution.label()));
    let mut source = LiveHistory {
        client,
        execution,
        reverse: common.reverse,
        page_size_chosen: common.page_size.is_some(),
        run_id_given: args.run_id.is_some(),
    };
    print_history(&mut source, normalizer, plan, context.output).await
}

/// One workflow run.
#[derive(Debug, Clone)]
struct Execution {
    domain: String,
    workflow_id: String,
    run_id: String,
}

impl Execution {
    fn label(&self) -> String {
        format!("{}/{}/{}", self.domain, self.workflow_id, self.run_id)
    }
}

/// A run found by listing the workflow's executions.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RunInfo {
    run_id: String,
    started: Option<Timestamp>,
    close_status: Option<String>,
}

/// The run chosen when `--run-id` is not given, and among how many.
#[derive(Debug)]
struct RunChoice {
    run: RunInfo,
    open: bool,
    candidates: usize,
}

impl RunChoice {
    /// The latest started run, then the greatest runId: the same answer every time.
    fn latest(runs: Vec<RunInfo>, open: bool) -> Option<RunChoice> {
        let candidates = runs.len();
        let run = runs
            .into_iter()
            .max_by(|a, b| (a.started, &a.run_id).cmp(&(b.started, &b.run_id)))?;
        Some(RunChoice {
            run,
            open,
            candidates,
        })
    }

    /// The stderr line: `histx: run R (open, started T)`.
    fn describe(&self) -> String {
        let state = match (&self.run.close_status, self.open) {
            (_, true) => "open".to_string(),
            (Some(status), false) => format!("closed {status}"),
            (None, false) => "closed".to_string(),
        };
        let started = self
            .run
            .started
            .map(|t| format!(", started {}", t.to_rfc3339()))
            .unwrap_or_default();
        let among = if self.candidates > 1 {
            format!(
                "; the latest started of {} {} runs, --run-id picks another",
                self.candidates,
                if self.open { "open" } else { "closed" }
            )
        } else {
            String::new()
        };
        terminal_safe(&format!(
            "histx: run {} ({state}{started}{among})",
            self.run.run_id
        ))
        .into_owned()
    }
}

/// The run to show when none is named: the open one, else the latest started closed one.
/// Both lists are asked for at once; each is one page, which holds the most recently
/// started runs (both APIs return runs newest first). A workflowId has at most one open run.
async fn find_run(
    client: &aws_sdk_swf::Client,
    domain: &str,
    workflow_id: &str,
) -> Result<RunChoice> {
    let (open, closed) = tokio::join!(
        open_runs(client, domain, workflow_id),
        closed_runs(client, domain, workflow_id)
    );
    if let Some(choice) = RunChoice::latest(open?, true) {
        return Ok(choice);
    }
    RunChoice::latest(closed?, false).ok_or_else(|| {
        anyhow!(
            "no run of workflow '{workflow_id}' in domain '{domain}': none is open, and none \
             closed within the domain's retention period"
        )
    })
}

/// Every start time: closed runs are kept for the domain's retention period (up to 90
/// days) after runs of up to a year.
fn since_the_epoch() -> Result<ExecutionTimeFilter> {
    Ok(ExecutionTimeFilter::builder()
        .oldest_date(aws_smithy_types::DateTime::from_secs(0))
        .build()?)
}

fn only_workflow(workflow_id: &str) -> Result<WorkflowExecutionFilter> {
    Ok(WorkflowExecutionFilter::builder()
        .workflow_id(workflow_id)
        .build()?)
}

async fn open_runs(
    client: &aws_sdk_swf::Client,
    domain: &str,
    workflow_id: &str,
) -> Result<Vec<RunInfo>> {
    let output = client
        .list_open_workflow_executions()
        .domain(domain)
        .start_time_filter(since_the_epoch()?)
        .execution_filter(only_workflow(workflow_id)?)
        .send()
        .await
        .map_err(aws::describe_error)?;
    Ok(runs_of(output.execution_infos(), workflow_id))
}

async fn closed_runs(
    client: &aws_sdk_swf::Client,
    domain: &str,
    workflow_id: &str,
) -> Result<Vec<RunInfo>> {
    let output = client
        .list_closed_workflow_executions()
        .domain(domain)
        .start_time_filter(since_the_epoch()?)
        .execution_filter(only_workflow(workflow_id)?)
        .send()
        .await
        .map_err(aws::describe_error)?;
    Ok(runs_of(output.execution_infos(), workflow_id))
}

/// The runs of `workflow_id` in a listing. Filtered here too: some emulators (moto)
/// ignore `executionFilter` and list every run of the domain.
fn runs_of(infos: &[aws_sdk_swf::types::WorkflowExecutionInfo], workflow_id: &str) -> Vec<RunInfo> {
    infos
        .iter()
        .filter_map(|info| {
            let execution = info.execution()?;
            (execution.workflow_id() == workflow_id).then(|| RunInfo {
                run_id: execution.run_id().to_string(),
                started: info.start_timestamp().to_millis().ok().map(Timestamp),
                close_status: info.close_status().map(|s| s.as_str().to_string()),
            })
        })
        .collect()
}

/// The `maximumPageSize` to send for a request of `page_size` events, or `None` to leave
/// it unset. Unset, the service returns 1000 events a page; set, at most 100. So it is
/// only set when the user chose `--page-size` (they asked for it; `--help` notes the cap),
/// or when 100 events or fewer are wanted (the last page of a `--limit`), where setting it
/// saves transfer and costs no request. A `--limit` of 500 without `--page-size` thus asks
/// for an unset page (1000 events, cut to 500 by the fetch loop): one request, not five.
pub fn maximum_page_size(page_size: usize, chosen_by_user: bool) -> Option<usize> {
    (chosen_by_user || page_size <= SET_PAGE_SIZE_CAP).then_some(page_size)
}

/// GetWorkflowExecutionHistory, one page per call, through the SDK.
struct LiveHistory {
    client: aws_sdk_swf::Client,
    execution: Execution,
    reverse: bool,
    page_size_chosen: bool,
    run_id_given: bool,
}

impl LiveHistory {
    /// Adds a hint to the service's "Unknown execution" when the user named the run.
    fn explain(&self, error: anyhow::Error) -> anyhow::Error {
        let Some(failure) = error.downcast_ref::<ServiceFailure>() else {
            return error;
        };
        let unknown_execution = failure.code == "UnknownResourceFault"
            && failure
                .message
                .as_deref()
                .is_some_and(|m| m.starts_with("Unknown execution"));
        if !(self.run_id_given && unknown_execution) {
            return error;
        }
        let Execution {
            domain,
            workflow_id,
            run_id,
        } = &self.execution;
        anyhow!(ServiceFailure {
            code: failure.code.clone(),
            message: Some(format!(
                "{} (no run '{run_id}' of workflow '{workflow_id}' in domain '{domain}'; \
                 without --run-id histx shows the workflow's latest run)",
                failure.message.as_deref().unwrap_or_default()
            )),
        })
    }
}

impl PageSource for LiveHistory {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::default();
        let execution = WorkflowExecution::builder()
            .workflow_id(&self.execution.workflow_id)
            .run_id(&self.execution.run_id)
            .build()?;
        let page_size = maximum_page_size(page_size, self.page_size_chosen)
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX));
        self.client
            .get_workflow_execution_history()
            .domain(&self.execution.domain)
            .execution(execution)
            .reverse_order(self.reverse)
            .set_maximum_page_size(page_size)
            .set_next_page_token(token)
            .customize()
            .interceptor(tap.clone())
            .send()
            .await
            .map_err(|error| self.explain(aws::describe_error(error)))?;
        tap.page("events", "nextPageToken")
    }
}

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
const NAME_REFERENCES: &[&str] = &["scheduledEventId", "initiatedEventId", "startedEventId"];

/// The attribute fields that can be `parent_id`, the most direct cause first.
const PARENT_REFERENCES: &[&str] = &[
    "startedEventId",
    "scheduledEventId",
    "initiatedEventId",
    "decisionTaskCompletedEventId",
];

/// Normalizes SWF history events (see the module header and the README's schema).
pub struct SwfNormalizer {
    execution: Option<String>,
    /// The names of the events seen so far, by event id, for the events that refer to them.
    names: HashMap<i64, String>,
    /// Activity names by activityId, for the events that carry only the id.
    activity_names: HashMap<String, String>,
}

impl SwfNormalizer {
    pub fn new(execution: Option<String>) -> Self {
        SwfNormalizer {
            execution,
            names: HashMap::new(),
            activity_names: HashMap::new(),
        }
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
        if let Some(time) = fields.get("eventTimestamp").and_then(parse_timestamp) {
            event.time = Some(time);
            fields.shift_remove("eventTimestamp");
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
    fn service(&self) -> &'static str {
        SERVICE
    }

    fn summary(&self, events: &[Event]) -> RunSummary {
        swf_tree::summary(events)
    }

    /// The run, its decision tasks, and the work each decision started (see
    /// [`swf_tree`]), labelled with the workflowId when it is known.
    fn tree(&self, events: &[Event], summary: &RunSummary) -> Vec<Node> {
        let workflow_id = self
            .execution
            .as_deref()
            .and_then(|label| label.split('/').nth(1));
        swf_tree::tree(events, workflow_id, summary)
    }

    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event> {
        // Every name the page carries first, so that a page in reverse order (effects
        // before causes) names every event it can.
        for raw in &page {
            self.remember_name(raw);
        }
        page.into_iter()
            .map(|raw| self.normalize_one(raw))
            .collect()
    }
}

/// The error, cause, input and output of an event, moved out of its attributes.
fn take_payloads(event: &mut Event, attributes: &mut Map<String, Value>) {
    if let Some(input) = attributes.shift_remove("input") {
        event.input = Some(decode_payload(input));
    }
    if let Some(result) = attributes.shift_remove("result") {
        event.output = Some(decode_payload(result));
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
            event.output = Some(decode_payload(details));
        }
    }
}

/// Removes an event id field when it holds a positive integer (0 means "none" in SWF).
fn take_positive_id(fields: &mut Map<String, Value>, key: &str) -> Option<EventId> {
    let id = fields.get(key).and_then(as_i64).filter(|&id| id > 0)?;
    fields.shift_remove(key);
    Some(EventId::Number(id))
}

/// The fields of an event's `*EventAttributes` objects, merged.
fn attributes_of(raw: &Value) -> Map<String, Value> {
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

fn text<'a>(attributes: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    attributes.get(key)?.as_str()
}

/// `name/version` of an activityType or workflowType.
fn type_label(value: &Value) -> Option<String> {
    let name = value.get("name")?.as_str()?;
    Some(match value.get("version").and_then(Value::as_str) {
        Some(version) => format!("{name}/{version}"),
        None => name.to_string(),
    })
}

/// The workflowId an event is about: `workflowId`, or that of its `workflowExecution`.
fn workflow_id_of(attributes: &Map<String, Value>) -> Option<&str> {
    text(attributes, "workflowId").or_else(|| {
        attributes
            .get("workflowExecution")?
            .get("workflowId")?
            .as_str()
    })
}

/// The label an event's own fields give it (see the module header).
fn own_label(attributes: &Map<String, Value>) -> Option<String> {
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
    fn the_page_size_is_only_sent_when_it_is_not_capped_away() {
        assert_eq!(maximum_page_size(1000, false), None);
        assert_eq!(
            maximum_page_size(500, false),
            None,
            "--limit 500: one unset page"
        );
        assert_eq!(maximum_page_size(101, false), None);
        assert_eq!(maximum_page_size(100, false), Some(100));
        assert_eq!(maximum_page_size(20, false), Some(20));
        assert_eq!(maximum_page_size(500, true), Some(500), "the user's choice");
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
            assert_eq!(done.output, Some(json!({"ok": true})));
            assert_eq!(done.details.get("scheduledEventId"), Some(&json!(5)));
            assert_eq!(done.status, Status::Succeeded);
        }
    }
}

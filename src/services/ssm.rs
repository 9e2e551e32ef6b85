//! Systems Manager Automation: `histx ssm <automation-execution-id>`, from
//! `DescribeAutomationStepExecutions`.
//!
//! A record here is a span, not a point: one step execution with its start, end and
//! duration. Pages hold up to 50 steps (the API maximum). `--filter` is passed to the
//! API after its key is checked here against the keys the SDK knows; `--reverse` asks the
//! service (`ReverseOrder`). With `--from`, the same filters are applied here instead,
//! with the meaning the API reference gives them.
//!
//! Pages are read from the wire JSON, so every field, including ones newer than the SDK
//! we build with, reaches `-o raw` and the step's `details`.

use crate::aws::{self, Connection, WireTap};
use crate::exit::UsageError;
use crate::fetch::{Page, PageSource};
use crate::model::{Event, EventId, Failure, Node, RunSummary, Status, Timestamp};
use crate::pipeline::print_history;
use crate::saved::{SavedHistory, SavedShape};
use crate::services::Context;
use crate::services::{flat_node, group_node, Normalizer};
use crate::wire::{decode_payload, decode_structured, parse_timestamp, take_string, take_time};
use anyhow::Result;
use aws_sdk_ssm::types::{AutomationExecutionStatus, StepExecutionFilter, StepExecutionFilterKey};
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

pub const SERVICE: &str = "ssm";

/// The largest page DescribeAutomationStepExecutions returns.
pub const MAX_PAGE_SIZE: usize = 50;

/// What saved DescribeAutomationStepExecutions output looks like.
pub const SAVED_SHAPE: SavedShape = SavedShape {
    events_key: "StepExecutions",
    event_marker: "StepExecutionId",
    what: "DescribeAutomationStepExecutions output (an object with \"StepExecutions\")",
};

/// `histx ssm` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The automation execution's ID (36 characters, as start-automation-execution
    /// prints it) or its ARN. With --from it is optional and only labels the steps.
    #[arg(value_name = "AUTOMATION_EXECUTION_ID")]
    pub automation_execution_id: Option<String>,

    /// Only the steps that match KEY=VALUE[,VALUE...]; repeat for more filters (a step
    /// matches every filter, and any value of one). Keys: StepName, Action,
    /// StepExecutionId, StepExecutionStatus, StartTimeBefore, StartTimeAfter,
    /// ParentStepExecutionId, ParentStepIteration, ParentStepIteratorValue. The service
    /// applies them; with --from, histx does.
    #[arg(long = "filter", value_name = "KEY=VALUES", add = ArgValueCompleter::new(complete_filter))]
    pub filters: Vec<String>,
}

/// Prints the steps of one automation execution, live or from `--from`.
pub async fn run(args: Args, context: Context<'_>) -> Result<()> {
    let execution = args
        .automation_execution_id
        .as_deref()
        .map(AutomationExecution::parse)
        .transpose()?;
    let filters = args
        .filters
        .iter()
        .map(|text| StepFilter::parse(text))
        .collect::<Result<Vec<_>, _>>()?;
    let plan = context.plan(SERVICE, MAX_PAGE_SIZE)?;
    let normalizer = SsmNormalizer::new(execution.as_ref().map(|e| e.id.clone()));
    let common = context.common;
    if let Some(path) = &common.from {
        let matcher = StepMatcher::new(&filters)?;
        let mut source = FilteredSteps {
            inner: SavedHistory::open(path, SAVED_SHAPE, common.reverse)?,
            matcher,
        };
        return print_history(&mut source, normalizer, plan, context.output).await;
    }
    let Some(execution) = execution else {
        return Err(UsageError::new(
            "histx ssm needs an automation execution ID (or its ARN), or --from FILE",
        )
        .into());
    };
    let mut source =
        LiveSteps::connect(&context.connection, &execution, &filters, common.reverse).await?;
    print_history(&mut source, normalizer, plan, context.output).await
}

/// A checked automation execution: its ID, and the region its ARN names, if given one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutomationExecution {
    pub id: String,
    pub region: Option<String>,
}

/// The length of every automation execution ID (a UUID).
const ID_LENGTH: usize = 36;

impl AutomationExecution {
    /// Takes an ID (`4105a4fc-f944-11e6-9d32-0123456789ab`) or an ARN
    /// (`arn:aws:ssm:REGION:ACCOUNT:automation-execution/ID`).
    pub fn parse(text: &str) -> Result<Self, UsageError> {
        let shown = crate::render::terminal_safe(text);
        let (id, region) = match text.strip_prefix("arn:") {
            Some(_) => {
                let parts: Vec<&str> = text.splitn(6, ':').collect();
                let resource = parts.get(5).copied().unwrap_or_default();
                match (parts.get(2), resource.split_once('/')) {
                    (Some(&"ssm"), Some(("automation-execution", id))) => {
                        (id, Some(parts[3]).filter(|r| !r.is_empty()))
                    }
                    _ => {
                        return Err(UsageError::new(format!(
                            "not an automation execution ARN: '{shown}'; expected \
                             arn:aws:ssm:REGION:ACCOUNT:automation-execution/ID or the ID alone"
                        )))
                    }
                }
            }
            None => (text, None),
        };
        let well_formed =
            id.len() == ID_LENGTH && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !well_formed {
            return Err(UsageError::new(format!(
                "not an automation execution ID: '{shown}'; expected {ID_LENGTH} characters \
                 like 4105a4fc-f944-11e6-9d32-0123456789ab (list them: aws ssm describe-automation-executions)"
            )));
        }
        Ok(AutomationExecution {
            id: id.to_string(),
            region: region.map(str::to_string),
        })
    }
}

/// One `--filter KEY=V1,V2`, its key spelled as the API spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFilter {
    pub key: &'static str,
    pub values: Vec<String>,
}

/// Completes `--filter` with `KEY=` for every key the API accepts, and the step
/// statuses after `StepExecutionStatus=`.
fn complete_filter(current: &std::ffi::OsStr) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    if let Some(statuses) = current.strip_prefix("StepExecutionStatus=") {
        let done = statuses.rsplit_once(',').map_or("", |(done, _)| done);
        let prefix = if done.is_empty() {
            String::new()
        } else {
            format!("{done},")
        };
        return aws_sdk_ssm::types::AutomationExecutionStatus::values()
            .iter()
            .map(|status| format!("StepExecutionStatus={prefix}{status}"))
            .filter(|candidate| candidate.starts_with(current.as_ref()))
            .map(CompletionCandidate::new)
            .collect();
    }
    filter_keys()
        .iter()
        .map(|key| format!("{key}="))
        .filter(|candidate| candidate.starts_with(current.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}

/// The step that ended last.
fn latest_step<'a>(steps: impl Iterator<Item = &'a Event>) -> Option<&'a Event> {
    steps.max_by_key(|e| {
        (
            e.end_time.or(e.time),
            e.id.as_ref().map(|id| id.to_string()),
        )
    })
}

/// True for a failed step the automation went on after: not critical, or set to
/// continue on failure.
fn continued_past(step: &Event) -> bool {
    step.details.get("IsCritical") == Some(&Value::Bool(false))
        || step.details.get("OnFailure").and_then(Value::as_str) == Some("Continue")
}

/// Every filter key the API accepts, as the SDK we build with knows them.
pub fn filter_keys() -> &'static [&'static str] {
    StepExecutionFilterKey::values()
}

impl StepFilter {
    /// Parses `KEY=V1,V2`. The key is matched without regard to case and must be one the
    /// API accepts; a StepExecutionStatus value is spelled as the API spells it.
    pub fn parse(text: &str) -> Result<Self, UsageError> {
        let shown = crate::render::terminal_safe(text);
        let malformed = |why: String| UsageError::new(format!("--filter '{shown}': {why}"));
        let Some((key, values)) = text.split_once('=') else {
            return Err(malformed(
                "expected KEY=VALUE[,VALUE...], e.g. StepExecutionStatus=Failed".into(),
            ));
        };
        let key = key.trim();
        let Some(&key) = filter_keys().iter().find(|k| k.eq_ignore_ascii_case(key)) else {
            return Err(malformed(format!(
                "unknown key '{}'; the keys are {}",
                crate::render::terminal_safe(key),
                filter_keys().join(", ")
            )));
        };
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if values.iter().any(String::is_empty) {
            return Err(malformed(format!(
                "{key} needs a value after '=' and each ','"
            )));
        }
        let values = if key == "StepExecutionStatus" {
            values.into_iter().map(canonical_status).collect()
        } else {
            values
        };
        Ok(StepFilter { key, values })
    }

    fn to_sdk(&self) -> Result<StepExecutionFilter> {
        Ok(StepExecutionFilter::builder()
            .key(StepExecutionFilterKey::from(self.key))
            .set_values(Some(self.values.clone()))
            .build()?)
    }
}

/// A step status as the API spells it (`failed` becomes `Failed`); unknown ones unchanged.
fn canonical_status(value: String) -> String {
    AutomationExecutionStatus::values()
        .iter()
        .find(|known| known.eq_ignore_ascii_case(&value))
        .map_or(value, |known| known.to_string())
}

/// The normalized status of a StepStatus.
pub fn status_of(step_status: &str) -> Status {
    match step_status {
        "Pending" | "Waiting" | "PendingApproval" | "PendingChangeCalendarOverride" => {
            Status::Pending
        }
        "InProgress" | "RunbookInProgress" | "Cancelling" => Status::Running,
        "Scheduled" | "Approved" | "ChangeCalendarOverrideApproved" => Status::Scheduled,
        "Success" | "CompletedWithSuccess" => Status::Succeeded,
        "Failed" | "CompletedWithFailure" => Status::Failed,
        "TimedOut" => Status::TimedOut,
        "Cancelled" | "Rejected" | "ChangeCalendarOverrideRejected" | "Exited" => Status::Cancelled,
        _ => Status::Info,
    }
}

/// Applies `--filter` to saved steps as the service would: a step passes when it matches
/// every filter, and a filter when any of its values matches.
struct StepMatcher {
    tests: Vec<StepTest>,
}

enum StepTest {
    /// A string field (at this path) equal to one of the values.
    Equals(&'static [&'static str], Vec<String>),
    /// ExecutionStartTime before (or after) a time.
    StartedBefore(Timestamp),
    StartedAfter(Timestamp),
}

impl StepMatcher {
    fn new(filters: &[StepFilter]) -> Result<Self, UsageError> {
        let mut tests = Vec::new();
        for filter in filters {
            let path: &'static [&'static str] = match filter.key {
                "StepName" => &["StepName"],
                "Action" => &["Action"],
                "StepExecutionId" => &["StepExecutionId"],
                "StepExecutionStatus" => &["StepStatus"],
                "ParentStepExecutionId" => &["ParentStepDetails", "StepExecutionId"],
                "ParentStepIteration" => &["ParentStepDetails", "Iteration"],
                "ParentStepIteratorValue" => &["ParentStepDetails", "IteratorValue"],
                "StartTimeBefore" | "StartTimeAfter" => {
                    let time = filter.values.iter().map(|v| {
                        parse_timestamp(&Value::String(v.clone())).ok_or_else(|| {
                            UsageError::new(format!(
                                "--filter {}: '{}' is not a time; expected e.g. 2024-05-01T12:00:00Z",
                                filter.key,
                                crate::render::terminal_safe(v)
                            ))
                        })
                    });
                    let times = time.collect::<Result<Vec<_>, _>>()?;
                    // Any value may match: the latest bound for "before", the earliest for "after".
                    tests.push(if filter.key == "StartTimeBefore" {
                        StepTest::StartedBefore(*times.iter().max().expect("a value"))
                    } else {
                        StepTest::StartedAfter(*times.iter().min().expect("a value"))
                    });
                    continue;
                }
                other => {
                    return Err(UsageError::new(format!(
                        "--filter {other} cannot be applied to a saved file"
                    )))
                }
            };
            tests.push(StepTest::Equals(path, filter.values.clone()));
        }
        Ok(StepMatcher { tests })
    }

    fn matches(&self, step: &Value) -> bool {
        let started = step.get("ExecutionStartTime").and_then(parse_timestamp);
        self.tests.iter().all(|test| match test {
            StepTest::Equals(path, values) => {
                let field = path.iter().try_fold(step, |value, key| value.get(key));
                let text = match field {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => return false,
                };
                values.contains(&text)
            }
            StepTest::StartedBefore(bound) => started.is_some_and(|t| t < *bound),
            StepTest::StartedAfter(bound) => started.is_some_and(|t| t > *bound),
        })
    }
}

/// Saved pages with `--filter` applied.
struct FilteredSteps<S> {
    inner: S,
    matcher: StepMatcher,
}

impl<S: PageSource> PageSource for FilteredSteps<S> {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let mut page = self.inner.fetch_page(token, page_size).await?;
        page.events.retain(|step| self.matcher.matches(step));
        Ok(page)
    }
}

/// DescribeAutomationStepExecutions, one page per call, through the SDK.
pub struct LiveSteps {
    client: aws_sdk_ssm::Client,
    execution_id: String,
    filters: Vec<StepExecutionFilter>,
    reverse: bool,
}

impl LiveSteps {
    pub async fn connect(
        connection: &Connection,
        execution: &AutomationExecution,
        filters: &[StepFilter],
        reverse: bool,
    ) -> Result<Self> {
        let config = aws::load_config(connection, execution.region.as_deref()).await?;
        Ok(LiveSteps {
            client: aws_sdk_ssm::Client::new(&config),
            execution_id: execution.id.clone(),
            filters: filters
                .iter()
                .map(StepFilter::to_sdk)
                .collect::<Result<_>>()?,
            reverse,
        })
    }
}

impl PageSource for LiveSteps {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::default();
        self.client
            .describe_automation_step_executions()
            .automation_execution_id(&self.execution_id)
            .set_filters(Some(self.filters.clone()).filter(|f| !f.is_empty()))
            .reverse_order(self.reverse)
            .max_results(page_size as i32)
            .set_next_token(token)
            .customize()
            .interceptor(tap.clone())
            .send()
            .await
            .map_err(aws::describe_error)?;
        tap.page("StepExecutions", "NextToken")
    }
}

/// Normalizes step executions (see the README's JSON lines schema):
///
/// - `time`/`end_time`/`duration_ms` from ExecutionStartTime and ExecutionEndTime;
/// - `type` is the Action (`aws:executeScript`), `name` the StepName, `id` the
///   StepExecutionId, `parent_id` the parent step's StepExecutionId (a step of a loop);
/// - `status` from StepStatus (which also stays in `details`, as 19 values map to 11);
/// - `resource` is what the action calls where its inputs name it (`ec2:DescribeInstances`,
///   a Lambda function, a runbook, a document, a stack, a script's runtime and handler),
///   else the Action;
/// - `error` is FailureDetails' `FailureType/FailureStage`, `cause` the FailureMessage,
///   `summary` the Response;
/// - `input` the Inputs (each value holds JSON and is decoded), `output` the Outputs;
/// - `details` every other field under its own name (Targets, TargetLocation,
///   TriggeredAlarms, OverriddenParameters, the rest of FailureDetails and
///   ParentStepDetails, ...).
pub struct SsmNormalizer {
    execution: Option<String>,
}

impl SsmNormalizer {
    pub fn new(execution: Option<String>) -> Self {
        SsmNormalizer { execution }
    }

    fn normalize_one(&self, raw: Value) -> Event {
        let Value::Object(mut fields) = raw else {
            let mut event = Event::new(SERVICE, "", Status::Info);
            event.execution = self.execution.clone();
            event.details.insert("step".into(), raw);
            return event;
        };
        let kind = take_string(&mut fields, "Action").unwrap_or_default();
        let status = fields
            .get("StepStatus")
            .and_then(Value::as_str)
            .map_or(Status::Info, status_of);
        let mut event = Event::new(SERVICE, kind, status);
        event.execution = self.execution.clone();
        event.id = take_string(&mut fields, "StepExecutionId").map(EventId::Text);
        event.name = take_string(&mut fields, "StepName");
        event.time = take_time(&mut fields, "ExecutionStartTime");
        event.end_time = take_time(&mut fields, "ExecutionEndTime");
        if let (Some(start), Some(end)) = (event.time, event.end_time) {
            event.duration_ms = Some(end.millis() - start.millis());
        }
        event.cause = take_string(&mut fields, "FailureMessage");
        event.summary = take_string(&mut fields, "Response");
        if let Some(Value::Object(mut failure)) = fields.shift_remove("FailureDetails") {
            let parts: Vec<String> = ["FailureType", "FailureStage"]
                .iter()
                .filter_map(|key| take_string(&mut failure, key))
                .collect();
            event.error = Some(parts.join("/")).filter(|e| !e.is_empty());
            if !failure.is_empty() {
                fields.insert("FailureDetails".into(), Value::Object(failure));
            }
        }
        if let Some(Value::Object(mut parent)) = fields.shift_remove("ParentStepDetails") {
            event.parent_id = take_string(&mut parent, "StepExecutionId").map(EventId::Text);
            if !parent.is_empty() {
                fields.insert("ParentStepDetails".into(), Value::Object(parent));
            }
        }
        match fields.shift_remove("Inputs") {
            Some(Value::Object(inputs)) => {
                let decoded: Map<String, Value> = inputs
                    .into_iter()
                    .map(|(key, value)| (key, decode_payload(value)))
                    .collect();
                event.input = Some(Value::Object(decoded));
            }
            Some(other) => event.input = Some(other),
            None => {}
        }
        match fields.shift_remove("Outputs") {
            Some(Value::Object(outputs)) => {
                let decoded: Map<String, Value> = outputs
                    .into_iter()
                    .map(|(key, values)| (key, decode_output(values)))
                    .collect();
                event.output = Some(Value::Object(decoded));
            }
            Some(other) => event.output = Some(other),
            None => {}
        }
        event.resource = callee(&event.kind, event.input.as_ref())
            .or_else(|| Some(event.kind.clone()).filter(|k| !k.is_empty()));
        event.details = fields;
        event
    }
}

impl Normalizer for SsmNormalizer {
    fn service(&self) -> &'static str {
        SERVICE
    }

    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event> {
        page.into_iter()
            .map(|raw| self.normalize_one(raw))
            .collect()
    }

    /// The failure that explains the run is the innermost one: a loop fails because a
    /// step of one of its iterations did, and that step's error is the one to read.
    fn summary(&self, events: &[Event]) -> RunSummary {
        let mut summary = RunSummary::from_events(SERVICE, events);
        let failed: Vec<&Event> = events.iter().filter(|e| e.status.is_failure()).collect();
        let innermost: Vec<&Event> = failed
            .iter()
            .copied()
            .filter(|event| {
                !failed
                    .iter()
                    .any(|o| o.parent_id.is_some() && o.parent_id == event.id)
            })
            .collect();
        // The run's failure: the latest innermost failed step the automation did not
        // continue past (a step that is not critical, or whose OnFailure is Continue,
        // fails without failing the automation), whatever order the steps came in.
        let stopping = innermost.iter().copied().filter(|e| !continued_past(e));
        let culprit = latest_step(stopping).or_else(|| latest_step(innermost.iter().copied()));
        summary.failure = culprit.map(Failure::of);
        summary
    }

    /// Steps nested under the loop step that ran them (ParentStepDetails), one node per
    /// iteration, labelled with its iterator value.
    fn tree(&self, events: &[Event], _summary: &RunSummary) -> Vec<Node> {
        let known: HashSet<&EventId> = events.iter().filter_map(|e| e.id.as_ref()).collect();
        let mut iterations: Iterations = HashMap::new();
        let mut roots = Vec::new();
        for event in events {
            match &event.parent_id {
                Some(parent) if known.contains(parent) && event.parent_id != event.id => {
                    let iteration = event
                        .details
                        .get("ParentStepDetails")
                        .and_then(|p| p.get("Iteration"))
                        .and_then(Value::as_i64);
                    iterations
                        .entry(parent)
                        .or_default()
                        .entry(iteration)
                        .or_default()
                        .push(event);
                }
                _ => roots.push(event),
            }
        }
        let mut placed = HashSet::new();
        let mut nodes: Vec<Node> = roots
            .into_iter()
            .map(|event| step_node(event, &iterations, &mut placed))
            .collect();
        // Steps in a parent cycle reach no root: shown flat rather than lost.
        for event in events {
            if event.id.as_ref().is_some_and(|id| !placed.contains(id)) {
                nodes.push(flat_node(event));
            }
        }
        nodes
    }
}

/// The steps run by each loop step, by iteration (`None`: no iteration given).
type Iterations<'a> = HashMap<&'a EventId, BTreeMap<Option<i64>, Vec<&'a Event>>>;

/// A step's node, with its iterations' steps below it.
fn step_node<'a>(
    event: &'a Event,
    iterations: &Iterations<'a>,
    placed: &mut HashSet<&'a EventId>,
) -> Node {
    let mut node = flat_node(event);
    let Some(id) = &event.id else {
        return node;
    };
    if !placed.insert(id) {
        return node;
    }
    for (iteration, steps) in iterations.get(id).into_iter().flatten() {
        let children: Vec<Node> = steps
            .iter()
            .map(|step| step_node(step, iterations, placed))
            .collect();
        match iteration {
            Some(index) => {
                let mut group = group_node(format!("iteration {index}"), "", children);
                group.note = steps[0]
                    .details
                    .get("ParentStepDetails")
                    .and_then(|p| p.get("IteratorValue"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                node.children.push(group);
            }
            None => node.children.extend(children),
        }
    }
    node
}

/// An output's values (a list of strings): those holding a JSON object or array decoded.
fn decode_output(values: Value) -> Value {
    match values {
        Value::Array(items) => Value::Array(items.into_iter().map(decode_structured).collect()),
        other => decode_structured(other),
    }
}

/// What a step's action calls, where its (decoded) inputs name it.
fn callee(action: &str, input: Option<&Value>) -> Option<String> {
    let input = input?.as_object()?;
    let text = |key: &str| input.get(key).and_then(Value::as_str).map(str::to_string);
    match action {
        "aws:executeAwsApi"
        | "aws:waitForAwsResourceProperty"
        | "aws:assertAwsResourceProperty" => Some(format!("{}:{}", text("Service")?, text("Api")?)),
        "aws:invokeLambdaFunction" => text("FunctionName"),
        "aws:executeAutomation" | "aws:runCommand" => text("DocumentName"),
        "aws:executeStateMachine" => text("stateMachineArn"),
        "aws:createStack" | "aws:deleteStack" => text("StackName"),
        "aws:invokeWebhook" => text("IntegrationName"),
        "aws:executeScript" => match (text("Runtime"), text("Handler")) {
            (Some(runtime), Some(handler)) => Some(format!("{runtime}:{handler}")),
            (runtime, _) => runtime,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_parse_and_check_their_key() {
        let filter = StepFilter::parse("stepexecutionstatus=failed,TimedOut").unwrap();
        assert_eq!(filter.key, "StepExecutionStatus");
        assert_eq!(filter.values, vec!["Failed", "TimedOut"]);
        assert_eq!(
            StepFilter::parse("StepName=a,b").unwrap().values,
            vec!["a", "b"]
        );
        for bad in ["StepName", "Colour=red", "StepName=", "StepName=a,,b"] {
            assert!(StepFilter::parse(bad).is_err(), "{bad}");
        }
        let unknown = StepFilter::parse("Colour=red").unwrap_err().to_string();
        assert!(unknown.contains("unknown key 'Colour'"), "{unknown}");
        assert!(unknown.contains("ParentStepExecutionId"), "{unknown}");
    }

    #[test]
    fn every_sdk_filter_key_is_in_the_help_and_the_matcher() {
        for key in filter_keys() {
            let filter = StepFilter::parse(&format!("{key}=2024-01-01T00:00:00Z")).unwrap();
            assert!(StepMatcher::new(&[filter]).is_ok(), "{key}");
        }
    }

    #[test]
    fn ids_and_arns_are_accepted() {
        let id = "4105a4fc-f944-11e6-9d32-0123456789ab";
        assert_eq!(AutomationExecution::parse(id).unwrap().id, id);
        let arn = format!("arn:aws:ssm:eu-west-1:123456789012:automation-execution/{id}");
        let parsed = AutomationExecution::parse(&arn).unwrap();
        assert_eq!(parsed.id, id);
        assert_eq!(parsed.region.as_deref(), Some("eu-west-1"));
        assert!(AutomationExecution::parse("i-0123456789abcdef0").is_err());
        assert!(AutomationExecution::parse("arn:aws:ssm:us-east-1:1:document/x").is_err());
    }

    #[test]
    fn every_sdk_status_is_mapped() {
        for status in AutomationExecutionStatus::values() {
            assert_ne!(status_of(status), Status::Info, "{status}");
        }
    }

    #[test]
    fn saved_steps_are_filtered_as_the_service_would() {
        let step = json!({"StepName": "a", "StepStatus": "Failed", "ExecutionStartTime": 1700000000.5,
            "ParentStepDetails": {"StepExecutionId": "p", "Iteration": 2}});
        let matcher = |filters: &[&str]| {
            let filters: Vec<StepFilter> = filters
                .iter()
                .map(|f| StepFilter::parse(f).unwrap())
                .collect();
            StepMatcher::new(&filters).unwrap().matches(&step)
        };
        assert!(matcher(&["StepName=b,a", "StepExecutionStatus=failed"]));
        assert!(!matcher(&["StepName=a", "StepExecutionStatus=Success"]));
        assert!(matcher(&[
            "ParentStepIteration=2",
            "ParentStepExecutionId=p"
        ]));
        assert!(matcher(&["StartTimeAfter=2023-11-14T22:13:20Z"]));
        assert!(!matcher(&["StartTimeBefore=2023-11-14T22:13:20Z"]));
        assert!(StepMatcher::new(&[StepFilter::parse("StartTimeBefore=soon").unwrap()]).is_err());
    }
}

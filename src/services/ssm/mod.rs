//! Systems Manager Automation: `histx ssm <automation-execution-id>`, from
//! `DescribeAutomationStepExecutions`.
//!
//! A record here is a span, not a point: one step execution with its start, end and
//! duration. Pages hold up to 50 steps (the API maximum). `--filter` is passed to the
//! API after its key is checked here against the keys the SDK knows; `--reverse` asks the
//! service (`ReverseOrder`). With `--from`, the same filters are applied here instead,
//! with the meaning the API reference gives them. A whole read walks the list from both
//! ends at once (`ReverseOrder` both ways) and meets by step id
//! ([`crate::source::id_chains`]).
//!
//! Pages are read from the wire JSON, so every field, including ones newer than the SDK
//! we build with, reaches `-o raw` and the step's `details`.

mod api;
mod list;
mod normalize;
mod tree;

pub use api::*;
pub use list::{is_uuid, valid_document_name, ListArgs, SsmTarget};
pub use normalize::*;

use crate::aws::Connection;
use crate::exit::UsageError;
use crate::model::{Event, Node, RunSummary, Status, Timestamp};
use crate::services::{
    ChildGroup, ChildKind, ChildRun, Notices, Origin, ReadPlan, RunListing, RunQuery, RunState,
    Service, Spans, Watch,
};
use crate::source::id_chains::{IdChains, Rules};
use crate::source::pager::TokenPager;
use crate::source::saved::SavedShape;
use crate::source::{BoxedSource, PageByPage};
use crate::wire::parse_timestamp;
use anyhow::Result;
use aws_sdk_ssm::types::{AutomationExecutionStatus, StepExecutionFilter, StepExecutionFilterKey};
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use serde_json::Value;

pub const SERVICE: &str = "ssm";

/// The key of a GetAutomationExecution document's run: its own fields and its steps.
pub const RUN_KEY: &str = "AutomationExecution";

/// `histx ssm show` arguments of its own.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The automation execution's ID (a UUID, as start-automation-execution prints it)
    /// or its ARN; or a document (runbook) name: then its newest automation (with
    /// --run-status, the newest with that status), said on stderr. With --from it is
    /// optional, an automation only labels the steps, and a document is refused.
    #[arg(value_name = "AUTOMATION_EXECUTION_ID_OR_DOCUMENT")]
    pub automation_execution_id: Option<String>,

    #[command(flatten)]
    pub run: crate::cli::RunChoice,

    /// Only the steps that match KEY=VALUE[,VALUE...]; repeat for more filters (a step
    /// matches every filter, and any value of one). Keys: StepName, Action,
    /// StepExecutionId, StepExecutionStatus, StartTimeBefore, StartTimeAfter,
    /// ParentStepExecutionId, ParentStepIteration, ParentStepIteratorValue. The service
    /// applies them; with --from, histx does.
    #[arg(long = "filter", value_name = "KEY=VALUES", add = ArgValueCompleter::new(complete_filter))]
    pub filters: Vec<String>,
}

/// SSM Automation, for one automation execution.
pub struct Ssm {
    execution: Option<AutomationExecution>,
    /// The document named instead of an automation: its newest is shown.
    document: Option<String>,
    /// `--run-status`: the newest automation with one of these.
    run_statuses: Vec<Status>,
    filters: Vec<StepFilter>,
    /// Made on the first request, for those that follow.
    client: tokio::sync::OnceCell<aws_sdk_ssm::Client>,
    /// Which automation was chosen, for the engine to say.
    notices: Notices,
}

impl Ssm {
    /// The automation, and a client for its region; a usage error when none is named.
    async fn connected(
        &mut self,
        connection: &Connection,
    ) -> Result<(AutomationExecution, aws_sdk_ssm::Client)> {
        if let (None, Some(document)) = (&self.execution, &self.document) {
            let (client, region) = list::region_client(connection).await?;
            let (execution, line) =
                list::newest_automation(&client, &region, document, &self.run_statuses).await?;
            self.notices.say(line);
            self.execution = Some(execution);
            // The region's client, the one the automation was found with.
            let _ = self.client.set(client);
        }
        let Some(execution) = self.execution.clone() else {
            return Err(UsageError::new(
                "`histx ssm` needs an automation execution ID (or its ARN) or a document name, or --from FILE",
            )
            .into());
        };
        let client = self.client_for(connection, &execution).await?;
        Ok((execution, client))
    }

    /// The client for `execution`'s region, made on the first request.
    async fn client_for(
        &self,
        connection: &Connection,
        execution: &AutomationExecution,
    ) -> Result<aws_sdk_ssm::Client> {
        Ok(self
            .client
            .get_or_try_init(|| client(connection, execution))
            .await?
            .clone())
    }
}

impl Service for Ssm {
    const NAME: &'static str = SERVICE;
    /// The largest page DescribeAutomationStepExecutions returns.
    const MAX_PAGE_SIZE: usize = 50;
    const RECORD_NOUN: (&'static str, &'static str) = ("step", "steps");
    const SAVED_SHAPE: SavedShape = SavedShape {
        service: SERVICE,
        history: "SSM Automation step executions",
        events_key: "StepExecutions",
        // Older step records have no StepExecutionId; every step has a name.
        event_marker: "StepName",
        run_key: Some(RUN_KEY),
        what: "DescribeAutomationStepExecutions or GetAutomationExecution output (an object \
               with \"StepExecutions\" or \"AutomationExecution\")",
    };

    type Args = Args;
    type ListArgs = ListArgs;
    type Normalizer = SsmNormalizer;

    fn new(args: Args) -> Result<Self> {
        let target = args
            .automation_execution_id
            .as_deref()
            .map(SsmTarget::parse)
            .transpose()?;
        let (execution, document) = match target {
            Some(SsmTarget::Automation(execution)) => (Some(execution), None),
            Some(SsmTarget::Document(document)) => (None, Some(document)),
            None => (None, None),
        };
        if execution.is_some() && !args.run.run_statuses.is_empty() {
            return Err(UsageError::new(
                "--run-status picks among a document's automations; an automation execution ID names one",
            )
            .into());
        }
        let filters = args
            .filters
            .iter()
            .map(|text| StepFilter::parse(text))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Ssm {
            execution,
            document,
            run_statuses: args.run.run_statuses,
            filters,
            client: tokio::sync::OnceCell::new(),
            notices: Notices::default(),
        })
    }

    fn notices(&self) -> Notices {
        self.notices.clone()
    }

    /// DescribeAutomationExecutions, of one document or of every one.
    async fn list_runs(
        args: ListArgs,
        connection: &Connection,
        query: &RunQuery,
    ) -> Result<RunListing> {
        if let Some(document) = &args.document {
            if !valid_document_name(document) {
                return Err(UsageError::new(format!(
                    "not a document name: '{}'; a name is 3 to 128 letters, digits and _ - .",
                    crate::escape::echo(document)
                ))
                .into());
            }
        }
        let (client, region) = list::region_client(connection).await?;
        Ok(list::automations(
            &client,
            &region,
            args.document.as_deref(),
            query,
        ))
    }

    fn normalizer(&self) -> SsmNormalizer {
        SsmNormalizer::new(self.execution.as_ref().map(|e| e.id.clone()))
    }

    /// A whole read walks the steps from both ends at once, met by step id
    /// ([`IdChains`]); a read of the first N steps, or one whose filters can make a
    /// step leave the list or a short one, is one chain.
    async fn live(&mut self, connection: &Connection, read: ReadPlan) -> Result<BoxedSource> {
        let (execution, client) = self.connected(connection).await?;
        let api = |reverse| LiveSteps::new(client.clone(), &execution, &self.filters, reverse);
        // A step's status changes while the automation runs, so under a status filter it
        // may leave the list between two pages: no meeting rule is exact over a list
        // that shrinks in the middle (one chain is what it always was). StepExecutionId
        // names at most ten steps: one page, nothing to gain. The other keys (a step's
        // name, action, parent, start) never let a step leave the list once in it: it
        // only grows, at the end, as steps start.
        let one_chain = self
            .filters
            .iter()
            .any(|f| matches!(f.key, "StepExecutionStatus" | "StepExecutionId"));
        if read.whole && !one_chain {
            return Ok(Box::new(IdChains::new(
                api(read.reverse)?,
                api(!read.reverse)?,
                read.page_size,
                read.reverse,
                STEP_CHAINS,
            )));
        }
        Ok(Box::new(TokenPager::new(
            api(read.reverse)?,
            read.page_size,
        )))
    }

    const FOLLOWS: bool = true;

    /// GetAutomationExecution, and the steps that may have changed (see [`Watched`]),
    /// with the command line's filters.
    async fn watch(&mut self, connection: &Connection) -> Result<Box<dyn Watch>> {
        let (execution, client) = self.connected(connection).await?;
        // Filters of the user's on the keys a poll narrows by: each poll lists them whole.
        let narrows = !self.filters.iter().any(|f| POLL_KEYS.contains(&f.key))
            && self.filters.len() < MAX_FILTERS;
        Ok(Box::new(Watched {
            client: client.clone(),
            execution: execution.clone(),
            steps: LiveSteps::new(client, &execution, &self.filters, false)?,
            narrows,
            open: std::collections::BTreeSet::new(),
            newest_start: None,
            untracked: false,
            ended: false,
        }))
    }

    /// GetAutomationExecution.
    async fn status(&mut self, connection: &Connection) -> Result<RunState> {
        let (execution, client) = self.connected(connection).await?;
        automation_state(&client, &execution.id).await
    }

    /// The service applies `--filter` to live pages; to a file, histx does, with the
    /// meaning the API reference gives the filters.
    fn arrange(&self, source: BoxedSource, origin: Origin, read: ReadPlan) -> Result<BoxedSource> {
        if origin == Origin::File && self.execution.is_none() && self.document.is_some() {
            // Its newest automation is AWS's to say, not the file's.
            return Err(UsageError::new(
                "a document names no one automation to label a saved history with: with \
                 --from, give the automation execution ID, or none",
            )
            .into());
        }
        let source = match origin {
            Origin::File if !self.filters.is_empty() => {
                let matcher = StepMatcher::new(&self.filters)?;
                // The filters are of steps: the run's own record always passes.
                Box::new(PageByPage::new(source, move |mut steps: Vec<Value>| {
                    steps.retain(|step| {
                        step.as_object().is_some_and(is_run_record) || matcher.matches(step)
                    });
                    steps
                }))
            }
            _ => source,
        };
        crate::services::arrange_by_default(source, origin, read, Self::history_order)
    }

    /// The steps' start (the API's ReverseOrder is by start time); a step that has not
    /// started has none, and comes after those that have.
    fn history_order(record: &Value) -> Option<i64> {
        // The run's own record stands at the run's start.
        let record = record.get(RUN_KEY).unwrap_or(record);
        record
            .get("ExecutionStartTime")
            .and_then(parse_timestamp)
            .map(Timestamp::millis)
    }

    fn summary(&self, events: &[Event]) -> RunSummary {
        tree::summary(events, None)
    }

    fn tree(&self, events: &[Event], summary: &RunSummary) -> Vec<Node> {
        tree::tree(events, summary)
    }

    /// The automations `aws:executeAutomation` steps started (their ExecutionId output)
    /// and the Step Functions executions of `aws:executeStateMachine` steps (their
    /// executionArn output).
    fn children(&self, events: &[Event]) -> Vec<ChildRun> {
        let mut found: Vec<ChildRun> = Vec::new();
        for event in events {
            let (service, key) = match event.kind.as_str() {
                "aws:executeAutomation" => (SERVICE, "ExecutionId"),
                "aws:executeStateMachine" => (crate::services::sfn::SERVICE, "executionArn"),
                _ => continue,
            };
            let Some(value) = event
                .output
                .as_ref()
                .and_then(|o| output_value(&o.value(), key))
            else {
                // A step that started an automation without saying which (it failed
                // before its outputs): the service lists this automation's children.
                let parent = self.execution.as_ref().map(|e| e.id.clone());
                let listed = found.iter().any(|c| c.kind == ChildKind::Listed);
                if let (SERVICE, Some(parent), false) = (service, parent, listed) {
                    found.push(ChildRun {
                        service: SERVICE,
                        execution: parent,
                        target: Vec::new(),
                        started_by: event.id.clone(),
                        started_in: None,
                        kind: ChildKind::Listed,
                    });
                }
                continue;
            };
            if found.iter().any(|c| c.execution == value) {
                continue;
            }
            found.push(ChildRun::run(
                service,
                value.clone(),
                vec![value],
                event.id.clone(),
            ));
        }
        found
    }

    /// The automations the service lists as this one's children
    /// (DescribeAutomationExecutions, filter ParentExecutionId), for a step that did not
    /// name the one it started.
    async fn find_children(
        &self,
        connection: &Connection,
        named: &ChildRun,
        _all: bool,
    ) -> Result<ChildGroup> {
        if named.kind != ChildKind::Listed {
            return Ok(ChildGroup::of_one(named.clone()));
        }
        // The run was read (live or from a file) before its children are looked for:
        // it is known, by ID or from its document.
        let Some(execution) = &self.execution else {
            return Err(UsageError::new(
                "`histx ssm` needs an automation execution ID (or its ARN) or a document name, or --from FILE",
            )
            .into());
        };
        let client = self.client_for(connection, execution).await?;
        let runs = child_automations(&client, &named.execution)
            .await?
            .into_iter()
            .map(|id| ChildRun::run(SERVICE, id.clone(), vec![id], named.started_by.clone()))
            .collect();
        Ok(ChildGroup {
            started_by: named.started_by.clone(),
            runs,
            ..ChildGroup::default()
        })
    }
}

/// A step's StepExecutionId.
fn step_execution_id(step: &Value) -> Option<String> {
    step.get("StepExecutionId")?.as_str().map(str::to_string)
}

/// How far along a step is: 2 final, 1 any other status, 0 none. Only a final status
/// outranks: a step that waits (for an approval, a schedule) after it ran is news
/// again; a finished one never again.
fn step_progress(step: &Value) -> u8 {
    let status = step.get("StepStatus").and_then(Value::as_str);
    match status.map(status_of) {
        Some(status) if status.is_final() => 2,
        Some(_) => 1,
        None => 0,
    }
}

/// The two chains of a whole read meet by StepExecutionId and start time (the list's
/// order, in which steps may tie); a step that has not started (no ExecutionStartTime)
/// has no place in the list's order yet.
const STEP_CHAINS: Rules = Rules {
    id: step_execution_id,
    progress: step_progress,
    unplaced: |step| step.get("ExecutionStartTime").is_none(),
    start: |step| {
        step.get("ExecutionStartTime")
            .and_then(parse_timestamp)
            .map(Timestamp::millis)
    },
};

/// The first value of a step's output `key` (any case; an output list's first string).
fn output_value(outputs: &Value, key: &str) -> Option<String> {
    let (_, values) = outputs
        .as_object()?
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))?;
    let value = match values {
        Value::Array(items) => items.first()?,
        other => other,
    };
    value
        .as_str()
        .map(str::to_string)
        .filter(|text| !text.trim().is_empty())
}

/// The filter keys a poll narrows its listing by.
const POLL_KEYS: [&str; 4] = [
    "StartTimeAfter",
    "StartTimeBefore",
    "StepExecutionId",
    "StepExecutionStatus",
];

/// The most filters a request may carry (StepExecutionFilterList), and the most values
/// a filter may have.
const MAX_FILTERS: usize = 6;
const MAX_FILTER_VALUES: usize = 10;

/// How far before the newest start seen a poll lists steps from: steps of parallel
/// branches may report starts a little out of order. A step listed again unchanged is
/// not printed again.
const START_MARGIN_SECONDS: i64 = 5;

/// A running automation, as follow mode polls it. A poll does not list every step
/// again: the steps that started since the newest start seen (`StartTimeAfter`, less
/// [`START_MARGIN_SECONDS`]), and the steps that had started and not ended by the last
/// poll, by `StepExecutionId` (ten a request), unless the first listing returned them.
/// A Pending step has no start time, so a step that starts is caught by the first; one
/// that ends without starting (cancelled with its automation) by the whole listing read
/// once the automation's status is final. Without start times to go by, or with the
/// user's own filters on those keys, each poll lists every step.
struct Watched {
    client: aws_sdk_ssm::Client,
    execution: AutomationExecution,
    steps: LiveSteps,
    /// Whether polls may narrow the listing (see above).
    narrows: bool,
    /// The steps seen started and not ended, by StepExecutionId.
    open: std::collections::BTreeSet<String>,
    /// The newest ExecutionStartTime seen.
    newest_start: Option<Timestamp>,
    /// A step without a StepExecutionId was seen: it can only be found again whole.
    untracked: bool,
    /// The last status call said the automation ended: the next listing is whole.
    ended: bool,
}

impl Watch for Watched {
    fn status(
        &mut self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<RunState>> + '_>> {
        Box::pin(async move {
            let state = automation_state(&self.client, &self.execution.id).await?;
            self.ended = state.status.is_final();
            Ok(state)
        })
    }

    fn newest_first(&mut self) -> BoxedSource {
        let whole = || -> BoxedSource {
            Box::new(TokenPager::new(
                self.steps.clone(),
                <Ssm as Service>::MAX_PAGE_SIZE,
            ))
        };
        let Some(newest) = self
            .newest_start
            .filter(|_| self.narrows && !self.untracked)
        else {
            return whole();
        };
        if self.ended {
            return whole();
        }
        // Whole seconds (the margin makes up for what they cut off).
        let after = Timestamp((newest.millis().div_euclid(1000) - START_MARGIN_SECONDS) * 1000)
            .instant()
            .map(|time| time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
        match after.map(|after| self.steps.narrowed("StartTimeAfter", vec![after])) {
            Some(Ok(started_after)) => Box::new(Relist {
                steps: self.steps.clone(),
                current: Some(TokenPager::new(
                    started_after,
                    <Ssm as Service>::MAX_PAGE_SIZE,
                )),
                open: Some(self.open.iter().cloned().collect()),
                listed: std::collections::HashSet::new(),
                by_id: std::collections::VecDeque::new(),
            }),
            _ => whole(),
        }
    }

    fn saw(&mut self, step: &Value) {
        if step.as_object().is_some_and(is_run_record) {
            return;
        }
        let Some(id) = step.get("StepExecutionId").and_then(Value::as_str) else {
            self.untracked = true;
            return;
        };
        let start = step.get("ExecutionStartTime").and_then(parse_timestamp);
        let ended = step
            .get("StepStatus")
            .and_then(Value::as_str)
            .is_some_and(|status| status_of(status).is_final());
        if let Some(start) = start {
            self.newest_start = Some(self.newest_start.map_or(start, |n| n.max(start)));
        }
        if start.is_some() && !ended {
            self.open.insert(id.to_string());
        } else {
            self.open.remove(id);
        }
    }

    fn spans(&self) -> Option<Spans> {
        Some(Spans {
            id: step_execution_id,
            progress: step_progress,
            mark: |step| serde_json::json!([step.get("StepStatus"), step.get("ExecutionEndTime")]),
        })
    }
}

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
        let shown = crate::escape::echo(text);
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
        if let Some(region) = region {
            crate::aws::check_region(region)
                .map_err(|e| UsageError::new(format!("the ARN '{shown}': {e}")))?;
        }
        Ok(AutomationExecution {
            id: id.to_string(),
            region: region.map(str::to_string),
        })
    }
}

/// One poll's listing ([`Watched`]): the steps started since a time, then, by
/// StepExecutionId, the open steps that listing did not return.
struct Relist {
    steps: LiveSteps,
    current: Option<TokenPager<LiveSteps>>,
    /// The steps open at the last poll, until the first listing is read.
    open: Option<Vec<String>>,
    /// The StepExecutionIds listed so far.
    listed: std::collections::HashSet<String>,
    /// The requests by StepExecutionId still to make.
    by_id: std::collections::VecDeque<Vec<String>>,
}

impl crate::source::Source for Relist {
    fn next(&mut self, _at_most: Option<usize>) -> crate::source::NextStep<'_> {
        Box::pin(async move {
            loop {
                if let Some(pager) = &mut self.current {
                    match pager.next(None).await? {
                        crate::source::Step::Page(page) => {
                            self.listed.extend(page.iter().filter_map(|step| {
                                step.get("StepExecutionId")?.as_str().map(str::to_string)
                            }));
                            return Ok(crate::source::Step::Page(page));
                        }
                        _ => self.current = None,
                    }
                }
                if let Some(open) = self.open.take() {
                    let missing: Vec<String> = open
                        .into_iter()
                        .filter(|id| !self.listed.contains(id))
                        .collect();
                    self.by_id = missing
                        .chunks(MAX_FILTER_VALUES)
                        .map(<[String]>::to_vec)
                        .collect();
                }
                let Some(ids) = self.by_id.pop_front() else {
                    return Ok(crate::source::Step::End);
                };
                let api = self.steps.narrowed("StepExecutionId", ids)?;
                self.current = Some(TokenPager::new(api, <Ssm as Service>::MAX_PAGE_SIZE));
            }
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

/// Every filter key the API accepts, as the SDK we build with knows them.
pub fn filter_keys() -> &'static [&'static str] {
    StepExecutionFilterKey::values()
}

impl StepFilter {
    /// Parses `KEY=V1,V2`. The key is matched without regard to case and must be one the
    /// API accepts; a StepExecutionStatus value is spelled as the API spells it.
    pub fn parse(text: &str) -> Result<Self, UsageError> {
        let shown = crate::escape::echo(text);
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
                crate::escape::terminal_safe(key),
                filter_keys().join(", ")
            )));
        };
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if values.iter().any(String::is_empty) {
            return Err(malformed(format!(
                "{key} needs a value after '=' and each ','"
            )));
        }
        if matches!(key, "StartTimeBefore" | "StartTimeAfter") {
            // The service would refuse it after a request; say so before any.
            if let Some(bad) = values
                .iter()
                .find(|v| parse_timestamp(&Value::String((*v).clone())).is_none())
            {
                return Err(UsageError::new(format!(
                    "--filter {key}: '{}' is not a time; expected e.g. 2024-05-01T12:00:00Z",
                    crate::escape::terminal_safe(bad)
                )));
            }
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
                                crate::escape::terminal_safe(v)
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

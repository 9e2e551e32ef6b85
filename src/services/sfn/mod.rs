//! Step Functions: `histx sfn <execution-arn>`, from `GetExecutionHistory`.
//!
//! Pages of up to 1000 events (the API maximum); every event type and field, including
//! ones newer than the SDK we build with, reaches `-o raw` and the event's `details`,
//! because pages are read from the wire JSON rather than from the SDK's typed events.

mod api;
mod list;
mod normalize;
mod tree;

pub use api::*;
pub use list::{valid_name, ListArgs, StateMachine, EXECUTION_STATUSES};
pub use normalize::*;

use crate::aws::Connection;
use crate::exit::UsageError;
use crate::model::Status;
use crate::model::{Event, Node, RunSummary};
use crate::services::{
    ChildGroup, ChildKind, ChildRun, FromNewest, Notices, Origin, ReadPlan, RunListing, RunQuery,
    RunState, Service, Turn, Watch,
};
use crate::source::pager::TokenPager;
use crate::source::saved::SavedShape;
use crate::source::two_chains::TwoChains;
use crate::source::{BoxedSource, PageByPage};
use crate::wire::as_i64;
use anyhow::Result;
use serde_json::Value;

pub const SERVICE: &str = "sfn";

/// `histx sfn show` arguments of its own.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The execution's ARN (arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME),
    /// or a state machine's ARN or name: then its newest execution (with --run-status,
    /// the newest with that status), said on stderr. With --from it is optional, an
    /// execution ARN only labels the events, and a state machine is refused.
    #[arg(value_name = "EXECUTION_OR_STATE_MACHINE")]
    pub execution_arn: Option<String>,

    #[command(flatten)]
    pub run: crate::cli::RunChoice,

    /// Leave every event's input, output and Task parameters out (includeExecutionData=false
    /// when reading from AWS; a saved history's are dropped too): smaller, faster pages
    /// when only the flow matters.
    #[arg(long)]
    pub no_data: bool,
}

/// Step Functions, for one execution.
pub struct Sfn {
    arn: Option<ExecutionArn>,
    /// The state machine named instead of an execution: its newest is shown.
    machine: Option<StateMachine>,
    /// `--run-status`: the newest execution with one of these.
    run_statuses: Vec<Status>,
    include_data: bool,
    /// Made on the first request, for those that follow (a Map Run's children too,
    /// found several at once).
    client: tokio::sync::OnceCell<aws_sdk_sfn::Client>,
    /// Which execution was chosen, for the engine to say.
    notices: Notices,
}

impl Sfn {
    /// The execution, and a client for its region; a usage error when none is named.
    /// For a state machine, its newest execution is found first (said on stderr).
    async fn connected(
        &mut self,
        connection: &Connection,
    ) -> Result<(&ExecutionArn, aws_sdk_sfn::Client)> {
        if let (None, Some(machine)) = (&self.arn, &self.machine) {
            let (client, region) = list::machine_client(connection, Some(machine)).await?;
            let machine_arn = list::resolve(&client, machine, &region).await?;
            let (arn, line) =
                list::newest_execution(&client, machine, &machine_arn, &self.run_statuses).await?;
            self.notices.say(line);
            self.arn = Some(arn);
        }
        let Some(arn) = &self.arn else {
            return Err(UsageError::new(format!(
                "`histx sfn` needs an execution ARN ({ARN_FORM}) or a state machine, or --from FILE"
            ))
            .into());
        };
        let client = self
            .client
            .get_or_try_init(|| client(connection, arn))
            .await?
            .clone();
        Ok((arn, client))
    }
}

impl Service for Sfn {
    const NAME: &'static str = SERVICE;
    /// The largest page GetExecutionHistory returns.
    const MAX_PAGE_SIZE: usize = 1000;
    const SAVED_SHAPE: SavedShape = SavedShape {
        service: SERVICE,
        history: "Step Functions history",
        events_key: "events",
        event_marker: "type",
        run_key: None,
        what: "GetExecutionHistory output (an object with \"events\")",
    };

    type Args = Args;
    type ListArgs = ListArgs;
    type Normalizer = SfnNormalizer;

    fn new(args: Args) -> Result<Self> {
        let (arn, machine) = match args.execution_arn.as_deref() {
            None => (None, None),
            Some(text) if text.starts_with("arn:") => match StateMachine::parse_arn(text) {
                Some(machine) => (None, Some(machine?)),
                None => (Some(ExecutionArn::parse(text)?), None),
            },
            Some(text) if text.trim().is_empty() => (Some(ExecutionArn::parse(text)?), None),
            Some(text) => {
                crate::services::not_a_verb(
                    SERVICE,
                    text,
                    "a state machine of that name is named by its ARN",
                )?;
                (None, Some(StateMachine::parse(text)?))
            }
        };
        if arn.is_some() && !args.run.run_statuses.is_empty() {
            return Err(UsageError::new(
                "--run-status picks among a state machine's executions; an execution ARN names one",
            )
            .into());
        }
        Ok(Sfn {
            arn,
            machine,
            run_statuses: args.run.run_statuses,
            include_data: !args.no_data,
            client: tokio::sync::OnceCell::new(),
            notices: Notices::default(),
        })
    }

    fn notices(&self) -> Notices {
        self.notices.clone()
    }

    /// The state machines of the region, or a state machine's executions.
    async fn list_runs(
        args: ListArgs,
        connection: &Connection,
        query: &RunQuery,
    ) -> Result<RunListing> {
        let machine = args
            .state_machine
            .as_deref()
            .map(StateMachine::parse)
            .transpose()?;
        let Some(machine) = machine else {
            if !query.statuses.is_empty() || query.since.is_some() {
                return Err(UsageError::new(
                    "--run-status and --since select executions: name the state machine (histx sfn ls STATE_MACHINE)",
                )
                .into());
            }
            let (client, _) = list::machine_client(connection, None).await?;
            return Ok(list::state_machines(client));
        };
        let (client, region) = list::machine_client(connection, Some(&machine)).await?;
        let machine_arn = list::resolve(&client, &machine, &region).await?;
        Ok(list::executions(&client, &machine_arn, query))
    }

    fn normalizer(&self) -> SfnNormalizer {
        SfnNormalizer::new(self.arn.as_ref().map(|a| a.arn.clone()), self.include_data)
    }

    async fn live(&mut self, connection: &Connection, read: ReadPlan) -> Result<BoxedSource> {
        let include_data = self.include_data;
        let (arn, client) = self.connected(connection).await?;
        let api = |reverse| LiveHistory::new(client.clone(), arn, reverse, include_data);
        if read.whole {
            return Ok(Box::new(TwoChains::new(
                api(read.reverse),
                api(!read.reverse),
                read.page_size,
                Self::history_order,
                read.reverse,
            )));
        }
        Ok(Box::new(TokenPager::new(api(read.reverse), read.page_size)))
    }

    const FOLLOWS: bool = true;

    /// DescribeExecution, and GetExecutionHistory newest first.
    async fn watch(&mut self, connection: &Connection) -> Result<Box<dyn Watch>> {
        let include_data = self.include_data;
        let (arn, client) = self.connected(connection).await?;
        Ok(Box::new(Watched {
            client,
            arn: arn.clone(),
            include_data,
        }))
    }

    /// DescribeExecution.
    async fn status(&mut self, connection: &Connection) -> Result<RunState> {
        let (arn, client) = self.connected(connection).await?;
        let arn = arn.arn.clone();
        describe_execution(&client, &arn).await
    }

    /// GetExecutionHistory newest first, for a cheap `--summary`.
    async fn newest_first(
        &mut self,
        connection: &Connection,
        read: ReadPlan,
    ) -> Result<Option<BoxedSource>> {
        let include_data = self.include_data;
        let (arn, client) = self.connected(connection).await?;
        let api = LiveHistory::new(client, arn, true, include_data);
        Ok(Some(Box::new(TokenPager::new(api, read.page_size))))
    }

    fn summary_of_newest(&self, newest: &[Event], state: &RunState) -> FromNewest {
        match tree::summary_of_newest(newest, state) {
            Some(summary) => FromNewest::Summary(Box::new(summary)),
            None => FromNewest::Older,
        }
    }

    /// DescribeStateMachineForExecution: a definition with no Distributed Map and no
    /// `states:startExecution` Task (the only states whose events name a child run, see
    /// [`children_of`]) starts none. Any error (no permission for it) leaves it unknown.
    async fn starts_no_runs(&mut self, connection: &Connection) -> bool {
        let Ok((arn, client)) = self.connected(connection).await else {
            return false;
        };
        let arn = arn.arn.clone();
        definition_for_execution(&client, &arn)
            .await
            .is_some_and(|definition| !may_start_runs(&definition))
    }

    /// A saved history in order; with `--no-data`, without its execution data, as the
    /// API sends live pages with includeExecutionData=false: `-o raw` then agrees with
    /// the normalized output.
    fn arrange(&self, source: BoxedSource, origin: Origin, read: ReadPlan) -> Result<BoxedSource> {
        if origin == Origin::File && self.arn.is_none() && self.machine.is_some() {
            // Its newest execution is AWS's to say, not the file's.
            return Err(UsageError::new(
                "a state machine names no one execution to label a saved history with: with \
                 --from, give the execution ARN, or none",
            )
            .into());
        }
        let source: BoxedSource = match origin {
            Origin::File if !self.include_data => {
                Box::new(PageByPage::new(source, |page: Vec<Value>| {
                    page.into_iter().map(without_execution_data).collect()
                }))
            }
            _ => source,
        };
        crate::services::arrange_by_default(source, origin, read, Self::history_order)
    }

    /// Event ids, contiguous from 1.
    fn history_order(record: &Value) -> Option<i64> {
        record.get("id").and_then(as_i64)
    }

    fn summary(&self, events: &[Event]) -> RunSummary {
        tree::summary(events)
    }

    fn tree(&self, events: &[Event], summary: &RunSummary) -> Vec<Node> {
        let name = self.arn.as_ref().and_then(|arn| arn.arn.rsplit(':').next());
        tree::tree(events, name, summary)
    }

    /// Map Runs (`MapRunStarted`'s mapRunArn) and nested executions (the ExecutionArn
    /// of a `states:startExecution` Task's output, or of its failure's cause).
    fn children(&self, events: &[Event]) -> Vec<ChildRun> {
        let mut children = children_of(events);
        if !self.include_data {
            for child in children.iter_mut().filter(|c| c.kind == ChildKind::Run) {
                child.target.push("--no-data".into());
            }
            let hidden = hidden_by_no_data(events);
            if hidden > 0 {
                let (them, are) = match hidden {
                    1 => ("1 nested execution".to_string(), "it is"),
                    n => (format!("{n} nested executions"), "they are"),
                };
                self.notices.say(format!(
                    "histx: --no-data leaves out the Task output that names {them} \
                     this run started: {are} not counted among its runs nor read by \
                     --depth (leave out --no-data)"
                ));
            }
        }
        children
    }

    /// A Map Run's child executions: DescribeMapRun for the counts, then ListExecutions
    /// by mapRunArn, for each unsuccessful status that has any (all of them with `all`).
    async fn find_children(
        &self,
        connection: &Connection,
        named: &ChildRun,
        all: bool,
    ) -> Result<ChildGroup> {
        if named.kind != ChildKind::MapRun {
            return Ok(ChildGroup::of_one(named.clone()));
        }
        let region = named.execution.split(':').nth(3).unwrap_or_default();
        let arn = ExecutionArn {
            arn: named.execution.clone(),
            region: region.to_string(),
        };
        let client = self
            .client
            .get_or_try_init(|| client(connection, &arn))
            .await?
            .clone();
        let mut group = map_run_children(&client, named, all).await?;
        if !self.include_data {
            for child in &mut group.runs {
                child.target.push("--no-data".into());
            }
        }
        Ok(group)
    }
}

/// The runs an execution's events name: its Map Runs and nested executions, each once,
/// by the first event that names it.
pub fn children_of(events: &[Event]) -> Vec<ChildRun> {
    let mut found: Vec<ChildRun> = Vec::new();
    let mut add = |child: ChildRun| {
        if !found.iter().any(|c| c.execution == child.execution) {
            found.push(child);
        }
    };
    for event in events {
        if event.kind == "MapRunStarted" {
            if let Some(arn) = event.details.text("mapRunArn") {
                add(ChildRun {
                    service: SERVICE,
                    execution: arn,
                    target: Vec::new(),
                    started_by: event.id.clone(),
                    started_in: None,
                    kind: ChildKind::MapRun,
                });
            }
            continue;
        }
        let nested = event
            .resource
            .as_deref()
            .is_some_and(|r| r.starts_with("states:startExecution"));
        if !nested || !event.kind.starts_with("Task") {
            continue;
        }
        let from_output = event
            .output
            .as_ref()
            .and_then(|output| output.field("ExecutionArn"))
            .and_then(|arn| arn.as_str().map(str::to_string));
        // A failed `.sync` Task's cause is the child's DescribeExecution, as JSON text.
        let from_cause = || {
            let cause: Value = serde_json::from_str(event.cause.as_deref()?).ok()?;
            cause.get("ExecutionArn")?.as_str().map(str::to_string)
        };
        if let Some(arn) = from_output.or_else(from_cause) {
            if ExecutionArn::parse(&arn).is_ok() {
                add(ChildRun::run(
                    SERVICE,
                    arn.clone(),
                    vec![arn],
                    event.id.clone(),
                ));
            }
        }
    }
    found
}

/// True when a state machine definition may hold a state that starts a child run: a
/// Distributed Map (`"Mode": "DISTRIBUTED"`) or a `states:startExecution` Task. A plain
/// look for the words, anywhere in it (a comment included): it errs only towards "may".
pub fn may_start_runs(definition: &str) -> bool {
    definition.contains("DISTRIBUTED") || definition.contains("startExecution")
}

/// The nested executions whose ARNs `--no-data` left out: `states:startExecution` Tasks
/// that succeeded (a failed one's cause still names its child), without an output.
fn hidden_by_no_data(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| e.kind == "TaskSucceeded" && e.output.is_none())
        .filter(|e| {
            e.resource
                .as_deref()
                .is_some_and(|r| r.starts_with("states:startExecution"))
        })
        .count()
}

/// A running execution, as follow mode polls it.
struct Watched {
    client: aws_sdk_sfn::Client,
    arn: ExecutionArn,
    include_data: bool,
}

impl Watch for Watched {
    fn status(
        &mut self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<RunState>> + '_>> {
        Box::pin(describe_execution(&self.client, &self.arn.arn))
    }

    fn newest_first(&mut self) -> BoxedSource {
        let api = LiveHistory::new(self.client.clone(), &self.arn, true, self.include_data);
        Box::new(TokenPager::new(api, Self::PAGE))
    }

    /// The execution's own events: `ExecutionRedriven` reopens a run that failed, timed
    /// out or was aborted (DescribeExecution says RUNNING again, or PENDING_REDRIVE on the
    /// way there); the others end it.
    fn turn(&self, record: &Value) -> Option<Turn> {
        match record.get("type")?.as_str()? {
            "ExecutionRedriven" => Some(Turn::Reopened),
            "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted" => {
                Some(Turn::Ended)
            }
            _ => None,
        }
    }

    /// The history ends with one of the records [`Watch::turn`] reads.
    fn closes(&self) -> bool {
        true
    }

    /// A run that ended can be redriven.
    fn reopens(&self) -> bool {
        true
    }
}

impl Watched {
    const PAGE: usize = <Sfn as Service>::MAX_PAGE_SIZE;
}

/// A checked Step Functions execution ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionArn {
    pub arn: String,
    pub region: String,
}

const ARN_FORM: &str = "arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME";

impl ExecutionArn {
    /// Checks an execution ARN before any request, with a hint for the ARNs people
    /// confuse with one.
    pub fn parse(text: &str) -> Result<Self, UsageError> {
        let shown = crate::escape::echo(text);
        if text.trim().is_empty() {
            return Err(UsageError::new(format!(
                "the execution ARN is empty; expected {ARN_FORM}"
            )));
        }
        let parts: Vec<&str> = text.split(':').collect();
        let not_execution = |hint: &str| {
            UsageError::new(format!(
                "not a Step Functions execution ARN: '{shown}'; {hint}"
            ))
        };
        if parts.len() < 6 || parts[0] != "arn" || !parts[1].starts_with("aws") {
            return Err(not_execution(&format!("expected {ARN_FORM}")));
        }
        if parts[2] != "states" {
            return Err(not_execution(&format!(
                "this is an ARN of the '{}' service; expected {ARN_FORM}",
                crate::escape::echo(parts[2])
            )));
        }
        let (region, account, resource) = (parts[3], parts[4], parts[5]);
        crate::aws::check_region(region)
            .map_err(|e| UsageError::new(format!("the ARN '{shown}': {e}")))?;
        let well_formed =
            |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        match resource {
            "execution" if parts.len() == 8 && parts[3..].iter().all(|p| well_formed(p)) => {
                // The state machine (a Distributed Map child's: MACHINE/LABEL) and the
                // execution are names, with the characters Step Functions allows.
                let names = parts[6].splitn(2, '/').chain([parts[7]]);
                if let Some(bad) = names.into_iter().find(|name| !list::valid_name(name)) {
                    return Err(not_execution(&format!(
                        "'{}' is no Step Functions name (1 to 80 characters, no spaces, \
                         brackets, wildcards or punctuation like : / , ;); expected {ARN_FORM}",
                        crate::escape::echo(bad)
                    )));
                }
                Ok(ExecutionArn {
                    arn: text.to_string(),
                    region: region.to_string(),
                })
            }
            "execution" => Err(not_execution(&format!("expected {ARN_FORM}"))),
            "stateMachine" => {
                let machine = parts.get(6).copied().unwrap_or("STATE_MACHINE");
                Err(not_execution(&format!(
                    "this is a state machine ARN; name one of its executions, \
                     arn:aws:states:{region}:{account}:execution:{machine}:EXECUTION_NAME \
                     (`histx sfn <ARN>` shows its newest, `histx sfn ls <ARN>` lists them)"
                )))
            }
            "express" => Err(not_execution(
                "this is an Express execution, which has no execution history API; its history is in the state machine's CloudWatch Logs",
            )),
            "activity" => Err(not_execution(
                "this is an activity ARN; activities have no history of their own, name the execution that ran it",
            )),
            "mapRun" => Err(not_execution(
                "this is a Map Run ARN; list its child executions with aws stepfunctions list-executions --map-run-arn <ARN>",
            )),
            other => Err(not_execution(&format!(
                "'{}' resources have no history; expected {ARN_FORM}",
                crate::escape::echo(other)
            ))),
        }
    }
}

#[cfg(test)]
mod arn_tests {
    use super::*;

    #[test]
    fn an_execution_arn_holds_names_step_functions_allows() {
        let ok = [
            "arn:aws:states:us-east-1:123456789012:execution:Orders:run-42",
            "arn:aws:states:us-east-1:123456789012:execution:Orders/Map:0f1e2d3c-aaaa-4bbb-8ccc-0123456789ab",
            "arn:aws:states:us-east-1:123456789012:execution:Orders:run(1)",
        ];
        for arn in ok {
            assert!(ExecutionArn::parse(arn).is_ok(), "{arn}");
        }
        for bad in [
            "arn:aws:states:us-east-1:123456789012:execution:Orders:run-42,",
            "arn:aws:states:us-east-1:123456789012:execution:Orders:run;42",
            "arn:aws:states:us-east-1:123456789012:execution:Ord*ers:run-42",
            "arn:aws:states:us-east-1:123456789012:execution:Orders/Map/x:run-42",
        ] {
            let error = ExecutionArn::parse(bad).unwrap_err().to_string();
            assert!(
                error.contains("is no Step Functions name"),
                "{bad}: {error}"
            );
        }
    }
}

#[cfg(test)]
mod children_tests {
    use super::*;
    use crate::model::{EventId, Status};
    use serde_json::json;

    fn task(id: i64, kind: &str, resource: &str) -> Event {
        let mut event = Event::new(SERVICE, kind, Status::Info);
        event.id = Some(EventId::Number(id));
        event.resource = Some(resource.to_string());
        event
    }

    #[test]
    fn a_nested_execution_is_named_by_its_output_or_its_failure_s_cause_once() {
        let child = "arn:aws:states:us-east-1:123456789012:execution:Inner:n-1";
        let mut submitted = task(5, "TaskSubmitted", "states:startExecution.sync");
        submitted.output = Some(json!({"ExecutionArn": child}).into());
        let mut failed = task(6, "TaskFailed", "states:startExecution.sync");
        failed.cause = Some(json!({"ExecutionArn": child, "Status": "FAILED"}).to_string());
        let both = children_of(&[submitted, failed.clone()]);
        assert_eq!(both.len(), 1, "named twice, read once");
        assert_eq!(both[0].started_by, Some(EventId::Number(5)));
        assert_eq!(both[0].target, vec![child.to_string()]);
        // Without a TaskSubmitted (a saved page of the end), the cause names it.
        let alone = children_of(&[failed]);
        assert_eq!(alone[0].execution, child);
        assert_eq!(alone[0].started_by, Some(EventId::Number(6)));
        // A Lambda's output that happens to hold an ExecutionArn is no child.
        let mut lambda = task(7, "TaskSucceeded", "lambda:invoke");
        lambda.output = Some(json!({"ExecutionArn": child}).into());
        assert!(children_of(&[lambda]).is_empty());
    }

    #[test]
    fn a_map_run_is_a_group_to_find() {
        let mut started = Event::new(SERVICE, "MapRunStarted", Status::Started);
        started.id = Some(EventId::Number(3));
        started.details.insert(
            "mapRunArn".into(),
            json!("arn:aws:states:us-east-1:123456789012:mapRun:M/Map:1"),
        );
        let found = children_of(&[started]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, ChildKind::MapRun);
        assert!(found[0].target.is_empty());
    }
}

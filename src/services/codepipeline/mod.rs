//! CodePipeline: `histx codepipeline <pipeline>`, from `ListActionExecutions`.
//!
//! A record here is a span, not a point: one action execution, from its start to its
//! last update once it is final. Pages hold up to 100 actions (the API maximum).
//!
//! **Which run.** One pipeline execution, as the other services show one run: by default
//! the newest (the latest started of ListPipelineExecutions' first page; with `--from`,
//! the execution in the file whose first action started last), said on stderr as one
//! line; `--execution-id` names another; `--all` shows every execution the API keeps,
//! with an execution column in the table, read with one chain over the pipeline or
//! execution by execution, several at once, whichever is cheaper ([`all`]). An action of any other pipeline execution is
//! dropped even if the service sends one.
//!
//! The API lists the newest actions first and has no order parameter, and a pipeline's
//! executions can overlap. So histx reads every page first and orders the actions itself:
//! grouped by pipeline execution (the group that started first comes first), oldest
//! action first within a group; `--reverse` turns the whole list around; `--limit` counts
//! in that order.
//!
//! Pages are read from the wire JSON, so every field, including ones newer than the SDK
//! we build with, reaches `-o raw` and the action's `details`.

mod all;
mod api;
mod list;
mod normalize;
mod tree;

pub use list::ListArgs;

pub use api::*;
pub use normalize::*;

use crate::aws::Connection;
use crate::exit::UsageError;
use crate::model::{Event, Node, RunSummary, Status, Timestamp};
use crate::services::{
    ChildRun, Notices, Origin, ReadPlan, RunListing, RunQuery, RunState, Service, Spans, Watch,
};
use crate::source::pager::TokenPager;
use crate::source::saved::SavedShape;
use crate::source::{BoxedSource, Gathered};
use crate::wire::parse_timestamp;
use anyhow::Result;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub const SERVICE: &str = "codepipeline";

/// The largest page ListActionExecutions (and ListPipelineExecutions) returns.
const MAX_PAGE_SIZE: usize = 100;

/// `histx codepipeline show` arguments of its own.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Which run: by default the pipeline's newest execution (with --from, the \
newest in the file), said on stderr; --execution-id shows another, --all every execution the \
API keeps.\n\n\
Order: CodePipeline lists the newest actions first and has no order \
parameter, so histx reads every page and orders the actions itself: grouped by pipeline \
execution, oldest first. --reverse (done by histx, not the service) shows the newest first; \
--limit counts in the order shown."
)]
pub struct Args {
    /// The pipeline's name, or PIPELINE/EXECUTION_ID (a listing record's `execution`)
    /// for one of its executions. With --from it is optional and only labels the actions.
    #[arg(value_name = "PIPELINE")]
    pub pipeline: Option<String>,

    /// Only the actions of this pipeline execution (filter.pipelineExecutionId)
    /// [default: the newest execution]
    #[arg(long, value_name = "ID", conflicts_with_all = ["latest", "all"])]
    pub execution_id: Option<String>,

    /// Only the actions of the pipeline's newest execution, the default (found with
    /// ListPipelineExecutions; with --from, the newest in the file)
    #[arg(long, conflicts_with = "all")]
    pub latest: bool,

    /// Every pipeline execution the API keeps, each in its own group, with an execution
    /// column in the table
    #[arg(long, conflicts_with = "follow")]
    pub all: bool,

    #[command(flatten)]
    pub run: crate::cli::RunChoice,
}

/// Which pipeline executions to show.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Selection {
    /// Every action execution the API keeps.
    All,
    /// The actions of this pipeline execution only.
    Execution(String),
    /// The newest pipeline execution's actions (resolved before the first request when
    /// live; from the actions themselves when read from a file).
    Latest,
}

/// CodePipeline, for one pipeline's action executions.
pub struct CodePipeline {
    pipeline: Option<String>,
    selection: Selection,
    /// The shown pipeline execution's own state, when ListPipelineExecutions gave it.
    run: Option<RunState>,
    /// While following: its state as GetPipelineExecution last gave it (its end, once it
    /// ended), which has the last word over `run`.
    polled: Rc<RefCell<Option<RunState>>>,
    /// Made on the first request, for those that follow.
    client: Option<aws_sdk_codepipeline::Client>,
    /// Which execution was chosen, for the engine to say.
    notices: Notices,
    /// `--run-status`: the newest execution with one of these.
    run_statuses: Vec<Status>,
}

impl CodePipeline {
    /// The API of the pipeline named; a usage error when none is.
    async fn connected(&mut self, connection: &Connection) -> Result<LiveActions> {
        let Some(pipeline) = &self.pipeline else {
            return Err(UsageError::new(
                "`histx codepipeline` needs a pipeline name, or --from FILE",
            )
            .into());
        };
        let live = match &self.client {
            Some(client) => LiveActions {
                client: client.clone(),
                pipeline: pipeline.clone(),
                execution_id: None,
            },
            None => LiveActions::connect(connection, pipeline).await?,
        };
        self.client = Some(live.client.clone());
        Ok(live)
    }

    /// The execution shown: the one named, else the newest (found once, said on stderr);
    /// `None` for `--all`.
    async fn chosen_execution(&mut self, live: &LiveActions) -> Result<Option<String>> {
        if matches!(self.selection, Selection::Latest) && !self.run_statuses.is_empty() {
            let (id, state, line) =
                list::newest_with_status(&live.client, &live.pipeline, &self.run_statuses).await?;
            self.notices.say(line);
            self.run = Some(state);
            self.selection = Selection::Execution(id);
        }
        if matches!(self.selection, Selection::Latest) {
            let newest = live.newest_execution().await?;
            self.notices.say(newest.describe());
            self.run = Some(newest.state);
            self.selection = Selection::Execution(newest.id);
        }
        Ok(match &self.selection {
            Selection::Execution(id) => Some(id.clone()),
            _ => None,
        })
    }
}

impl Service for CodePipeline {
    const NAME: &'static str = SERVICE;
    const MAX_PAGE_SIZE: usize = MAX_PAGE_SIZE;
    const RECORD_NOUN: (&'static str, &'static str) = ("action", "actions");
    const SAVED_SHAPE: SavedShape = SavedShape {
        service: SERVICE,
        history: "CodePipeline action executions",
        events_key: "actionExecutionDetails",
        event_marker: "actionExecutionId",
        run_key: None,
        what: "ListActionExecutions output (an object with \"actionExecutionDetails\")",
    };

    type Args = Args;
    type ListArgs = ListArgs;
    type Normalizer = CodePipelineNormalizer;

    fn new(mut args: Args) -> Result<Self> {
        // PIPELINE/EXECUTION_ID, as a listing names an execution.
        if let Some((pipeline, id)) = args
            .pipeline
            .clone()
            .as_deref()
            .and_then(|p| p.split_once('/'))
        {
            if args.execution_id.is_some() || args.all || args.latest {
                return Err(UsageError::new(
                    "PIPELINE/EXECUTION_ID names one execution: leave out --execution-id, --latest and --all",
                )
                .into());
            }
            args.pipeline = Some(pipeline.to_string());
            args.execution_id = Some(id.to_string());
        }
        if !args.run.run_statuses.is_empty() && (args.execution_id.is_some() || args.all) {
            return Err(UsageError::new(
                "--run-status picks the newest execution with that status: not with an execution id or --all",
            )
            .into());
        }
        let pipeline = args
            .pipeline
            .as_deref()
            .map(check_pipeline_name)
            .transpose()?;
        let selection = match (args.execution_id, args.all) {
            (Some(id), _) => Selection::Execution(check_execution_id(&id)?),
            (None, true) => Selection::All,
            // `--latest` is the default, still accepted.
            (None, false) => Selection::Latest,
        };
        Ok(CodePipeline {
            pipeline,
            selection,
            run: None,
            polled: Rc::default(),
            client: None,
            notices: Notices::default(),
            run_statuses: args.run.run_statuses,
        })
    }

    /// ListPipelines, or ListPipelineExecutions of one pipeline.
    async fn list_runs(
        args: ListArgs,
        connection: &Connection,
        query: &RunQuery,
    ) -> Result<RunListing> {
        let pipeline = args
            .pipeline
            .as_deref()
            .map(check_pipeline_name)
            .transpose()?;
        let config = crate::aws::load_config(connection, None).await?;
        let client = crate::reader_client!(aws_sdk_codepipeline, &config);
        let Some(pipeline) = pipeline else {
            if !query.statuses.is_empty() || query.since.is_some() {
                return Err(UsageError::new(
                    "--run-status and --since select executions: name the pipeline (histx codepipeline ls PIPELINE)",
                )
                .into());
            }
            return Ok(list::pipelines(client));
        };
        Ok(list::executions(&client, &pipeline))
    }

    fn notices(&self) -> Notices {
        self.notices.clone()
    }

    fn normalizer(&self) -> CodePipelineNormalizer {
        CodePipelineNormalizer::new(self.pipeline.clone())
    }

    /// The newest execution is found first (ListPipelineExecutions, said on stderr), so
    /// that only that execution's actions are asked for. `--all` reads one chain over the
    /// whole pipeline, or each execution's actions several at once, whichever the first
    /// page says is cheaper ([`all`]).
    async fn live(&mut self, connection: &Connection, read: ReadPlan) -> Result<BoxedSource> {
        let mut live = self.connected(connection).await?;
        live.execution_id = self.chosen_execution(&live).await?;
        if live.execution_id.is_none() {
            return Ok(Box::new(all::AllActions::new(
                live.client,
                live.pipeline,
                read.page_size,
            )?));
        }
        Ok(Box::new(TokenPager::new(live, read.page_size)))
    }

    const FOLLOWS: bool = true;

    /// GetPipelineExecution and ListActionExecutions of the execution shown.
    async fn watch(&mut self, connection: &Connection) -> Result<Box<dyn Watch>> {
        let mut live = self.connected(connection).await?;
        live.execution_id = self.chosen_execution(&live).await?;
        if live.execution_id.is_none() {
            return Err(
                UsageError::new("--follow follows one pipeline execution, not --all").into(),
            );
        }
        Ok(Box::new(Watched {
            live,
            known: self.run.clone(),
            polled: self.polled.clone(),
        }))
    }

    /// GetPipelineExecution of the execution shown; with `--all`, of the newest (whose
    /// summary the report gives).
    async fn status(&mut self, connection: &Connection) -> Result<RunState> {
        let live = self.connected(connection).await?;
        let id = match self.chosen_execution(&live).await? {
            Some(id) => id,
            None => live.newest_execution().await?.id,
        };
        pipeline_execution_state(&live.client, &live.pipeline, &id, self.run.as_ref()).await
    }

    /// The API lists the newest actions first and has no order parameter: histx reads
    /// every page and orders the actions itself, from a file or live alike.
    ///
    /// An `--execution-id` that a file does not hold is an error that lists the ones it
    /// does (live, the service answers PipelineExecutionNotFoundException itself; an
    /// execution it knows may have no action yet).
    fn arrange(&self, source: BoxedSource, origin: Origin, read: ReadPlan) -> Result<BoxedSource> {
        let selection = self.selection.clone();
        let notices = self.notices.clone();
        Ok(Box::new(Gathered::new(source, move |actions| {
            if let (Origin::File, Selection::Execution(id)) = (origin, &selection) {
                check_in_file(&actions, id)?;
            }
            let (actions, chosen) = order_actions(actions, &selection, read.reverse);
            if let Some(chosen) = chosen.filter(|c| c.among > 1) {
                notices.say(chosen.describe());
            }
            Ok(actions)
        })))
    }

    /// An action's start (`arrange` orders actions itself, by pipeline execution too).
    fn history_order(record: &Value) -> Option<i64> {
        record
            .get("startTime")
            .and_then(parse_timestamp)
            .map(Timestamp::millis)
    }

    fn summary(&self, events: &[Event]) -> RunSummary {
        let polled = self.polled.borrow();
        tree::summary(events, polled.as_ref().or(self.run.as_ref()))
    }

    fn tree(&self, events: &[Event], summary: &RunSummary) -> Vec<Node> {
        tree::tree(events, summary)
    }
    /// The Step Functions executions of StepFunctions actions (their
    /// externalExecutionId, the execution's ARN).
    fn children(&self, events: &[Event]) -> Vec<ChildRun> {
        let mut found: Vec<ChildRun> = Vec::new();
        for event in events {
            let provider = event
                .details
                .get("actionTypeId")
                .and_then(|id| id.get("provider")?.as_str().map(str::to_string))
                .or_else(|| event.resource.clone());
            if provider.as_deref() != Some("StepFunctions") {
                continue;
            }
            let Some(arn) = event
                .details
                .text("externalExecutionId")
                .filter(|arn| crate::services::sfn::ExecutionArn::parse(arn).is_ok())
            else {
                continue;
            };
            let arn = arn.as_str();
            if found.iter().any(|c| c.execution == arn) {
                continue;
            }
            found.push(ChildRun::run(
                crate::services::sfn::SERVICE,
                arn,
                vec![arn.to_string()],
                event.id.clone(),
            ));
        }
        found
    }
}

/// A running pipeline execution, as follow mode polls it.
struct Watched {
    live: LiveActions,
    known: Option<RunState>,
    /// Each state polled, shared with the service for its summary.
    polled: Rc<RefCell<Option<RunState>>>,
}

impl Watch for Watched {
    fn status(
        &mut self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<RunState>> + '_>> {
        Box::pin(async move {
            let live = &self.live;
            let id = live.execution_id.as_deref().unwrap_or_default();
            let state =
                pipeline_execution_state(&live.client, &live.pipeline, id, self.known.as_ref())
                    .await?;
            *self.polled.borrow_mut() = Some(state.clone());
            Ok(state)
        })
    }

    fn newest_first(&mut self) -> BoxedSource {
        let live = LiveActions {
            client: self.live.client.clone(),
            pipeline: self.live.pipeline.clone(),
            execution_id: self.live.execution_id.clone(),
        };
        Box::new(TokenPager::new(live, MAX_PAGE_SIZE))
    }

    fn spans(&self) -> Option<Spans> {
        Some(Spans {
            id: |action| {
                action
                    .get("actionExecutionId")?
                    .as_str()
                    .map(str::to_string)
            },
            progress: |action| match action.get("status").and_then(Value::as_str) {
                Some("InProgress") => 1,
                Some(_) => 2,
                None => 0,
            },
            // A running action's lastUpdateTime moves on: its end is known once final.
            mark: |action| {
                let status = action.get("status").and_then(Value::as_str);
                let end = action
                    .get("lastUpdateTime")
                    .filter(|_| status.is_some_and(|s| s != "InProgress"));
                serde_json::json!([status, end])
            },
        })
    }
}

/// Checks a pipeline name as the API constrains it: 1 to 100 of `A-Za-z0-9.@-_`.
fn check_pipeline_name(name: &str) -> Result<String, UsageError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".@-_".contains(c);
    if name.is_empty() || name.len() > 100 || !name.chars().all(allowed) {
        return Err(UsageError::new(format!(
            "not a pipeline name: '{}'; a name is 1 to 100 letters, digits and . @ - _ \
             (list them: aws codepipeline list-pipelines)",
            crate::escape::echo(name)
        )));
    }
    Ok(name.to_string())
}

/// Checks a pipeline execution ID as the API constrains it: 36 of `0-9a-f-`.
fn check_execution_id(id: &str) -> Result<String, UsageError> {
    let allowed = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c) || c == '-';
    if id.len() != 36 || !id.chars().all(allowed) {
        return Err(UsageError::new(format!(
            "not a pipeline execution ID: '{}'; expected 36 characters like \
             3137f7cb-7cf7-4cc4-8d6e-6a6b6d5e1a2b (list them: aws codepipeline \
             list-pipeline-executions --pipeline-name <PIPELINE>)",
            crate::escape::echo(id)
        )));
    }
    Ok(id.to_string())
}

fn pipeline_execution_of(action: &Value) -> Option<&str> {
    action.get("pipelineExecutionId").and_then(Value::as_str)
}

/// An action's start in milliseconds; one without a start sorts last.
fn start_of(action: &Value) -> i64 {
    action
        .get("startTime")
        .and_then(parse_timestamp)
        .map_or(i64::MAX, Timestamp::millis)
}

/// The pipeline executions `actions` belong to, the one that started first first.
fn executions_in(actions: &[Value]) -> Vec<&str> {
    let mut first_start: Vec<(i64, &str)> = Vec::new();
    for action in actions {
        let Some(id) = pipeline_execution_of(action) else {
            continue;
        };
        let start = start_of(action);
        match first_start.iter_mut().find(|(_, known)| *known == id) {
            Some((first, _)) => *first = (*first).min(start),
            None => first_start.push((start, id)),
        }
    }
    first_start.sort();
    first_start.into_iter().map(|(_, id)| id).collect()
}

/// An error unless some of a file's `actions` belong to pipeline execution `id`; it
/// names the executions the file holds.
fn check_in_file(actions: &[Value], id: &str) -> Result<()> {
    if actions
        .iter()
        .any(|action| pipeline_execution_of(action) == Some(id))
    {
        return Ok(());
    }
    let held = executions_in(actions);
    let held = match held.len() {
        0 => "it holds no pipeline execution".to_string(),
        1 => format!("it holds one: {}", held[0]),
        n => format!("it holds {n}, oldest first: {}", held.join(", ")),
    };
    Err(anyhow::anyhow!(crate::escape::terminal_safe(&format!(
        "pipeline execution {id} is not in the file; {held}"
    ))
    .into_owned()))
}

/// The newest pipeline execution of a file, as chosen: to say which on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SavedChoice {
    id: String,
    /// Its first action's start.
    start: Option<Timestamp>,
    /// The pipeline executions in the file.
    among: usize,
}

impl SavedChoice {
    fn describe(&self) -> String {
        let started = self
            .start
            .map(|t| format!("first action started {}", t.to_rfc3339()))
            .unwrap_or_else(|| "no action started".to_string());
        crate::escape::terminal_safe(&format!(
            "histx: pipeline execution {} ({started}; the newest of {} in the file, \
             --execution-id picks another, --all shows every one)",
            self.id, self.among
        ))
        .into_owned()
    }
}

/// Keeps the selected pipeline execution's actions and orders them: pipeline executions by
/// their first action's start, then actions by start, last update and ID. For
/// [`Selection::Latest`], also the execution chosen.
fn order_actions(
    actions: Vec<Value>,
    selection: &Selection,
    reverse: bool,
) -> (Vec<Value>, Option<SavedChoice>) {
    let mut group_start: HashMap<String, i64> = HashMap::new();
    for action in &actions {
        let group = pipeline_execution_of(action)
            .unwrap_or_default()
            .to_string();
        let start = start_of(action);
        group_start
            .entry(group)
            .and_modify(|first| *first = (*first).min(start))
            .or_insert(start);
    }
    let executions = group_start.keys().filter(|g| !g.is_empty()).count();
    let newest = group_start
        .iter()
        .filter(|(group, _)| !group.is_empty())
        .max_by_key(|(group, start)| (**start, (*group).clone()))
        .map(|(group, start)| SavedChoice {
            id: group.clone(),
            start: Some(Timestamp(*start)).filter(|_| *start != i64::MAX),
            among: executions,
        });
    let (wanted, chosen) = match selection {
        Selection::All => (None, None),
        Selection::Execution(id) => (Some(id.clone()), None),
        Selection::Latest => (newest.as_ref().map(|c| c.id.clone()), newest),
    };
    let mut actions: Vec<Value> = match (selection, wanted) {
        (Selection::All, _) => actions,
        (_, None) => Vec::new(),
        (_, Some(wanted)) => actions
            .into_iter()
            .filter(|action| pipeline_execution_of(action) == Some(wanted.as_str()))
            .collect(),
    };
    actions.sort_by_cached_key(|action| {
        let group = pipeline_execution_of(action)
            .unwrap_or_default()
            .to_string();
        let last_update = action
            .get("lastUpdateTime")
            .and_then(parse_timestamp)
            .map_or(i64::MAX, Timestamp::millis);
        let id = action
            .get("actionExecutionId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        (
            group_start[&group],
            group,
            start_of(action),
            last_update,
            id,
        )
    });
    if reverse {
        actions.reverse();
    }
    (actions, chosen)
}

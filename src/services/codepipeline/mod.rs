//! CodePipeline: `histx codepipeline <pipeline>`, from `ListActionExecutions`.
//!
//! A record here is a span, not a point: one action execution, from its start to its
//! last update once it is final. Pages hold up to 100 actions (the API maximum).
//!
//! The API lists the newest actions first and has no order parameter, and a pipeline's
//! executions can overlap. So histx reads every page first and orders the actions itself:
//! grouped by pipeline execution (the group that started first comes first), oldest
//! action first within a group; `--reverse` turns the whole list around; `--limit` counts
//! in that order. With `--execution-id` or `--latest`, an action of any other pipeline
//! execution is dropped even if the service sends one.
//!
//! Pages are read from the wire JSON, so every field, including ones newer than the SDK
//! we build with, reaches `-o raw` and the action's `details`.

mod api;
mod normalize;
mod tree;

pub use api::*;
pub use normalize::*;

use crate::exit::UsageError;
use crate::fetch::{fetch_all, FetchPlan, Flow, Page, PageSource};
use crate::model::Timestamp;
use crate::pipeline::print_history;
use crate::saved::{SavedHistory, SavedShape};
use crate::services::Context;
use crate::wire::parse_timestamp;
use anyhow::Result;
use serde_json::Value;
use std::collections::HashMap;

pub const SERVICE: &str = "codepipeline";

/// The largest page ListActionExecutions (and ListPipelineExecutions) returns.
pub const MAX_PAGE_SIZE: usize = 100;

/// What saved ListActionExecutions output looks like.
pub const SAVED_SHAPE: SavedShape = SavedShape {
    events_key: "actionExecutionDetails",
    event_marker: "actionExecutionId",
    what: "ListActionExecutions output (an object with \"actionExecutionDetails\")",
};

/// `histx codepipeline` arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Order: CodePipeline lists the newest actions first and has no order \
parameter, so histx reads every page and orders the actions itself: grouped by pipeline \
execution, oldest first. --reverse (done by histx, not the service) shows the newest first; \
--limit counts in the order shown."
)]
pub struct Args {
    /// The pipeline's name. With --from it is optional and only labels the actions.
    #[arg(value_name = "PIPELINE")]
    pub pipeline: Option<String>,

    /// Only the actions of this pipeline execution (filter.pipelineExecutionId)
    #[arg(long, value_name = "ID", conflicts_with = "latest")]
    pub execution_id: Option<String>,

    /// Only the actions of the pipeline's newest execution (found with
    /// ListPipelineExecutions; with --from, the newest in the file)
    #[arg(long)]
    pub latest: bool,
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

/// Prints the action executions of a pipeline, live or from `--from`.
pub async fn run(args: Args, context: Context<'_>) -> Result<()> {
    let pipeline = args
        .pipeline
        .as_deref()
        .map(check_pipeline_name)
        .transpose()?;
    let selection = match (args.execution_id, args.latest) {
        (Some(id), _) => Selection::Execution(check_execution_id(&id)?),
        (None, true) => Selection::Latest,
        (None, false) => Selection::All,
    };
    let plan = context.plan(SERVICE, MAX_PAGE_SIZE)?;
    let normalizer = CodePipelineNormalizer::new(pipeline.clone());
    let common = context.common;
    if let Some(path) = &common.from {
        let mut source = OrderedActions {
            // histx orders the actions itself, so the file is read as it is.
            inner: Some(SavedHistory::open(path, SAVED_SHAPE, false)?),
            selection,
            reverse: common.reverse,
            page_size: plan.page_size,
        };
        return print_history(&mut source, normalizer, plan, context.output).await;
    }
    let Some(pipeline) = pipeline else {
        return Err(
            UsageError::new("histx codepipeline needs a pipeline name, or --from FILE").into(),
        );
    };
    let mut live = LiveActions::connect(&context.connection, &pipeline).await?;
    let selection = match selection {
        Selection::Latest => Selection::Execution(live.newest_execution().await?),
        other => other,
    };
    if let Selection::Execution(id) = &selection {
        live.execution_id = Some(id.clone());
    }
    let mut source = OrderedActions {
        inner: Some(live),
        selection,
        reverse: common.reverse,
        page_size: plan.page_size,
    };
    print_history(&mut source, normalizer, plan, context.output).await
}

/// Checks a pipeline name as the API constrains it: 1 to 100 of `A-Za-z0-9.@-_`.
fn check_pipeline_name(name: &str) -> Result<String, UsageError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".@-_".contains(c);
    if name.is_empty() || name.len() > 100 || !name.chars().all(allowed) {
        return Err(UsageError::new(format!(
            "not a pipeline name: '{}'; a name is 1 to 100 letters, digits and . @ - _ \
             (list them: aws codepipeline list-pipelines)",
            crate::render::terminal_safe(name)
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
            crate::render::terminal_safe(id)
        )));
    }
    Ok(id.to_string())
}

/// Every action execution of a source, filtered to the selection and put in order.
/// Its one page holds them all.
struct OrderedActions<S> {
    /// `None` once read.
    inner: Option<S>,
    selection: Selection,
    reverse: bool,
    /// The page size to read the source with (the service's maximum unless the user chose).
    page_size: usize,
}

impl<S: PageSource> PageSource for OrderedActions<S> {
    async fn fetch_page(&mut self, _token: Option<String>, _page_size: usize) -> Result<Page> {
        let Some(mut inner) = self.inner.take() else {
            return Ok(Page::default());
        };
        let mut actions = Vec::new();
        let plan = FetchPlan {
            page_size: self.page_size,
            limit: None,
        };
        fetch_all(&mut inner, plan, |page| {
            actions.extend(page);
            Ok(Flow::Continue)
        })
        .await?;
        Ok(Page {
            events: order_actions(actions, &self.selection, self.reverse),
            next_token: None,
        })
    }
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

/// Keeps the selected pipeline execution's actions and orders them: pipeline executions by
/// their first action's start, then actions by start, last update and ID.
fn order_actions(actions: Vec<Value>, selection: &Selection, reverse: bool) -> Vec<Value> {
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
    let wanted = match selection {
        Selection::All => None,
        Selection::Execution(id) => Some(id.clone()),
        Selection::Latest => group_start
            .iter()
            .filter(|(group, _)| !group.is_empty())
            .max_by_key(|(group, start)| (**start, (*group).clone()))
            .map(|(group, _)| group.clone()),
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
    actions
}

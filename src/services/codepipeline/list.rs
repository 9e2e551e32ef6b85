//! CodePipeline listings: `histx codepipeline ls` (ListPipelines, every page, 1000 a
//! page, newest first by creation) and `histx codepipeline ls PIPELINE`
//! (ListPipelineExecutions, 100 a page, the API's maximum, newest first as it lists
//! them). The API has no status or time filter: histx applies `--run-status` and
//! `--since` (and stops at the first execution started before `--since`). Also the
//! newest execution with a status, for `show --run-status`.

use super::{pipeline_status_of, SERVICE};
use crate::aws::{self, WireTap};
use crate::escape::terminal_safe;
use crate::model::{RunRecord, Status};
use crate::services::{RunListing, RunQuery, RunState};
use crate::source::pager::{Page, PageApi, TokenPager};
use crate::source::Gathered;
use crate::wire::{parse_timestamp, take_string, take_time};
use anyhow::{anyhow, Result};
use serde_json::Value;

/// `histx codepipeline ls` arguments of its own.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Without PIPELINE: the pipelines, newest first (ListPipelines, every \
page). With one: its executions, newest first (ListPipelineExecutions, 100 a page; the API \
has no status filter, so histx applies --run-status). Each execution's `execution` is \
PIPELINE/EXECUTION_ID, which `histx codepipeline` takes. No name completion: it would cost a \
request."
)]
pub struct ListArgs {
    /// The pipeline whose executions to list
    #[arg(value_name = "PIPELINE")]
    pub pipeline: Option<String>,
}

/// The largest page of ListPipelines.
const PIPELINES_PAGE: usize = 1000;
/// The largest page of ListPipelineExecutions.
const EXECUTIONS_PAGE: usize = 100;

/// `histx codepipeline ls`: the pipelines, newest first.
pub fn pipelines(client: aws_sdk_codepipeline::Client) -> RunListing {
    let every = TokenPager::new(ListPipelines { client }, PIPELINES_PAGE);
    let sorted = Gathered::new(Box::new(every), |mut pipelines: Vec<Value>| {
        pipelines.sort_by_key(|p| std::cmp::Reverse(p.get("created").and_then(parse_timestamp)));
        Ok(pipelines)
    });
    let mut listing = RunListing::runs(Box::new(sorted), Box::new(pipeline_record));
    listing.parents = true;
    listing.noun = ("pipeline", "pipelines");
    listing
}

/// `histx codepipeline ls PIPELINE`: its executions, newest first.
pub fn executions(client: &aws_sdk_codepipeline::Client, pipeline: &str) -> RunListing {
    let source = TokenPager::new(
        ListPipelineExecutions {
            client: client.clone(),
            pipeline: pipeline.to_string(),
        },
        EXECUTIONS_PAGE,
    );
    let pipeline = pipeline.to_string();
    RunListing::runs(
        Box::new(source),
        Box::new(move |value| execution_record(&pipeline, value)),
    )
}

/// The newest execution of a pipeline with one of `statuses`: its id, its state, and the
/// line that says which was chosen and how to name it.
pub async fn newest_with_status(
    client: &aws_sdk_codepipeline::Client,
    pipeline: &str,
    statuses: &[Status],
) -> Result<(String, RunState, String)> {
    let query = RunQuery::newest(statuses);
    let which = RunQuery::which(statuses);
    let shown = terminal_safe(pipeline);
    let Some(run) = crate::listing::newest(executions(client, pipeline), &query).await? else {
        return Err(anyhow!(
            "pipeline '{shown}' has no {which} execution (`histx codepipeline ls {shown}` lists its executions)"
        ));
    };
    let id = run
        .execution
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let started = run
        .start
        .map(|t| format!(", started {}", t.to_rfc3339()))
        .unwrap_or_default();
    let line = format!(
        "histx: pipeline execution {id} ({}{started}; the newest {which}; `histx codepipeline {}` names it)",
        run.status.map_or("", Status::as_str),
        run.execution
    );
    let state = RunState {
        status: run.status.unwrap_or(Status::Info),
        start: run.start,
        end: run.end,
        redrives: None,
    };
    Ok((id, state, terminal_safe(&line).into_owned()))
}

/// A pipeline execution summary as a listing record: `execution` is
/// `PIPELINE/EXECUTION_ID`.
fn execution_record(pipeline: &str, value: Value) -> Option<RunRecord> {
    let Value::Object(mut fields) = value else {
        return None;
    };
    let id = take_string(&mut fields, "pipelineExecutionId")?;
    let mut record = RunRecord::new(SERVICE, format!("{pipeline}/{id}"));
    record.status = fields
        .get("status")
        .and_then(Value::as_str)
        .map(pipeline_status_of);
    record.start = take_time(&mut fields, "startTime");
    // lastUpdateTime is the end once the execution is final; until then it stays in
    // details as sent.
    if record.status.is_some_and(Status::is_final) {
        record.end = take_time(&mut fields, "lastUpdateTime");
    }
    record.parent = Some(pipeline.to_string());
    record.details = fields;
    Some(record)
}

/// A pipeline of ListPipelines as a listing record: `execution` is its name (what
/// `histx codepipeline` takes, to show its newest execution), `start` its creation.
fn pipeline_record(value: Value) -> Option<RunRecord> {
    let Value::Object(mut fields) = value else {
        return None;
    };
    let name = take_string(&mut fields, "name")?;
    let mut record = RunRecord::new(SERVICE, name.clone());
    record.name = Some(name);
    record.start = take_time(&mut fields, "created");
    record.details = fields;
    Some(record)
}

/// ListPipelines, one page per call, from the wire.
struct ListPipelines {
    client: aws_sdk_codepipeline::Client,
}

impl PageApi for ListPipelines {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::default();
        self.client
            .list_pipelines()
            .max_results(page_size as i32)
            .set_next_token(token)
            .customize()
            .interceptor(tap.clone())
            .send()
            .await
            .map_err(aws::describe_error)?;
        tap.page("pipelines", "nextToken")
    }
}

/// ListPipelineExecutions, one page per call, from the wire.
pub(super) struct ListPipelineExecutions {
    pub(super) client: aws_sdk_codepipeline::Client,
    pub(super) pipeline: String,
}

impl PageApi for ListPipelineExecutions {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::default();
        self.client
            .list_pipeline_executions()
            .pipeline_name(&self.pipeline)
            .max_results(page_size as i32)
            .set_next_token(token)
            .customize()
            .interceptor(tap.clone())
            .send()
            .await
            .map_err(|e| super::api::in_region(aws::describe_error(e), &self.client))?;
        tap.page("pipelineExecutionSummaries", "nextToken")
    }
}

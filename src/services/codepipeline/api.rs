//! CodePipeline's API: ListActionExecutions pages as the wire sent them, and the
//! newest pipeline execution.

use super::*;
use crate::aws::{self, Connection, WireTap};
use crate::model::Status;
use crate::services::RunState;
use crate::source::pager::{Page, PageApi};
use anyhow::{anyhow, Result};
use aws_sdk_codepipeline::types::ActionExecutionFilter;

/// A PipelineNotFoundException with the region the pipeline was looked for in (the
/// service names the account, not the region), and how to list those there are; any
/// other error as it is.
pub(crate) fn in_region(
    error: anyhow::Error,
    client: &aws_sdk_codepipeline::Client,
) -> anyhow::Error {
    let Some(failure) = error.downcast_ref::<aws::ServiceFailure>() else {
        return error;
    };
    if failure.code != "PipelineNotFoundException" {
        return error;
    }
    let region = client
        .config()
        .region()
        .map_or_else(|| "the configured region".to_string(), |r| r.to_string());
    let said = failure
        .message
        .as_deref()
        .unwrap_or("no such pipeline")
        .trim_end_matches('.');
    anyhow!(aws::ServiceFailure {
        code: failure.code.clone(),
        message: Some(format!(
            "{said} in {region} (`histx codepipeline ls` lists the pipelines there are)"
        )),
    })
}

/// ListActionExecutions, one page per call, through the SDK.
pub struct LiveActions {
    pub(super) client: aws_sdk_codepipeline::Client,
    pub(super) pipeline: String,
    /// filter.pipelineExecutionId, if only one pipeline execution is wanted.
    pub(super) execution_id: Option<String>,
}

impl LiveActions {
    pub async fn connect(connection: &Connection, pipeline: &str) -> Result<Self> {
        let config = aws::load_config(connection, None).await?;
        Ok(LiveActions {
            client: crate::reader_client!(aws_sdk_codepipeline, &config),
            pipeline: pipeline.to_string(),
            execution_id: None,
        })
    }

    /// The pipeline's newest execution, from the first page of ListPipelineExecutions
    /// (which lists the newest first; the latest start wins anyway).
    pub(super) async fn newest_execution(&self) -> Result<NewestExecution> {
        let page = self
            .client
            .list_pipeline_executions()
            .pipeline_name(&self.pipeline)
            .max_results(MAX_PAGE_SIZE as i32)
            .send()
            .await
            .map_err(|e| in_region(aws::describe_error(e), &self.client))?;
        let summaries: Vec<_> = page
            .pipeline_execution_summaries()
            .iter()
            .filter(|summary| summary.pipeline_execution_id().is_some())
            .collect();
        let time = |t: Option<&aws_sdk_codepipeline::primitives::DateTime>| t.map(aws::timestamp);
        let newest = summaries
            .iter()
            .max_by_key(|summary| {
                summary
                    .start_time()
                    .map(|t| (t.secs(), t.subsec_nanos()))
                    .unwrap_or_default()
            })
            .ok_or_else(|| {
                anyhow!(
                    "pipeline '{}' has no executions",
                    crate::escape::terminal_safe(&self.pipeline)
                )
            })?;
        let wire_status = newest.status().map(|s| s.as_str().to_string());
        let status = wire_status
            .as_deref()
            .map_or(Status::Info, pipeline_status_of);
        Ok(NewestExecution {
            id: newest
                .pipeline_execution_id()
                .unwrap_or_default()
                .to_string(),
            wire_status,
            state: RunState {
                status,
                start: time(newest.start_time()),
                end: time(newest.last_update_time()).filter(|_| status.is_final()),
                redrives: None,
            },
            among: summaries.len(),
        })
    }
}

/// GetPipelineExecution: the status of one pipeline execution. The API gives no times:
/// `start` is the one ListPipelineExecutions gave, if it was asked (`known`).
pub(super) async fn pipeline_execution_state(
    client: &aws_sdk_codepipeline::Client,
    pipeline: &str,
    execution_id: &str,
    known: Option<&RunState>,
) -> Result<RunState> {
    let output = client
        .get_pipeline_execution()
        .pipeline_name(pipeline)
        .pipeline_execution_id(execution_id)
        .send()
        .await
        .map_err(|e| in_region(aws::describe_error(e), client))?;
    let status = output
        .pipeline_execution()
        .and_then(|execution| execution.status())
        .map_or(Status::Info, |status| pipeline_status_of(status.as_str()));
    Ok(RunState {
        status,
        start: known.and_then(|state| state.start),
        end: None,
        redrives: None,
    })
}

/// The newest pipeline execution, as ListPipelineExecutions summarizes it.
pub(super) struct NewestExecution {
    pub(super) id: String,
    /// Its status as the service spells it.
    pub(super) wire_status: Option<String>,
    pub(super) state: RunState,
    /// The executions listed on the page it was chosen from.
    pub(super) among: usize,
}

impl NewestExecution {
    /// One line for stderr: which execution is shown, and how to see others.
    pub(super) fn describe(&self) -> String {
        let mut what = Vec::new();
        what.extend(self.wire_status.clone());
        what.extend(
            self.state
                .start
                .map(|t| format!("started {}", t.to_rfc3339())),
        );
        let among = if self.among > 1 {
            format!(
                "; the newest of {}, --execution-id picks another, --all shows every one",
                self.among
            )
        } else {
            String::new()
        };
        crate::escape::terminal_safe(&format!(
            "histx: pipeline execution {} ({}{among})",
            self.id,
            what.join(", ")
        ))
        .into_owned()
    }
}

/// The normalized status of a pipeline execution's status (PipelineExecutionStatus).
pub fn pipeline_status_of(status: &str) -> Status {
    match status {
        "InProgress" | "Stopping" => Status::Running,
        "Succeeded" => Status::Succeeded,
        "Failed" => Status::Failed,
        // Stopped by a person, superseded by a newer execution, cancelled: not a failure.
        "Stopped" | "Superseded" | "Cancelled" => Status::Cancelled,
        _ => Status::Info,
    }
}

impl PageApi for LiveActions {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::default();
        let filter = self.execution_id.as_ref().map(|id| {
            ActionExecutionFilter::builder()
                .pipeline_execution_id(id)
                .build()
        });
        self.client
            .list_action_executions()
            .pipeline_name(&self.pipeline)
            .set_filter(filter)
            .max_results(page_size as i32)
            .set_next_token(token)
            .customize()
            .interceptor(tap.clone())
            .send()
            .await
            .map_err(|e| in_region(aws::describe_error(e), &self.client))?;
        tap.page("actionExecutionDetails", "nextToken")
    }
}

//! CodePipeline's API: ListActionExecutions pages as the wire sent them, and the
//! newest pipeline execution.

use super::*;
use crate::aws::{self, Connection, WireTap};
use crate::source::pager::{Page, PageApi};
use anyhow::{anyhow, Result};
use aws_sdk_codepipeline::types::ActionExecutionFilter;

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
            client: aws_sdk_codepipeline::Client::from_conf(
                aws_sdk_codepipeline::config::Builder::from(&config)
                    .retry_classifier(aws::TimeoutsTwice::default())
                    .build(),
            ),
            pipeline: pipeline.to_string(),
            execution_id: None,
        })
    }

    /// The ID of the pipeline's newest execution, from the first page of
    /// ListPipelineExecutions (which lists the newest first; the latest start wins anyway).
    pub(super) async fn newest_execution(&self) -> Result<String> {
        let page = self
            .client
            .list_pipeline_executions()
            .pipeline_name(&self.pipeline)
            .max_results(MAX_PAGE_SIZE as i32)
            .send()
            .await
            .map_err(aws::describe_error)?;
        page.pipeline_execution_summaries()
            .iter()
            .filter(|summary| summary.pipeline_execution_id().is_some())
            .max_by_key(|summary| {
                summary
                    .start_time()
                    .map(|t| (t.secs(), t.subsec_nanos()))
                    .unwrap_or_default()
            })
            .and_then(|summary| summary.pipeline_execution_id())
            .map(str::to_string)
            .ok_or_else(|| {
                anyhow!(
                    "pipeline '{}' has no executions",
                    crate::render::terminal_safe(&self.pipeline)
                )
            })
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
            .map_err(aws::describe_error)?;
        tap.page("actionExecutionDetails", "nextToken")
    }
}

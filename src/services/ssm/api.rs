//! SSM's API: DescribeAutomationStepExecutions pages as the wire sent them.

use super::*;
use crate::aws::{self, Connection, WireTap};
use crate::source::pager::{Page, PageApi};
use anyhow::Result;
use aws_sdk_ssm::types::StepExecutionFilter;

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
            client: crate::reader_client!(aws_sdk_ssm, &config),
            execution_id: execution.id.clone(),
            filters: filters
                .iter()
                .map(StepFilter::to_sdk)
                .collect::<Result<_>>()?,
            reverse,
        })
    }
}

impl PageApi for LiveSteps {
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

//! SSM's API: DescribeAutomationStepExecutions pages as the wire sent them, and
//! GetAutomationExecution for the automation's own status.

use super::*;
use crate::aws::{self, Connection, WireTap};
use crate::services::RunState;
use crate::source::pager::{Page, PageApi};
use anyhow::{anyhow, Result};
use aws_sdk_ssm::types::StepExecutionFilter;

/// A client for the automation's region (its ARN's, if it was named by one).
pub async fn client(
    connection: &Connection,
    execution: &AutomationExecution,
) -> Result<aws_sdk_ssm::Client> {
    let config = aws::load_config(connection, execution.region.as_deref()).await?;
    Ok(crate::reader_client!(aws_sdk_ssm, &config))
}

/// GetAutomationExecution: the automation's status and times.
pub async fn automation_state(client: &aws_sdk_ssm::Client, id: &str) -> Result<RunState> {
    let output = client
        .get_automation_execution()
        .automation_execution_id(id)
        .send()
        .await
        .map_err(aws::describe_error)?;
    let execution = output
        .automation_execution()
        .ok_or_else(|| anyhow!("GetAutomationExecution answered without AutomationExecution"))?;
    Ok(RunState {
        status: execution
            .automation_execution_status()
            .map_or(Status::Info, |status| status_of(status.as_str())),
        start: execution.execution_start_time().map(aws::timestamp),
        end: execution.execution_end_time().map(aws::timestamp),
        redrives: None,
    })
}

/// DescribeAutomationStepExecutions, one page per call, through the SDK.
#[derive(Clone)]
pub struct LiveSteps {
    client: aws_sdk_ssm::Client,
    execution_id: String,
    filters: Vec<StepExecutionFilter>,
    reverse: bool,
}

impl LiveSteps {
    pub fn new(
        client: aws_sdk_ssm::Client,
        execution: &AutomationExecution,
        filters: &[StepFilter],
        reverse: bool,
    ) -> Result<Self> {
        Ok(LiveSteps {
            client,
            execution_id: execution.id.clone(),
            filters: filters
                .iter()
                .map(StepFilter::to_sdk)
                .collect::<Result<_>>()?,
            reverse,
        })
    }
}

impl LiveSteps {
    /// The same listing, narrowed by one more filter (follow mode's polls).
    pub fn narrowed(&self, key: &str, values: Vec<String>) -> Result<Self> {
        let mut narrowed = self.clone();
        narrowed.filters.push(
            StepExecutionFilter::builder()
                .key(aws_sdk_ssm::types::StepExecutionFilterKey::from(key))
                .set_values(Some(values))
                .build()?,
        );
        Ok(narrowed)
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

/// DescribeAutomationExecutions with the filter ParentExecutionId: the IDs of the
/// automations `parent` started, oldest first, in pages of 50 (the API's maximum).
pub async fn child_automations(client: &aws_sdk_ssm::Client, parent: &str) -> Result<Vec<String>> {
    use aws_sdk_ssm::types::{AutomationExecutionFilter, AutomationExecutionFilterKey};
    let filter = AutomationExecutionFilter::builder()
        .key(AutomationExecutionFilterKey::ParentExecutionId)
        .values(parent)
        .build()
        .map_err(|e| anyhow!("{e}"))?;
    let mut found: Vec<(i64, String)> = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_automation_executions()
            .filters(filter.clone())
            .max_results(50)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(aws::describe_error)?;
        for execution in page.automation_execution_metadata_list() {
            if let Some(id) = execution.automation_execution_id() {
                let start = execution
                    .execution_start_time()
                    .map_or(i64::MAX, |t| aws::timestamp(t).millis());
                found.push((start, id.to_string()));
            }
        }
        match page.next_token().filter(|t| !t.is_empty()) {
            Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
            _ => break,
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.1 == b.1);
    Ok(found.into_iter().map(|(_, id)| id).collect())
}

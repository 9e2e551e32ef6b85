//! Step Functions' API: GetExecutionHistory pages as the wire sent them, and
//! DescribeExecution for the run's own status.

use super::*;
use crate::aws::{self, Connection, WireTap};
use crate::model::Status;
use crate::services::RunState;
use crate::source::pager::{Page, PageApi};
use anyhow::Result;

/// A client for the execution's own region.
pub async fn client(connection: &Connection, arn: &ExecutionArn) -> Result<aws_sdk_sfn::Client> {
    let config = aws::load_config(connection, Some(&arn.region)).await?;
    Ok(crate::reader_client!(aws_sdk_sfn, &config))
}

/// DescribeExecution: the run's status, times and redrives.
pub async fn describe_execution(client: &aws_sdk_sfn::Client, arn: &str) -> Result<RunState> {
    let output = client
        .describe_execution()
        .execution_arn(arn)
        .send()
        .await
        .map_err(aws::describe_error)?;
    Ok(RunState {
        status: execution_status_of(output.status().as_str()),
        start: Some(aws::timestamp(output.start_date())),
        end: output.stop_date().map(aws::timestamp),
        redrives: output.redrive_count().map(i64::from),
    })
}

/// The normalized status of an execution's status (ExecutionStatus).
pub fn execution_status_of(status: &str) -> Status {
    match status {
        "SUCCEEDED" => Status::Succeeded,
        "FAILED" => Status::Failed,
        "TIMED_OUT" => Status::TimedOut,
        "ABORTED" => Status::Aborted,
        // RUNNING, PENDING_REDRIVE (a redrive is on its way), and any newer status.
        _ => Status::Running,
    }
}

/// GetExecutionHistory, one page per call, through the SDK.
pub struct LiveHistory {
    client: aws_sdk_sfn::Client,
    arn: String,
    reverse: bool,
    include_data: bool,
}

impl LiveHistory {
    pub fn new(
        client: aws_sdk_sfn::Client,
        arn: &ExecutionArn,
        reverse: bool,
        include_data: bool,
    ) -> Self {
        LiveHistory {
            client,
            arn: arn.arn.clone(),
            reverse,
            include_data,
        }
    }
}

impl PageApi for LiveHistory {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::default();
        self.client
            .get_execution_history()
            .execution_arn(&self.arn)
            .reverse_order(self.reverse)
            .include_execution_data(self.include_data)
            .max_results(page_size as i32)
            .set_next_token(token)
            .customize()
            .interceptor(tap.clone())
            .send()
            .await
            .map_err(aws::describe_error)?;
        tap.page("events", "nextToken")
    }
}

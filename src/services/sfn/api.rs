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

/// DescribeStateMachineForExecution: the definition the execution runs; `None` when it
/// cannot be read.
pub async fn definition_for_execution(client: &aws_sdk_sfn::Client, arn: &str) -> Option<String> {
    let output = client
        .describe_state_machine_for_execution()
        .execution_arn(arn)
        .send()
        .await
        .ok()?;
    Some(output.definition().to_string())
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

/// GetExecutionHistory's output with no events: the page is read from the wire.
fn no_events() -> Option<aws::Output> {
    aws_sdk_sfn::operation::get_execution_history::GetExecutionHistoryOutput::builder()
        .set_events(Some(Vec::new()))
        .build()
        .ok()
        .map(aws::Output::erase)
}

impl PageApi for LiveHistory {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::parsing(
            aws_sdk_sfn::operation::get_execution_history::GetExecutionHistory::new(),
            "events",
            "nextToken",
            no_events,
        );
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
        tap.parsed_page()
    }
}

/// A Map Run's child executions: DescribeMapRun for its counts, then ListExecutions by
/// mapRunArn (pages of 1000), for each of FAILED, TIMED_OUT and ABORTED that has any
/// (every child with `all`), the lists read at the same time; oldest first.
pub async fn map_run_children(
    client: &aws_sdk_sfn::Client,
    map_run: &crate::services::ChildRun,
    all: bool,
) -> Result<crate::services::ChildGroup> {
    use aws_sdk_sfn::types::ExecutionStatus;
    let described = client
        .describe_map_run()
        .map_run_arn(&map_run.execution)
        .send()
        .await
        .map_err(aws::describe_error)?;
    let counts = described
        .execution_counts()
        .map(|c| crate::model::ChildCounts {
            total: c.total(),
            succeeded: c.succeeded(),
            failed: c.failed(),
            timed_out: c.timed_out(),
            aborted: c.aborted(),
            running: c.running(),
            pending: c.pending(),
        });
    let filters: Vec<Option<ExecutionStatus>> = if all {
        vec![None]
    } else {
        [
            (ExecutionStatus::Failed, counts.map(|c| c.failed)),
            (ExecutionStatus::TimedOut, counts.map(|c| c.timed_out)),
            (ExecutionStatus::Aborted, counts.map(|c| c.aborted)),
        ]
        .into_iter()
        .filter(|(_, count)| count.is_none_or(|n| n > 0))
        .map(|(status, _)| Some(status))
        .collect()
    };
    // One list per status, all asked at once (there are at most three).
    let lists = filters.into_iter().map(|status| async move {
        let mut listed: Vec<(i64, String)> = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = client
                .list_executions()
                .map_run_arn(&map_run.execution)
                .set_status_filter(status.clone())
                .max_results(1000)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(aws::describe_error)?;
            for execution in page.executions() {
                let start = aws::timestamp(execution.start_date()).millis();
                listed.push((start, execution.execution_arn().to_string()));
            }
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
                _ => break,
            }
        }
        Ok::<_, anyhow::Error>(listed)
    });
    let mut listed: Vec<(i64, String)> = Vec::new();
    for list in futures_util::future::join_all(lists).await {
        listed.extend(list?);
    }
    listed.sort();
    listed.dedup_by(|a, b| a.1 == b.1);
    Ok(crate::services::ChildGroup {
        started_by: map_run.started_by.clone(),
        started_in: map_run.started_in.clone(),
        map_run: Some(map_run.execution.clone()),
        counts,
        failed_only: !all,
        runs: listed
            .into_iter()
            .map(|(_, arn)| {
                crate::services::ChildRun::run(
                    SERVICE,
                    arn.clone(),
                    vec![arn],
                    map_run.started_by.clone(),
                )
            })
            .collect(),
    })
}

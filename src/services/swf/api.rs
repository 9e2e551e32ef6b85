//! SWF's API: which run to show (the open one, else the latest closed one) and
//! GetWorkflowExecutionHistory pages as the wire sent them.

use super::*;
use crate::aws::{self, ServiceFailure, WireTap};
use crate::escape::terminal_safe;
use crate::model::{Status, Timestamp};
use crate::services::RunState;
use crate::source::pager::{Page, PageApi};
use anyhow::{anyhow, Result};
use aws_sdk_swf::types::{ExecutionTimeFilter, WorkflowExecution, WorkflowExecutionFilter};

/// One workflow run.
#[derive(Debug, Clone)]
pub(super) struct Execution {
    pub(super) domain: String,
    pub(super) workflow_id: String,
    pub(super) run_id: String,
}

impl Execution {
    pub(super) fn label(&self) -> String {
        format!("{}/{}/{}", self.domain, self.workflow_id, self.run_id)
    }
}

/// A run found by listing the workflow's executions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RunInfo {
    pub(super) run_id: String,
    pub(super) started: Option<Timestamp>,
    pub(super) close_status: Option<String>,
}

/// The run chosen when `--run-id` is not given, and among how many.
#[derive(Debug)]
pub(super) struct RunChoice {
    pub(super) run: RunInfo,
    pub(super) open: bool,
    pub(super) candidates: usize,
}

impl RunChoice {
    /// The latest started run, then the greatest runId: the same answer every time.
    fn latest(runs: Vec<RunInfo>, open: bool) -> Option<RunChoice> {
        let candidates = runs.len();
        let run = runs
            .into_iter()
            .max_by(|a, b| (a.started, &a.run_id).cmp(&(b.started, &b.run_id)))?;
        Some(RunChoice {
            run,
            open,
            candidates,
        })
    }

    /// The stderr line: `histx: run R (open, started T)`.
    pub(super) fn describe(&self) -> String {
        let state = match (&self.run.close_status, self.open) {
            (_, true) => "open".to_string(),
            (Some(status), false) => format!("closed {status}"),
            (None, false) => "closed".to_string(),
        };
        let started = self
            .run
            .started
            .map(|t| format!(", started {}", t.to_rfc3339()))
            .unwrap_or_default();
        let among = if self.candidates > 1 {
            format!(
                "; the latest started of {} {} runs, --run-id picks another",
                self.candidates,
                if self.open { "open" } else { "closed" }
            )
        } else {
            String::new()
        };
        terminal_safe(&format!(
            "histx: run {} ({state}{started}{among})",
            self.run.run_id
        ))
        .into_owned()
    }
}

/// The run to show when none is named: the open one, else the latest started closed one.
/// Both lists are asked for at once; each is one page, which holds the most recently
/// started runs (both APIs return runs newest first). A workflowId has at most one open run.
pub(super) async fn find_run(
    client: &aws_sdk_swf::Client,
    domain: &str,
    workflow_id: &str,
) -> Result<RunChoice> {
    let (open, closed) = tokio::join!(
        open_runs(client, domain, workflow_id),
        closed_runs(client, domain, workflow_id)
    );
    if let Some(choice) = RunChoice::latest(open?, true) {
        return Ok(choice);
    }
    RunChoice::latest(closed?, false).ok_or_else(|| {
        anyhow!(
            "no run of workflow '{workflow_id}' in domain '{domain}': none is open, and none \
             closed within the domain's retention period"
        )
    })
}

/// Every start time: closed runs are kept for the domain's retention period (up to 90
/// days) after runs of up to a year.
pub(super) fn since_the_epoch() -> Result<ExecutionTimeFilter> {
    Ok(ExecutionTimeFilter::builder()
        .oldest_date(aws_smithy_types::DateTime::from_secs(0))
        .build()?)
}

pub(super) fn only_workflow(workflow_id: &str) -> Result<WorkflowExecutionFilter> {
    Ok(WorkflowExecutionFilter::builder()
        .workflow_id(workflow_id)
        .build()?)
}

pub(super) async fn open_runs(
    client: &aws_sdk_swf::Client,
    domain: &str,
    workflow_id: &str,
) -> Result<Vec<RunInfo>> {
    let output = client
        .list_open_workflow_executions()
        .domain(domain)
        .start_time_filter(since_the_epoch()?)
        .execution_filter(only_workflow(workflow_id)?)
        .send()
        .await
        .map_err(aws::describe_error)?;
    Ok(runs_of(output.execution_infos(), workflow_id))
}

pub(super) async fn closed_runs(
    client: &aws_sdk_swf::Client,
    domain: &str,
    workflow_id: &str,
) -> Result<Vec<RunInfo>> {
    let output = client
        .list_closed_workflow_executions()
        .domain(domain)
        .start_time_filter(since_the_epoch()?)
        .execution_filter(only_workflow(workflow_id)?)
        .send()
        .await
        .map_err(aws::describe_error)?;
    Ok(runs_of(output.execution_infos(), workflow_id))
}

/// The runs of `workflow_id` in a listing. Filtered here too: some emulators (moto)
/// ignore `executionFilter` and list every run of the domain.
pub(super) fn runs_of(
    infos: &[aws_sdk_swf::types::WorkflowExecutionInfo],
    workflow_id: &str,
) -> Vec<RunInfo> {
    infos
        .iter()
        .filter_map(|info| {
            let execution = info.execution()?;
            (execution.workflow_id() == workflow_id).then(|| RunInfo {
                run_id: execution.run_id().to_string(),
                started: info.start_timestamp().to_millis().ok().map(Timestamp),
                close_status: info.close_status().map(|s| s.as_str().to_string()),
            })
        })
        .collect()
}

/// DescribeWorkflowExecution: the run's status and times.
pub(super) async fn describe_workflow_execution(
    client: &aws_sdk_swf::Client,
    execution: &Execution,
) -> Result<RunState> {
    let output = client
        .describe_workflow_execution()
        .domain(&execution.domain)
        .execution(
            WorkflowExecution::builder()
                .workflow_id(&execution.workflow_id)
                .run_id(&execution.run_id)
                .build()?,
        )
        .send()
        .await
        .map_err(aws::describe_error)?;
    let info = output
        .execution_info()
        .ok_or_else(|| anyhow!("DescribeWorkflowExecution answered without executionInfo"))?;
    let close_status = info.close_status().map(|s| s.as_str());
    Ok(RunState {
        status: run_status_of(info.execution_status().as_str(), close_status),
        start: Some(aws::timestamp(info.start_timestamp())),
        end: info.close_timestamp().map(aws::timestamp),
        redrives: None,
    })
}

/// The normalized status of a run's executionStatus and closeStatus.
pub fn run_status_of(execution_status: &str, close_status: Option<&str>) -> Status {
    match (execution_status, close_status) {
        ("OPEN", _) | (_, None) => Status::Running,
        // A continued run closed normally, handing over to a new run.
        (_, Some("COMPLETED" | "CONTINUED_AS_NEW")) => Status::Succeeded,
        (_, Some("FAILED")) => Status::Failed,
        (_, Some("TIMED_OUT")) => Status::TimedOut,
        (_, Some("TERMINATED")) => Status::Aborted,
        (_, Some("CANCELED")) => Status::Cancelled,
        (_, Some(_)) => Status::Info,
    }
}

/// The `maximumPageSize` to send for a request of `page_size` events, or `None` to leave
/// it unset. Unset, the service returns 1000 events a page; set, at most 100. So it is
/// only set when the user chose `--page-size` (they asked for it; `--help` notes the cap),
/// or when 100 events or fewer are wanted (the last page of a `--limit`), where setting it
/// saves transfer and costs no request. A `--limit` of 500 without `--page-size` thus asks
/// for an unset page (1000 events, cut to 500 by the engine's
/// [`TokenPager`](crate::source::pager::TokenPager)): one request, not five.
pub fn maximum_page_size(page_size: usize, chosen_by_user: bool) -> Option<usize> {
    (chosen_by_user || page_size <= SET_PAGE_SIZE_CAP).then_some(page_size)
}

/// GetWorkflowExecutionHistory, one page per call, through the SDK.
pub(super) struct LiveHistory {
    pub(super) client: aws_sdk_swf::Client,
    pub(super) execution: Execution,
    pub(super) reverse: bool,
    pub(super) page_size_chosen: bool,
    pub(super) run_id_given: bool,
}

impl LiveHistory {
    /// Adds a hint to the service's "Unknown execution" when the user named the run.
    fn explain(&self, error: anyhow::Error) -> anyhow::Error {
        let Some(failure) = error.downcast_ref::<ServiceFailure>() else {
            return error;
        };
        let unknown_execution = failure.code == "UnknownResourceFault"
            && failure
                .message
                .as_deref()
                .is_some_and(|m| m.starts_with("Unknown execution"));
        if !(self.run_id_given && unknown_execution) {
            return error;
        }
        let Execution {
            domain,
            workflow_id,
            run_id,
        } = &self.execution;
        anyhow!(ServiceFailure {
            code: failure.code.clone(),
            message: Some(format!(
                "{} (no run '{run_id}' of workflow '{workflow_id}' in domain '{domain}'; \
                 without --run-id histx shows the workflow's latest run)",
                failure.message.as_deref().unwrap_or_default()
            )),
        })
    }
}

/// GetWorkflowExecutionHistory's output with no events: the page is read from the wire.
fn no_events() -> Option<aws::Output> {
    aws_sdk_swf::operation::get_workflow_execution_history::GetWorkflowExecutionHistoryOutput::builder()
        .set_events(Some(Vec::new()))
        .build()
        .ok()
        .map(aws::Output::erase)
}

impl PageApi for LiveHistory {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::parsing(
            aws_sdk_swf::operation::get_workflow_execution_history::GetWorkflowExecutionHistory::new(),
            "events", "nextPageToken", no_events);
        let execution = WorkflowExecution::builder()
            .workflow_id(&self.execution.workflow_id)
            .run_id(&self.execution.run_id)
            .build()?;
        let page_size = maximum_page_size(page_size, self.page_size_chosen)
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX));
        self.client
            .get_workflow_execution_history()
            .domain(&self.execution.domain)
            .execution(execution)
            .reverse_order(self.reverse)
            .set_maximum_page_size(page_size)
            .set_next_page_token(token)
            .customize()
            .interceptor(tap.clone())
            .send()
            .await
            .map_err(|error| self.explain(aws::describe_error(error)))?;
        tap.parsed_page()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_size_is_only_sent_when_it_is_not_capped_away() {
        assert_eq!(maximum_page_size(1000, false), None);
        assert_eq!(
            maximum_page_size(500, false),
            None,
            "--limit 500: one unset page"
        );
        assert_eq!(maximum_page_size(101, false), None);
        assert_eq!(maximum_page_size(100, false), Some(100));
        assert_eq!(maximum_page_size(20, false), Some(20));
        assert_eq!(maximum_page_size(500, true), Some(500), "the user's choice");
    }
}

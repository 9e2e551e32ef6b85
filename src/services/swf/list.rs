//! SWF listings: `histx swf ls --domain D [WORKFLOW_ID]`, the domain's (or one
//! workflow's) runs, open and closed: ListOpenWorkflowExecutions and
//! ListClosedWorkflowExecutions (1000 a page, the API's maximum, newest first as both
//! list), merged newest first. Both need a start-time window: from `--since`, else from
//! the epoch (closed runs are kept for the domain's retention period only), said on
//! stderr when the listing ends before `--limit`. `--run-status` chooses the lists (the
//! open list is the running runs) and is the closed list's closeStatusFilter, one list
//! per close status, except with a WORKFLOW_ID: SWF takes only one of executionFilter
//! and closeStatusFilter, so histx filters the statuses then. Also the newest run with a
//! status, for `show --run-status`.

use super::{run_status_of, SERVICE};
use crate::aws::{self, WireTap};
use crate::escape::terminal_safe;
use crate::exit::UsageError;
use crate::model::{RunRecord, Status, Timestamp};
use crate::services::{RunListing, RunQuery};
use crate::source::merged::Merged;
use crate::source::pager::{Page, PageApi, TokenPager};
use crate::source::BoxedSource;
use crate::wire::{parse_timestamp, take_time};
use anyhow::{anyhow, Result};
use aws_sdk_swf::types::{
    CloseStatus, CloseStatusFilter, ExecutionTimeFilter, WorkflowExecutionFilter,
};
use serde_json::Value;

/// `histx swf ls` arguments of its own.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Open and closed runs, newest first (ListOpenWorkflowExecutions and \
ListClosedWorkflowExecutions, 1000 a page, merged), started since --since (else any time: \
closed runs are kept for the domain's retention period). Each record's `execution` is \
DOMAIN/WORKFLOW_ID/RUN_ID, which `histx swf` takes. No name completion: it would cost a \
request."
)]
pub struct ListArgs {
    /// Only the runs of this workflowId
    #[arg(value_name = "WORKFLOW_ID")]
    pub workflow_id: Option<String>,

    /// The SWF domain whose runs to list
    #[arg(long, value_name = "DOMAIN", required = true)]
    pub domain: String,
}

/// Refuses, before any request, what `histx swf` refuses: an empty name, a workflowId
/// or a domain with a `/` (neither can hold one). A listing record's `execution`,
/// DOMAIN/WORKFLOW_ID/RUN_ID, names one run, which `histx swf` shows.
pub fn check_names(args: &ListArgs) -> Result<(), UsageError> {
    for (what, value) in [
        ("--domain", Some(&args.domain)),
        ("the workflow id", args.workflow_id.as_ref()),
    ] {
        if value.is_some_and(|v| v.trim().is_empty()) {
            return Err(UsageError::new(format!("{what} is empty")));
        }
    }
    if args.domain.contains('/') {
        return Err(UsageError::new(format!(
            "--domain '{}': a domain name holds no '/'",
            crate::escape::echo(&args.domain)
        )));
    }
    let Some(given) = args.workflow_id.as_deref().filter(|id| id.contains('/')) else {
        return Ok(());
    };
    let shown = crate::escape::echo(given);
    let parts: Vec<&str> = given.splitn(3, '/').collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty()) {
        return Err(UsageError::new(format!(
            "'{shown}' names one run, not a workflow whose runs to list: histx swf {shown} \
             shows it"
        )));
    }
    Err(UsageError::new(format!(
        "'{shown}': a workflowId holds no '/'; expected WORKFLOW_ID"
    )))
}

/// The largest page of both lists.
const PAGE: usize = 1000;

/// Every closeStatus, with its normalized status.
const CLOSE_STATUSES: [(&str, Status); 6] = [
    ("COMPLETED", Status::Succeeded),
    ("CONTINUED_AS_NEW", Status::Succeeded),
    ("FAILED", Status::Failed),
    ("TIMED_OUT", Status::TimedOut),
    ("TERMINATED", Status::Aborted),
    ("CANCELED", Status::Cancelled),
];

/// A domain's runs (or one workflow's), newest first.
pub fn runs(
    client: &aws_sdk_swf::Client,
    domain: &str,
    workflow_id: Option<&str>,
    query: &RunQuery,
) -> RunListing {
    let oldest = query.since.unwrap_or(Timestamp(0));
    let list = |closed: bool, close_status: Option<&str>| -> BoxedSource {
        Box::new(TokenPager::new(
            ListRuns {
                client: client.clone(),
                domain: domain.to_string(),
                workflow_id: workflow_id.map(str::to_string),
                oldest,
                closed,
                close_status: close_status.map(str::to_string),
            },
            PAGE,
        ))
    };
    let mut sources = Vec::new();
    if query.wants(Status::Running) {
        sources.push(list(false, None));
    }
    let closed_wanted = match query.wire_statuses(&CLOSE_STATUSES) {
        None => Some(None),
        Some(wire) if wire.is_empty() => None,
        // With a workflowId there is no closeStatusFilter: histx filters.
        Some(_) if workflow_id.is_some() => Some(None),
        Some(wire) => {
            sources.extend(wire.into_iter().map(|status| list(true, Some(status))));
            None
        }
    };
    if let Some(status) = closed_wanted {
        sources.push(list(true, status));
    }
    let source = Merged::new(sources, |info: &Value| {
        info.get("startTimestamp")
            .and_then(parse_timestamp)
            .map(|t| t.0)
    });
    let domain_owned = domain.to_string();
    let mut listing = RunListing::runs(
        Box::new(source),
        Box::new(move |value| run_record(&domain_owned, value)),
    );
    listing.statuses_applied = workflow_id.is_none();
    listing.since_applied = true;
    if let Some(workflow_id) = workflow_id {
        // Some emulators (moto) ignore executionFilter.
        let workflow_id = workflow_id.to_string();
        listing.keep = Some(Box::new(move |record: &RunRecord| {
            record.name.as_deref() == Some(workflow_id.as_str())
        }));
    }
    let since = match query.since {
        Some(since) => format!("started since {}", since.to_rfc3339()),
        None => "started at any time".to_string(),
    };
    listing.window = Some(format!(
        "histx: listed the runs {since} in domain {domain}; SWF keeps closed runs only for \
         the domain's retention period"
    ));
    listing
}

/// The newest run of a workflow with one of `statuses`: its run id and the line that
/// says which was chosen and how to name it.
pub(super) async fn newest_with_status(
    client: &aws_sdk_swf::Client,
    domain: &str,
    workflow_id: &str,
    statuses: &[Status],
) -> Result<(String, String)> {
    let query = RunQuery::newest(statuses);
    let which = RunQuery::which(statuses);
    let Some(run) =
        crate::listing::newest(runs(client, domain, Some(workflow_id), &query), &query).await?
    else {
        return Err(anyhow!(
            "workflow '{}' in domain '{}' has no {which} run (`histx swf ls --domain {} {}` lists its runs)",
            terminal_safe(workflow_id),
            terminal_safe(domain),
            terminal_safe(domain),
            terminal_safe(workflow_id)
        ));
    };
    let run_id = run
        .execution
        .splitn(3, '/')
        .nth(2)
        .unwrap_or_default()
        .to_string();
    let started = run
        .start
        .map(|t| format!(", started {}", t.to_rfc3339()))
        .unwrap_or_default();
    let line = format!(
        "histx: run {run_id} ({}{started}; the newest {which}; `histx swf {}` names it)",
        run.status.map_or("", Status::as_str),
        run.execution
    );
    Ok((run_id, terminal_safe(&line).into_owned()))
}

/// A WorkflowExecutionInfo as a listing record: `execution` is
/// `DOMAIN/WORKFLOW_ID/RUN_ID`, `name` the workflowId, `parent` the workflow type.
fn run_record(domain: &str, value: Value) -> Option<RunRecord> {
    let Value::Object(mut fields) = value else {
        return None;
    };
    let execution = fields.get("execution")?;
    let workflow_id = execution.get("workflowId")?.as_str()?.to_string();
    let run_id = execution.get("runId")?.as_str()?.to_string();
    fields.shift_remove("execution");
    let mut record = RunRecord::new(SERVICE, format!("{domain}/{workflow_id}/{run_id}"));
    // The workflowId is shared by the workflow's runs: the table shows the execution.
    record.label = Some(record.execution.clone());
    record.name = Some(workflow_id);
    record.status = Some(run_status_of(
        fields
            .get("executionStatus")
            .and_then(Value::as_str)
            .unwrap_or("OPEN"),
        fields.get("closeStatus").and_then(Value::as_str),
    ));
    record.start = take_time(&mut fields, "startTimestamp");
    record.end = take_time(&mut fields, "closeTimestamp");
    if let Some(Value::Object(kind)) = fields.get("workflowType") {
        let name = kind.get("name").and_then(Value::as_str).unwrap_or_default();
        let version = kind
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or_default();
        record.parent = Some(format!("{name}/{version}"));
        fields.shift_remove("workflowType");
    }
    record.details = fields;
    Some(record)
}

/// ListOpenWorkflowExecutions or ListClosedWorkflowExecutions, one page per call, from
/// the wire.
struct ListRuns {
    client: aws_sdk_swf::Client,
    domain: String,
    workflow_id: Option<String>,
    oldest: Timestamp,
    closed: bool,
    close_status: Option<String>,
}

impl PageApi for ListRuns {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::default();
        let window = ExecutionTimeFilter::builder()
            .oldest_date(aws_smithy_types::DateTime::from_millis(self.oldest.0))
            .build()?;
        let filter = match &self.workflow_id {
            Some(id) => Some(WorkflowExecutionFilter::builder().workflow_id(id).build()?),
            None => None,
        };
        let size = Some(page_size as i32).filter(|&n| (n as usize) < PAGE);
        if self.closed {
            let status = match &self.close_status {
                Some(status) => Some(
                    CloseStatusFilter::builder()
                        .status(CloseStatus::from(status.as_str()))
                        .build()?,
                ),
                None => None,
            };
            self.client
                .list_closed_workflow_executions()
                .domain(&self.domain)
                .start_time_filter(window)
                .set_execution_filter(filter)
                .set_close_status_filter(status)
                .set_maximum_page_size(size)
                .set_next_page_token(token)
                .customize()
                .interceptor(tap.clone())
                .send()
                .await
                .map_err(aws::describe_error)?;
        } else {
            self.client
                .list_open_workflow_executions()
                .domain(&self.domain)
                .start_time_filter(window)
                .set_execution_filter(filter)
                .set_maximum_page_size(size)
                .set_next_page_token(token)
                .customize()
                .interceptor(tap.clone())
                .send()
                .await
                .map_err(aws::describe_error)?;
        }
        tap.page("executionInfos", "nextPageToken")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_record_names_what_histx_swf_takes() {
        let record = run_record(
            "prod",
            serde_json::json!({
                "execution": {"workflowId": "order-1", "runId": "22W6Js="},
                "workflowType": {"name": "Orders", "version": "3"},
                "startTimestamp": 1700000000.0, "closeTimestamp": 1700000060.0,
                "executionStatus": "CLOSED", "closeStatus": "TERMINATED", "cancelRequested": false
            }),
        )
        .unwrap();
        assert_eq!(record.execution, "prod/order-1/22W6Js=");
        assert_eq!(record.status, Some(Status::Aborted));
        assert_eq!(record.parent.as_deref(), Some("Orders/3"));
        assert_eq!(record.duration_ms(), Some(60_000));
        assert_eq!(record.details["closeStatus"], "TERMINATED");
    }
}

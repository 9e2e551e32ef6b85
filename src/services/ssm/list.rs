//! SSM Automation listings and the newest automation: `histx ssm ls [DOCUMENT_NAME]`
//! (DescribeAutomationExecutions, 50 a page, the API's maximum) and `histx ssm
//! DOCUMENT_NAME`, which shows the document's newest automation (the newest that no
//! other automation started: a rate-controlled run's children share its document). The API's
//! DocumentNamePrefix filter matches by prefix, so the exact name is checked again
//! here; `--run-status` is its ExecutionStatus filter (every status value that
//! normalizes to the one asked for), `--since` its StartTimeAfter filter (checked again
//! here, to the millisecond). The API does not document an order: each page is put
//! newest first, and pages are taken in the order the service sends them (newest first
//! in practice).

use super::{status_of, AutomationExecution, SERVICE};
use crate::aws::{self, Connection, ServiceFailure, WireTap};
use crate::escape::terminal_safe;
use crate::exit::UsageError;
use crate::model::{RunRecord, Status, Timestamp};
use crate::services::{RunListing, RunQuery};
use crate::source::merged::Merged;
use crate::source::pager::{Page, PageApi, TokenPager};
use crate::source::BoxedSource;
use crate::wire::{take_string, take_time};
use anyhow::{anyhow, Result};
use aws_sdk_ssm::types::{
    AutomationExecutionFilter, AutomationExecutionFilterKey, AutomationExecutionStatus,
};
use serde_json::Value;

/// `histx ssm ls` arguments of its own.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Automation executions, newest first (DescribeAutomationExecutions, 50 \
a page). With DOCUMENT_NAME, only that document's (the API matches a prefix; histx keeps the \
exact name). Each record's `execution` is the automation execution id `histx ssm` takes. No \
name completion: it would cost a request."
)]
pub struct ListArgs {
    /// Only the automations of this document (runbook)
    #[arg(value_name = "DOCUMENT_NAME")]
    pub document: Option<String>,
}

/// The largest page DescribeAutomationExecutions returns.
const PAGE: usize = 50;

/// The most values one filter takes.
const MAX_FILTER_VALUES: usize = 10;

/// A document name as SSM allows it: 3 to 128 letters, digits and `_ - .` (a shared
/// document's name may hold `:` and `/` too).
pub fn valid_document_name(name: &str) -> bool {
    (3..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:/".contains(c))
}

/// True for a UUID (8-4-4-4-12 hexadecimal digits): an automation execution id.
pub fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `i-` and 8 or 17 hexadecimal digits: what people paste from the EC2 console.
fn looks_like_instance_id(text: &str) -> bool {
    text.strip_prefix("i-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17) && hex.chars().all(|c| c.is_ascii_hexdigit())
    })
}

/// What `histx ssm` is given: an automation (its id or ARN), or a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsmTarget {
    Automation(AutomationExecution),
    Document(String),
}

impl SsmTarget {
    /// An automation execution id is a UUID (or an ARN); any other valid document name
    /// is a document. Checked before any request.
    pub fn parse(text: &str) -> Result<Self, UsageError> {
        if text.starts_with("arn:") || is_uuid(text) {
            return AutomationExecution::parse(text).map(SsmTarget::Automation);
        }
        crate::services::not_a_verb(
            SERVICE,
            text,
            "a document of that name is listed by `histx ssm ls <NAME>`",
        )?;
        if looks_like_instance_id(text) {
            return Err(UsageError::new(format!(
                "'{}' is an EC2 instance ID, not an automation execution ID or a document name \
                 (list automations: histx ssm ls)",
                crate::escape::echo(text)
            )));
        }
        if valid_document_name(text) {
            return Ok(SsmTarget::Document(text.to_string()));
        }
        Err(UsageError::new(format!(
            "not an automation execution ID or a document name: '{}'; expected an ID like \
             4105a4fc-f944-11e6-9d32-0123456789ab or a document name (3 to 128 letters, \
             digits and _ - .) (list them: histx ssm ls)",
            crate::escape::echo(text)
        )))
    }
}

/// A client for the configured region, and that region's name.
pub async fn region_client(connection: &Connection) -> Result<(aws_sdk_ssm::Client, String)> {
    let config = aws::load_config(connection, None).await?;
    let region = config
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "the configured region".to_string());
    Ok((crate::reader_client!(aws_sdk_ssm, &config), region))
}

/// Fails with InvalidDocument, naming the region, when DescribeDocument finds no
/// document of that name: DescribeAutomationExecutions lists nothing for a name that
/// does not exist, as for a document never run. Any other answer (the document, or an
/// error such as AccessDenied for a caller who may list automations only) lets the
/// empty listing stand.
async fn document_exists(client: aws_sdk_ssm::Client, name: String, region: String) -> Result<()> {
    let answer = client.describe_document().name(&name).send().await;
    match answer {
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_invalid_document()) =>
        {
            Err(anyhow!(ServiceFailure {
                code: "InvalidDocument".into(),
                message: Some(format!(
                    "no document named '{}' in {region} (DescribeDocument finds none; \
                     `histx ssm ls` lists the automations there are)",
                    terminal_safe(&name)
                )),
            }))
        }
        _ => Ok(()),
    }
}

/// Every AutomationExecutionStatus the SDK knows, with its normalized status.
fn automation_statuses() -> Vec<(&'static str, Status)> {
    AutomationExecutionStatus::values()
        .iter()
        .map(|wire| (*wire, status_of(wire)))
        .collect()
}

/// The automations of the region, or of one document, newest first.
pub fn automations(
    client: &aws_sdk_ssm::Client,
    region: &str,
    document: Option<&str>,
    query: &RunQuery,
) -> RunListing {
    let mut listing = automations_unchecked(client, document, query);
    if let Some(document) = document {
        listing.if_empty = Some(Box::pin(document_exists(
            client.clone(),
            document.to_string(),
            region.to_string(),
        )));
    }
    listing
}

fn automations_unchecked(
    client: &aws_sdk_ssm::Client,
    document: Option<&str>,
    query: &RunQuery,
) -> RunListing {
    let mut filters = Vec::new();
    if let Some(document) = document {
        filters.push((
            AutomationExecutionFilterKey::DocumentNamePrefix,
            vec![document.to_string()],
        ));
    }
    let all = automation_statuses();
    let mut statuses_applied = false;
    match query.wire_statuses(&all) {
        Some(wire) if wire.is_empty() => {
            // No status the service has normalizes to the one asked for: nothing to ask.
            let mut listing = RunListing::runs(
                Box::new(Merged::new(Vec::new(), |_| None)),
                Box::new(automation_record),
            );
            listing.statuses_applied = true;
            return listing;
        }
        Some(wire) if wire.len() <= MAX_FILTER_VALUES => {
            filters.push((
                AutomationExecutionFilterKey::ExecutionStatus,
                wire.into_iter().map(str::to_string).collect(),
            ));
            statuses_applied = true;
        }
        _ => {}
    }
    if let Some(since) = query.since {
        // To the second, rounded down: histx checks the millisecond itself.
        let second = Timestamp(since.0.div_euclid(1000) * 1000 - 1000);
        let text = second.to_rfc3339().replace(".000Z", "Z");
        filters.push((AutomationExecutionFilterKey::StartTimeAfter, vec![text]));
    }
    let source: BoxedSource = Box::new(TokenPager::new(
        DescribeAutomations {
            client: client.clone(),
            filters,
        },
        PAGE,
    ));
    let mut listing = RunListing::runs(source, Box::new(automation_record));
    listing.statuses_applied = statuses_applied;
    if let Some(document) = document {
        let document = document.to_string();
        listing.keep = Some(Box::new(move |record: &RunRecord| {
            record.parent.as_deref() == Some(document.as_str())
        }));
    }
    listing
}

/// The newest automation of a document with one of `statuses` (any, when empty), and
/// the line that says which was chosen and how to name it.
pub async fn newest_automation(
    client: &aws_sdk_ssm::Client,
    region: &str,
    document: &str,
    statuses: &[Status],
) -> Result<(AutomationExecution, String)> {
    let query = RunQuery::newest(statuses);
    let which = RunQuery::which(statuses);
    let shown = terminal_safe(document);
    // A rate-controlled automation's children run the same document, started after it:
    // the run people mean is the one they started. Only a document that has no
    // automation of its own (one only ever started by another) shows its newest child.
    let mut top_level = automations(client, region, Some(document), &query);
    top_level.if_empty = None;
    let exact = top_level.keep.take();
    top_level.keep = Some(Box::new(move |record: &RunRecord| {
        exact.as_ref().is_none_or(|keep| keep(record)) && started_by(record).is_none()
    }));
    let run = match crate::listing::newest(top_level, &query).await? {
        Some(run) => Some(run),
        None => {
            let every = automations(client, region, Some(document), &query);
            crate::listing::newest(every, &query).await?
        }
    };
    let Some(run) = run else {
        return Err(if statuses.is_empty() {
            anyhow!("document '{shown}' has no automation executions (`histx ssm ls` lists those there are)")
        } else {
            anyhow!("document '{shown}' has no {which} automation execution (`histx ssm ls {shown}` lists its automations)")
        });
    };
    let started = run
        .start
        .map(|t| format!(", started {}", t.to_rfc3339()))
        .unwrap_or_default();
    let newest = if statuses.is_empty() {
        "the newest".to_string()
    } else {
        format!("the newest {which}")
    };
    let parent = started_by(&run)
        .map(|parent| format!(", started by automation {parent}"))
        .unwrap_or_default();
    let line = format!(
        "histx: automation {} of {} ({}{started}{parent}; {newest}; `histx ssm {}` names it)",
        run.execution,
        document,
        run.status.map_or("", Status::as_str),
        run.execution
    );
    Ok((
        AutomationExecution::parse(&run.execution)?,
        terminal_safe(&line).into_owned(),
    ))
}

/// The automation that started this one (a rate-controlled run's, an
/// aws:executeAutomation step's), if another did.
fn started_by(record: &RunRecord) -> Option<&str> {
    record
        .details
        .get("ParentAutomationExecutionId")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
}

/// An automation of DescribeAutomationExecutions as a listing record.
fn automation_record(value: Value) -> Option<RunRecord> {
    let Value::Object(mut fields) = value else {
        return None;
    };
    let id = take_string(&mut fields, "AutomationExecutionId")?;
    let mut record = RunRecord::new(SERVICE, id);
    record.status = fields
        .get("AutomationExecutionStatus")
        .and_then(Value::as_str)
        .map(status_of);
    record.start = take_time(&mut fields, "ExecutionStartTime");
    // A running automation has no end: one listed anyway stays in details as sent.
    if record.status.is_some_and(Status::is_final) {
        record.end = take_time(&mut fields, "ExecutionEndTime");
    }
    record.parent = take_string(&mut fields, "DocumentName");
    record.details = fields;
    Some(record)
}

/// DescribeAutomationExecutions, one page per call, from the wire.
struct DescribeAutomations {
    client: aws_sdk_ssm::Client,
    filters: Vec<(AutomationExecutionFilterKey, Vec<String>)>,
}

impl PageApi for DescribeAutomations {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::default();
        let filters = self
            .filters
            .iter()
            .map(|(key, values)| {
                AutomationExecutionFilter::builder()
                    .key(key.clone())
                    .set_values(Some(values.clone()))
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.client
            .describe_automation_executions()
            .set_filters(Some(filters).filter(|f| !f.is_empty()))
            .max_results(page_size as i32)
            .set_next_token(token)
            .customize()
            .interceptor(tap.clone())
            .send()
            .await
            .map_err(aws::describe_error)?;
        tap.page("AutomationExecutionMetadataList", "NextToken")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_is_an_automation_and_any_other_name_a_document() {
        assert!(matches!(
            SsmTarget::parse("4105a4fc-f944-11e6-9d32-0123456789ab"),
            Ok(SsmTarget::Automation(_))
        ));
        assert_eq!(
            SsmTarget::parse("AWS-RestartEC2Instance").unwrap(),
            SsmTarget::Document("AWS-RestartEC2Instance".into())
        );
        assert!(SsmTarget::parse("no spaces allowed").is_err());
        assert!(SsmTarget::parse("ab").is_err());
    }

    #[test]
    fn every_wire_status_has_a_normalized_one() {
        let all = automation_statuses();
        let failed = RunQuery::new(&[Status::Failed], None, 1)
            .wire_statuses(&all)
            .unwrap();
        assert!(
            failed.contains(&"Failed") && failed.contains(&"CompletedWithFailure"),
            "{failed:?}"
        );
        let aborted = RunQuery::new(&[Status::Aborted], None, 1)
            .wire_statuses(&all)
            .unwrap();
        assert!(aborted.contains(&"Cancelled"), "{aborted:?}");
    }
}

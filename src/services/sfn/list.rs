//! Step Functions listings and the newest execution: `histx sfn ls` (ListStateMachines,
//! every page, newest first by creation), `histx sfn ls STATE_MACHINE` (ListExecutions,
//! 1000 a page, newest first as the API lists them; one list per status asked for,
//! through the API's statusFilter, merged), and `histx sfn STATE_MACHINE`, which shows
//! the newest execution (ListExecutions, a page of one). A state machine given by name
//! is resolved with ListStateMachines, every page, in the region.

use super::{ExecutionArn, ARN_FORM, SERVICE};
use crate::aws::{self, Connection, ServiceFailure, WireTap};
use crate::escape::terminal_safe;
use crate::exit::UsageError;
use crate::model::{RunRecord, Status};
use crate::services::{RunListing, RunQuery};
use crate::source::merged::Merged;
use crate::source::pager::{Page, PageApi, TokenPager};
use crate::source::{BoxedSource, Gathered, Source, Step};
use crate::wire::{parse_timestamp, take_string, take_time};
use anyhow::{anyhow, Result};
use serde_json::Value;

/// `histx sfn ls` arguments of its own.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Without STATE_MACHINE: the region's state machines, newest first \
(ListStateMachines, every page). With one: its executions, newest first (ListExecutions, \
1000 a page; --run-status is the API's statusFilter). Each record's `execution` is what \
`histx sfn` takes. No name completion: it would cost a request."
)]
pub struct ListArgs {
    /// The state machine whose executions to list: its ARN, or its name (looked up with
    /// ListStateMachines in the region)
    #[arg(value_name = "STATE_MACHINE")]
    pub state_machine: Option<String>,
}

/// The largest page of ListStateMachines and ListExecutions.
const PAGE: usize = 1000;

/// Every ExecutionStatus, with its normalized status.
pub const EXECUTION_STATUSES: [(&str, Status); 6] = [
    ("RUNNING", Status::Running),
    ("PENDING_REDRIVE", Status::Running),
    ("SUCCEEDED", Status::Succeeded),
    ("FAILED", Status::Failed),
    ("TIMED_OUT", Status::TimedOut),
    ("ABORTED", Status::Aborted),
];

/// A state machine, as the command line names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateMachine {
    /// Its ARN (a version's or an alias's too), and the region in it.
    Arn { arn: String, region: String },
    /// Its name, looked up in the region.
    Name(String),
}

impl StateMachine {
    /// A state machine ARN (`None` for any other text), checked.
    pub fn parse_arn(text: &str) -> Option<Result<Self, UsageError>> {
        let parts: Vec<&str> = text.split(':').collect();
        if parts.len() < 6
            || parts[0] != "arn"
            || parts[2] != "states"
            || parts[5] != "stateMachine"
        {
            return None;
        }
        let shown = crate::escape::echo(text);
        let name_ok = parts.get(6).is_some_and(|name| valid_name(name));
        let qualifier_ok = parts.get(7).is_none_or(|q| valid_name(q));
        if !(7..=8).contains(&parts.len()) || !name_ok || !qualifier_ok || parts[4].is_empty() {
            return Some(Err(UsageError::new(format!(
                "not a state machine ARN: '{shown}'; expected arn:aws:states:REGION:ACCOUNT:stateMachine:NAME"
            ))));
        }
        if let Err(e) = aws::check_region(parts[3]) {
            return Some(Err(UsageError::new(format!("the ARN '{shown}': {e}"))));
        }
        Some(Ok(StateMachine::Arn {
            arn: text.to_string(),
            region: parts[3].to_string(),
        }))
    }

    /// A state machine's ARN or name, checked before any request.
    pub fn parse(text: &str) -> Result<Self, UsageError> {
        if let Some(arn) = Self::parse_arn(text) {
            return arn;
        }
        if text.starts_with("arn:") {
            return Err(UsageError::new(format!(
                "not a state machine ARN: '{}'; expected arn:aws:states:REGION:ACCOUNT:stateMachine:NAME",
                crate::escape::echo(text)
            )));
        }
        if !valid_name(text) {
            return Err(not_a_name(text));
        }
        Ok(StateMachine::Name(text.to_string()))
    }

    /// How the user named it, for messages.
    pub fn shown(&self) -> &str {
        match self {
            StateMachine::Arn { arn, .. } => arn.rsplit(':').next().unwrap_or(arn),
            StateMachine::Name(name) => name,
        }
    }
}

fn not_a_name(text: &str) -> UsageError {
    UsageError::new(format!(
        "not a Step Functions execution ARN or state machine: '{}'; expected {ARN_FORM}, a \
         state machine ARN, or a state machine name (1 to 80 characters, no spaces, \
         brackets, wildcards or punctuation like : / , ;)",
        crate::escape::echo(text)
    ))
}

/// A name as Step Functions allows it: 1 to 80 characters, none of whitespace,
/// brackets, wildcards, `"#%\^|~`$&,;:/` or control characters.
pub fn valid_name(name: &str) -> bool {
    let bad =
        |c: char| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c);
    !name.is_empty() && name.chars().count() <= 80 && !name.chars().any(bad)
}

/// A client for the state machine's region (its ARN's, else the configured one), and
/// that region's name.
pub async fn machine_client(
    connection: &Connection,
    machine: Option<&StateMachine>,
) -> Result<(aws_sdk_sfn::Client, String)> {
    let hint = match machine {
        Some(StateMachine::Arn { region, .. }) => Some(region.as_str()),
        _ => None,
    };
    let config = aws::load_config(connection, hint).await?;
    let region = config
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "the configured region".to_string());
    Ok((crate::reader_client!(aws_sdk_sfn, &config), region))
}

/// The state machine's ARN: as given, or looked up by name (ListStateMachines, every
/// page); `StateMachineDoesNotExist` when the region has none of that name.
pub async fn resolve(
    client: &aws_sdk_sfn::Client,
    machine: &StateMachine,
    region: &str,
) -> Result<String> {
    let name = match machine {
        StateMachine::Arn { arn, .. } => return Ok(arn.clone()),
        StateMachine::Name(name) => name,
    };
    let mut pager = TokenPager::new(
        ListStateMachines {
            client: client.clone(),
        },
        PAGE,
    );
    while let Step::Page(page) = pager.next(None).await? {
        let found = page
            .iter()
            .find(|m| m.get("name").and_then(Value::as_str) == Some(name.as_str()))
            .and_then(|m| m.get("stateMachineArn").and_then(Value::as_str));
        if let Some(arn) = found {
            return Ok(arn.to_string());
        }
    }
    Err(anyhow!(ServiceFailure {
        code: "StateMachineDoesNotExist".into(),
        message: Some(format!(
            "no state machine named '{}' in {region} (ListStateMachines lists none; \
             `histx sfn ls` lists those there are)",
            terminal_safe(name)
        )),
    }))
}

/// `histx sfn ls`: the region's state machines, newest first.
pub fn state_machines(client: aws_sdk_sfn::Client) -> RunListing {
    let every = TokenPager::new(ListStateMachines { client }, PAGE);
    let sorted = Gathered::new(Box::new(every), |mut machines: Vec<Value>| {
        machines
            .sort_by_key(|m| std::cmp::Reverse(m.get("creationDate").and_then(parse_timestamp)));
        Ok(machines)
    });
    let mut listing = RunListing::runs(Box::new(sorted), Box::new(machine_record));
    listing.parents = true;
    listing.noun = ("state machine", "state machines");
    listing
}

/// `histx sfn ls STATE_MACHINE`: its executions, newest first; with `--run-status`, one
/// list per ExecutionStatus asked for (the API's statusFilter), merged.
pub fn executions(client: &aws_sdk_sfn::Client, machine_arn: &str, query: &RunQuery) -> RunListing {
    let list = |status: Option<&str>| -> BoxedSource {
        Box::new(TokenPager::new(
            ListExecutions {
                client: client.clone(),
                machine_arn: machine_arn.to_string(),
                status: status.map(str::to_string),
            },
            PAGE,
        ))
    };
    let sources: Vec<BoxedSource> = match query.wire_statuses(&EXECUTION_STATUSES) {
        None => vec![list(None)],
        Some(statuses) => statuses.into_iter().map(|s| list(Some(s))).collect(),
    };
    let source: BoxedSource = if sources.len() == 1 {
        sources.into_iter().next().expect("one list")
    } else {
        Box::new(Merged::new(sources, |e: &Value| {
            e.get("startDate").and_then(parse_timestamp).map(|t| t.0)
        }))
    };
    let mut listing = RunListing::runs(source, Box::new(execution_record));
    listing.statuses_applied = true;
    listing
}

/// The newest execution of a state machine with one of `statuses` (any, when empty), and
/// the line that says which was chosen and how to name it.
pub async fn newest_execution(
    client: &aws_sdk_sfn::Client,
    machine: &StateMachine,
    machine_arn: &str,
    statuses: &[Status],
) -> Result<(ExecutionArn, String)> {
    let query = RunQuery::newest(statuses);
    let listing = executions(client, machine_arn, &query);
    let which = RunQuery::which(statuses);
    let Some(run) = crate::listing::newest(listing, &query).await? else {
        let shown = terminal_safe(machine.shown());
        return Err(if statuses.is_empty() {
            anyhow!("state machine '{shown}' has no executions")
        } else {
            anyhow!("state machine '{shown}' has no {which} execution (`histx sfn ls {shown}` lists its executions)")
        });
    };
    let arn = ExecutionArn::parse(&run.execution)?;
    let status = run.status.map_or("", Status::as_str);
    let started = run
        .start
        .map(|t| format!(", started {}", t.to_rfc3339()))
        .unwrap_or_default();
    let newest = if statuses.is_empty() {
        "the newest".to_string()
    } else {
        format!("the newest {which}")
    };
    let line = format!(
        "histx: execution {} of {} ({status}{started}; {newest}; `histx sfn {}` names it)",
        run.name.as_deref().unwrap_or_default(),
        machine.shown(),
        arn.arn
    );
    Ok((arn, terminal_safe(&line).into_owned()))
}

/// An execution of ListExecutions as a listing record.
fn execution_record(value: Value) -> Option<RunRecord> {
    let Value::Object(mut fields) = value else {
        return None;
    };
    let execution = take_string(&mut fields, "executionArn")?;
    let mut record = RunRecord::new(SERVICE, execution);
    record.name = take_string(&mut fields, "name");
    record.status = fields
        .get("status")
        .and_then(Value::as_str)
        .map(super::execution_status_of);
    record.start = take_time(&mut fields, "startDate");
    record.end = take_time(&mut fields, "stopDate");
    record.parent = take_string(&mut fields, "stateMachineArn");
    record.details = fields;
    Some(record)
}

/// A state machine of ListStateMachines as a listing record: `execution` is its ARN
/// (what `histx sfn` takes, to show its newest execution), `start` its creation.
fn machine_record(value: Value) -> Option<RunRecord> {
    let Value::Object(mut fields) = value else {
        return None;
    };
    let arn = take_string(&mut fields, "stateMachineArn")?;
    let mut record = RunRecord::new(SERVICE, arn);
    record.name = take_string(&mut fields, "name");
    record.start = take_time(&mut fields, "creationDate");
    record.details = fields;
    Some(record)
}

/// ListStateMachines, one page per call, from the wire.
struct ListStateMachines {
    client: aws_sdk_sfn::Client,
}

impl PageApi for ListStateMachines {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::default();
        self.client
            .list_state_machines()
            .max_results(page_size as i32)
            .set_next_token(token)
            .customize()
            .interceptor(tap.clone())
            .send()
            .await
            .map_err(aws::describe_error)?;
        tap.page("stateMachines", "nextToken")
    }
}

/// ListExecutions of one state machine, one page per call, from the wire.
struct ListExecutions {
    client: aws_sdk_sfn::Client,
    machine_arn: String,
    status: Option<String>,
}

impl PageApi for ListExecutions {
    async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
        let tap = WireTap::default();
        self.client
            .list_executions()
            .state_machine_arn(&self.machine_arn)
            .set_status_filter(
                self.status
                    .as_deref()
                    .map(aws_sdk_sfn::types::ExecutionStatus::from),
            )
            .max_results(page_size as i32)
            .set_next_token(token)
            .customize()
            .interceptor(tap.clone())
            .send()
            .await
            .map_err(aws::describe_error)?;
        tap.page("executions", "nextToken")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_machines_are_named_by_arn_or_name() {
        assert_eq!(
            StateMachine::parse("arn:aws:states:eu-west-1:123456789012:stateMachine:orders")
                .unwrap(),
            StateMachine::Arn {
                arn: "arn:aws:states:eu-west-1:123456789012:stateMachine:orders".into(),
                region: "eu-west-1".into()
            }
        );
        assert!(StateMachine::parse(
            "arn:aws:states:eu-west-1:123456789012:stateMachine:orders:prod"
        )
        .is_ok());
        assert_eq!(
            StateMachine::parse("orders").unwrap(),
            StateMachine::Name("orders".into())
        );
        for bad in [
            "",
            "two words",
            "a/b",
            "x:y",
            &"n".repeat(81),
            "arn:aws:states:eu-west-1:1:stateMachine:",
        ] {
            assert!(StateMachine::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_execution_record_keeps_every_other_field() {
        let record = execution_record(serde_json::json!({
            "executionArn": "arn:aws:states:us-east-1:1:execution:orders:r1",
            "stateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:orders",
            "name": "r1", "status": "PENDING_REDRIVE", "startDate": 1700000000.5,
            "redriveCount": 1, "someFieldNewerThanTheSdk": {"a": 1}
        }))
        .unwrap();
        assert_eq!(record.status, Some(Status::Running));
        assert_eq!(record.details["status"], "PENDING_REDRIVE");
        assert_eq!(record.details["someFieldNewerThanTheSdk"]["a"], 1);
        assert!(!record.details.contains_key("executionArn"));
    }
}

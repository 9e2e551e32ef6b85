//! Step Functions: `histx sfn <execution-arn>`, from `GetExecutionHistory`.
//!
//! Pages of up to 1000 events (the API maximum); every event type and field, including
//! ones newer than the SDK we build with, reaches `-o raw` and the event's `details`,
//! because pages are read from the wire JSON rather than from the SDK's typed events.

mod api;
mod normalize;
mod tree;

pub use api::*;
pub use normalize::*;

use crate::aws::Connection;
use crate::exit::UsageError;
use crate::model::{Event, Node, RunSummary};
use crate::services::{Origin, ReadPlan, RunState, Service, Turn, Watch};
use crate::source::pager::TokenPager;
use crate::source::saved::SavedShape;
use crate::source::{BoxedSource, PageByPage};
use crate::wire::as_i64;
use anyhow::Result;
use serde_json::Value;

pub const SERVICE: &str = "sfn";

/// `histx sfn show` arguments of its own.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The execution's ARN: arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME.
    /// With --from it is optional and only labels the events.
    #[arg(value_name = "EXECUTION_ARN")]
    pub execution_arn: Option<String>,

    /// Leave every event's input, output and Task parameters out (includeExecutionData=false
    /// when reading from AWS; a saved history's are dropped too): smaller, faster pages
    /// when only the flow matters.
    #[arg(long)]
    pub no_data: bool,
}

/// Step Functions, for one execution.
pub struct Sfn {
    arn: Option<ExecutionArn>,
    include_data: bool,
    /// Made on the first request, for those that follow.
    client: Option<aws_sdk_sfn::Client>,
}

impl Sfn {
    /// The execution, and a client for its region; a usage error when none is named.
    async fn connected(
        &mut self,
        connection: &Connection,
    ) -> Result<(&ExecutionArn, aws_sdk_sfn::Client)> {
        let Some(arn) = &self.arn else {
            return Err(UsageError::new(format!(
                "`histx sfn` needs an execution ARN ({ARN_FORM}), or --from FILE"
            ))
            .into());
        };
        if self.client.is_none() {
            self.client = Some(client(connection, arn).await?);
        }
        Ok((arn, self.client.clone().expect("made above")))
    }
}

impl Service for Sfn {
    const NAME: &'static str = SERVICE;
    /// The largest page GetExecutionHistory returns.
    const MAX_PAGE_SIZE: usize = 1000;
    const SAVED_SHAPE: SavedShape = SavedShape {
        service: SERVICE,
        history: "Step Functions history",
        events_key: "events",
        event_marker: "type",
        run_key: None,
        what: "GetExecutionHistory output (an object with \"events\")",
    };

    type Args = Args;
    type Normalizer = SfnNormalizer;

    fn new(args: Args) -> Result<Self> {
        let arn = args
            .execution_arn
            .as_deref()
            .map(ExecutionArn::parse)
            .transpose()?;
        Ok(Sfn {
            arn,
            include_data: !args.no_data,
            client: None,
        })
    }

    fn normalizer(&self) -> SfnNormalizer {
        SfnNormalizer::new(self.arn.as_ref().map(|a| a.arn.clone()), self.include_data)
    }

    async fn live(&mut self, connection: &Connection, read: ReadPlan) -> Result<BoxedSource> {
        let include_data = self.include_data;
        let (arn, client) = self.connected(connection).await?;
        let api = LiveHistory::new(client, arn, read.reverse, include_data);
        Ok(Box::new(TokenPager::new(api, read.page_size)))
    }

    const FOLLOWS: bool = true;

    /// DescribeExecution, and GetExecutionHistory newest first.
    async fn watch(&mut self, connection: &Connection) -> Result<Box<dyn Watch>> {
        let include_data = self.include_data;
        let (arn, client) = self.connected(connection).await?;
        Ok(Box::new(Watched {
            client,
            arn: arn.clone(),
            include_data,
        }))
    }

    /// DescribeExecution.
    async fn status(&mut self, connection: &Connection) -> Result<RunState> {
        let (arn, client) = self.connected(connection).await?;
        let arn = arn.arn.clone();
        describe_execution(&client, &arn).await
    }

    /// A saved history in order; with `--no-data`, without its execution data, as the
    /// API sends live pages with includeExecutionData=false: `-o raw` then agrees with
    /// the normalized output.
    fn arrange(&self, source: BoxedSource, origin: Origin, read: ReadPlan) -> Result<BoxedSource> {
        let source: BoxedSource = match origin {
            Origin::File if !self.include_data => {
                Box::new(PageByPage::new(source, |page: Vec<Value>| {
                    page.into_iter().map(without_execution_data).collect()
                }))
            }
            _ => source,
        };
        crate::services::arrange_by_default(source, origin, read, Self::history_order)
    }

    /// Event ids, contiguous from 1.
    fn history_order(record: &Value) -> Option<i64> {
        record.get("id").and_then(as_i64)
    }

    fn summary(&self, events: &[Event]) -> RunSummary {
        tree::summary(events)
    }

    fn tree(&self, events: &[Event], summary: &RunSummary) -> Vec<Node> {
        let name = self.arn.as_ref().and_then(|arn| arn.arn.rsplit(':').next());
        tree::tree(events, name, summary)
    }
}

/// A running execution, as follow mode polls it.
struct Watched {
    client: aws_sdk_sfn::Client,
    arn: ExecutionArn,
    include_data: bool,
}

impl Watch for Watched {
    fn status(
        &mut self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<RunState>> + '_>> {
        Box::pin(describe_execution(&self.client, &self.arn.arn))
    }

    fn newest_first(&mut self) -> BoxedSource {
        let api = LiveHistory::new(self.client.clone(), &self.arn, true, self.include_data);
        Box::new(TokenPager::new(api, Self::PAGE))
    }

    /// The execution's own events: `ExecutionRedriven` reopens a run that failed, timed
    /// out or was aborted (DescribeExecution says RUNNING again, or PENDING_REDRIVE on the
    /// way there); the others end it.
    fn turn(&self, record: &Value) -> Option<Turn> {
        match record.get("type")?.as_str()? {
            "ExecutionRedriven" => Some(Turn::Reopened),
            "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted" => {
                Some(Turn::Ended)
            }
            _ => None,
        }
    }

    /// A run that ended can be redriven.
    fn reopens(&self) -> bool {
        true
    }
}

impl Watched {
    const PAGE: usize = <Sfn as Service>::MAX_PAGE_SIZE;
}

/// A checked Step Functions execution ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionArn {
    pub arn: String,
    pub region: String,
}

const ARN_FORM: &str = "arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME";

impl ExecutionArn {
    /// Checks an execution ARN before any request, with a hint for the ARNs people
    /// confuse with one.
    pub fn parse(text: &str) -> Result<Self, UsageError> {
        let shown = crate::escape::terminal_safe(text);
        if text.trim().is_empty() {
            return Err(UsageError::new(format!(
                "the execution ARN is empty; expected {ARN_FORM}"
            )));
        }
        let parts: Vec<&str> = text.split(':').collect();
        let not_execution = |hint: &str| {
            UsageError::new(format!(
                "not a Step Functions execution ARN: '{shown}'; {hint}"
            ))
        };
        if parts.len() < 6 || parts[0] != "arn" || !parts[1].starts_with("aws") {
            return Err(not_execution(&format!("expected {ARN_FORM}")));
        }
        if parts[2] != "states" {
            return Err(not_execution(&format!(
                "this is an ARN of the '{}' service; expected {ARN_FORM}",
                crate::escape::terminal_safe(parts[2])
            )));
        }
        let (region, account, resource) = (parts[3], parts[4], parts[5]);
        crate::aws::check_region(region)
            .map_err(|e| UsageError::new(format!("the ARN '{shown}': {e}")))?;
        let well_formed =
            |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        match resource {
            "execution" if parts.len() == 8 && parts[3..].iter().all(|p| well_formed(p)) => Ok(ExecutionArn {
                arn: text.to_string(),
                region: region.to_string(),
            }),
            "execution" => Err(not_execution(&format!("expected {ARN_FORM}"))),
            "stateMachine" => {
                let machine = parts.get(6).copied().unwrap_or("STATE_MACHINE");
                Err(not_execution(&format!(
                    "this is a state machine ARN; name one of its executions, \
                     arn:aws:states:{region}:{account}:execution:{machine}:EXECUTION_NAME \
                     (list them: aws stepfunctions list-executions --state-machine-arn <ARN>)"
                )))
            }
            "express" => Err(not_execution(
                "this is an Express execution, which has no execution history API; its history is in the state machine's CloudWatch Logs",
            )),
            "activity" => Err(not_execution(
                "this is an activity ARN; activities have no history of their own, name the execution that ran it",
            )),
            "mapRun" => Err(not_execution(
                "this is a Map Run ARN; list its child executions with aws stepfunctions list-executions --map-run-arn <ARN>",
            )),
            other => Err(not_execution(&format!(
                "'{}' resources have no history; expected {ARN_FORM}",
                crate::escape::terminal_safe(other)
            ))),
        }
    }
}

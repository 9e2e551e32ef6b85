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

use crate::exit::UsageError;
use crate::pipeline::print_history;
use crate::saved::SavedHistory;
use crate::saved::SavedShape;

use crate::services::Context;
use anyhow::Result;

pub const SERVICE: &str = "sfn";

/// The largest page GetExecutionHistory returns.
pub const MAX_PAGE_SIZE: usize = 1000;

/// What saved GetExecutionHistory output looks like.
pub const SAVED_SHAPE: SavedShape = SavedShape {
    events_key: "events",
    event_marker: "type",
    what: "GetExecutionHistory output (an object with \"events\")",
};

/// `histx sfn` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The execution's ARN: arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME.
    /// With --from it is optional and only labels the events.
    #[arg(value_name = "EXECUTION_ARN")]
    pub execution_arn: Option<String>,

    /// Leave every event's input and output out (includeExecutionData=false): smaller,
    /// faster pages when only the flow matters.
    #[arg(long)]
    pub no_data: bool,
}

/// Prints the history of one execution, live or from `--from`.
pub async fn run(args: Args, context: Context<'_>) -> Result<()> {
    let arn = args
        .execution_arn
        .as_deref()
        .map(ExecutionArn::parse)
        .transpose()?;
    let plan = context.plan(SERVICE, MAX_PAGE_SIZE)?;
    let normalizer = SfnNormalizer::new(arn.as_ref().map(|a| a.arn.clone()));
    let common = context.common;
    if let Some(path) = &common.from {
        let mut source = SavedHistory::open(path, SAVED_SHAPE, common.reverse)?;
        return print_history(&mut source, normalizer, plan, context.output).await;
    }
    let Some(arn) = arn else {
        return Err(UsageError::new(format!(
            "histx sfn needs an execution ARN ({ARN_FORM}), or --from FILE"
        ))
        .into());
    };
    let mut source =
        LiveHistory::connect(&context.connection, &arn, common.reverse, !args.no_data).await?;
    print_history(&mut source, normalizer, plan, context.output).await
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
        let shown = crate::render::terminal_safe(text);
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
                crate::render::terminal_safe(parts[2])
            )));
        }
        let (region, account, resource) = (parts[3], parts[4], parts[5]);
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
                crate::render::terminal_safe(other)
            ))),
        }
    }
}

//! Step Functions: `histx sfn <execution-arn>`, from `GetExecutionHistory`.
//!
//! Pages of up to 1000 events (the API maximum); every event type and field, including
//! ones newer than the SDK we build with, reaches `-o raw` and the event's `details`,
//! because pages are read from the wire JSON rather than from the SDK's typed events.

use crate::aws::{self, Connection, WireTap};
use crate::exit::UsageError;
use crate::fetch::{Page, PageSource};
use crate::model::{Event, EventId, Node, RunSummary, Status};
use crate::pipeline::print_history;
use crate::saved::SavedHistory;
use crate::saved::SavedShape;
use crate::services::sfn_tree;
use crate::services::Context;
use crate::services::Normalizer;
use crate::wire::{as_i64, decode_payload, parse_timestamp, take_string};
use anyhow::Result;
use serde_json::{Map, Value};
use std::collections::HashMap;

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

/// GetExecutionHistory, one page per call, through the SDK.
pub struct LiveHistory {
    client: aws_sdk_sfn::Client,
    arn: String,
    reverse: bool,
    include_data: bool,
}

impl LiveHistory {
    pub async fn connect(
        connection: &Connection,
        arn: &ExecutionArn,
        reverse: bool,
        include_data: bool,
    ) -> Result<Self> {
        let config = aws::load_config(connection, Some(&arn.region)).await?;
        Ok(LiveHistory {
            client: aws_sdk_sfn::Client::new(&config),
            arn: arn.arn.clone(),
            reverse,
            include_data,
        })
    }
}

impl PageSource for LiveHistory {
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

/// Which events share a state's name: a Task event is named after the Task state that
/// scheduled it, a Map Run after its Map state, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Task,
    Map,
    Parallel,
    Wait,
    /// Execution-level events, the other state types and unknown types: never inherit.
    None,
}

fn family(kind: &str) -> Family {
    if kind.starts_with("Task")
        || kind.starts_with("Activity")
        || kind.starts_with("LambdaFunction")
    {
        Family::Task
    } else if kind.starts_with("Map") {
        Family::Map
    } else if kind.starts_with("ParallelState") {
        Family::Parallel
    } else if kind.starts_with("WaitState") {
        Family::Wait
    } else {
        Family::None
    }
}

/// The normalized status of an event type, by the suffix convention every Step Functions
/// type follows, so that types newer than this code are mapped too.
pub fn status_of(kind: &str) -> Status {
    if kind == "FailStateEntered" {
        return Status::Failed;
    }
    const SUFFIXES: &[(&str, Status)] = &[
        ("Failed", Status::Failed),
        ("TimedOut", Status::TimedOut),
        ("Aborted", Status::Aborted),
        ("Succeeded", Status::Succeeded),
        ("Exited", Status::Succeeded),
        ("Scheduled", Status::Scheduled),
        ("Submitted", Status::Running),
        ("Started", Status::Started),
        ("Entered", Status::Started),
        ("Redriven", Status::Started),
    ];
    SUFFIXES
        .iter()
        .find(|(suffix, _)| kind.ends_with(suffix))
        .map_or(Status::Info, |(_, status)| *status)
}

/// What the normalizer remembers of an event, to name the events caused by it.
struct Known {
    family: Family,
    name: Option<String>,
}

/// Normalizes Step Functions history events (see the README's JSON lines schema).
pub struct SfnNormalizer {
    execution: Option<String>,
    known: HashMap<i64, Known>,
}

impl SfnNormalizer {
    pub fn new(execution: Option<String>) -> Self {
        SfnNormalizer {
            execution,
            known: HashMap::new(),
        }
    }

    /// The name an event carries itself: `stateEnteredEventDetails.name` and the like,
    /// or the `state` an `EvaluationFailed` event names.
    fn own_name(raw: &Value) -> Option<String> {
        raw.as_object()?
            .iter()
            .filter(|(key, _)| key.ends_with("EventDetails"))
            .find_map(|(_, details)| {
                let named = details.get("name").or_else(|| details.get("state"));
                named?.as_str().map(str::to_string)
            })
    }

    /// Names the events of a page that carry no name, from the event that caused them.
    /// A page in reverse order lists causes after their effects, hence a walk up the
    /// previousEventId chain instead of a look-back.
    fn inherited_name(&self, id: i64, page_parents: &HashMap<i64, i64>) -> Option<String> {
        let mut current = id;
        let child_family = self.known.get(&id)?.family;
        if child_family == Family::None {
            return None;
        }
        for _ in 0..64 {
            let parent = *page_parents.get(&current)?;
            let known = self.known.get(&parent)?;
            if known.family != child_family {
                return None;
            }
            if known.name.is_some() {
                return known.name.clone();
            }
            current = parent;
        }
        None
    }

    fn normalize_one(&self, raw: Value, name: Option<String>) -> Event {
        let Value::Object(mut fields) = raw else {
            let mut event = Event::new(SERVICE, "", Status::Info);
            event.details.insert("event".into(), raw);
            return event;
        };
        let kind = take_string(&mut fields, "type").unwrap_or_default();
        let mut event = Event::new(SERVICE, kind, Status::Info);
        event.status = status_of(&event.kind);
        event.execution = self.execution.clone();
        event.id = fields
            .shift_remove("id")
            .as_ref()
            .and_then(as_i64)
            .map(EventId::Number);
        event.parent_id = fields
            .shift_remove("previousEventId")
            .as_ref()
            .and_then(as_i64)
            .filter(|&id| id != 0)
            .map(EventId::Number);
        if let Some(timestamp) = fields.shift_remove("timestamp") {
            match parse_timestamp(&timestamp) {
                Some(time) => event.time = Some(time),
                None => {
                    event.details.insert("timestamp".into(), timestamp);
                }
            }
        }
        event.name = name;
        for (key, value) in fields {
            match value {
                Value::Object(details) if key.ends_with("EventDetails") => {
                    take_details(&mut event, details)
                }
                other => {
                    event.details.insert(key, other);
                }
            }
        }
        event
    }
}

/// Moves the fields of an `*EventDetails` object into the event: the well-known ones
/// into their normalized fields, every other one into `details` under its own name.
fn take_details(event: &mut Event, mut details: Map<String, Value>) {
    details.shift_remove("name"); // already resolved, with inheritance, by the caller
    let resource_type = details
        .get("resourceType")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(resource) = take_string(&mut details, "resource") {
        event.resource = Some(match resource_type {
            Some(kind) => format!("{kind}:{resource}"),
            None => resource,
        });
    }
    event.error = take_string(&mut details, "error");
    event.cause = take_string(&mut details, "cause");
    if let Some(input) = details.shift_remove("input") {
        event.input = Some(decode_payload(input));
    } else if let Some(parameters) = details.shift_remove("parameters") {
        // A Task's parameters are the input it sends to its resource.
        event.input = Some(decode_payload(parameters));
    }
    if let Some(output) = details.shift_remove("output") {
        event.output = Some(decode_payload(output));
    }
    event.details.extend(details);
}

impl Normalizer for SfnNormalizer {
    fn service(&self) -> &'static str {
        SERVICE
    }

    fn summary(&self, events: &[Event]) -> RunSummary {
        sfn_tree::summary(events)
    }

    fn tree(&self, events: &[Event], summary: &RunSummary) -> Vec<Node> {
        let label = self
            .execution
            .as_deref()
            .and_then(|arn| arn.rsplit(':').next())
            .unwrap_or("execution");
        sfn_tree::tree(events, label, summary)
    }

    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event> {
        let mut parents = HashMap::with_capacity(page.len());
        let mut ids = Vec::with_capacity(page.len());
        for raw in &page {
            let id = raw.get("id").and_then(as_i64);
            if let Some(id) = id {
                let kind = raw.get("type").and_then(Value::as_str).unwrap_or_default();
                self.known.insert(
                    id,
                    Known {
                        family: family(kind),
                        name: Self::own_name(raw),
                    },
                );
                if let Some(parent) = raw.get("previousEventId").and_then(as_i64) {
                    parents.insert(id, parent);
                }
            }
            ids.push(id);
        }
        // Resolve inherited names for the whole page before normalizing, so that a
        // page in either order names every event it can.
        for id in ids.iter().flatten() {
            if self.known[id].name.is_none() {
                if let Some(name) = self.inherited_name(*id, &parents) {
                    self.known.get_mut(id).expect("known id").name = Some(name);
                }
            }
        }
        page.into_iter()
            .zip(ids)
            .map(|(raw, id)| {
                let name = match id {
                    Some(id) => self.known.get(&id).and_then(|known| known.name.clone()),
                    None => Self::own_name(&raw),
                };
                self.normalize_one(raw, name)
            })
            .collect()
    }
}

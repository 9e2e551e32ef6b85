//! The services, one folder each, as plug-ins of the engine. A service declares what
//! is particular to it and nothing more: its command line, how to parse its target,
//! what its saved pages look like, its page limits, its normalizer, a live source of its
//! history, how it arranges records the API does not order or filter itself, and its
//! summary and tree. The engine (`crate::engine`) decides everything else, the same way
//! for every service: file or live, read once or follow, show or list.
//!
//! A service's folder: `mod.rs` (its command line, its target, the [`Service`] impl),
//! `api.rs` (its API calls, one request for one page), `normalize.rs` (wire records to
//! [`Event`]s) and `tree.rs` (its tree and summary). To add a fifth: write its folder,
//! add its `SAVED_SHAPE` to [`SAVED_SHAPES`] (so that its files, given to another
//! service, name the right subcommand), one variant to `cli::Command` and one arm to the
//! `match` in `app::run`, and a fake of its API to the tests.

pub mod codepipeline;
pub mod sfn;
pub mod ssm;
pub mod swf;

use crate::aws::Connection;
use crate::exit::UsageError;
use crate::model::{flat_node, Event, EventId, Node, RunSummary, Status, Timestamp};
use crate::source::saved::SavedShape;
use crate::source::{BoxedSource, InOrder, OrderKey};
use anyhow::Result;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

/// Turns a service's wire records into normalized events.
///
/// Stateful on purpose: some fields come from earlier events (a Step Functions Task event
/// is named after the state that scheduled it), so one normalizer sees a whole run,
/// page after page, in the order the pages arrive.
pub trait Normalizer {
    /// One normalized event per wire record, in the same order.
    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event>;

    /// What the user should know of the records normalized so far (an id that is no
    /// whole number, kept under `details`), each kind said once: the engine writes it on
    /// stderr.
    fn take_notices(&mut self) -> Vec<String> {
        Vec::new()
    }
}

/// Odd records a normalizer has met, for [`Normalizer::take_notices`]: each kind of
/// oddity is said once, however many records have it.
#[derive(Debug, Default)]
pub struct OddRecords {
    said: std::cell::RefCell<std::collections::HashSet<&'static str>>,
    lines: std::cell::RefCell<Vec<String>>,
}

impl OddRecords {
    /// Notes an oddity of kind `kind`, unless one of that kind was noted already.
    pub fn note(&self, kind: &'static str, line: impl FnOnce() -> String) {
        if self.said.borrow_mut().insert(kind) {
            self.lines.borrow_mut().push(line());
        }
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.borrow_mut())
    }
}

/// What every service's saved pages look like: to name the right subcommand for a file
/// of another service.
pub const SAVED_SHAPES: [SavedShape; 4] = [
    sfn::Sfn::SAVED_SHAPE,
    swf::Swf::SAVED_SHAPE,
    ssm::Ssm::SAVED_SHAPE,
    codepipeline::CodePipeline::SAVED_SHAPE,
];

/// Where a run's records are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A saved history (`--from`): records in the order they were saved.
    File,
    /// The service's API: records in the order and selection the request asked for.
    Live,
}

/// How the user asked to read a history, whatever the service.
#[derive(Debug, Clone, Copy)]
pub struct ReadPlan {
    /// Records per request: the API's largest, unless the user chose (`--page-size`).
    pub page_size: usize,
    /// True when the user chose the page size.
    pub page_size_chosen: bool,
    /// Newest first (`--reverse`).
    pub reverse: bool,
}

/// Lines for the user about how a history is read (`histx: run R (open, started T)`),
/// from a service to the engine, which alone writes diagnostics. Cheap to clone: the
/// clones share one list, so a source adaptor can say something as it reads.
#[derive(Debug, Clone, Default)]
pub struct Notices(std::rc::Rc<std::cell::RefCell<Vec<String>>>);

impl Notices {
    pub fn say(&self, line: impl Into<String>) {
        self.0.borrow_mut().push(line.into());
    }

    /// What was said since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

/// One service, as the engine sees it. Built from its command line, with its target
/// already parsed (bad input is refused before any request).
///
/// The futures need not be `Send`: histx runs on a single-threaded runtime.
#[allow(async_fn_in_trait)]
pub trait Service {
    /// Its name in events, messages and the command line: `sfn`, `swf`, ...
    const NAME: &'static str;
    /// The largest page its history API returns.
    const MAX_PAGE_SIZE: usize;
    /// What its saved pages look like.
    const SAVED_SHAPE: SavedShape;

    /// Its own `show` arguments: its target, and its own options.
    type Args: clap::Args;

    type Normalizer: Normalizer;

    /// The service for a command line, its target checked (a usage error if malformed).
    fn new(args: Self::Args) -> Result<Self>
    where
        Self: Sized;

    /// Where the service says what the user should know beyond the records (which run
    /// it chose): the engine writes it on stderr. The default: nothing to say.
    fn notices(&self) -> Notices {
        Notices::default()
    }

    /// A normalizer for the run shown.
    fn normalizer(&self) -> Self::Normalizer;

    /// A live source of the run's history. Only called when no file is read; refuses
    /// (as a usage error) a command line that names no run.
    async fn live(&mut self, connection: &Connection, read: ReadPlan) -> Result<BoxedSource>;

    /// The records in the order and selection the user asked for, from either origin.
    /// Live pages come as the request ordered them; a file is read as it was saved, so
    /// by default it is turned around here for `--reverse`.
    fn arrange(&self, source: BoxedSource, origin: Origin, read: ReadPlan) -> Result<BoxedSource> {
        arrange_by_default(source, origin, read, Self::history_order)
    }

    /// Where a wire record stands in its history (an event id, a start time), to put a
    /// saved history in order whatever order it was saved in; `None` when a record
    /// does not say.
    fn history_order(record: &Value) -> Option<i64>;

    /// The run at a glance, from all of its events. The default knows only what the
    /// events say in common; services add the run's own status, redrives, the failure
    /// that explains the run.
    fn summary(&self, events: &[Event]) -> RunSummary {
        RunSummary::from_events(Self::NAME, events)
    }

    /// The run as it nested, for `-o tree` and `--failed`, under the run's `summary`.
    /// The default is flat: one node per event.
    fn tree(&self, events: &[Event], _summary: &RunSummary) -> Vec<Node> {
        events.iter().map(flat_node).collect()
    }

    // The hooks the next features fill in, each service with its own API. Until a
    // service has one, the engine says so in one line rather than guess.

    /// The run's own status, from the service's status call (DescribeExecution,
    /// DescribeWorkflowExecution, GetAutomationExecution, GetPipelineExecution): what
    /// follow mode polls, and a cheap summary's first request.
    async fn status(&mut self, _connection: &Connection) -> Result<RunState> {
        Err(unsupported(Self::NAME, "read a run's status"))
    }

    /// Whether [`Service::watch`] can follow a run (checked before any request).
    const FOLLOWS: bool = false;

    /// What follow mode polls: the run's status and its newest records. Asked for once,
    /// after the history's first read.
    async fn watch(&mut self, _connection: &Connection) -> Result<Box<dyn Watch>> {
        Err(unsupported(Self::NAME, "follow a run"))
    }

    /// The runs of the command line's parent (a state machine, a pipeline, a document,
    /// a workflow), newest first, at most `limit`: what `ls` lists.
    async fn list_runs(
        &mut self,
        _connection: &Connection,
        _limit: usize,
    ) -> Result<Vec<RunRecord>> {
        Err(unsupported(Self::NAME, "list runs"))
    }

    /// The runs this run started, as its events name them (a Distributed Map's Map Run,
    /// a nested execution, a child workflow, an automation a step started).
    fn children(&self, _events: &[Event]) -> Vec<ChildRun> {
        Vec::new()
    }
}

/// A running run, as follow mode polls it: owned (its own client), so the engine can
/// hold it in a source while it reports with the service.
pub trait Watch {
    /// The run's own status, from the service's status call.
    fn status(&mut self) -> Pin<Box<dyn Future<Output = Result<RunState>> + '_>>;

    /// A new live source of the run's records, newest first, in the largest pages: read
    /// back to the last record printed. A new one each poll (page tokens expire). For
    /// [`Spans`], the run's records as they are now, in any order.
    fn newest_first(&mut self) -> BoxedSource;

    /// `Some` when the run's records are spans that change in place (SSM steps,
    /// CodePipeline actions) rather than events with contiguous ids.
    fn spans(&self) -> Option<Spans> {
        None
    }

    /// What a record says of the run itself, where it ends or reopens it (Step
    /// Functions' `ExecutionFailed` and `ExecutionRedriven`, SWF's
    /// `WorkflowExecutionContinuedAsNew`): follow mode ends only when the status call
    /// says the run ended and the last such record it read agrees. The default: records
    /// say nothing of the kind, the status call alone decides.
    fn turn(&self, _record: &Value) -> Option<Turn> {
        None
    }

    /// Whether a run that ended can run again (a Step Functions redrive): then an end is
    /// confirmed by one more status call after the history's last read (a redrive between
    /// the two is followed; one after it is a new run of the user's, not this follow's).
    fn reopens(&self) -> bool {
        false
    }

    /// Follows the run that `successor` names ([`Turn::ContinuedAs`]) from now on: its
    /// status and its records. Returns the line that says so on stderr.
    fn follow_into(&mut self, successor: &str) -> Result<String> {
        Err(anyhow::anyhow!("cannot follow into run {successor}"))
    }

    /// Every record read, whether handed over or not (the first read's and each
    /// poll's), for a watch that chooses what to re-read by what it has seen (SSM).
    fn saw(&mut self, _record: &Value) {}
}

/// What a record says of its run ([`Watch::turn`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Turn {
    /// The run ended (succeeded, failed, timed out, aborted).
    Ended,
    /// A run that had ended runs again (Step Functions' `ExecutionRedriven`).
    Reopened,
    /// The run ended by handing over to a new run (SWF's newExecutionRunId).
    ContinuedAs(String),
}

/// How follow mode tells spans apart and how far along one is: a record whose status
/// or end changed is handed over again, never one that went backwards.
#[derive(Clone, Copy)]
pub struct Spans {
    /// The record's own id (StepExecutionId, actionExecutionId).
    pub id: fn(&Value) -> Option<String>,
    /// 0 not started, 1 running, 2 final.
    pub progress: fn(&Value) -> u8,
    /// What makes a new version news: its status and its end.
    pub mark: fn(&Value) -> Value,
}

/// [`Service::arrange`]'s default. A file is put in history order by `key`, newest
/// first for `--reverse`, whatever order it was saved in (`aws ... --reverse-order`
/// included); live pages come in the order the request asked for.
pub fn arrange_by_default(
    source: BoxedSource,
    origin: Origin,
    read: ReadPlan,
    key: OrderKey,
) -> Result<BoxedSource> {
    Ok(match origin {
        Origin::File => Box::new(InOrder::new(source, key, read.reverse)),
        Origin::Live => source,
    })
}

/// A run's own state, as its service's status call reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunState {
    pub status: Status,
    pub start: Option<Timestamp>,
    /// Only once the run has ended.
    pub end: Option<Timestamp>,
    /// Redrives (Step Functions) or continue-as-new hand-overs, where there are any.
    pub redrives: Option<i64>,
}

/// One run of a listing (`histx <service> ls`).
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// Exactly what `histx <service> show` takes.
    pub execution: String,
    pub name: Option<String>,
    pub state: RunState,
    /// What the run belongs to: its state machine, pipeline, document or workflow type.
    pub parent: Option<String>,
    /// Every other wire field, under the service's own names.
    pub details: serde_json::Map<String, Value>,
}

/// A run that a run started, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildRun {
    /// The child's service (`sfn` for an SSM `aws:executeStateMachine` step).
    pub service: &'static str,
    /// Exactly what `histx <service> show` takes.
    pub execution: String,
    /// The event of the parent that started it.
    pub started_by: Option<EventId>,
}

/// What a service cannot do (yet): said in one line, a usage error (exit 2), before
/// any request.
fn unsupported(service: &str, what: &str) -> anyhow::Error {
    UsageError::new(format!("histx {service} cannot {what} yet")).into()
}

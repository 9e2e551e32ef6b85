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
pub use crate::model::RunRecord;
use crate::model::{flat_node, ChildCounts, Event, EventId, Node, RunSummary, Status, Timestamp};
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

    /// The whole history is read: what the normalizer remembers of it to name later
    /// records can go (a history of 25,000 events held that beside the report).
    fn forget(&mut self) {}
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
    /// The whole history is wanted (no `--limit`): a live source may read it from both
    /// ends at once ([`crate::source::two_chains`]).
    pub whole: bool,
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
/// The futures need not be `Send`: the command runs on the thread that blocks on the
/// runtime; only a page's request and parse are spawned on its workers (`source::pager::PageApi`).
#[allow(async_fn_in_trait)]
pub trait Service {
    /// Its name in events, messages and the command line: `sfn`, `swf`, ...
    const NAME: &'static str;
    /// The largest page its history API returns.
    const MAX_PAGE_SIZE: usize;
    /// What its saved pages look like.
    const SAVED_SHAPE: SavedShape;
    /// What one of its history records is called, one and many (the progress line of
    /// a long read says how many were read).
    const RECORD_NOUN: (&'static str, &'static str) = ("event", "events");

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

    /// A cheap `--summary` (see `engine::cheap`): the run's history newest first, in
    /// the read's pages, for the newest page or two of it. `None` (the default): the
    /// service has none, and its summary is of a whole read.
    async fn newest_first(
        &mut self,
        _connection: &Connection,
        _read: ReadPlan,
    ) -> Result<Option<BoxedSource>> {
        Ok(None)
    }

    /// The run's summary from its newest events only, `newest` (normalized together,
    /// in history order: the last ones of a longer history, which they do not start)
    /// and its status call's `state`: exactly the summary of the whole history, but for
    /// [`RunSummary::children`], which the engine fills in; or what to read when these
    /// do not tell it. The default: [`FromNewest::Whole`].
    fn summary_of_newest(&self, _newest: &[Event], _state: &RunState) -> FromNewest {
        FromNewest::Whole
    }

    /// True when the run cannot have started any other run, as the service says without
    /// its history (a state machine's definition holds no state that starts one): then
    /// a cheap summary knows its count of children (none). One request at most; the
    /// default: false (not known).
    async fn starts_no_runs(&mut self, _connection: &Connection) -> bool {
        false
    }

    /// `histx <service> ls` arguments of its own: the parent whose runs are listed (a
    /// state machine, a workflow, a document, a pipeline), or none for the parents.
    type ListArgs: clap::Args;

    /// What `ls` lists, newest first: the runs of the parent the command line names, or
    /// the parents themselves when it names none. The service builds the requests (its
    /// API's own status and time filters where it has them, the largest pages); the
    /// listing engine (`crate::listing`) drives them and stops once `query.limit`
    /// records are printed. Bad input is refused before any request.
    async fn list_runs(
        _args: Self::ListArgs,
        _connection: &Connection,
        _query: &RunQuery,
    ) -> Result<RunListing>
    where
        Self: Sized,
    {
        Err(unsupported(Self::NAME, "list runs"))
    }

    /// The runs this run started, as its events name them (a Distributed Map's Map Run,
    /// a nested execution, a child workflow, an automation or a Step Functions execution
    /// a step started), in history order. No request: `--depth 0` counts them.
    fn children(&self, _events: &[Event]) -> Vec<ChildRun> {
        Vec::new()
    }

    /// The runs behind one of [`Service::children`]: itself, for a run its events name;
    /// for a group (a Map Run), its child executions, with requests (only the failed,
    /// timed-out and aborted ones unless `all`), and its counts. `&self`: the groups of
    /// one run are found several at once.
    async fn find_children(
        &self,
        _connection: &Connection,
        named: &ChildRun,
        _all: bool,
    ) -> Result<ChildGroup> {
        Ok(ChildGroup::of_one(named.clone()))
    }
}

/// What a service makes of a run's newest events ([`Service::summary_of_newest`]).
#[derive(Debug)]
pub enum FromNewest {
    /// The run's summary, as the whole history gives it.
    Summary(Box<RunSummary>),
    /// Something it says lies further back: older events may tell.
    Older,
    /// Only the whole history tells (a rule that looks over all of it).
    Whole,
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

    /// Whether the run's history closes with a record that [`Watch::turn`] reads as its
    /// end (Step Functions, SWF): then a follow that polled a final status reads on until
    /// that record was handed over (the history is eventually consistent), within a
    /// bound. The default: the status call alone decides.
    fn closes(&self) -> bool {
        false
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

/// What a listing asks for, from `ls` (or, for the newest run, from `show`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunQuery {
    /// Only runs with one of these statuses (none: every run).
    pub statuses: Vec<Status>,
    /// Only runs started at or after this.
    pub since: Option<Timestamp>,
    /// At most this many records.
    pub limit: usize,
}

impl RunQuery {
    /// A query for `--run-status` values as asked, each standing for the record statuses
    /// of [`RunQuery::selects`]. The same rule serves the API's filter
    /// ([`RunQuery::wire_statuses`]) and histx's own ([`RunQuery::wants`]).
    pub fn new(asked: &[Status], since: Option<Timestamp>, limit: usize) -> Self {
        let mut statuses: Vec<Status> = Vec::new();
        for &status in asked {
            for &s in Self::selects(status) {
                if !statuses.contains(&s) {
                    statuses.push(s);
                }
            }
        }
        RunQuery {
            statuses,
            since,
            limit,
        }
    }

    /// The record statuses one `--run-status` value selects: `running` every status that
    /// is not final (a run on its way, waiting for an approval, a change calendar or its
    /// schedule); `pending` those that wait to run (`pending`, `scheduled`); `aborted`
    /// also `cancelled` (the records say `cancelled` for a run someone stopped or
    /// cancelled, as the history does; `--exit-status` counts both as 5).
    pub fn selects(asked: Status) -> &'static [Status] {
        match asked {
            Status::Running => &[
                Status::Running,
                Status::Started,
                Status::Pending,
                Status::Scheduled,
            ],
            Status::Pending => &[Status::Pending, Status::Scheduled],
            Status::Aborted => &[Status::Aborted, Status::Cancelled],
            Status::Scheduled => &[Status::Scheduled],
            Status::Started => &[Status::Started],
            Status::Succeeded => &[Status::Succeeded],
            Status::Failed => &[Status::Failed],
            Status::TimedOut => &[Status::TimedOut],
            Status::Cancelled => &[Status::Cancelled],
            Status::Skipped => &[Status::Skipped],
            Status::Info => &[Status::Info],
        }
    }

    /// `--run-status` values as a message names them: `failed or timed_out`, each once.
    pub fn which(asked: &[Status]) -> String {
        let mut named: Vec<&str> = Vec::new();
        for status in asked {
            if !named.contains(&status.as_str()) {
                named.push(status.as_str());
            }
        }
        named.join(" or ")
    }

    /// The newest run with one of `asked` (any run, when empty).
    pub fn newest(asked: &[Status]) -> Self {
        RunQuery::new(asked, None, 1)
    }

    /// True when a run of this status is wanted.
    pub fn wants(&self, status: Status) -> bool {
        self.statuses.is_empty() || self.statuses.contains(&status)
    }

    /// The wire statuses to ask the API for, of `all` (every value the API knows, with
    /// its normalized status): `None` when every run is wanted (no filter to send).
    pub fn wire_statuses<'a>(&self, all: &[(&'a str, Status)]) -> Option<Vec<&'a str>> {
        (!self.statuses.is_empty()).then(|| {
            all.iter()
                .filter(|(_, status)| self.statuses.contains(status))
                .map(|(wire, _)| *wire)
                .collect()
        })
    }
}

/// A wire record of a listing as a [`RunRecord`]; `None` for one that names no run.
pub type ToRecord = Box<dyn Fn(Value) -> Option<RunRecord>>;

/// What else a record must be to be listed.
pub type KeepRecord = Box<dyn Fn(&RunRecord) -> bool>;

/// What a listing that kept nothing checks before it says so: that what it was asked to
/// list exists (an SSM document: its automation list is merely empty when it does not).
/// A future does nothing until awaited: a listing with records costs no request.
pub type EmptyCheck = std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>>>>;

/// A listing, as a service declares it and the listing engine drives it.
pub struct RunListing {
    /// The wire records (each as the service sent it), newest first.
    pub source: BoxedSource,
    /// A wire record as a record.
    pub record: ToRecord,
    /// What the API applied itself of the query: the engine applies the rest.
    pub statuses_applied: bool,
    pub since_applied: bool,
    /// What else a record must be to be listed (an exact document name where the API
    /// matches a prefix; a workflow id an emulator did not filter by).
    pub keep: Option<KeepRecord>,
    /// The records are the parents (state machines, pipelines), not runs.
    pub parents: bool,
    /// What a record is called, one and many, on the progress line (`run`, `runs`).
    pub noun: (&'static str, &'static str),
    /// Said on stderr when the listing ends before its limit: where it looked (SWF's
    /// start-time window, the retention period).
    pub window: Option<String>,
    /// Awaited when the listing kept no record: its error (the parent does not exist)
    /// is the command's.
    pub if_empty: Option<EmptyCheck>,
}

impl RunListing {
    /// A listing of runs in `source`, filtered as far as the API could.
    pub fn runs(source: BoxedSource, record: ToRecord) -> Self {
        RunListing {
            source,
            record,
            statuses_applied: false,
            since_applied: false,
            keep: None,
            parents: false,
            noun: ("run", "runs"),
            window: None,
            if_empty: None,
        }
    }
}

/// A run that a run started, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildRun {
    /// The child's service (`sfn` for an SSM `aws:executeStateMachine` step).
    pub service: &'static str,
    /// The child as its own records name it (their `execution`): an execution ARN,
    /// `domain/workflowId/runId`, an automation execution id; a Map Run's ARN.
    pub execution: String,
    /// The words `histx <service> show` takes to show it (none for a group).
    pub target: Vec<String>,
    /// The event of the parent that started it.
    pub started_by: Option<EventId>,
    /// The name of that event (its state, step or action): set by the engine.
    pub started_in: Option<String>,
    pub kind: ChildKind,
}

/// What a [`ChildRun`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildKind {
    /// One run, shown with `target`.
    Run,
    /// A Distributed Map's Map Run: a group of child executions, found with requests.
    MapRun,
    /// The runs the service lists as children of the run `execution` names (SSM:
    /// DescribeAutomationExecutions by ParentExecutionId), where its records do not
    /// name them: found with requests.
    Listed,
}

impl ChildRun {
    /// A run, shown by `histx <service> show TARGET...`.
    pub fn run(
        service: &'static str,
        execution: impl Into<String>,
        target: Vec<String>,
        started_by: Option<EventId>,
    ) -> Self {
        ChildRun {
            service,
            execution: execution.into(),
            target,
            started_by,
            started_in: None,
            kind: ChildKind::Run,
        }
    }
}

/// The runs one [`ChildRun`] stands for: itself, or a Map Run's child executions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChildGroup {
    pub started_by: Option<EventId>,
    /// The name of the state, step or action that started it.
    pub started_in: Option<String>,
    /// The Map Run's ARN, for a Map Run.
    pub map_run: Option<String>,
    /// How many child executions the group has, by status, when the service counts them.
    pub counts: Option<ChildCounts>,
    /// True when only the failed, timed-out and aborted children were asked for.
    pub failed_only: bool,
    pub runs: Vec<ChildRun>,
}

impl ChildGroup {
    pub fn of_one(run: ChildRun) -> Self {
        ChildGroup {
            started_by: run.started_by.clone(),
            started_in: run.started_in.clone(),
            runs: vec![run],
            ..ChildGroup::default()
        }
    }
}

/// Refuses a verb's name (`show`, `ls`, `list`) given where a run's parent is named:
/// after history flags (`histx sfn --limit 2 show`) it is the verb misplaced, not a
/// name. `otherwise` says how to name a parent that is called so.
pub fn not_a_verb(service: &str, text: &str, otherwise: &str) -> Result<(), UsageError> {
    if matches!(text, "show" | "ls" | "list") {
        return Err(UsageError::new(format!(
            "'{text}' is a verb: put it right after the service (histx {service} {text} ...); {otherwise}"
        )));
    }
    Ok(())
}

/// What a service cannot do (yet): said in one line, a usage error (exit 2), before
/// any request.
fn unsupported(service: &str, what: &str) -> anyhow::Error {
    UsageError::new(format!("histx {service} cannot {what} yet")).into()
}

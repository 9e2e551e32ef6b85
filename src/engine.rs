//! The run engine: one way through for every service. Given a [`Service`] and a history
//! command line, it decides once: file or live (`--from`), read once (follow mode will
//! poll the same source until the run ends), and what to print ([`Output`]); then it
//! drives records from the source, through the service's normalizer and the shared
//! filters, to the output.
//!
//! Two ways through. Streaming (`-o jsonl|json|raw` without `--failed`): each page is
//! filtered and printed before the next is asked for, so memory stays flat and `| head`
//! returns at once. Whole run (a report: table, tree, `--summary`; or `--failed`, which
//! needs the run's shape): every page is read first.
//!
//! Follow mode (`--follow`): a [`Poller`] over the live source. After the first full
//! read it polls the service's status call and reads the history newest first back to
//! the last record handed over, handing over the new ones oldest first, each once, ids
//! contiguous; after a final status it reads once more, then ends. Streams print each
//! poll's records at once; a report is written when the run has ended.
//!
//! With `--depth N`, the runs a run started are read after it, whole, each through its
//! own service ([`crate::children`]), and put into the report, or into the stream,
//! which is then written once they are read.
//!
//! Views drawn while following (`-o table`, and `-o tree` on a terminal) get each poll's
//! events as they arrive ([`LiveView`]), and, when they ask, the run so far; the
//! progress line on a terminal's stderr is fed facts ([`Followed`]) by the poller and
//! drawn beside whatever the command does. The engine hands over facts and events; how
//! they look on a terminal is `render`'s and `terminal`'s.
//!
//! With `--exit-status` the run's outcome is returned ([`Outcome`]): the status the
//! history read establishes (its summary's), else, for a live read whose history does
//! not say (SSM step pages, a `--limit`), the service's status call.

mod cheap;

use crate::aws::Connection;
use crate::children;
use crate::cli::HistoryArgs;
use crate::exit::{Outcome, RunOutcome, UsageError};
use crate::filter::{event_ids, failing_path, prune_tree, EventFilter};
use crate::model::{ConsoleLink, Event, EventId, Status, Stopped};
use crate::render::live::LiveView;
use crate::render::{self, EventSink, Format, Needs, Output, Presentation, RunReport, WireSink};
use crate::services::{
    ChildRun, Normalizer, Notices, Origin, ReadPlan, RunState, Service, Spans, Turn, Watch,
    SAVED_SHAPES,
};
use crate::source::saved::SavedHistory;
use crate::source::{AtEnd, BoxedSource, NextStep, OrderKey, Source, Step};
use crate::terminal::{progress, Screen};
use anyhow::{Context, Result};
use serde_json::Value;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime};

/// What the user asked to see of a history, beyond the output format.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub filter: EventFilter,
    /// Only the failing path: failed states and what encloses them.
    pub failed_only: bool,
    /// At most this many events, counted after the filters.
    pub limit: Option<usize>,
}

impl View {
    pub fn from_args(history: &HistoryArgs) -> Self {
        View {
            filter: EventFilter {
                types: history.types.clone(),
                names: history.names.clone(),
                statuses: history.statuses.clone(),
                since: history.since,
                until: history.until,
            },
            failed_only: history.failed,
            limit: history.limit.map(|n| n as usize),
        }
    }
}

/// `histx <service> show`: prints the history of one run. With stderr on a terminal, a
/// progress line is drawn there meanwhile: following, the run's (not while the tree is
/// redrawn in place on stdout: the two would fight over the screen); else, once the
/// read has taken a second, the records and pages read so far. It is erased at the end.
pub async fn show<S: Service>(
    service: S,
    history: &HistoryArgs,
    connection: &Connection,
    presentation: Presentation,
    screen: Screen,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let followed = Rc::new(Followed::new());
    let live = history.follow && live_view_wanted(history, &screen);
    let redrawn = live && history.output == Format::Tree;
    if !screen.stderr_terminal || redrawn {
        return show_run(
            service,
            history,
            connection,
            presentation,
            screen,
            out,
            followed,
        )
        .await;
    }
    let mut guarded;
    // The same terminal: the line is erased before stdout is written, put back after.
    let out: &mut dyn Write = if screen.stdout_rows.is_some() {
        guarded = progress::Guarded(out);
        &mut guarded
    } else {
        out
    };
    let draw: futures_util::future::LocalBoxFuture<'_, std::convert::Infallible> = if history.follow
    {
        Box::pin(draw_progress(&followed))
    } else {
        Box::pin(draw_reading(S::RECORD_NOUN))
    };
    let shown = tokio::select! {
        shown = show_run(service, history, connection, presentation, screen, out, followed.clone()) => shown,
        never = draw => match never {},
    };
    progress::end();
    shown
}

/// `-o table`, and `-o tree` on a terminal, are drawn while the run is followed (not
/// under `--summary`, or `--failed`, whose failing path needs the whole run).
fn live_view_wanted(history: &HistoryArgs, screen: &Screen) -> bool {
    !history.summary
        && !history.failed
        && match history.output {
            Format::Table => true,
            Format::Tree => screen.stdout_rows.is_some(),
            _ => false,
        }
}

/// Draws the progress line every second, until the command is done (it is dropped).
async fn draw_progress(followed: &Followed) -> std::convert::Infallible {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        progress::show(&followed.facts());
    }
}

/// Draws the line of a read once it has taken [`READING_SHOWN_AFTER`], then a few times
/// a second, until the command is done (it is dropped).
pub(crate) async fn draw_reading(noun: (&'static str, &'static str)) -> std::convert::Infallible {
    let began = Instant::now();
    tokio::time::sleep(READING_SHOWN_AFTER).await;
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        progress::show_reading(&progress::Reading::so_far(noun, began.elapsed()));
    }
}

/// A read quicker than this shows no progress line.
const READING_SHOWN_AFTER: Duration = Duration::from_secs(1);

/// What a follow has established so far, for the progress line: the poller and the
/// status calls fill it in.
struct Followed {
    /// The status as last polled (also the outcome's, see [`show_run`]).
    status: Rc<Cell<Option<Status>>>,
    /// The run's start, as the status call says.
    run_start: Cell<Option<crate::model::Timestamp>>,
    /// Records handed over so far (each span once).
    records: Cell<usize>,
    /// When the next poll is; `None` while one is under way.
    next_poll: Cell<Option<Instant>>,
    began: Instant,
}

impl Followed {
    fn new() -> Self {
        Followed {
            status: Rc::new(Cell::new(None)),
            run_start: Cell::new(None),
            records: Cell::new(0),
            next_poll: Cell::new(None),
            began: Instant::now(),
        }
    }

    fn facts(&self) -> progress::Facts {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let (elapsed, since_run_start) = match self.run_start.get() {
            Some(start) => (
                Duration::from_millis((now - start.millis()).max(0) as u64),
                true,
            ),
            None => (self.began.elapsed(), false),
        };
        progress::Facts {
            status: self.status.get(),
            elapsed,
            since_run_start,
            records: self.records.get(),
            next_poll: self
                .next_poll
                .get()
                .map(|at| at.saturating_duration_since(Instant::now())),
        }
    }
}

/// A [`Watch`] whose status calls tell [`Followed`] the run's start.
struct Observed {
    watch: Box<dyn Watch>,
    followed: Rc<Followed>,
}

impl Watch for Observed {
    fn status(
        &mut self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<RunState>> + '_>> {
        Box::pin(async move {
            let state = self.watch.status().await?;
            if state.start.is_some() {
                self.followed.run_start.set(state.start);
            }
            Ok(state)
        })
    }

    fn newest_first(&mut self) -> BoxedSource {
        self.watch.newest_first()
    }

    fn spans(&self) -> Option<Spans> {
        self.watch.spans()
    }

    fn turn(&self, record: &Value) -> Option<Turn> {
        self.watch.turn(record)
    }

    fn closes(&self) -> bool {
        self.watch.closes()
    }

    fn reopens(&self) -> bool {
        self.watch.reopens()
    }

    fn follow_into(&mut self, successor: &str) -> Result<String> {
        self.watch.follow_into(successor)
    }

    fn saw(&mut self, record: &Value) {
        self.watch.saw(record)
    }
}

/// [`show`], once the progress line is taken care of.
async fn show_run<S: Service>(
    mut service: S,
    history: &HistoryArgs,
    connection: &Connection,
    presentation: Presentation,
    screen: Screen,
    out: &mut dyn Write,
    followed: Rc<Followed>,
) -> Result<Outcome> {
    let read = read_plan::<S>(history)?;
    if history.follow && history.depth > 0 {
        return Err(UsageError::new(
            "--depth cannot be used with --follow yet: follow the run, then read it with --depth",
        )
        .into());
    }
    let notices = service.notices();
    // A live summary of the run alone: its newest page(s) and its status call, if they do.
    let mut cheap = if cheap::wanted(history) {
        cheap::read(&mut service, connection, read, &notices).await
    } else {
        cheap::Cheap::Whole
    };
    let newest = match &mut cheap {
        cheap::Cheap::Newest(summary) => Some(std::mem::take(summary)),
        _ => None,
    };
    let source = match &history.from {
        Some(path) => {
            let saved = Box::new(SavedHistory::open(path, S::SAVED_SHAPE, &SAVED_SHAPES)?);
            service.arrange(saved, Origin::File, read)?
        }
        None => {
            if history.follow && !S::FOLLOWS {
                return Err(UsageError::new(format!(
                    "`histx {}` cannot follow a run yet",
                    S::NAME
                ))
                .into());
            }
            let live: BoxedSource = match cheap {
                cheap::Cheap::Whole => service.live(connection, read).await?,
                cheap::Cheap::OnePage(records) => Box::new(cheap::Held::new(records)),
                cheap::Cheap::Newest(_) => Box::new(cheap::Held::new(Vec::new())),
            };
            say(&notices);
            service.arrange(live, Origin::Live, read)?
        }
    };
    // Follow mode: the status as last polled, for the outcome; how many records of
    // earlier runs were handed over (a run that continued as new).
    let watched = followed.status.clone();
    let earlier_runs = Rc::new(Cell::new(0));
    let mut live: Option<Box<dyn LiveView>> = None;
    let mut spans = false;
    let source: BoxedSource = if history.follow {
        let watch = service.watch(connection).await?;
        say(&notices);
        spans = watch.spans().is_some();
        if live_view_wanted(history, &screen) {
            live = render::live_view(history.output, presentation, screen.stdout_rows, spans);
        }
        let watch = Box::new(Observed {
            watch,
            followed: followed.clone(),
        });
        Box::new(
            Poller::new(
                source,
                watch,
                S::history_order,
                Pace::new(history.interval, history.timeout),
                watched.clone(),
                // Lines and live views take records as they happen; a document or a
                // report is of the end.
                live.is_none()
                    && (!matches!(history.output, Format::Jsonl | Format::Raw)
                        || history.summary
                        || history.failed),
            )
            .saying(notices.clone(), earlier_runs.clone())
            .telling(followed.clone())
            // A document or a tree of the first N records: gathered, it ends there. A
            // filter keeps what the records say once normalized, the failing path and a
            // summary are of the whole run: those follow the run to its end.
            .enough(
                history
                    .limit
                    .map(|n| n as usize)
                    .filter(|_| !history.summary && !history.failed)
                    .filter(|_| View::from_args(history).filter.is_empty()),
            ),
        )
    } else {
        source
    };
    // The outcome: as polled when following, else as the history says (or, live, the
    // status call when it does not).
    let ask = !history.follow && history.from.is_none();
    let settle = |status: Option<Status>| match status {
        Some(status) if status.is_final() => Some(status),
        _ => watched.get().or(status),
    };
    let output = render::output(
        history.output,
        history.summary,
        history.failed,
        history.expand,
        history.io,
        presentation,
    );
    let view = View::from_args(history);
    let descent = children::Descent {
        depth: history.depth,
        all_children: history.all_children,
        reverse: history.reverse,
        view: view.clone(),
        needs: {
            let needs = match &output {
                Output::Report(report) => report.needs(),
                _ => Needs::default(),
            };
            // The runs a run started are named by all of its events: `--limit` narrows
            // what is shown of each run, not what is read.
            Needs {
                all_events: needs.all_events || history.depth > 0,
                ..needs
            }
        },
        keep_wire: matches!(output, Output::Wire(_)),
    };
    let mut reader = Reader {
        source,
        normalizer: service.normalizer(),
        notices,
        pages: 0,
        records: 0,
    };
    if let Some(mut live) = live {
        let status = reader
            .follow_live(
                &service,
                &view,
                live.as_mut(),
                spans,
                out,
                (&watched, &earlier_runs),
            )
            .await?;
        return outcome(&mut service, history, connection, settle(status), ask).await;
    }
    let mut sink = match output {
        Output::Report(report) => {
            let (mut read, run) = match newest {
                // The summary alone, from the newest events (see `cheap`).
                Some(summary) => (cheap::report(*summary), None),
                None => {
                    let mut run = reader
                        .whole_run(&service, &view, descent.needs, false)
                        .await?;
                    let mut read = std::mem::take(&mut run.report);
                    let named = std::mem::take(&mut run.named);
                    let parent = (named, run.execution.clone());
                    children::into_report(&mut service, &mut read, parent, &descent, connection)
                        .await;
                    (read, Some(run))
                }
            };
            // A run followed to its end: its status call has the last word.
            if let Some(polled) = watched.get().filter(|s| s.is_final()) {
                if !read.summary.status.is_some_and(Status::is_final) {
                    read.summary.status = Some(polled);
                }
            }
            // A run read from AWS (not a saved file, not a local emulator): its page in
            // the console, in the region it was read from.
            if history.from.is_none() && connection.endpoint_url.is_none() {
                read.summary.console = read
                    .summary
                    .execution
                    .as_deref()
                    .and_then(|execution| {
                        crate::paste::console_url(
                            read.summary.service,
                            execution,
                            crate::aws::region_used(),
                        )
                    })
                    .map(|url| ConsoleLink {
                        url,
                        hyperlink: screen.hyperlinks,
                    });
            }
            let status = read.summary.status;
            report.write(out, read).context(CANNOT_WRITE)?;
            if let Some(run) = run {
                run.outcome()?;
            }
            return outcome(&mut service, history, connection, settle(status), ask).await;
        }
        Output::Events(sink) => Sink::Events(sink),
        Output::Wire(sink) => Sink::Wire(sink),
    };
    if descent.depth > 0 {
        // The children follow the records that started them: the whole run first.
        let keep_wire = matches!(sink, Sink::Wire(_));
        let mut run = reader
            .whole_run(&service, &view, descent.needs, keep_wire)
            .await?;
        let named = std::mem::take(&mut run.named);
        let (events, wire) = children::into_stream(
            &mut service,
            std::mem::take(&mut run.report.events),
            std::mem::take(&mut run.wire),
            (named, run.execution.clone()),
            &descent,
            connection,
        )
        .await;
        match &mut sink {
            Sink::Events(sink) => sink.page(out, &events).and_then(|()| sink.finish(out)),
            Sink::Wire(sink) => sink.page(out, &wire),
        }
        .context(CANNOT_WRITE)?;
        let status = run.report.summary.status;
        run.outcome()?;
        return outcome(&mut service, history, connection, settle(status), ask).await;
    }
    if !view.failed_only {
        // The summary's status needs the events: kept only when it is asked for.
        let events = reader.stream(&view, sink, out, history.exit_status).await?;
        let status = history
            .exit_status
            // A follow that went on into a new run streamed the earlier runs' events
            // first: the outcome is the last run's.
            .then(|| {
                service
                    .summary(&events[earlier_runs.get().min(events.len())..])
                    .status
            })
            .flatten();
        return outcome(&mut service, history, connection, settle(status), ask).await;
    }
    // The failing path needs the run's shape: the whole run first, then the sink.
    let keep_wire = matches!(sink, Sink::Wire(_));
    let run = reader
        .whole_run(&service, &view, Needs::default(), keep_wire)
        .await?;
    if run.report.nothing_failed {
        reader.notices.say("histx: nothing failed");
        say(&reader.notices);
    }
    match &mut sink {
        Sink::Events(sink) => sink
            .page(out, &run.report.events)
            .and_then(|()| sink.finish(out)),
        Sink::Wire(sink) => sink.page(out, &run.wire),
    }
    .context(CANNOT_WRITE)?;
    let status = run.report.summary.status;
    run.outcome()?;
    outcome(&mut service, history, connection, settle(status), ask).await
}

/// What the command established: with `--exit-status`, the run's outcome: `status`
/// when it is final; else, when `ask`ed (a live read), the service's status call's; else
/// (a saved history that does not say, a follow that timed out) unfinished.
async fn outcome<S: Service>(
    service: &mut S,
    history: &HistoryArgs,
    connection: &Connection,
    status: Option<Status>,
    ask: bool,
) -> Result<Outcome> {
    if !history.exit_status {
        return Ok(Outcome::Done);
    }
    let status = match status {
        Some(status) if status.is_final() => Some(status),
        _ if ask => Some(service.status(connection).await?.status),
        _ => status,
    };
    Ok(Outcome::Run(RunOutcome::of(status)))
}

/// How often a follower polls: every `interval`, backing off by half again (with
/// jitter) for each poll that found nothing new, never above [`Pace::CEILING`] (or the
/// interval, if the user chose a longer one); until `timeout`, if one is set.
#[derive(Debug, Clone)]
struct Pace {
    interval: Duration,
    deadline: Option<Instant>,
    /// Polls in a row that found nothing new.
    quiet: u32,
    seed: u64,
}

impl Pace {
    const CEILING: Duration = Duration::from_secs(15);

    fn new(interval: Duration, timeout: Option<Duration>) -> Self {
        use std::hash::{BuildHasher, Hasher};
        Pace {
            interval,
            deadline: timeout.map(|t| Instant::now() + t),
            quiet: 0,
            seed: std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish(),
        }
    }

    /// The wait before the next poll; `None` once the timeout has passed.
    fn next_wait(&mut self) -> Option<Duration> {
        let ceiling = Self::CEILING.max(self.interval);
        let backed_off = self
            .interval
            .mul_f64(1.5_f64.powi(self.quiet.min(16) as i32))
            .min(ceiling);
        // Up to a tenth either way, so that many followers do not poll in step.
        self.seed = self
            .seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let jitter = ((self.seed >> 33) as f64 / (1u64 << 31) as f64) * 0.2 - 0.1;
        let wait = backed_off.mul_f64(1.0 + jitter).min(ceiling);
        match self.deadline {
            None => Some(wait),
            Some(deadline) => {
                let left = deadline.checked_duration_since(Instant::now())?;
                (!left.is_zero()).then(|| wait.min(left))
            }
        }
    }

    fn found(&mut self, anything: bool) {
        self.quiet = if anything { 0 } else { self.quiet + 1 };
    }

    /// The service throttled a poll: back off further than for a quiet one.
    fn throttled(&mut self) {
        self.quiet += 2;
    }
}

/// Follow mode's source: the first read's pages, then, poll after poll, the records
/// that are new since the last one handed over, oldest first, each once. Records are
/// placed by the service's `key` (contiguous event ids): a poll hands over only the
/// ids that follow the last one without a gap (a later poll brings the rest), whatever
/// order and pages the service answered with (moto ignores reverseOrder and paging).
///
/// Spans ([`Watch::spans`]) are compared with the version last handed over instead: a
/// new or changed one is handed over (again), one that went backwards is not. With
/// `gather` (a report), nothing is handed over until the run ends, then the latest
/// version of every record, in the order first seen.
///
/// The end: a final status, then one more read of the history (the status call is
/// eventually consistent), unless the last record read that says something of the run
/// ([`Watch::turn`]) disagrees. A history that closes with such a record
/// ([`Watch::closes`]: Step Functions, SWF) is read on, poll after poll, until that
/// record was handed over; after [`Poller::UNCLOSED_READS`] reads in a row that brought
/// nothing new, the follow ends and says so on stderr. A run reopened by then (an `ExecutionRedriven` after the
/// failure) is followed on; one that continued as a new run is followed into it (its
/// records follow the old run's, their keys counted afresh, the change said on stderr;
/// a report or document is of the last run only). For a watch whose runs can reopen
/// ([`Watch::reopens`]), one more status call confirms the end: a redrive made before
/// it is followed, one made after it is not histx's to wait for.
struct Poller {
    first: Option<BoxedSource>,
    watch: Box<dyn Watch>,
    spans: Option<Spans>,
    /// The mark and progress of the version of each span last handed over, by id.
    seen: HashMap<String, (Value, u8)>,
    gather: Option<Vec<Value>>,
    /// Where each span is in `gather`, by id.
    gathered_at: HashMap<String, usize>,
    key: OrderKey,
    pace: Pace,
    /// The status as last polled, shared with the engine for the outcome.
    status: Rc<Cell<Option<Status>>>,
    /// The key of the last record handed over.
    last: i64,
    /// The run's status was final before the last read: nothing more will come.
    done: bool,
    /// The status was asked for before the first read.
    asked: bool,
    /// The follow has ended: nothing more is read.
    finished: bool,
    /// Gathering: the follow ends once this many records were gathered ([`Poller::enough`]);
    /// `cut` once it did (the history goes on).
    enough: Option<usize>,
    cut: bool,
    /// What the last record read that says something of the run said of it.
    turn: Option<Turn>,
    /// Redrives, as the last status call counted them.
    redrives: Option<i64>,
    /// Reads in a row, after a final status, that brought nothing new while the record
    /// that closes the run was not handed over ([`Watch::closes`]).
    unclosed: u32,
    /// Where the poller says that it followed into a new run.
    notices: Notices,
    /// Records handed over so far; and, shared with the engine, how many of them were
    /// of runs before the one followed now.
    handed: usize,
    earlier_runs: Rc<Cell<usize>>,
    /// What the progress line is told: records so far, when the next poll is.
    followed: Rc<Followed>,
}

impl Poller {
    /// Reads after a final status, none of them bringing anything new, before a follow
    /// whose history never shows the record that closes the run gives up (and says so).
    const UNCLOSED_READS: u32 = 10;

    fn new(
        first: BoxedSource,
        watch: Box<dyn Watch>,
        key: OrderKey,
        pace: Pace,
        status: Rc<Cell<Option<Status>>>,
        gather: bool,
    ) -> Self {
        Poller {
            first: Some(first),
            spans: watch.spans(),
            seen: HashMap::new(),
            gather: gather.then(Vec::new),
            gathered_at: HashMap::new(),
            watch,
            key,
            pace,
            status,
            last: 0,
            done: false,
            asked: false,
            finished: false,
            enough: None,
            cut: false,
            turn: None,
            redrives: None,
            unclosed: 0,
            notices: Notices::default(),
            handed: 0,
            earlier_runs: Rc::default(),
            followed: Rc::new(Followed::new()),
        }
    }

    /// Says on `notices` when it follows into a new run, and counts in `earlier_runs`
    /// the records handed over before it.
    fn saying(mut self, notices: Notices, earlier_runs: Rc<Cell<usize>>) -> Self {
        self.notices = notices;
        self.earlier_runs = earlier_runs;
        self
    }

    /// What these records, read in history order, say of the run and to the watch.
    fn note(&mut self, records: &[Value]) {
        for record in records {
            self.watch.saw(record);
            if let Some(turn) = self.watch.turn(record) {
                self.turn = Some(turn);
            }
        }
    }

    /// After a final status and the read after it: whether the run has ended for good.
    /// A reopened run goes on; one that continued as new is followed into its successor.
    async fn ended(&mut self) -> Result<bool> {
        match self.turn.clone() {
            Some(Turn::Reopened) | None if self.watch.closes() => {
                // The status call is ahead of the history: the record that closes the run
                // (or the one a redrive will close) has not been handed over yet.
                self.unclosed += 1;
                if self.unclosed <= Self::UNCLOSED_READS {
                    if self.turn.is_some() {
                        self.status.set(Some(Status::Running));
                    }
                    return Ok(false);
                }
                let status = self.status.get().map_or("final", Status::as_str);
                self.notices.say(format!(
                    "histx: the run's status is {status} but its history showed no closing \
                     event in {} reads after it; stopped following",
                    Self::UNCLOSED_READS
                ));
                Ok(true)
            }
            Some(Turn::Reopened) => {
                // The status call has not caught up with the redrive yet.
                self.status.set(Some(Status::Running));
                Ok(false)
            }
            Some(Turn::ContinuedAs(successor)) => {
                let line = self.watch.follow_into(&successor)?;
                self.notices.say(line);
                self.earlier_runs.set(self.handed);
                self.last = 0;
                self.unclosed = 0;
                self.turn = None;
                self.redrives = None;
                self.seen.clear();
                self.gathered_at.clear();
                if let Some(gathered) = &mut self.gather {
                    // A report is of the run followed to its end.
                    gathered.clear();
                }
                self.status.set(Some(Status::Running));
                self.pace.found(true);
                Ok(false)
            }
            _ if self.watch.reopens() => {
                let before = self.redrives;
                match self.poll_status().await? {
                    Some(true) if self.redrives == before => Ok(true),
                    // Redriven since (or throttled): read on.
                    _ => Ok(false),
                }
            }
            _ => Ok(true),
        }
    }

    /// Gathering, ends the follow once `enough` records (spans: distinct ones) were
    /// gathered: the run is left running, its history goes on.
    fn enough(mut self, enough: Option<usize>) -> Self {
        self.enough = enough.filter(|_| self.gather.is_some());
        self
    }

    /// Tells `followed` how far the follow is.
    fn telling(mut self, followed: Rc<Followed>) -> Self {
        self.followed = followed;
        self
    }

    /// Polls the status: true when it is final; `None` when the service throttled the
    /// call (a follow backs off, it does not fail for that).
    async fn poll_status(&mut self) -> Result<Option<bool>> {
        match self.watch.status().await {
            Ok(state) => {
                self.status.set(Some(state.status));
                self.redrives = state.redrives;
                Ok(Some(state.status.is_final()))
            }
            Err(error) if crate::aws::is_throttled(&error) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The spans that are new or changed (never backwards) since last handed over, in
    /// history order; remembered as handed over.
    fn changed_spans(&mut self, spans: Spans, records: Vec<Value>) -> Vec<Value> {
        let mut changed: Vec<Value> = records
            .into_iter()
            .filter(|record| {
                let Some(id) = (spans.id)(record) else {
                    return false;
                };
                match self.seen.get(&id) {
                    Some((mark, progress)) => {
                        *mark != (spans.mark)(record) && (spans.progress)(record) >= *progress
                    }
                    None => true,
                }
            })
            .collect();
        let key = self.key;
        changed.sort_by_key(|record| key(record).map_or((true, 0), |k| (false, k)));
        for record in &changed {
            self.remember(spans, record);
        }
        changed
    }

    fn remember(&mut self, spans: Spans, record: &Value) {
        if let Some(id) = (spans.id)(record) {
            self.seen
                .insert(id, ((spans.mark)(record), (spans.progress)(record)));
        }
    }

    /// Hands `records` over, or, gathering, keeps the latest version of each.
    fn hand_over(&mut self, records: Vec<Value>) -> Step {
        self.followed.records.set(match self.spans {
            Some(_) => self.seen.len(),
            None => self.followed.records.get() + records.len(),
        });
        let Some(gathered) = &mut self.gather else {
            self.handed += records.len();
            return Step::Page(records);
        };
        for record in records {
            let id = self.spans.and_then(|spans| (spans.id)(&record));
            match id.as_ref().and_then(|id| self.gathered_at.get(id)) {
                Some(&at) => gathered[at] = record,
                None => {
                    if let Some(id) = id {
                        self.gathered_at.insert(id, gathered.len());
                    }
                    gathered.push(record);
                }
            }
        }
        if self.enough.is_some_and(|enough| gathered.len() >= enough) {
            self.finished = true;
            self.cut = true;
            return Step::Page(std::mem::take(gathered));
        }
        Step::CaughtUp
    }

    /// The records after `last`, read newest first until a page reaches back to it; for
    /// spans, those new or changed.
    async fn new_records(&mut self) -> Result<Vec<Value>> {
        let mut source = self.watch.newest_first();
        if let Some(spans) = self.spans {
            let mut all = Vec::new();
            while let Step::Page(page) = source.next(None).await? {
                all.extend(page);
            }
            self.note(&all);
            return Ok(self.changed_spans(spans, all));
        }
        let mut fresh: BTreeMap<i64, Value> = BTreeMap::new();
        while let Step::Page(page) = source.next(None).await? {
            let keys: Vec<i64> = page.iter().filter_map(self.key).collect();
            // A service that ignored the reverse order (moto) puts newer records on
            // later pages: read on to its end.
            let oldest_first = keys.len() > 1 && keys.windows(2).all(|pair| pair[0] < pair[1]);
            let mut reached = page.is_empty();
            for record in page {
                match (self.key)(&record) {
                    Some(key) if key > self.last => {
                        fresh.insert(key, record);
                    }
                    _ => reached = true,
                }
            }
            if reached && !oldest_first {
                break;
            }
        }
        let mut contiguous = Vec::new();
        for (key, record) in fresh {
            if key != self.last + 1 {
                break;
            }
            self.last = key;
            contiguous.push(record);
        }
        self.note(&contiguous);
        Ok(contiguous)
    }
}

impl Source for Poller {
    fn at_end(&mut self) -> AtEnd<'_> {
        let finished = self.finished && !self.cut;
        Box::pin(async move { finished })
    }

    fn next(&mut self, _at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            if self.finished {
                return Ok(Step::End);
            }
            if self.first.is_some() && !self.asked {
                // Before the first read: a run already over is read once, whole.
                self.asked = true;
                self.done = self.poll_status().await? == Some(true);
            }
            while let Some(first) = &mut self.first {
                let Step::Page(page) = first.next(None).await? else {
                    self.first = None;
                    break;
                };
                let key = self.key;
                if let Some(max) = page.iter().filter_map(key).max() {
                    self.last = self.last.max(max);
                }
                self.note(&page);
                if let Some(spans) = self.spans {
                    for record in &page {
                        self.remember(spans, record);
                    }
                }
                if let Step::Page(page) = self.hand_over(page) {
                    return Ok(Step::Page(page));
                }
            }
            loop {
                if self.finished {
                    return Ok(Step::End);
                }
                if self.done {
                    self.done = self.ended().await?;
                }
                let wait = match self.pace.next_wait() {
                    Some(wait) if !self.done => Some(wait),
                    _ => None,
                };
                let Some(wait) = wait else {
                    // The end (or --timeout: the run is still running).
                    self.finished = true;
                    return Ok(match self.gather.take() {
                        Some(all) => Step::Page(all),
                        None => Step::End,
                    });
                };
                self.followed.next_poll.set(Some(Instant::now() + wait));
                tokio::time::sleep(wait).await;
                self.followed.next_poll.set(None);
                // The status first: once final, this read is the one after it.
                let Some(done) = self.poll_status().await? else {
                    self.pace.throttled();
                    continue;
                };
                let records = match self.new_records().await {
                    Ok(records) => records,
                    Err(error) if crate::aws::is_throttled(&error) => {
                        self.pace.throttled();
                        continue;
                    }
                    Err(error) => return Err(error),
                };
                self.done = done;
                self.pace.found(!records.is_empty());
                if !records.is_empty() {
                    self.unclosed = 0;
                }
                if records.is_empty() {
                    continue;
                }
                if let Step::Page(page) = self.hand_over(records) {
                    return Ok(Step::Page(page));
                }
            }
        })
    }
}

/// The run so far, as a live view draws it: the summary of every record read (a final
/// status polled has the last word while the history does not say it yet), the tree
/// when asked for (pruned to what the filters keep), the events the filters keep.
fn so_far<S: Service>(
    service: &S,
    run: &[Event],
    view: &View,
    needs: Needs,
    polled: Option<Status>,
    stopped: Option<Stopped>,
) -> RunReport {
    let mut summary = service.summary(run);
    if let Some(polled) = polled.filter(|s| s.is_final()) {
        if !summary.status.is_some_and(Status::is_final) {
            summary.status = Some(polled);
        }
    }
    if stopped.is_some() {
        summary.partial = true;
        summary.stopped = stopped;
    }
    let mut tree = if needs.tree {
        service.tree(run, &summary)
    } else {
        Vec::new()
    };
    if !view.filter.is_empty() && needs.tree {
        let kept: HashSet<&EventId> = run
            .iter()
            .filter(|e| view.filter.matches(e))
            .filter_map(|e| e.id.as_ref())
            .collect();
        tree = prune_tree(tree, &|node| node.events.iter().any(|id| kept.contains(id)));
    }
    let earliest = run.iter().filter_map(|e| e.time).min();
    RunReport {
        elapsed_from: match (summary.start, earliest) {
            (Some(start), Some(earliest)) => Some(start.min(earliest)),
            (start, earliest) => start.or(earliest),
        },
        summary,
        events: run
            .iter()
            .filter(|e| view.filter.matches(e))
            .cloned()
            .collect(),
        tree,
        // A run followed is read without its children (`--depth` takes no `--follow`).
        children: Vec::new(),
        limit: view.limit.filter(|_| needs.own_limit),
        nothing_failed: false,
    }
}

/// Where a stream goes: normalized events, or the records as the service sent them.
enum Sink {
    Events(Box<dyn EventSink>),
    Wire(WireSink),
}

const CANNOT_WRITE: &str = "cannot write the output";

/// Writes what a service said on stderr, one line each, escaped.
fn say(notices: &Notices) {
    let lines = notices.take();
    if lines.is_empty() {
        return;
    }
    progress::before_stderr_line();
    let mut stderr = std::io::stderr().lock();
    for line in lines {
        // Diagnostics only: a closed stderr must not stop the history.
        let _ = writeln!(stderr, "{}", crate::escape::terminal_safe(&line));
    }
}

/// Page size and order, checked against the service's limits before any request.
fn read_plan<S: Service>(history: &HistoryArgs) -> Result<ReadPlan, UsageError> {
    let page_size = match history.page_size {
        Some(n) if n as usize > S::MAX_PAGE_SIZE => {
            return Err(UsageError::new(format!(
                "--page-size {n} is too large: `histx {}` allows 1 to {}",
                S::NAME,
                S::MAX_PAGE_SIZE
            )))
        }
        Some(n) => n as usize,
        None => S::MAX_PAGE_SIZE,
    };
    Ok(ReadPlan {
        page_size,
        page_size_chosen: history.page_size.is_some(),
        reverse: history.reverse,
        // A follow's first read stays one chain: polls read newest first after it.
        whole: history.limit.is_none() && !history.follow,
    })
}

/// Reading stopped for good after some pages: what was read has been printed.
#[derive(Debug)]
struct Incomplete {
    events: usize,
    page: usize,
    error: anyhow::Error,
}

impl std::fmt::Display for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "stopped after {} events (page {}): {:#}; the output is incomplete",
            self.events, self.page, self.error
        )
    }
}

impl std::error::Error for Incomplete {}

/// Hands the memory freed while the pages were read (their parsed JSON, the pages held
/// by the second chain) back to the system before the report is built: the records
/// read are compact and long-lived, the pages' values were large and short-lived, and
/// the allocator would otherwise keep their room mapped for the rest of the run (a
/// 25,000-event tree peaked 10 MB higher). glibc only; elsewhere nothing is done.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A whole run, read: what a report gets, and the wire records of the events kept
/// (only when asked for, for `-o raw --failed`).
pub(crate) struct WholeRun {
    pub(crate) report: RunReport,
    pub(crate) wire: Vec<Value>,
    /// The error that stopped reading after some pages, to report after the output.
    pub(crate) failed: Option<anyhow::Error>,
    /// The runs this run started, as all of its events name them (before the filters).
    pub(crate) named: Vec<ChildRun>,
    /// The run's `execution`, as its summary or any of its events (before the filters)
    /// give it: the parent of its children.
    pub(crate) execution: String,
}

/// A run another run started (`--depth`), read whole through its own service, live,
/// the way the engine reads any run: its normalizer, the command line's filters and
/// the report's needs.
pub(crate) async fn read_child<S: Service>(
    service: &mut S,
    connection: &Connection,
    view: &View,
    needs: Needs,
    keep_wire: bool,
    reverse: bool,
) -> Result<WholeRun> {
    let read = ReadPlan {
        page_size: S::MAX_PAGE_SIZE,
        page_size_chosen: false,
        reverse,
        whole: true,
    };
    let notices = service.notices();
    let live = service.live(connection, read).await?;
    say(&notices);
    let source = service.arrange(live, Origin::Live, read)?;
    let mut reader = Reader {
        source,
        normalizer: service.normalizer(),
        notices,
        pages: 0,
        records: 0,
    };
    reader.whole_run(&*service, view, needs, keep_wire).await
}

impl WholeRun {
    /// The outcome once the run is written: the error that cut it short, if any.
    fn outcome(self) -> Result<()> {
        self.failed.map_or(Ok(()), Err)
    }
}

/// Reads a run's records from a source through a normalizer.
struct Reader<N> {
    source: BoxedSource,
    normalizer: N,
    /// What the service has to say while it reads, written on stderr as it comes.
    notices: Notices,
    /// Pages and records read so far, for the line that says where a failure stopped it.
    pages: usize,
    records: usize,
}

impl<N: Normalizer> Reader<N> {
    /// The next page, asking for at most `at_most` records; `None` at the end.
    async fn next_page(&mut self, at_most: Option<usize>) -> Result<Option<Vec<Value>>> {
        // Read once: a source that has caught up with a running run has nothing more
        // for this read (follow mode polls it again instead).
        let step = self.source.next(at_most).await;
        say(&self.notices);
        match step? {
            Step::Page(page) => {
                self.pages += 1;
                progress::read_page(page.len());
                Ok(Some(page))
            }
            Step::CaughtUp | Step::End => Ok(None),
        }
    }

    /// A page normalized; what the normalizer noticed of it is said on stderr.
    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event> {
        let mut events = self.normalizer.normalize(page);
        // The object a cause holds, decoded beside it (`cause_json`).
        events.iter_mut().for_each(Event::decode_cause);
        for line in self.normalizer.take_notices() {
            self.notices.say(line);
        }
        say(&self.notices);
        events
    }

    /// A failure after some pages: it says where reading stopped and that the output is
    /// incomplete.
    fn incomplete(&self, error: anyhow::Error) -> anyhow::Error {
        anyhow::Error::new(Incomplete {
            events: self.records,
            page: self.pages + 1,
            error,
        })
    }

    /// Streams pages to the sink as they arrive; returns every event read when asked to
    /// `keep` them (for the run's summary), else none.
    async fn stream(
        &mut self,
        view: &View,
        mut sink: Sink,
        out: &mut dyn Write,
        keep: bool,
    ) -> Result<Vec<Event>> {
        let filtering = !view.filter.is_empty();
        let mut printed = 0;
        let mut kept = Vec::new();
        loop {
            let room = view.limit.map(|limit| limit - printed);
            if room == Some(0) {
                break;
            }
            // Without filters every record read is printed: ask for no more than the room.
            let page = match self.next_page(room.filter(|_| !filtering)).await {
                Ok(Some(page)) => page,
                Ok(None) => break,
                Err(error) if self.pages > 0 => {
                    // What was printed stays valid (a JSON document is closed).
                    if let Sink::Events(sink) = &mut sink {
                        sink.finish(out).context(CANNOT_WRITE)?;
                    }
                    return Err(self.incomplete(error));
                }
                Err(error) => return Err(error),
            };
            self.records += page.len();
            let room = room.unwrap_or(usize::MAX);
            match &mut sink {
                Sink::Wire(sink) if !filtering => {
                    if keep {
                        kept.extend(self.normalizer.normalize(page.clone()));
                    }
                    let page = &page[..page.len().min(room)];
                    printed += page.len();
                    sink.page(out, page)
                }
                Sink::Wire(sink) => {
                    let events = self.normalize(page.clone());
                    if keep {
                        kept.extend(events.iter().cloned());
                    }
                    let kept: Vec<Value> = page
                        .into_iter()
                        .zip(events)
                        .filter(|(_, event)| view.filter.matches(event))
                        .map(|(wire, _)| wire)
                        .take(room)
                        .collect();
                    printed += kept.len();
                    sink.page(out, &kept)
                }
                Sink::Events(sink) => {
                    let mut events = self.normalize(page);
                    if keep {
                        kept.extend(events.iter().cloned());
                    }
                    events.retain(|event| view.filter.matches(event));
                    events.truncate(room);
                    printed += events.len();
                    sink.page(out, &events)
                }
            }
            .context(CANNOT_WRITE)?;
        }
        match &mut sink {
            Sink::Events(sink) => sink.finish(out),
            Sink::Wire(_) => out.flush(),
        }
        .context(CANNOT_WRITE)?;
        if filtering && printed == 0 {
            self.notices.say(format!(
                "histx: 0 of {} events match {}",
                self.records,
                view.filter.describe()
            ));
            say(&self.notices);
        }
        Ok(kept)
    }

    /// Follows the run into a live view: each page's events (after the filters, up to
    /// `--limit`) as they arrive; the run so far whenever the view asks (also while a
    /// poll waits); the run at the end. A span that changed replaces its earlier
    /// version in the run (`spans`: the records are spans, by id). `--limit` stops following once that many rows were shown.
    /// The run's status (as its history says) is returned, for the outcome. `polled`:
    /// the status as last polled, and how many records were of runs before the one
    /// followed now (a run that continued as new): the view is of the last run only.
    async fn follow_live<S: Service>(
        &mut self,
        service: &S,
        view: &View,
        live: &mut dyn LiveView,
        spans: bool,
        out: &mut dyn Write,
        (polled, earlier_runs): (&Cell<Option<Status>>, &Cell<usize>),
    ) -> Result<Option<Status>> {
        let needs = live.needs();
        // Every record read of the run followed now, a span's latest version in the
        // place it was first seen.
        let mut run: Vec<Event> = Vec::new();
        let mut at: HashMap<EventId, usize> = HashMap::new();
        let mut earlier = 0;
        let mut shown = 0;
        let mut stopped = None;
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            if view.limit.is_some_and(|limit| shown >= limit) {
                stopped = Some(Stopped::Limit);
                break;
            }
            let step = {
                let mut next = self.source.next(None);
                loop {
                    tokio::select! {
                        step = &mut next => break step,
                        _ = tick.tick() => if live.due() {
                            let so_far = so_far(service, &run, view, needs, polled.get(), None);
                            live.draw(out, so_far).context(CANNOT_WRITE)?;
                        },
                    }
                }
            };
            say(&self.notices);
            let page = match step {
                Ok(Step::Page(page)) => page,
                Ok(Step::CaughtUp | Step::End) => break,
                Err(error) if self.pages > 0 => return Err(self.incomplete(error)),
                Err(error) => return Err(error),
            };
            if earlier_runs.get() > earlier {
                // The follow went on into a new run: its records start the run afresh.
                earlier = earlier_runs.get();
                run.clear();
                at.clear();
            }
            self.pages += 1;
            self.records += page.len();
            let mut arrived = Vec::new();
            for event in self.normalize(page) {
                if view.filter.matches(&event) && view.limit.is_none_or(|l| shown < l) {
                    shown += 1;
                    arrived.push(event.clone());
                }
                let id = event.id.clone().filter(|_| spans);
                match id.as_ref().and_then(|id| at.get(id)) {
                    Some(&i) => run[i] = event,
                    None => {
                        if let Some(id) = id {
                            at.insert(id, run.len());
                        }
                        run.push(event);
                    }
                }
            }
            live.arrived(out, &arrived).context(CANNOT_WRITE)?;
            if live.due() {
                let so_far = so_far(service, &run, view, needs, polled.get(), None);
                live.draw(out, so_far).context(CANNOT_WRITE)?;
            }
        }
        if !view.filter.is_empty() && shown == 0 {
            self.notices.say(format!(
                "histx: 0 of {} events match {}",
                run.len(),
                view.filter.describe()
            ));
            say(&self.notices);
        }
        let ended = so_far(service, &run, view, needs, polled.get(), stopped);
        let status = ended.summary.status;
        live.finish(out, ended).context(CANNOT_WRITE)?;
        Ok(status)
    }

    /// Reads every page, then applies the summary, the failing path and the filters.
    async fn whole_run<S: Service>(
        &mut self,
        service: &S,
        view: &View,
        needs: Needs,
        keep_wire: bool,
    ) -> Result<WholeRun> {
        // Only a plain listing can stop reading early; a filter, the failing path or a
        // summary of the whole run needs every event.
        let early_stop =
            view.filter.is_empty() && !view.failed_only && !needs.all_events && !needs.own_limit;
        let read_limit = if early_stop { view.limit } else { None };
        let mut wire: Vec<Value> = Vec::new();
        let mut events: Vec<Event> = Vec::new();
        let mut failed = None;
        // Records the source handed over beyond the limit: the history goes on.
        let mut left_over = false;
        loop {
            let room = read_limit.map(|limit| limit - events.len());
            if room == Some(0) {
                break;
            }
            let mut page = match self.next_page(room).await {
                Ok(Some(page)) => page,
                Ok(None) => break,
                // What was read is still shown, marked partial, and the error follows it.
                Err(error) if self.pages > 0 => {
                    failed = Some(self.incomplete(error));
                    break;
                }
                Err(error) => return Err(error),
            };
            // A file hands over whole batches, whatever was asked for.
            let room = room.unwrap_or(usize::MAX);
            left_over |= page.len() > room;
            page.truncate(room);
            self.records += page.len();
            if keep_wire {
                wire.extend(page.iter().cloned());
            }
            // Room for this page only: doubling a vector of 25,000 events would hold
            // half as many again unused at the peak (and a copy while it moves).
            let mut page = self.normalize(page);
            if needs.no_inputs {
                page.iter_mut().for_each(|event| event.input = None);
            }
            events.reserve_exact(page.len());
            events.extend(page);
        }

        self.normalizer.forget();
        give_back_freed_memory();
        let mut summary = service.summary(&events);
        // How the failure was retried before it failed for good.
        if let Some(failure) = &mut summary.failure {
            failure.retries = failure
                .id
                .as_ref()
                .and_then(|id| crate::model::fold::retries_before(id, &events));
        }
        let mut named = service.children(&events);
        // What the service found to say of them (runs it could not name).
        say(&self.notices);
        if !named.is_empty() {
            let names: HashMap<&EventId, &String> = events
                .iter()
                .filter_map(|e| Some((e.id.as_ref()?, e.name.as_ref()?)))
                .collect();
            for child in &mut named {
                let name = child.started_by.as_ref().and_then(|id| names.get(id));
                child.started_in = name.map(|name| name.to_string());
            }
        }
        let earliest = events.iter().filter_map(|e| e.time).min();
        let execution = summary
            .execution
            .clone()
            .or_else(|| events.iter().find_map(|e| e.execution.clone()))
            .unwrap_or_default();
        let cut_by_limit =
            read_limit == Some(events.len()) && (left_over || !self.source.at_end().await);
        let stopped = if failed.is_some() {
            Some(Stopped::Error)
        } else {
            cut_by_limit.then_some(Stopped::Limit)
        };
        if let Some(stopped) = stopped {
            // Reading stopped early: the summary keeps what the events read establish
            // (the run's start); of the run's outcome it says nothing unless an event
            // read ended the run.
            summary.partial = true;
            summary.stopped = Some(stopped);
            if !summary.status.is_some_and(Status::is_final) {
                summary.status = None;
                summary.end = None;
                summary.duration_ms = None;
                summary.error = None;
                summary.cause = None;
                summary.failure = None;
            }
        }
        let mut tree = (needs.tree || view.failed_only).then(|| service.tree(&events, &summary));
        let mut keep: Vec<bool> = events.iter().map(|e| view.filter.matches(e)).collect();
        let mut nothing_failed = false;
        if view.failed_only {
            let path = failing_path(tree.take().unwrap_or_default());
            nothing_failed = path.is_empty();
            let on_path = event_ids(&path);
            for (kept, event) in keep.iter_mut().zip(&events) {
                *kept &= event.id.as_ref().is_some_and(|id| on_path.contains(id));
            }
            tree = Some(path);
        }
        // --limit counts the events shown, after the filters (or the report's own rows).
        if let Some(limit) = view.limit.filter(|_| !needs.own_limit) {
            keep.iter_mut()
                .filter(|kept| **kept)
                .skip(limit)
                .for_each(|kept| *kept = false);
        }
        let narrowed =
            !view.filter.is_empty() || (view.limit.is_some() && !early_stop && !needs.own_limit);
        if narrowed {
            let kept_ids: HashSet<&EventId> = events
                .iter()
                .zip(&keep)
                .filter(|(_, kept)| **kept)
                .filter_map(|(event, _)| event.id.as_ref())
                .collect();
            tree = tree.map(|nodes| {
                prune_tree(nodes, &|node| {
                    node.events.iter().any(|id| kept_ids.contains(id))
                })
            });
        }
        let total = events.len();
        if !view.filter.is_empty() && !keep.contains(&true) {
            self.notices.say(format!(
                "histx: 0 of {total} events match {}",
                view.filter.describe()
            ));
            say(&self.notices);
        }
        // Narrowed in place: a second vector grown by doubling beside the first would
        // hold the events up to three times over at the peak.
        let mut kept_events = events;
        let mut kept_wire = wire;
        if keep.contains(&false) {
            let mut kept = keep.iter();
            kept_events.retain(|_| kept.next().copied().unwrap_or(false));
            let mut kept = keep.iter();
            kept_wire.retain(|_| kept.next().copied().unwrap_or(false));
            kept_events.shrink_to_fit();
            kept_wire.shrink_to_fit();
        }
        Ok(WholeRun {
            report: RunReport {
                // The earlier of the run's start and the earliest record read: never
                // negative, even for several runs in one report (`codepipeline --all`,
                // whose summary is the newest run's).
                elapsed_from: match (summary.start, earliest) {
                    (Some(start), Some(earliest)) => Some(start.min(earliest)),
                    (start, earliest) => start.or(earliest),
                },
                summary,
                events: kept_events,
                tree: tree.unwrap_or_default(),
                children: Vec::new(),
                limit: view.limit.filter(|_| needs.own_limit),
                nothing_failed,
            },
            wire: kept_wire,
            execution,
            failed,
            named,
        })
    }
}

#[cfg(test)]
mod tests {
    //! The engine as a library function: a service of numbered records held in memory,
    //! shown into a buffer, without a process or a server.
    use super::*;
    use crate::model::Status;
    use crate::services::RunState;
    use crate::source::saved::SavedShape;
    use crate::source::{NextStep, Source};
    use clap::Parser;
    use serde_json::json;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Pages of 10 numbered records; remembers what each request asked for.
    struct Counting {
        next: i64,
        total: i64,
        asked: Rc<RefCell<Vec<Option<usize>>>>,
    }

    impl Source for Counting {
        fn next(&mut self, at_most: Option<usize>) -> NextStep<'_> {
            self.asked.borrow_mut().push(at_most);
            let size = at_most.unwrap_or(10).min(10) as i64;
            let end = (self.next + size).min(self.total);
            let page: Vec<Value> = (self.next..end)
                .map(|id| json!({"id": id + 1, "kind": if id % 4 == 3 { "Failed" } else { "Ok" }}))
                .collect();
            self.next = end;
            Box::pin(async move {
                Ok(if page.is_empty() {
                    Step::End
                } else {
                    Step::Page(page)
                })
            })
        }
    }

    struct Numbers {
        total: i64,
        asked: Rc<RefCell<Vec<Option<usize>>>>,
    }

    struct NumberNormalizer;

    impl Normalizer for NumberNormalizer {
        fn normalize(&mut self, page: Vec<Value>) -> Vec<Event> {
            page.into_iter()
                .map(|record| {
                    let failed = record["kind"] == "Failed";
                    let status = if failed {
                        Status::Failed
                    } else {
                        Status::Succeeded
                    };
                    let mut event =
                        Event::new("numbers", record["kind"].as_str().unwrap_or(""), status);
                    event.id = record["id"].as_i64().map(EventId::Number);
                    event
                })
                .collect()
        }
    }

    impl Service for Numbers {
        const NAME: &'static str = "numbers";
        const MAX_PAGE_SIZE: usize = 10;
        const SAVED_SHAPE: SavedShape = SavedShape {
            service: "numbers",
            history: "numbers",
            events_key: "records",
            event_marker: "id",
            what: "numbers",
            run_key: None,
        };
        type Args = NoArgs;
        type ListArgs = NoArgs;
        type Normalizer = NumberNormalizer;

        fn new(_args: NoArgs) -> Result<Self> {
            unreachable!("built by the tests")
        }

        fn normalizer(&self) -> NumberNormalizer {
            NumberNormalizer
        }

        async fn live(&mut self, _connection: &Connection, _read: ReadPlan) -> Result<BoxedSource> {
            Ok(Box::new(Counting {
                next: 0,
                total: self.total,
                asked: self.asked.clone(),
            }))
        }

        fn history_order(record: &Value) -> Option<i64> {
            record["id"].as_i64()
        }
    }

    #[derive(Debug, Clone, clap::Args)]
    struct NoArgs {}

    #[derive(Parser)]
    struct Line {
        #[command(flatten)]
        history: HistoryArgs,
    }

    /// What `show` prints for these history flags, and what each request asked for.
    fn show_numbers(total: i64, flags: &[&str]) -> (String, Vec<Option<usize>>) {
        let history =
            Line::parse_from(std::iter::once("histx").chain(flags.iter().copied())).history;
        let asked = Rc::new(RefCell::new(Vec::new()));
        let service = Numbers {
            total,
            asked: asked.clone(),
        };
        let presentation = Presentation {
            color: false,
            width: None,
            ascii: true,
        };
        let mut out = Vec::new();
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(show(
                service,
                &history,
                &Connection::default(),
                presentation,
                Screen::default(),
                &mut out,
            ))
            .unwrap();
        let asked = asked.borrow().clone();
        (String::from_utf8(out).unwrap(), asked)
    }

    #[test]
    fn a_stream_stops_asking_at_the_limit() {
        let (text, asked) = show_numbers(100, &["-o", "jsonl", "--limit", "15"]);
        assert_eq!(text.lines().count(), 15);
        assert_eq!(
            asked,
            vec![Some(15), Some(5)],
            "no third request, the second shrunk"
        );
    }

    #[test]
    fn a_filtered_stream_reads_on_until_the_limit_is_shown() {
        let (text, asked) =
            show_numbers(100, &["-o", "jsonl", "--status", "failed", "--limit", "3"]);
        assert_eq!(text.lines().count(), 3);
        assert!(
            text.lines().all(|line| line.contains("\"failed\"")),
            "{text}"
        );
        assert_eq!(
            asked,
            vec![None, None],
            "12 records hold 3 failures: two pages"
        );
    }

    #[test]
    fn a_summary_reads_the_whole_history_even_under_a_limit() {
        let (text, asked) = show_numbers(35, &["--summary", "-o", "json", "--limit", "2"]);
        let record: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(record["events"], 35);
        assert_eq!(asked.len(), 5, "four pages and the end");
    }

    #[test]
    fn the_failing_path_of_a_stream_is_read_whole_then_streamed() {
        let (text, _) = show_numbers(20, &["-o", "raw", "--failed"]);
        let ids: Vec<Value> = text
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap()["id"].clone())
            .collect();
        assert_eq!(
            ids,
            vec![json!(4), json!(8), json!(12), json!(16), json!(20)]
        );
    }

    #[test]
    fn the_pace_backs_off_while_nothing_changes_and_never_passes_the_ceiling() {
        let mut pace = Pace::new(Duration::from_secs(2), None);
        let first = pace.next_wait().unwrap();
        assert!(first >= Duration::from_millis(1800) && first <= Duration::from_millis(2200));
        for _ in 0..40 {
            pace.found(false);
            assert!(pace.next_wait().unwrap() <= Pace::CEILING);
        }
        assert!(pace.next_wait().unwrap() >= Duration::from_millis(13_500));
        pace.found(true);
        assert!(pace.next_wait().unwrap() <= Duration::from_millis(2200));
        let mut timed = Pace::new(Duration::from_secs(2), Some(Duration::ZERO));
        assert_eq!(timed.next_wait(), None, "past the timeout");
    }

    /// A run whose records appear a few at a time, the status call answering from a
    /// script; each read answers oldest first, every record, as moto does.
    /// Each poll's status call: the ids that appear with it, and the status it answers.
    type Script = Rc<RefCell<std::collections::VecDeque<(Vec<i64>, Status)>>>;

    struct Growing {
        visible: Rc<RefCell<Vec<Value>>>,
        grow: Script,
        /// Newest first, as the real services answer reverseOrder; pages handed out.
        newest_first: bool,
        pages: Rc<Cell<usize>>,
    }

    /// A source that counts the pages taken from it.
    struct Counted(BoxedSource, Rc<Cell<usize>>);

    impl Source for Counted {
        fn next(&mut self, at_most: Option<usize>) -> NextStep<'_> {
            self.1.set(self.1.get() + 1);
            self.0.next(at_most)
        }
    }

    impl Watch for Growing {
        fn status(
            &mut self,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<RunState>> + '_>> {
            let (ids, status) = self.grow.borrow_mut().pop_front().expect("a poll scripted");
            self.visible
                .borrow_mut()
                .extend(ids.into_iter().map(|id| json!({ "id": id })));
            Box::pin(async move {
                Ok(RunState {
                    status,
                    start: None,
                    end: None,
                    redrives: None,
                })
            })
        }

        fn newest_first(&mut self) -> BoxedSource {
            let mut records = self.visible.borrow().clone();
            records.sort_by_key(|r| r["id"].as_i64());
            if self.newest_first {
                records.reverse();
            }
            Box::new(Counted(
                Box::new(crate::source::testing::InMemory::new(records, 3)),
                self.pages.clone(),
            ))
        }
    }

    /// Follows the scripted run; the ids handed over, the pages read in polls.
    fn follow_scripted(newest_first: bool, preceding: i64) -> (Vec<i64>, usize) {
        let id = |record: &Value| record["id"].as_i64();
        let numbered = |ids: std::ops::RangeInclusive<i64>| -> Vec<Value> {
            ids.map(|id| json!({ "id": id })).collect()
        };
        let visible = Rc::new(RefCell::new(numbered(1..=preceding)));
        // Before the first read: running. Then: nothing new; three more with one ahead
        // of its turn (a gap: it waits); the missing one; the final status with the last.
        let n = preceding;
        let grow = Rc::new(RefCell::new(std::collections::VecDeque::from([
            (vec![], Status::Running),
            (vec![], Status::Running),
            (vec![n + 1, n + 2, n + 3, n + 5], Status::Running),
            (vec![n + 4], Status::Running),
            (vec![n + 6, n + 7], Status::Failed),
        ])));
        let first = crate::source::testing::InMemory::new(numbered(1..=preceding), 1000);
        let status = Rc::new(Cell::new(None));
        let pages = Rc::new(Cell::new(0));
        let poller = Poller::new(
            Box::new(first),
            Box::new(Growing {
                visible,
                grow: grow.clone(),
                newest_first,
                pages: pages.clone(),
            }),
            id,
            Pace::new(Duration::from_millis(1), None),
            status.clone(),
            false,
        );
        let (records, _) = crate::source::testing::drain(poller).unwrap();
        assert_eq!(status.get(), Some(Status::Failed));
        assert!(grow.borrow().is_empty(), "no poll after the final status");
        (records.iter().filter_map(id).collect(), pages.get())
    }

    #[test]
    fn the_poller_hands_over_each_record_once_in_order_without_gaps() {
        for newest_first in [true, false] {
            let (ids, _) = follow_scripted(newest_first, 2);
            assert_eq!(
                ids,
                (1..=9).collect::<Vec<_>>(),
                "newest first: {newest_first}"
            );
        }
    }

    /// One status call of a scripted run: the run it must be of, the records that appear
    /// in it with the call, the status and the redrive count it answers.
    type Poll = (&'static str, Vec<Value>, Status, Option<i64>);

    /// Runs whose records say what they do to the run (`"turn"`: `end`, `reopen`, or
    /// `next:RUN`), polled from a script; each read newest first, in pages of 2.
    struct Turning {
        runs: Rc<RefCell<HashMap<String, Vec<Value>>>>,
        current: String,
        script: Rc<RefCell<std::collections::VecDeque<Poll>>>,
        reopens: bool,
    }

    impl Watch for Turning {
        fn status(
            &mut self,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<RunState>> + '_>> {
            let (run, records, status, redrives) = self
                .script
                .borrow_mut()
                .pop_front()
                .expect("a poll scripted");
            assert_eq!(run, self.current, "the status of the run followed");
            self.runs
                .borrow_mut()
                .entry(run.to_string())
                .or_default()
                .extend(records);
            Box::pin(async move {
                Ok(RunState {
                    status,
                    start: None,
                    end: None,
                    redrives,
                })
            })
        }

        fn newest_first(&mut self) -> BoxedSource {
            let mut records = self.runs.borrow()[&self.current].clone();
            records.reverse();
            Box::new(crate::source::testing::InMemory::new(records, 2))
        }

        fn turn(&self, record: &Value) -> Option<Turn> {
            match record["turn"].as_str()? {
                "end" => Some(Turn::Ended),
                "reopen" => Some(Turn::Reopened),
                next => Some(Turn::ContinuedAs(next.strip_prefix("next:")?.to_string())),
            }
        }

        fn reopens(&self) -> bool {
            self.reopens
        }

        fn follow_into(&mut self, successor: &str) -> Result<String> {
            let line = format!("run {} continued as {successor}", self.current);
            self.current = successor.to_string();
            Ok(line)
        }
    }

    fn record(run: &str, id: i64, turn: Option<&str>) -> Value {
        match turn {
            Some(turn) => json!({"run": run, "id": id, "turn": turn}),
            None => json!({"run": run, "id": id}),
        }
    }

    /// Follows run `A` (records 1 to 3 before the first read) through `script`: the
    /// `run/id` of each record handed over, the status last polled, the polls left over
    /// and what was said.
    fn follow_turns(
        reopens: bool,
        gather: bool,
        script: Vec<Poll>,
    ) -> (Vec<String>, Option<Status>, usize, Vec<String>, usize) {
        let first: Vec<Value> = (1..=3).map(|id| record("A", id, None)).collect();
        let runs = Rc::new(RefCell::new(HashMap::from([(
            "A".to_string(),
            first.clone(),
        )])));
        let script = Rc::new(RefCell::new(script.into_iter().collect()));
        let status = Rc::new(Cell::new(None));
        let notices = Notices::default();
        let earlier = Rc::new(Cell::new(0));
        let poller = Poller::new(
            Box::new(crate::source::testing::InMemory::new(first, 1000)),
            Box::new(Turning {
                runs,
                current: "A".into(),
                script: script.clone(),
                reopens,
            }),
            |record| record["id"].as_i64(),
            Pace::new(Duration::from_millis(1), None),
            status.clone(),
            gather,
        )
        .saying(notices.clone(), earlier.clone());
        let (records, _) = crate::source::testing::drain(poller).unwrap();
        let handed = records
            .iter()
            .map(|r| format!("{}/{}", r["run"].as_str().unwrap(), r["id"]))
            .collect();
        let left = script.borrow().len();
        (handed, status.get(), left, notices.take(), earlier.get())
    }

    fn named(run: &str, ids: std::ops::RangeInclusive<i64>) -> Vec<String> {
        ids.map(|id| format!("{run}/{id}")).collect()
    }

    #[test]
    fn a_run_redriven_after_its_failure_was_polled_is_followed_to_its_last_end() {
        let (handed, status, left, _, _) = follow_turns(
            true,
            false,
            vec![
                ("A", vec![], Status::Running, None),
                ("A", vec![record("A", 4, Some("end"))], Status::Failed, None),
                // The confirming status call: redriven in between.
                (
                    "A",
                    vec![record("A", 5, Some("reopen")), record("A", 6, None)],
                    Status::Running,
                    Some(1),
                ),
                (
                    "A",
                    vec![record("A", 7, Some("end"))],
                    Status::Succeeded,
                    Some(1),
                ),
                ("A", vec![], Status::Succeeded, Some(1)),
            ],
        );
        assert_eq!(handed, named("A", 1..=7));
        assert_eq!((status, left), (Some(Status::Succeeded), 0));
    }

    #[test]
    fn a_redrive_the_last_read_shows_is_followed_while_the_status_lags() {
        let (handed, status, left, _, _) = follow_turns(
            true,
            false,
            vec![
                ("A", vec![], Status::Running, None),
                (
                    "A",
                    vec![record("A", 4, Some("end")), record("A", 5, Some("reopen"))],
                    Status::Failed,
                    None,
                ),
                // Still FAILED: the status call has not caught up with the redrive.
                ("A", vec![record("A", 6, None)], Status::Failed, None),
                (
                    "A",
                    vec![record("A", 7, Some("end"))],
                    Status::Failed,
                    Some(1),
                ),
                ("A", vec![], Status::Failed, Some(1)),
            ],
        );
        assert_eq!(handed, named("A", 1..=7));
        assert_eq!((status, left), (Some(Status::Failed), 0));
    }

    #[test]
    fn a_redrive_after_the_end_was_confirmed_is_not_followed() {
        let (handed, status, left, _, _) = follow_turns(
            true,
            false,
            vec![
                ("A", vec![], Status::Running, None),
                ("A", vec![record("A", 4, Some("end"))], Status::Failed, None),
                ("A", vec![], Status::Failed, None),
                (
                    "A",
                    vec![record("A", 5, Some("reopen"))],
                    Status::Running,
                    Some(1),
                ),
            ],
        );
        assert_eq!(handed, named("A", 1..=4));
        assert_eq!((status, left), (Some(Status::Failed), 1));
    }

    #[test]
    fn a_run_that_continues_as_new_is_followed_into_the_new_run() {
        let script = || {
            vec![
                ("A", vec![], Status::Running, None),
                (
                    "A",
                    vec![record("A", 4, Some("next:B"))],
                    Status::Succeeded,
                    None,
                ),
                (
                    "B",
                    vec![record("B", 1, None), record("B", 2, None)],
                    Status::Running,
                    None,
                ),
                ("B", vec![record("B", 3, Some("end"))], Status::Failed, None),
            ]
        };
        let (handed, status, left, said, earlier) = follow_turns(false, false, script());
        let mut expected = named("A", 1..=4);
        expected.extend(named("B", 1..=3));
        assert_eq!(handed, expected, "the new run's ids count from 1 again");
        assert_eq!((status, left), (Some(Status::Failed), 0));
        assert_eq!(said, vec!["run A continued as B".to_string()]);
        assert_eq!(earlier, 4, "the outcome is of the records after A's");
        // A report is of the run followed to its end.
        let (handed, status, _, _, earlier) = follow_turns(false, true, script());
        assert_eq!(earlier, 0);
        assert_eq!(handed, named("B", 1..=3));
        assert_eq!(status, Some(Status::Failed));
    }

    #[test]
    fn a_poll_reads_newest_first_only_back_to_the_last_record() {
        // 3000 records before, pages of 3: each of the 4 polls reads one or two pages.
        let (ids, pages) = follow_scripted(true, 3000);
        assert_eq!(ids, (1..=3007).collect::<Vec<_>>());
        assert!(pages <= 8, "{pages} pages in 4 polls");
    }
}

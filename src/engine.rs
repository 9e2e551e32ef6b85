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

use crate::aws::Connection;
use crate::cli::HistoryArgs;
use crate::exit::UsageError;
use crate::filter::{event_ids, failing_path, prune_tree, EventFilter};
use crate::model::{Event, EventId, Status};
use crate::render::{self, Needs, Output, Presentation, RunReport};
use crate::services::{Normalizer, Origin, ReadPlan, Service, SAVED_SHAPES};
use crate::source::saved::SavedHistory;
use crate::source::{BoxedSource, Step};
use anyhow::{Context, Result};
use serde_json::Value;
use std::collections::HashSet;
use std::io::Write;

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

/// `histx <service> show`: prints the history of one run.
pub async fn show<S: Service>(
    mut service: S,
    history: &HistoryArgs,
    connection: &Connection,
    presentation: Presentation,
    out: &mut dyn Write,
) -> Result<()> {
    let read = read_plan::<S>(history)?;
    let source = match &history.from {
        Some(path) => {
            let saved = Box::new(SavedHistory::open(path, S::SAVED_SHAPE, &SAVED_SHAPES)?);
            service.arrange(saved, Origin::File, read)?
        }
        None => {
            let live = service.live(connection, read).await?;
            service.arrange(live, Origin::Live, read)?
        }
    };
    let output = render::output(
        history.output,
        history.summary,
        history.failed,
        presentation,
    );
    let view = View::from_args(history);
    let mut reader = Reader {
        source,
        normalizer: service.normalizer(),
    };
    match output {
        Output::Report(report) => {
            let needs = report.needs();
            let run = reader.whole_run(&service, &view, needs, false).await?;
            report.write(out, run.report).context(CANNOT_WRITE)
        }
        output if view.failed_only => {
            let wire = matches!(output, Output::Wire(_));
            let run = reader
                .whole_run(&service, &view, Needs::default(), wire)
                .await?;
            match output {
                Output::Events(mut sink) => {
                    sink.page(out, &run.report.events)?;
                    sink.finish(out)
                }
                Output::Wire(mut sink) => sink.page(out, &run.wire),
                Output::Report(_) => unreachable!("reports are matched above"),
            }
            .context(CANNOT_WRITE)
        }
        output => reader.stream(&view, output, out).await,
    }
}

const CANNOT_WRITE: &str = "cannot write the output";

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
    })
}

/// A whole run, read: what a report gets, and the wire records of the events kept
/// (only when asked for, for `-o raw --failed`).
struct WholeRun {
    report: RunReport,
    wire: Vec<Value>,
}

/// Reads a run's records from a source through a normalizer.
struct Reader<N> {
    source: BoxedSource,
    normalizer: N,
}

impl<N: Normalizer> Reader<N> {
    /// The next page, asking for at most `at_most` records; `None` at the end.
    async fn next_page(&mut self, at_most: Option<usize>) -> Result<Option<Vec<Value>>> {
        // Read once: a source that has caught up with a running run has nothing more
        // for this read (follow mode polls it again instead).
        match self.source.next(at_most).await? {
            Step::Page(page) => Ok(Some(page)),
            Step::CaughtUp | Step::End => Ok(None),
        }
    }

    /// Streams pages to the output as they arrive.
    async fn stream(&mut self, view: &View, output: Output, out: &mut dyn Write) -> Result<()> {
        let filtering = !view.filter.is_empty();
        let mut printed = 0;
        let mut output = output;
        loop {
            let room = view.limit.map(|limit| limit - printed);
            if room == Some(0) {
                break;
            }
            // Without filters every record read is printed: ask for no more than the room.
            let Some(page) = self.next_page(room.filter(|_| !filtering)).await? else {
                break;
            };
            let room = room.unwrap_or(usize::MAX);
            match &mut output {
                Output::Wire(sink) if !filtering => {
                    let page = &page[..page.len().min(room)];
                    printed += page.len();
                    sink.page(out, page)
                }
                Output::Wire(sink) => {
                    let events = self.normalizer.normalize(page.clone());
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
                Output::Events(sink) => {
                    let mut events = self.normalizer.normalize(page);
                    events.retain(|event| view.filter.matches(event));
                    events.truncate(room);
                    printed += events.len();
                    sink.page(out, &events)
                }
                Output::Report(_) => unreachable!("reports read the whole run"),
            }
            .context(CANNOT_WRITE)?;
        }
        match &mut output {
            Output::Events(sink) => sink.finish(out),
            Output::Wire(_) | Output::Report(_) => out.flush(),
        }
        .context(CANNOT_WRITE)
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
        let early_stop = view.filter.is_empty() && !view.failed_only && !needs.all_events;
        let read_limit = if early_stop { view.limit } else { None };
        let mut wire: Vec<Value> = Vec::new();
        let mut events: Vec<Event> = Vec::new();
        loop {
            let room = read_limit.map(|limit| limit - events.len());
            if room == Some(0) {
                break;
            }
            let Some(mut page) = self.next_page(room).await? else {
                break;
            };
            // A file hands over whole batches, whatever was asked for.
            page.truncate(room.unwrap_or(usize::MAX));
            if keep_wire {
                wire.extend(page.iter().cloned());
            }
            events.extend(self.normalizer.normalize(page));
        }

        let mut summary = service.summary(&events);
        if read_limit == Some(events.len()) {
            // --limit stopped reading early: what the summary says of the run as a whole
            // is a guess from the events read, unless one of them ended the run.
            summary.partial = true;
            summary.stopped_at_limit = true;
            summary.start = None;
            summary.end = None;
            summary.duration_ms = None;
            if !summary.status.is_some_and(Status::is_final) {
                summary.status = None;
                summary.error = None;
                summary.cause = None;
                summary.failure = None;
            }
        }
        let mut tree = (needs.tree || view.failed_only).then(|| service.tree(&events, &summary));
        let mut keep: Vec<bool> = events.iter().map(|e| view.filter.matches(e)).collect();
        if view.failed_only {
            let path = failing_path(tree.take().unwrap_or_default());
            let on_path = event_ids(&path);
            for (kept, event) in keep.iter_mut().zip(&events) {
                *kept &= event.id.as_ref().is_some_and(|id| on_path.contains(id));
            }
            tree = Some(path);
        }
        // --limit counts the events shown, after the filters.
        if let Some(limit) = view.limit {
            keep.iter_mut()
                .filter(|kept| **kept)
                .skip(limit)
                .for_each(|kept| *kept = false);
        }
        let narrowed = !view.filter.is_empty() || (view.limit.is_some() && !early_stop);
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
        let mut wire_records = wire.into_iter();
        let (mut kept_events, mut kept_wire) = (Vec::new(), Vec::new());
        for (event, kept) in events.into_iter().zip(keep) {
            let record = wire_records.next();
            if kept {
                kept_events.push(event);
                kept_wire.extend(record);
            }
        }
        Ok(WholeRun {
            report: RunReport {
                summary,
                events: kept_events,
                tree: tree.unwrap_or_default(),
            },
            wire: kept_wire,
        })
    }
}

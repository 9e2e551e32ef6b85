//! A cheap live `--summary`: the run's newest page or two instead of its whole history.
//! It exists because a summary of a long run needs little of it: how it ended is at the
//! end of its history, and what it started from its status call. The history is read
//! newest first ([`Service::newest_first`]); a page that is the whole history (no next
//! token) is a whole read, handed to the engine's usual way through. Otherwise the
//! status call (DescribeExecution and friends) is asked once, and the service says
//! whether the newest events hold everything its summary needs
//! ([`Service::summary_of_newest`]); if not, and older events may tell, one more page
//! is read and asked about; if still not, the whole history is read, as without this path (nothing is said: the
//! summary is the same, only dearer). At most three requests: the first page, the status
//! call, and either the second page or, for the count of child runs, the one request a
//! service may make to prove there are none ([`Service::starts_no_runs`]). Without that
//! proof the count is unknown, and the summary says so ([`ChildrenRead::started`] is
//! `None`) rather than count what the newest events name.
//!
//! Only for a summary of the run alone: not with `--failed`, filters, `--depth` or
//! `--follow`, nor for a saved file; any request that fails here leaves it to the
//! whole read (which reports the error, if it has it too).

use crate::cli::HistoryArgs;
use crate::model::fold::retries_before;
use crate::model::{ChildrenRead, Event, RunSummary};
use crate::services::{FromNewest, Normalizer, Notices, ReadPlan, Service};
use crate::source::{AtEnd, NextStep, Source, Step};
use serde_json::Value;

/// What the cheap path found.
pub(super) enum Cheap {
    /// Read the whole history as usual.
    Whole,
    /// The whole history, from one page: the records in the order the read asked for.
    OnePage(Vec<Value>),
    /// The summary, from the newest events and the status call.
    Newest(Box<RunSummary>),
}

/// True for a live `--summary` of the run alone.
pub(super) fn wanted(history: &HistoryArgs) -> bool {
    history.summary
        && history.from.is_none()
        && !history.follow
        && !history.failed
        && history.depth == 0
        && super::View::from_args(history).filter.is_empty()
}

/// Reads the newest page(s) and the status call; see the module's header.
pub(super) async fn read<S: Service>(
    service: &mut S,
    connection: &crate::aws::Connection,
    plan: ReadPlan,
    notices: &Notices,
) -> Cheap {
    let source = service.newest_first(connection, plan).await;
    super::say(notices);
    let Ok(Some(mut source)) = source else {
        return Cheap::Whole;
    };
    // Newest first, as read.
    let mut newest: Vec<Value> = Vec::new();
    let mut state = None;
    for page in 1..=2 {
        match source.next(None).await {
            Ok(Step::Page(records)) => {
                crate::terminal::progress::read_page(records.len());
                newest.extend(records);
            }
            Ok(Step::CaughtUp | Step::End) => return one_page(newest, plan),
            Err(_) => return Cheap::Whole,
        }
        if source.at_end().await {
            return one_page(newest, plan);
        }
        if state.is_none() {
            match service.status(connection).await {
                Ok(polled) => state = Some(polled),
                Err(_) => return Cheap::Whole,
            }
        }
        let Some(state) = &state else {
            return Cheap::Whole;
        };
        let (events, noticed) = normalized(service, &newest);
        let mut summary = match service.summary_of_newest(&events, state) {
            FromNewest::Summary(summary) => summary,
            FromNewest::Older => continue,
            FromNewest::Whole => return Cheap::Whole,
        };
        for line in noticed {
            notices.say(line);
        }
        super::say(notices);
        if let Some(failure) = &mut summary.failure {
            failure.retries = failure
                .id
                .as_ref()
                .and_then(|id| retries_before(id, &events));
        }
        // Three requests at most: after the second page, no proof is asked for.
        let none_started = page == 1 && service.starts_no_runs(connection).await;
        summary.children = (!none_started).then_some(ChildrenRead {
            started: None,
            map_runs: 0,
            depth_read: 0,
            read_with_depth: 1,
        });
        return Cheap::Newest(summary);
    }
    Cheap::Whole
}

/// A first page that holds the whole history, in the order the read asked for.
fn one_page(mut newest: Vec<Value>, plan: ReadPlan) -> Cheap {
    // Counted as it was read: [`Held`] hands it over to be read again.
    if !newest.is_empty() {
        crate::terminal::progress::unread_page(newest.len());
    }
    if !plan.reverse {
        newest.reverse();
    }
    Cheap::OnePage(newest)
}

/// The newest records, normalized together in history order by a normalizer of their
/// own, and what it noticed (said once the summary is of them).
fn normalized<S: Service>(service: &S, newest: &[Value]) -> (Vec<Event>, Vec<String>) {
    let mut normalizer = service.normalizer();
    let mut events = normalizer.normalize(newest.iter().rev().cloned().collect());
    events.iter_mut().for_each(Event::decode_cause);
    (events, normalizer.take_notices())
}

/// Records already read, handed over as one page.
pub(super) struct Held(Option<Vec<Value>>);

impl Held {
    pub(super) fn new(records: Vec<Value>) -> Self {
        Held(Some(records))
    }
}

impl Source for Held {
    fn at_end(&mut self) -> AtEnd<'_> {
        let done = self.0.is_none();
        Box::pin(async move { done })
    }

    fn next(&mut self, _at_most: Option<usize>) -> NextStep<'_> {
        let step = match self.0.take() {
            Some(records) if !records.is_empty() => Step::Page(records),
            _ => Step::End,
        };
        Box::pin(async move { Ok(step) })
    }
}

/// The report of a summary from the newest events: the summary alone.
pub(super) fn report(summary: RunSummary) -> crate::render::RunReport {
    crate::render::RunReport {
        elapsed_from: summary.start,
        summary,
        events: Vec::new(),
        tree: Vec::new(),
        children: Vec::new(),
        limit: None,
        nothing_failed: false,
    }
}

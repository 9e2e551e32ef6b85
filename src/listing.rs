//! The listing engine: `histx <service> ls`, and the newest run that `show` picks when
//! it is given a state machine, a document, a workflow or a pipeline rather than one
//! run. A service declares its listing ([`RunListing`]: its requests, newest first,
//! with the status and time filters its API has); this module drives it the same way
//! for every service: it applies what the API could not (`--run-status`, `--since`, an
//! exact name), keeps the records newest first, and stops requesting once `--limit`
//! records are kept (a page is asked no larger than what is still wanted when the API
//! filtered everything itself, or left only `--since`, which ends a newest-first
//! listing at its first older run). Records go to a [`RunSink`] as each page arrives.

use crate::aws::Connection;
use crate::cli::List;
use crate::exit::Outcome;
use crate::render::runs;
use crate::render::Presentation;
use crate::services::{RunListing, RunQuery, RunRecord, Service};
use crate::source::Step;
use anyhow::{Context, Result};
use std::io::Write;

/// `histx <service> ls`: prints the listing.
pub async fn list<S: Service>(
    list: List<S::ListArgs>,
    connection: &Connection,
    presentation: Presentation,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let options = &list.options;
    let query = RunQuery::new(&options.run_statuses, options.since, options.limit as usize);
    let listing = S::list_runs(list.service, connection, &query).await?;
    let window = listing.window.clone();
    crate::terminal::progress::call_records(listing.noun);
    let parents = listing.parents;
    let mut sink = runs::sink(options.output, listing.parents, presentation);
    let mut runs = Runs::new(listing, &query);
    runs.counted = true;
    let mut printed = 0;
    while let Some(page) = runs.next_page().await? {
        printed += page.len();
        sink.page(out, &page).context(CANNOT_WRITE)?;
    }
    if printed == 0 {
        runs.check_empty().await?;
    }
    sink.finish(out).context(CANNOT_WRITE)?;
    if printed == 0 && options.output == crate::render::runs::ListFormat::Table {
        // A table of nothing has no header either: say so where people look.
        let what = if parents { "nothing" } else { "no runs" };
        crate::terminal::progress::before_stderr_line();
        let _ = writeln!(std::io::stderr(), "histx: {what} to list");
    }
    if printed < query.limit {
        if let Some(window) = window {
            crate::terminal::progress::before_stderr_line();
            let _ = writeln!(
                std::io::stderr(),
                "{}",
                crate::escape::terminal_safe(&window)
            );
        }
    }
    Ok(Outcome::Done)
}

/// The newest record of a listing that the query keeps, if any (for `show`).
pub async fn newest(listing: RunListing, query: &RunQuery) -> Result<Option<RunRecord>> {
    let mut runs = Runs::new(listing, query);
    let newest = runs
        .next_page()
        .await?
        .and_then(|page| page.into_iter().next());
    if newest.is_none() {
        runs.check_empty().await?;
    }
    Ok(newest)
}

const CANNOT_WRITE: &str = "cannot write the output";

/// A listing being read: the records kept so far, and whether reading is over.
struct Runs<'q> {
    listing: RunListing,
    query: &'q RunQuery,
    kept: usize,
    done: bool,
    /// Each page read is counted for the progress line (`ls`; not the newest run `show`
    /// picks, whose line counts the run's records).
    counted: bool,
}

impl<'q> Runs<'q> {
    fn new(listing: RunListing, query: &'q RunQuery) -> Self {
        Runs {
            listing,
            query,
            kept: 0,
            done: false,
            counted: false,
        }
    }

    /// True when a page need hold no more than what is still wanted: every record the
    /// API sends is kept until the listing ends. So it is when the API applied every
    /// filter; and when histx applies only `--since` to runs listed newest first, as
    /// every run before the first older one is kept and none after it.
    fn all_kept(&self) -> bool {
        let listing = &self.listing;
        (listing.statuses_applied || self.query.statuses.is_empty())
            && (listing.since_applied || self.query.since.is_none() || !listing.parents)
            && listing.keep.is_none()
    }

    /// The listing's own check that what it lists exists, once it has kept nothing.
    async fn check_empty(&mut self) -> Result<()> {
        match self.listing.if_empty.take() {
            Some(check) => check.await,
            None => Ok(()),
        }
    }

    /// The next records kept, newest first; `None` once the limit is reached or the
    /// listing is over.
    async fn next_page(&mut self) -> Result<Option<Vec<RunRecord>>> {
        loop {
            if self.done || self.kept >= self.query.limit {
                return Ok(None);
            }
            let room = self.query.limit - self.kept;
            let at_most = self.all_kept().then_some(room);
            let page = match self.listing.source.next(at_most).await? {
                Step::Page(page) => page,
                Step::CaughtUp | Step::End => {
                    self.done = true;
                    return Ok(None);
                }
            };
            if self.counted {
                crate::terminal::progress::read_page(page.len());
            }
            let mut records: Vec<RunRecord> =
                page.into_iter().filter_map(&self.listing.record).collect();
            if !self.listing.parents {
                // Newest first within the page too, whatever order the API gave it in.
                records.sort_by_key(|r| std::cmp::Reverse(r.start.map_or(i64::MIN, |t| t.0)));
            }
            let mut kept = Vec::new();
            for record in records {
                if kept.len() == room {
                    break;
                }
                if let Some(keep) = &self.listing.keep {
                    if !keep(&record) {
                        continue;
                    }
                }
                if let Some(since) = self.query.since {
                    match record.start {
                        Some(start) if start >= since => {}
                        // Newest first: every later run started earlier still.
                        Some(_) if !self.listing.parents => {
                            self.done = true;
                            break;
                        }
                        _ => continue,
                    }
                }
                if let Some(status) = record.status {
                    if !self.query.wants(status) {
                        continue;
                    }
                } else if !self.query.statuses.is_empty() && !self.listing.parents {
                    continue;
                }
                kept.push(record);
            }
            self.kept += kept.len();
            if !kept.is_empty() {
                return Ok(Some(kept));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Status, Timestamp};
    use crate::source::testing::InMemory;
    use serde_json::{json, Value};

    fn listing(records: Vec<Value>, per_page: usize) -> RunListing {
        RunListing::runs(
            Box::new(InMemory::new(records, per_page)),
            Box::new(|value: Value| {
                let mut record = RunRecord::new("numbers", value["id"].to_string());
                record.start = value["start"].as_i64().map(Timestamp);
                record.status = value["status"].as_str().and_then(Status::parse);
                Some(record)
            }),
        )
    }

    fn read(listing: RunListing, query: &RunQuery) -> Vec<String> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(async {
                let mut runs = Runs::new(listing, query);
                let mut all = Vec::new();
                while let Some(page) = runs.next_page().await.unwrap() {
                    all.extend(page.into_iter().map(|r| r.execution));
                }
                all
            })
    }

    fn runs(count: i64) -> Vec<Value> {
        (0..count)
            .map(|i| {
                let status = if i % 3 == 0 { "failed" } else { "succeeded" };
                json!({"id": i, "start": 1_000_000 - i, "status": status})
            })
            .collect()
    }

    #[test]
    fn the_limit_stops_the_listing_and_statuses_are_applied_when_the_api_did_not() {
        let query = RunQuery::new(&[Status::Failed], None, 3);
        assert_eq!(read(listing(runs(30), 4), &query), vec!["0", "3", "6"]);
    }

    #[test]
    fn since_ends_a_newest_first_listing_at_the_first_older_run() {
        let query = RunQuery::new(&[], Some(Timestamp(1_000_000 - 4)), 20);
        assert_eq!(
            read(listing(runs(30), 4), &query),
            vec!["0", "1", "2", "3", "4"]
        );
    }

    #[test]
    fn running_selects_every_status_that_is_not_final_and_pending_the_waiting_ones() {
        let running = RunQuery::new(&[Status::Running], None, 5);
        for status in Status::ALL {
            let in_flight = !status.is_final() && status != Status::Info;
            assert_eq!(running.wants(status), in_flight, "{status:?}");
        }
        let pending = RunQuery::new(&[Status::Pending], None, 5);
        assert!(pending.wants(Status::Pending) && pending.wants(Status::Scheduled));
        assert!(!pending.wants(Status::Running));
        let both = RunQuery::new(
            &[Status::Running, Status::Pending, Status::Running],
            None,
            5,
        );
        assert_eq!(both.statuses.len(), 4, "{:?}", both.statuses);
    }

    #[test]
    fn aborted_also_selects_cancelled() {
        let query = RunQuery::new(&[Status::Aborted], None, 5);
        assert!(query.wants(Status::Cancelled) && query.wants(Status::Aborted));
        assert!(!query.wants(Status::Failed));
    }
}

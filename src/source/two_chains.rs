//! A whole history read from both ends at once: one chain of page tokens walks it in
//! the order asked for ("ahead"), a second walks it the other way ("behind"), and the
//! two stop where they meet. One chain of tokens costs one round trip a page, one after
//! the other; two halve that. Made for histories whose records carry contiguous
//! positions (Step Functions' and SWF's event ids), so the meeting point is exact: every
//! record is handed over once, in order, the same as one chain would.
//!
//! Ahead's pages are handed over as they arrive; behind's are held (at most half the
//! history, as compact JSON text) and handed over, turned around, when the chains meet.
//!
//! Each request is a task of its own on the runtime: it is sent the moment the chain
//! may ask for it, and its response is read (parsed, and for behind turned into held
//! text) on the runtime's workers while the reader writes earlier pages, so that
//! histx's own work overlaps the round trips instead of adding to them. Held pages are
//! parsed back a couple of pages ahead of the reader, in tasks too. The behind chain
//! starts only after ahead's first page had a token (a one-page history costs one
//! request), and it is asked for a page only while the gap between the two is wider
//! than a page (a two-page history costs two requests; a full `n`-page history `n`).
//! Asked for a limited count (`at_most`) before the second chain started, the source
//! stays one chain. A chain that fails fails the read; the SDK retries throttling and
//! 5xx inside each request.

use super::pager::{PageApi, TokenPager};
use super::{AtEnd, NextStep, OrderKey, Source, Step};
use anyhow::{anyhow, Result};
use futures_util::future::{select, Either};
use serde_json::Value;
use std::collections::VecDeque;
use tokio::task::{JoinError, JoinHandle};

/// Held pages parsed back ahead of the reader, once the chains met.
const PARSE_AHEAD: usize = 2;

/// A task's outcome; a task that panicked panics the reader (the panic hook has said it).
fn joined<T>(result: Result<T, JoinError>) -> Result<T> {
    match result {
        Ok(value) => Ok(value),
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => Err(anyhow!("a page's task ended early: {error}")),
    }
}

/// A task, ended when its handle is dropped (a page no longer wanted is not waited for).
struct Task<T>(JoinHandle<T>);

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What a request brought back, read on the task that sent it.
enum Arrival {
    /// Ahead's records.
    Records(Vec<Value>),
    /// Behind's records, as held: each record's position (in page order) and the page's
    /// JSON text.
    Held {
        positions: Vec<Option<i64>>,
        text: String,
    },
}

/// A request on its way: the pager comes back with what it read and whether it is at
/// its end.
type InFlight<A> = Task<(TokenPager<A>, Result<Arrival>, bool)>;

enum Slot<A> {
    Idle(TokenPager<A>),
    Busy(InFlight<A>),
    /// At its end, or no longer needed.
    Gone,
}

impl<A: PageApi + Send + 'static> Slot<A> {
    /// Sends the chain's next request, if it is idle. `held`: the position of a record
    /// (key × sign), when the page is to be held.
    fn launch(&mut self, held: Option<(OrderKey, i64)>) {
        if let Slot::Idle(_) = self {
            let Slot::Idle(mut pager) = std::mem::replace(self, Slot::Gone) else {
                unreachable!("checked above")
            };
            *self = Slot::Busy(Task(tokio::spawn(async move {
                let step = pager.next_page(None).await;
                let arrival = step.map(|step| {
                    let page = match step {
                        Step::Page(page) => page,
                        Step::CaughtUp | Step::End => Vec::new(),
                    };
                    match held {
                        None => Arrival::Records(page),
                        Some((key, sign)) => Arrival::Held {
                            positions: page.iter().map(|r| key(r).map(|k| k * sign)).collect(),
                            text: if page.is_empty() {
                                String::new()
                            } else {
                                Value::Array(page).to_string()
                            },
                        },
                    }
                });
                let done = pager.is_done();
                (pager, arrival, done)
            })));
        }
    }

    fn busy(&self) -> bool {
        matches!(self, Slot::Busy(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Ahead's first page not read yet.
    First,
    /// Behind's first page not read yet.
    Second,
    /// Both chains are walking.
    Both,
    /// A limited count was asked for first: ahead alone.
    Single,
}

/// Two [`TokenPager`]s over one history, in opposite orders, as one [`Source`].
pub struct TwoChains<A> {
    ahead: Slot<A>,
    behind: Slot<A>,
    key: OrderKey,
    /// `1` when ahead reads oldest first, `-1` when it reads newest first: a record's
    /// position (key × sign) grows along ahead's pages.
    sign: i64,
    page_size: usize,
    phase: Phase,
    /// The furthest position ahead handed over.
    reached: Option<i64>,
    /// The nearest position behind holds.
    held_from: Option<i64>,
    /// Behind's pages, as they came (furthest first), each kept as its JSON text: a
    /// parsed record takes several times the room of its text, and these wait.
    held: Vec<Held>,
    /// Pages to hand over: ahead's as they came, then behind's, each parsed only shortly
    /// before its turn comes (held text is parsed a few pages at a time).
    ready: VecDeque<Ready>,
    met: bool,
}

/// One of behind's pages, held.
struct Held {
    text: String,
    /// Ahead had reached this position when the page came: records at or before it
    /// were handed over already.
    after: Option<i64>,
}

/// A page waiting to be handed over.
enum Ready {
    Page(Vec<Value>),
    /// Behind's, to be parsed back and turned around.
    Held(Held),
    /// Behind's, being parsed back.
    Parsing(Task<Result<Vec<Value>>>),
}

impl Held {
    /// The held page's records as ahead would have read them: turned around, without
    /// those handed over already.
    fn parse(self, key: OrderKey, sign: i64) -> Result<Vec<Value>> {
        let mut page: Vec<Value> = serde_json::from_str(&self.text)?;
        if let Some(after) = self.after {
            page.retain(|record| key(record).is_none_or(|k| k * sign > after));
        }
        page.reverse();
        Ok(page)
    }
}

impl<A: PageApi + Send + 'static> TwoChains<A> {
    /// `ahead` reads in the order the user asked for (`newest_first` when that is newest
    /// first), `behind` the other way; `key` is a record's contiguous position (its event
    /// id); `page_size` the records a request asks for.
    pub fn new(ahead: A, behind: A, page_size: usize, key: OrderKey, newest_first: bool) -> Self {
        TwoChains {
            ahead: Slot::Idle(TokenPager::new(ahead, page_size)),
            behind: Slot::Idle(TokenPager::new(behind, page_size)),
            key,
            sign: if newest_first { -1 } else { 1 },
            page_size,
            phase: Phase::First,
            reached: None,
            held_from: None,
            held: Vec::new(),
            ready: VecDeque::new(),
            met: false,
        }
    }

    fn position(&self, record: &Value) -> Option<i64> {
        (self.key)(record).map(|key| key * self.sign)
    }

    /// Whether the positions handed over and held leave no gap.
    fn touching(&self) -> bool {
        matches!((self.reached, self.held_from), (Some(a), Some(b)) if a + 1 >= b)
    }

    /// Records between the two chains, if both have records: how far apart they are.
    fn gap(&self) -> Option<i64> {
        Some(self.held_from? - self.reached? - 1)
    }

    fn take_ahead(&mut self, mut page: Vec<Value>, done: bool) {
        if let Some(held_from) = self.held_from {
            let before = page.len();
            page.retain(|record| self.position(record).is_none_or(|p| p < held_from));
            self.met |= page.len() < before;
        }
        if let Some(furthest) = page.iter().filter_map(|r| self.position(r)).max() {
            self.reached = Some(self.reached.map_or(furthest, |r| r.max(furthest)));
        }
        if !page.is_empty() {
            self.ready.push_back(Ready::Page(page));
        }
        self.met |= done || self.touching();
    }

    fn take_behind(&mut self, positions: Vec<Option<i64>>, text: String, done: bool) {
        let after = self.reached;
        let came = positions.len();
        let mut kept = came;
        let mut nearest: Option<i64> = None;
        for position in positions {
            match (position, after) {
                (Some(p), Some(reached)) if p <= reached => kept -= 1,
                (Some(p), _) => nearest = Some(nearest.map_or(p, |n| n.min(p))),
                (None, _) => {}
            }
        }
        if let Some(nearest) = nearest {
            self.held_from = Some(self.held_from.map_or(nearest, |h| h.min(nearest)));
        }
        if kept > 0 {
            self.held.push(Held { text, after });
        }
        self.met |= kept < came || done || self.touching();
    }

    /// The chains met: behind's pages, turned around, follow ahead's; no more requests.
    fn meet(&mut self) {
        self.ahead = Slot::Gone;
        self.behind = Slot::Gone;
        let held = std::mem::take(&mut self.held);
        self.ready.extend(held.into_iter().rev().map(Ready::Held));
    }

    /// Sends the requests the chains may send now. A full page's worth of records is
    /// asked for only while the gap between the chains is wider than the pages on
    /// their way.
    fn launch(&mut self) {
        let behind = Some((self.key, self.sign));
        match self.phase {
            Phase::First => self.ahead.launch(None),
            Phase::Second => self.behind.launch(behind),
            Phase::Both => {
                // What the pages on their way leave of the gap, if they come full.
                let page = self.page_size as i64;
                let busy = self.ahead.busy() as i64 + self.behind.busy() as i64;
                let mut left = self.gap().map(|gap| gap - busy * page);
                if left.is_none_or(|left| left > 0) && !self.ahead.busy() {
                    self.ahead.launch(None);
                    left = left.map(|left| left - page);
                }
                if left.is_none_or(|left| left > 0) {
                    self.behind.launch(behind);
                }
            }
            Phase::Single => {}
        }
    }

    /// Held pages next in line are parsed back in tasks of their own.
    fn parse_ahead(&mut self) {
        let (key, sign) = (self.key, self.sign);
        for ready in self.ready.iter_mut().take(PARSE_AHEAD) {
            if matches!(ready, Ready::Held(_)) {
                let Ready::Held(held) = std::mem::replace(ready, Ready::Page(Vec::new())) else {
                    unreachable!("checked above")
                };
                *ready = Ready::Parsing(Task(tokio::spawn(async move { held.parse(key, sign) })));
            }
        }
    }
}

impl<A: PageApi + Send + 'static> Source for TwoChains<A> {
    fn at_end(&mut self) -> AtEnd<'_> {
        let done = self.ready.is_empty()
            && (self.met || matches!((&self.ahead, self.phase), (Slot::Gone, Phase::Single)));
        Box::pin(async move { done })
    }

    fn next(&mut self, at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            loop {
                self.parse_ahead();
                match self.ready.pop_front() {
                    Some(Ready::Page(page)) => return Ok(Step::Page(page)),
                    Some(Ready::Held(held)) => {
                        return Ok(Step::Page(held.parse(self.key, self.sign)?));
                    }
                    Some(Ready::Parsing(mut task)) => {
                        let page = joined((&mut task.0).await)??;
                        return Ok(Step::Page(page));
                    }
                    None => {}
                }
                if self.met {
                    return Ok(Step::End);
                }
                if self.phase == Phase::First && at_most.is_some() {
                    self.phase = Phase::Single;
                }
                if self.phase == Phase::Single {
                    let step = match &mut self.ahead {
                        Slot::Idle(pager) => pager.next(at_most).await,
                        _ => Ok(Step::End),
                    };
                    return step;
                }
                self.launch();
                let (from_ahead, arrived) = match (&mut self.ahead, &mut self.behind) {
                    (Slot::Busy(ahead), Slot::Busy(behind)) => {
                        match select(&mut ahead.0, &mut behind.0).await {
                            Either::Left((arrived, _)) => (true, arrived),
                            Either::Right((arrived, _)) => (false, arrived),
                        }
                    }
                    (Slot::Busy(ahead), _) => (true, (&mut ahead.0).await),
                    (_, Slot::Busy(behind)) => (false, (&mut behind.0).await),
                    // Neither chain has more to ask for: whatever was read is all.
                    _ => {
                        self.met = true;
                        self.meet();
                        continue;
                    }
                };
                let slot = if from_ahead {
                    &mut self.ahead
                } else {
                    &mut self.behind
                };
                let arrival = match joined(arrived) {
                    Ok((pager, Ok(arrival), done)) => {
                        *slot = if done { Slot::Gone } else { Slot::Idle(pager) };
                        (arrival, done)
                    }
                    Ok((_, Err(error), _)) | Err(error) => {
                        // The read fails: nothing more is asked for.
                        self.ahead = Slot::Gone;
                        self.behind = Slot::Gone;
                        self.met = true;
                        self.held.clear();
                        return Err(error);
                    }
                };
                let (arrival, done) = arrival;
                match arrival {
                    Arrival::Records(page) => {
                        self.take_ahead(page, done);
                        if self.phase == Phase::First {
                            self.phase = Phase::Second;
                        }
                    }
                    Arrival::Held { positions, text } => {
                        self.take_behind(positions, text, done);
                        self.phase = Phase::Both;
                    }
                }
                if self.met {
                    self.meet();
                } else {
                    // The next requests go out now, while the reader works on this page.
                    self.launch();
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::pager::Page;
    use serde_json::json;
    use std::sync::{Arc, Mutex};

    /// Every request: (reverse?, token).
    type Asked = Arc<Mutex<Vec<(bool, Option<String>)>>>;

    /// A history of `total` records with ids 1..=total, paged by offset tokens, in
    /// either order; every request is written down (reverse?, token).
    struct Ids {
        total: i64,
        reverse: bool,
        asked: Asked,
        /// Every other page holds half what was asked for.
        short_pages: bool,
        /// The request for the page starting at this offset fails.
        fail_at: Option<i64>,
    }

    impl PageApi for Ids {
        async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
            self.asked
                .lock()
                .unwrap()
                .push((self.reverse, token.clone()));
            tokio::task::yield_now().await;
            let start: i64 = token.as_deref().map_or(0, |t| t.parse().unwrap());
            if self.fail_at == Some(start) {
                anyhow::bail!("ThrottlingException: rate exceeded");
            }
            let size = if self.short_pages && (start / page_size as i64) % 2 == 1 {
                page_size as i64 / 2
            } else {
                page_size as i64
            };
            let end = (start + size).min(self.total);
            let events = (start..end)
                .map(|i| {
                    let id = if self.reverse { self.total - i } else { i + 1 };
                    json!({ "id": id })
                })
                .collect();
            Ok(Page {
                events,
                next_token: (end < self.total).then(|| end.to_string()),
            })
        }
    }

    fn id(record: &Value) -> Option<i64> {
        record.get("id").and_then(Value::as_i64)
    }

    fn read(total: i64, page: usize, newest_first: bool, short: bool) -> (Vec<i64>, usize) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let api = |reverse| Ids {
            total,
            reverse,
            asked: asked.clone(),
            short_pages: short,
            fail_at: None,
        };
        let source = TwoChains::new(
            api(newest_first),
            api(!newest_first),
            page,
            id,
            newest_first,
        );
        let (all, _) = crate::source::testing::drain(source).unwrap();
        let requests = asked.lock().unwrap().len();
        (all.iter().filter_map(id).collect(), requests)
    }

    #[test]
    fn every_id_once_in_order_both_ways() {
        for total in [0, 1, 9, 10, 11, 19, 20, 21, 99, 100, 101, 250] {
            for short in [false, true] {
                let (ids, _) = read(total, 10, false, short);
                assert_eq!(ids, (1..=total).collect::<Vec<_>>(), "{total} {short}");
                let (ids, _) = read(total, 10, true, short);
                assert_eq!(
                    ids,
                    (1..=total).rev().collect::<Vec<_>>(),
                    "{total} {short}"
                );
            }
        }
    }

    #[test]
    fn full_pages_cost_what_one_chain_costs() {
        assert_eq!(read(10, 10, false, false).1, 1, "one page");
        assert_eq!(read(20, 10, false, false).1, 2, "two pages");
        assert_eq!(read(25, 10, false, false).1, 3);
        assert_eq!(read(250, 10, false, false).1, 25);
        assert_eq!(read(251, 10, true, false).1, 26);
    }

    #[test]
    fn a_limited_read_stays_one_chain() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let api = |reverse| Ids {
            total: 100,
            reverse,
            asked: asked.clone(),
            short_pages: false,
            fail_at: None,
        };
        let mut source = TwoChains::new(api(false), api(true), 10, id, false);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut seen = 0;
        runtime.block_on(async {
            while seen < 25 {
                match source.next(Some(25 - seen)).await.unwrap() {
                    Step::Page(page) => seen += page.len(),
                    _ => break,
                }
            }
        });
        assert_eq!(seen, 25);
        assert!(asked.lock().unwrap().iter().all(|(reverse, _)| !reverse));
    }

    /// Every record of `source` on a runtime with workers (as histx runs): the pages'
    /// tasks run beside the reader, held pages are parsed back in tasks of their own.
    fn drain_on_workers(mut source: TwoChains<Ids>) -> (Vec<i64>, Result<()>) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut ids = Vec::new();
            loop {
                match source.next(None).await {
                    Ok(Step::Page(page)) => ids.extend(page.iter().filter_map(id)),
                    Ok(_) => return (ids, Ok(())),
                    Err(error) => return (ids, Err(error)),
                }
            }
        })
    }

    fn ids_api(total: i64, reverse: bool, short: bool, fail_at: Option<i64>) -> Ids {
        Ids {
            total,
            reverse,
            asked: Asked::default(),
            short_pages: short,
            fail_at,
        }
    }

    #[test]
    fn pages_read_on_workers_and_held_pages_parsed_ahead_keep_order_and_come_once() {
        // 250 records in pages of 10: a dozen held pages, more than are parsed ahead.
        for total in [0, 1, 10, 11, 20, 21, 99, 250, 251] {
            for short in [false, true] {
                for newest_first in [false, true] {
                    let source = TwoChains::new(
                        ids_api(total, newest_first, short, None),
                        ids_api(total, !newest_first, short, None),
                        10,
                        id,
                        newest_first,
                    );
                    let (ids, outcome) = drain_on_workers(source);
                    outcome.unwrap();
                    let mut expected: Vec<i64> = (1..=total).collect();
                    if newest_first {
                        expected.reverse();
                    }
                    assert_eq!(ids, expected, "{total} {short} {newest_first}");
                }
            }
        }
    }

    #[test]
    fn a_chain_failing_on_a_worker_fails_the_read_after_what_was_handed_over() {
        for behind_fails in [false, true] {
            let (ahead_fail, behind_fail) = if behind_fails {
                (None, Some(40))
            } else {
                (Some(40), None)
            };
            let source = TwoChains::new(
                ids_api(250, false, false, ahead_fail),
                ids_api(250, true, false, behind_fail),
                10,
                id,
                false,
            );
            let (ids, outcome) = drain_on_workers(source);
            let error = outcome.expect_err("the read fails");
            assert!(error.to_string().contains("ThrottlingException"), "{error}");
            // What was handed over is ahead's, from the first record, without a gap.
            assert_eq!(ids, (1..=ids.len() as i64).collect::<Vec<_>>());
            assert!(ids.len() < 250);
        }
    }
}

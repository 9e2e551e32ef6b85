//! A whole history read from both ends at once: one chain of page tokens walks it in
//! the order asked for ("ahead"), a second walks it the other way ("behind"), and the
//! two stop where they meet. One chain of tokens costs one round trip a page, one after
//! the other; two halve that. Made for histories whose records carry contiguous
//! positions (Step Functions' and SWF's event ids), so the meeting point is exact: every
//! record is handed over once, in order, the same as one chain would.
//!
//! Ahead's pages are handed over as they arrive; behind's are held (at most half the
//! history, as compact JSON text) and handed over, turned around, when the chains meet. The behind chain
//! starts only after ahead's first page had a token (a one-page history costs one
//! request), and it is asked for a page only while the gap between the two is wider
//! than a page (a two-page history costs two requests; a full `n`-page history `n`).
//! Asked for a limited count (`at_most`) before the second chain started, the source
//! stays one chain. A chain that fails fails the read; the SDK retries throttling and
//! 5xx inside each request.

use super::pager::{PageApi, TokenPager};
use super::{AtEnd, NextStep, OrderKey, Source, Step};
use anyhow::Result;
use futures_util::future::{select, Either};
use serde_json::Value;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

/// A page on its way: the pager comes back with its step and whether it is at its end.
type InFlight<A> = Pin<Box<dyn Future<Output = (TokenPager<A>, Result<Step>, bool)>>>;

enum Slot<A> {
    Idle(TokenPager<A>),
    Busy(InFlight<A>),
    /// At its end, or no longer needed.
    Gone,
}

impl<A: PageApi + 'static> Slot<A> {
    fn launch(&mut self) {
        if let Slot::Idle(_) = self {
            let Slot::Idle(mut pager) = std::mem::replace(self, Slot::Gone) else {
                unreachable!("checked above")
            };
            *self = Slot::Busy(Box::pin(async move {
                let step = pager.next(None).await;
                let done = pager.at_end().await;
                (pager, step, done)
            }));
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
    held: Vec<String>,
    /// Pages to hand over: ahead's as they came, then behind's, each parsed only when
    /// its turn comes (held text is parsed a page at a time).
    ready: VecDeque<Ready>,
    met: bool,
}

/// A page waiting to be handed over.
enum Ready {
    Page(Vec<Value>),
    /// Behind's, as JSON text, to be turned around.
    Held(String),
}

impl<A: PageApi + 'static> TwoChains<A> {
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

    fn take_behind(&mut self, mut page: Vec<Value>, done: bool) {
        if let Some(reached) = self.reached {
            let before = page.len();
            page.retain(|record| self.position(record).is_none_or(|p| p > reached));
            self.met |= page.len() < before;
        }
        if let Some(nearest) = page.iter().filter_map(|r| self.position(r)).min() {
            self.held_from = Some(self.held_from.map_or(nearest, |h| h.min(nearest)));
        }
        if !page.is_empty() {
            self.held.push(Value::Array(page).to_string());
        }
        self.met |= done || self.touching();
    }

    /// The chains met: behind's pages, turned around, follow ahead's; no more requests.
    fn meet(&mut self) {
        self.ahead = Slot::Gone;
        self.behind = Slot::Gone;
        let held = std::mem::take(&mut self.held);
        self.ready.extend(held.into_iter().rev().map(Ready::Held));
    }
}

impl<A: PageApi + 'static> Source for TwoChains<A> {
    fn at_end(&mut self) -> AtEnd<'_> {
        let done = self.ready.is_empty()
            && (self.met || matches!((&self.ahead, self.phase), (Slot::Gone, Phase::Single)));
        Box::pin(async move { done })
    }

    fn next(&mut self, at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            loop {
                match self.ready.pop_front() {
                    Some(Ready::Page(page)) => return Ok(Step::Page(page)),
                    Some(Ready::Held(text)) => {
                        let mut page: Vec<Value> = serde_json::from_str(&text)?;
                        page.reverse();
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
                match self.phase {
                    Phase::First => self.ahead.launch(),
                    Phase::Second => self.behind.launch(),
                    _ => {
                        // What the pages on their way leave of the gap, if they come full.
                        let page = self.page_size as i64;
                        let busy = self.ahead.busy() as i64 + self.behind.busy() as i64;
                        let mut left = self.gap().map(|gap| gap - busy * page);
                        if left.is_none_or(|left| left > 0) && !self.ahead.busy() {
                            self.ahead.launch();
                            left = left.map(|left| left - page);
                        }
                        if left.is_none_or(|left| left > 0) {
                            self.behind.launch();
                        }
                    }
                }
                let (from_ahead, (pager, step, done)) = match (&mut self.ahead, &mut self.behind) {
                    (Slot::Busy(ahead), Slot::Busy(behind)) => match select(ahead, behind).await {
                        Either::Left((arrived, _)) => (true, arrived),
                        Either::Right((arrived, _)) => (false, arrived),
                    },
                    (Slot::Busy(ahead), _) => (true, ahead.await),
                    (_, Slot::Busy(behind)) => (false, behind.await),
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
                *slot = if done { Slot::Gone } else { Slot::Idle(pager) };
                let page = match step {
                    Ok(Step::Page(page)) => page,
                    Ok(Step::CaughtUp | Step::End) => Vec::new(),
                    Err(error) => {
                        // The read fails: nothing more is asked for.
                        self.ahead = Slot::Gone;
                        self.behind = Slot::Gone;
                        self.met = true;
                        self.held.clear();
                        return Err(error);
                    }
                };
                if from_ahead {
                    self.take_ahead(page, done);
                    if self.phase == Phase::First {
                        self.phase = Phase::Second;
                    }
                } else {
                    self.take_behind(page, done);
                    self.phase = Phase::Both;
                }
                if self.met {
                    self.meet();
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
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Every request: (reverse?, token).
    type Asked = Rc<RefCell<Vec<(bool, Option<String>)>>>;

    /// A history of `total` records with ids 1..=total, paged by offset tokens, in
    /// either order; every request is written down (reverse?, token).
    struct Ids {
        total: i64,
        reverse: bool,
        asked: Asked,
        /// Every other page holds half what was asked for.
        short_pages: bool,
    }

    impl PageApi for Ids {
        async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
            self.asked.borrow_mut().push((self.reverse, token.clone()));
            tokio::task::yield_now().await;
            let start: i64 = token.as_deref().map_or(0, |t| t.parse().unwrap());
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
        let asked = Rc::new(RefCell::new(Vec::new()));
        let api = |reverse| Ids {
            total,
            reverse,
            asked: asked.clone(),
            short_pages: short,
        };
        let source = TwoChains::new(
            api(newest_first),
            api(!newest_first),
            page,
            id,
            newest_first,
        );
        let (all, _) = crate::source::testing::drain(source).unwrap();
        let requests = asked.borrow().len();
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
        let asked = Rc::new(RefCell::new(Vec::new()));
        let api = |reverse| Ids {
            total: 100,
            reverse,
            asked: asked.clone(),
            short_pages: false,
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
        assert!(asked.borrow().iter().all(|(reverse, _)| !reverse));
    }
}

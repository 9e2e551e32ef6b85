//! A whole list read from both ends at once when its records carry an id but no
//! contiguous position (SSM's step executions: a StepExecutionId, a start time, nothing
//! that says how many come between two steps). The sibling of [`super::two_chains`],
//! which meets by contiguous event id; here one chain ("ahead") reads the list in the
//! order asked for, the other ("behind") the same list the other way, and they have met
//! when one has read a record strictly before the other's furthest in the list's order
//! (its start time), or a chain reached its end.
//!
//! Why that is exact. The list is ordered by start time, and records may tie; nothing
//! says the reverse listing turns tied records around (it may keep their order). Ahead's
//! records are a prefix of its order: every record that starts before ahead's furthest
//! is among them. Behind's are a suffix: every record that starts after behind's
//! furthest is among them. Once behind's furthest starts strictly before ahead's, every
//! record is in one of the two. Sharing an id is not enough: records tied with the one
//! they share may lie in neither yet. The output is every record ahead read, in its
//! order, then every record only behind read, turned around (in order of start): each
//! record once, in order of start, and, where the reverse listing is the exact mirror,
//! exactly as one chain reads it.
//!
//! A running automation. Its steps change in place: a step read by both chains, or
//! twice by one, is shown once, in its newest state (the one further on, else the one
//! read later); ahead's records that behind may still reach (those tied with ahead's
//! furthest, and the `page_size` before them with their ties) are held back until the
//! chains meet, the rest streams as it comes. Its list grows at the newest end as steps
//! start, which shifts the offsets of the chain reading from that end: that chain
//! re-reads the records the new ones pushed along (kept once), and when more steps start
//! between two of its requests than its pages cover, its next page lies among the new
//! steps, past some it never reads. What holds then: every step there was when the read
//! began is shown once, in order of start (the pushed chain still walks on through them
//! without a gap); steps that started meanwhile are shown if either chain read them,
//! after those, and the others not (as one chain misses what starts after its last
//! page). Read oldest first, they come in order of start; newest first (ahead is the
//! pushed chain), in the order ahead read them, as one chain would show them.
//! What the rule does not survive is a record that may still move: one without an id
//! (older step records), or without a start time (a step that has not started sorts by
//! its start once it has one). As soon as either chain reads such a record, behind is
//! dropped and ahead reads on alone to its end: one chain, what it would have been.
//!
//! Cost. Ahead reads the first two pages alone, so a list of one or two pages costs the
//! requests of one chain; from the third page on both chains walk, and as the meeting
//! cannot be seen coming (no positions), each chain may ask for one page past it: at
//! most two requests more than one chain, in about half the round trips (steps tied in
//! start at the seam may take a page more each until a chain passes them). Asked for a
//! limited count (`at_most`) first, the source stays one chain. A chain that fails
//! fails the read, once ahead's records held back are handed over; the SDK retries
//! throttling and 5xx inside each request.

use super::pager::{PageApi, TokenPager};
use super::{AtEnd, NextStep, Source, Step};
use anyhow::Result;
use futures_util::future::{select, Either};
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;

/// What the meeting needs to know of a record.
#[derive(Clone, Copy)]
pub struct Rules {
    /// Its id, unique in the list.
    pub id: fn(&Value) -> Option<String>,
    /// How far along it is (0 not started, 1 running, 2 final): of two versions of a
    /// record, the one further along is the newer; else the one read later.
    pub progress: fn(&Value) -> u8,
    /// True when it may still move in the list (it has no place yet).
    pub unplaced: fn(&Value) -> bool,
    /// What the list is ordered by (a start time), oldest first; records may tie.
    pub start: fn(&Value) -> Option<i64>,
}

/// A page on its way: the pager comes back with its step and whether it is at its end.
type InFlight<A> = Pin<Box<dyn Future<Output = (TokenPager<A>, Result<Step>, bool)>>>;

enum Slot<A> {
    Idle(TokenPager<A>),
    Busy(InFlight<A>),
    /// At its end, or no longer needed.
    Gone,
}

impl<A: PageApi + 'static> Slot<A> {
    fn launch(&mut self, at_most: Option<usize>) {
        if let Slot::Idle(_) = self {
            let Slot::Idle(mut pager) = std::mem::replace(self, Slot::Gone) else {
                unreachable!("checked above")
            };
            *self = Slot::Busy(Box::pin(async move {
                let step = pager.next(at_most).await;
                let done = pager.at_end().await;
                (pager, step, done)
            }));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Ahead reads its first pages alone (this many read so far).
    Alone(u8),
    /// Both chains are walking.
    Both,
    /// Ahead alone to its end: a limited count was asked for first, or a record that
    /// may move was read.
    Single,
}

/// Two [`TokenPager`]s over one list, in opposite orders, met by record id.
pub struct IdChains<A> {
    ahead: Slot<A>,
    behind: Slot<A>,
    rules: Rules,
    page_size: usize,
    /// Ahead reads the newest first (its order key is the start turned around).
    descending: bool,
    phase: Phase,
    /// Pages read so far: a version's age.
    reads: u64,
    /// The newest version of each record read and not handed over yet, with the read
    /// it came from.
    versions: HashMap<String, (Value, u64)>,
    /// Every id ahead has read.
    ahead_ids: HashSet<String>,
    /// Ahead's records not handed over yet (id and order key), in ahead's order.
    tail: VecDeque<(String, i64)>,
    /// The furthest order key ahead has read.
    ahead_front: Option<i64>,
    /// Behind's records, as they came (furthest first), with their order keys.
    behind_order: Vec<(String, i64)>,
    /// The least far order key behind has read.
    behind_front: Option<i64>,
    ready: VecDeque<Vec<Value>>,
    met: bool,
    /// The error that stopped the read, once what was read before it is handed over.
    failed: Option<anyhow::Error>,
    /// Where the meeting was seen.
    #[cfg(test)]
    met_by: Option<Met>,
}

/// Where the chains' meeting was seen (kept for the tests).
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Met {
    /// A page of ahead crossed behind's records.
    Ahead,
    /// A page of behind crossed ahead's records.
    Behind,
    /// A chain reached its end.
    End,
}

impl<A: PageApi + 'static> IdChains<A> {
    /// `ahead` reads in the order the user asked for (`descending`: newest first),
    /// `behind` the same list the other way; `page_size` is the records a request asks
    /// for.
    pub fn new(ahead: A, behind: A, page_size: usize, descending: bool, rules: Rules) -> Self {
        IdChains {
            ahead: Slot::Idle(TokenPager::new(ahead, page_size)),
            behind: Slot::Idle(TokenPager::new(behind, page_size)),
            rules,
            page_size: page_size.max(1),
            descending,
            phase: Phase::Alone(0),
            reads: 0,
            versions: HashMap::new(),
            ahead_ids: HashSet::new(),
            tail: VecDeque::new(),
            ahead_front: None,
            behind_order: Vec::new(),
            behind_front: None,
            ready: VecDeque::new(),
            met: false,
            failed: None,
            #[cfg(test)]
            met_by: None,
        }
    }

    fn may_move(&self, page: &[Value]) -> bool {
        page.iter().any(|r| {
            (self.rules.unplaced)(r)
                || (self.rules.id)(r).is_none()
                || (self.rules.start)(r).is_none()
        })
    }

    /// A record's place in ahead's order.
    fn key(&self, record: &Value) -> i64 {
        let start = (self.rules.start)(record).expect("checked by may_move");
        if self.descending {
            -start
        } else {
            start
        }
    }

    /// `record`, read in `read`, kept as `id`'s version if it is the newer one.
    fn keep(&mut self, id: &str, record: Value, read: u64) {
        let progress = self.rules.progress;
        match self.versions.get_mut(id) {
            Some(old) => {
                let (was, is) = (progress(&old.0), progress(&record));
                if is > was || (is == was && read >= old.1) {
                    *old = (record, read);
                }
            }
            None => {
                self.versions.insert(id.to_string(), (record, read));
            }
        }
    }

    fn take_ahead(&mut self, page: Vec<Value>, done: bool, read: u64) {
        if self.may_move(&page) {
            // One chain from here: ahead's pages as they come, behind forgotten.
            self.single();
            self.ready.push_back(page);
            return;
        }
        for record in page {
            let id = (self.rules.id)(&record).expect("checked by may_move");
            let key = self.key(&record);
            self.ahead_front = Some(self.ahead_front.map_or(key, |f| f.max(key)));
            if self.ahead_ids.contains(&id) {
                // Read again (the list grew at ahead's end and pushed it along): a
                // newer version if it is still held.
                if self.versions.contains_key(&id) {
                    self.keep(&id, record, read);
                }
            } else {
                // Ahead's, in its place, even if behind read it too (then in the
                // newer of the two versions).
                self.ahead_ids.insert(id.clone());
                self.keep(&id, record, read);
                self.tail.push_back((id, key));
            }
        }
        self.saw_meeting(done, Met::Ahead);
        if !self.met {
            self.release_unreachable();
        }
    }

    fn take_behind(&mut self, page: Vec<Value>, done: bool, read: u64) {
        if self.may_move(&page) {
            self.single();
            return;
        }
        for record in page {
            let id = (self.rules.id)(&record).expect("checked by may_move");
            let key = self.key(&record);
            self.behind_front = Some(self.behind_front.map_or(key, |f| f.min(key)));
            if self.ahead_ids.contains(&id) {
                // Ahead's record: a newer version if it is still held.
                if self.versions.contains_key(&id) {
                    self.keep(&id, record, read);
                }
            } else {
                if !self.versions.contains_key(&id) {
                    self.behind_order.push((id.clone(), key));
                }
                self.keep(&id, record, read);
            }
        }
        self.saw_meeting(done, Met::Behind);
    }

    fn saw_meeting(&mut self, done: bool, by: Met) {
        let crossed = self.crossed();
        #[cfg(not(test))]
        let _ = by;
        #[cfg(test)]
        if !self.met && (crossed || done) {
            self.met_by = Some(if crossed { by } else { Met::End });
        }
        self.met |= done || crossed;
    }

    /// The chains have met: behind has read a record strictly before ahead's furthest
    /// (so every record between them is in one of the two). Meeting on a shared id is
    /// not enough: records tied at the seam may lie in neither chain yet.
    fn crossed(&self) -> bool {
        matches!((self.behind_front, self.ahead_front), (Some(b), Some(a)) if b < a)
    }

    /// Hands over ahead's records that behind can no longer read before the chains
    /// meet: behind, not met, has read nothing before ahead's furthest key; its next
    /// page reaches at most all of that key's records and `page_size` records before
    /// it, and any record tied with those.
    fn release_unreachable(&mut self) {
        let Some(front) = self.ahead_front else {
            return;
        };
        let mut below: Vec<i64> = self
            .tail
            .iter()
            .map(|&(_, key)| key)
            .filter(|&key| key < front)
            .collect();
        if below.len() <= self.page_size {
            return;
        }
        below.sort_unstable_by(|a, b| b.cmp(a));
        let reachable = below[self.page_size - 1];
        let mut page = Vec::new();
        while let Some(&(_, key)) = self.tail.front() {
            if key >= reachable {
                break;
            }
            let (id, _) = self.tail.pop_front().expect("just seen");
            if let Some((record, _)) = self.versions.remove(&id) {
                page.push(record);
            }
        }
        if !page.is_empty() {
            self.ready.push_back(page);
        }
    }

    /// Hands over all of ahead's records held back.
    fn release_all(&mut self) {
        let page: Vec<Value> = std::mem::take(&mut self.tail)
            .into_iter()
            .filter_map(|(id, _)| self.versions.remove(&id).map(|(r, _)| r))
            .collect();
        if !page.is_empty() {
            self.ready.push_back(page);
        }
    }

    /// Ahead alone from now on; behind and what it read are dropped, ahead's held
    /// records handed over.
    fn single(&mut self) {
        self.release_all();
        self.phase = Phase::Single;
        self.behind = Slot::Gone;
        for (id, _) in std::mem::take(&mut self.behind_order) {
            if !self.ahead_ids.contains(&id) {
                self.versions.remove(&id);
            }
        }
        self.behind_front = None;
    }

    /// The chains met: every record ahead read, in its order, then those only behind
    /// read, turned around (in ahead's order of start; ties as behind read them,
    /// turned around); each in its newest version; no more requests.
    fn meet(&mut self) {
        self.ahead = Slot::Gone;
        self.behind = Slot::Gone;
        self.release_all();
        let mut only_behind: Vec<(String, i64)> = std::mem::take(&mut self.behind_order)
            .into_iter()
            .rev()
            .filter(|(id, _)| !self.ahead_ids.contains(id))
            .collect();
        // Already so for a list that holds still; a list that grew at behind's end
        // while behind read it may have pushed behind's later pages past its earlier.
        only_behind.sort_by_key(|&(_, key)| key);
        let behind: Vec<Value> = only_behind
            .into_iter()
            .filter_map(|(id, _)| self.versions.remove(&id).map(|(r, _)| r))
            .collect();
        if !behind.is_empty() {
            self.ready.push_back(behind);
        }
    }
}

impl<A: PageApi + 'static> Source for IdChains<A> {
    fn at_end(&mut self) -> AtEnd<'_> {
        let done = self.ready.is_empty()
            && self.failed.is_none()
            && (self.met || (self.phase == Phase::Single && matches!(self.ahead, Slot::Gone)));
        Box::pin(async move { done })
    }

    fn next(&mut self, at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            loop {
                if let Some(page) = self.ready.pop_front() {
                    return Ok(Step::Page(page));
                }
                if let Some(error) = self.failed.take() {
                    return Err(error);
                }
                if self.met {
                    return Ok(Step::End);
                }
                if self.phase == Phase::Alone(0) && at_most.is_some() {
                    self.phase = Phase::Single;
                }
                if self.phase == Phase::Single {
                    // One chain: whatever is on its way, then its next pages as asked.
                    self.ahead.launch(at_most);
                    let Slot::Busy(page) = &mut self.ahead else {
                        return Ok(Step::End);
                    };
                    let (pager, step, done) = page.await;
                    self.ahead = if done { Slot::Gone } else { Slot::Idle(pager) };
                    return match step? {
                        Step::Page(page) => Ok(Step::Page(page)),
                        Step::CaughtUp | Step::End => Ok(Step::End),
                    };
                }
                self.ahead.launch(None);
                if self.phase == Phase::Both {
                    self.behind.launch(None);
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
                        // The read fails: nothing more is asked for. Ahead's records held
                        // back are the list's, in order: they are handed over first.
                        self.ahead = Slot::Gone;
                        self.behind = Slot::Gone;
                        self.met = true;
                        self.behind_order.clear();
                        self.release_all();
                        if self.ready.is_empty() {
                            return Err(error);
                        }
                        self.failed = Some(error);
                        continue;
                    }
                };
                self.reads += 1;
                let read = self.reads;
                if from_ahead {
                    self.take_ahead(page, done, read);
                    if let Phase::Alone(n) = self.phase {
                        self.phase = if n + 1 >= 2 {
                            Phase::Both
                        } else {
                            Phase::Alone(n + 1)
                        };
                    }
                } else {
                    self.take_behind(page, done, read);
                }
                if self.met && self.phase != Phase::Single {
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
    use std::sync::{Arc, Mutex};

    /// Every request: whether it was in reverse.
    type Asked = Arc<Mutex<Vec<bool>>>;

    /// A list of `total` records `{"id": "s<n>", "n": n}`, paged by offset tokens, in
    /// either order.
    struct Steps {
        total: usize,
        reverse: bool,
        asked: Asked,
    }

    impl PageApi for Steps {
        async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
            self.asked.lock().unwrap().push(self.reverse);
            tokio::task::yield_now().await;
            let start: usize = token.as_deref().map_or(0, |t| t.parse().unwrap());
            let end = (start + page_size).min(self.total);
            let events = (start..end)
                .map(|i| {
                    let n = if self.reverse { self.total - i } else { i + 1 };
                    json!({"id": format!("s{n}"), "n": n, "start": n})
                })
                .collect();
            Ok(Page {
                events,
                next_token: (end < self.total).then(|| end.to_string()),
            })
        }
    }

    const RULES: Rules = Rules {
        id: |r| r.get("id")?.as_str().map(str::to_string),
        progress: |_| 2,
        unplaced: |r| r.get("start").is_none(),
        start: |r| r.get("start")?.as_i64(),
    };

    fn read(total: usize, page: usize, reverse: bool) -> (Vec<i64>, usize) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let api = |reverse| Steps {
            total,
            reverse,
            asked: asked.clone(),
        };
        let source = IdChains::new(api(reverse), api(!reverse), page, reverse, RULES);
        let (all, _) = crate::source::testing::drain(source).unwrap();
        let requests = asked.lock().unwrap().len();
        (
            all.iter().filter_map(|r| r["n"].as_i64()).collect(),
            requests,
        )
    }

    #[test]
    fn every_record_once_in_order_both_ways() {
        for total in [0, 1, 9, 10, 11, 19, 20, 21, 29, 30, 31, 99, 100, 101, 250] {
            let (ns, requests) = read(total, 10, false);
            assert_eq!(ns, (1..=total as i64).collect::<Vec<_>>(), "{total}");
            let one_chain = total.div_ceil(10).max(1);
            if total <= 20 {
                assert_eq!(requests, one_chain, "{total}");
            } else {
                assert!(requests <= one_chain + 2, "{total}: {requests}");
            }
            let (ns, _) = read(total, 10, true);
            assert_eq!(ns, (1..=total as i64).rev().collect::<Vec<_>>(), "{total}");
        }
    }

    /// A list of records `{"id": "s<n>", "n": n, "start": starts[n-1]}` (starts in
    /// order, some tied), paged by offset tokens. In reverse, tied records come either
    /// in the exact mirror of the forward order, or (`stable`) in the same order as
    /// forward (a stable sort by start, newest first). Each request yields `yields`
    /// times first, so one chain's pages can be made to arrive before the other's.
    struct Tied {
        starts: Vec<i64>,
        reverse: bool,
        stable: bool,
        yields: usize,
    }

    impl PageApi for Tied {
        async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
            for _ in 0..self.yields {
                tokio::task::yield_now().await;
            }
            let mut list: Vec<Value> = self
                .starts
                .iter()
                .enumerate()
                .map(|(i, &start)| json!({"id": format!("s{}", i + 1), "n": i + 1, "start": start}))
                .collect();
            if self.reverse {
                if self.stable {
                    list.sort_by_key(|r| std::cmp::Reverse(r["start"].as_i64()));
                } else {
                    list.reverse();
                }
            }
            let start: usize = token.as_deref().map_or(0, |t| t.parse().unwrap());
            let end = (start + page_size).min(list.len());
            Ok(Page {
                events: list[start..end].to_vec(),
                next_token: (end < list.len()).then(|| end.to_string()),
            })
        }
    }

    /// Every record of `source`, and where its chains met.
    fn drain_met<A: PageApi + 'static>(mut source: IdChains<A>) -> (Vec<Value>, Option<Met>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let mut all = Vec::new();
            while let Step::Page(page) = source.next(None).await.unwrap() {
                all.extend(page);
            }
            (all, source.met_by)
        })
    }

    #[test]
    fn steps_tied_in_start_are_each_read_once_whichever_way_the_ties_reverse() {
        // Ties of two, three and five steps at every place in lists around the meeting,
        // at small page sizes; either chain's pages first.
        let mut met_by = HashSet::new();
        for total in [5usize, 8, 12, 13] {
            for tied in [2usize, 3, 5] {
                for at in 0..=total.saturating_sub(tied) {
                    let starts: Vec<i64> = (0..total)
                        .map(|i| {
                            let i = if i > at && i < at + tied { at } else { i };
                            10 * i as i64
                        })
                        .collect();
                    for page in 1..=4 {
                        for (ahead_yields, behind_yields) in [(1, 1), (1, 4), (4, 1)] {
                            for reverse in [false, true] {
                                for stable in [false, true] {
                                    let api = |r: bool, yields| Tied {
                                        starts: starts.clone(),
                                        reverse: r,
                                        stable,
                                        yields,
                                    };
                                    let source = IdChains::new(
                                        api(reverse, ahead_yields),
                                        api(!reverse, behind_yields),
                                        page,
                                        reverse,
                                        RULES,
                                    );
                                    let case = format!(
                                        "{total} steps, {tied} tied at {at}, page {page}, \
                                         yields {ahead_yields}/{behind_yields}, \
                                         reverse {reverse}, stable {stable}"
                                    );
                                    let (all, met) = drain_met(source);
                                    met_by.insert(met);
                                    let got: Vec<i64> =
                                        all.iter().map(|r| r["n"].as_i64().unwrap()).collect();
                                    let mut sorted = got.clone();
                                    sorted.sort_unstable();
                                    assert_eq!(
                                        sorted,
                                        (1..=total as i64).collect::<Vec<_>>(),
                                        "{case}: {got:?}"
                                    );
                                    let mut times: Vec<i64> =
                                        all.iter().map(|r| r["start"].as_i64().unwrap()).collect();
                                    if reverse {
                                        times.reverse();
                                    }
                                    assert!(times.is_sorted(), "{case}: {got:?}");
                                    if !stable {
                                        // An exact mirror: the order of one chain.
                                        let mut one: Vec<i64> = (1..=total as i64).collect();
                                        if reverse {
                                            one.reverse();
                                        }
                                        assert_eq!(got, one, "{case}");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // The meeting was seen on each chain, and at an end.
        assert!(met_by.contains(&Some(Met::Ahead)), "{met_by:?}");
        assert!(met_by.contains(&Some(Met::Behind)), "{met_by:?}");
    }

    /// A list that changes as it is read: before each request (counted from 1), `world`
    /// is told the request's number and may change the records (oldest first).
    struct Changing {
        world: Arc<Mutex<World>>,
        reverse: bool,
    }

    struct World {
        records: Vec<Value>,
        requests: usize,
        change: fn(usize, &mut Vec<Value>),
        /// The statuses served of each record, and whether one was served in two.
        served: HashMap<String, Vec<Value>>,
        changed: bool,
    }

    impl PageApi for Changing {
        async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
            tokio::task::yield_now().await;
            let mut world = self.world.lock().unwrap();
            world.requests += 1;
            let (n, change) = (world.requests, world.change);
            change(n, &mut world.records);
            let mut list = world.records.clone();
            if self.reverse {
                list.reverse();
            }
            let start: usize = token.as_deref().map_or(0, |t| t.parse().unwrap());
            let end = (start + page_size).min(list.len());
            let events = list[start.min(end)..end].to_vec();
            for record in &events {
                let id = record["id"].as_str().unwrap_or_default().to_string();
                let status = record["status"].clone();
                let served = world.served.entry(id).or_default();
                let changed = served.last().is_some_and(|before| *before != status);
                served.push(status);
                world.changed |= changed;
            }
            Ok(Page {
                events,
                next_token: (end < list.len()).then(|| end.to_string()),
            })
        }
    }

    fn step(n: usize, status: &str) -> Value {
        json!({"id": format!("s{n}"), "n": n, "start": n, "status": status})
    }

    const STEP_RULES: Rules = Rules {
        id: |r| r.get("id")?.as_str().map(str::to_string),
        progress: |r| match r["status"].as_str() {
            Some("done") => 2,
            Some(_) => 1,
            None => 0,
        },
        unplaced: |r| r.get("start").is_none(),
        start: |r| r.get("start")?.as_i64(),
    };

    fn read_changing(
        records: Vec<Value>,
        change: fn(usize, &mut Vec<Value>),
        reverse: bool,
    ) -> (Vec<Value>, usize) {
        read_world(records, change, reverse).0
    }

    /// [`read_changing`], and the world as the read left it.
    fn read_world(
        records: Vec<Value>,
        change: fn(usize, &mut Vec<Value>),
        reverse: bool,
    ) -> ((Vec<Value>, usize), Arc<Mutex<World>>) {
        let world = Arc::new(Mutex::new(World {
            records,
            requests: 0,
            change,
            served: HashMap::new(),
            changed: false,
        }));
        let api = |reverse| Changing {
            world: world.clone(),
            reverse,
        };
        let source = IdChains::new(api(reverse), api(!reverse), 10, reverse, STEP_RULES);
        let (all, _) = crate::source::testing::drain(source).unwrap();
        let requests = world.lock().unwrap().requests;
        ((all, requests), world)
    }

    fn ns(records: &[Value]) -> Vec<i64> {
        records.iter().filter_map(|r| r["n"].as_i64()).collect()
    }

    #[test]
    fn a_list_that_grows_while_read_gives_each_step_once_in_order() {
        // 95 steps; from the fourth request on, one more starts before each request.
        let grow = |n: usize, records: &mut Vec<Value>| {
            if n >= 4 {
                let next = records.len() + 1;
                records.push(step(next, "done"));
            }
        };
        for reverse in [false, true] {
            let (all, _) =
                read_changing((1..=95).map(|n| step(n, "done")).collect(), grow, reverse);
            let mut got = ns(&all);
            if reverse {
                got.reverse();
            }
            // Every step there was when the read began, once, in order; maybe a few
            // that started meanwhile, after them.
            assert!(got.len() >= 95, "{reverse}: {got:?}");
            assert_eq!(got, (1..=got.len() as i64).collect::<Vec<_>>(), "{reverse}");
        }
    }

    #[test]
    fn a_step_read_twice_is_shown_once_in_its_newest_state() {
        // Every step runs until the 11th request, then is done: the steps near the
        // meeting are read by both chains, before and after.
        let finish = |n: usize, records: &mut Vec<Value>| {
            for record in records.iter_mut() {
                record["status"] = json!(if n >= 11 { "done" } else { "running" });
            }
        };
        let records: Vec<Value> = (1..=100).map(|n| step(n, "running")).collect();
        for reverse in [false, true] {
            let ((all, _), world) = read_world(records.clone(), finish, reverse);
            let mut got = ns(&all);
            if reverse {
                got.reverse();
            }
            assert_eq!(got, (1..=100).collect::<Vec<_>>(), "{reverse}");
            let world = world.lock().unwrap();
            assert!(world.changed, "{reverse}: no step was read in two states");
            for record in &all {
                assert_eq!(
                    Some(&record["status"]),
                    world.served[record["id"].as_str().unwrap()].last(),
                    "{reverse}: the last state read of {record}"
                );
            }
        }
        // Read later but less far along (an eventually consistent answer): the version
        // further along stays.
        let regress = |n: usize, records: &mut Vec<Value>| {
            for record in records.iter_mut() {
                record["status"] = json!(if n >= 11 { "running" } else { "done" });
            }
        };
        let ((all, _), world) = read_world(records, regress, false);
        let world = world.lock().unwrap();
        assert!(world.changed);
        assert_eq!(ns(&all), (1..=100).collect::<Vec<_>>());
        for record in &all {
            let served = &world.served[record["id"].as_str().unwrap()];
            let done = json!("done");
            if served.contains(&done) {
                assert_eq!(record["status"], done, "{record}: {served:?}");
            }
        }
    }

    #[test]
    fn a_step_without_a_start_makes_it_one_chain() {
        // The last 3 steps are pending (no start yet): behind reads them first.
        let mut records: Vec<Value> = (1..=97).map(|n| step(n, "done")).collect();
        for n in 98..=100 {
            records.push(json!({"id": format!("s{n}"), "n": n}));
        }
        let (all, requests) = read_changing(records.clone(), |_, _| {}, false);
        assert_eq!(ns(&all), (1..=100).collect::<Vec<_>>());
        // One chain's 10 pages, and behind's one.
        assert_eq!(requests, 11);
        let (all, _) = read_changing(records, |_, _| {}, true);
        assert_eq!(ns(&all), (1..=100).rev().collect::<Vec<_>>());
    }
}

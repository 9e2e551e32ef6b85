//! A whole list read from both ends at once when its records carry an id but no
//! contiguous position (SSM's step executions: a StepExecutionId, a start time, nothing
//! that says how many come between two steps). The sibling of [`super::two_chains`],
//! which meets by contiguous event id; here the meeting is by id: one chain ("ahead")
//! reads the list in the order asked for, the other ("behind") the same list the other
//! way, and they have met when a page of one holds an id the other has read (or a chain
//! reached its end).
//!
//! Why that is exact. Each chain's records are a contiguous run of the list: ahead's a
//! prefix, behind's a suffix. A page of ahead that holds an id of behind's suffix has
//! entered it: its records before that id are the last ones between the two, those from
//! it on are behind's. A page of behind that holds an id of ahead's prefix has entered
//! it the same way. The output is ahead's records up to the meeting, then behind's,
//! turned around: every record once, in order, as one chain reads it.
//!
//! A running automation. Its list changes in two ways the rule survives. It grows at
//! the end (a step that starts is the newest): a chain reading from that end re-reads
//! the records the new ones pushed along (kept once), and one reading towards it may
//! run past the other's records into the new ones (kept, after them); new steps that
//! neither chain reached are not shown, as one chain misses what starts after its last
//! page. And its steps change in place: a step read by both chains, or twice by one, is
//! shown once, in its newest state (the one further on, else the one read later).
//! Ahead's last page of records is therefore held back until the chains meet (a page of
//! behind reaches at most that far into ahead's records); the rest streams as it comes.
//! What the rule does not survive is a record that may still move: one without an id
//! (older step records), or without a start time (a step that has not started sorts by
//! its start once it has one). As soon as either chain reads such a record, behind is
//! dropped and ahead reads on alone to its end: one chain, what it would have been.
//!
//! Cost. Ahead reads the first two pages alone, so a list of one or two pages costs the
//! requests of one chain; from the third page on both chains walk, and as the meeting
//! cannot be seen coming (no positions), each chain may ask for one page past it: at
//! most two requests more than one chain, in about half the round trips. Asked for a
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
    phase: Phase,
    /// Pages read so far: a version's age.
    reads: u64,
    /// Every id ahead has read.
    ahead_ids: HashSet<String>,
    /// Ahead's records not handed over yet (its last `page_size`), with the read each
    /// version came from.
    tail: VecDeque<(Value, u64)>,
    /// Behind's records, as they came (furthest first), and where each id is.
    behind_records: Vec<(Value, u64)>,
    behind_at: HashMap<String, usize>,
    /// Ahead's records past behind's (steps that started during the read).
    past: Vec<Value>,
    ready: VecDeque<Vec<Value>>,
    met: bool,
    /// The error that stopped the read, once what was read before it is handed over.
    failed: Option<anyhow::Error>,
}

impl<A: PageApi + 'static> IdChains<A> {
    /// `ahead` reads in the order the user asked for, `behind` the same list the other
    /// way; `page_size` is the records a request asks for.
    pub fn new(ahead: A, behind: A, page_size: usize, rules: Rules) -> Self {
        IdChains {
            ahead: Slot::Idle(TokenPager::new(ahead, page_size)),
            behind: Slot::Idle(TokenPager::new(behind, page_size)),
            rules,
            page_size,
            phase: Phase::Alone(0),
            reads: 0,
            ahead_ids: HashSet::new(),
            tail: VecDeque::new(),
            behind_records: Vec::new(),
            behind_at: HashMap::new(),
            past: Vec::new(),
            ready: VecDeque::new(),
            met: false,
            failed: None,
        }
    }

    fn may_move(&self, page: &[Value]) -> bool {
        page.iter()
            .any(|r| (self.rules.unplaced)(r) || (self.rules.id)(r).is_none())
    }

    /// `new`, read in `read`, in place of `old` if it is the newer version.
    fn newer(&self, old: &mut (Value, u64), new: Value, read: u64) {
        let (was, is) = ((self.rules.progress)(&old.0), (self.rules.progress)(&new));
        if is > was || (is == was && read >= old.1) {
            *old = (new, read);
        }
    }

    /// The tail's version of `id`, if it is there.
    fn in_tail(&mut self, id: &str) -> Option<usize> {
        let id_of = self.rules.id;
        self.tail
            .iter()
            .position(|(record, _)| id_of(record).as_deref() == Some(id))
    }

    fn take_ahead(&mut self, page: Vec<Value>, done: bool, read: u64) {
        if self.may_move(&page) {
            // One chain from here: ahead's pages as they come, behind forgotten.
            self.single();
            self.ready.push_back(page);
            return;
        }
        let mut entered = false;
        for record in page {
            let id = (self.rules.id)(&record).expect("checked by may_move");
            if let Some(&at) = self.behind_at.get(&id) {
                // Behind's records from here on: this is the meeting.
                entered = true;
                let mut old = std::mem::replace(&mut self.behind_records[at], (Value::Null, 0));
                self.newer(&mut old, record, read);
                self.behind_records[at] = old;
            } else if self.ahead_ids.contains(&id) {
                // Read again (the list grew at ahead's end and pushed it along).
                if let Some(at) = self.in_tail(&id) {
                    let mut old = self.tail[at].clone();
                    self.newer(&mut old, record, read);
                    self.tail[at] = old;
                }
            } else if entered {
                // Past behind's records: steps that started since behind's first page.
                self.ahead_ids.insert(id);
                self.past.push(record);
            } else {
                self.ahead_ids.insert(id);
                self.tail.push_back((record, read));
            }
        }
        self.met |= entered || done;
        if !self.met {
            self.release(self.page_size);
        }
    }

    fn take_behind(&mut self, page: Vec<Value>, done: bool, read: u64) {
        if self.may_move(&page) {
            self.single();
            return;
        }
        let mut entered = false;
        for record in page {
            let id = (self.rules.id)(&record).expect("checked by may_move");
            if self.ahead_ids.contains(&id) {
                // Ahead's records from here on (within its last page, held back).
                entered = true;
                if let Some(at) = self.in_tail(&id) {
                    let mut old = self.tail[at].clone();
                    self.newer(&mut old, record, read);
                    self.tail[at] = old;
                }
            } else if let Some(&at) = self.behind_at.get(&id) {
                // Read again: the list grew at behind's end.
                let mut old = std::mem::replace(&mut self.behind_records[at], (Value::Null, 0));
                self.newer(&mut old, record, read);
                self.behind_records[at] = old;
            } else if !entered {
                self.behind_at.insert(id, self.behind_records.len());
                self.behind_records.push((record, read));
            }
        }
        self.met |= entered || done;
    }

    /// Hands over ahead's records but the last `keep`.
    fn release(&mut self, keep: usize) {
        if self.tail.len() > keep {
            let out = self.tail.len() - keep;
            let page: Vec<Value> = self.tail.drain(..out).map(|(r, _)| r).collect();
            self.ready.push_back(page);
        }
    }

    /// Ahead alone from now on; behind and what it read are dropped, ahead's held
    /// records handed over.
    fn single(&mut self) {
        self.release(0);
        self.phase = Phase::Single;
        self.behind = Slot::Gone;
        self.behind_records.clear();
        self.behind_at.clear();
    }

    /// The chains met: ahead's held records, behind's turned around, then ahead's past
    /// them; no more requests.
    fn meet(&mut self) {
        self.ahead = Slot::Gone;
        self.behind = Slot::Gone;
        self.release(0);
        let behind: Vec<Value> = std::mem::take(&mut self.behind_records)
            .into_iter()
            .rev()
            .map(|(r, _)| r)
            .collect();
        if !behind.is_empty() {
            self.ready.push_back(behind);
        }
        let past = std::mem::take(&mut self.past);
        if !past.is_empty() {
            self.ready.push_back(past);
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
                        self.behind_records.clear();
                        self.release(0);
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
    };

    fn read(total: usize, page: usize, reverse: bool) -> (Vec<i64>, usize) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let api = |reverse| Steps {
            total,
            reverse,
            asked: asked.clone(),
        };
        let source = IdChains::new(api(reverse), api(!reverse), page, RULES);
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
        let source = IdChains::new(api(reverse), api(!reverse), 10, STEP_RULES);
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

//! Several newest-first lists as one, newest first: what a listing reads when the API
//! answers one status per request (Step Functions' statusFilter, SWF's open and closed
//! lists). Each list is read a page at a time, and a record is handed over only once
//! every list that may still hold a newer one has a page in hand, so the merge asks for
//! no page it does not need. The lists that need their next page are asked at once
//! (at most [`AT_ONCE`] of them): the same pages as one after another, sooner.

use super::{AtEnd, BoxedSource, NextStep, Source, Step};
use futures_util::StreamExt;
use serde_json::Value;
use std::collections::VecDeque;

/// Lists asked for their next page at the same time, at most.
pub const AT_ONCE: usize = 8;

/// A record's place in a newest-first list (its start, in milliseconds).
pub type NewestKey = fn(&Value) -> Option<i64>;

struct Side {
    source: BoxedSource,
    buffer: VecDeque<Value>,
    done: bool,
}

/// Newest-first lists merged into one newest-first list. Records without a key come
/// after those with one.
pub struct Merged {
    sides: Vec<Side>,
    key: NewestKey,
}

impl Merged {
    pub fn new(sources: Vec<BoxedSource>, key: NewestKey) -> Self {
        Merged {
            sides: sources
                .into_iter()
                .map(|source| Side {
                    source,
                    buffer: VecDeque::new(),
                    done: false,
                })
                .collect(),
            key,
        }
    }

    fn rank(&self, record: &Value) -> i64 {
        (self.key)(record).unwrap_or(i64::MIN)
    }
}

impl Source for Merged {
    fn at_end(&mut self) -> AtEnd<'_> {
        let done = self.sides.iter().all(|s| s.done && s.buffer.is_empty());
        Box::pin(async move { done })
    }

    fn next(&mut self, at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            let want = at_most.unwrap_or(usize::MAX);
            if want == 0 {
                return Ok(Step::End);
            }
            loop {
                let asked = self
                    .sides
                    .iter_mut()
                    .enumerate()
                    .filter(|(_, side)| side.buffer.is_empty() && !side.done)
                    .map(|(i, side)| async move {
                        let step = side.source.next(at_most).await;
                        (i, side, step)
                    });
                let mut answers: Vec<_> = futures_util::stream::iter(asked)
                    .buffer_unordered(AT_ONCE)
                    .collect()
                    .await;
                // In the lists' order: the first list's error is the one said.
                answers.sort_by_key(|(i, _, _)| *i);
                for (_, side, step) in answers {
                    match step? {
                        Step::Page(page) => side.buffer.extend(page),
                        Step::CaughtUp | Step::End => side.done = true,
                    }
                }
                let mut batch = Vec::new();
                // Hand over while every list that may hold a newer record has one in hand.
                while batch.len() < want
                    && self.sides.iter().all(|s| s.done || !s.buffer.is_empty())
                {
                    let newest = (0..self.sides.len())
                        .filter(|&i| !self.sides[i].buffer.is_empty())
                        .max_by_key(|&i| (self.rank(&self.sides[i].buffer[0]), usize::MAX - i));
                    let Some(i) = newest else { break };
                    batch.extend(self.sides[i].buffer.pop_front());
                }
                if !batch.is_empty() {
                    return Ok(Step::Page(batch));
                }
                if self.sides.iter().all(|s| s.done && s.buffer.is_empty()) {
                    return Ok(Step::End);
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::testing::{drain, InMemory};
    use serde_json::json;

    #[test]
    fn lists_merge_newest_first() {
        let list = |starts: &[i64]| -> BoxedSource {
            Box::new(InMemory::new(
                starts.iter().map(|s| json!({ "start": s })).collect(),
                2,
            ))
        };
        let merged = Merged::new(
            vec![list(&[9, 7, 3]), list(&[8, 2]), list(&[])],
            |r: &Value| r["start"].as_i64(),
        );
        let (records, _) = drain(merged).unwrap();
        let starts: Vec<i64> = records.iter().filter_map(|r| r["start"].as_i64()).collect();
        assert_eq!(starts, vec![9, 8, 7, 3, 2]);
    }
}

//! Where a run's records come from, one step at a time: a live API behind its page
//! tokens ([`pager`]), a saved file ([`saved`]), or an adaptor over either (the records
//! put in order, filtered, gathered). The engine asks [`Source::next`] until it hears
//! [`Step::End`]; a source that has nothing new *yet* says [`Step::CaughtUp`], which is
//! what a follower polls on. No source invents page tokens: those stay inside the pager.

pub mod id_chains;
pub mod merged;
pub mod pager;
pub mod saved;
pub mod two_chains;

use anyhow::Result;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

/// What a source has next.
#[derive(Debug, PartialEq)]
pub enum Step {
    /// Wire records, each exactly as the service (or the file) holds it.
    Page(Vec<Value>),
    /// Nothing new for now; more may come (a running run). Ask again later.
    CaughtUp,
    /// The history holds nothing more.
    End,
}

/// A step still on its way. Boxed so that sources can be stacked and chosen at run time.
pub type NextStep<'a> = Pin<Box<dyn Future<Output = Result<Step>> + 'a>>;

/// Whether a source is at its end, on its way.
pub type AtEnd<'a> = Pin<Box<dyn Future<Output = bool> + 'a>>;

/// A run's records, step by step.
pub trait Source {
    /// The next step. `at_most` is how many records the reader still wants, if it knows
    /// (a `--limit`): a live source asks the API for no more than that.
    fn next(&mut self, at_most: Option<usize>) -> NextStep<'_>;

    /// True when the source has handed over its last record, as far as it can tell
    /// without a request: a pager whose last page had no token, a file read to its end
    /// (it reads ahead). False when it cannot tell.
    fn at_end(&mut self) -> AtEnd<'_> {
        Box::pin(async { false })
    }
}

/// A source, boxed: what services and the engine pass around.
pub type BoxedSource = Box<dyn Source>;

/// Every record of `inner`, gathered, then handed out as one page, rearranged by
/// `arrange` (reversed, ordered, filtered): for what can only be done with all of them.
/// An error from `arrange` (what was asked for is not there) is the source's.
pub struct Gathered<F> {
    inner: Option<BoxedSource>,
    arrange: F,
}

impl<F: FnMut(Vec<Value>) -> Result<Vec<Value>>> Gathered<F> {
    pub fn new(inner: BoxedSource, arrange: F) -> Self {
        Gathered {
            inner: Some(inner),
            arrange,
        }
    }
}

impl<F: FnMut(Vec<Value>) -> Result<Vec<Value>>> Source for Gathered<F> {
    /// Everything is handed over in one page.
    fn at_end(&mut self) -> AtEnd<'_> {
        let done = self.inner.is_none();
        Box::pin(async move { done })
    }

    fn next(&mut self, _at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            let Some(mut inner) = self.inner.take() else {
                return Ok(Step::End);
            };
            let mut all = Vec::new();
            // Everything there is now: a source that has caught up has no more for it.
            while let Step::Page(page) = inner.next(None).await? {
                all.extend(page);
            }
            Ok(Step::Page((self.arrange)(all)?))
        })
    }
}

/// Every page of `inner`, changed by `change` as it comes (records dropped, or each one
/// rewritten): for what can be done a page at a time.
pub struct PageByPage<F> {
    inner: BoxedSource,
    change: F,
}

impl<F: FnMut(Vec<Value>) -> Vec<Value>> PageByPage<F> {
    pub fn new(inner: BoxedSource, change: F) -> Self {
        PageByPage { inner, change }
    }
}

impl<F: FnMut(Vec<Value>) -> Vec<Value>> Source for PageByPage<F> {
    fn at_end(&mut self) -> AtEnd<'_> {
        self.inner.at_end()
    }

    fn next(&mut self, at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            Ok(match self.inner.next(at_most).await? {
                Step::Page(page) => Step::Page((self.change)(page)),
                other => other,
            })
        })
    }
}

/// Where a record stands in its history (an event id, a start time): what puts a
/// saved history in order whatever order it was saved in.
pub type OrderKey = fn(&Value) -> Option<i64>;

/// The records of `inner` in history order (`newest_first` turns it around), whatever
/// order they come in: a file saved with the AWS CLI's `--reverse-order` reads oldest
/// first all the same. Records already in order stream through page by page; any other
/// order, or newest first, needs them all first. Records without a key keep their place
/// after the others (a stable sort).
pub struct InOrder {
    inner: Option<BoxedSource>,
    key: OrderKey,
    newest_first: bool,
    /// Once the first page showed the records in order: hand the rest over as they come.
    streaming: Option<BoxedSource>,
}

impl InOrder {
    pub fn new(inner: BoxedSource, key: OrderKey, newest_first: bool) -> Self {
        InOrder {
            inner: Some(inner),
            key,
            newest_first,
            streaming: None,
        }
    }

    fn sort(&self, records: &mut [Value]) {
        let key = self.key;
        // Keyless records last either way; the rest by key, turned for newest first.
        records.sort_by_key(|record| match key(record) {
            Some(k) if self.newest_first => (false, -k),
            Some(k) => (false, k),
            None => (true, 0),
        });
    }
}

impl Source for InOrder {
    fn at_end(&mut self) -> AtEnd<'_> {
        match &mut self.streaming {
            Some(rest) => rest.at_end(),
            None => Box::pin(async { false }),
        }
    }

    fn next(&mut self, at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            if let Some(rest) = &mut self.streaming {
                return rest.next(at_most).await;
            }
            let Some(mut inner) = self.inner.take() else {
                return Ok(Step::End);
            };
            let first = match inner.next(None).await? {
                Step::Page(page) => page,
                other => return Ok(other),
            };
            let keys: Vec<i64> = first.iter().filter_map(self.key).collect();
            let ascending = keys.windows(2).all(|pair| pair[0] <= pair[1]);
            if ascending && !self.newest_first {
                self.streaming = Some(inner);
                return Ok(Step::Page(first));
            }
            let mut all = first;
            while let Step::Page(page) = inner.next(None).await? {
                all.extend(page);
            }
            self.sort(&mut all);
            Ok(Step::Page(all))
        })
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A source over records held in memory, in pages of a given size.
    use super::*;

    pub struct InMemory {
        pub pages: std::collections::VecDeque<Vec<Value>>,
    }

    impl InMemory {
        pub fn new(records: Vec<Value>, per_page: usize) -> Self {
            InMemory {
                pages: records.chunks(per_page).map(<[Value]>::to_vec).collect(),
            }
        }
    }

    impl Source for InMemory {
        fn next(&mut self, _at_most: Option<usize>) -> NextStep<'_> {
            let step = match self.pages.pop_front() {
                Some(page) => Step::Page(page),
                None => Step::End,
            };
            Box::pin(async move { Ok(step) })
        }
    }

    /// Every record of a source, and the number of pages it came in.
    pub fn drain(mut source: impl Source) -> Result<(Vec<Value>, usize)> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let (mut all, mut pages) = (Vec::new(), 0);
            while let Step::Page(page) = source.next(None).await? {
                all.extend(page);
                pages += 1;
            }
            Ok((all, pages))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{drain, InMemory};
    use super::*;
    use serde_json::json;

    fn numbers(n: i64) -> Vec<Value> {
        (0..n).map(|i| json!(i)).collect()
    }

    #[test]
    fn gathered_hands_out_everything_once_rearranged() {
        let gathered = Gathered::new(Box::new(InMemory::new(numbers(25), 10)), |mut all| {
            all.reverse();
            Ok(all)
        });
        let (all, pages) = drain(gathered).unwrap();
        assert_eq!(pages, 1);
        assert_eq!(all.first(), Some(&json!(24)));
        assert_eq!(all.len(), 25);
    }

    fn id(record: &Value) -> Option<i64> {
        record.get("id").and_then(Value::as_i64)
    }

    fn ids(records: &[Value]) -> Vec<i64> {
        records.iter().filter_map(id).collect()
    }

    #[test]
    fn in_order_streams_what_is_in_order_and_sorts_the_rest() {
        let oldest_first: Vec<Value> = (1..=25).map(|i| json!({ "id": i })).collect();
        let newest_first: Vec<Value> = oldest_first.iter().rev().cloned().collect();
        let source = |records: &[Value]| {
            InOrder::new(Box::new(InMemory::new(records.to_vec(), 10)), id, false)
        };
        let (all, pages) = drain(source(&oldest_first)).unwrap();
        assert_eq!(
            (ids(&all), pages),
            (ids(&oldest_first), 3),
            "streamed as it came"
        );
        let (all, pages) = drain(source(&newest_first)).unwrap();
        assert_eq!(
            (ids(&all), pages),
            (ids(&oldest_first), 1),
            "a reversed file"
        );
        let reversed = InOrder::new(Box::new(InMemory::new(oldest_first.clone(), 10)), id, true);
        assert_eq!(ids(&drain(reversed).unwrap().0), ids(&newest_first));
        let mut keyless = newest_first.clone();
        keyless.insert(3, json!({ "type": "no id" }));
        let (all, _) = drain(source(&keyless)).unwrap();
        assert_eq!(all.last(), Some(&json!({ "type": "no id" })));
        assert_eq!(ids(&all), ids(&oldest_first));
    }

    #[test]
    fn page_by_page_changes_every_record_and_keeps_pages() {
        let doubled = PageByPage::new(Box::new(InMemory::new(numbers(25), 10)), |page| {
            page.into_iter()
                .map(|v: Value| json!(v.as_i64().unwrap_or_default() * 2))
                .collect()
        });
        let (all, pages) = drain(doubled).unwrap();
        assert_eq!(pages, 3);
        assert_eq!(all, (0..25).map(|i| json!(i * 2)).collect::<Vec<_>>());
    }

    #[test]
    fn page_by_page_keeps_pages_and_drops_records() {
        let even = PageByPage::new(Box::new(InMemory::new(numbers(25), 10)), |mut page| {
            page.retain(|v: &Value| v.as_i64().is_some_and(|n| n % 2 == 0));
            page
        });
        let (all, pages) = drain(even).unwrap();
        assert_eq!(pages, 3);
        assert_eq!(all.len(), 13);
    }
}

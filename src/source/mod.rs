//! Where a run's records come from, one step at a time: a live API behind its page
//! tokens ([`pager`]), a saved file ([`saved`]), or an adaptor over either (the records
//! put in order, filtered, gathered). The engine asks [`Source::next`] until it hears
//! [`Step::End`]; a source that has nothing new *yet* says [`Step::CaughtUp`], which is
//! what a follower polls on. No source invents page tokens: those stay inside the pager.

pub mod pager;
pub mod saved;

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

/// A run's records, step by step.
pub trait Source {
    /// The next step. `at_most` is how many records the reader still wants, if it knows
    /// (a `--limit`): a live source asks the API for no more than that.
    fn next(&mut self, at_most: Option<usize>) -> NextStep<'_>;
}

/// A source, boxed: what services and the engine pass around.
pub type BoxedSource = Box<dyn Source>;

/// Every record of `inner`, gathered, then handed out as one page, rearranged by
/// `arrange` (reversed, ordered, filtered): for what can only be done with all of them.
pub struct Gathered<F> {
    inner: Option<BoxedSource>,
    arrange: F,
}

impl<F: FnMut(Vec<Value>) -> Vec<Value>> Gathered<F> {
    pub fn new(inner: BoxedSource, arrange: F) -> Self {
        Gathered {
            inner: Some(inner),
            arrange,
        }
    }
}

impl<F: FnMut(Vec<Value>) -> Vec<Value>> Source for Gathered<F> {
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
            Ok(Step::Page((self.arrange)(all)))
        })
    }
}

/// The records of `inner` that pass `keep`, page by page.
pub struct Filtered<F> {
    inner: BoxedSource,
    keep: F,
}

impl<F: FnMut(&Value) -> bool> Filtered<F> {
    pub fn new(inner: BoxedSource, keep: F) -> Self {
        Filtered { inner, keep }
    }
}

impl<F: FnMut(&Value) -> bool> Source for Filtered<F> {
    fn next(&mut self, at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            let step = self.inner.next(at_most).await?;
            Ok(match step {
                Step::Page(mut page) => {
                    page.retain(|record| (self.keep)(record));
                    Step::Page(page)
                }
                other => other,
            })
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
            all
        });
        let (all, pages) = drain(gathered).unwrap();
        assert_eq!(pages, 1);
        assert_eq!(all.first(), Some(&json!(24)));
        assert_eq!(all.len(), 25);
    }

    #[test]
    fn filtered_keeps_pages_and_drops_records() {
        let even = Filtered::new(Box::new(InMemory::new(numbers(25), 10)), |v: &Value| {
            v.as_i64().is_some_and(|n| n % 2 == 0)
        });
        let (all, pages) = drain(even).unwrap();
        assert_eq!(pages, 3);
        assert_eq!(all.len(), 13);
    }
}

//! A live history API as a [`Source`]: the one place that walks page tokens. Each
//! service's `api.rs` implements [`PageApi`] (one request for one page); the
//! [`TokenPager`] asks for pages of the largest size allowed, shrinks the last one to
//! what the reader still wants, and stops as the SDK paginators do: no token, an empty
//! token, or the same token twice. Tokens never leave it: they expire, and a follower
//! starts a new pager for each poll instead of keeping them.

use super::{AtEnd, NextStep, Source, Step};
use anyhow::Result;
use serde_json::Value;
use std::future::Future;

/// One response of a paged API: its records (each exactly as the service sent it) and
/// the token for the next page, if any.
#[derive(Debug, Default)]
pub struct Page {
    pub events: Vec<Value>,
    pub next_token: Option<String>,
}

/// One request of a paged API.
pub trait PageApi {
    /// Fetches the page that `token` names (`None`: the first), asking for at most
    /// `page_size` records.
    /// The future is `Send`, so a page can be read on a task of its own.
    fn fetch_page(
        &mut self,
        token: Option<String>,
        page_size: usize,
    ) -> impl Future<Output = Result<Page>> + Send;
}

/// Walks the pages of a [`PageApi`].
pub struct TokenPager<A> {
    api: A,
    page_size: usize,
    token: Option<String>,
    done: bool,
    requests: usize,
}

impl<A: PageApi> TokenPager<A> {
    /// A pager asking for `page_size` records a request (the API's largest, unless the
    /// user chose).
    pub fn new(api: A, page_size: usize) -> Self {
        TokenPager {
            api,
            page_size,
            token: None,
            done: false,
            requests: 0,
        }
    }

    /// True once the last page is read (no token for another).
    pub fn done(&self) -> bool {
        self.done
    }

    /// Requests sent so far.
    pub fn requests(&self) -> usize {
        self.requests
    }

    /// True once the last page was read.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next page ([`Source::next`], as a future that is `Send` when the API's is).
    pub async fn next_page(&mut self, at_most: Option<usize>) -> Result<Step> {
        if self.done || at_most == Some(0) {
            return Ok(Step::End);
        }
        let page_size = at_most.map_or(self.page_size, |n| n.min(self.page_size));
        let page = self.api.fetch_page(self.token.clone(), page_size).await?;
        self.requests += 1;
        match page.next_token {
            Some(next) if !next.is_empty() && Some(&next) != self.token.as_ref() => {
                self.token = Some(next)
            }
            _ => self.done = true,
        }
        let mut events = page.events;
        if let Some(at_most) = at_most {
            events.truncate(at_most);
        }
        Ok(Step::Page(events))
    }
}

impl<A: PageApi> Source for TokenPager<A> {
    fn at_end(&mut self) -> AtEnd<'_> {
        let done = self.done;
        Box::pin(async move { done })
    }

    fn next(&mut self, at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(self.next_page(at_most))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Pages of numbered records, tokens `t1`, `t2`, ...
    struct Numbers {
        total: usize,
        asked: Vec<(Option<String>, usize)>,
        repeat_token: bool,
    }

    impl PageApi for Numbers {
        async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
            self.asked.push((token.clone(), page_size));
            let start: usize = token.as_deref().map_or(0, |t| t[1..].parse().unwrap());
            let end = (start + page_size).min(self.total);
            let next_token = if self.repeat_token {
                Some("t0".to_string())
            } else {
                (end < self.total).then(|| format!("t{end}"))
            };
            Ok(Page {
                events: (start..end).map(|i| json!(i)).collect(),
                next_token,
            })
        }
    }

    fn numbers(total: usize) -> Numbers {
        Numbers {
            total,
            asked: vec![],
            repeat_token: false,
        }
    }

    /// Reads `pager` to its end, wanting at most `limit` records in all.
    fn read(pager: &mut TokenPager<Numbers>, limit: Option<usize>) -> Vec<Value> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut seen = Vec::new();
            loop {
                let want = limit.map(|limit| limit - seen.len());
                match pager.next(want).await.unwrap() {
                    Step::Page(page) => seen.extend(page),
                    Step::CaughtUp | Step::End => return seen,
                }
            }
        })
    }

    #[test]
    fn walks_every_page() {
        let mut pager = TokenPager::new(numbers(2500), 1000);
        let seen = read(&mut pager, None);
        assert_eq!(pager.requests(), 3);
        assert_eq!(seen.len(), 2500);
        assert_eq!(seen[2499], json!(2499));
    }

    #[test]
    fn a_wanted_count_stops_requesting_and_shrinks_the_last_page() {
        let mut pager = TokenPager::new(numbers(2500), 1000);
        let seen = read(&mut pager, Some(1200));
        assert_eq!(seen.len(), 1200);
        assert_eq!(pager.requests(), 2);
        assert_eq!(pager.api.asked[1], (Some("t1000".into()), 200));
    }

    #[test]
    fn a_repeated_token_ends_the_walk() {
        let mut pager = TokenPager::new(
            Numbers {
                total: 10,
                asked: vec![],
                repeat_token: true,
            },
            2,
        );
        read(&mut pager, None);
        assert_eq!(pager.requests(), 2);
    }
}

//! The one place that walks pages: page tokens, page sizes, `--limit` and early stop.
//! Every service, and `--from` files, hand it a [`PageSource`]; it hands each page of
//! wire events to a sink as soon as it arrives, so output streams page by page.

use anyhow::Result;
use serde_json::Value;
use std::future::Future;

/// One page of wire events (each exactly as the service sent it) and the token for the
/// next page, if any.
#[derive(Debug, Default)]
pub struct Page {
    pub events: Vec<Value>,
    pub next_token: Option<String>,
}

/// Something that returns pages: a service's API or a saved file.
pub trait PageSource {
    /// Fetches the page that `token` names (`None`: the first), asking for at most
    /// `page_size` events.
    fn fetch_page(
        &mut self,
        token: Option<String>,
        page_size: usize,
    ) -> impl Future<Output = Result<Page>>;
}

/// How much to fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchPlan {
    /// Events to ask for per request (the service's maximum unless the user chose).
    pub page_size: usize,
    /// Stop once this many events have been handed on.
    pub limit: Option<usize>,
}

/// What the sink wants after a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// What a fetch did, for diagnostics and benchmarks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FetchStats {
    pub requests: usize,
    pub events: usize,
}

/// Fetches pages until the source runs out, the limit is reached or the sink says stop.
/// Stops as the SDK paginators do: no token, an empty token, or the same token twice.
pub async fn fetch_all<S, F>(source: &mut S, plan: FetchPlan, mut sink: F) -> Result<FetchStats>
where
    S: PageSource,
    F: FnMut(Vec<Value>) -> Result<Flow>,
{
    let mut stats = FetchStats::default();
    let mut token: Option<String> = None;
    loop {
        let remaining = plan.limit.map(|limit| limit - stats.events);
        if remaining == Some(0) {
            break;
        }
        let page_size = match remaining {
            Some(remaining) => plan.page_size.min(remaining),
            None => plan.page_size,
        };
        let page = source.fetch_page(token.clone(), page_size).await?;
        stats.requests += 1;
        let mut events = page.events;
        if let Some(remaining) = remaining {
            events.truncate(remaining);
        }
        stats.events += events.len();
        if sink(events)? == Flow::Stop {
            break;
        }
        match page.next_token {
            Some(next) if !next.is_empty() && Some(&next) != token.as_ref() => token = Some(next),
            _ => break,
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Pages of `per_page` numbered events, tokens `t1`, `t2`, ...
    struct Numbers {
        total: usize,
        asked: Vec<(Option<String>, usize)>,
        repeat_token: bool,
    }

    impl PageSource for Numbers {
        async fn fetch_page(&mut self, token: Option<String>, page_size: usize) -> Result<Page> {
            self.asked.push((token.clone(), page_size));
            let start: usize = token.as_deref().map_or(0, |t| t[1..].parse().unwrap());
            let end = (start + page_size).min(self.total);
            let next_token = if self.repeat_token {
                Some("t0".to_string())
                    .filter(|_| start == 0)
                    .or(Some("t0".into()))
            } else {
                (end < self.total).then(|| format!("t{end}"))
            };
            Ok(Page {
                events: (start..end).map(|i| json!(i)).collect(),
                next_token,
            })
        }
    }

    fn run(source: &mut Numbers, plan: FetchPlan) -> (FetchStats, Vec<Value>) {
        let mut seen = Vec::new();
        let stats = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(fetch_all(source, plan, |page| {
                seen.extend(page);
                Ok(Flow::Continue)
            }))
            .unwrap();
        (stats, seen)
    }

    fn numbers(total: usize) -> Numbers {
        Numbers {
            total,
            asked: vec![],
            repeat_token: false,
        }
    }

    #[test]
    fn walks_every_page() {
        let mut source = numbers(2500);
        let plan = FetchPlan {
            page_size: 1000,
            limit: None,
        };
        let (stats, seen) = run(&mut source, plan);
        assert_eq!(stats.requests, 3);
        assert_eq!(seen.len(), 2500);
        assert_eq!(seen[2499], json!(2499));
    }

    #[test]
    fn limit_stops_requesting_and_shrinks_the_last_page() {
        let mut source = numbers(2500);
        let plan = FetchPlan {
            page_size: 1000,
            limit: Some(1200),
        };
        let (stats, seen) = run(&mut source, plan);
        assert_eq!(seen.len(), 1200);
        assert_eq!(stats.requests, 2);
        assert_eq!(source.asked[1], (Some("t1000".into()), 200));
    }

    #[test]
    fn a_repeated_token_ends_the_walk() {
        let mut source = Numbers {
            total: 10,
            asked: vec![],
            repeat_token: true,
        };
        let plan = FetchPlan {
            page_size: 2,
            limit: None,
        };
        let (stats, _) = run(&mut source, plan);
        assert_eq!(stats.requests, 2);
    }
}

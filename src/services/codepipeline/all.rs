//! `histx codepipeline PIPELINE --all`: every action of every execution, read by the
//! cheaper of two plans, chosen before any action is handed over.
//!
//! - **One chain**: ListActionExecutions over the whole pipeline, 100 actions a page,
//!   one page after another: a round trip per 100 actions, and the fewest requests.
//! - **Execution by execution**: ListPipelineExecutions (100 a page) names the
//!   executions, and each one's actions are read with their own chain
//!   (`filter.pipelineExecutionId`), at most [`AT_ONCE`] executions at a time, as child
//!   runs are: a request per execution at least, but eight round trips at once.
//!
//! **The rule.** The first page of the one chain is read (it is the plan's first page
//! if the chain is kept, and the whole read if it has no next token). Its density says
//! how many actions an execution has: `a ≈ n / (k − 1)` for `n` actions of `k`
//! executions (the two at the page's edges are cut; `a ≥ n` when `k = 1`). For `E`
//! executions the chain still needs `S = ⌈E·a / page⌉ − 1` round trips; reading them
//! execution by execution takes `C = 1 + ⌈E·⌈a / page⌉ / 8⌉` (the listing's first page,
//! then eight chains at a time). The executions plan is taken only when `2·C ≤ S`: at
//! least twice as fast, which also bounds its requests to about four times the chain's. If that cannot hold for any `E` (`a < 2·⌈a / page⌉·page / 8`,
//! 25 actions an execution at 100 a page) the chain goes on at once, without a request
//! of its own; otherwise the first page of ListPipelineExecutions gives `E` (at least
//! the executions listed when there are more). Executions that overlap (their actions
//! interleave on the page) make `a` look smaller: the error falls on the side of the
//! chain. Once chosen, a plan is read to its end: the executions plan reads every
//! action again and drops the first page, so no action is lost or twice.
//!
//! `HISTX_CODEPIPELINE_ALL_PLAN=chain` or `=executions` forces a plan (benchmarks and
//! tests compare them).
//!
//! Execution by execution, the actions are handed over page by page as each
//! execution's chain completes, in no particular order: the service's `arrange` gathers
//! and orders them all anyway. An execution listed twice (a new one started between two
//! listing pages shifts them) is read once; one that the service no longer knows when
//! its actions are asked for (PipelineExecutionNotFoundException) has none.

use super::api::LiveActions;
use super::list::ListPipelineExecutions;
use crate::aws;
use crate::exit::UsageError;
use crate::source::pager::TokenPager;
use crate::source::{AtEnd, NextStep, Source, Step};
use anyhow::Result;
use futures_util::stream::{self, LocalBoxStream, StreamExt};
use serde_json::Value;
use std::collections::{HashSet, VecDeque};

/// Executions whose actions are read at the same time, at most (as child runs).
pub const AT_ONCE: usize = crate::children::AT_ONCE;

/// The largest page of ListPipelineExecutions.
const EXECUTIONS_PAGE: usize = 100;

/// The environment variable that forces a plan.
const PLAN_VARIABLE: &str = "HISTX_CODEPIPELINE_ALL_PLAN";

/// How `--all` reads the actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// One ListActionExecutions chain over the whole pipeline.
    Chain,
    /// ListPipelineExecutions, then a chain per execution, [`AT_ONCE`] at a time.
    Executions,
}

/// The plan [`PLAN_VARIABLE`] forces, if any.
fn forced_plan() -> Result<Option<Plan>, UsageError> {
    match std::env::var(PLAN_VARIABLE).ok().as_deref() {
        None | Some("") | Some("auto") => Ok(None),
        Some("chain") => Ok(Some(Plan::Chain)),
        Some("executions") => Ok(Some(Plan::Executions)),
        Some(other) => Err(UsageError::new(format!(
            "{PLAN_VARIABLE} is chain, executions or auto, not '{}'",
            crate::escape::echo(other)
        ))),
    }
}

/// Actions an execution has, as the first page of the one chain suggests: `n / (k − 1)`
/// for `n` actions of `k` executions (the first and last are cut by the page's edges),
/// `n` when they are all of one. `None` for a page without an execution.
pub fn actions_per_execution(page: &[Value]) -> Option<f64> {
    let executions: HashSet<&str> = page
        .iter()
        .filter_map(|action| action.get("pipelineExecutionId")?.as_str())
        .collect();
    match executions.len() {
        0 => None,
        1 => Some(page.len() as f64),
        k => Some(page.len() as f64 / (k - 1) as f64),
    }
}

/// Requests per execution's chain, at least one.
fn pages_per_execution(per_execution: f64, page_size: usize) -> f64 {
    (per_execution / page_size as f64).ceil().max(1.0)
}

/// Whether reading execution by execution could be twice as fast as the one chain for
/// some number of executions: `a / page ≥ 2·⌈a / page⌉ / 8`, the two plans' round trips
/// per execution when there are many.
pub fn executions_may_pay(per_execution: f64, page_size: usize) -> bool {
    let pages = pages_per_execution(per_execution, page_size);
    per_execution / page_size as f64 >= 2.0 * pages / AT_ONCE as f64
}

/// The plan for `executions` executions of `per_execution` actions each, once the one
/// chain's first page is read: the executions plan when its round trips
/// (`1 + ⌈E·⌈a / page⌉ / 8⌉`, the listing's first page and eight chains at a time) are
/// at most half of those the chain still needs (`⌈E·a / page⌉ − 1`).
pub fn choose(per_execution: f64, executions: usize, page_size: usize) -> Plan {
    if executions == 0 {
        return Plan::Chain;
    }
    let chain_left = (executions as f64 * per_execution / page_size as f64).ceil() - 1.0;
    let concurrent = 1.0
        + (executions as f64 * pages_per_execution(per_execution, page_size) / AT_ONCE as f64)
            .ceil();
    if 2.0 * concurrent <= chain_left {
        Plan::Executions
    } else {
        Plan::Chain
    }
}

/// Every action of every execution of a pipeline.
pub struct AllActions {
    /// What the first step needs, until it is taken.
    start: Option<Start>,
    /// The plan being read.
    read: Option<Read>,
}

struct Start {
    client: aws_sdk_codepipeline::Client,
    pipeline: String,
    page_size: usize,
    forced: Option<Plan>,
}

enum Read {
    /// The one chain, and its first page if not handed over yet.
    Chain {
        pending: Option<Vec<Value>>,
        pager: TokenPager<LiveActions>,
    },
    /// Execution by execution.
    Executions(ByExecution),
}

impl AllActions {
    /// `pipeline`'s actions, `page_size` a page; a usage error for a plan variable that
    /// names no plan.
    pub fn new(
        client: aws_sdk_codepipeline::Client,
        pipeline: String,
        page_size: usize,
    ) -> Result<Self> {
        Ok(AllActions {
            start: Some(Start {
                client,
                pipeline,
                page_size,
                forced: forced_plan()?,
            }),
            read: None,
        })
    }
}

impl Start {
    /// Reads the first page of the one chain (unless a plan is forced), and the first
    /// page of executions if the rule needs it, then settles on a plan.
    async fn plan(self) -> Result<Read> {
        let Start {
            client,
            pipeline,
            page_size,
            forced,
        } = self;
        let mut chain = TokenPager::new(
            LiveActions {
                client: client.clone(),
                pipeline: pipeline.clone(),
                execution_id: None,
            },
            page_size,
        );
        let mut listing = TokenPager::new(
            ListPipelineExecutions {
                client: client.clone(),
                pipeline: pipeline.clone(),
            },
            EXECUTIONS_PAGE,
        );
        let by_execution = |listing, listed| {
            Read::Executions(ByExecution::new(
                client, pipeline, page_size, listing, listed,
            ))
        };
        match forced {
            Some(Plan::Chain) => {
                return Ok(Read::Chain {
                    pending: None,
                    pager: chain,
                })
            }
            Some(Plan::Executions) => return Ok(by_execution(listing, None)),
            None => {}
        }
        let first = page_of(chain.next(None).await?);
        let per_execution = actions_per_execution(&first)
            .filter(|&a| executions_may_pay(a, page_size))
            .filter(|_| !chain.done());
        let Some(per_execution) = per_execution else {
            return Ok(Read::Chain {
                pending: Some(first),
                pager: chain,
            });
        };
        let listed = page_of(listing.next(None).await?);
        let executions: HashSet<&str> = listed.iter().filter_map(execution_id).collect();
        Ok(match choose(per_execution, executions.len(), page_size) {
            Plan::Chain => Read::Chain {
                pending: Some(first),
                pager: chain,
            },
            // The first page of actions is dropped: each execution's chain reads them.
            Plan::Executions => by_execution(listing, Some(listed)),
        })
    }
}

fn page_of(step: Step) -> Vec<Value> {
    match step {
        Step::Page(page) => page,
        Step::CaughtUp | Step::End => Vec::new(),
    }
}

fn execution_id(summary: &Value) -> Option<&str> {
    summary.get("pipelineExecutionId")?.as_str()
}

/// Every action, execution by execution, [`AT_ONCE`] at a time.
struct ByExecution {
    /// Each execution's pages, as its chain completes, with its place in the listing.
    executions: LocalBoxStream<'static, (usize, Result<Vec<Vec<Value>>>)>,
    /// The places of the executions completed so far.
    completed: HashSet<usize>,
    /// The first failure in the listing's order so far: its place and error.
    failed: Option<(usize, anyhow::Error)>,
    /// Pages of a completed execution not handed over yet.
    ready: VecDeque<Vec<Value>>,
    done: bool,
}

impl ByExecution {
    /// Lists the executions (`listed`: the listing's first page, if read already) and
    /// reads each one's actions, `page_size` a page.
    fn new(
        client: aws_sdk_codepipeline::Client,
        pipeline: String,
        page_size: usize,
        listing: TokenPager<ListPipelineExecutions>,
        listed: Option<Vec<Value>>,
    ) -> Self {
        // The execution ids, page after page (an error ends the listing).
        let first = stream::iter(listed.map(Ok));
        let rest = stream::unfold(Some(listing), |listing| async move {
            let mut listing = listing?;
            match listing.next(None).await {
                Ok(Step::Page(page)) => Some((Ok(page), Some(listing))),
                Ok(Step::CaughtUp | Step::End) => None,
                Err(error) => Some((Err(error), None)),
            }
        });
        let mut seen: HashSet<String> = HashSet::new();
        let ids = first.chain(rest).flat_map(move |page: Result<Vec<Value>>| {
            let ids: Vec<Result<String>> = match page {
                Ok(summaries) => summaries
                    .iter()
                    .filter_map(execution_id)
                    .filter(|id| seen.insert(id.to_string()))
                    .map(|id| Ok(id.to_string()))
                    .collect(),
                Err(error) => vec![Err(error)],
            };
            stream::iter(ids)
        });
        let executions = ids
            .enumerate()
            .map(move |(place, id)| {
                let client = client.clone();
                let pipeline = pipeline.clone();
                async move {
                    let pages = match id {
                        Ok(id) => actions_of(client, pipeline, id.clone(), page_size)
                            .await
                            .map_err(|error| {
                                error.context(format!("the actions of execution {id}"))
                            }),
                        Err(error) => Err(error),
                    };
                    (place, pages)
                }
            })
            .buffer_unordered(AT_ONCE)
            .boxed_local();
        ByExecution {
            executions,
            completed: HashSet::new(),
            failed: None,
            ready: VecDeque::new(),
            done: false,
        }
    }

    /// The next page of a completed execution; `None` at the end.
    async fn next_page(&mut self) -> Result<Option<Vec<Value>>> {
        loop {
            if let Some(page) = self.ready.pop_front() {
                return Ok(Some(page));
            }
            if self.done {
                return Ok(None);
            }
            // A failure is reported once every execution before it in the listing has
            // completed (they are all on their way): the first one in the listing's
            // order, whichever chain failed first.
            if let Some((place, _)) = &self.failed {
                let place = *place;
                if (0..place).all(|earlier| self.completed.contains(&earlier)) {
                    let (_, error) = self.failed.take().expect("just seen");
                    self.done = true;
                    self.ready.clear();
                    return Err(error);
                }
            }
            match self.executions.next().await {
                Some((place, Ok(pages))) => {
                    self.completed.insert(place);
                    if self.failed.as_ref().is_none_or(|(first, _)| place < *first) {
                        self.ready.extend(pages);
                    }
                }
                Some((place, Err(error))) => {
                    self.completed.insert(place);
                    if self.failed.as_ref().is_none_or(|(first, _)| place < *first) {
                        self.failed = Some((place, error));
                    }
                }
                None => {
                    if let Some((_, error)) = self.failed.take() {
                        self.done = true;
                        return Err(error);
                    }
                    self.done = true;
                }
            }
        }
    }
}

/// Every page of one execution's actions.
async fn actions_of(
    client: aws_sdk_codepipeline::Client,
    pipeline: String,
    id: String,
    page_size: usize,
) -> Result<Vec<Vec<Value>>> {
    let mut pager = TokenPager::new(
        LiveActions {
            client,
            pipeline,
            execution_id: Some(id),
        },
        page_size,
    );
    let mut pages = Vec::new();
    loop {
        match pager.next(None).await {
            Ok(Step::Page(page)) => pages.push(page),
            Ok(Step::CaughtUp | Step::End) => return Ok(pages),
            // Listed a moment ago, gone now (or never had an action): nothing to show.
            Err(error) if pages.is_empty() && not_found(&error) => return Ok(pages),
            Err(error) => return Err(error),
        }
    }
}

fn not_found(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<aws::ServiceFailure>()
        .is_some_and(|failure| failure.code == "PipelineExecutionNotFoundException")
}

impl Source for AllActions {
    fn at_end(&mut self) -> AtEnd<'_> {
        let done = match &mut self.read {
            None => self.start.is_none(),
            Some(Read::Chain { pending, pager }) => pending.is_none() && pager.done(),
            Some(Read::Executions(by)) => by.done && by.ready.is_empty(),
        };
        Box::pin(async move { done })
    }

    fn next(&mut self, _at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            if let Some(start) = self.start.take() {
                self.read = Some(start.plan().await?);
            }
            let page = match &mut self.read {
                None => None,
                Some(Read::Chain { pending, pager }) => match pending.take() {
                    Some(page) => Some(page),
                    None => match pager.next(None).await? {
                        Step::Page(page) => Some(page),
                        Step::CaughtUp | Step::End => None,
                    },
                },
                Some(Read::Executions(by)) => by.next_page().await?,
            };
            Ok(page.map_or(Step::End, Step::Page))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A page of `sizes[i]` actions of execution `i`, in order.
    fn page(sizes: &[usize]) -> Vec<Value> {
        sizes
            .iter()
            .enumerate()
            .flat_map(|(i, &n)| {
                (0..n).map(move |_| json!({"pipelineExecutionId": format!("e{i}")}))
            })
            .collect()
    }

    #[test]
    fn density_discounts_the_executions_cut_by_the_page_edges() {
        // Five a execution: 20 whole ones, or 19 and two halves.
        assert_eq!(actions_per_execution(&page(&[5; 20])), Some(100.0 / 19.0));
        let mut cut = vec![2];
        cut.extend([5; 19]);
        cut.push(3);
        assert_eq!(actions_per_execution(&page(&cut)), Some(5.0));
        assert_eq!(
            actions_per_execution(&page(&[10, 40, 40, 10])),
            Some(100.0 / 3.0)
        );
        assert_eq!(actions_per_execution(&page(&[100])), Some(100.0));
        assert_eq!(actions_per_execution(&[json!({})]), None);
        assert_eq!(actions_per_execution(&[]), None);
    }

    #[test]
    fn the_chain_goes_on_without_listing_when_executions_are_small() {
        assert!(!executions_may_pay(5.0, 100));
        assert!(!executions_may_pay(24.9, 100));
        assert!(executions_may_pay(25.0, 100));
        assert!(executions_may_pay(100.0, 100));
        // Small pages: the chain is as many pages as an execution has actions / 10.
        assert!(executions_may_pay(5.0, 10));
        assert!(!executions_may_pay(2.0, 10));
    }

    #[test]
    fn executions_are_read_one_by_one_only_when_twice_as_fast() {
        // 50 × 40: the chain needs 19 more round trips, executions 1 + 7.
        assert_eq!(choose(40.0, 50, 100), Plan::Executions);
        assert_eq!(choose(50.0, 50, 100), Plan::Executions);
        // 50 × 25: 12 more against 8.
        assert_eq!(choose(25.0, 50, 100), Plan::Chain);
        // Few executions: the chain is only a page or two more.
        assert_eq!(choose(40.0, 3, 100), Plan::Chain);
        assert_eq!(choose(100.0, 3, 100), Plan::Chain);
        assert_eq!(choose(100.0, 8, 100), Plan::Executions);
        // Executions of 150 actions need two pages each: still 74 against 14.
        assert_eq!(choose(150.0, 50, 100), Plan::Executions);
        assert_eq!(choose(40.0, 0, 100), Plan::Chain);
        // Many executions: many actions each, or few.
        assert_eq!(choose(40.0, 1000, 100), Plan::Executions);
        assert_eq!(choose(5.0, 1000, 100), Plan::Chain);
        // Small pages make the chain long: five actions an execution, ten a page.
        assert_eq!(choose(5.0, 50, 10), Plan::Executions);
    }
}

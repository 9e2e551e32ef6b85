//! `histx codepipeline PIPELINE --all`, read concurrently: ListPipelineExecutions (100 a
//! page) names the pipeline's executions, and each execution's actions are read with
//! their own chain of ListActionExecutions pages (`filter.pipelineExecutionId`, 100 a
//! page), at most [`AT_ONCE`] executions at a time, as child runs are. One chain over the
//! whole pipeline costs a round trip per 100 actions, one after another; this costs a
//! request per execution at least (a few more than one chain when executions are
//! small), but eight at once.
//!
//! The actions are handed over page by page as each execution's chain completes, in no
//! particular order: the service's `arrange` gathers and orders them all anyway. An
//! execution listed twice (a new one started between two listing pages shifts them) is
//! read once; one that the service no longer knows when its actions are asked for
//! (PipelineExecutionNotFoundException) has none.

use super::api::LiveActions;
use super::list::ListPipelineExecutions;
use crate::aws;
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

/// Every action of every execution of a pipeline, read execution by execution,
/// concurrently.
pub struct AllActions {
    /// Each execution's pages, as its chain completes.
    executions: LocalBoxStream<'static, Result<Vec<Vec<Value>>>>,
    /// Pages of a completed execution not handed over yet.
    ready: VecDeque<Vec<Value>>,
    done: bool,
}

impl AllActions {
    /// Lists `pipeline`'s executions and reads each one's actions, `page_size` a page.
    pub fn new(client: aws_sdk_codepipeline::Client, pipeline: String, page_size: usize) -> Self {
        let listing = TokenPager::new(
            ListPipelineExecutions {
                client: client.clone(),
                pipeline: pipeline.clone(),
            },
            EXECUTIONS_PAGE,
        );
        // The execution ids, page after page (an error ends the listing).
        let ids = stream::unfold(Some(listing), |listing| async move {
            let mut listing = listing?;
            match listing.next(None).await {
                Ok(Step::Page(page)) => Some((Ok(page), Some(listing))),
                Ok(Step::CaughtUp | Step::End) => None,
                Err(error) => Some((Err(error), None)),
            }
        });
        let mut seen: HashSet<String> = HashSet::new();
        let ids = ids.flat_map(move |page: Result<Vec<Value>>| {
            let ids: Vec<Result<String>> = match page {
                Ok(summaries) => summaries
                    .iter()
                    .filter_map(|s| s.get("pipelineExecutionId")?.as_str())
                    .filter(|id| seen.insert(id.to_string()))
                    .map(|id| Ok(id.to_string()))
                    .collect(),
                Err(error) => vec![Err(error)],
            };
            stream::iter(ids)
        });
        let executions = ids
            .map(move |id| {
                let client = client.clone();
                let pipeline = pipeline.clone();
                async move { actions_of(client, pipeline, id?, page_size).await }
            })
            .buffer_unordered(AT_ONCE)
            .boxed_local();
        AllActions {
            executions,
            ready: VecDeque::new(),
            done: false,
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
        let done = self.done && self.ready.is_empty();
        Box::pin(async move { done })
    }

    fn next(&mut self, _at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            loop {
                if let Some(page) = self.ready.pop_front() {
                    return Ok(Step::Page(page));
                }
                if self.done {
                    return Ok(Step::End);
                }
                match self.executions.next().await {
                    Some(pages) => self.ready.extend(pages?),
                    None => self.done = true,
                }
            }
        })
    }
}

//! One file per AWS service. Each service module owns its command-line arguments, how to
//! call its API (a [`crate::fetch::PageSource`]), how to recognise its saved pages, and
//! how to normalize one of its events into a [`crate::model::Event`]. Nothing outside a
//! service module knows that service's types.
//!
//! To add a service: write `services/<name>.rs` with `Args`, a `Normalizer`, and an
//! `async fn run`, then add one variant to `cli::Command` and one arm to `app::run`.

pub mod codepipeline;
pub mod sfn;

pub mod ssm;
pub mod swf;

use crate::aws::Connection;
use crate::cli::Common;
use crate::exit::UsageError;
use crate::fetch::FetchPlan;
use crate::model::{flat_node, Event, Node, RunSummary};
use crate::pipeline::Output;
use anyhow::Result;
use serde_json::Value;

/// Everything a service's `run` needs besides its own arguments.
pub struct Context<'a> {
    pub common: &'a Common,
    pub connection: Connection,
    /// Where the events go: the printer, the filters, the writer.
    pub output: Output<'a>,
}

impl Context<'_> {
    /// The fetch plan for a service whose API allows pages of `max_page_size` events.
    pub fn plan(&self, service: &str, max_page_size: usize) -> Result<FetchPlan> {
        let page_size = match self.common.page_size {
            Some(n) if n as usize > max_page_size => {
                return Err(UsageError::new(format!(
                    "--page-size {n} is too large: `histx {service}` allows 1 to {max_page_size}"
                ))
                .into())
            }
            Some(n) => n as usize,
            None => max_page_size,
        };
        // --limit belongs to the pipeline, which counts what it prints.
        Ok(FetchPlan {
            page_size,
            limit: None,
        })
    }
}

/// Turns a service's wire events into normalized events.
///
/// Stateful on purpose: some fields come from earlier events (a Step Functions Task event
/// is named after the state that scheduled it), so one normalizer sees a whole run,
/// page after page, in the order the pages arrive.
pub trait Normalizer {
    /// One normalized event per wire event, in the same order.
    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event>;

    /// The service's name in the events (`sfn`, `swf`, ...).
    fn service(&self) -> &'static str;

    /// The run at a glance, from all of its events. The default knows only what the
    /// events say in common; services add the run's own status, redrives, the failure
    /// that explains the run.
    fn summary(&self, events: &[Event]) -> RunSummary {
        RunSummary::from_events(self.service(), events)
    }

    /// The run as it nested, for `-o tree` and `--failed`, under the run's `summary` (as
    /// [`Normalizer::summary`] made it, then completed by the pipeline). The default is
    /// flat: one node per event.
    fn tree(&self, events: &[Event], _summary: &RunSummary) -> Vec<Node> {
        events.iter().map(flat_node).collect()
    }
}

//! One file per AWS service. Each service module owns its command-line arguments, how to
//! call its API (a [`crate::fetch::PageSource`]), how to recognise its saved pages, and
//! how to normalize one of its events into a [`crate::model::Event`]. Nothing outside a
//! service module knows that service's types.
//!
//! To add a service: write `services/<name>.rs` with `Args`, a `Normalizer`, and an
//! `async fn run`, then add one variant to `cli::Command` and one arm to `app::run`.

pub mod sfn;

use crate::model::Event;
use serde_json::Value;

/// Turns a service's wire events into normalized events.
///
/// Stateful on purpose: some fields come from earlier events (a Step Functions Task event
/// is named after the state that scheduled it), so one normalizer sees a whole run,
/// page after page, in the order the pages arrive.
pub trait Normalizer {
    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event>;
}

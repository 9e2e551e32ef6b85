//! Connects the layers for one run: pages from a [`PageSource`] (a service's API or a
//! saved file), through the shared fetch loop and a service's [`Normalizer`], to a
//! [`Printer`]. Each page is printed before the next is requested.

use crate::fetch::{fetch_all, FetchPlan, Flow, PageSource};
use crate::render::Printer;
use crate::services::Normalizer;
use anyhow::{Context, Result};
use std::io::Write;

pub async fn print_history<S, N>(
    source: &mut S,
    mut normalizer: N,
    plan: FetchPlan,
    printer: &mut dyn Printer,
    out: &mut dyn Write,
) -> Result<()>
where
    S: PageSource,
    N: Normalizer,
{
    fetch_all(source, plan, |page| {
        if printer.wants_raw() {
            printer.raw(out, &page)
        } else {
            printer.events(out, normalizer.normalize(page))
        }
        .context("cannot write the output")?;
        Ok(Flow::Continue)
    })
    .await?;
    printer.finish(out).context("cannot write the output")
}

//! Connects the layers for one run: pages from a [`PageSource`] (a service's API or a
//! saved file), through the shared fetch loop and a service's [`Normalizer`], then the
//! shared filters, to a [`Printer`].
//!
//! Two ways through. Streaming (`-o jsonl|json|raw`): each page is filtered and printed
//! before the next is requested, so memory stays flat. Whole run (`-o table|tree`,
//! `--failed`, `--summary`): every page is read first, because the table's widths, the
//! tree's structure, the failing path and the summary need all of the run.

use crate::fetch::{fetch_all, FetchPlan, Flow, PageSource};
use crate::filter::{event_ids, failing_path, prune_tree, EventFilter};
use crate::model::{EventId, Status};
use crate::render::{Printer, Run};
use crate::services::Normalizer;
use anyhow::{Context, Result};
use serde_json::Value;
use std::collections::HashSet;
use std::io::Write;

/// What the user asked to see, beyond the output format.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub filter: EventFilter,
    /// Only the failing path: failed states and what encloses them.
    pub failed_only: bool,
    /// Only the run summary.
    pub summary_only: bool,
    /// At most this many events.
    pub limit: Option<usize>,
}

/// Where a run goes: the printer for the chosen format, what to show, and the writer.
pub struct Output<'a> {
    pub printer: Box<dyn Printer>,
    pub view: View,
    pub out: &'a mut dyn Write,
}

pub async fn print_history<S, N>(
    source: &mut S,
    normalizer: N,
    plan: FetchPlan,
    output: Output<'_>,
) -> Result<()>
where
    S: PageSource,
    N: Normalizer,
{
    if output.printer.streams() && !output.view.failed_only && !output.view.summary_only {
        stream(source, normalizer, plan, output).await
    } else {
        whole_run(source, normalizer, plan, output).await
    }
}

async fn stream<S: PageSource, N: Normalizer>(
    source: &mut S,
    mut normalizer: N,
    plan: FetchPlan,
    output: Output<'_>,
) -> Result<()> {
    let Output {
        mut printer,
        view,
        out,
    } = output;
    let filtering = !view.filter.is_empty();
    // Without filters every event fetched is printed: the fetch loop stops at the limit.
    let plan = FetchPlan {
        limit: if filtering { None } else { view.limit },
        ..plan
    };
    let mut printed = 0;
    fetch_all(source, plan, |page| {
        let room = view.limit.map_or(usize::MAX, |limit| limit - printed);
        if printer.wants_raw() && !filtering {
            printed += page.len();
            printer.raw(out, &page)
        } else if printer.wants_raw() {
            let events = normalizer.normalize(page.clone());
            let kept: Vec<Value> = page
                .into_iter()
                .zip(events)
                .filter(|(_, event)| view.filter.matches(event))
                .map(|(raw, _)| raw)
                .take(room)
                .collect();
            printed += kept.len();
            printer.raw(out, &kept)
        } else {
            let mut events = normalizer.normalize(page);
            events.retain(|event| view.filter.matches(event));
            events.truncate(room);
            printed += events.len();
            printer.events(out, events)
        }
        .context("cannot write the output")?;
        Ok(if view.limit == Some(printed) {
            Flow::Stop
        } else {
            Flow::Continue
        })
    })
    .await?;
    printer.finish(out).context("cannot write the output")
}

async fn whole_run<S: PageSource, N: Normalizer>(
    source: &mut S,
    mut normalizer: N,
    plan: FetchPlan,
    output: Output<'_>,
) -> Result<()> {
    let Output {
        mut printer,
        view,
        out,
    } = output;
    // Only a plain listing can stop fetching early; a filter, the failing path or a
    // summary needs every event.
    let early_stop = view.filter.is_empty() && !view.failed_only && !view.summary_only;
    let plan = FetchPlan {
        limit: if early_stop { view.limit } else { None },
        ..plan
    };
    let keep_raw = printer.wants_raw();
    let mut raw: Vec<Value> = Vec::new();
    let mut events = Vec::new();
    let fetched = fetch_all(source, plan, |page| {
        if keep_raw {
            raw.extend(page.iter().cloned());
        }
        events.extend(normalizer.normalize(page));
        Ok(Flow::Continue)
    })
    .await?;

    let mut summary = normalizer.summary(&events);
    if plan.limit == Some(fetched.events) {
        // --limit stopped reading early: what the summary says of the run as a whole is
        // a guess from the events read, unless one of them ended the run.
        summary.partial = true;
        summary.start = None;
        summary.end = None;
        summary.duration_ms = None;
        if !summary.status.is_some_and(Status::is_final) {
            summary.status = None;
            summary.failure = None;
        }
    }
    let mut tree =
        (printer.wants_tree() || view.failed_only).then(|| normalizer.tree(&events, &summary));
    let mut keep: Vec<bool> = events.iter().map(|e| view.filter.matches(e)).collect();
    if view.failed_only {
        let path = failing_path(tree.take().unwrap_or_default());
        let on_path = event_ids(&path);
        for (kept, event) in keep.iter_mut().zip(&events) {
            *kept &= event.id.as_ref().is_some_and(|id| on_path.contains(id));
        }
        tree = Some(path);
    }
    // --limit counts the events shown, after the filters.
    if let Some(limit) = view.limit {
        keep.iter_mut()
            .filter(|kept| **kept)
            .skip(limit)
            .for_each(|kept| *kept = false);
    }
    let narrowed = !view.filter.is_empty() || (view.limit.is_some() && !early_stop);
    if narrowed {
        let kept_ids: HashSet<&EventId> = events
            .iter()
            .zip(&keep)
            .filter(|(_, kept)| **kept)
            .filter_map(|(event, _)| event.id.as_ref())
            .collect();
        tree = tree.map(|nodes| {
            prune_tree(nodes, &|node| {
                node.events.iter().any(|id| kept_ids.contains(id))
            })
        });
    }
    let mut raw = raw.into_iter();
    let (mut kept_events, mut kept_raw) = (Vec::new(), Vec::new());
    for (event, kept) in events.into_iter().zip(keep) {
        let wire = raw.next();
        if kept {
            kept_events.push(event);
            kept_raw.extend(wire);
        }
    }
    let run = Run {
        summary,
        events: kept_events,
        raw: kept_raw,
        tree: tree.unwrap_or_default(),
        summary_only: view.summary_only,
        full_errors: view.failed_only,
    };
    printer.run(out, run).context("cannot write the output")
}

//! `-o stats`: where the time went, by name. One row per state, step, activity or action
//! name and kind, over every span of that name in the run's tree (a Map's iterations count
//! under their inner states' names; a run `--depth` read counts under its own names):
//! how many ran, failed, were retried, and their total, mean, p50, p95 and max duration,
//! by total time, longest first. `--limit N` keeps the first N rows.
//!
//! Definitions: `failed` counts spans whose own status is a failure (failed, timed out,
//! aborted); `retried` counts retries, the attempts after a span's first (a Task's or a
//! CodePipeline action's further attempts, an SWF activity scheduled again under its
//! activityId). The durations are of the spans that ended; a span still running counts
//! in `count` only. p50 and p95 are nearest-rank percentiles: of the n durations in
//! ascending order, the one at rank ⌈p/100 × n⌉ (counted from 1), so each is a duration
//! that occurred. The mean is the total over the ended spans, rounded to the millisecond.
//! Time nested in a state (a Parallel's branches) counts for it and for what it holds.

use super::table::format_duration;
use super::{cut, terminal_safe, width, Needs, Presentation, Report, RunReport};
use crate::model::{EventId, Node, NodeKind, Status, Work};
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

/// `-o stats`.
pub struct StatsReport {
    pub presentation: Presentation,
}

impl Report for StatsReport {
    fn needs(&self) -> Needs {
        Needs {
            tree: true,
            own_limit: true,
            no_inputs: true,
            ..Needs::default()
        }
    }

    fn write(&self, out: &mut dyn Write, run: RunReport) -> io::Result<()> {
        if run.nothing_failed {
            writeln!(out, "nothing failed")?;
            return out.flush();
        }
        // The filters keep a node's ancestors in the tree, for context: a span counts
        // only when an event of its own passed them (or, a group of attempts, one of
        // theirs). The events of runs read with --depth count too.
        let mut kept: HashSet<&EventId> = run.events.iter().filter_map(|e| e.id.as_ref()).collect();
        for child in &run.children {
            if let Ok(report) = &child.report {
                kept.extend(report.events.iter().filter_map(|e| e.id.as_ref()));
            }
        }
        let mut rows = stats(&run.tree, &|node: &Node| {
            node.events.iter().any(|id| kept.contains(id))
                || (node.events.is_empty() && node.children.iter().any(|c| holds(c, &kept)))
        });
        let total = rows.len();
        if let Some(limit) = run.limit {
            rows.truncate(limit);
        }
        write_table(out, &rows, &self.presentation)?;
        if rows.len() < total {
            writeln!(out, "{} of {total} rows shown (--limit)", rows.len())?;
        }
        out.flush()
    }
}

/// One row of `-o stats`: the spans of one name and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    pub name: String,
    pub kind: String,
    pub count: usize,
    pub failed: usize,
    pub retried: usize,
    /// The durations of the spans that ended, ascending, in ms.
    pub durations: Vec<i64>,
}

impl Stat {
    pub fn total(&self) -> i64 {
        self.durations.iter().sum()
    }

    pub fn mean(&self) -> Option<i64> {
        let n = self.durations.len() as i64;
        (n > 0).then(|| (self.total() + n / 2) / n)
    }

    pub fn max(&self) -> Option<i64> {
        self.durations.last().copied()
    }

    /// The nearest-rank `p`th percentile: the duration at rank ⌈p/100 × n⌉.
    pub fn percentile(&self, p: u32) -> Option<i64> {
        nearest_rank(&self.durations, p)
    }
}

/// The nearest-rank `p`th percentile of `sorted` (ascending): the value at rank
/// ⌈p/100 × n⌉, counted from 1 (at least 1).
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (p as usize * n).div_ceil(100).clamp(1, n);
    Some(sorted[rank - 1])
}

/// The rows of a tree, by total time, longest first (then by name and kind), of the
/// spans `counts`.
pub fn stats(tree: &[Node], counts: &dyn Fn(&Node) -> bool) -> Vec<Stat> {
    let mut by_key: HashMap<(String, String), Stat> = HashMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    let mut stack: Vec<&Node> = tree.iter().rev().collect();
    while let Some(node) = stack.pop() {
        stack.extend(node.children.iter().rev());
        let Some((name, kind)) = key(node).filter(|_| counts(node)) else {
            continue;
        };
        let entry = by_key
            .entry((name.clone(), kind.clone()))
            .or_insert_with(|| {
                order.push((name.clone(), kind.clone()));
                Stat {
                    name,
                    kind,
                    count: 0,
                    failed: 0,
                    retried: 0,
                    durations: Vec::new(),
                }
            });
        entry.count += 1;
        entry.failed += usize::from(node.status.is_some_and(Status::is_failure));
        let attempts = node
            .children
            .iter()
            .filter(|c| matches!(c.kind, NodeKind::Attempt { .. }))
            .count();
        entry.retried += attempts.saturating_sub(1);
        entry.retried += usize::from(node.annotations.attempt.is_some_and(|(n, _)| n > 1));
        if let Some(duration) = node.duration_ms().filter(|d| *d >= 0) {
            entry.durations.push(duration);
        }
    }
    let mut rows: Vec<Stat> = order
        .into_iter()
        .filter_map(|key| by_key.remove(&key))
        .collect();
    for row in &mut rows {
        row.durations.sort_unstable();
    }
    rows.sort_by(|a, b| {
        b.total()
            .cmp(&a.total())
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    rows
}

/// True when `node` or one below it stands for a kept event.
fn holds(node: &Node, kept: &HashSet<&EventId>) -> bool {
    node.events.iter().any(|id| kept.contains(id)) || node.children.iter().any(|c| holds(c, kept))
}

/// The name and kind a node counts under, for the kinds that are spans of their own
/// name: states, steps, actions, decision tasks and the work they started. Runs,
/// stages, branches, iterations and attempts are counted through what they hold.
fn key(node: &Node) -> Option<(String, String)> {
    let kind = match node.kind {
        NodeKind::State | NodeKind::Step | NodeKind::Action => {
            node.type_label.clone().unwrap_or_default()
        }
        NodeKind::Decision { .. } => return Some(("decision".into(), "decision task".into())),
        NodeKind::Work(work) => match work {
            Work::Activity => "activity",
            Work::Timer => "timer",
            Work::Lambda => "lambda",
            Work::ChildWorkflow => "child workflow",
            Work::Signal => "signal",
            Work::CancelRequest => "cancel request",
            Work::Marker => return None,
        }
        .to_string(),
        _ => return None,
    };
    let name = node.name.clone().or_else(|| node.type_label.clone())?;
    Some((name, kind))
}

const HEADERS: [&str; 10] = [
    "NAME", "COUNT", "FAILED", "RETRIED", "TOTAL", "MEAN", "P50", "P95", "MAX", "KIND",
];

/// The rows as a table: names cut to fit the width (100 when unknown), numbers right
/// aligned, the kind last.
fn write_table(out: &mut dyn Write, rows: &[Stat], presentation: &Presentation) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "no spans to count");
    }
    let ellipsis = if presentation.ascii { "..." } else { "…" };
    let time = |ms: Option<i64>| ms.map(format_duration).unwrap_or_else(|| "-".into());
    let cells: Vec<[String; 10]> = rows
        .iter()
        .map(|row| {
            [
                terminal_safe(&row.name).into_owned(),
                row.count.to_string(),
                row.failed.to_string(),
                row.retried.to_string(),
                time((!row.durations.is_empty()).then(|| row.total())),
                time(row.mean()),
                time(row.percentile(50)),
                time(row.percentile(95)),
                time(row.max()),
                terminal_safe(&row.kind).into_owned(),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| width(h)).collect();
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let natural_name = widths[0];
    // Fit: the kind gives way first (to 8 columns), then the name (to 13), then the
    // kind goes.
    let full = presentation.width.map_or(100, usize::from);
    let line = |w: &[usize]| w.iter().sum::<usize>() + 2 * (w.len() - 1);
    let over = line(&widths).saturating_sub(full);
    widths[9] -= over.min(widths[9].saturating_sub(8));
    let over = line(&widths).saturating_sub(full);
    widths[0] -= over.min(widths[0].saturating_sub(13));
    let columns = if line(&widths) > full { 9 } else { 10 };
    if columns == 9 {
        // The kind went: the name takes back what it gave way for it.
        let rest = line(&widths[..9]) - widths[0];
        widths[0] = natural_name.min(full.saturating_sub(rest).max(13));
    }
    let header: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    let body: Vec<Vec<String>> = cells.into_iter().map(|row| row.to_vec()).collect();
    for row in std::iter::once(&header).chain(&body) {
        let mut text = String::new();
        for (i, cell) in row.iter().enumerate().take(columns) {
            let cell = cut(cell, widths[i], ellipsis);
            let pad = widths[i].saturating_sub(width(&cell));
            if i > 0 {
                text.push_str("  ");
            }
            if i == 0 || i == 9 {
                text.push_str(&cell);
                text.push_str(&" ".repeat(pad));
            } else {
                text.push_str(&" ".repeat(pad));
                text.push_str(&cell);
            }
        }
        writeln!(out, "{}", text.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(rows: &[Stat], width: u16) -> Vec<String> {
        let presentation = Presentation {
            color: false,
            width: Some(width),
            ascii: false,
        };
        let mut out = Vec::new();
        write_table(&mut out, rows, &presentation).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }

    #[test]
    fn a_name_cut_for_the_kind_is_whole_again_when_the_kind_goes() {
        let row = Stat {
            name: "runPatchBaseline".into(),
            kind: "aws:runCommand".into(),
            count: 2,
            failed: 1,
            retried: 0,
            durations: vec![183_000, 187_000],
        };
        // 16 + 59 columns of numbers: the name whole, without the kind, in 80.
        let table = lines(std::slice::from_ref(&row), 80);
        assert!(table[1].starts_with("runPatchBaseline  "), "{table:?}");
        assert!(!table[0].contains("KIND"), "{table:?}");
        assert!(table.iter().all(|l| width(l) <= 80), "{table:?}");
        // With no room to spare, the name still gives way, to 13 at least.
        let table = lines(std::slice::from_ref(&row), 60);
        assert!(table[1].starts_with("runPatchBase…  "), "{table:?}");
        // Wide enough for everything: nothing is cut.
        let table = lines(&[row], 120);
        assert!(table[1].starts_with("runPatchBaseline  "), "{table:?}");
        assert!(table[1].ends_with("aws:runCommand"), "{table:?}");
    }

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<i64> = (1..=20).collect();
        assert_eq!(nearest_rank(&values, 50), Some(10));
        assert_eq!(nearest_rank(&values, 95), Some(19));
        assert_eq!(nearest_rank(&[7], 95), Some(7));
        assert_eq!(nearest_rank(&[1, 2, 3], 50), Some(2));
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(nearest_rank(&[], 50), None);
    }
}

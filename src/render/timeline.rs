//! `-o timeline`: where the time went. One row per span of the run's tree (a state
//! entered → exited, a Task attempt, a Map iteration, a Parallel branch, an SWF decision
//! task, activity, timer or child workflow, an SSM step, a CodePipeline action), in start
//! order and nested as in the tree: the indented name, a bar on one linear time axis
//! shared by every row, the duration. The bar's colour is the status (a mark before the
//! name says it without colour); the time a span waited rather than worked (queued for
//! a worker, between a retry's attempts, a Wait state, a timer, a manual approval) is
//! drawn in a lighter glyph, so gaps show at a glance. A loop of more than
//! [`LOOP_FOLD_OVER`] iterations shows its unsuccessful and slow iterations and one row for
//! the rest (`--expand`: all). Fitted to the width in display columns (100 when unknown).

use super::style;
use super::table::format_duration;
use super::{cut, terminal_safe, width, Needs, Presentation, Report, RunReport};
use crate::model::fold::LOOP_FOLD_OVER;
use crate::model::{Node, NodeKind, Status, Timestamp, Work};
use std::io::{self, Write};

/// Slow iterations kept in a folded loop, at most.
const SLOW_KEPT: usize = 5;
/// The narrowest time axis, in columns.
pub const MIN_AXIS: usize = 30;
/// The width laid out for when none is known (stdout is not a terminal, no `COLUMNS`).
const DEFAULT_WIDTH: usize = 100;
/// Characters of a name always kept when names are cut to fit.
const NAME_KEPT: usize = 12;
/// Columns of indentation per level, and the deepest level indented further.
const INDENT: usize = 2;
const DEEPEST_INDENTED: usize = 12;

/// `-o timeline`.
pub struct TimelineReport {
    pub presentation: Presentation,
    /// `--expand`: every iteration of a big loop.
    pub expand: bool,
}

impl Report for TimelineReport {
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
        let mut rows = rows(&run.tree, self.expand);
        let total = rows.len();
        if let Some(limit) = run.limit {
            rows.truncate(limit);
        }
        let start = run.summary.start.map(Timestamp::millis);
        let end = run.summary.end.map(Timestamp::millis);
        let chart = Chart::new(&rows, start, end, &self.presentation);
        chart.write(out, &rows)?;
        if rows.len() < total {
            writeln!(out, "{} of {total} rows shown (--limit)", rows.len())?;
        }
        out.flush()
    }
}

/// One row: a span, or the folded rest of a loop.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub depth: usize,
    /// Escaped, ready for a terminal.
    pub name: String,
    pub status: Option<Status>,
    /// Milliseconds since the epoch.
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// Until when the span waited rather than worked.
    pub waiting_until: Option<i64>,
    /// When only parts of the span worked (a retried task's attempts): those parts.
    pub work: Option<Vec<(i64, Option<i64>)>>,
    /// A row for this many folded iterations.
    pub folded: Option<usize>,
}

impl Row {
    /// Still going: started, not ended, not final.
    fn open(&self) -> bool {
        self.start.is_some()
            && self.end.is_none()
            && matches!(
                self.status,
                Some(Status::Running | Status::Started | Status::Scheduled | Status::Pending)
            )
    }
}

/// The rows of a tree, depth first, siblings in start order; big loops folded unless
/// `expand`.
pub fn rows(tree: &[Node], expand: bool) -> Vec<Row> {
    let mut rows = Vec::new();
    for node in in_start_order(tree) {
        push(node, 0, expand, &mut rows);
    }
    rows
}

fn push(node: &Node, depth: usize, expand: bool, rows: &mut Vec<Row>) {
    let attempts: Vec<&Node> = node
        .children
        .iter()
        .filter(|c| matches!(c.kind, NodeKind::Attempt { .. }))
        .collect();
    rows.push(Row {
        depth,
        name: terminal_safe(&title(node)).into_owned(),
        status: node.status,
        start: node.start.map(Timestamp::millis),
        end: node.end.map(Timestamp::millis),
        waiting_until: node.waiting_until.map(Timestamp::millis),
        work: (!attempts.is_empty()).then(|| {
            attempts
                .iter()
                .filter_map(|a| {
                    let from = a.waiting_until.or(a.start)?.millis();
                    Some((from, a.end.map(Timestamp::millis)))
                })
                .collect()
        }),
        folded: None,
    });
    let children = in_start_order(&node.children);
    let folded = if expand { None } else { fold(&children) };
    let mut summary_written = false;
    for (i, child) in children.iter().enumerate() {
        match &folded {
            Some(fold) if fold.folded[i] => {
                if !summary_written {
                    summary_written = true;
                    rows.push(fold.row(&children, depth + 1));
                }
            }
            _ => push(child, depth + 1, expand, rows),
        }
    }
}

/// A loop's iterations that fold into one row.
struct Fold {
    folded: Vec<bool>,
}

impl Fold {
    fn row(&self, children: &[&Node], depth: usize) -> Row {
        let folded: Vec<&Node> = children
            .iter()
            .zip(&self.folded)
            .filter(|(_, f)| **f)
            .map(|(c, _)| *c)
            .collect();
        let count = folded.len();
        Row {
            depth,
            name: format!(
                "{count} more iteration{} succeeded",
                if count == 1 { "" } else { "s" }
            ),
            status: Some(Status::Succeeded),
            start: folded.iter().filter_map(|c| c.start).min().map(|t| t.0),
            end: folded.iter().filter_map(|c| c.end).max().map(|t| t.0),
            waiting_until: None,
            work: None,
            folded: Some(count),
        }
    }
}

/// Which of a node's children fold: when more than [`LOOP_FOLD_OVER`] of them are
/// iterations, every succeeded iteration but the slow ones (more than twice the median
/// iteration's duration, the [`SLOW_KEPT`] slowest at most). `None`: nothing folds.
fn fold(children: &[&Node]) -> Option<Fold> {
    let iterations: Vec<usize> = (0..children.len())
        .filter(|&i| matches!(children[i].kind, NodeKind::Iteration { .. }))
        .collect();
    if iterations.len() <= LOOP_FOLD_OVER {
        return None;
    }
    let mut durations: Vec<i64> = iterations
        .iter()
        .filter_map(|&i| children[i].duration_ms())
        .collect();
    durations.sort_unstable();
    let median = durations
        .get(durations.len().saturating_sub(1) / 2)
        .copied();
    let mut succeeded: Vec<usize> = iterations
        .iter()
        .copied()
        .filter(|&i| children[i].status == Some(Status::Succeeded) && !children[i].has_failure())
        .collect();
    // The slow ones stay: slowest first.
    succeeded.sort_by_key(|&i| std::cmp::Reverse(children[i].duration_ms().unwrap_or(0)));
    let slow = succeeded
        .iter()
        .take(SLOW_KEPT)
        .take_while(
            |&&i| matches!((children[i].duration_ms(), median), (Some(d), Some(m)) if d > 2 * m),
        )
        .count();
    let mut folded = vec![false; children.len()];
    for &i in &succeeded[slow..] {
        folded[i] = true;
    }
    (succeeded.len() > slow).then_some(Fold { folded })
}

/// Siblings in start order; one without a start stays after the sibling before it.
fn in_start_order(nodes: &[Node]) -> Vec<&Node> {
    let mut keyed: Vec<(i64, &Node)> = Vec::with_capacity(nodes.len());
    let mut last = i64::MIN;
    for node in nodes {
        let key = node
            .start
            .or_else(|| earliest_below(node))
            .map_or(last, Timestamp::millis);
        last = key;
        keyed.push((key, node));
    }
    keyed.sort_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, node)| node).collect()
}

fn earliest_below(node: &Node) -> Option<Timestamp> {
    node.children
        .iter()
        .filter_map(|c| c.start.or_else(|| earliest_below(c)))
        .min()
}

/// The name a row is shown by: its number for the numbered kinds, else its name, else
/// its type, else what it is.
fn title(node: &Node) -> String {
    match node.kind {
        NodeKind::Branch { number } => return format!("branch {number}"),
        NodeKind::Iteration { index } => return format!("iteration {index}"),
        NodeKind::Attempt { number } => return format!("attempt {number}"),
        NodeKind::Decision { number } => return format!("decision {number}"),
        _ => {}
    }
    if let Some(name) = node.name.as_ref().or(node.type_label.as_ref()) {
        return name.clone();
    }
    match node.kind {
        NodeKind::Execution => "execution",
        NodeKind::Workflow => "workflow",
        NodeKind::PipelineExecution => "pipeline execution",
        NodeKind::Stage => "stage",
        NodeKind::Signal => "signal",
        NodeKind::MapRun => "map run",
        NodeKind::ChildRun => "run",
        NodeKind::Work(Work::Timer) => "timer",
        NodeKind::Work(_) => "work",
        _ => "event",
    }
    .to_string()
}

/// The glyphs of a bar.
struct Glyphs {
    /// Working.
    work: char,
    /// Waiting: queued, between attempts, a timer, an approval.
    wait: char,
    /// A span of no length, or an instant (a marker, a signal).
    instant: char,
    ellipsis: &'static str,
    arrow: &'static str,
}

const UNICODE: Glyphs = Glyphs {
    work: '█',
    wait: '░',
    instant: '│',
    ellipsis: "…",
    arrow: "→",
};

const ASCII: Glyphs = Glyphs {
    work: '=',
    wait: '.',
    instant: '|',
    ellipsis: "...",
    arrow: "->",
};

/// The axis and the columns, laid out for a set of rows.
pub struct Chart<'a> {
    presentation: &'a Presentation,
    glyphs: &'static Glyphs,
    /// The axis: first and last instant, in ms.
    from: i64,
    to: i64,
    /// Columns of the axis, of the names and of the durations.
    pub axis: usize,
    name_width: usize,
}

impl<'a> Chart<'a> {
    /// Laid out for `rows`; the axis spans the run (`start`, `end`, when known) and every
    /// row.
    pub fn new(
        rows: &[Row],
        start: Option<i64>,
        end: Option<i64>,
        presentation: &'a Presentation,
    ) -> Self {
        let glyphs = if presentation.ascii { &ASCII } else { &UNICODE };
        let times = rows.iter().flat_map(|r| [r.start, r.end]).flatten();
        let from = times.clone().chain(start).min().unwrap_or(0);
        let to = times
            .chain(end)
            .chain(start)
            .max()
            .unwrap_or(from)
            .max(from);
        let width = presentation.width.map_or(DEFAULT_WIDTH, usize::from);
        let duration_width = rows
            .iter()
            .map(|r| super::width(&duration_text(r, to)))
            .max()
            .unwrap_or(0);
        let indent = |row: &Row| row.depth.min(DEEPEST_INDENTED) * INDENT;
        let wanted = rows
            .iter()
            .map(|r| indent(r) + super::width(&r.name))
            .max()
            .unwrap_or(0);
        let least = rows
            .iter()
            .map(|r| indent(r) + super::width(&r.name).min(NAME_KEPT + 1))
            .max()
            .unwrap_or(0);
        // mark, space, name, space, axis, space, duration
        let fixed = 2 + 1 + 1 + duration_width;
        let name_width = wanted.min(least.max(width.saturating_sub(fixed + MIN_AXIS)));
        let axis = width.saturating_sub(fixed + name_width).max(MIN_AXIS);
        Chart {
            presentation,
            glyphs,
            from,
            to,
            axis,
            name_width,
        }
    }

    /// The columns a span takes: its first column and how many (0: an instant, drawn as
    /// one). A span's length in columns depends on its duration alone (rounded, at
    /// least 1), so a longer span never gets a shorter bar; it starts where its start
    /// falls, moved left if it would pass the axis's end.
    pub fn columns(&self, start: i64, end: i64) -> (usize, usize) {
        let span = (self.to - self.from).max(1) as f64;
        let scale = self.axis as f64 / span;
        let at = (((start - self.from) as f64) * scale).round().max(0.0) as usize;
        if end <= start {
            return (at.min(self.axis - 1), 0);
        }
        let length = ((((end - start) as f64) * scale).round() as usize).clamp(1, self.axis);
        (at.min(self.axis - length), length)
    }

    /// One millisecond time per column.
    fn column_ms(&self) -> f64 {
        (self.to - self.from).max(1) as f64 / self.axis as f64
    }

    /// The bar of `row`, `axis` cells: each a glyph or a space.
    pub fn bar(&self, row: &Row) -> Vec<Cell> {
        let mut cells = vec![Cell::Empty; self.axis];
        let Some(start) = row.start else {
            return cells;
        };
        let end = match row.end {
            Some(end) => end,
            None if row.open() => self.to,
            None => start,
        };
        let (at, length) = self.columns(start, end);
        if length == 0 {
            cells[at] = Cell::Instant;
            return cells;
        }
        // What worked: the attempts' parts, else after the wait.
        let worked: Option<Vec<bool>> = row.work.as_ref().map(|parts| {
            let mut worked = vec![false; self.axis];
            for &(from, until) in parts {
                let until = until.unwrap_or(self.to);
                let (a, n) = self.columns(from, until);
                worked[a..a + n.max(1)].iter_mut().for_each(|w| *w = true);
            }
            worked
        });
        // The first cells waited, as many as the wait's duration takes (rounded, as a
        // bar's length is).
        let waited = row.waiting_until.map_or(0, |until| {
            let wait = (until.min(end) - start).max(0) as f64 / self.column_ms();
            (wait.round() as usize).min(length)
        });
        for (column, cell) in cells.iter_mut().enumerate().skip(at).take(length) {
            let waiting = column < at + waited || worked.as_ref().is_some_and(|w| !w[column]);
            *cell = if waiting { Cell::Wait } else { Cell::Work };
        }
        cells
    }

    pub fn write(&self, out: &mut dyn Write, rows: &[Row]) -> io::Result<()> {
        if rows.is_empty() {
            return writeln!(out, "no spans to show");
        }
        writeln!(out, "{}", self.header())?;
        writeln!(out, "{}", self.ruler())?;
        for row in rows {
            writeln!(out, "{}", self.line(row))?;
        }
        Ok(())
    }

    /// The axis: first and last instant, how long, what one column stands for; the
    /// dates left off when that is too wide, cut when even that is.
    fn header(&self) -> String {
        let (from, to) = (Timestamp(self.from), Timestamp(self.to));
        let same_day = local(from).map(|t| t.date()) == local(to).map(|t| t.date());
        let text = |time: Timestamp, date: bool| match local(time) {
            Some(t) if date => t.strftime("%Y-%m-%d %H:%M:%S%.3f").to_string(),
            Some(t) => t.strftime("%H:%M:%S%.3f").to_string(),
            None => time.to_rfc3339(),
        };
        let zone = local(from)
            .map(|t| t.strftime(" %:z").to_string())
            .unwrap_or_default();
        let tail = format!(
            "{zone}  {}  one column = {}",
            format_duration(self.to - self.from),
            format_duration(self.column_ms().round() as i64)
        );
        let arrow = self.glyphs.arrow;
        let full = format!("{} {arrow} {}{tail}", text(from, true), text(to, !same_day));
        let width = self.presentation.width.map_or(DEFAULT_WIDTH, usize::from);
        let legend = format!(
            "{full}  {} working {} waiting",
            self.glyphs.work, self.glyphs.wait
        );
        if super::width(&legend) <= width {
            return legend;
        }
        if super::width(&full) <= width {
            return full;
        }
        let short = format!("{} {arrow} {}{tail}", text(from, false), text(to, false));
        cut(&short, width, self.glyphs.ellipsis)
    }

    /// Elapsed time at ticks along the axis, one at least every 10 columns apart.
    fn ruler(&self) -> String {
        let column_ms = self.column_ms();
        let step = TICKS
            .iter()
            .copied()
            .find(|&step| step as f64 / column_ms >= 10.0)
            .unwrap_or(*TICKS.last().expect("ticks"));
        let mut line: Vec<char> = vec![' '; self.axis];
        let mut free_from = 0;
        let mut tick = 0i64;
        while tick <= self.to - self.from {
            let at = (tick as f64 / column_ms).round() as usize;
            let label = if tick == 0 {
                "0".to_string()
            } else {
                tick_label(tick)
            };
            let label: Vec<char> = format!("{}{label}", self.glyphs.instant).chars().collect();
            if at >= free_from && at + label.len() <= self.axis {
                line[at..at + label.len()].copy_from_slice(&label);
                free_from = at + label.len() + 1;
            }
            tick += step;
        }
        let text: String = line.into_iter().collect();
        format!(
            "{:lead$}{}",
            "",
            text.trim_end(),
            lead = 2 + self.name_width + 1
        )
    }

    /// One row: mark, indented name, bar, duration.
    fn line(&self, row: &Row) -> String {
        let color = self.presentation.color;
        let indent = row.depth.min(DEEPEST_INDENTED) * INDENT;
        let room = self.name_width.saturating_sub(indent).max(NAME_KEPT + 1);
        let name = cut(&row.name, room, self.glyphs.ellipsis);
        let pad = self.name_width.saturating_sub(indent + width(&name));
        let mark = style::mark(row.status, self.presentation.ascii);
        let mark = match row.status {
            Some(status) => style::status(status, color, mark),
            None => mark.to_string(),
        };
        let bar = self.bar(row);
        let mut drawn = String::with_capacity(self.axis * 3);
        // Runs of one kind of cell, coloured once each.
        let mut i = 0;
        while i < bar.len() {
            let cell = bar[i];
            let mut j = i;
            while j < bar.len() && bar[j] == cell {
                j += 1;
            }
            let glyph = match cell {
                Cell::Empty => ' ',
                Cell::Work => self.glyphs.work,
                Cell::Wait => self.glyphs.wait,
                Cell::Instant => self.glyphs.instant,
            };
            let text: String = std::iter::repeat_n(glyph, j - i).collect();
            match (cell, row.status) {
                (Cell::Empty, _) | (_, None) => drawn.push_str(&text),
                (_, Some(status)) => drawn.push_str(&style::status(status, color, &text)),
            }
            i = j;
        }
        let duration = duration_text(row, self.to);
        let line = format!("{mark} {:indent$}{name}{:pad$} {drawn} {duration}", "", "");
        line.trim_end().to_string()
    }
}

/// What a cell of a bar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Empty,
    Work,
    Wait,
    Instant,
}

/// A row's duration: as it ended, or so far (`+`) while it runs; none for an instant.
fn duration_text(row: &Row, to: i64) -> String {
    match (row.start, row.end) {
        (Some(start), Some(end)) => format_duration(end - start),
        (Some(start), None) if row.open() => format!("{}+", format_duration(to - start)),
        _ => String::new(),
    }
}

/// A tick's label: whole units where they are whole.
fn tick_label(ms: i64) -> String {
    if ms % 3_600_000 == 0 {
        format!("{}h", ms / 3_600_000)
    } else if ms % 60_000 == 0 {
        format!("{}m", ms / 60_000)
    } else if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else if ms >= 1000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        format!("{ms}ms")
    }
}

/// Steps between ticks, in ms.
const TICKS: &[i64] = &[
    1,
    2,
    5,
    10,
    20,
    50,
    100,
    200,
    500,
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_800_000,
    3_600_000,
    7_200_000,
    21_600_000,
    43_200_000,
    86_400_000,
    604_800_000,
    2_592_000_000,
    31_536_000_000,
];

/// `time` in the local time zone (the `TZ` variable's, else the system's).
fn local(time: Timestamp) -> Option<jiff::ZonedDateTime> {
    Some(
        time.instant()?
            .to_zoned_datetime(jiff::tz::TimeZone::system()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presentation(width: u16, ascii: bool) -> Presentation {
        Presentation {
            color: false,
            width: Some(width),
            ascii,
        }
    }

    fn span(name: &str, depth: usize, start: i64, end: Option<i64>, status: Status) -> Row {
        Row {
            depth,
            name: name.into(),
            status: Some(status),
            start: Some(start),
            end,
            waiting_until: None,
            work: None,
            folded: None,
        }
    }

    fn bar_text(chart: &Chart, row: &Row) -> String {
        chart
            .bar(row)
            .iter()
            .map(|c| match c {
                Cell::Empty => ' ',
                Cell::Work => '=',
                Cell::Wait => '.',
                Cell::Instant => '|',
            })
            .collect()
    }

    #[test]
    fn waits_and_attempt_gaps_are_drawn_apart() {
        let mut retried = span("Charge", 0, 0, Some(10_000), Status::Failed);
        retried.work = Some(vec![
            (0, Some(1_000)),
            (4_000, Some(5_000)),
            (9_000, Some(10_000)),
        ]);
        let mut queued = span("Fetch", 0, 0, Some(10_000), Status::Succeeded);
        queued.waiting_until = Some(5_000);
        let instant = span("marker", 0, 5_000, None, Status::Info);
        let rows = [retried, queued, instant];
        let p = presentation(70, true);
        let chart = Chart::new(&rows, None, None, &p);
        assert!(chart.axis >= MIN_AXIS);
        let text: Vec<char> = bar_text(&chart, &rows[0]).chars().collect();
        let (first, n) = chart.columns(0, 1_000);
        let (second, _) = chart.columns(4_000, 5_000);
        assert!(text[first..first + n].iter().all(|c| *c == '='));
        assert!(text[first + n..second].iter().all(|c| *c == '.'));
        assert_eq!(text[second], '=');
        let text = bar_text(&chart, &rows[1]);
        let (_, half) = chart.columns(0, 5_000);
        assert!(
            text.starts_with(&".".repeat(half)) && text.ends_with('='),
            "{text}"
        );
        assert_eq!(bar_text(&chart, &rows[2]).matches('|').count(), 1);
    }

    #[test]
    fn lines_fit_the_width_and_long_names_keep_twelve_characters() {
        let rows = [
            span(
                "Production.ApproveReleaseToTheWorld",
                1,
                0,
                Some(100),
                Status::Succeeded,
            ),
            span("run", 0, 0, Some(200), Status::Failed),
        ];
        for width in [60u16, 80, 120] {
            let p = presentation(width, false);
            let chart = Chart::new(&rows, None, None, &p);
            let mut out = Vec::new();
            chart.write(&mut out, &rows).unwrap();
            let text = String::from_utf8(out).unwrap();
            for line in text.lines() {
                assert!(width_of(line) <= width as usize, "{width}: {line}");
            }
            assert!(text.contains("Production.A"), "{text}");
        }
    }

    fn width_of(line: &str) -> usize {
        super::width(line)
    }

    #[test]
    fn a_running_span_reaches_the_axis_end_and_says_so() {
        let rows = [
            span("done", 0, 0, Some(1_000), Status::Succeeded),
            span("going", 0, 500, None, Status::Running),
        ];
        let p = presentation(80, true);
        let chart = Chart::new(&rows, None, None, &p);
        assert!(bar_text(&chart, &rows[1]).ends_with('='));
        assert_eq!(duration_text(&rows[1], 1_000), "500ms+");
    }

    #[test]
    fn bar_lengths_grow_with_durations_and_stay_on_the_axis() {
        // A deterministic generator (an LCG): the same cases every run.
        let mut seed = 7u64;
        let mut next = |below: i64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) % below as u64) as i64
        };
        for _ in 0..200 {
            let span = 1 + next(10_000_000);
            let rows = [span_row(0, span)];
            let width = 40 + next(200) as u16;
            let p = presentation(width, true);
            let chart = Chart::new(&rows, None, None, &p);
            let mut seen: Vec<(i64, usize)> = Vec::new();
            for _ in 0..50 {
                let start = next(span);
                let end = start + next(span - start + 1);
                let (at, length) = chart.columns(start, end);
                assert!(at + length.max(1) <= chart.axis);
                seen.push((end - start, length.max(1)));
            }
            for (d1, l1) in &seen {
                for (d2, l2) in &seen {
                    assert!(d1 <= d2 || l1 >= l2, "{d1}ms: {l1}, {d2}ms: {l2}");
                }
            }
        }
    }

    fn span_row(start: i64, end: i64) -> Row {
        span("run", 0, start, Some(end), Status::Succeeded)
    }

    #[test]
    fn ticks_read_in_whole_units() {
        assert_eq!(tick_label(2_000), "2s");
        assert_eq!(tick_label(120_000), "2m");
        assert_eq!(tick_label(500), "500ms");
        assert_eq!(tick_label(1_500), "1.5s");
    }
}

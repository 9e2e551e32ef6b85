//! `-o table`: the view for people. One row per event: id, local time, time elapsed since
//! the run's start (or the earliest record read, when earlier: never negative), type,
//! name, status and a one-line summary (the error and cause of a failure, else the
//! service's summary or the resource). Payload text is escaped before it reaches the
//! terminal. Fitted to a terminal's width by cutting cells, never wrapping them (see
//! [`fit`]): the status and the name are never cut, the ID, time, type and summary give
//! way first, in that order; headers stay on one line, and under `--failed` the summary
//! runs on in full. Written in batches of rows once the widths are fixed over all of
//! the events ([`TableReport::layout`]), so that no cell of a big run is held longer
//! than its batch.

use super::summary::local;
use super::{cut, style, terminal_safe, width as width_of, Presentation, Report, RunReport};
use crate::model::digest::Digest;
use crate::model::{Event, Json, Status, Timestamp};
use anstyle::{AnsiColor, Effects};
use comfy_table::{
    presets, Attribute, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Row,
    Table, Width,
};
use std::io::{self, Write};

/// A row's run, for a table of several: the last part of its execution
/// (`pipeline/executionId` shows the execution ID).
fn run_label(event: &Event) -> &str {
    let execution = event.execution.as_deref().unwrap_or_default();
    execution.rsplit('/').next().unwrap_or(execution)
}

/// Widest summary kept in a cell, in display columns; the full text is in `-o jsonl`.
const SUMMARY_COLUMNS: usize = 120;

/// The summary's columns kept before any other column gives way (see [`GIVING_WAY`]).
const SUMMARY_KEPT: usize = 60;

/// `-o table`: the run summary, then the table.
pub struct TableReport {
    pub presentation: Presentation,
    /// `--failed`: summaries in full.
    pub full_errors: bool,
    /// `--io`: each row's input and output beneath it.
    pub io: bool,
}

/// Where a row's `--io` block starts, in columns.
const IO_INDENT: &str = "    ";

/// Rows laid out by one comfy-table at a time: the widths are fixed for the whole table
/// first, so each batch of rows is laid out exactly as one table of every row would be,
/// without every cell of 25,000 rows held at once.
const ROWS_AT_ONCE: usize = 256;

/// What every row of a table depends on besides its event.
struct RowContext {
    /// ELAPSED counts from here.
    from: Option<Timestamp>,
    spans_days: bool,
    several_runs: bool,
    has_durations: bool,
    ellipsis: &'static str,
}

/// A row's cells, uncut, in the order of the table's columns; and the time's short form.
struct RowText {
    cells: Vec<String>,
    short_time: String,
}

/// A column shown: which one, cut to what width, in its short form or not, and the width
/// its cells take once cut (what the table lays it out at).
#[derive(Debug, Clone, Copy)]
struct Shown {
    column: usize,
    width: usize,
    short: bool,
    content: usize,
}

/// The table's shape, decided over all of its events before any row is written.
struct Layout {
    columns: Vec<Column>,
    shown: Vec<Shown>,
    status_column: Option<usize>,
    time_column: Option<usize>,
    context: RowContext,
}

impl TableReport {
    /// Columns, their fitting and widths for the rows of `events`; ELAPSED counts from
    /// `from` (the run's start, or the earliest record read when that is earlier: see
    /// [`RunReport::elapsed_from`]; blank when neither is known). Fitted to the width when
    /// there is one (see [`fit`]). Each cell is made once to measure the columns, and
    /// once more for the columns cut below their widest cell; none is kept.
    fn layout(&self, events: &[Event], from: Option<Timestamp>) -> Layout {
        let spans_days = {
            let mut days = events
                .iter()
                .filter_map(|e| e.time)
                .map(|t| local(t).map(|d| d.date()));
            let first_day = days.next().flatten();
            days.any(|d| d != first_day)
        };
        let has_durations = events.iter().any(|e| e.duration_ms.is_some());
        // Several runs in one table (`codepipeline --all`): a column says whose each row is.
        let several_runs = events
            .iter()
            .filter_map(|e| e.execution.as_deref())
            .any(|x| events.first().and_then(|e| e.execution.as_deref()) != Some(x));
        let ellipsis = if self.presentation.ascii {
            "..."
        } else {
            "…"
        };
        let context = RowContext {
            from,
            spans_days,
            several_runs,
            has_durations,
            ellipsis,
        };

        // The columns, each as its header and the widths of its cells, before any fitting.
        let mut columns = vec![Column::new("ID", Fit::Shrink, true)];
        if several_runs {
            columns.push(Column::new("EXECUTION", Fit::Shrink, false));
        }
        columns.extend([
            Column::new("TIME", Fit::Shrink, false),
            Column::new("ELAPSED", Fit::Never, true),
            Column::new("TYPE", Fit::Shrink, false),
            Column::new("NAME", Fit::Never, false),
            Column::new("STATUS", Fit::Never, false),
        ]);
        if has_durations {
            columns.push(Column::new("DURATION", Fit::Never, true));
        }
        // `--failed`: errors in full, so the summary is never fitted; it runs on.
        let summary_fit = if self.full_errors {
            Fit::Long
        } else {
            Fit::Shrink
        };
        columns.push(Column::new("SUMMARY", summary_fit, false));
        let status_column = columns.iter().position(|c| c.header == "STATUS");
        let time_column = columns.iter().position(|c| c.header == "TIME");
        for column in columns
            .iter_mut()
            .filter(|c| matches!(c.header, "ID" | "EXECUTION"))
        {
            column.distinct = Some(Vec::new());
        }

        for event in events {
            let row = self.row(event, &context);
            for (column, text) in columns.iter_mut().zip(row.cells) {
                column.add(text);
            }
            if let Some(c) = time_column {
                columns[c].add_short(&row.short_time);
            }
        }
        for column in columns.iter_mut() {
            column.tell_apart(width_of(ellipsis));
        }
        let shapes = match self.presentation.width {
            Some(width) => fit(&columns, usize::from(width), width_of(ellipsis)),
            None => columns.iter().map(|c| Shape::Cut(c.natural())).collect(),
        };
        // The columns shown, each with its width and whether its short cells are. Uncut,
        // a column is as wide as its widest cell (or header), at least 1.
        let mut shown: Vec<Shown> = columns
            .iter()
            .zip(&shapes)
            .enumerate()
            .filter_map(|(c, (column, shape))| match *shape {
                Shape::Cut(width) => Some(Shown {
                    column: c,
                    width,
                    short: false,
                    content: column.natural().max(1),
                }),
                Shape::Short => Some(Shown {
                    column: c,
                    width: column.natural_short(),
                    short: true,
                    content: column.natural_short().max(1),
                }),
                Shape::Hidden => None,
            })
            .collect();
        // A column cut below its widest cell is as wide as its widest cell once cut (a
        // cut before a wide character leaves it a column short): measured again.
        let cut_below: Vec<usize> = (0..shown.len())
            .filter(|&i| {
                let column = &columns[shown[i].column];
                !shown[i].short && column.fit != Fit::Long && shown[i].width < column.natural()
            })
            .collect();
        if !cut_below.is_empty() {
            for &i in &cut_below {
                let header = columns[shown[i].column].header;
                shown[i].content = width_of(&cut(header, shown[i].width, ellipsis));
            }
            for event in events {
                let row = self.row(event, &context);
                for &i in &cut_below {
                    let text = cut(&row.cells[shown[i].column], shown[i].width, ellipsis);
                    shown[i].content = shown[i].content.max(width_of(&text));
                }
            }
            for &i in &cut_below {
                shown[i].content = shown[i].content.max(1);
            }
        }
        Layout {
            columns,
            shown,
            status_column,
            time_column,
            context,
        }
    }

    /// The cells of `event`'s row, uncut.
    fn row(&self, event: &Event, context: &RowContext) -> RowText {
        let time = |format: &str| {
            event
                .time
                .and_then(local)
                .map(|t| t.strftime(format).to_string())
                .unwrap_or_default()
        };
        let day = if context.spans_days {
            "%m-%d %H:%M:%S"
        } else {
            "%H:%M:%S"
        };
        // Without milliseconds: the time's first step in giving way.
        let short_time = time(day);
        let full_time = time(&format!("{day}%.3f"));
        let elapsed = match (context.from, event.time) {
            (Some(first), Some(t)) => format_duration(t.millis() - first.millis()),
            _ => String::new(),
        };
        let mut cells = Vec::with_capacity(9);
        cells.push(
            event
                .id
                .as_ref()
                .map(|id| terminal_safe(&id.to_string()).into_owned())
                .unwrap_or_default(),
        );
        if context.several_runs {
            cells.push(terminal_safe(run_label(event)).into_owned());
        }
        cells.extend([
            full_time,
            elapsed,
            terminal_safe(&event.kind).into_owned(),
            terminal_safe(event.name.as_deref().unwrap_or("")).into_owned(),
            event.status.as_str().to_string(),
        ]);
        if context.has_durations {
            cells.push(event.duration_ms.map(format_duration).unwrap_or_default());
        }
        cells.push(summary(event, self.full_errors, context.ellipsis));
        RowText { cells, short_time }
    }

    /// A comfy-table of `events`' rows (the header first when `header`), its columns
    /// fixed at `layout`'s widths: the same lines as one table of every row.
    fn rows_table(&self, layout: &Layout, events: &[Event], header: bool) -> Table {
        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        // The widths are decided over the whole table and each cell cut to its column's:
        // the table only lays them out, never wrapping a cell (a header included) onto a
        // second line.
        table.set_content_arrangement(ContentArrangement::Disabled);
        if self.presentation.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        let ellipsis = layout.context.ellipsis;
        let fitted = |column: &Column, text: &str, width: usize| match column.fit {
            Fit::Long => text.to_string(),
            Fit::Never | Fit::Shrink => cut(text, width, ellipsis),
        };
        if header {
            table.set_header(layout.shown.iter().map(|s| {
                let column = &layout.columns[s.column];
                self.styled(
                    Cell::new(fitted(column, column.header, s.width)),
                    Attribute::Bold,
                )
            }));
        }
        for event in events {
            let mut row = self.row(event, &layout.context);
            let cells: Vec<Cell> = layout
                .shown
                .iter()
                .map(|s| {
                    let column = &layout.columns[s.column];
                    let text = if s.short && Some(s.column) == layout.time_column {
                        std::mem::take(&mut row.short_time)
                    } else {
                        std::mem::take(&mut row.cells[s.column])
                    };
                    let text = fitted(column, &text, s.width);
                    let cell = if Some(s.column) == layout.status_column {
                        self.status_cell(event.status, text)
                    } else {
                        Cell::new(text)
                    };
                    if column.right {
                        cell.set_alignment(CellAlignment::Right)
                    } else {
                        cell
                    }
                })
                .collect();
            table.add_row(Row::from(cells));
        }
        for (i, s) in layout.shown.iter().enumerate() {
            if let Some(column) = table.column_mut(i) {
                // With the padding of one either side that the table adds.
                let width = u16::try_from(s.content + 2).unwrap_or(u16::MAX);
                column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(width)));
            }
        }
        table
    }

    /// What follows an event's row: its input and output (`--io`); with `--failed`, an
    /// error object's stack frames at column `frames_at`, once for the same failure
    /// again (a retry's, the run's own: `shown` is the last shown).
    fn beneath<'e>(
        &self,
        out: &mut dyn Write,
        event: &'e Event,
        frames_at: Option<usize>,
        shown: &mut Option<(Option<&'e str>, Option<&'e str>)>,
    ) -> io::Result<()> {
        if self.io {
            let indent = super::width(IO_INDENT);
            let input = event.input.as_ref().map(Json::value);
            let output = event.output.as_ref().map(Json::value);
            for line in super::payload::event_lines(
                input.as_ref(),
                output.as_ref(),
                indent,
                &self.presentation,
            ) {
                writeln!(out, "{IO_INDENT}{line}")?;
            }
        }
        let Some(at) = frames_at else {
            return Ok(());
        };
        let shown_before = shown.is_some_and(|(error, cause)| {
            crate::model::digest::same_failure(
                error,
                cause,
                event.error.as_deref(),
                event.cause.as_deref(),
            )
        });
        if shown_before {
            return Ok(());
        }
        let frames = super::failure::worded(
            event.error.as_deref(),
            event.cause.as_deref(),
            None,
            self.presentation.ascii,
        )
        .filter(|_| event.cause.as_deref().and_then(Digest::of_cause).is_some())
        .map(|worded| worded.more)
        .unwrap_or_default();
        if !frames.is_empty() {
            *shown = Some((event.error.as_deref(), event.cause.as_deref()));
        }
        for frame in frames {
            writeln!(out, "{:at$}{}", "", terminal_safe(&frame))?;
        }
        Ok(())
    }

    fn styled(&self, cell: Cell, attribute: Attribute) -> Cell {
        if self.presentation.color {
            cell.add_attribute(attribute)
        } else {
            cell
        }
    }

    /// The status cell, `text`, in the status's colour (see [`style::of`]).
    fn status_cell(&self, status: Status, text: String) -> Cell {
        let cell = Cell::new(text);
        if !self.presentation.color {
            return cell;
        }
        let style = style::of(status);
        let cell = match style.get_fg_color() {
            Some(anstyle::Color::Ansi(colour)) => cell.fg(table_colour(colour)),
            _ => cell,
        };
        if style.get_effects().contains(Effects::DIMMED) {
            cell.add_attribute(Attribute::Dim)
        } else {
            cell
        }
    }
}

/// How a column gives way when the table is wider than the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    /// Never cut: the name and the status, what a row is about; the short ELAPSED and
    /// DURATION.
    Never,
    /// Gives way when the others need room, in the order of [`GIVING_WAY`].
    Shrink,
    /// Never cut, and not fitted: it runs on past the width (the summary under
    /// `--failed`, whose errors are in full). Only its header's width is kept for it.
    Long,
}

/// A column of the table: its header and its cells' text, uncut.
struct Column {
    header: &'static str,
    fit: Fit,
    right: bool,
    /// The width of its widest cell, or of its header.
    natural: usize,
    /// The same in the column's shorter form, for a column that has one (the time
    /// without its milliseconds).
    natural_short: Option<usize>,
    /// Its distinct cells, for a column that must tell its rows apart (ID, EXECUTION):
    /// what [`Column::tell_apart`] reads.
    distinct: Option<Vec<String>>,
    /// The narrowest it may be cut to: for the ID, room for the shortest prefix that
    /// tells every row's apart, and the ellipsis.
    least: usize,
}

impl Column {
    fn new(header: &'static str, fit: Fit, right: bool) -> Self {
        Column {
            header,
            fit,
            right,
            natural: width_of(header),
            natural_short: None,
            distinct: None,
            least: 0,
        }
    }

    /// One more cell, uncut.
    fn add(&mut self, cell: String) {
        self.natural = self.natural.max(width_of(&cell));
        if let Some(distinct) = &mut self.distinct {
            distinct.push(cell);
        }
    }

    /// One more cell in the short form.
    fn add_short(&mut self, cell: &str) {
        let widest = self.natural_short.unwrap_or(width_of(self.header));
        self.natural_short = Some(widest.max(width_of(cell)));
    }

    /// True when the column has a short form.
    fn has_short(&self) -> bool {
        self.natural_short.is_some()
    }

    /// Sets [`Column::least`] for a column that tells its rows apart: the fewest leading
    /// characters that tell its distinct cells apart, and an `ellipsis` of that many
    /// columns. Its cells are dropped.
    fn tell_apart(&mut self, ellipsis: usize) {
        let Some(mut cells) = self.distinct.take() else {
            return;
        };
        cells.sort_unstable();
        cells.dedup();
        let common = |a: &str, b: &str| {
            a.chars()
                .zip(b.chars())
                .take_while(|(x, y)| x == y)
                .map(|(x, _)| x.len_utf8())
                .sum::<usize>()
        };
        // Sorted, a cell shares the most with its neighbours.
        let prefix = cells
            .windows(2)
            .map(|pair| width_of(&pair[1][..common(&pair[0], &pair[1])]) + 1)
            .max()
            .unwrap_or(0);
        self.least = prefix + ellipsis;
    }

    /// Its width in its short form.
    fn natural_short(&self) -> usize {
        self.natural_short.unwrap_or(width_of(self.header))
    }

    /// Its width uncut: its widest cell's, or its header's.
    fn natural(&self) -> usize {
        self.natural
    }
}

/// How a column is laid out once fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Its cells, cut to this width.
    Cut(usize),
    /// Its short cells, whole.
    Short,
    /// Left out.
    Hidden,
}

/// One step of a column giving way.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Down to this many columns (never below its header, nor above its width).
    Down(usize),
    /// Down to what tells its rows apart ([`Column::least`]), its header cut if need be.
    Least,
    /// Its short cells (the time without milliseconds).
    Short,
    /// Left out (the time: ELAPSED still says when).
    Hide,
}

/// The order in which columns give way, each step taken only while the table is too
/// wide: a first round down to widths that still read well (an ID to its first 8
/// characters, or as many as tell the rows apart, as git abbreviates a hash; see
/// [`Column::least`]), in the order ID, time, type, summary (an execution,
/// in a table of several, with the ID); then a second round, in the same order, to the
/// least. The name and the status are never cut. Before all of them, a summary's tail
/// past [`SUMMARY_KEPT`] columns (it is cut at [`SUMMARY_COLUMNS`] anyway): on a wide
/// terminal, a long summary alone is shortened.
const GIVING_WAY: &[(&str, Step)] = &[
    ("SUMMARY", Step::Down(SUMMARY_KEPT)),
    ("ID", Step::Down(9)),
    ("EXECUTION", Step::Down(13)),
    ("TIME", Step::Short),
    ("TYPE", Step::Down(20)),
    ("SUMMARY", Step::Down(24)),
    ("EXECUTION", Step::Down(0)),
    ("TIME", Step::Hide),
    ("TYPE", Step::Down(10)),
    ("SUMMARY", Step::Down(12)),
    ("TYPE", Step::Down(0)),
    ("SUMMARY", Step::Down(0)),
    ("EXECUTION", Step::Least),
];

/// Each column's shape for a table `width` columns wide (one space either side of each
/// column, the last one's trimmed), the columns giving way in the order of
/// [`GIVING_WAY`]: a cut column keeps at least its header's width (headers stay on one
/// line) and one character before the `ellipsis`. A long summary (`--failed`) is
/// counted at its header's width and runs on. When even that does not fit, the ID (at
/// its least, it tells the rows apart) is left out; failing that, the table is as narrow
/// as it can be, past the width.
fn fit(columns: &[Column], width: usize, ellipsis: usize) -> Vec<Shape> {
    let (shapes, fits) = fit_from(columns, width, ellipsis, false);
    if fits {
        return shapes;
    }
    // Still too wide with the ID at its least: the ID is left out, and the rest fitted
    // again in the room it leaves.
    match fit_from(columns, width, ellipsis, true) {
        (without_id, true) => without_id,
        _ => shapes,
    }
}

/// [`fit`], with the ID left out from the start when `no_id`; and whether it fits.
fn fit_from(columns: &[Column], width: usize, ellipsis: usize, no_id: bool) -> (Vec<Shape>, bool) {
    let mut shapes: Vec<Shape> = columns
        .iter()
        .map(|c| match c.header {
            "ID" if no_id => Shape::Hidden,
            _ => Shape::Cut(c.natural()),
        })
        .collect();
    let total = |shapes: &[Shape]| -> usize {
        let (cells, shown) =
            columns
                .iter()
                .zip(shapes)
                .fold((0, 0), |(cells, shown), (column, shape)| {
                    let w = match (*shape, column.fit) {
                        (Shape::Hidden, _) => return (cells, shown),
                        (Shape::Short, _) => column.natural_short(),
                        (Shape::Cut(w), Fit::Long) => w.min(width_of(column.header)),
                        (Shape::Cut(w), _) => w,
                    };
                    (cells + w, shown + 1)
                });
        (cells + 2 * shown).saturating_sub(1)
    };
    for &(header, step) in GIVING_WAY {
        if total(&shapes) <= width {
            break;
        }
        let Some(c) = columns
            .iter()
            .position(|c| c.header == header && c.fit == Fit::Shrink)
        else {
            continue;
        };
        let column = &columns[c];
        match step {
            Step::Down(floor) => {
                let Shape::Cut(mut w) = shapes[c] else {
                    continue;
                };
                let floor = floor
                    .max(column.least)
                    .max(width_of(column.header))
                    .max(ellipsis + 1)
                    .min(column.natural());
                let over = total(&shapes) - width;
                w = w.saturating_sub(over).max(floor).min(w);
                shapes[c] = Shape::Cut(w);
            }
            Step::Least => {
                if let Shape::Cut(w) = shapes[c] {
                    let floor = column.least.max(ellipsis + 1).min(w);
                    shapes[c] = Shape::Cut(w.saturating_sub(total(&shapes) - width).max(floor));
                }
            }
            Step::Short if column.has_short() => shapes[c] = Shape::Short,
            Step::Short => {}
            Step::Hide => shapes[c] = Shape::Hidden,
        }
    }
    let fits = total(&shapes) <= width;
    (shapes, fits)
}

/// The table's name for a terminal colour.
fn table_colour(colour: AnsiColor) -> Color {
    match colour {
        AnsiColor::Black => Color::Black,
        AnsiColor::Red => Color::DarkRed,
        AnsiColor::Green => Color::DarkGreen,
        AnsiColor::Yellow => Color::DarkYellow,
        AnsiColor::Blue => Color::DarkBlue,
        AnsiColor::Magenta => Color::DarkMagenta,
        AnsiColor::Cyan => Color::DarkCyan,
        AnsiColor::White => Color::Grey,
        AnsiColor::BrightBlack => Color::DarkGrey,
        AnsiColor::BrightRed => Color::Red,
        AnsiColor::BrightGreen => Color::Green,
        AnsiColor::BrightYellow => Color::Yellow,
        AnsiColor::BrightBlue => Color::Blue,
        AnsiColor::BrightMagenta => Color::Magenta,
        AnsiColor::BrightCyan => Color::Cyan,
        AnsiColor::BrightWhite => Color::White,
    }
}

impl Report for TableReport {
    fn needs(&self) -> super::Needs {
        super::Needs {
            no_inputs: !self.io,
            ..super::Needs::default()
        }
    }

    fn write(&self, out: &mut dyn Write, run: RunReport) -> io::Result<()> {
        super::summary::write_header(out, &run.summary, &self.presentation)?;
        writeln!(out)?;
        if !run.events.is_empty() {
            let layout = self.layout(&run.events, run.elapsed_from);
            // With --failed, an error object's stack frames beneath its row, under the
            // summary column (each row is one line: its cells are escaped).
            let mut frames_at = None;
            let mut shown: Option<(Option<&str>, Option<&str>)> = None;
            for (batch, events) in run.events.chunks(ROWS_AT_ONCE).enumerate() {
                let table = self.rows_table(&layout, events, batch == 0);
                let mut lines = table.lines();
                if batch == 0 {
                    let header = lines.next().unwrap_or_default();
                    frames_at = header.find("SUMMARY").filter(|_| self.full_errors);
                    writeln!(out, "{}", header.trim_end())?;
                }
                for (event, line) in events.iter().zip(lines) {
                    writeln!(out, "{}", line.trim_end())?;
                    self.beneath(out, event, frames_at, &mut shown)?;
                }
            }
            // A filter narrowed the rows: how many of the run's records they are.
            if run.events.len() < run.summary.events {
                writeln!(out)?;
                writeln!(
                    out,
                    "{} of {} events shown",
                    run.events.len(),
                    run.summary.events
                )?;
            }
        }
        if run.nothing_failed {
            writeln!(out, "nothing failed")?;
        }
        for child in run.children {
            writeln!(out)?;
            let started_by = match (&child.started_by, &child.started_in) {
                (Some(id), Some(name)) => format!(", event {id} ({name})"),
                (Some(id), None) => format!(", event {id}"),
                (None, Some(name)) => format!(" ({name})"),
                (None, None) => String::new(),
            };
            writeln!(
                out,
                "Started by {}{}",
                terminal_safe(&child.parent_execution),
                terminal_safe(&started_by)
            )?;
            match child.report {
                Ok(report) => self.write(out, report)?,
                Err(why) => writeln!(
                    out,
                    "{:<10} {}  could not be read: {}",
                    "Execution",
                    terminal_safe(&child.execution),
                    terminal_safe(&why)
                )?,
            }
        }
        out.flush()
    }
}

/// The summary cell: `Error: cause` for a failure, else the service's own summary, else
/// the resource; one line, escaped, cut to [`SUMMARY_COLUMNS`].
fn summary(event: &Event, full: bool, ellipsis: &str) -> String {
    // In full (--failed), an error object's frames follow its row: the row has its message.
    let digest_headline = event
        .cause
        .as_deref()
        .and_then(Digest::of_cause)
        .filter(|_| full)
        .and_then(|_| {
            super::failure::worded(event.error.as_deref(), event.cause.as_deref(), None, false)
        })
        .map(|worded| worded.headline);
    let text = digest_headline
        .or_else(|| super::failure::one_line(event.error.as_deref(), event.cause.as_deref()))
        .or_else(|| event.summary.clone())
        .or_else(|| event.resource.clone())
        .unwrap_or_default();
    let text = terminal_safe(&text);
    if full {
        text.into_owned()
    } else {
        cut(&text, SUMMARY_COLUMNS, ellipsis)
    }
}

/// A duration for people: `0ms`, `850ms`, `1.2s`, `59.9s`, `3m04s`, `2h05m`.
pub fn format_duration(millis: i64) -> String {
    let sign = if millis < 0 { "-" } else { "" };
    let ms = millis.unsigned_abs();
    let text = if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        format!("{}m{:02}s", ms / 60_000, (ms % 60_000) / 1000)
    } else {
        format!("{}h{:02}m", ms / 3_600_000, (ms % 3_600_000) / 60_000)
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(format_duration(0), "0ms");
        assert_eq!(format_duration(850), "850ms");
        assert_eq!(format_duration(1234), "1.2s");
        assert_eq!(format_duration(184_000), "3m04s");
        assert_eq!(format_duration(7_500_000), "2h05m");
    }

    fn column(header: &'static str, fit: Fit, cell: &str) -> Column {
        let mut column = Column::new(header, fit, false);
        column.add(cell.to_string());
        column
    }

    #[test]
    fn id_time_type_and_summary_give_way_in_that_order_never_the_name_or_status() {
        let mut time = column("TIME", Fit::Shrink, "09:00:00.412");
        time.add_short("09:00:00");
        let columns = [
            column("ID", Fit::Shrink, &"7".repeat(36)),
            time,
            column("TYPE", Fit::Shrink, &"t".repeat(30)),
            column("NAME", Fit::Never, &"n".repeat(30)),
            column("STATUS", Fit::Never, "succeeded"),
            column("SUMMARY", Fit::Shrink, &"s".repeat(60)),
        ];
        let line = |shapes: &[Shape]| {
            let widths: Vec<usize> = shapes
                .iter()
                .zip(&columns)
                .filter_map(|(shape, column)| match *shape {
                    Shape::Cut(w) => Some(w),
                    Shape::Short => Some(column.natural_short()),
                    Shape::Hidden => None,
                })
                .collect();
            widths.iter().sum::<usize>() + 2 * widths.len() - 1
        };
        use Shape::{Cut, Hidden, Short};
        // Room for all: as they are.
        let all = [Cut(36), Cut(12), Cut(30), Cut(30), Cut(9), Cut(60)];
        assert_eq!(fit(&columns, 200, 1), all);
        let expected: [(usize, [Shape; 6]); 8] = [
            // The ID first, down to its first 8 characters.
            (180, [Cut(28), Cut(12), Cut(30), Cut(30), Cut(9), Cut(60)]),
            // Then the time's milliseconds, the type to 20.
            (150, [Cut(9), Short, Cut(23), Cut(30), Cut(9), Cut(60)]),
            // Then the summary to 24.
            (120, [Cut(9), Short, Cut(20), Cut(30), Cut(9), Cut(33)]),
            // Then the time is left out (ELAPSED says when); the type, the summary.
            (100, [Cut(9), Hidden, Cut(19), Cut(30), Cut(9), Cut(24)]),
            (90, [Cut(9), Hidden, Cut(10), Cut(30), Cut(9), Cut(23)]),
            (80, [Cut(9), Hidden, Cut(10), Cut(30), Cut(9), Cut(13)]),
            // Then the type to its header, the summary to its.
            (70, [Cut(9), Hidden, Cut(4), Cut(30), Cut(9), Cut(9)]),
            // As narrow as it can be: never the name or the status.
            (20, [Cut(9), Hidden, Cut(4), Cut(30), Cut(9), Cut(7)]),
        ];
        for (width, shapes) in expected {
            assert_eq!(fit(&columns, width, 1), shapes, "{width}");
            assert!(line(&shapes) <= width.max(68), "{width}");
        }
        // A long summary counts at its header's width.
        let mut long = columns;
        long[5].fit = Fit::Long;
        assert_eq!(
            fit(&long, 150, 1),
            [Cut(36), Cut(12), Cut(30), Cut(30), Cut(9), Cut(60)]
        );
    }

    #[test]
    fn summaries_are_one_escaped_line() {
        let mut event = Event::new("sfn", "TaskFailed", Status::Failed);
        event.error = Some("States.TaskFailed".into());
        event.cause = Some("line one\n\u{1b}[2Jline two".into());
        assert_eq!(
            summary(&event, false, "…"),
            "States.TaskFailed: line one\\n\\x1b[2Jline two"
        );
        event.cause = Some("x".repeat(500));
        assert_eq!(summary(&event, false, "…").chars().count(), SUMMARY_COLUMNS);
        assert_eq!(
            summary(&event, true, "…").chars().count(),
            500 + "States.TaskFailed: ".len()
        );
        event.cause = Some("原因".repeat(200));
        let wide = summary(&event, false, "…");
        assert_eq!(super::super::width(&wide), SUMMARY_COLUMNS, "{wide}");
    }
}

/// The table as it was laid out before it was streamed: every cell of every row in one
/// comfy-table. The streamed table is checked against it, byte for byte.
#[cfg(test)]
mod whole_table {
    use super::*;
    use crate::model::RunSummary;
    use crate::services::Normalizer;

    /// The rows of `events` as one table (the renderer before streaming).
    fn build(report: &TableReport, events: &[Event], from: Option<Timestamp>) -> Table {
        let layout = report.layout(events, from);
        let context = &layout.context;
        let mut cells: Vec<Vec<String>> = vec![Vec::new(); layout.columns.len()];
        let mut short: Vec<String> = Vec::new();
        for event in events {
            let row = report.row(event, context);
            for (column, text) in cells.iter_mut().zip(row.cells) {
                column.push(text);
            }
            short.push(row.short_time);
        }
        let ellipsis = context.ellipsis;
        // What the layout measured without keeping the cells, measured from them all.
        let widest = |texts: &[String], header: &str| {
            texts
                .iter()
                .map(|t| width_of(t))
                .chain([width_of(header)])
                .max()
                .unwrap()
        };
        for (c, column) in layout.columns.iter().enumerate() {
            assert_eq!(column.natural(), widest(&cells[c], column.header));
            if Some(c) == layout.time_column {
                assert_eq!(column.natural_short(), widest(&short, column.header));
            }
            if matches!(column.header, "ID" | "EXECUTION") {
                let mut distinct: Vec<&str> = cells[c].iter().map(String::as_str).collect();
                distinct.sort_unstable();
                distinct.dedup();
                let common = |a: &str, b: &str| {
                    a.chars()
                        .zip(b.chars())
                        .take_while(|(x, y)| x == y)
                        .map(|(x, _)| x.len_utf8())
                        .sum::<usize>()
                };
                let prefix = distinct
                    .windows(2)
                    .map(|pair| width_of(&pair[1][..common(pair[0], pair[1])]) + 1)
                    .max()
                    .unwrap_or(0);
                assert_eq!(
                    column.least,
                    prefix + width_of(ellipsis),
                    "{}",
                    column.header
                );
            } else {
                assert_eq!(column.least, 0);
            }
        }
        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        table.set_content_arrangement(ContentArrangement::Disabled);
        if report.presentation.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        let fitted = |column: &Column, text: &str, width: usize| match column.fit {
            Fit::Long => text.to_string(),
            Fit::Never | Fit::Shrink => cut(text, width, ellipsis),
        };
        table.set_header(layout.shown.iter().map(|s| {
            let column = &layout.columns[s.column];
            report.styled(
                Cell::new(fitted(column, column.header, s.width)),
                Attribute::Bold,
            )
        }));
        for (i, event) in events.iter().enumerate() {
            let row: Vec<Cell> = layout
                .shown
                .iter()
                .map(|s| {
                    let column = &layout.columns[s.column];
                    let text = if s.short {
                        &short[i]
                    } else {
                        &cells[s.column][i]
                    };
                    let text = fitted(column, text, s.width);
                    let cell = if Some(s.column) == layout.status_column {
                        report.status_cell(event.status, text)
                    } else {
                        Cell::new(text)
                    };
                    if column.right {
                        cell.set_alignment(CellAlignment::Right)
                    } else {
                        cell
                    }
                })
                .collect();
            table.add_row(Row::from(row));
        }
        table
    }

    /// The rows and what follows them, as the whole table wrote them.
    fn whole(report: &TableReport, events: &[Event], from: Option<Timestamp>) -> String {
        let mut out = Vec::new();
        let lines: Vec<String> = build(report, events, from).lines().collect();
        let frames_at = lines
            .first()
            .and_then(|header| header.find("SUMMARY"))
            .filter(|_| report.full_errors && lines.len() == events.len() + 1);
        let mut shown = None;
        for (i, line) in lines.iter().enumerate() {
            writeln!(out, "{}", line.trim_end()).unwrap();
            if let Some(event) = i.checked_sub(1).and_then(|i| events.get(i)) {
                report
                    .beneath(&mut out, event, frames_at, &mut shown)
                    .unwrap();
            }
        }
        String::from_utf8(out).unwrap()
    }

    /// The same, streamed.
    fn streamed(report: &TableReport, events: &[Event], from: Option<Timestamp>) -> String {
        let run = RunReport {
            summary: RunSummary {
                events: events.len(),
                ..RunSummary::default()
            },
            events: events.to_vec(),
            elapsed_from: from,
            ..RunReport::default()
        };
        let mut out = Vec::new();
        report.write(&mut out, run).unwrap();
        let text = String::from_utf8(out).unwrap();
        // After the run's header and its blank line.
        let (_, rows) = text.split_once("\n\n").unwrap();
        rows.to_string()
    }

    /// The events of a fixture, as the service's normalizer makes them.
    fn fixture(path: &str) -> Vec<Event> {
        let text =
            std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let document: serde_json::Value = serde_json::Deserializer::from_str(&text)
            .into_iter()
            .next()
            .unwrap()
            .unwrap();
        let field = |key: &str| document.get(key).and_then(|v| v.as_array()).cloned();
        let mut events = if let Some(records) = field("StepExecutions") {
            crate::services::ssm::SsmNormalizer::new(None).normalize(records)
        } else if let Some(records) = field("actionExecutionDetails") {
            crate::services::codepipeline::CodePipelineNormalizer::new(Some("pipe".into()))
                .normalize(records)
        } else if path.contains("/swf/") {
            crate::services::swf::SwfNormalizer::new(None).normalize(field("events").unwrap())
        } else {
            crate::services::sfn::SfnNormalizer::new(Some("arn:x".into()), true)
                .normalize(field("events").unwrap())
        };
        events.iter_mut().for_each(Event::decode_cause);
        events
    }

    const FIXTURES: &[&str] = &[
        "tests/fixtures/sfn/lambda-error-retried-caught.json",
        "tests/fixtures/sfn/every-event-type.json",
        "tests/fixtures/sfn/map-300-one-failed.json",
        "tests/fixtures/sfn/caught-parallel-newest-2.json",
        "examples/sfn/order-fulfilment-failed.json",
        "tests/fixtures/swf/every-event-type.json",
        "tests/fixtures/swf/timed-out-after-decision-retry.json",
        "examples/swf/invoice-import-completed.json",
        "tests/fixtures/ssm/every-field.json",
        "examples/ssm/patch-web-fleet-failed.json",
        "tests/fixtures/codepipeline/three-executions.json",
        "tests/fixtures/codepipeline/long-external-summary.json",
        "tests/fixtures/codepipeline/failed-action-retried.json",
        "examples/codepipeline/web-storefront-two-releases.json",
    ];

    #[test]
    fn the_streamed_table_is_the_whole_table_for_every_service_width_and_option() {
        let mut compared = 0;
        for path in FIXTURES {
            let all = fixture(path);
            assert!(!all.is_empty(), "{path}");
            // The rows a filter keeps: the failures, every third row, the first alone.
            let failed: Vec<Event> = all
                .iter()
                .filter(|e| e.status.is_failure())
                .cloned()
                .collect();
            let thirds: Vec<Event> = all.iter().step_by(3).cloned().collect();
            let subsets = [all.clone(), failed, thirds, all[..1].to_vec()];
            let from = all.iter().filter_map(|e| e.time).min();
            for events in subsets.iter().filter(|events| !events.is_empty()) {
                for width in [None, Some(30), Some(72), Some(130)] {
                    for (color, ascii, full_errors, io) in [
                        (false, false, false, false),
                        (true, true, false, false),
                        (false, false, true, true),
                        (true, false, true, false),
                    ] {
                        let report = TableReport {
                            presentation: Presentation {
                                color,
                                width,
                                ascii,
                            },
                            full_errors,
                            io,
                        };
                        for from in [from, None].into_iter().take(1 + usize::from(!color)) {
                            assert_eq!(
                                streamed(&report, events, from),
                                whole(&report, events, from),
                                "{path}, {} rows, width {width:?}, colour {color}, \
                                 ascii {ascii}, --failed {full_errors}, --io {io}",
                                events.len()
                            );
                            compared += 1;
                        }
                    }
                }
            }
        }
        assert!(compared > 500, "{compared}");
    }

    #[test]
    fn rows_past_one_batch_are_laid_out_as_one_table() {
        // More rows than a batch, the widest cells in the last batch only, a long ID
        // that must be told apart, and an EXECUTION column of several runs.
        let mut events = Vec::new();
        for i in 0..(ROWS_AT_ONCE * 2 + 7) {
            let status = if i % 97 == 0 {
                crate::model::Status::Failed
            } else {
                crate::model::Status::Succeeded
            };
            let mut e = Event::new(
                "codepipeline",
                format!("Build/CodeBuild{}", i / 300),
                status,
            );
            e.id = Some(crate::model::EventId::Text(format!(
                "0a1b2c3d-{i:04}-4e5f-8a9b-0c1d2e3f4a5b"
            )));
            e.execution = Some(format!("pipe/exec-{}", i % 3));
            e.time = Some(Timestamp(1_700_000_000_000 + i as i64 * 61_000));
            e.duration_ms = Some(i as i64 * 17);
            e.name = Some(format!("Stage.{}", "x".repeat(i / 50)));
            if status.is_failure() {
                e.error = Some("Failed".into());
                e.cause = Some("原因 ".repeat(i / 20));
            }
            events.push(e);
        }
        for width in [None, Some(30), Some(80), Some(120), Some(250)] {
            for (color, full_errors) in [(false, false), (true, true), (false, true)] {
                let report = TableReport {
                    presentation: Presentation {
                        color,
                        width,
                        ascii: false,
                    },
                    full_errors,
                    io: false,
                };
                let from = events[0].time;
                assert_eq!(
                    streamed(&report, &events, from),
                    whole(&report, &events, from),
                    "width {width:?}, colour {color}, --failed {full_errors}"
                );
            }
        }
    }
}

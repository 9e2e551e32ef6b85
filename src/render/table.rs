//! `-o table`: the view for people. One row per event: id, local time, time elapsed since
//! the run's start (or the earliest record read, when earlier: never negative), type,
//! name, status and a one-line summary (the error and cause of a failure, else the
//! service's summary or the resource). Payload text is escaped before it reaches the
//! terminal. Fitted to a terminal's width by cutting cells, never wrapping them (see
//! [`fit`]): the ID is never cut, headers stay on one line, and under `--failed` the
//! summary runs on in full.

use super::summary::local;
use super::{cut, style, terminal_safe, width as width_of, Presentation, Report, RunReport};
use crate::model::{Event, Status, Timestamp};
use anstyle::{AnsiColor, Effects};
use comfy_table::{presets, Attribute, Cell, CellAlignment, Color, ContentArrangement, Row, Table};
use std::io::{self, Write};

/// A row's run, for a table of several: the last part of its execution
/// (`pipeline/executionId` shows the execution ID).
fn run_label(event: &Event) -> &str {
    let execution = event.execution.as_deref().unwrap_or_default();
    execution.rsplit('/').next().unwrap_or(execution)
}

/// Widest summary kept in a cell, in display columns; the full text is in `-o jsonl`.
const SUMMARY_COLUMNS: usize = 120;

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

impl TableReport {
    /// The rows of `events`; ELAPSED counts from `from` (the run's start, or the earliest
    /// record read when that is earlier: see [`RunReport::elapsed_from`]; blank when
    /// neither is known). Fitted to the width when there is one (see [`fit`]).
    fn build(&self, events: &[Event], from: Option<Timestamp>) -> Table {
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

        // The columns, each as its header and its cells' text, before any fitting.
        let mut columns = vec![Column::new("ID", Fit::Never, true)];
        if several_runs {
            columns.push(Column::new("EXECUTION", Fit::Shrink, false));
        }
        columns.extend([
            Column::new("TIME", Fit::Shrink, false),
            Column::new("ELAPSED", Fit::Shrink, true),
            Column::new("TYPE", Fit::Shrink, false),
            Column::new("NAME", Fit::Shrink, false),
            Column::new("STATUS", Fit::Shrink, false),
        ]);
        if has_durations {
            columns.push(Column::new("DURATION", Fit::Shrink, true));
        }
        // `--failed`: errors in full, so the summary is never fitted; it runs on.
        let summary_fit = if self.full_errors {
            Fit::Long
        } else {
            Fit::Shrink
        };
        columns.push(Column::new("SUMMARY", summary_fit, false));
        let status_column = columns.iter().position(|c| c.header == "STATUS");

        for event in events {
            let time = event
                .time
                .and_then(local)
                .map(|t| {
                    t.strftime(if spans_days {
                        "%m-%d %H:%M:%S%.3f"
                    } else {
                        "%H:%M:%S%.3f"
                    })
                    .to_string()
                })
                .unwrap_or_default();
            let elapsed = match (from, event.time) {
                (Some(first), Some(t)) => format_duration(t.millis() - first.millis()),
                _ => String::new(),
            };
            let mut row = vec![event
                .id
                .as_ref()
                .map(|id| terminal_safe(&id.to_string()).into_owned())
                .unwrap_or_default()];
            if several_runs {
                row.push(terminal_safe(run_label(event)).into_owned());
            }
            row.extend([
                time,
                elapsed,
                terminal_safe(&event.kind).into_owned(),
                terminal_safe(event.name.as_deref().unwrap_or("")).into_owned(),
                event.status.as_str().to_string(),
            ]);
            if has_durations {
                row.push(event.duration_ms.map(format_duration).unwrap_or_default());
            }
            row.push(summary(event, self.full_errors, ellipsis));
            for (column, text) in columns.iter_mut().zip(row) {
                column.cells.push(text);
            }
        }

        let widths = match self.presentation.width {
            Some(width) => fit(&columns, usize::from(width), width_of(ellipsis)),
            None => columns.iter().map(Column::natural).collect(),
        };

        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        // The widths are decided above and each cell cut to its column's: the table only
        // lays them out, never wrapping a cell (a header included) onto a second line.
        table.set_content_arrangement(ContentArrangement::Disabled);
        if self.presentation.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        let fitted = |column: &Column, text: &str, width: usize| match column.fit {
            Fit::Long => text.to_string(),
            Fit::Never | Fit::Shrink => cut(text, width, ellipsis),
        };
        table.set_header(columns.iter().zip(&widths).map(|(column, &width)| {
            self.styled(
                Cell::new(fitted(column, column.header, width)),
                Attribute::Bold,
            )
        }));
        for (i, event) in events.iter().enumerate() {
            let row: Vec<Cell> = columns
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(c, (column, &width))| {
                    let text = fitted(column, &column.cells[i], width);
                    let cell = if Some(c) == status_column {
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
            table.add_row(Row::from(row));
        }
        table
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
    /// Never cut: the ID, which tells rows apart.
    Never,
    /// Cut when the others need room, the widest first.
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
    cells: Vec<String>,
}

impl Column {
    fn new(header: &'static str, fit: Fit, right: bool) -> Self {
        Column {
            header,
            fit,
            right,
            cells: Vec::new(),
        }
    }

    /// Its width uncut: its widest cell's, or its header's.
    fn natural(&self) -> usize {
        self.cells
            .iter()
            .map(|cell| width_of(cell))
            .chain([width_of(self.header)])
            .max()
            .unwrap_or_default()
    }
}

/// Each column's width for a table `width` columns wide (one space either side of each
/// column, the last one's trimmed). While the table is too wide, the widest column that
/// may shrink gives up one column: first down to its header's width (headers stay whole
/// while they can), then down to one character and the `ellipsis`. The ID never shrinks;
/// a long summary (`--failed`) is counted at its header's width and runs on. When even
/// that does not fit, the table is as narrow as it can be.
fn fit(columns: &[Column], width: usize, ellipsis: usize) -> Vec<usize> {
    let mut widths: Vec<usize> = columns.iter().map(Column::natural).collect();
    let counted = |widths: &[usize]| -> usize {
        let cells: usize = columns
            .iter()
            .zip(widths)
            .map(|(column, &w)| match column.fit {
                Fit::Long => w.min(width_of(column.header)),
                Fit::Never | Fit::Shrink => w,
            })
            .sum();
        (cells + 2 * columns.len()).saturating_sub(1)
    };
    let mut total = counted(&widths);
    let header_floor = |column: &Column| width_of(column.header);
    let last_floor = |column: &Column| column.natural().min(ellipsis + 1);
    for floor in [&header_floor as &dyn Fn(&Column) -> usize, &last_floor] {
        let floors: Vec<usize> = columns.iter().map(floor).collect();
        while total > width {
            // The widest column still above its floor; of equals, the rightmost.
            let widest = columns
                .iter()
                .zip(&widths)
                .zip(&floors)
                .enumerate()
                .filter(|(_, ((column, &w), &floor))| column.fit == Fit::Shrink && w > floor)
                .max_by_key(|(i, ((_, &w), _))| (w, *i))
                .map(|(i, _)| i);
            let Some(widest) = widest else { break };
            widths[widest] -= 1;
            total -= 1;
        }
    }
    widths
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
    fn write(&self, out: &mut dyn Write, run: RunReport) -> io::Result<()> {
        super::summary::write_header(out, &run.summary, &self.presentation)?;
        writeln!(out)?;
        if !run.events.is_empty() {
            // The header, then one line per event, in order: an event's input and output
            // follow its row.
            let table = self.build(&run.events, run.elapsed_from);
            for (i, line) in table.lines().enumerate() {
                writeln!(out, "{}", line.trim_end())?;
                let Some(event) = i.checked_sub(1).and_then(|i| run.events.get(i)) else {
                    continue;
                };
                if self.io {
                    let indent = super::width(IO_INDENT);
                    let (input, output) = (event.input.as_ref(), event.output.as_ref());
                    for line in
                        super::payload::event_lines(input, output, indent, &self.presentation)
                    {
                        writeln!(out, "{IO_INDENT}{line}")?;
                    }
                }
            }
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
    let text = error_and_cause(event.error.as_deref(), event.cause.as_deref())
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

/// A failure in one line, `Error: cause`, for the table and the tree.
pub(super) fn error_and_cause(error: Option<&str>, cause: Option<&str>) -> Option<String> {
    match (error, cause) {
        (Some(error), Some(cause)) => Some(format!("{error}: {cause}")),
        (Some(text), None) | (None, Some(text)) => Some(text.to_string()),
        (None, None) => None,
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
        column.cells.push(cell.to_string());
        column
    }

    #[test]
    fn the_widest_column_gives_way_first_and_the_id_never() {
        let columns = [
            column("ID", Fit::Never, &"7".repeat(36)),
            column("TIME", Fit::Shrink, "09:00:00.412"),
            column("NAME", Fit::Shrink, &"n".repeat(30)),
            column("SUMMARY", Fit::Shrink, &"s".repeat(60)),
        ];
        let line = |widths: &[usize]| widths.iter().sum::<usize>() + 2 * widths.len() - 1;
        // Room for all: as they are.
        assert_eq!(fit(&columns, 200, 1), [36, 12, 30, 60]);
        // The summary, then the name and the summary together.
        let widths = fit(&columns, 100, 1);
        assert_eq!(line(&widths), 100);
        assert_eq!(widths, [36, 12, 23, 22], "of equals, the rightmost first");
        // Headers whole while they can be; then below them, never the ID.
        assert_eq!(fit(&columns, 7 + 36 + 4 + 4 + 7, 1), [36, 4, 4, 7]);
        let widths = fit(&columns, 50, 1);
        assert_eq!(widths[0], 36);
        assert_eq!(line(&widths), 50);
        assert_eq!(
            fit(&columns, 10, 1),
            [36, 2, 2, 2],
            "as narrow as it can be"
        );
        // A long summary counts at its header's width.
        let mut long = columns;
        long[3].fit = Fit::Long;
        assert_eq!(fit(&long, 100, 1), [36, 12, 30, 60]);
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

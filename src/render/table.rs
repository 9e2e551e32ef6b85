//! `-o table`: the view for people. One row per event: id, local time, time elapsed since
//! the run's start (the summary's), type, name, status and a one-line summary (the error and cause of a
//! failure, else the service's summary or the resource). Payload text is escaped before
//! it reaches the terminal.

use super::summary::local;
use super::{cut, style, terminal_safe, Presentation, Report, RunReport};
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
}

impl TableReport {
    /// The rows of `events`; ELAPSED counts from `start`, the run's start (blank when the
    /// history read does not hold it).
    fn build(&self, events: &[Event], start: Option<Timestamp>) -> Table {
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

        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        match self.presentation.width {
            Some(width) => {
                table
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_width(width);
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        table.set_truncation_indicator(if self.presentation.ascii {
            "..."
        } else {
            "…"
        });
        if self.presentation.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }

        let mut header = vec!["ID"];
        if several_runs {
            header.push("EXECUTION");
        }
        header.extend(["TIME", "ELAPSED", "TYPE", "NAME", "STATUS"]);
        if has_durations {
            header.push("DURATION");
        }
        header.push("SUMMARY");
        table.set_header(
            header
                .into_iter()
                .map(|h| self.styled(Cell::new(h), Attribute::Bold)),
        );

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
            let elapsed = match (start, event.time) {
                (Some(first), Some(t)) => format_duration(t.millis() - first.millis()),
                _ => String::new(),
            };
            let mut row = vec![Cell::new(
                event
                    .id
                    .as_ref()
                    .map(|id| terminal_safe(&id.to_string()).into_owned())
                    .unwrap_or_default(),
            )
            .set_alignment(CellAlignment::Right)];
            if several_runs {
                row.push(Cell::new(terminal_safe(run_label(event))));
            }
            row.extend([
                Cell::new(time),
                Cell::new(elapsed).set_alignment(CellAlignment::Right),
                Cell::new(terminal_safe(&event.kind)),
                Cell::new(terminal_safe(event.name.as_deref().unwrap_or(""))),
                self.status_cell(event.status),
            ]);
            if has_durations {
                row.push(
                    Cell::new(event.duration_ms.map(format_duration).unwrap_or_default())
                        .set_alignment(CellAlignment::Right),
                );
            }
            let ellipsis = if self.presentation.ascii {
                "..."
            } else {
                "…"
            };
            row.push(Cell::new(summary(event, self.full_errors, ellipsis)));
            // Fitted to the terminal, a long cell is cut to one line, never wrapped.
            let mut row = Row::from(row);
            row.max_height(1);
            table.add_row(row);
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

    /// The status cell, in the status's colour (see [`style::of`]).
    fn status_cell(&self, status: Status) -> Cell {
        let cell = Cell::new(status.as_str());
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
            for line in self.build(&run.events, run.elapsed_from).lines() {
                writeln!(out, "{}", line.trim_end())?;
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

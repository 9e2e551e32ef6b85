//! `-o table --follow`: the table streamed, one row per record as it arrives. A table
//! streamed cannot be laid out over the whole run, so its column widths are chosen up
//! front from the terminal's width (`COLUMNS`, else the terminal's, else 100) and every
//! cell longer than its column is cut with an ellipsis, in display columns, after
//! escaping: each row is at most that wide. The column header is written once, at the
//! top; a span that changed in place (an SSM step, a CodePipeline action) is simply
//! written again as a new row, which supersedes the earlier one. When the run ends, one
//! summary line: its status, duration, event count and, failed, the error.

use super::failure::one_line;
use super::live::LiveView;
use super::summary::local;
use super::table::format_duration;
use super::{cut, style, terminal_safe, width, Needs, Presentation, RunReport};
use crate::model::{Event, Status, Stopped, Timestamp};
use std::io::{self, Write};

/// The width laid out for when none is known (stdout is not a terminal, no `COLUMNS`).
pub const DEFAULT_WIDTH: usize = 100;
/// The narrowest width laid out for: below it rows run past the terminal's edge (as
/// they do below 79 columns for spans, whose ids keep at least 13).
const NARROWEST: usize = 64;

/// One column: header, width, aligned right.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    header: &'static str,
    width: usize,
    right: bool,
}

/// The columns for a terminal `width` wide, one space before the first and two between
/// columns (the layout of the whole-run table). `spans`: the records are spans (SSM
/// steps, CodePipeline actions), with UUIDs for ids and a DURATION column.
fn layout(width: usize, spans: bool) -> Vec<Column> {
    let width = width.max(NARROWEST);
    let column = |header, width, right| Column {
        header,
        width,
        right,
    };
    let mut columns = vec![
        column("ID", if spans { 36 } else { 5 }, true),
        column("TIME", 12, false),
        column("ELAPSED", 7, true),
        column("TYPE", 0, false),
        column("NAME", 0, false),
        column("STATUS", 9, false),
    ];
    if spans {
        columns.push(column("DURATION", 8, true));
    }
    columns.push(column("SUMMARY", 0, false));
    let used = |columns: &[Column]| -> usize {
        1 + columns.iter().map(|c| c.width).sum::<usize>() + 2 * (columns.len() - 1)
    };
    // TYPE, NAME and SUMMARY share what is left, at least 4, 4 and 7 columns; a span's
    // long id gives way first (down to 13) when there is not that much.
    const LEAST: usize = 4 + 4 + 7;
    while used(&columns) + LEAST > width && columns[0].width > 13 {
        columns[0].width -= 1;
    }
    let flexible = width.saturating_sub(used(&columns)).max(LEAST);
    let name = (flexible * 3 / 10).clamp(4, 30);
    let kind = (flexible * 4 / 10).clamp(4, 30).min(flexible - name - 7);
    let summary = flexible - kind - name;
    for (header, share) in [("TYPE", kind), ("NAME", name), ("SUMMARY", summary)] {
        if let Some(column) = columns.iter_mut().find(|c| c.header == header) {
            column.width = share;
        }
    }
    columns
}

/// The streamed table's sink.
pub struct TableStream {
    presentation: Presentation,
    columns: Vec<Column>,
    ellipsis: &'static str,
    /// Where ELAPSED counts from: the earliest time of the first records.
    from: Option<Timestamp>,
    header_written: bool,
}

impl TableStream {
    pub fn new(presentation: Presentation, spans: bool) -> Self {
        let width = presentation.width.map_or(DEFAULT_WIDTH, usize::from);
        TableStream {
            presentation,
            columns: layout(width, spans),
            ellipsis: if presentation.ascii { "..." } else { "…" },
            from: None,
            header_written: false,
        }
    }

    /// The whole width of a row, as laid out.
    fn width(&self) -> usize {
        1 + self.columns.iter().map(|c| c.width).sum::<usize>() + 2 * (self.columns.len() - 1)
    }

    /// One line of cells, each cut to its column and padded; `status` colours the
    /// STATUS cell.
    fn line(&self, cells: &[String], status: Option<Status>) -> String {
        let mut line = String::from(" ");
        for (i, (column, text)) in self.columns.iter().zip(cells).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let text = cut(text, column.width, self.ellipsis);
            let pad = " ".repeat(column.width.saturating_sub(width(&text)));
            let text = match status {
                Some(status) if column.header == "STATUS" => {
                    style::status(status, self.presentation.color, &text)
                }
                _ => text,
            };
            if column.right {
                line.push_str(&pad);
                line.push_str(&text);
            } else {
                line.push_str(&text);
                line.push_str(&pad);
            }
        }
        line.trim_end().to_string()
    }

    fn header(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.header_written {
            self.header_written = true;
            let headers: Vec<String> = self.columns.iter().map(|c| c.header.into()).collect();
            let line = self.line(&headers, None);
            if self.presentation.color {
                let bold = anstyle::Style::new().bold();
                writeln!(out, "{bold}{line}{bold:#}")?;
            } else {
                writeln!(out, "{line}")?;
            }
        }
        Ok(())
    }

    fn cells(&self, event: &Event) -> Vec<String> {
        let mut cells = vec![
            event
                .id
                .as_ref()
                .map(|id| terminal_safe(&id.to_string()).into_owned())
                .unwrap_or_default(),
            event
                .time
                .and_then(local)
                .map(|t| t.strftime("%H:%M:%S%.3f").to_string())
                .unwrap_or_default(),
            match (self.from, event.time) {
                (Some(from), Some(t)) => format_duration(t.millis() - from.millis()),
                _ => String::new(),
            },
            terminal_safe(&event.kind).into_owned(),
            terminal_safe(event.name.as_deref().unwrap_or("")).into_owned(),
            event.status.as_str().to_string(),
        ];
        if self.columns.iter().any(|c| c.header == "DURATION") {
            cells.push(event.duration_ms.map(format_duration).unwrap_or_default());
        }
        let summary = super::failure::one_line(event.error.as_deref(), event.cause.as_deref())
            .or_else(|| event.summary.clone())
            .or_else(|| event.resource.clone())
            .unwrap_or_default();
        cells.push(terminal_safe(&summary).into_owned());
        cells
    }

    /// The line that ends the table: status, duration, event count, the failure.
    fn summary_line(&self, run: &RunReport) -> String {
        let summary = &run.summary;
        let mut parts = Vec::new();
        match summary.status.filter(|s| s.is_final()) {
            Some(status) => parts.push(format!(
                "Run {}",
                style::status(status, self.presentation.color, status.as_str())
            )),
            None if summary.stopped == Some(Stopped::Limit) => {
                parts.push("Run still running: following stopped at --limit".to_string())
            }
            None => parts.push("Run still running: following stopped".to_string()),
        }
        if let Some(duration) = summary.duration_ms {
            parts.push(format!("after {}", format_duration(duration)));
        }
        let events = run.summary.events;
        parts.push(format!(
            "{events} {}",
            if events == 1 { "event" } else { "events" }
        ));
        let failure = summary.failure.as_ref();
        let error = one_line(summary.error.as_deref(), summary.cause.as_deref())
            .or_else(|| failure.and_then(|f| one_line(f.error.as_deref(), f.cause.as_deref())));
        let failed = summary
            .status
            .is_some_and(|s| s.is_final() && s != Status::Succeeded);
        let mut line = parts.join(" · ");
        if let Some(error) = error.filter(|_| failed) {
            let room = self.width().saturating_sub(width(&line) + 3).max(20);
            line.push_str(" · ");
            line.push_str(&style::failure(
                &cut(&terminal_safe(&error), room, self.ellipsis),
                self.presentation.color,
            ));
        }
        line
    }
}

impl LiveView for TableStream {
    fn needs(&self) -> Needs {
        Needs::default()
    }

    fn arrived(&mut self, out: &mut dyn Write, events: &[Event]) -> io::Result<()> {
        self.header(out)?;
        if self.from.is_none() {
            self.from = events.iter().filter_map(|e| e.time).min();
        }
        for event in events {
            let line = self.line(&self.cells(event), Some(event.status));
            writeln!(out, "{line}")?;
        }
        out.flush()
    }

    fn due(&self) -> bool {
        false
    }

    fn draw(&mut self, _out: &mut dyn Write, _run: RunReport) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, run: RunReport) -> io::Result<()> {
        self.header(out)?;
        writeln!(out)?;
        writeln!(out, "{}", self.summary_line(&run))?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunSummary;

    fn presentation(width: Option<u16>) -> Presentation {
        Presentation {
            color: false,
            width,
            ascii: false,
        }
    }

    #[test]
    fn the_columns_fill_the_width_and_a_narrow_one_is_laid_out_at_the_narrowest() {
        for (width, spans) in [
            (100, false),
            (80, false),
            (100, true),
            (160, true),
            (200, false),
        ] {
            let columns = layout(width, spans);
            let used = 1 + columns.iter().map(|c| c.width).sum::<usize>() + 2 * (columns.len() - 1);
            assert!(used <= width, "{width} {spans}: {used}");
            assert!(width - used <= 30 || width > 150, "{width} {spans}: {used}");
            assert!(columns.iter().all(|c| c.width >= 4), "{columns:?}");
        }
        // Below the narrowest width, the layout is the narrowest one: as narrow as it
        // can be for spans, whose ids take room.
        assert_eq!(layout(20, false), layout(NARROWEST, false));
        assert_eq!(layout(20, true), layout(NARROWEST, true));
        let narrow = layout(20, false);
        let used = 1 + narrow.iter().map(|c| c.width).sum::<usize>() + 2 * (narrow.len() - 1);
        assert!(used <= NARROWEST, "{narrow:?}");
        assert!(layout(20, true).iter().all(|c| c.width >= 4));
    }

    #[test]
    fn rows_are_cut_to_their_columns_escaped_and_never_wider_than_the_table() {
        let mut sink = TableStream::new(presentation(Some(90)), false);
        let mut event = Event::new(
            "sfn",
            "TaskStateEnteredWithAVeryLongTypeName",
            Status::Failed,
        );
        event.id = Some(crate::model::EventId::Number(7));
        event.name = Some("名前".repeat(20));
        event.cause = Some("a\n\u{1b}[2J".repeat(10));
        let mut out = Vec::new();
        sink.arrived(&mut out, &[event]).unwrap();
        let mut run = RunReport {
            summary: RunSummary::default(),
            ..RunReport::default()
        };
        run.summary.status = Some(Status::Failed);
        run.summary.duration_ms = Some(4100);
        run.summary.events = 1;
        run.summary.error = Some("Boom".into());
        sink.finish(&mut out, run).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].trim_start().starts_with("ID"), "{text}");
        assert!(lines[..2].iter().all(|l| width(l) <= 90), "{text}");
        assert!(
            lines[1].contains('…') && !lines[1].contains('\u{1b}'),
            "{text}"
        );
        assert!(lines[1].contains("\\n\\x1b"), "escaped: {text}");
        assert_eq!(lines[2], "");
        assert_eq!(lines[3], "Run failed · after 4.1s · 1 event · Boom");
    }
}

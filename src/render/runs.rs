//! Listings (`histx <service> ls`): runs, or state machines and pipelines, one record
//! each. JSON lines and one JSON document stream page by page; the table, for people,
//! is written once the listing is read (its columns fit the widest cell): name (or id),
//! status in its colour, start, end, duration, and what the run belongs to. Text from
//! the service is escaped before it reaches the terminal.

use super::summary::local;
use super::table::format_duration;
use super::{cut, style, terminal_safe, width as width_of, write_json_line, Presentation};
use crate::escape::write_json;
use crate::model::{RunRecord, Status};
use std::io::{self, Write};

/// The output formats of a listing (`-o`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// A table for people: name or id, status, start, end, duration, parent.
    Table,
    /// One listing record per line (JSON lines), streamed page by page.
    Jsonl,
    /// One JSON document: an array of listing records.
    Json,
}

/// Where listing records go as they arrive.
pub trait RunSink {
    fn page(&mut self, out: &mut dyn Write, records: &[RunRecord]) -> io::Result<()>;
    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()>;
}

/// The sink for a format; `parents`: the records are state machines or pipelines.
pub fn sink(format: ListFormat, parents: bool, presentation: Presentation) -> Box<dyn RunSink> {
    match format {
        ListFormat::Table => Box::new(RunTable {
            presentation,
            parents,
            records: Vec::new(),
        }),
        ListFormat::Jsonl => Box::new(RunLines),
        ListFormat::Json => Box::new(RunDocument::default()),
    }
}

struct RunLines;

impl RunSink for RunLines {
    fn page(&mut self, out: &mut dyn Write, records: &[RunRecord]) -> io::Result<()> {
        let mut buffer = Vec::with_capacity(512);
        for record in records {
            write_json_line(out, record, &mut buffer)?;
        }
        out.flush()
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.flush()
    }
}

#[derive(Default)]
struct RunDocument {
    started: bool,
}

impl RunSink for RunDocument {
    fn page(&mut self, out: &mut dyn Write, records: &[RunRecord]) -> io::Result<()> {
        let mut buffer = Vec::with_capacity(512);
        for record in records {
            out.write_all(if self.started { b",\n" } else { b"[" })?;
            self.started = true;
            write_json(out, record, &mut buffer)?;
        }
        out.flush()
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(if self.started { b"\n]\n" } else { b"[]\n" })?;
        out.flush()
    }
}

/// `-o table`, written once every record is in.
struct RunTable {
    presentation: Presentation,
    parents: bool,
    records: Vec<RunRecord>,
}

/// The label of a record in the table: the one its service gave it, else its name, else
/// the last part of its execution (`pipeline/executionId` shows the execution id).
fn label(record: &RunRecord) -> &str {
    record
        .label
        .as_deref()
        .or(record.name.as_deref())
        .unwrap_or_else(|| record.execution.rsplit('/').next().unwrap_or_default())
}

/// `text` cut to `max` columns from the front: an execution's end (SWF's run id) is
/// what tells runs apart.
fn cut_front(text: &str, max: usize, ellipsis: &str) -> String {
    if width_of(text) <= max {
        return text.to_string();
    }
    let room = max.saturating_sub(width_of(ellipsis));
    let mut start = text.len();
    for (at, _) in text.char_indices().rev() {
        if width_of(&text[at..]) > room {
            break;
        }
        start = at;
    }
    format!("{ellipsis}{}", &text[start..])
}

/// What a run belongs to, short: the name at the end of an ARN.
fn parent_label(parent: &str) -> &str {
    if parent.starts_with("arn:") {
        parent.rsplit(':').next().unwrap_or(parent)
    } else {
        parent
    }
}

fn time(record_time: Option<crate::model::Timestamp>) -> String {
    record_time
        .and_then(local)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

impl RunSink for RunTable {
    fn page(&mut self, _out: &mut dyn Write, records: &[RunRecord]) -> io::Result<()> {
        self.records.extend_from_slice(records);
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.records.is_empty() {
            return out.flush();
        }
        let ellipsis = if self.presentation.ascii {
            "..."
        } else {
            "…"
        };
        // Runs labelled by their execution (SWF's): the column says so, and keeps what
        // tells them apart longest.
        let labelled = !self.parents && self.records.iter().any(|r| r.label.is_some());
        let first = if labelled { "EXECUTION" } else { "NAME" };
        let headers: &[&str] = if self.parents {
            &[first, "CREATED"]
        } else {
            &[first, "STATUS", "START", "END", "DURATION", "PARENT"]
        };
        let rows: Vec<(Option<Status>, Vec<String>)> = self
            .records
            .iter()
            .map(|record| {
                let name = terminal_safe(label(record)).into_owned();
                let cells = if self.parents {
                    vec![name, time(record.start)]
                } else {
                    vec![
                        name,
                        record.status.map_or("", Status::as_str).to_string(),
                        time(record.start),
                        time(record.end),
                        record
                            .duration_ms()
                            .map(format_duration)
                            .unwrap_or_default(),
                        terminal_safe(record.parent.as_deref().map(parent_label).unwrap_or(""))
                            .into_owned(),
                    ]
                };
                (record.status, cells)
            })
            .collect();
        let mut widths: Vec<usize> = headers.iter().map(|h| width_of(h)).collect();
        for (_, cells) in &rows {
            for (w, cell) in widths.iter_mut().zip(cells) {
                *w = (*w).max(width_of(cell));
            }
        }
        // Too wide for the terminal: the name, then the parent, give way (the parent
        // first before an execution).
        if let Some(width) = self.presentation.width {
            let total = |widths: &[usize]| widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            let last = widths.len() - 1;
            let order = if labelled { [last, 0] } else { [0, last] };
            for column in order {
                let over = total(&widths).saturating_sub(usize::from(width));
                let floor = width_of(headers[column]).max(width_of(ellipsis) + 1);
                widths[column] -= over.min(widths[column].saturating_sub(floor));
            }
        }
        let right = |c: usize| !self.parents && c == 4;
        let line = |cells: &[String], status: Option<Status>, header: bool| {
            let last = cells.len() - 1;
            let mut text = String::new();
            for (c, cell) in cells.iter().enumerate() {
                let cell = if labelled && c == 0 && !header {
                    cut_front(cell, widths[c], ellipsis)
                } else {
                    cut(cell, widths[c], ellipsis)
                };
                let pad = widths[c].saturating_sub(width_of(&cell));
                let padded = if right(c) {
                    format!("{}{cell}", " ".repeat(pad))
                } else if c == last {
                    cell.clone()
                } else {
                    format!("{cell}{}", " ".repeat(pad))
                };
                let painted = match status {
                    Some(status) if !header && !self.parents && c == 1 => {
                        style::status(status, self.presentation.color, &padded)
                    }
                    _ => padded,
                };
                text.push_str(&painted);
                if c != last {
                    text.push_str("  ");
                }
            }
            text.trim_end().to_string()
        };
        let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        writeln!(out, "{}", line(&header, None, true))?;
        for (status, cells) in &rows {
            writeln!(out, "{}", line(cells, *status, false))?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;

    fn table(records: Vec<RunRecord>, width: Option<u16>) -> String {
        let presentation = Presentation {
            color: false,
            width,
            ascii: true,
        };
        let mut sink = sink(ListFormat::Table, false, presentation);
        let mut out = Vec::new();
        sink.page(&mut out, &records).unwrap();
        sink.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_run_table_has_its_columns_and_fits_a_narrow_terminal() {
        let mut run = RunRecord::new("sfn", "arn:aws:states:us-east-1:1:execution:orders:run-1");
        run.name = Some("run-1-with-a-rather-long-name-indeed".into());
        run.status = Some(Status::Failed);
        run.start = Some(Timestamp(1_700_000_000_000));
        run.end = Some(Timestamp(1_700_000_065_000));
        run.parent = Some("arn:aws:states:us-east-1:1:stateMachine:orders".into());
        let text = table(vec![run.clone()], None);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("NAME") && lines[0].ends_with("PARENT"),
            "{text}"
        );
        assert!(
            lines[1].contains("failed")
                && lines[1].contains("1m05s")
                && lines[1].ends_with("orders"),
            "{text}"
        );
        let narrow = table(vec![run], Some(76));
        assert!(narrow.lines().all(|l| width_of(l) <= 76), "{narrow}");
        assert!(narrow.contains("..."), "{narrow}");
    }
}

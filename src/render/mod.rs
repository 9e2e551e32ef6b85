//! Renderers: pure functions from normalized events (or, for `-o raw`, the wire events)
//! to an `impl Write`. They know nothing of AWS or of where the events came from.
//! Streaming formats write and flush each page as it arrives; the table and the tree
//! are given the whole run at once.

mod escape;
mod json;
mod style;
pub mod summary;
pub mod table;
mod tree;

pub use escape::{terminal_safe, write_json_line};

use crate::model::{Event, Node, RunSummary};
use serde_json::Value;
use std::io::{self, Write};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The output formats, chosen once per run with `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people, after the run summary: id, time, elapsed, type, name, status, summary.
    Table,
    /// The run as it nested (states in branches and iterations, attempts), after the run summary.
    Tree,
    /// One normalized event per line (JSON lines), streamed page by page.
    Jsonl,
    /// One JSON document: an array of normalized events.
    Json,
    /// Each event exactly as the API sent it, one per line.
    Raw,
}

/// How the output is presented, decided once from the flags and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Presentation {
    /// Colour statuses (never when stdout is not a terminal, unless forced).
    pub color: bool,
    /// The width to fit into; `None`: do not fit (stdout is not a terminal).
    pub width: Option<u16>,
    /// Plain ASCII instead of box drawing and Unicode marks.
    pub ascii: bool,
}

/// A whole run, for the printers that need all of it.
#[derive(Debug, Default)]
pub struct Run {
    pub summary: RunSummary,
    /// The events to show, after the filters.
    pub events: Vec<Event>,
    /// The same events as the service sent them (only for `-o raw`).
    pub raw: Vec<Value>,
    /// The run as it nested (only for `-o tree`, and with `--failed`).
    pub tree: Vec<Node>,
    /// `--summary`: print only the summary.
    pub summary_only: bool,
    /// `--failed`: errors and causes in full, never cut to the width.
    pub full_errors: bool,
}

/// Writes events in one output format.
pub trait Printer {
    /// True for the formats printed page by page.
    fn streams(&self) -> bool {
        true
    }
    /// True for `-o raw`, which prints the wire events instead of normalized ones.
    fn wants_raw(&self) -> bool {
        false
    }
    /// True for `-o tree`.
    fn wants_tree(&self) -> bool {
        false
    }
    /// One page of wire events (`-o raw`, streaming).
    fn raw(&mut self, _out: &mut dyn Write, _page: &[Value]) -> io::Result<()> {
        Ok(())
    }
    /// One page of normalized events (streaming).
    fn events(&mut self, out: &mut dyn Write, page: Vec<Event>) -> io::Result<()>;
    /// After the last page (streaming).
    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()>;
    /// The whole run at once. For the streaming formats: the summary as one JSON record
    /// with `--summary`, else the events as if streamed.
    fn run(&mut self, out: &mut dyn Write, run: Run) -> io::Result<()> {
        if run.summary_only {
            write_json_line(out, &run.summary, &mut Vec::new())?;
            return out.flush();
        }
        if self.wants_raw() {
            self.raw(out, &run.raw)?;
        } else {
            self.events(out, run.events)?;
        }
        self.finish(out)
    }
}

/// `text` in at most `max` display columns (a CJK character takes two), the cut marked
/// with `ellipsis`.
pub(crate) fn cut(text: &str, max: usize, ellipsis: &str) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let room = max.saturating_sub(width(ellipsis));
    let mut used = 0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        used += UnicodeWidthChar::width(c).unwrap_or(0);
        if used > room {
            break;
        }
        end = at + c.len_utf8();
    }
    let mut kept = &text[..end];
    // A sequence (an emoji with its variation selector) can be wider than its characters.
    while width(kept) > room {
        let last = kept.chars().next_back().map_or(0, char::len_utf8);
        kept = &kept[..kept.len() - last];
    }
    format!("{kept}{ellipsis}")
}

/// The columns `text` takes on a terminal.
pub(crate) fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// The printer for a format.
pub fn printer(format: Format, presentation: Presentation) -> Box<dyn Printer> {
    match format {
        Format::Table => Box::new(table::TablePrinter::new(presentation)),
        Format::Tree => Box::new(TreePrinter { presentation }),
        Format::Jsonl => Box::new(json::JsonLinesPrinter),
        Format::Json => Box::new(json::JsonDocumentPrinter::default()),
        Format::Raw => Box::new(json::RawPrinter),
    }
}

/// `-o tree`: the run summary, then the tree.
struct TreePrinter {
    presentation: Presentation,
}

impl Printer for TreePrinter {
    fn streams(&self) -> bool {
        false
    }

    fn wants_tree(&self) -> bool {
        true
    }

    fn events(&mut self, _out: &mut dyn Write, _page: Vec<Event>) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.flush()
    }

    fn run(&mut self, out: &mut dyn Write, run: Run) -> io::Result<()> {
        summary::write_header(out, &run.summary, &self.presentation)?;
        if !run.summary_only {
            writeln!(out)?;
            tree::TreeWriter::new(&self.presentation, run.full_errors).write(out, &run.tree)?;
        }
        out.flush()
    }
}

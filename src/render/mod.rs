//! Renderers: pure functions from normalized events (or, for `-o raw`, the wire events)
//! to an `impl Write`. They know nothing of AWS or of where the events came from.
//! Streaming formats write and flush each page as it arrives; the table waits for all.

mod escape;
mod json;
mod table;

pub use escape::{terminal_safe, write_json_line};

use crate::model::Event;
use serde_json::Value;
use std::io::{self, Write};

/// The output formats, chosen once per run with `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people: id, time, elapsed, type, name, status, summary.
    Table,
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
    /// Colour status cells (never when stdout is not a terminal, unless forced).
    pub color: bool,
    /// The width to fit the table into; `None`: do not wrap (stdout is not a terminal).
    pub width: Option<u16>,
}

/// Writes pages of events in one output format.
pub trait Printer {
    /// One page of wire events, in the order received. Only `-o raw` looks at these;
    /// the other printers are given normalized events through [`Printer::events`].
    fn wants_raw(&self) -> bool {
        false
    }
    fn raw(&mut self, _out: &mut dyn Write, _page: &[Value]) -> io::Result<()> {
        Ok(())
    }
    fn events(&mut self, out: &mut dyn Write, page: Vec<Event>) -> io::Result<()>;
    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()>;
}

/// The printer for a format.
pub fn printer(format: Format, presentation: Presentation) -> Box<dyn Printer> {
    match format {
        Format::Table => Box::new(table::TablePrinter::new(presentation)),
        Format::Jsonl => Box::new(json::JsonLinesPrinter),
        Format::Json => Box::new(json::JsonDocumentPrinter::default()),
        Format::Raw => Box::new(json::RawPrinter),
    }
}

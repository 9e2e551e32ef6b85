//! The machine-readable printers: JSON lines of normalized events, one JSON document,
//! and the raw wire events. Each page is written and flushed as soon as it arrives, so
//! memory stays flat and `| head` gets its first line at once.

use super::escape::write_json;
use super::{write_json_line, Printer};
use crate::model::Event;
use serde_json::Value;
use std::io::{self, Write};

/// `-o jsonl`: one normalized event per line.
pub struct JsonLinesPrinter;

impl Printer for JsonLinesPrinter {
    fn events(&mut self, out: &mut dyn Write, page: Vec<Event>) -> io::Result<()> {
        let mut buffer = Vec::with_capacity(1024);
        for event in &page {
            write_json_line(out, event, &mut buffer)?;
        }
        out.flush()
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.flush()
    }
}

/// `-o json`: one array, streamed: `[` before the first event, `]` after the last.
#[derive(Default)]
pub struct JsonDocumentPrinter {
    started: bool,
}

impl Printer for JsonDocumentPrinter {
    fn events(&mut self, out: &mut dyn Write, page: Vec<Event>) -> io::Result<()> {
        let mut buffer = Vec::with_capacity(1024);
        for event in &page {
            out.write_all(if self.started { b",\n" } else { b"[" })?;
            self.started = true;
            write_json(out, event, &mut buffer)?;
        }
        out.flush()
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(if self.started { b"\n]\n" } else { b"[]\n" })?;
        out.flush()
    }
}

/// `-o raw`: each wire event as the service sent it, one per line.
pub struct RawPrinter;

impl Printer for RawPrinter {
    fn wants_raw(&self) -> bool {
        true
    }

    fn raw(&mut self, out: &mut dyn Write, page: &[Value]) -> io::Result<()> {
        let mut buffer = Vec::with_capacity(1024);
        for event in page {
            write_json_line(out, event, &mut buffer)?;
        }
        out.flush()
    }

    fn events(&mut self, _out: &mut dyn Write, _page: Vec<Event>) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.flush()
    }
}

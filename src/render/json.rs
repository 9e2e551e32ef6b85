//! The machine-readable event sinks: JSON lines of normalized events, and one JSON
//! document. Each page is written and flushed as soon as it arrives, so memory stays
//! flat and `| head` gets its first line at once. (Raw wire records: [`super::WireSink`].)

use super::{write_json_line, EventSink};
use crate::escape::write_json;
use crate::model::Event;
use std::io::{self, Write};

/// `-o jsonl`: one normalized event per line.
pub struct JsonLines;

impl EventSink for JsonLines {
    fn page(&mut self, out: &mut dyn Write, events: &[Event]) -> io::Result<()> {
        let mut buffer = Vec::with_capacity(1024);
        for event in events {
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
pub struct JsonDocument {
    started: bool,
}

impl EventSink for JsonDocument {
    fn page(&mut self, out: &mut dyn Write, events: &[Event]) -> io::Result<()> {
        let mut buffer = Vec::with_capacity(1024);
        for event in events {
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

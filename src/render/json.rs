//! The machine-readable event sinks: JSON lines of normalized events, and one JSON
//! document. Each page is written and flushed as soon as it arrives, so memory stays
//! flat and `| head` gets its first line at once. (Raw wire records: [`super::WireSink`].)
//! A large page of JSON lines is turned into text in two halves at once, on two threads,
//! and written in order.

use super::{write_json_line, EventSink};
use crate::escape::write_json;
use crate::model::Event;
use std::io::{self, Write};

/// `-o jsonl`: one normalized event per line.
pub struct JsonLines;

/// Pages of at least this many events are written in two halves made at once.
const HALVED_FROM: usize = 200;

/// The JSON lines of `events`, as text.
fn lines(events: &[Event]) -> io::Result<Vec<u8>> {
    let mut text = Vec::with_capacity(events.len() * 512);
    let mut buffer = Vec::with_capacity(1024);
    for event in events {
        write_json_line(&mut text, event, &mut buffer)?;
    }
    Ok(text)
}

impl EventSink for JsonLines {
    fn page(&mut self, out: &mut dyn Write, events: &[Event]) -> io::Result<()> {
        if events.len() < HALVED_FROM {
            let mut buffer = Vec::with_capacity(1024);
            for event in events {
                write_json_line(out, event, &mut buffer)?;
            }
            return out.flush();
        }
        let (first, second) = events.split_at(events.len() / 2);
        let (first, second) = std::thread::scope(|scope| {
            // No thread to be had (a tight limit): both halves here, one after the other.
            let later = std::thread::Builder::new().spawn_scoped(scope, || lines(second));
            let first = lines(first);
            let second = match later {
                Ok(later) => later
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => lines(second),
            };
            (first, second)
        });
        out.write_all(&first?)?;
        out.write_all(&second?)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventId, Status};

    fn events(count: i64) -> Vec<Event> {
        (1..=count)
            .map(|id| {
                let mut event = Event::new("sfn", "PassStateEntered", Status::Started);
                event.id = Some(EventId::Number(id));
                event.name = Some(format!("Step \u{202e}{id}"));
                event
            })
            .collect()
    }

    #[test]
    fn a_large_page_made_in_halves_is_the_same_lines_in_order() {
        for count in [0, 1, HALVED_FROM as i64 - 1, HALVED_FROM as i64, 1001] {
            let events = events(count);
            let mut one_by_one = Vec::new();
            let mut buffer = Vec::new();
            for event in &events {
                write_json_line(&mut one_by_one, event, &mut buffer).unwrap();
            }
            let mut written = Vec::new();
            JsonLines.page(&mut written, &events).unwrap();
            assert_eq!(written, one_by_one, "{count}");
            let text = String::from_utf8(written).unwrap();
            assert_eq!(text.lines().count(), count as usize);
            assert!(count == 0 || text.contains("\\u202e"), "escaped");
        }
    }
}

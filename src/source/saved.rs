//! Saved histories (`--from FILE`, `--from -`): a [`Source`] over a file, so saved
//! pages go through exactly the same engine and normalizer as live ones.
//!
//! A file holds one or more JSON documents one after another, each one of: a response
//! page as the API or the AWS CLI prints it (an object with the service's events key),
//! an array of events, or a single event (what `-o raw` writes, one per line). Where a
//! service's description of a run also holds its records (its [`SavedShape::run_key`]),
//! that too: the records it holds, then one record of the run's own fields.
//!
//! The file is read as it is parsed, on a thread of its own that hands over batches of
//! [`BATCH`] events: a saved history of any length is printed with flat memory, as a
//! live one is (except with `--reverse`, which needs every event first: the engine
//! gathers them).

use super::{AtEnd, NextStep, Source, Step};
use anyhow::{anyhow, Result};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use tokio::sync::mpsc::{channel, Receiver, Sender};

/// Events handed over at a time: a page, as the APIs' largest.
const BATCH: usize = 1000;

/// What a service's saved pages look like.
#[derive(Debug, Clone, Copy)]
pub struct SavedShape {
    /// The subcommand that reads it (`sfn`, ...).
    pub service: &'static str,
    /// What it holds, for people: `Step Functions history`.
    pub history: &'static str,
    /// The key of the events array in a response page (`events`, `StepExecutions`, ...).
    pub events_key: &'static str,
    /// A key every single event has, to tell an event from some other object.
    pub event_marker: &'static str,
    /// The key of an object that holds the run's own fields and its records under
    /// `events_key`, where the service describes a run that way (SSM's
    /// GetAutomationExecution: `{"AutomationExecution": {..., "StepExecutions": [...]}}`).
    /// Its records are handed over as a page's are, then its other fields as one more
    /// record, `{run_key: {...}}`: a run-level record for the service to read (and what
    /// `-o raw` prints, which reads back the same way).
    pub run_key: Option<&'static str>,
    /// The API's name for what the file should hold, for error messages.
    pub what: &'static str,
}

/// A saved history, read on a thread of its own and handed over in batches through a
/// channel the async side awaits (so reading never blocks the runtime).
pub struct SavedHistory {
    batches: Receiver<Result<Vec<Value>>>,
    /// A batch read ahead to tell whether the file is at its end.
    ahead: Option<Result<Vec<Value>>>,
    /// True once the reader has handed over everything.
    ended: bool,
}

impl SavedHistory {
    /// Opens `path` (`-` for standard input); a file that cannot be opened is an error
    /// now, one that cannot be parsed is an error when the reader reaches it.
    /// `known` are every service's shapes, to name the right subcommand for a file of
    /// another service.
    pub fn open(path: &Path, shape: SavedShape, known: &'static [SavedShape]) -> Result<Self> {
        if path.as_os_str() == "-" {
            return Self::from_reader("standard input".into(), io::stdin(), shape, known);
        }
        let name = path.display().to_string();
        if path.is_dir() {
            return Err(anyhow!("cannot read {name}: it is a directory, not a file"));
        }
        let file = std::fs::File::open(path).map_err(|e| anyhow!("cannot read {name}: {e}"))?;
        Self::from_reader(name, file, shape, known)
    }

    /// A saved history held in memory (for tests).
    pub fn from_text(
        name: String,
        text: String,
        shape: SavedShape,
        known: &'static [SavedShape],
    ) -> Result<Self> {
        Self::from_reader(name, io::Cursor::new(text.into_bytes()), shape, known)
    }

    fn from_reader<R: Read + Send + 'static>(
        name: String,
        reader: R,
        shape: SavedShape,
        known: &'static [SavedShape],
    ) -> Result<Self> {
        let (sender, batches) = channel(2);
        // A thread rather than the runtime's blocking pool: standard input may never
        // close, and the process must still end when the output does.
        std::thread::Builder::new()
            .name("histx-from".into())
            .spawn(move || {
                let mut reading = Reading {
                    name,
                    shape,
                    known,
                    input: Counted::new(BufReader::with_capacity(256 * 1024, reader)),
                    sender,
                };
                if let Err(error) = reading.all_documents() {
                    // The receiver may be gone (the output was closed): nothing to tell.
                    let _ = reading.sender.blocking_send(Err(error));
                }
            })?;
        Ok(SavedHistory {
            batches,
            ahead: None,
            ended: false,
        })
    }
}

impl Source for SavedHistory {
    /// One batch per step; a file has no page size, so `at_most` does not apply.
    fn next(&mut self, _at_most: Option<usize>) -> NextStep<'_> {
        Box::pin(async move {
            let batch = match self.ahead.take() {
                Some(batch) => Some(batch),
                None if self.ended => None,
                None => self.batches.recv().await,
            };
            match batch {
                Some(batch) => Ok(Step::Page(batch?)),
                // The reader is done: the file has no more events.
                None => {
                    self.ended = true;
                    Ok(Step::End)
                }
            }
        })
    }

    /// Reads one batch ahead (a file costs no request) and keeps it for `next`.
    fn at_end(&mut self) -> AtEnd<'_> {
        Box::pin(async move {
            if self.ahead.is_none() && !self.ended {
                self.ahead = self.batches.recv().await;
                self.ended = self.ahead.is_none();
            }
            self.ended
        })
    }
}

/// The reading thread's side: the file, where it is in it, and where batches go.
struct Reading<R> {
    name: String,
    shape: SavedShape,
    known: &'static [SavedShape],
    input: Counted<R>,
    sender: Sender<Result<Vec<Value>>>,
}

impl<R: BufRead> Reading<R> {
    fn all_documents(&mut self) -> Result<()> {
        let mut documents = 0;
        while self.input.skip_whitespace()? {
            let start = self.input.position();
            // serde_json counts lines and columns from where its parser starts.
            let start_line = self.input.newlines + 1;
            let start_column = self.input.bytes - self.input.line_start;
            let mut batch = Batch {
                events: Vec::new(),
                sender: &self.sender,
                shape: self.shape,
                known: self.known,
                other_service: None,
                pushed: 0,
                first_checked: false,
            };
            let mut parser = serde_json::Deserializer::from_reader(&mut self.input);
            let outcome = DocumentSeed { batch: &mut batch }.deserialize(&mut parser);
            drop(parser);
            let document = match outcome {
                Ok(document) => document,
                Err(error) if error.is_data() => {
                    return Err(anyhow!(
                        "{}: the document at {start}: {}{}",
                        self.name,
                        error_reason(&error),
                        self.another_service(batch.other_service)
                    ))
                }
                Err(error) => return Err(self.syntax_error(&error, start_line, start_column)),
            };
            match document {
                Document::Streamed => {}
                Document::Object(object) if object.contains_key(self.shape.event_marker) => {
                    batch.push(Value::Object(object))?;
                }
                Document::Object(object) => {
                    let other = other_service(self.shape, self.known, &object);
                    let keys: Vec<&str> = object.keys().map(String::as_str).take(6).collect();
                    return Err(anyhow!(
                        "{}: the document at {start} is not {} (it has no `{}`; its keys: {}){}",
                        self.name,
                        self.shape.what,
                        self.shape.events_key,
                        if keys.is_empty() {
                            "none".to_string()
                        } else {
                            keys.join(", ")
                        },
                        self.another_service(other)
                    ));
                }
                Document::Other(kind) => {
                    return Err(anyhow!(
                        "{}: the document at {start} is not {} but a JSON {kind}",
                        self.name,
                        self.shape.what
                    ))
                }
            }
            batch.flush()?;
            documents += 1;
        }
        if documents == 0 {
            return Err(anyhow!(
                "{} is empty: expected {}",
                self.name,
                self.shape.what
            ));
        }
        Ok(())
    }

    /// A syntax error, placed in the file: serde_json's line and column (counted from
    /// the document's start) made the file's, and the byte they make.
    fn syntax_error(
        &mut self,
        error: &serde_json::Error,
        start_line: usize,
        start_column: usize,
    ) -> anyhow::Error {
        if error.is_io() {
            return anyhow!("cannot read {}: {}", self.name, error_reason(error));
        }
        let line = start_line + error.line().saturating_sub(1);
        let column = error.column() + if error.line() == 1 { start_column } else { 0 };
        let at = self
            .input
            .line_start_of(line)
            .map(|start| start + column.saturating_sub(1));
        if let Some(explained) = at.and_then(|at| self.explain(error, line, column, at)) {
            return explained;
        }
        let byte = match at {
            Some(at) => format!(" (byte {at})"),
            None => String::new(),
        };
        let reason = if error.is_eof() {
            "the file ends inside a document".to_string()
        } else {
            error_reason(error)
        };
        anyhow!(
            "{}: invalid JSON at line {line}, column {column}{byte}: {reason}",
            self.name
        )
    }
}

/// The service whose saved records `object` looks like, if not `shape`'s: a page of
/// its (its events key, and its first event with its marker) or one of its records.
fn other_service(
    shape: SavedShape,
    known: &'static [SavedShape],
    object: &Map<String, Value>,
) -> Option<&'static SavedShape> {
    let others = || known.iter().filter(move |k| k.service != shape.service);
    let page_of = |other: &SavedShape| {
        if other.run_key.is_some_and(|key| object.contains_key(key)) {
            return Some(true);
        }
        let first = object.get(other.events_key)?.as_array()?.first();
        Some(first.is_none_or(|event| event.get(other.event_marker).is_some()))
    };
    others()
        .find(|other| page_of(other) == Some(true))
        .or_else(|| others().find(|other| object.contains_key(other.event_marker)))
}

impl<R> Reading<R> {
    /// The end of an error line for a file of another service: which subcommand reads it.
    fn another_service(&self, other: Option<&SavedShape>) -> String {
        let Some(other) = other else {
            return String::new();
        };
        let file = if self.name == "standard input" {
            "-"
        } else {
            &self.name
        };
        format!(
            "; this looks like {}: try histx {} --from {file}",
            other.history, other.service
        )
    }
}

/// Characters that a JSON reader cannot see past and a person cannot see at all.
const INVISIBLE: &[(char, &str)] = &[
    ('\u{200B}', "a zero-width space"),
    ('\u{200C}', "a zero-width non-joiner"),
    ('\u{200D}', "a zero-width joiner"),
    ('\u{2060}', "a word joiner"),
    ('\u{FEFF}', "a byte order mark"),
    ('\u{00A0}', "a no-break space"),
];

impl<R: BufRead> Reading<R> {
    /// What a person can act on, for the errors a file's bytes explain better than the
    /// parser does: text that is not UTF-8 (what the AWS CLI writes on Windows with `>`),
    /// an invisible character, a line of something else spliced in.
    fn explain(
        &mut self,
        error: &serde_json::Error,
        line: usize,
        column: usize,
        at: usize,
    ) -> Option<anyhow::Error> {
        let name = &self.name;
        let reason = error_reason(error);
        if reason.contains("invalid unicode code point") {
            let bad = self.input.first_non_utf8()?;
            return Some(anyhow!(
                "{name}: not UTF-8 at byte {bad} (line {line}); convert it, e.g. \
                 iconv -f cp1252 -t utf-8 {name} > {name}.utf8"
            ));
        }
        if !reason.starts_with("expected") || error.is_eof() {
            return None;
        }
        let rest = self.input.bytes_from(at)?;
        let text = String::from_utf8_lossy(&rest);
        let found = text.chars().next()?;
        if let Some((_, what)) = INVISIBLE.iter().find(|(c, _)| *c == found) {
            return Some(anyhow!(
                "{name}: {what} (U+{:04X}) at line {line}, column {column} (byte {at}), \
                 outside any string: delete it",
                found as u32
            ));
        }
        if column == 1 && !matches!(found, '{' | '[' | '"') {
            let shown: String = text
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(60)
                .collect();
            return Some(anyhow!(
                "{name}: line {line} is not JSON: '{}'; a saved history holds JSON documents only",
                crate::escape::terminal_safe(shown.trim_end())
            ));
        }
        None
    }
}

/// serde_json's message without its own (document-relative) position.
fn error_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    text.split(" at line ").next().unwrap_or(&text).to_string()
}

/// Line starts remembered, enough to place an error that serde_json reports a little
/// behind where it stopped reading.
const RECENT_LINES: usize = 256;

/// UTF-8's byte order mark.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Bytes remembered, to show what stands where an error was found.
const RECENT_BYTES: usize = 4096;

/// A reader that knows how far it is: bytes, lines, and where recent lines began.
struct Counted<R> {
    inner: R,
    bytes: usize,
    newlines: usize,
    line_start: usize,
    /// (line number, byte where it starts) of the latest lines.
    recent_lines: std::collections::VecDeque<(usize, usize)>,
    /// The latest bytes read, to say what stands where an error was found.
    recent_bytes: std::collections::VecDeque<u8>,
}

impl<R: BufRead> Counted<R> {
    fn new(inner: R) -> Self {
        Counted {
            inner,
            bytes: 0,
            newlines: 0,
            line_start: 0,
            recent_lines: std::collections::VecDeque::from([(1, 0)]),
            recent_bytes: std::collections::VecDeque::with_capacity(RECENT_BYTES),
        }
    }

    /// The bytes from byte `at` on, if the recent ones still hold it: those read, and
    /// a look ahead at what is buffered (not consumed).
    fn bytes_from(&mut self, at: usize) -> Option<Vec<u8>> {
        let first = self.bytes - self.recent_bytes.len();
        if at < first || at > self.bytes {
            return None;
        }
        let mut bytes: Vec<u8> = self.recent_bytes.iter().skip(at - first).copied().collect();
        if let Ok(ahead) = self.inner.fill_buf() {
            bytes.extend(ahead.iter().take(240));
        }
        Some(bytes)
    }

    /// The first byte among the recent ones that is not UTF-8, if any.
    fn first_non_utf8(&self) -> Option<usize> {
        let first = self.bytes - self.recent_bytes.len();
        let window: Vec<u8> = self.recent_bytes.iter().copied().collect();
        // The window may begin inside a character: start at a character's first byte.
        let skip = window.iter().take_while(|b| (**b & 0xC0) == 0x80).count();
        let error = std::str::from_utf8(&window[skip..]).err()?;
        Some(first + skip + error.valid_up_to())
    }

    /// Where line `line` starts, if it is a recent one.
    fn line_start_of(&self, line: usize) -> Option<usize> {
        self.recent_lines
            .iter()
            .find(|(number, _)| *number == line)
            .map(|(_, start)| *start)
    }

    fn count(&mut self, consumed: &[u8]) {
        for (i, byte) in consumed.iter().enumerate() {
            if self.recent_bytes.len() == RECENT_BYTES {
                self.recent_bytes.pop_front();
            }
            self.recent_bytes.push_back(*byte);
            if *byte == b'\n' {
                self.newlines += 1;
                self.line_start = self.bytes + i + 1;
                if self.recent_lines.len() == RECENT_LINES {
                    self.recent_lines.pop_front();
                }
                self.recent_lines
                    .push_back((self.newlines + 1, self.line_start));
            }
        }
        self.bytes += consumed.len();
    }

    /// Skips white space (and a byte order mark at the start, which Windows tools
    /// write); false at the end of the input.
    fn skip_whitespace(&mut self) -> io::Result<bool> {
        loop {
            let buffer = self.inner.fill_buf()?;
            if buffer.is_empty() {
                return Ok(false);
            }
            if self.bytes == 0 && buffer.starts_with(BYTE_ORDER_MARK) {
                self.inner.consume(BYTE_ORDER_MARK.len());
                self.count(BYTE_ORDER_MARK);
                continue;
            }
            let blank = buffer
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            if blank == 0 {
                return Ok(true);
            }
            let skipped = buffer[..blank].to_vec();
            self.inner.consume(blank);
            self.count(&skipped);
        }
    }

    fn position(&self) -> String {
        format!("line {} (byte {})", self.newlines + 1, self.bytes)
    }
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.count(&buffer[..read]);
        Ok(read)
    }
}

/// Events on their way to the engine.
struct Batch<'a> {
    events: Vec<Value>,
    sender: &'a Sender<Result<Vec<Value>>>,
    shape: SavedShape,
    known: &'static [SavedShape],
    /// The service whose events the document turned out to hold, if another's.
    other_service: Option<&'static SavedShape>,
    /// Records pushed from the document so far, to name the one that is wrong.
    pushed: usize,
    /// Whether the document's first event was seen to be this service's.
    first_checked: bool,
}

impl Batch<'_> {
    fn push(&mut self, event: Value) -> Result<()> {
        self.pushed += 1;
        if !event.is_object() {
            return Err(anyhow!(
                "record {} is a JSON {}, not an object",
                self.pushed,
                json_kind(&event)
            ));
        }
        if !self.first_checked {
            self.first_checked = true;
            if event.get(self.shape.event_marker).is_none() {
                if let Some(object) = event.as_object() {
                    self.other_service = other_service(self.shape, self.known, object);
                }
                let keys: Vec<&str> = event
                    .as_object()
                    .map(|o| o.keys().map(String::as_str).take(6).collect())
                    .unwrap_or_default();
                return Err(anyhow!(
                    "the events are not {} (the first has no `{}`; its keys: {})",
                    self.shape.what,
                    self.shape.event_marker,
                    if keys.is_empty() {
                        "none".to_string()
                    } else {
                        keys.join(", ")
                    }
                ));
            }
        }
        self.events.push(event);
        if self.events.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// A run-level record (see [`SavedShape::run_key`]): not an event, so not checked
    /// for the event marker.
    fn push_run(&mut self, record: Value) -> Result<()> {
        self.events.push(record);
        if self.events.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.events.is_empty() {
            return Ok(());
        }
        let events = std::mem::take(&mut self.events);
        // A closed channel means nobody reads any more (the output was closed).
        self.sender
            .blocking_send(Ok(events))
            .map_err(|_| anyhow!("the reader of the events is gone"))
    }
}

/// A JSON value's kind, for messages.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// What a document turned out to be.
enum Document {
    /// Its events were streamed into the batch (a page or an array).
    Streamed,
    /// An object without the events key: a single event, or something else.
    Object(Map<String, Value>),
    /// Not an object nor an array.
    Other(&'static str),
}

struct DocumentSeed<'a, 'b> {
    batch: &'a mut Batch<'b>,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_, '_> {
    type Value = Document;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Document, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_, '_> {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page of events, an array of events, or an event")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Document, A::Error> {
        stream_events(self.batch, seq)?;
        Ok(Document::Streamed)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut others = Map::new();
        let mut streamed = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.batch.shape.events_key {
                map.next_value_seed(EventsSeed { batch: self.batch })?;
                streamed = true;
            } else if Some(key.as_str()) == self.batch.shape.run_key {
                map.next_value_seed(RunSeed { batch: self.batch })?;
                streamed = true;
            } else {
                others.insert(key, map.next_value()?);
            }
        }
        Ok(if streamed {
            Document::Streamed
        } else {
            Document::Object(others)
        })
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Document, E> {
        Ok(Document::Other("boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Document, E> {
        Ok(Document::Other("number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Document, E> {
        Ok(Document::Other("number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Document, E> {
        Ok(Document::Other("number"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Document, E> {
        Ok(Document::Other("string"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Document, E> {
        Ok(Document::Other("null"))
    }
}

/// A run's own object (under [`SavedShape::run_key`]): its records streamed as a page's
/// are, then its other fields handed over as one run-level record.
struct RunSeed<'a, 'b> {
    batch: &'a mut Batch<'b>,
}

impl<'de> DeserializeSeed<'de> for RunSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RunSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` to be an object",
            self.batch.shape.run_key.unwrap_or_default()
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut fields = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == self.batch.shape.events_key {
                map.next_value_seed(EventsSeed {
                    batch: &mut *self.batch,
                })?;
            } else {
                fields.insert(key, map.next_value()?);
            }
        }
        let run_key = self.batch.shape.run_key.unwrap_or_default().to_string();
        let mut record = Map::new();
        record.insert(run_key, Value::Object(fields));
        self.batch
            .push_run(Value::Object(record))
            .map_err(|e| de::Error::custom(format!("{e:#}")))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(()) // `"AutomationExecution": null`: no run, no records
    }
}

/// The events array of a page, streamed element by element.
struct EventsSeed<'a, 'b> {
    batch: &'a mut Batch<'b>,
}

impl<'de> DeserializeSeed<'de> for EventsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EventsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` to be a list of events",
            self.batch.shape.events_key
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        stream_events(self.batch, seq)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(()) // `"events": null`, as an empty page
    }
}

fn stream_events<'de, A: SeqAccess<'de>>(
    batch: &mut Batch<'_>,
    mut seq: A,
) -> Result<(), A::Error> {
    while let Some(event) = seq.next_element::<Value>()? {
        batch
            .push(event)
            .map_err(|e| de::Error::custom(format!("{e:#}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::testing::drain;
    use serde_json::json;

    const SHAPE: SavedShape = SavedShape {
        service: "sfn",
        history: "Step Functions history",
        events_key: "events",
        event_marker: "type",
        run_key: None,
        what: "a GetExecutionHistory response",
    };

    fn all_events(text: &str) -> Result<Vec<Value>> {
        let saved = SavedHistory::from_text("f.json".into(), text.into(), SHAPE, &[])?;
        Ok(drain(saved)?.0)
    }

    #[test]
    fn pages_arrays_and_single_events_concatenate() {
        let text = "{\"events\":[{\"type\":\"A\",\"id\":1}],\"nextToken\":\"x\"}\n[{\"type\":\"B\",\"id\":2}]\n{\"type\":\"C\",\"id\":3}\n";
        let events = all_events(text).unwrap();
        let ids: Vec<_> = events.iter().map(|e| e["id"].clone()).collect();
        assert_eq!(ids, vec![json!(1), json!(2), json!(3)]);
    }

    #[test]
    fn long_documents_come_in_batches() {
        let events: Vec<Value> = (0..2500).map(|i| json!({"type": "T", "id": i})).collect();
        let text = json!({ "events": events }).to_string();
        let saved = SavedHistory::from_text("f.json".into(), text, SHAPE, &[]).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut saved = saved;
        let sizes: Vec<usize> = std::iter::from_fn(|| match runtime.block_on(saved.next(None)) {
            Ok(Step::Page(page)) => Some(page.len()),
            _ => None,
        })
        .collect();
        assert_eq!(sizes, vec![1000, 1000, 500]);
    }

    #[test]
    fn syntax_errors_name_line_column_and_byte() {
        let text = "{\"events\":[]}\n{\"events\": [\n  {\"type\": }\n]}";
        let error = all_events(text).unwrap_err().to_string();
        assert!(
            error.starts_with("f.json: invalid JSON at line 3, column 12 (byte 38)"),
            "{error}"
        );
        let cut = all_events("{\"events\": [{\"type\": \"A\"}")
            .unwrap_err()
            .to_string();
        assert!(cut.contains("the file ends inside a document"), "{cut}");
    }

    #[test]
    fn another_services_events_are_refused() {
        let swf_page =
            "{\"events\": [{\"eventId\": 1, \"eventType\": \"WorkflowExecutionStarted\"}]}";
        let error = all_events(swf_page).unwrap_err().to_string();
        assert!(error.contains("the first has no `type`"), "{error}");
        assert!(error.contains("eventId, eventType"), "{error}");
        assert!(all_events("[{\"eventId\": 1}]").is_err());
        assert!(all_events("[]").unwrap().is_empty());
    }

    #[test]
    fn a_run_object_hands_over_its_records_then_its_own_fields() {
        const RUN: SavedShape = SavedShape {
            service: "ssm",
            history: "SSM Automation",
            events_key: "Steps",
            event_marker: "Name",
            run_key: Some("Run"),
            what: "a run",
        };
        let text = r#"{"Run": {"Id": "r-1", "Steps": [{"Name": "a"}, {"Name": "b"}], "Status": "Failed"}}
{"Run": {"Id": "r-1", "Status": "Failed"}}"#;
        let saved = SavedHistory::from_text("f.json".into(), text.into(), RUN, &[]).unwrap();
        let records = drain(saved).unwrap().0;
        assert_eq!(
            records,
            vec![
                json!({"Name": "a"}),
                json!({"Name": "b"}),
                json!({"Run": {"Id": "r-1", "Status": "Failed"}}),
                json!({"Run": {"Id": "r-1", "Status": "Failed"}}),
            ],
            "what -o raw prints of the run reads back the same"
        );
        let other = other_service(
            SHAPE,
            &[SHAPE, RUN],
            json!({"Run": {}}).as_object().unwrap(),
        );
        assert_eq!(other.map(|s| s.service), Some("ssm"));
    }

    #[test]
    fn wrong_documents_are_named() {
        let error = all_events("{\"StepExecutions\": []}")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("is not a GetExecutionHistory response"),
            "{error}"
        );
        assert!(error.contains("StepExecutions"), "{error}");
        assert!(all_events("42")
            .unwrap_err()
            .to_string()
            .contains("JSON number"));
        assert!(all_events("  \n")
            .unwrap_err()
            .to_string()
            .contains("is empty"));
        let not_a_list = all_events("{\"events\": 7}").unwrap_err().to_string();
        assert!(
            not_a_list.contains("to be a list of events"),
            "{not_a_list}"
        );
    }
}

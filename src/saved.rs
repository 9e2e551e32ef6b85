//! Saved histories (`--from FILE`, `--from -`): a [`PageSource`] over a file, so saved
//! pages go through exactly the same fetch loop and normalizer as live ones.
//!
//! A file holds one or more JSON documents one after another, each one of: a response
//! page as the API or the AWS CLI prints it (an object with the service's events key),
//! an array of events, or a single event (what `-o raw` writes, one per line).

use crate::fetch::{Page, PageSource};
use anyhow::{anyhow, Context, Result};
use serde_json::Value;
use std::io::Read;
use std::path::Path;

/// What a service's saved pages look like.
#[derive(Debug, Clone, Copy)]
pub struct SavedShape {
    /// The key of the events array in a response page (`events`, `StepExecutions`, ...).
    pub events_key: &'static str,
    /// A key every single event has, to tell an event from some other object.
    pub event_marker: &'static str,
    /// The API's name for what the file should hold, for error messages.
    pub what: &'static str,
}

pub struct SavedHistory {
    name: String,
    text: String,
    offset: usize,
    shape: SavedShape,
    /// With `--reverse`, every event, read up front and reversed.
    reversed: Option<Vec<Value>>,
}

impl SavedHistory {
    /// Reads `path` (`-` for standard input).
    pub fn open(path: &Path, shape: SavedShape, reverse: bool) -> Result<Self> {
        let (name, text) = if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read standard input")?;
            ("standard input".to_string(), text)
        } else {
            let name = path.display().to_string();
            let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                anyhow!(
                    "{name}: not UTF-8 text (byte {})",
                    e.utf8_error().valid_up_to()
                )
            })?;
            (name, text)
        };
        Self::from_text(name, text, shape, reverse)
    }

    pub fn from_text(name: String, text: String, shape: SavedShape, reverse: bool) -> Result<Self> {
        if text.trim().is_empty() {
            return Err(anyhow!("{name} is empty: expected {}", shape.what));
        }
        let mut saved = SavedHistory {
            name,
            text,
            offset: 0,
            shape,
            reversed: None,
        };
        if reverse {
            let mut all = Vec::new();
            while let Some(events) = saved.next_document()? {
                all.extend(events);
            }
            all.reverse();
            saved.reversed = Some(all);
        }
        Ok(saved)
    }

    /// The events of the next document, or `None` at the end of the file.
    fn next_document(&mut self) -> Result<Option<Vec<Value>>> {
        let rest = &self.text[self.offset..];
        let skipped = rest.len() - rest.trim_start().len();
        if skipped == rest.len() {
            return Ok(None);
        }
        let start = self.offset + skipped;
        let mut stream =
            serde_json::Deserializer::from_str(&self.text[start..]).into_iter::<Value>();
        let document = match stream.next() {
            Some(Ok(document)) => document,
            Some(Err(e)) => return Err(self.syntax_error(start, &e)),
            None => return Ok(None),
        };
        self.offset = start + stream.byte_offset();
        self.events_of(document, start).map(Some)
    }

    fn events_of(&self, document: Value, start: usize) -> Result<Vec<Value>> {
        match document {
            Value::Array(events) => self.checked(events, start),
            Value::Object(mut object) => match object.shift_remove(self.shape.events_key) {
                Some(Value::Array(events)) => self.checked(events, start),
                Some(_) => Err(anyhow!(
                    "{}: `{}` at {} is not a list",
                    self.name,
                    self.shape.events_key,
                    self.position(start)
                )),
                None if object.contains_key(self.shape.event_marker) => {
                    Ok(vec![Value::Object(object)])
                }
                None => {
                    let keys: Vec<&str> = object.keys().map(String::as_str).take(6).collect();
                    Err(anyhow!(
                        "{}: the document at {} is not {} (it has no `{}`; its keys: {})",
                        self.name,
                        self.position(start),
                        self.shape.what,
                        self.shape.events_key,
                        if keys.is_empty() {
                            "none".to_string()
                        } else {
                            keys.join(", ")
                        }
                    ))
                }
            },
            other => Err(anyhow!(
                "{}: the document at {} is not {} but a JSON {}",
                self.name,
                self.position(start),
                self.shape.what,
                kind_of(&other)
            )),
        }
    }

    /// The events of a document, once its first one is seen to be this service's (SWF
    /// pages hold `events` too, as Step Functions pages do).
    fn checked(&self, events: Vec<Value>, start: usize) -> Result<Vec<Value>> {
        match events.first() {
            Some(first) if first.get(self.shape.event_marker).is_none() => {
                let keys: Vec<&str> = first
                    .as_object()
                    .map(|o| o.keys().map(String::as_str).take(6).collect())
                    .unwrap_or_default();
                Err(anyhow!(
                    "{}: the events at {} are not {} (the first has no `{}`; its keys: {})",
                    self.name,
                    self.position(start),
                    self.shape.what,
                    self.shape.event_marker,
                    if keys.is_empty() {
                        "none".to_string()
                    } else {
                        keys.join(", ")
                    }
                ))
            }
            _ => Ok(events),
        }
    }

    fn syntax_error(&self, start: usize, error: &serde_json::Error) -> anyhow::Error {
        // serde_json counts lines and columns from `start`; make them count from the file.
        let line_in_document = error.line();
        let before = &self.text[..start];
        let line = before.matches('\n').count() + line_in_document;
        let column = if line_in_document <= 1 {
            before.len() - before.rfind('\n').map_or(0, |i| i + 1) + error.column()
        } else {
            error.column()
        };
        let byte = byte_at(&self.text, line, column);
        let reason = error.to_string();
        let reason = reason.split(" at line ").next().unwrap_or(&reason);
        anyhow!(
            "{}: invalid JSON at line {line}, column {column} (byte {byte}): {reason}",
            self.name
        )
    }

    fn position(&self, offset: usize) -> String {
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        format!("line {line} (byte {offset})")
    }
}

fn byte_at(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl PageSource for SavedHistory {
    /// One document per page; the page size does not apply to files.
    async fn fetch_page(&mut self, _token: Option<String>, _page_size: usize) -> Result<Page> {
        if let Some(all) = self.reversed.take() {
            return Ok(Page {
                events: all,
                next_token: None,
            });
        }
        let events = self.next_document()?.unwrap_or_default();
        let more = !self.text[self.offset..].trim().is_empty();
        Ok(Page {
            events,
            next_token: more.then(|| format!("byte-{}", self.offset)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SHAPE: SavedShape = SavedShape {
        events_key: "events",
        event_marker: "type",
        what: "a GetExecutionHistory response",
    };

    fn all_events(text: &str, reverse: bool) -> Result<Vec<Value>> {
        let mut saved = SavedHistory::from_text("f.json".into(), text.into(), SHAPE, reverse)?;
        let mut all = Vec::new();
        loop {
            let page = futures_lite_block_on(saved.fetch_page(None, 1000))?;
            all.extend(page.events);
            if page.next_token.is_none() {
                return Ok(all);
            }
        }
    }

    fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn pages_arrays_and_single_events_concatenate() {
        let text = "{\"events\":[{\"type\":\"A\",\"id\":1}],\"nextToken\":\"x\"}\n[{\"type\":\"B\",\"id\":2}]\n{\"type\":\"C\",\"id\":3}\n";
        let events = all_events(text, false).unwrap();
        let ids: Vec<_> = events.iter().map(|e| e["id"].clone()).collect();
        assert_eq!(ids, vec![json!(1), json!(2), json!(3)]);
        let reversed = all_events(text, true).unwrap();
        assert_eq!(reversed[0]["id"], json!(3));
    }

    #[test]
    fn syntax_errors_name_line_column_and_byte() {
        let text = "{\"events\":[]}\n{\"events\": [\n  {\"type\": }\n]}";
        let error = all_events(text, false).unwrap_err().to_string();
        assert!(
            error.starts_with("f.json: invalid JSON at line 3, column 12 (byte 38)"),
            "{error}"
        );
    }

    #[test]
    fn another_services_events_are_refused() {
        let swf_page =
            "{\"events\": [{\"eventId\": 1, \"eventType\": \"WorkflowExecutionStarted\"}]}";
        let error = all_events(swf_page, false).unwrap_err().to_string();
        assert!(error.contains("the first has no `type`"), "{error}");
        assert!(error.contains("eventId, eventType"), "{error}");
        assert!(all_events("[{\"eventId\": 1}]", false).is_err());
        assert!(all_events("[]", false).unwrap().is_empty());
    }

    #[test]
    fn wrong_documents_are_named() {
        let error = all_events("{\"StepExecutions\": []}", false)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("is not a GetExecutionHistory response"),
            "{error}"
        );
        assert!(error.contains("StepExecutions"), "{error}");
        assert!(all_events("42", false)
            .unwrap_err()
            .to_string()
            .contains("JSON number"));
        assert!(all_events("  \n", false)
            .unwrap_err()
            .to_string()
            .contains("is empty"));
    }
}

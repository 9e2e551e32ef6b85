//! `--io`: a record's input and output, pretty-printed beneath its line in the table and
//! the tree (the Step Functions console's "state input / output" view, in a terminal).
//! Here so that both views print a payload the same way: indented JSON, coloured like
//! `jq` when colour is on (keys, strings, numbers, literals), every string escaped (a
//! payload can hold escape sequences), each line cut to the width, and at most
//! [`MAX_LINES`] lines of a payload, with a note of how many more there are.

use super::{cut, style_paint, terminal_safe, width, Presentation};
use crate::model::{Event, Json};
use anstyle::{AnsiColor, Style};
use serde_json::Value;

/// The most lines of one payload shown; the rest is counted on one more line (every
/// line is in `-o jsonl`). Said in `--io`'s help.
pub const MAX_LINES: usize = 40;

/// Spaces per level of the JSON.
const STEP: usize = 2;

const KEY: Style = AnsiColor::Blue.on_default().bold();
const STRING: Style = AnsiColor::Green.on_default();
const NUMBER: Style = AnsiColor::Cyan.on_default();
const LITERAL: Style = AnsiColor::Yellow.on_default();

/// A piece of a line, in its style (`None`: plain).
type Piece = (Option<Style>, String);

/// The lines for an event's input and output, each `input  {`-style, to be written
/// after a line of the view, each after `indent` (of `indent_columns` columns). Empty
/// when the event carries neither.
pub fn event_lines(
    input: Option<&Value>,
    output: Option<&Value>,
    indent_columns: usize,
    presentation: &Presentation,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (label, value) in [("input", input), ("output", output)] {
        if let Some(value) = value {
            lines.extend(payload_lines(label, value, indent_columns, presentation));
        }
    }
    lines
}

/// The input of the first of `events` that has one, and the output of the last that
/// has one: what a tree line's state, step or action was given and gave (parsed from
/// the events' compact text).
pub fn of_events(events: &[&Event]) -> (Option<Value>, Option<Value>) {
    let input = events.iter().find_map(|e| e.input.as_ref());
    let output = events.iter().rev().find_map(|e| e.output.as_ref());
    (input.map(Json::value), output.map(Json::value))
}

/// One payload: `label` then its JSON, the following lines under the JSON's first.
fn payload_lines(
    label: &str,
    value: &Value,
    indent_columns: usize,
    presentation: &Presentation,
) -> Vec<String> {
    let mut json: Vec<Vec<Piece>> = vec![Vec::new()];
    pretty(value, 0, &mut json);
    let total = json.len();
    let ellipsis = if presentation.ascii {
        "..."
    } else {
        "\u{2026}"
    };
    let head = format!("{label:<6} ");
    let pad = " ".repeat(width(&head));
    let room = presentation.width.map(|w| {
        usize::from(w)
            .saturating_sub(indent_columns + width(&head))
            .max(8)
    });
    let mut lines: Vec<String> = Vec::new();
    for (i, pieces) in json.into_iter().enumerate() {
        if i == MAX_LINES && total > MAX_LINES + 1 {
            let more = total - MAX_LINES;
            lines.push(format!(
                "{pad}{ellipsis} {more} more lines of {label} (-o jsonl has it all)"
            ));
            break;
        }
        let text = render(pieces, room, ellipsis, presentation.color);
        lines.push(format!("{}{text}", if i == 0 { &head } else { &pad }));
    }
    lines
}

/// The pieces in their styles, cut to `room` columns (plain text is measured, never
/// the colour codes).
fn render(pieces: Vec<Piece>, room: Option<usize>, ellipsis: &str, color: bool) -> String {
    let total: usize = pieces.iter().map(|(_, text)| width(text)).sum();
    let mut left = match room {
        Some(room) if total > room => room,
        _ => usize::MAX,
    };
    let cutting = left != usize::MAX;
    let mut ended = false;
    let mut line = String::new();
    for (style, text) in pieces {
        if left == 0 {
            break;
        }
        let text = if cutting && width(&text) >= left {
            // A piece that fills the room exactly is cut too: more follows it.
            let cut_text = cut(&format!("{text} "), left, ellipsis);
            left = 0;
            ended = cut_text.ends_with(ellipsis);
            cut_text
        } else {
            left = left.saturating_sub(width(&text));
            text
        };
        match style {
            Some(style) => line.push_str(&style_paint(style, &text, color)),
            None => line.push_str(&text),
        }
    }
    if cutting && !ended {
        line.push_str(ellipsis);
    }
    line
}

/// `value` as indented JSON, appended to the last of `lines` (then new ones).
fn pretty(value: &Value, level: usize, lines: &mut Vec<Vec<Piece>>) {
    let push = |lines: &mut Vec<Vec<Piece>>, piece: Piece| {
        lines.last_mut().expect("a line").push(piece);
    };
    let indent = |level: usize| (None, " ".repeat(level * STEP));
    match value {
        Value::Object(map) if !map.is_empty() => {
            push(lines, (None, "{".into()));
            for (i, (key, value)) in map.iter().enumerate() {
                lines.push(vec![indent(level + 1)]);
                push(lines, (Some(KEY), quoted(key)));
                push(lines, (None, ": ".into()));
                pretty(value, level + 1, lines);
                if i + 1 < map.len() {
                    push(lines, (None, ",".into()));
                }
            }
            lines.push(vec![indent(level), (None, "}".into())]);
        }
        Value::Array(items) if !items.is_empty() => {
            push(lines, (None, "[".into()));
            for (i, item) in items.iter().enumerate() {
                lines.push(vec![indent(level + 1)]);
                pretty(item, level + 1, lines);
                if i + 1 < items.len() {
                    push(lines, (None, ",".into()));
                }
            }
            lines.push(vec![indent(level), (None, "]".into())]);
        }
        Value::Object(_) => push(lines, (None, "{}".into())),
        Value::Array(_) => push(lines, (None, "[]".into())),
        Value::String(text) => push(lines, (Some(STRING), quoted(text))),
        Value::Number(number) => push(lines, (Some(NUMBER), number.to_string())),
        Value::Bool(_) | Value::Null => push(lines, (Some(LITERAL), value.to_string())),
    }
}

/// A string as JSON writes it, and safe for a terminal beyond what JSON escapes (DEL,
/// C1 and bidirectional controls, invisible characters).
fn quoted(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_default();
    terminal_safe(&json).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain(width: Option<u16>) -> Presentation {
        Presentation {
            color: false,
            width,
            ascii: false,
        }
    }

    #[test]
    fn a_payload_is_indented_json_under_its_label() {
        let value =
            json!({"order": {"id": "o-1", "items": [1, 2]}, "ok": true, "none": null, "e": {}});
        let lines = event_lines(Some(&value), Some(&json!("done")), 0, &plain(None));
        assert_eq!(
            lines,
            [
                "input  {",
                "         \"order\": {",
                "           \"id\": \"o-1\",",
                "           \"items\": [",
                "             1,",
                "             2",
                "           ]",
                "         },",
                "         \"ok\": true,",
                "         \"none\": null,",
                "         \"e\": {}",
                "       }",
                "output \"done\"",
            ]
        );
    }

    #[test]
    fn escapes_are_shown_not_obeyed_and_long_payloads_are_capped() {
        let value = json!({"evil": "\u{1b}[2J\u{9b}31m\u{202e}"});
        let lines = event_lines(Some(&value), None, 0, &plain(None)).join("\n");
        assert!(
            !lines.contains('\u{1b}') && !lines.contains('\u{9b}'),
            "{lines}"
        );
        assert!(lines.contains(r"\u001b[2J\u{9b}31m\u{202e}"), "{lines}");
        let long: Vec<i64> = (0..100).collect();
        let lines = event_lines(None, Some(&json!(long)), 0, &plain(None));
        assert_eq!(lines.len(), MAX_LINES + 1);
        assert_eq!(
            lines.last().unwrap(),
            &format!(
                "       \u{2026} {} more lines of output (-o jsonl has it all)",
                102 - MAX_LINES
            )
        );
    }

    #[test]
    fn lines_are_cut_to_the_width_in_colour_too() {
        let value = json!({"message": "x".repeat(200)});
        for color in [false, true] {
            let presentation = Presentation {
                color,
                ..plain(Some(60))
            };
            for line in event_lines(Some(&value), None, 4, &presentation) {
                let shown = crate::render::strip_colour(&line);
                assert!(width(&shown) <= 56, "{shown}");
            }
        }
        let coloured = Presentation {
            color: true,
            ..plain(None)
        };
        let line = &event_lines(Some(&json!({"n": 1})), None, 0, &coloured)[1];
        assert!(line.contains("\u{1b}["), "{line:?}");
    }
}

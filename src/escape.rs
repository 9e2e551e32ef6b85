//! Keeps payload text from reaching a terminal raw: an event's input or a failure's
//! cause can hold escape sequences, and a table cell or an error line must show them, not
//! obey them. Shared by the renderers and by every error line, so it belongs to neither.
//! JSON output is made terminal-safe without changing the JSON value it encodes.

use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};

/// True for the characters a terminal may act on (C0 controls, DEL, C1 controls), the
/// bidirectional controls that can make a line read other than it is, and the
/// separators some terminals take for a new line.
fn is_control(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// The bidirectional controls (marks, embeddings, overrides, isolates).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters that show nothing, so that two names that look the same can differ:
/// zero-width spaces and joiners, the word joiner, the byte order mark, the soft
/// hyphen, tag characters. Shown escaped in the table, the tree and the summary.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{e0000}'..='\u{e007f}'
    )
}

/// What JSON output escapes beyond what serde_json does: DEL, C1, the bidirectional
/// controls and the line separators (the JSON value stays the same).
fn json_escapes(c: char) -> bool {
    matches!(c as u32, 0x7f..=0x9f) || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Text with every control character shown as an escape: `\n`, `\t`, `\r`, `\x1b`,
/// `\u{9b}`. Text without any comes back borrowed.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_control(c) || is_invisible(c);
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => safe.push_str("\\n"),
            '\t' => safe.push_str("\\t"),
            '\r' => safe.push_str("\\r"),
            c if (c as u32) < 0x80 && is_control(c) => {
                safe.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if unsafe_char(c) => safe.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => safe.push(c),
        }
    }
    Cow::Owned(safe)
}

/// The most characters of the user's own input an error line shows: more than the
/// longest ARN of a run.
pub const ECHO_CHARS: usize = 256;

/// What the user typed or pasted, as an error line shows it: terminal-safe, and cut to
/// [`ECHO_CHARS`] characters with `…` (a 100 kB paste is no one-line error).
pub fn echo(text: &str) -> Cow<'_, str> {
    let cut = match text.char_indices().nth(ECHO_CHARS) {
        Some((at, _)) => &text[..at],
        None => text,
    };
    let safe = terminal_safe(cut);
    if cut.len() == text.len() {
        safe
    } else {
        Cow::Owned(format!("{safe}…"))
    }
}

/// Writes `value` as one line of compact JSON, newline included.
pub fn write_json_line<T: Serialize + ?Sized>(
    out: &mut dyn Write,
    value: &T,
    buffer: &mut Vec<u8>,
) -> io::Result<()> {
    write_json(out, value, buffer)?;
    out.write_all(b"\n")
}

/// Writes `value` as compact JSON. serde_json escapes C0 controls already; DEL, the C1
/// controls (U+0080–U+009F), the bidirectional controls and the line separators are
/// escaped here too (`\u202e`), which leaves the JSON value the same but keeps a
/// terminal from acting on them. `buffer` is reused between calls.
pub fn write_json<T: Serialize + ?Sized>(
    out: &mut dyn Write,
    value: &T,
    buffer: &mut Vec<u8>,
) -> io::Result<()> {
    buffer.clear();
    serde_json::to_writer(&mut *buffer, value)?;
    if needs_extra_escapes(buffer) {
        let text = std::str::from_utf8(buffer).map_err(io::Error::other)?;
        let mut escaped = String::with_capacity(text.len() + 16);
        for c in text.chars() {
            if json_escapes(c) {
                escaped.push_str(&format!("\\u{:04x}", c as u32));
            } else {
                escaped.push(c);
            }
        }
        out.write_all(escaped.as_bytes())?;
    } else {
        out.write_all(buffer)?;
    }
    Ok(())
}

/// Plain ASCII below DEL (most output) needs nothing more: checked first, byte by byte.
fn needs_extra_escapes(bytes: &[u8]) -> bool {
    bytes.iter().any(|b| *b >= 0x7f)
        && std::str::from_utf8(bytes).is_ok_and(|text| text.chars().any(json_escapes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_echo_is_cut_to_its_length_on_a_character_boundary() {
        assert_eq!(echo("short\n"), "short\\n");
        let long = "é".repeat(ECHO_CHARS + 1);
        let shown = echo(&long);
        assert_eq!(shown.chars().count(), ECHO_CHARS + 1);
        assert!(shown.ends_with("é…"), "{shown}");
        assert_eq!(echo(&long[..2 * ECHO_CHARS]), long[..2 * ECHO_CHARS]);
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(terminal_safe("plain"), "plain");
        assert_eq!(terminal_safe("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(
            terminal_safe("a\u{1b}[31mred\nb\tc\u{7f}\u{9b}"),
            "a\\x1b[31mred\\nb\\tc\\x7f\\u{9b}"
        );
    }

    #[test]
    fn invisible_characters_are_shown_for_people() {
        for (raw, shown) in [
            ("a\u{200b}b", "a\\u{200b}b"),
            ("a\u{feff}b", "a\\u{feff}b"),
            ("soft\u{ad}hyphen", "soft\\u{ad}hyphen"),
            ("tag\u{e0041}", "tag\\u{e0041}"),
            ("line\u{2028}sep", "line\\u{2028}sep"),
            ("arabic\u{61c}mark", "arabic\\u{61c}mark"),
        ] {
            assert_eq!(terminal_safe(raw), shown);
        }
    }

    #[test]
    fn json_escapes_bidi_controls_and_separators_but_keeps_the_value() {
        let value = json!({"s": "a\u{202e}b\u{2066}c\u{61c}d\u{2028}e"});
        let mut out = Vec::new();
        write_json_line(&mut out, &value, &mut Vec::new()).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert_eq!(line, "{\"s\":\"a\\u202eb\\u2066c\\u061cd\\u2028e\"}\n");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&line).unwrap(),
            value
        );
    }

    #[test]
    fn json_lines_escape_del_and_c1_but_keep_the_value() {
        let value = json!({"s": "x\u{1b}y\u{7f}z\u{9b}é"});
        let mut out = Vec::new();
        write_json_line(&mut out, &value, &mut Vec::new()).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert_eq!(line, "{\"s\":\"x\\u001by\\u007fz\\u009bé\"}\n");
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back, value);
    }
}

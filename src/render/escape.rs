//! Keeps payload text from reaching a terminal raw: an event's input or a failure's cause
//! can hold escape sequences, and a table cell or an error line must show them, not obey
//! them. JSON output is made terminal-safe without changing the JSON value it encodes.

use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};

/// True for the characters a terminal may act on (C0 controls, DEL, C1 controls) and
/// for the bidirectional controls that can make a line read other than it is.
fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text with every control character shown as an escape: `\n`, `\t`, `\r`, `\x1b`,
/// `\u{9b}`. Text without any comes back borrowed.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
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
            c if is_control(c) => safe.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => safe.push(c),
        }
    }
    Cow::Owned(safe)
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

/// Writes `value` as compact JSON. serde_json escapes C0 controls already; DEL and the
/// C1 controls (U+0080–U+009F) are escaped here too, which leaves the JSON value the
/// same but keeps a terminal from acting on them. `buffer` is reused between calls.
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
            match c as u32 {
                0x7f..=0x9f => escaped.push_str(&format!("\\u{:04x}", c as u32)),
                _ => escaped.push(c),
            }
        }
        out.write_all(escaped.as_bytes())?;
    } else {
        out.write_all(buffer)?;
    }
    Ok(())
}

/// DEL is 0x7f; C1 controls are encoded in UTF-8 as 0xC2 0x80..=0x9F.
fn needs_extra_escapes(bytes: &[u8]) -> bool {
    bytes.contains(&0x7f)
        || bytes
            .windows(2)
            .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

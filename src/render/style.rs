//! Colour and marks for statuses, shared by the table, the tree and the summary: the one
//! map from a status to its colour, as an `anstyle` style. Colour only when the
//! presentation allows it; marks in Unicode or plain ASCII.

use crate::model::Status;
use anstyle::{AnsiColor, Style};

/// How a failure is marked: the failed-at line, a tree line's error.
const FAILURE: Style = AnsiColor::Red.on_default().bold();

/// The colour of `status`, wherever a status is shown.
pub fn of(status: Status) -> Style {
    match status {
        Status::Failed | Status::TimedOut | Status::Aborted => AnsiColor::Red.on_default(),
        Status::Succeeded => AnsiColor::Green.on_default(),
        Status::Cancelled | Status::Skipped => AnsiColor::Yellow.on_default(),
        Status::Started | Status::Scheduled | Status::Running | Status::Pending => {
            AnsiColor::Cyan.on_default()
        }
        Status::Info => Style::new().dimmed(),
    }
}

/// `text` in `style`, when colour is on.
pub fn paint(style: Style, text: &str, color: bool) -> String {
    if color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

/// `text` in the colour of `status`, when colour is on.
pub fn status(status: Status, color: bool, text: &str) -> String {
    paint(of(status), text, color)
}

/// `text` marked as the failure, when colour is on.
pub fn failure(text: &str, color: bool) -> String {
    paint(FAILURE, text, color)
}

/// The mark of a line whose status is not known, and of an `info` record.
const NEUTRAL: &str = "\u{2219}";

/// The one-character mark of a status.
///
/// Every Unicode mark is one column wherever it is drawn: its East Asian Width is
/// Neutral (never Ambiguous, which CJK-locale terminals draw two columns wide), it has
/// no emoji presentation (not in Unicode's Emoji property, which some terminals draw as
/// a two-column picture), and `unicode-width` counts it as 1 (see the test below).
/// That rules out the old `⏱` (U+23F1, an emoji), `▶` (U+25B6, an emoji and
/// Ambiguous), `○` (U+25CB) and `•` (U+2022), both Ambiguous. Chosen instead: `✓`
/// U+2713 and `✗` U+2717 (Dingbats, Neutral, not emoji, unlike `✔` U+2714), `⧖` U+29D6
/// WHITE HOURGLASS for a timeout, `⊘` U+2298 and `⊗` U+2297 (math operators), `↷`
/// U+21B7, `▸` U+25B8 SMALL TRIANGLE for running (Neutral, unlike `▶`), `◦` U+25E6
/// WHITE BULLET for waiting and `∙` U+2219 BULLET OPERATOR for the rest.
/// The tree's box drawing (`├─`, `│`) is Ambiguous too; it stays, as in every tree
/// tool, since no Neutral character draws those lines: in a terminal set to draw
/// ambiguous characters wide, `--ascii` draws the tree in plain ASCII.
pub fn mark(status: Option<Status>, ascii: bool) -> &'static str {
    let Some(status) = status else {
        return if ascii { "-" } else { NEUTRAL };
    };
    match (status, ascii) {
        (Status::Succeeded, false) => "\u{2713}",
        (Status::Failed, false) => "\u{2717}",
        (Status::TimedOut, false) => "\u{29d6}",
        (Status::Aborted, false) => "\u{2298}",
        (Status::Cancelled, false) => "\u{2297}",
        (Status::Skipped, false) => "\u{21b7}",
        (Status::Started | Status::Running, false) => "\u{25b8}",
        (Status::Scheduled | Status::Pending, false) => "\u{25e6}",
        (Status::Info, false) => NEUTRAL,
        (Status::Succeeded, true) => "+",
        (Status::Failed | Status::TimedOut | Status::Aborted, true) => "x",
        (Status::Cancelled | Status::Skipped, true) => "~",
        (Status::Started | Status::Running, true) => ">",
        (Status::Scheduled | Status::Pending, true) => ".",
        (Status::Info, true) => "-",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn every_mark_is_one_column_and_none_is_ambiguous_or_an_emoji() {
        // East Asian Width Ambiguous ranges and Emoji-property code points near the
        // marks (from Unicode's EastAsianWidth.txt and emoji-data.txt).
        let ambiguous = |c: char| {
            matches!(c as u32, 0x2022 | 0x2026 | 0x2190..=0x2199 | 0x25a0..=0x25a1
                | 0x25a3..=0x25a9 | 0x25b2..=0x25b3 | 0x25b6..=0x25b7 | 0x25bc..=0x25bd
                | 0x25c0..=0x25c1 | 0x25c6..=0x25c8 | 0x25cb | 0x25ce..=0x25d1
                | 0x25e2..=0x25e5 | 0x25ef | 0x2295 | 0x2299 | 0x2500..=0x254b)
        };
        let emoji = |c: char| {
            matches!(c as u32, 0x2194..=0x2199 | 0x21a9..=0x21aa | 0x231a..=0x231b
                | 0x23e9..=0x23f3 | 0x23f8..=0x23fa | 0x25aa..=0x25ab | 0x25b6 | 0x25c0
                | 0x25fb..=0x25fe | 0x2714 | 0x2716 | 0x274c | 0x274e)
        };
        for status in Status::ALL.map(Some).into_iter().chain([None]) {
            for ascii in [false, true] {
                let mark = mark(status, ascii);
                assert_eq!(mark.width(), 1, "{status:?}: {mark}");
                assert_eq!(mark.chars().count(), 1, "{status:?}: {mark}");
                let c = mark.chars().next().unwrap();
                assert!(
                    !ambiguous(c) && !emoji(c),
                    "{status:?}: {mark} U+{:04X}",
                    c as u32
                );
                assert!(!ascii || c.is_ascii(), "{status:?}: {mark}");
            }
        }
    }
}

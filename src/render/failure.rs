//! A failure in words, the same in the summary, the tree and the table: the error (with
//! `×N, retried after …` when identical failures were folded), the message, and the
//! stack frames beneath it, one per line, never a literal `\n`. The decoding is the
//! model's ([`crate::model::digest`]); the wording is here.

use super::table::format_duration;
use crate::model::digest::{Digest, MAX_FRAMES};
use crate::model::fold::Repeats;

/// A failure, worded.
pub struct Worded {
    /// `Error: message` on one line, with the repeats after the error.
    pub headline: String,
    /// The lines beneath it: stack frames and causes, or the rest of a cause written on
    /// several lines.
    pub more: Vec<String>,
}

/// `×3, retried after 1.0s, 2.0s` (`x3` in ASCII).
pub fn repeats_text(repeats: &Repeats, ascii: bool) -> String {
    let times = if ascii { "x" } else { "×" };
    let mut text = format!("{times}{}", repeats.count);
    if !repeats.gaps_ms.is_empty() {
        let gaps: Vec<String> = repeats
            .gaps_ms
            .iter()
            .map(|gap| format_duration(*gap))
            .collect();
        text.push_str(&format!(", retried after {}", gaps.join(", ")));
    }
    text
}

/// The words for a failure's error and cause; `None` when it has neither.
pub fn worded(
    error: Option<&str>,
    cause: Option<&str>,
    repeats: Option<&Repeats>,
    ascii: bool,
) -> Option<Worded> {
    if error.is_none() && cause.is_none() {
        return None;
    }
    let digest = cause.and_then(Digest::of_cause);
    let (message, more) = match (&digest, cause) {
        // The message, without the type the error already names.
        (Some(digest), _) => (
            Some(digest.message_after(error)),
            digest.frame_lines(MAX_FRAMES),
        ),
        (None, Some(cause)) => {
            let mut lines = cause.lines().filter(|l| !l.trim().is_empty());
            let first = lines.next().unwrap_or("").trim_end().to_string();
            (
                Some(first),
                lines.map(|l| format!("  {}", l.trim_end())).collect(),
            )
        }
        (None, None) => (None, Vec::new()),
    };
    let error = match (error, repeats) {
        (Some(error), Some(repeats)) => Some(format!("{error} {}", repeats_text(repeats, ascii))),
        (None, Some(repeats)) => Some(repeats_text(repeats, ascii)),
        (error, None) => error.map(str::to_string),
    };
    let headline = match (error, message) {
        (Some(error), Some(message)) if !message.is_empty() => format!("{error}: {message}"),
        (Some(error), _) => error,
        (None, Some(message)) => message,
        (None, None) => String::new(),
    };
    Some(Worded { headline, more })
}

/// A failure on one line: the headline and, for an error object, where it was thrown
/// (its top frame), for a table cell.
pub fn one_line(error: Option<&str>, cause: Option<&str>) -> Option<String> {
    let worded = worded(error, cause, None, false)?;
    let top = cause
        .and_then(Digest::of_cause)
        .and_then(|digest| digest.top_frame());
    Some(match top {
        Some(top) => format!("{} (at {top})", worded.headline),
        // Plain text as it came (escaped before a terminal).
        None => match (error, cause) {
            (Some(error), Some(cause)) => format!("{error}: {cause}"),
            (None, Some(cause)) => cause.to_string(),
            _ => worded.headline,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYTHON: &str = r#"{"errorMessage": "card declined", "errorType": "PaymentDeclined", "requestId": "7d9a", "stackTrace": ["  File \"/var/task/app.py\", line 64, in handler\n    receipt = charge()\n"]}"#;

    #[test]
    fn an_error_object_reads_as_a_traceback() {
        let repeats = Repeats {
            count: 3,
            gaps_ms: vec![1000, 2000],
        };
        let worded = worded(Some("PaymentDeclined"), Some(PYTHON), Some(&repeats), false).unwrap();
        assert_eq!(
            worded.headline,
            "PaymentDeclined ×3, retried after 1.0s, 2.0s: card declined"
        );
        assert_eq!(
            worded.more,
            [
                "  File \"/var/task/app.py\", line 64, in handler",
                "    receipt = charge()"
            ]
        );
        let ascii = super::worded(Some("E"), Some("plain"), Some(&repeats), true).unwrap();
        assert_eq!(ascii.headline, "E x3, retried after 1.0s, 2.0s: plain");
        assert_eq!(
            one_line(Some("States.TaskFailed"), Some(PYTHON)).unwrap(),
            "States.TaskFailed: PaymentDeclined: card declined (at File \"/var/task/app.py\", line 64, in handler)"
        );
        assert_eq!(
            one_line(Some("E"), Some("two\nlines")).unwrap(),
            "E: two\nlines"
        );
    }
}

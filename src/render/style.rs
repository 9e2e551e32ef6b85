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
fn paint(style: Style, text: &str, color: bool) -> String {
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

/// The one-character mark of a status.
pub fn mark(status: Option<Status>, ascii: bool) -> &'static str {
    let Some(status) = status else {
        return if ascii { "-" } else { "•" };
    };
    match (status, ascii) {
        (Status::Succeeded, false) => "✓",
        (Status::Failed, false) => "✗",
        (Status::TimedOut, false) => "⏱",
        (Status::Aborted, false) => "⊘",
        (Status::Cancelled, false) => "⊗",
        (Status::Skipped, false) => "↷",
        (Status::Started | Status::Running, false) => "▶",
        (Status::Scheduled | Status::Pending, false) => "○",
        (Status::Info, false) => "•",
        (Status::Succeeded, true) => "+",
        (Status::Failed | Status::TimedOut | Status::Aborted, true) => "x",
        (Status::Cancelled | Status::Skipped, true) => "~",
        (Status::Started | Status::Running, true) => ">",
        (Status::Scheduled | Status::Pending, true) => ".",
        (Status::Info, true) => "-",
    }
}

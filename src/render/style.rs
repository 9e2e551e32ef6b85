//! Colour and marks for statuses, shared by the table, the tree and the summary. Colour
//! only when the presentation allows it; marks in Unicode or plain ASCII.

use crate::model::Status;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const DIM: &str = "\x1b[2m";
const BOLD_RED: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

fn colour_of(status: Status) -> &'static str {
    match status {
        Status::Failed | Status::TimedOut | Status::Aborted => RED,
        Status::Succeeded => GREEN,
        Status::Cancelled | Status::Skipped => YELLOW,
        Status::Started | Status::Scheduled | Status::Running | Status::Pending => CYAN,
        Status::Info => DIM,
    }
}

/// `text` in the colour of `status`, when colour is on.
pub fn status(status: Status, color: bool, text: &str) -> String {
    if color {
        format!("{}{text}{RESET}", colour_of(status))
    } else {
        text.to_string()
    }
}

/// `text` marked as the failure, when colour is on.
pub fn failure(text: &str, color: bool) -> String {
    if color {
        format!("{BOLD_RED}{text}{RESET}")
    } else {
        text.to_string()
    }
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

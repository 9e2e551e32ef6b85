//! The run summary header that `-o table` and `-o tree` print first, and that
//! `--summary` prints alone: status, times, counts, and the failure that explains the
//! run with its error and cause in full, so it can be pasted into a ticket as is.

use super::{style, terminal_safe, write_json_line, Presentation, Report, RunReport};
use crate::model::digest::{self, Digest};
use crate::model::fold::Repeats;
use crate::model::{ChildCause, ConsoleLink, RunSummary, Status, Stopped, Timestamp};
use crate::render::table::format_duration;
use std::io::{self, Write};
use unicode_width::UnicodeWidthChar;

/// `--summary`: the run summary alone, as one JSON record (`record`, for the machine
/// formats) or as the header people read.
pub struct SummaryReport {
    pub record: bool,
    pub presentation: Presentation,
}

impl Report for SummaryReport {
    fn needs(&self) -> super::Needs {
        super::Needs {
            all_events: true,
            ..super::Needs::default()
        }
    }

    fn write(&self, out: &mut dyn Write, run: RunReport) -> io::Result<()> {
        if self.record {
            write_json_line(out, &run.summary, &mut Vec::new())?;
        } else {
            write_header(out, &run.summary, &self.presentation)?;
        }
        out.flush()
    }
}

/// Writes the header: one `Label  value` line each.
pub fn write_header(
    out: &mut dyn Write,
    summary: &RunSummary,
    presentation: &Presentation,
) -> io::Result<()> {
    let mut lines: Vec<(&str, String)> = Vec::new();
    // Several runs read (`codepipeline --all`): the summary is the newest one's, and says so.
    let newest_of = summary
        .executions
        .filter(|n| *n > 1)
        .map(|n| format!("the newest of {n} executions read: this summary is its own"));
    match (&summary.execution, newest_of) {
        (Some(execution), None) => lines.push(("Execution", terminal_safe(execution).into_owned())),
        (Some(execution), Some(newest_of)) => lines.push((
            "Execution",
            format!("{} ({newest_of})", terminal_safe(execution)),
        )),
        (None, Some(newest_of)) => lines.push(("Execution", newest_of)),
        (None, None) => {}
    }
    let status = summary
        .status
        .map_or("not recorded in this history".to_string(), |s| {
            style::status(s, presentation.color, s.as_str())
        });
    lines.push(("Status", status));
    if let Some(start) = summary.start {
        lines.push(("Started", local_time(start)));
    }
    if let Some(end) = summary.end {
        lines.push(("Ended", local_time(end)));
    }
    if let Some(duration) = summary.duration_ms {
        lines.push(("Duration", format_duration(duration)));
    }
    lines.push((
        "Events",
        if summary.stopped == Some(Stopped::Limit) {
            format!("{} (reading stopped at --limit)", summary.events)
        } else if summary.stopped == Some(Stopped::Error) {
            format!(
                "{} (reading stopped by an error: see below)",
                summary.events
            )
        } else if summary.partial && summary.events == 0 {
            "0 (no events: nothing can be said of the run)".to_string()
        } else if summary.partial && summary.start.is_none() {
            format!(
                "{} (part of the history: its start is not in it)",
                summary.events
            )
        } else if summary.partial {
            format!(
                "{} (part of the history: events are missing from it)",
                summary.events
            )
        } else {
            summary.events.to_string()
        },
    ));
    if let Some(redrives) = summary.redrives {
        lines.push(("Redrives", redrives.to_string()));
    }
    let safe = |text: &str| terminal_safe(text).into_owned();
    let run_error = (summary.error.is_some() || summary.cause.is_some())
        .then_some((summary.error.as_deref(), summary.cause.as_deref()));
    let failure_error = summary
        .failure
        .as_ref()
        .map(|f| (f.error.as_deref(), f.cause.as_deref()));
    // The run's own error first when it says something the failing state's does not (a
    // Catch → Fail flow): the state's then follows as what caused it. A part the run
    // lacks is no difference: an SSM automation has a cause (its FailureMessage) and no
    // error of its own, the failed step's message as it is.
    let differs = |run: Option<&str>, failure: Option<&str>| run.is_some() && run != failure;
    let distinct = match (run_error, failure_error) {
        (Some((error, cause)), Some((failure_error, failure_cause))) => {
            differs(error, failure_error) || differs(cause, failure_cause)
        }
        _ => false,
    };
    if distinct || (failure_error.is_none() && run_error.is_some()) {
        let (error, cause) = run_error.unwrap_or_default();
        push_failure(&mut lines, error, cause, None, presentation.ascii);
    }
    if let Some(failure) = &summary.failure {
        let mut at = failure.name.as_deref().map(safe).unwrap_or_default();
        let what = match &failure.id {
            Some(id) => format!("{}, event {}", safe(&failure.kind), safe(&id.to_string())),
            None => safe(&failure.kind),
        };
        at = if at.is_empty() {
            what
        } else {
            format!("{at} ({what})")
        };
        let label = match summary.status {
            Some(Status::Aborted) => "Aborted at",
            Some(Status::TimedOut) => "Timed out",
            _ => "Failed at",
        };
        if let Some(root) = &summary.root_cause {
            let arrow = if presentation.ascii { "->" } else { "→" };
            at = format!("{at} {arrow} {}", root_cause_text(root, arrow));
        }
        lines.push((label, style::failure(&at, presentation.color)));
        if distinct {
            if let Some(worded) = super::failure::worded(
                failure.error.as_deref(),
                failure.cause.as_deref(),
                failure.retries.as_ref(),
                presentation.ascii,
            ) {
                lines.push(("Caused by", safe(&worded.headline)));
                lines.extend(worded.more.iter().map(|line| ("", safe(line))));
            }
        } else {
            push_failure(
                &mut lines,
                failure.error.as_deref(),
                failure.cause.as_deref(),
                failure.retries.as_ref(),
                presentation.ascii,
            );
        }
    }
    if let (None, Some(root)) = (&summary.failure, &summary.root_cause) {
        let arrow = if presentation.ascii { "->" } else { "→" };
        lines.push((
            "Root cause",
            style::failure(&root_cause_text(root, arrow), presentation.color),
        ));
    }
    if summary
        .children
        .as_ref()
        .is_some_and(|c| c.started.is_none())
    {
        // A cheap summary read only the history's newest events.
        lines.push((
            "Children",
            "not counted: this summary read only the newest events (the table, -o tree \
             and --depth 1 read the whole history and count them)"
                .to_string(),
        ));
    }
    if let Some((children, started)) = summary
        .children
        .as_ref()
        .and_then(|c| Some((c, c.started?)))
        .filter(|(_, started)| *started > 0)
    {
        let plural = |n: usize, one: &str, many: &str| match n {
            1 => format!("1 {one}"),
            n => format!("{n} {many}"),
        };
        let others = started - children.map_runs.min(started);
        let runs = match (children.map_runs, others) {
            (0, n) => plural(n, "run", "runs"),
            (m, 0) => plural(m, "Map Run", "Map Runs"),
            (m, n) => format!(
                "{} and {}",
                plural(m, "Map Run", "Map Runs"),
                plural(n, "run", "runs")
            ),
        };
        lines.push((
            "Children",
            if children.depth_read == 0 {
                format!(
                    "{runs} started by this one, not read: add --depth {} to include them",
                    children.read_with_depth.max(1)
                )
            } else {
                format!(
                    "{runs} started by this one, read {} level(s) down",
                    children.depth_read
                )
            },
        ));
    }
    if let Some(link) = &summary.console {
        lines.push(("Console", console_text(link)));
    }
    for (label, value) in lines {
        // A URL stays whole on its line (a terminal's wrapping keeps it one to copy);
        // any other value wraps under its own column.
        let room = presentation
            .width
            .filter(|_| label != "Console")
            .map(|width| usize::from(width).saturating_sub(VALUE_COLUMN));
        for (i, line) in wrapped(&value, room).iter().enumerate() {
            let label = if i == 0 { label } else { "" };
            writeln!(out, "{label:<10} {line}")?;
        }
    }
    Ok(())
}

/// `Error` and `Cause` lines for a failure: a cause that holds an error object as its
/// message, then its stack frames one per line beneath it; the repeats after the error.
fn push_failure(
    lines: &mut Vec<(&str, String)>,
    error: Option<&str>,
    cause: Option<&str>,
    retries: Option<&Repeats>,
    ascii: bool,
) {
    let safe = |text: &str| terminal_safe(text).into_owned();
    if let Some(error) = error {
        let text = match retries {
            Some(retries) => format!("{error} {}", super::failure::repeats_text(retries, ascii)),
            None => error.to_string(),
        };
        lines.push(("Error", safe(&text)));
    }
    if let Some(cause) = cause {
        let (message, more) = match Digest::of_cause(cause) {
            Some(digest) => (
                digest.message_after(error),
                digest.frame_lines(digest::MAX_FRAMES),
            ),
            None => {
                let mut parts = cause.lines().filter(|l| !l.trim().is_empty());
                let first = parts.next().unwrap_or(cause).to_string();
                (first, parts.map(str::to_string).collect())
            }
        };
        lines.push(("Cause", safe(&message)));
        lines.extend(more.iter().map(|line| ("", safe(line))));
    }
}

/// Where a value starts: after a label's 10 columns and a space.
const VALUE_COLUMN: usize = 11;

/// The console link as the terminal shows it: an OSC 8 hyperlink (the URL as its text,
/// so that it reads and copies the same) on a terminal known to draw them, else the URL.
/// The URL is made of characters that cannot end the sequence (see
/// `paste::console_url`), and is escaped all the same.
fn console_text(link: &ConsoleLink) -> String {
    let url = terminal_safe(&link.url);
    if link.hyperlink {
        format!("\u{1b}]8;;{url}\u{1b}\\{url}\u{1b}]8;;\u{1b}\\")
    } else {
        url.into_owned()
    }
}

/// `value`'s lines (it may hold several), each cut into lines of at most `room`
/// columns (`None`: never), at a space where there is one in the line's second half.
/// Colour (SGR sequences) is closed at each break and opened again on the next line.
fn wrapped(value: &str, room: Option<usize>) -> Vec<String> {
    let mut lines = Vec::new();
    for line in value.split('\n') {
        let Some(room) = room.filter(|&room| room >= 20 && width(line) > room) else {
            lines.push(line.to_string());
            continue;
        };
        // Pieces: an escape sequence (no width) or one character.
        let mut current = String::new();
        let mut used = 0;
        let mut active = String::new();
        let mut last_space: Option<(usize, usize)> = None;
        let mut chars = line.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if c == '\u{1b}' {
                let mut sequence = String::from(c);
                for (_, c) in chars.by_ref() {
                    sequence.push(c);
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
                active = if sequence == "\u{1b}[0m" || sequence == "\u{1b}[m" {
                    String::new()
                } else {
                    format!("{active}{sequence}")
                };
                current.push_str(&sequence);
                continue;
            }
            let w = UnicodeWidthChar::width(c).unwrap_or(0);
            if used + w > room {
                // Break at the last space when it is past the middle, else here.
                let (keep, rest) = match last_space {
                    Some((at, columns)) if columns > room / 2 => {
                        let rest = current[at + 1..].to_string();
                        current.truncate(at);
                        (current, rest)
                    }
                    _ => (current, String::new()),
                };
                lines.push(close(keep, &active));
                current = format!("{active}{rest}");
                used = width(&rest);
                last_space = None;
            }
            if c == ' ' {
                last_space = Some((current.len(), used));
            }
            current.push(c);
            used += w;
        }
        lines.push(current);
    }
    lines
}

/// A line cut in the middle of colour, closed.
fn close(mut line: String, active: &str) -> String {
    if !active.is_empty() {
        line.push_str("\u{1b}[0m");
    }
    line
}

/// The columns `line` takes, colour aside.
fn width(line: &str) -> usize {
    super::width(&super::strip_colour(line))
}

/// Where a failure leads in the runs a run started, in one line: `5 of 40 child
/// executions failed; first: child-07, ItemRejected: …`, each level after an arrow.
pub fn root_cause_text(root: &ChildCause, arrow: &str) -> String {
    let safe = |text: &str| terminal_safe(text).into_owned();
    let mut text = String::new();
    if let Some(total) = root.total_children {
        let failed = root.unsuccessful_children.unwrap_or(0);
        text.push_str(&format!("{failed} of {total} child executions failed"));
        match &root.within {
            Some(first) => {
                text.push_str("; first: ");
                text.push_str(&root_cause_text(first, arrow));
            }
            None => {
                if let Some(why) = &root.unreadable {
                    text.push_str(&format!("; they could not be listed: {}", safe(why)));
                }
            }
        }
        return text;
    }
    text.push_str(&safe(root.name.as_deref().unwrap_or(&root.execution)));
    if let Some(why) = &root.unreadable {
        text.push_str(&format!(" could not be read: {}", safe(why)));
        return text;
    }
    if let Some(state) = root.failure.as_ref().and_then(|f| f.name.as_deref()) {
        text.push_str(&format!(" at {}", safe(state)));
    }
    // An error object in the cause reads as its message (the frames are the child's own
    // summary's to show).
    let error = super::failure::worded(root.error.as_deref(), root.cause.as_deref(), None, false)
        .map(|worded| worded.headline)
        .or_else(|| root.status.map(|s| s.as_str().to_string()));
    if let Some(error) = error {
        text.push_str(&format!(", {}", safe(&error)));
    }
    if let Some(within) = &root.within {
        text.push_str(&format!(" {arrow} {}", root_cause_text(within, arrow)));
    }
    text
}

/// A time for people: local, with the offset, to the millisecond.
pub fn local_time(time: Timestamp) -> String {
    match local(time) {
        Some(t) => t.strftime("%Y-%m-%d %H:%M:%S%.3f %:z").to_string(),
        None => time.to_rfc3339(),
    }
}

/// `time` in the local time zone (the `TZ` variable's, else the system's).
pub(super) fn local(time: Timestamp) -> Option<jiff::ZonedDateTime> {
    Some(
        time.instant()?
            .to_zoned_datetime(jiff::tz::TimeZone::system()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Failure;

    fn header(error: Option<&str>, cause: Option<&str>) -> String {
        let summary = RunSummary {
            status: Some(Status::Failed),
            error: error.map(str::to_string),
            cause: cause.map(str::to_string),
            failure: Some(Failure {
                name: Some("Step".into()),
                kind: "Kind".into(),
                error: Some("E".into()),
                cause: Some("C".into()),
                ..Failure::default()
            }),
            ..RunSummary::from_events("ssm", &[])
        };
        let presentation = Presentation {
            color: false,
            width: None,
            ascii: true,
        };
        let mut out = Vec::new();
        write_header(&mut out, &summary, &presentation).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_long_value_wraps_under_its_column_and_the_link_stays_whole() {
        let cause = format!("{} {}", "word ".repeat(20).trim_end(), "x".repeat(50));
        let mut summary = RunSummary {
            status: Some(Status::Failed),
            cause: Some(cause.clone()),
            ..RunSummary::from_events("sfn", &[])
        };
        let url = format!("https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/arn:aws:states:us-east-1:1:execution:M:{}", "n".repeat(40));
        summary.console = Some(ConsoleLink {
            url: url.clone(),
            hyperlink: false,
        });
        for color in [false, true] {
            let presentation = Presentation {
                color,
                width: Some(60),
                ascii: false,
            };
            let mut out = Vec::new();
            write_header(&mut out, &summary, &presentation).unwrap();
            let text = String::from_utf8(out).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let at = lines.iter().position(|l| l.starts_with("Cause ")).unwrap();
            // Each line within the width, the value's lines under its column.
            assert!(lines[at + 1].starts_with("           word"), "{text}");
            let mut joined = lines[at][VALUE_COLUMN..].to_string();
            for line in &lines[at + 1..] {
                if !line.starts_with("           ") {
                    break;
                }
                assert!(width(line) <= 60, "{line}");
                joined.push(' ');
                joined.push_str(&line[VALUE_COLUMN..]);
            }
            // Every word kept, a word longer than the room cut where the room ends.
            assert_eq!(joined.replace(' ', ""), cause.replace(' ', ""), "{text}");
            assert_eq!(lines.last().unwrap(), &format!("Console    {url}"));
        }
        // A hyperlink: OSC 8 around the URL, the URL as its text.
        summary.console.as_mut().unwrap().hyperlink = true;
        let mut out = Vec::new();
        write_header(
            &mut out,
            &summary,
            &Presentation {
                color: true,
                width: None,
                ascii: false,
            },
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.ends_with(&format!(
                "Console    \u{1b}]8;;{url}\u{1b}\\{url}\u{1b}]8;;\u{1b}\\\n"
            )),
            "{text:?}"
        );
        // Colour is closed at a break and opened again.
        let red = "\u{1b}[31m";
        let lines = wrapped(&format!("{red}{}\u{1b}[0m", "abc ".repeat(20)), Some(30));
        assert!(lines.len() > 2, "{lines:?}");
        assert!(
            lines[0].starts_with(red) && lines[0].ends_with("\u{1b}[0m"),
            "{lines:?}"
        );
        assert!(lines[1].starts_with(red), "{lines:?}");
    }

    #[test]
    fn the_run_s_error_is_shown_only_where_it_says_more_than_the_failure() {
        let once = "Failed at  Step (Kind)\nError      E\nCause      C\n";
        // No error of its own, the failure's cause: the failure once.
        assert!(header(None, Some("C")).ends_with(once));
        assert!(header(Some("E"), Some("C")).ends_with(once));
        assert!(header(None, None).ends_with(once));
        // A cause of its own, or an error of its own (a Catch → Fail flow): both.
        assert!(header(None, Some("X"))
            .ends_with("Cause      X\nFailed at  Step (Kind)\nCaused by  E: C\n"));
        assert!(header(Some("F"), Some("C"))
            .ends_with("Error      F\nCause      C\nFailed at  Step (Kind)\nCaused by  E: C\n"));
    }
}

//! The run summary header that `-o table` and `-o tree` print first, and that
//! `--summary` prints alone: status, times, counts, and the failure that explains the
//! run with its error and cause in full, so it can be pasted into a ticket as is.

use super::{style, terminal_safe, write_json_line, Presentation, Report, RunReport};
use crate::model::{RunSummary, Timestamp};
use crate::render::table::format_duration;
use std::io::{self, Write};

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
    if let Some(execution) = &summary.execution {
        lines.push(("Execution", terminal_safe(execution).into_owned()));
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
        if summary.partial {
            format!("{} (reading stopped at --limit)", summary.events)
        } else {
            summary.events.to_string()
        },
    ));
    if let Some(redrives) = summary.redrives {
        lines.push(("Redrives", redrives.to_string()));
    }
    if let Some(failure) = &summary.failure {
        let mut at = failure
            .name
            .clone()
            .map(|n| terminal_safe(&n).into_owned())
            .unwrap_or_default();
        let what = match &failure.id {
            Some(id) => format!(
                "{}, event {}",
                terminal_safe(&failure.kind),
                terminal_safe(&id.to_string())
            ),
            None => terminal_safe(&failure.kind).into_owned(),
        };
        at = if at.is_empty() {
            what
        } else {
            format!("{at} ({what})")
        };
        lines.push(("Failed at", style::failure(&at, presentation.color)));
        if let Some(error) = &failure.error {
            lines.push(("Error", terminal_safe(error).into_owned()));
        }
        if let Some(cause) = &failure.cause {
            lines.push(("Cause", terminal_safe(cause).into_owned()));
        }
    }
    for (label, value) in lines {
        writeln!(out, "{label:<10} {value}")?;
    }
    Ok(())
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

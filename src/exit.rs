//! Exit statuses, decided in exactly one place: 0 success (and a closed output pipe),
//! 1 a runtime or API error, 2 a usage error (bad flags, a malformed ARN); with
//! `--exit-status`, the run's outcome ([`RunOutcome`]: 0, 3, 4, 5, 8); 130 when
//! interrupted (Ctrl-C). Errors are
//! printed as one line, `histx: <message>`, with payload text escaped.

use std::fmt;
use std::io;
use std::process::ExitCode;

/// A mistake in how histx was called, found before any request: exit status 2.
#[derive(Debug)]
pub struct UsageError(String);

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        UsageError(message.into())
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The documented exit statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success = 0,
    Failure = 1,
    Usage = 2,
    /// `--exit-status`: the run failed.
    RunFailed = 3,
    /// `--exit-status`: the run timed out.
    RunTimedOut = 4,
    /// `--exit-status`: the run was aborted, stopped, cancelled, superseded or terminated.
    RunStopped = 5,
    /// `--exit-status`: the run was still running when histx stopped (or its outcome is
    /// one histx does not know).
    RunUnfinished = 8,
    /// Interrupted (Ctrl-C, SIGINT): what was printed is whole lines.
    Interrupted = 130,
}

/// What a command that ran to its end established: nothing to report, or (with
/// `--exit-status`) how the run it showed ended. Returned, not raised: it is no error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Run(RunOutcome),
}

/// How a run ended, as `--exit-status` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    Succeeded,
    Failed,
    TimedOut,
    Stopped,
    /// Still running, or a status that is not an outcome.
    Unfinished,
}

impl RunOutcome {
    /// The outcome of a run's normalized status (`None`: the history does not say).
    pub fn of(status: Option<crate::model::Status>) -> RunOutcome {
        use crate::model::Status as Run;
        match status {
            Some(Run::Succeeded) => RunOutcome::Succeeded,
            Some(Run::Failed) => RunOutcome::Failed,
            Some(Run::TimedOut) => RunOutcome::TimedOut,
            Some(Run::Aborted | Run::Cancelled | Run::Skipped) => RunOutcome::Stopped,
            _ => RunOutcome::Unfinished,
        }
    }
}

impl From<Outcome> for Status {
    fn from(outcome: Outcome) -> Status {
        match outcome {
            Outcome::Done | Outcome::Run(RunOutcome::Succeeded) => Status::Success,
            Outcome::Run(RunOutcome::Failed) => Status::RunFailed,
            Outcome::Run(RunOutcome::TimedOut) => Status::RunTimedOut,
            Outcome::Run(RunOutcome::Stopped) => Status::RunStopped,
            Outcome::Run(RunOutcome::Unfinished) => Status::RunUnfinished,
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// The exit status for an error, and whether to print it. A closed pipe (`| head`) is
/// not an error: the reader has what it wanted.
pub fn classify(error: &anyhow::Error) -> (Status, bool) {
    if is_broken_pipe(error) {
        return (Status::Success, false);
    }
    if error.chain().any(|cause| cause.is::<UsageError>()) {
        return (Status::Usage, true);
    }
    (Status::Failure, true)
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// The one line printed for an error: every context, then the cause, on one line.
pub fn message(error: &anyhow::Error) -> String {
    let text = format!("{error:#}");
    let one_line = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    format!("histx: {}", crate::escape::terminal_safe(&one_line))
}

/// clap's multi-line account of a command-line mistake as one line: the error and its
/// details and tips, without the usage block and the pointer to `--help`; escaped.
pub fn one_line(clap_text: &str) -> String {
    let parts: Vec<String> = clap_text
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("Usage:"))
        .filter(|line| !line.is_empty() && !line.starts_with("For more information"))
        .map(|line| line.strip_prefix("error: ").unwrap_or(line).to_string())
        .collect();
    let mut text = String::new();
    for part in parts {
        if !text.is_empty() {
            text.push_str(if part.starts_with('[') { " " } else { "; " });
        }
        text.push_str(&part);
    }
    crate::escape::terminal_safe(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::anyhow;

    #[test]
    fn clap_errors_become_one_line() {
        let text = "error: invalid value 'xml' for '--output <OUTPUT>'\n  [possible values: table, json]\n\n  tip: a similar value exists: 'json'\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(text),
            "invalid value 'xml' for '--output <OUTPUT>' [possible values: table, json]; tip: a similar value exists: 'json'"
        );
        let text = "error: unexpected argument '--bogus' found\n\n  tip: to pass '--bogus' as a value, use '-- --bogus'\n\nUsage: histx sfn [OPTIONS]\n       histx sfn <COMMAND>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(text),
            "unexpected argument '--bogus' found; tip: to pass '--bogus' as a value, use '-- --bogus'"
        );
    }

    #[test]
    fn statuses_are_documented_numbers() {
        assert_eq!(Status::Success as u8, 0);
        assert_eq!(Status::Failure as u8, 1);
        assert_eq!(Status::Usage as u8, 2);
        let code = |status| Status::from(Outcome::Run(RunOutcome::of(status))) as u8;
        use crate::model::Status as Run;
        assert_eq!(code(Some(Run::Succeeded)), 0);
        assert_eq!(code(Some(Run::Failed)), 3);
        assert_eq!(code(Some(Run::TimedOut)), 4);
        assert_eq!(code(Some(Run::Aborted)), 5);
        assert_eq!(code(Some(Run::Cancelled)), 5);
        assert_eq!(code(Some(Run::Running)), 8);
        assert_eq!(code(Some(Run::Pending)), 8);
        assert_eq!(code(None), 8);
        assert_eq!(Status::from(Outcome::Done) as u8, 0);
    }

    #[test]
    fn errors_are_classified() {
        assert_eq!(classify(&anyhow!("boom")), (Status::Failure, true));
        assert_eq!(
            classify(&anyhow!(UsageError::new("bad"))),
            (Status::Usage, true)
        );
        let pipe =
            anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe)).context("writing");
        assert_eq!(classify(&pipe), (Status::Success, false));
    }

    #[test]
    fn messages_are_one_escaped_line() {
        let error = anyhow!("cause\nwith \u{1b}[31m escape").context("reading file");
        assert_eq!(
            message(&error),
            "histx: reading file: cause with \\x1b[31m escape"
        );
    }
}

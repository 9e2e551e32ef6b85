//! The progress line on stderr, only when stderr is a terminal, as one line rewritten in
//! place (carriage return, erase the line), never ended by a newline: with `--follow`
//! the run's status, the time elapsed, the records so far and when the next poll is
//! ([`Facts`]); for a read that takes longer than a second, the records and pages read
//! so far and the time it took ([`Reading`], counted by [`read_page`]).
//!
//! Whether it is on the screen is one process-wide fact, so that every writer of stderr
//! (a service's notices, the retry notice, the error or Ctrl-C line in `main`) erases it
//! first with [`clear`], and histx never exits with it showing. When stdout is the same
//! terminal, [`Guarded`] erases it before output is written and puts it back after each
//! flush: it never mixes into stdout's lines (nor is it drawn between a write and the
//! flush that puts it on the screen). Once a pager has the terminal ([`hand_over`]),
//! the line is never drawn again.

use crate::model::Status;
use crate::render::{cut, width};
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Carriage return, then erase the whole line.
const ERASE: &str = "\r\x1b[2K";

/// The line is on the screen now.
static SHOWN: AtomicBool = AtomicBool::new(false);
/// Lines written on stderr, each after [`before_stderr_line`].
static STDERR_LINES: AtomicUsize = AtomicUsize::new(0);
/// The last line shown, to put back after stdout was written.
static LAST: Mutex<Option<String>> = Mutex::new(None);
/// Stdout was written (through [`Guarded`]) and not flushed yet: drawing the line now
/// would put it in the middle of stdout's text.
static HELD: AtomicBool = AtomicBool::new(false);
/// Another program (the pager) has the terminal: the line is not drawn any more.
static HANDED_OVER: AtomicBool = AtomicBool::new(false);
/// Records and pages read so far (see [`read_page`]).
static RECORDS_READ: AtomicUsize = AtomicUsize::new(0);
static PAGES_READ: AtomicUsize = AtomicUsize::new(0);
/// What the records read are called, when the command's own listing says (state
/// machines rather than runs): in place of the noun the line was drawn with.
static NOUN: std::sync::OnceLock<(&'static str, &'static str)> = std::sync::OnceLock::new();

/// What the line says, as the engine knows it.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    /// The run's status as last polled.
    pub status: Option<Status>,
    /// Since the run started (else since following began).
    pub elapsed: Duration,
    /// Whether `elapsed` counts from the run's start.
    pub since_run_start: bool,
    /// Records read so far (each span once).
    pub records: usize,
    /// The wait until the next poll; `None` while a poll is under way.
    pub next_poll: Option<Duration>,
}

/// The line's text, plain and escaped-free (histx writes every word of it).
pub fn text(facts: &Facts) -> String {
    let status = facts.status.map_or("status not known yet", Status::as_str);
    let elapsed = clock(facts.elapsed);
    let elapsed = if facts.since_run_start {
        format!("{elapsed} elapsed")
    } else {
        format!("following for {elapsed}")
    };
    let next = match facts.next_poll {
        Some(wait) => format!("next poll in {}s", wait.as_secs_f64().ceil() as u64),
        None => "polling…".to_string(),
    };
    format!(
        "histx: {status} · {elapsed} · {} {} · {next}",
        facts.records,
        if facts.records == 1 {
            "record"
        } else {
            "records"
        }
    )
}

/// What the line of a read says: how much was read, in how long.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    /// What a record is called, one and many (`event`, `events`).
    pub noun: (&'static str, &'static str),
    pub records: usize,
    pub pages: usize,
    pub elapsed: Duration,
}

impl Reading {
    /// The read so far: what [`read_page`] counted, `elapsed` since it began.
    pub fn so_far(noun: (&'static str, &'static str), elapsed: Duration) -> Self {
        Reading {
            noun: NOUN.get().copied().unwrap_or(noun),
            records: RECORDS_READ.load(Ordering::Relaxed),
            pages: PAGES_READ.load(Ordering::Relaxed),
            elapsed,
        }
    }

    /// The line's text.
    pub fn text(&self) -> String {
        let noun = if self.records == 1 {
            self.noun.0
        } else {
            self.noun.1
        };
        format!(
            "histx: reading · {} {noun} · {} {} · {}",
            self.records,
            self.pages,
            if self.pages == 1 { "page" } else { "pages" },
            clock(self.elapsed)
        )
    }
}

/// Counts a page of `records` read (of the run or of the runs it started), for
/// [`Reading::so_far`].
pub fn read_page(records: usize) {
    RECORDS_READ.fetch_add(records, Ordering::Relaxed);
    PAGES_READ.fetch_add(1, Ordering::Relaxed);
}

/// The records read are `noun` (one, many), whatever the line was drawn with: a listing
/// knows what it lists once it has begun.
pub fn call_records(noun: (&'static str, &'static str)) {
    let _ = NOUN.set(noun);
}

/// Takes back a page of `records` counted by [`read_page`] that will be read, and
/// counted, again (a cheap summary's newest page that turned out to be the whole
/// history, handed over to the whole read).
pub fn unread_page(records: usize) {
    RECORDS_READ.fetch_sub(records, Ordering::Relaxed);
    PAGES_READ.fetch_sub(1, Ordering::Relaxed);
}

/// `1h02m03s`, `4m05s`, `6s`.
fn clock(elapsed: Duration) -> String {
    let s = elapsed.as_secs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, s) => format!("{h}h{m:02}m{s:02}s"),
    }
}

/// Shows the line for `facts` in place of the last one, cut to the terminal's width
/// (one column short, so the terminal never wraps it).
pub fn show(facts: &Facts) {
    show_line(text(facts));
}

/// Shows the line of a read (see [`show`]).
pub fn show_reading(reading: &Reading) {
    show_line(reading.text());
}

fn show_line(mut line: String) {
    if HELD.load(Ordering::Relaxed) || HANDED_OVER.load(Ordering::Relaxed) {
        return;
    }
    let columns = terminal_size::terminal_size_of(io::stderr())
        .map(|(terminal_size::Width(w), _)| usize::from(w))
        .filter(|&w| w > 1)
        .unwrap_or(80);
    if width(&line) >= columns {
        line = cut(&line, columns - 1, "…");
    }
    put(&line);
    if let Ok(mut last) = LAST.lock() {
        *last = Some(line);
    }
}

fn put(line: &str) {
    let mut stderr = io::stderr().lock();
    // Diagnostics only: a closed stderr must not stop the follow.
    let _ = write!(stderr, "{ERASE}{line}").and_then(|()| stderr.flush());
    SHOWN.store(true, Ordering::Relaxed);
}

/// Before a line of histx's own on stderr (a notice, an error): erases the progress
/// line, and tells a frame being redrawn on the same terminal not to go back over it.
pub fn before_stderr_line() {
    // Only a line on the terminal moves a frame redrawn there (stderr redirected
    // elsewhere leaves the screen as it was).
    static STDERR_ON_TERMINAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *STDERR_ON_TERMINAL.get_or_init(|| io::IsTerminal::is_terminal(&io::stderr())) {
        stderr_line_on_terminal();
    }
    clear();
}

/// Counts a line written on stderr, a terminal.
pub(crate) fn stderr_line_on_terminal() {
    STDERR_LINES.fetch_add(1, Ordering::Relaxed);
}

/// Lines histx has written on stderr so far (see [`before_stderr_line`]).
pub fn stderr_lines() -> usize {
    STDERR_LINES.load(Ordering::Relaxed)
}

/// Erases the line, if it is showing: before stdout is written, and at the end.
pub fn clear() {
    if SHOWN.swap(false, Ordering::Relaxed) {
        let mut stderr = io::stderr().lock();
        let _ = write!(stderr, "{ERASE}").and_then(|()| stderr.flush());
    }
}

/// Erases the line for good: no [`Guarded`] flush puts it back.
pub fn end() {
    if let Ok(mut last) = LAST.lock() {
        *last = None;
    }
    clear();
}

/// Another program takes the terminal (the pager): the line is erased, and never drawn
/// again.
pub fn hand_over() {
    HANDED_OVER.store(true, Ordering::Relaxed);
    clear();
}

/// Puts the last line back after it was cleared for stdout's sake.
fn restore() {
    if SHOWN.load(Ordering::Relaxed) || HANDED_OVER.load(Ordering::Relaxed) {
        return;
    }
    let last = LAST.lock().ok().and_then(|last| last.clone());
    if let Some(line) = last {
        put(&line);
    }
}

/// Stdout, when it is the terminal the progress line is on: the line is erased before
/// anything is written and put back after each flush (a page written whole).
pub struct Guarded<'a>(pub &'a mut dyn Write);

impl Write for Guarded<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        clear();
        HELD.store(true, Ordering::Relaxed);
        self.0.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        clear();
        HELD.store(true, Ordering::Relaxed);
        self.0.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()?;
        HELD.store(false, Ordering::Relaxed);
        restore();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_status_elapsed_records_and_the_next_poll() {
        let facts = Facts {
            status: Some(Status::Running),
            elapsed: Duration::from_secs(125),
            since_run_start: true,
            records: 42,
            next_poll: Some(Duration::from_millis(1500)),
        };
        assert_eq!(
            text(&facts),
            "histx: running · 2m05s elapsed · 42 records · next poll in 2s"
        );
        let polling = Facts {
            status: None,
            since_run_start: false,
            records: 1,
            next_poll: None,
            ..facts
        };
        assert_eq!(
            text(&polling),
            "histx: status not known yet · following for 2m05s · 1 record · polling…"
        );
        assert_eq!(clock(Duration::from_secs(3723)), "1h02m03s");
    }

    #[test]
    fn the_line_of_a_read_says_records_pages_and_elapsed() {
        let reading = Reading {
            noun: ("step", "steps"),
            records: 1,
            pages: 1,
            elapsed: Duration::from_millis(1500),
        };
        assert_eq!(reading.text(), "histx: reading · 1 step · 1 page · 1s");
        let more = Reading {
            noun: ("event", "events"),
            records: 25_000,
            pages: 25,
            elapsed: Duration::from_secs(65),
        };
        assert_eq!(
            more.text(),
            "histx: reading · 25000 events · 25 pages · 1m05s"
        );
    }
}

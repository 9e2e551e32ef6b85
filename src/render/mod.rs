//! Renderers: pure functions from normalized events (or, for `-o raw`, the wire events)
//! to an `impl Write`. They know nothing of AWS or of where the events came from.
//!
//! What to print is chosen once, as an [`Output`]: a stream (JSON lines, one JSON
//! document, raw wire records), written page by page as records arrive, or a report
//! (table, tree, the run summary alone), written once the whole run is read and told
//! what the report needs of it.

mod failure;
mod json;
pub mod live;
mod payload;
pub mod runs;
mod stats;
mod style;
pub mod summary;
pub mod table;
mod table_stream;
mod timeline;
mod tree;

pub use crate::escape::{terminal_safe, write_json_line};
pub(crate) use style::paint as style_paint;

use crate::model::{Event, Node, RunSummary, Timestamp};
use serde_json::Value;
use std::io::{self, Write};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The output formats, chosen once per run with `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people, after the run summary: id, time, elapsed, type, name, status, summary.
    Table,
    /// The run as it nested (states in branches and iterations, attempts), after the run summary.
    Tree,
    /// One normalized event per line (JSON lines), streamed page by page.
    Jsonl,
    /// One JSON document: an array of normalized events.
    Json,
    /// Each event exactly as the API sent it, one per line.
    Raw,
    /// Where the time went: a row per state, attempt, iteration, activity, step or action,
    /// a bar on one time axis.
    Timeline,
    /// Time per state, step or action name: count, failed, retried, total, mean, p50, p95,
    /// max, by total time.
    Stats,
}

impl Format {
    /// Drawn from the whole run once it is read, by a [`Report`] (a table, a tree, a
    /// timeline, stats), rather than written as the pages come.
    pub fn is_a_report(self) -> bool {
        matches!(
            self,
            Format::Table | Format::Tree | Format::Timeline | Format::Stats
        )
    }
}

/// How the output is presented, decided once from the flags and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Presentation {
    /// Colour statuses (never when stdout is not a terminal, unless forced).
    pub color: bool,
    /// The width to fit into; `None`: do not fit (stdout is not a terminal).
    pub width: Option<u16>,
    /// Plain ASCII instead of box drawing and Unicode marks.
    pub ascii: bool,
}

/// `text` in at most `max` display columns (a CJK character takes two), the cut marked
/// with `ellipsis`.
pub(crate) fn cut(text: &str, max: usize, ellipsis: &str) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let room = max.saturating_sub(width(ellipsis));
    let mut used = 0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        used += UnicodeWidthChar::width(c).unwrap_or(0);
        if used > room {
            break;
        }
        end = at + c.len_utf8();
    }
    let mut kept = &text[..end];
    // A sequence (an emoji with its variation selector) can be wider than its characters.
    while width(kept) > room {
        let last = kept.chars().next_back().map_or(0, char::len_utf8);
        kept = &kept[..kept.len() - last];
    }
    format!("{kept}{ellipsis}")
}

/// `text` without its SGR colour sequences (`ESC [ ... m`), as a terminal shows it.
pub(crate) fn strip_colour(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

/// The columns `text` takes on a terminal.
pub(crate) fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// What to print, chosen once from `-o`, `--summary` and `--failed`.
pub enum Output {
    /// Normalized events, written page by page (`-o jsonl`, `-o json`).
    Events(Box<dyn EventSink>),
    /// The records as the service sent them, written page by page (`-o raw`).
    Wire(WireSink),
    /// Written once the whole run is read (`-o table`, `-o tree`, `--summary`).
    Report(Box<dyn Report>),
}

/// Where normalized events go as they arrive.
pub trait EventSink {
    /// One page of events, written (and flushed) at once.
    fn page(&mut self, out: &mut dyn Write, events: &[Event]) -> io::Result<()>;
    /// After the last page.
    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()>;
}

/// `-o raw`: each wire record as the service sent it, one per line.
#[derive(Debug, Default)]
pub struct WireSink;

impl WireSink {
    /// One page of wire records, written (and flushed) at once.
    pub fn page(&mut self, out: &mut dyn Write, records: &[Value]) -> io::Result<()> {
        let mut buffer = Vec::with_capacity(1024);
        for record in records {
            write_json_line(out, record, &mut buffer)?;
        }
        out.flush()
    }
}

/// What a report needs besides the summary and the events shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// The run as it nested.
    pub tree: bool,
    /// Every event of the history, even under `--limit` (which then only narrows what
    /// is shown): what a summary of the whole run needs.
    pub all_events: bool,
    /// The report applies `--limit` to its own rows (`-o timeline`, `-o stats`): every
    /// event reaches it, unlimited, and [`RunReport::limit`] says the limit.
    pub own_limit: bool,
    /// The report never shows the records' inputs (no `--io`): they are let go as each
    /// page is read, not held for the whole run.
    pub no_inputs: bool,
}

/// A whole run, as a report gets it.
#[derive(Debug, Default)]
pub struct RunReport {
    pub summary: RunSummary,
    /// The events to show, after the filters.
    pub events: Vec<Event>,
    /// The run as it nested, when the report needs it (pruned to what the filters kept).
    pub tree: Vec<Node>,
    /// Where the table's ELAPSED counts from: the run's start, or the earliest record read
    /// when that is earlier (several runs shown, `codepipeline --all`) or the history does
    /// not hold the start; never the first row shown, which filters move. So ELAPSED is
    /// never negative.
    pub elapsed_from: Option<Timestamp>,
    /// The runs this run started and their own (`--depth`), depth first, each after its
    /// parent: what `-o table` prints after the run's own table.
    pub children: Vec<ChildSection>,
    /// `--limit`, for a report that applies it to its own rows ([`Needs::own_limit`]).
    pub limit: Option<usize>,
    /// `--failed` found no failure in the run: the report says `nothing failed`.
    pub nothing_failed: bool,
}

/// A run another run started, for a report.
#[derive(Debug)]
pub struct ChildSection {
    pub execution: String,
    pub parent_execution: String,
    /// The parent's event that started it, and that event's state, step or action.
    pub started_by: Option<crate::model::EventId>,
    pub started_in: Option<String>,
    /// The run, or why it could not be read.
    pub report: Result<RunReport, String>,
}

/// Written once the whole run is read.
pub trait Report {
    fn needs(&self) -> Needs {
        Needs::default()
    }
    fn write(&self, out: &mut dyn Write, run: RunReport) -> io::Result<()>;
}

/// The output for a format. `summary_only` (`--summary`) makes it the summary alone: a
/// JSON record for the machine formats, the header for people. `full_errors`
/// (`--failed`) shows errors and causes in full, never cut to the width. `expand`
/// (`--expand`): every iteration of a big loop. `io` (`--io`) shows each record's input
/// and output beneath its line in the table and the tree.
pub fn output(
    format: Format,
    summary_only: bool,
    full_errors: bool,
    expand: bool,
    io: bool,
    presentation: Presentation,
) -> Output {
    if summary_only {
        return Output::Report(Box::new(summary::SummaryReport {
            record: matches!(format, Format::Jsonl | Format::Json | Format::Raw),
            presentation,
        }));
    }
    match format {
        Format::Table => Output::Report(Box::new(table::TableReport {
            presentation,
            full_errors,
            io,
        })),
        Format::Tree => Output::Report(Box::new(TreeReport {
            presentation,
            full_errors,
            expand,
            io,
        })),
        Format::Jsonl => Output::Events(Box::new(json::JsonLines)),
        Format::Json => Output::Events(Box::new(json::JsonDocument::default())),
        Format::Raw => Output::Wire(WireSink),
        Format::Timeline => Output::Report(Box::new(timeline::TimelineReport {
            presentation,
            expand,
        })),
        Format::Stats => Output::Report(Box::new(stats::StatsReport { presentation })),
    }
}

/// The view drawn while a run is followed, for the formats that have one: `-o table`
/// (streamed rows, see [`table_stream`]) and, on a terminal of `rows` lines, `-o tree`
/// (redrawn in place, see [`live::TreeRedraw`]). `spans`: the records are spans that
/// change in place. `None`: the format streams lines or is written at the end.
pub fn live_view(
    format: Format,
    presentation: Presentation,
    rows: Option<u16>,
    spans: bool,
) -> Option<Box<dyn live::LiveView>> {
    match (format, rows) {
        (Format::Table, _) => Some(Box::new(table_stream::TableStream::new(
            presentation,
            spans,
        ))),
        (Format::Tree, Some(rows)) => Some(Box::new(live::TreeRedraw::new(presentation, rows))),
        _ => None,
    }
}

/// `-o tree`: the run summary, then the tree.
struct TreeReport {
    presentation: Presentation,
    full_errors: bool,
    expand: bool,
    io: bool,
}

impl Report for TreeReport {
    fn needs(&self) -> Needs {
        Needs {
            tree: true,
            no_inputs: !self.io,
            ..Needs::default()
        }
    }

    fn write(&self, out: &mut dyn Write, mut run: RunReport) -> io::Result<()> {
        summary::write_header(out, &run.summary, &self.presentation)?;
        writeln!(out)?;
        crate::model::fold::fold_tree(&mut run.tree, self.expand);
        let writer = tree::TreeWriter::new(&self.presentation, self.full_errors);
        if self.io {
            writer.with_io(&run.events).write(out, &run.tree)?;
        } else {
            writer.write(out, &run.tree)?;
        }
        if run.nothing_failed {
            writeln!(out, "nothing failed")?;
        }
        out.flush()
    }
}

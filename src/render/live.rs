//! The views of `--follow` that are drawn while the run goes on, rather than once at its
//! end: the streamed table ([`super::table_stream`]) and, on a terminal, the tree redrawn
//! in place ([`TreeRedraw`]). The engine hands a [`LiveView`] each batch of new events
//! as it arrives and, when the view asks for it, the run so far; at the end, the run as
//! it ended.

use super::{summary, tree, Needs, Presentation, RunReport};
use crate::model::Event;
use crate::terminal::redraw::Redraw;
use std::io::{self, Write};
use std::time::{Duration, Instant};

/// A view drawn while a run is followed.
pub trait LiveView {
    /// What [`LiveView::draw`] and [`LiveView::finish`] need of the run.
    fn needs(&self) -> Needs;
    /// New events (after the filters), oldest first; a span that changed comes again.
    fn arrived(&mut self, out: &mut dyn Write, events: &[Event]) -> io::Result<()>;
    /// The view wants the run so far drawn now.
    fn due(&self) -> bool;
    /// The run so far.
    fn draw(&mut self, out: &mut dyn Write, run: RunReport) -> io::Result<()>;
    /// The run as it ended, or as far as it was followed.
    fn finish(&mut self, out: &mut dyn Write, run: RunReport) -> io::Result<()>;
}

/// How often the tree is redrawn at most.
pub const REDRAW_EVERY: Duration = Duration::from_secs(1);

/// `-o tree --follow` on a terminal: the run summary and the tree, redrawn in place at
/// most once a second, fitted to the screen (the summary on top, the newest lines at
/// the bottom, a line saying how many are hidden); the last drawing is complete.
pub struct TreeRedraw {
    presentation: Presentation,
    redraw: Redraw,
    /// Events arrived since the last drawing.
    changed: bool,
    drawn_at: Option<Instant>,
}

impl TreeRedraw {
    /// For a terminal of `rows` lines (and the presentation's width, else 80 columns).
    pub fn new(presentation: Presentation, rows: u16) -> Self {
        TreeRedraw {
            presentation,
            redraw: Redraw::new(presentation.width.unwrap_or(80), rows),
            changed: false,
            drawn_at: None,
        }
    }

    /// The frame's lines and how many of them are the header (with the blank line).
    fn lines(&self, run: &RunReport) -> io::Result<(Vec<String>, usize)> {
        let mut header = Vec::new();
        summary::write_header(&mut header, &run.summary, &self.presentation)?;
        writeln!(header)?;
        let mut body = Vec::new();
        let mut nodes = run.tree.clone();
        crate::model::fold::fold_tree(&mut nodes, false);
        tree::TreeWriter::new(&self.presentation, false).write(&mut body, &nodes)?;
        let text = |bytes: &[u8]| -> Vec<String> {
            String::from_utf8_lossy(bytes)
                .lines()
                .map(str::to_string)
                .collect()
        };
        let mut lines = text(&header);
        let keep = lines.len();
        lines.extend(text(&body));
        Ok((lines, keep))
    }
}

impl LiveView for TreeRedraw {
    fn needs(&self) -> Needs {
        Needs {
            tree: true,
            ..Needs::default()
        }
    }

    fn arrived(&mut self, _out: &mut dyn Write, events: &[Event]) -> io::Result<()> {
        self.changed |= !events.is_empty();
        Ok(())
    }

    fn due(&self) -> bool {
        self.changed && self.drawn_at.is_none_or(|at| at.elapsed() >= REDRAW_EVERY)
    }

    fn draw(&mut self, out: &mut dyn Write, run: RunReport) -> io::Result<()> {
        let (lines, keep) = self.lines(&run)?;
        self.redraw.frame(out, &lines, keep)?;
        self.changed = false;
        self.drawn_at = Some(Instant::now());
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, run: RunReport) -> io::Result<()> {
        let (lines, _) = self.lines(&run)?;
        self.redraw.last(out, &lines)
    }
}

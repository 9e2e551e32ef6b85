//! A view redrawn in place on a terminal (`-o tree --follow`): each frame replaces the
//! last one (cursor up over it, each line erased and written again, then what is left
//! of the last frame below erased).
//! A frame is fitted to the screen's height, since the cursor cannot go back up into
//! the scrollback: when it is taller than the screen, its top lines (the run summary)
//! stay, one line says how many lines are hidden, and the newest part (the bottom)
//! fills the rest. The last frame is written whole, never cut, so that the scrollback
//! holds the complete result once histx has ended. A line histx says on stderr meanwhile
//! (a notice) stays: the next frame starts below it.

use super::progress;
use crate::render::width;
use std::io::{self, Write};

/// Erases the line the cursor is on.
const ERASE_LINE: &str = "\x1b[2K";
/// Erases from the cursor to the end of the screen.
const ERASE_BELOW: &str = "\x1b[J";

/// Draws frames over one another on a terminal of `columns` × `rows`.
#[derive(Debug)]
pub struct Redraw {
    columns: usize,
    rows: usize,
    /// The screen rows the frame on the screen takes (0: none drawn yet).
    drawn: usize,
    /// Stderr's lines when it was drawn: a line since (a notice) is below it, and the
    /// next frame starts below that rather than going back over it.
    stderr_lines: usize,
}

impl Redraw {
    pub fn new(columns: u16, rows: u16) -> Self {
        Redraw {
            columns: usize::from(columns.max(1)),
            rows: usize::from(rows.max(2)),
            drawn: 0,
            stderr_lines: progress::stderr_lines(),
        }
    }

    /// Replaces the frame on the screen with `lines`, fitted to the screen's height;
    /// the first `keep` lines stay on top when lines must be hidden.
    pub fn frame(&mut self, out: &mut dyn Write, lines: &[String], keep: usize) -> io::Result<()> {
        let fitted = fit(lines, keep, self.rows - 1, self.columns);
        self.draw(out, &fitted)
    }

    /// Replaces the frame on the screen with all of `lines`, as tall as they are: the
    /// last frame, which stays in the scrollback.
    pub fn last(&mut self, out: &mut dyn Write, lines: &[String]) -> io::Result<()> {
        self.draw(out, lines)
    }

    fn draw(&mut self, out: &mut dyn Write, lines: &[String]) -> io::Result<()> {
        if progress::stderr_lines() != self.stderr_lines {
            self.stderr_lines = progress::stderr_lines();
            self.drawn = 0;
        }
        let mut frame = String::new();
        if self.drawn > 0 {
            // Up to the last frame's first row.
            frame.push_str(&format!("\x1b[{}A\r", self.drawn));
        }
        // Each line over the last one's (erased first), then whatever of the last frame
        // is left below. Never an erase of the whole screen, which some terminals (tmux)
        // first push into the scrollback.
        for line in lines {
            frame.push_str(ERASE_LINE);
            frame.push_str(line);
            frame.push('\n');
        }
        if self.drawn > 0 {
            frame.push_str(ERASE_BELOW);
        }
        out.write_all(frame.as_bytes())?;
        out.flush()?;
        self.drawn = lines.iter().map(|l| rows(l, self.columns)).sum();
        Ok(())
    }
}

/// The lines to draw in at most `room` screen rows `columns` wide: all of them when they
/// fit; else the first `keep` (when they leave room for more), a line saying how many
/// are hidden, and as many of the last lines as fit.
pub fn fit(lines: &[String], keep: usize, room: usize, columns: usize) -> Vec<String> {
    let rows_of = |lines: &[String]| -> usize { lines.iter().map(|l| rows(l, columns)).sum() };
    if rows_of(lines) <= room {
        return lines.to_vec();
    }
    let keep = keep.min(lines.len());
    let mut top = &lines[..keep];
    // The top, the note and at least two lines of the newest part; else no top.
    if rows_of(top) + 3 > room {
        top = &lines[..0];
    }
    let mut left = room.saturating_sub(rows_of(top) + 1);
    let mut tail = lines.len();
    while tail > top.len() {
        let need = rows(&lines[tail - 1], columns);
        if need > left {
            break;
        }
        left -= need;
        tail -= 1;
    }
    let hidden = tail - top.len();
    let mut fitted = top.to_vec();
    fitted.push(format!(
        "… {hidden} {} hidden (the whole view is printed when the run ends)",
        if hidden == 1 { "line" } else { "lines" }
    ));
    fitted.extend(lines[tail..].iter().cloned());
    fitted
}

/// The screen rows `line` takes when the terminal wraps it at `columns`; colour
/// sequences take none.
fn rows(line: &str, columns: usize) -> usize {
    let visible = width(&without_colour(line));
    visible.div_ceil(columns).max(1)
}

/// `line` without its `ESC [ … m` colour sequences.
fn without_colour(line: &str) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            plain.push(c);
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("line {i}")).collect()
    }

    #[test]
    fn a_frame_that_fits_is_drawn_whole() {
        assert_eq!(fit(&lines(5), 2, 5, 80), lines(5));
    }

    #[test]
    fn a_tall_frame_keeps_its_top_and_its_newest_lines() {
        let fitted = fit(&lines(30), 3, 10, 80);
        assert_eq!(fitted.len(), 10);
        assert_eq!(&fitted[..3], &lines(3)[..]);
        assert!(fitted[3].starts_with("… 21 lines hidden"), "{}", fitted[3]);
        assert_eq!(fitted[4..], lines(30)[24..]);
    }

    #[test]
    fn wrapped_lines_count_by_the_rows_they_take() {
        let mut tall = lines(6);
        tall[5] = "x".repeat(25);
        // 10 columns: the last line takes 3 rows.
        let fitted = fit(&tall, 1, 5, 10);
        assert_eq!(fitted.len(), 3, "{fitted:?}");
        assert_eq!(fitted[2], tall[5]);
        assert_eq!(rows("\x1b[31mred\x1b[0m", 3), 1);
        assert_eq!(rows("", 3), 1);
    }

    #[test]
    fn a_screen_too_small_for_the_top_shows_the_newest_lines() {
        let fitted = fit(&lines(30), 5, 4, 80);
        assert_eq!(fitted.len(), 4);
        assert!(fitted[0].starts_with("… 27 lines hidden"));
        assert_eq!(fitted[1..], lines(30)[27..]);
    }

    #[test]
    fn a_line_said_on_stderr_since_the_last_frame_is_not_drawn_over() {
        let mut redraw = Redraw::new(80, 24);
        let mut out = Vec::new();
        redraw.frame(&mut out, &lines(2), 1).unwrap();
        // A line said on stderr, the same terminal.
        progress::stderr_line_on_terminal();
        redraw.frame(&mut out, &lines(2), 1).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("A\r"), "{text:?}");
        assert_eq!(text.matches("line 1").count(), 2);
    }

    #[test]
    fn each_frame_goes_up_over_the_last_and_erases_it() {
        let mut redraw = Redraw::new(80, 24);
        let mut out = Vec::new();
        redraw.frame(&mut out, &lines(2), 1).unwrap();
        redraw.frame(&mut out, &lines(3), 1).unwrap();
        redraw.last(&mut out, &lines(40)).unwrap();
        let text = String::from_utf8(out).unwrap();
        let first = "\x1b[2Kline 1\n\x1b[2Kline 2\n";
        assert!(text.starts_with(first), "{text:?}");
        assert!(
            text[first.len()..].starts_with("\x1b[2A\r\x1b[2Kline 1\n"),
            "{text:?}"
        );
        assert!(
            text.contains("line 3\n\x1b[J\x1b[3A\r\x1b[2Kline 1\n"),
            "{text:?}"
        );
        assert!(
            text.ends_with("line 39\n\x1b[2Kline 40\n\x1b[J"),
            "the last frame whole"
        );
    }
}

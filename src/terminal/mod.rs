//! What histx does to a terminal beyond writing lines: for `--follow`, the progress line
//! on stderr ([`progress`]) and a view redrawn in place on stdout ([`redraw`]); else the
//! pager output longer than the screen goes through ([`pager`]). The only
//! module that knows cursor and erase sequences: the engine hands it facts (a status, a
//! count, a wait), the renderers hand it lines, and neither learns an escape code.

pub mod pager;
pub mod progress;
pub mod redraw;

use std::io::IsTerminal;

/// What histx's standard streams are, decided once at the start.
#[derive(Debug, Clone, Copy, Default)]
pub struct Screen {
    /// The height of the terminal stdout is on; `None` when stdout is not a terminal.
    pub stdout_rows: Option<u16>,
    /// Stderr is a terminal (a progress line may be shown there).
    pub stderr_terminal: bool,
}

impl Screen {
    /// The streams as they are. A terminal that does not say its height (a pseudo-terminal
    /// of size 0) is taken as `LINES` rows, else 24.
    pub fn detect(stdout_is_terminal: bool) -> Self {
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let rows = || {
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(_, terminal_size::Height(rows))| rows)
                .filter(|&rows| rows > 0)
                .or_else(|| {
                    std::env::var("LINES")
                        .ok()
                        .and_then(|l| l.parse::<u16>().ok())
                        .filter(|&l| l > 0)
                })
                .unwrap_or(24)
        };
        Screen {
            stdout_rows: (stdout_is_terminal && !dumb).then(rows),
            stderr_terminal: std::io::stderr().is_terminal() && !dumb,
        }
    }
}

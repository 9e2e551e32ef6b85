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
    /// Stdout is a terminal known to draw OSC 8 hyperlinks (see [`hyperlinks`]).
    pub hyperlinks: bool,
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
            hyperlinks: stdout_is_terminal && !dumb && hyperlinks(&|name| std::env::var(name).ok()),
        }
    }
}

/// True when the terminal is one known to draw OSC 8 hyperlinks, from its environment
/// (`var`): `FORCE_HYPERLINK=1` (or `0`, never), as the `supports-hyperlinks`
/// convention has it; else iTerm2, WezTerm, VS Code, Ghostty, Hyper, Tabby, Rio
/// (`TERM_PROGRAM`), a VTE terminal 0.50 or newer (GNOME Terminal, Tilix: `VTE_VERSION`
/// 5000+), Windows Terminal (`WT_SESSION`), Konsole, kitty, foot and Alacritty (by
/// `TERM`). Others get the URL as text: a terminal that does not know OSC 8 may print
/// it as garbage. Never when stdout is not a terminal (decided by the caller).
pub fn hyperlinks(var: &dyn Fn(&str) -> Option<String>) -> bool {
    if let Some(force) = var("FORCE_HYPERLINK") {
        return force != "0" && !force.is_empty();
    }
    let program = var("TERM_PROGRAM").unwrap_or_default();
    let term = var("TERM").unwrap_or_default();
    matches!(
        program.as_str(),
        "iTerm.app" | "WezTerm" | "vscode" | "ghostty" | "Hyper" | "Tabby" | "rio"
    ) || var("VTE_VERSION")
        .and_then(|v| v.parse::<u32>().ok())
        .is_some_and(|v| v >= 5000)
        || var("WT_SESSION").is_some()
        || var("KONSOLE_VERSION").is_some()
        || [
            "xterm-kitty",
            "foot",
            "alacritty",
            "xterm-ghostty",
            "wezterm",
        ]
        .iter()
        .any(|known| term.starts_with(known))
}

#[cfg(test)]
mod tests {
    use super::hyperlinks;

    #[test]
    fn hyperlinks_only_on_terminals_known_to_draw_them() {
        let with = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            hyperlinks(&move |name| {
                pairs
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            })
        };
        assert!(!with(&[("TERM", "xterm-256color")]));
        assert!(!with(&[("TERM", "screen"), ("VTE_VERSION", "4200")]));
        assert!(with(&[("TERM", "xterm-256color"), ("VTE_VERSION", "7600")]));
        assert!(with(&[("TERM_PROGRAM", "iTerm.app")]));
        assert!(with(&[("TERM", "xterm-kitty")]));
        assert!(with(&[("TERM", "xterm"), ("FORCE_HYPERLINK", "1")]));
        assert!(!with(&[
            ("TERM_PROGRAM", "WezTerm"),
            ("FORCE_HYPERLINK", "0")
        ]));
    }
}

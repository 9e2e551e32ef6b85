//! The pager, as git, gh and bat have one: on a terminal, output longer than the screen
//! goes through `$HISTX_PAGER`, else `$PAGER`, else `less -FRX`. Here so that nothing
//! else knows a pager exists: the command's output is written to a [`Paged`], which
//! holds it back until it is longer than the screen (what `less -F` does, for any
//! pager), then starts the pager and hands it everything from the start.
//!
//! Decisions: an empty value (or `cat`) never pages, nor does `--no-pager`, `--follow`
//! (a followed run is drawn as it happens, a pager would hold it back), output that is
//! not a terminal, or `TERM=dumb`. A command with spaces or shell syntax runs through
//! `sh -c`, as git runs it; `LESS=FRX` is set for it when `LESS` is not (colour stays
//! on through `less -R`). A pager quit before the end (`q`) ends histx quietly, exit 0:
//! the write that finds its pipe closed is a closed pipe, as `| head` is. A pager that
//! cannot be started: one notice on stderr, and the output goes to the terminal.

use std::io::{self, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The pager to use, from the environment: `HISTX_PAGER`, else `PAGER`, else
/// `less -FRX`; `None` when the one that is set is empty or `cat`.
pub fn command() -> Option<String> {
    let chosen = ["HISTX_PAGER", "PAGER"]
        .iter()
        .find_map(|name| std::env::var(name).ok())
        .unwrap_or_else(|| "less -FRX".to_string());
    let chosen = chosen.trim();
    (!chosen.is_empty() && chosen != "cat").then(|| chosen.to_string())
}

/// A terminal's size, for deciding when output is longer than the screen.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub rows: u16,
    pub columns: u16,
}

/// Output on its way to the terminal, through a pager once it is longer than the screen.
pub struct Paged<'a> {
    out: &'a mut dyn Write,
    state: State,
}

enum State {
    /// No pager: straight through.
    Direct,
    /// Held back until it fills the screen.
    Holding {
        command: String,
        size: Size,
        held: Vec<u8>,
        rows: usize,
        /// Columns taken on the current line so far, and whether an escape sequence
        /// is being skipped.
        column: usize,
        in_escape: bool,
    },
    /// Through the pager.
    Paging {
        child: Child,
        stdin: Option<ChildStdin>,
    },
}

impl<'a> Paged<'a> {
    /// Writes to `out`, through the pager's `command` once the output is taller than
    /// the screen's `size` (`None`: never).
    pub fn new(out: &'a mut dyn Write, pager: Option<(String, Size)>) -> Self {
        let state = match pager {
            Some((command, size)) => State::Holding {
                command,
                size,
                held: Vec::new(),
                rows: 0,
                column: 0,
                in_escape: false,
            },
            None => State::Direct,
        };
        Paged { out, state }
    }

    /// The end of the output: what was held goes to the terminal, or the pager is told
    /// the output ended and waited for (until the user quits it).
    pub fn finish(mut self) -> io::Result<()> {
        self.end()
    }

    fn end(&mut self) -> io::Result<()> {
        match std::mem::replace(&mut self.state, State::Direct) {
            State::Direct => self.out.flush(),
            State::Holding { held, .. } => {
                self.out.write_all(&held)?;
                self.out.flush()
            }
            State::Paging { mut child, stdin } => {
                // Closing its input tells the pager the output is whole.
                drop(stdin);
                child.wait()?;
                Ok(())
            }
        }
    }

    /// Starts the pager and hands it what was held; when it cannot start, one notice
    /// and the terminal instead.
    fn start(&mut self) -> io::Result<()> {
        let State::Holding { command, held, .. } =
            std::mem::replace(&mut self.state, State::Direct)
        else {
            return Ok(());
        };
        // The pager has the terminal from now on: no progress line over it.
        super::progress::hand_over();
        match spawn(&command) {
            Ok(mut child) => {
                let stdin = child.stdin.take();
                self.state = State::Paging { child, stdin };
                match &mut self.state {
                    State::Paging {
                        stdin: Some(pipe), ..
                    } => pipe.write_all(&held),
                    _ => Ok(()),
                }
            }
            Err(error) => {
                eprintln!(
                    "histx: the pager `{}` could not be started ({error}): writing to the terminal",
                    crate::escape::terminal_safe(&command)
                );
                self.out.write_all(&held)
            }
        }
    }
}

impl Drop for Paged<'_> {
    /// Ended early (an error, Ctrl-C): the pager still gets the end of its input and
    /// is waited for, so the terminal is the user's again when histx exits.
    fn drop(&mut self) {
        if let State::Paging { .. } = self.state {
            let _ = self.end();
        }
    }
}

impl Write for Paged<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match &mut self.state {
            State::Direct => self.out.write(bytes),
            State::Paging { stdin, .. } => match stdin {
                Some(pipe) => pipe.write(bytes),
                None => Err(io::ErrorKind::BrokenPipe.into()),
            },
            State::Holding {
                size,
                held,
                rows,
                column,
                in_escape,
                ..
            } => {
                held.extend_from_slice(bytes);
                let columns = usize::from(size.columns.max(1));
                for &byte in bytes {
                    match byte {
                        0x1b => *in_escape = true,
                        _ if *in_escape => *in_escape = !byte.is_ascii_alphabetic(),
                        b'\n' => {
                            *rows += 1 + column.saturating_sub(1) / columns;
                            *column = 0;
                        }
                        // A character's first byte (not a UTF-8 continuation).
                        _ if byte & 0xc0 != 0x80 => *column += 1,
                        _ => {}
                    }
                }
                // The screen's last row is the shell's prompt: a screenful is too long.
                if *rows >= usize::from(size.rows.max(2)) {
                    self.start()?;
                }
                Ok(bytes.len())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.state {
            State::Direct => self.out.flush(),
            State::Paging { stdin, .. } => stdin.as_mut().map_or(Ok(()), Write::flush),
            // Held until the screen is full or the output ends.
            State::Holding { .. } => Ok(()),
        }
    }
}

/// Starts `command` with its input piped from histx: directly when it is one word,
/// through `sh -c` when it has arguments or shell syntax.
fn spawn(command: &str) -> io::Result<Child> {
    let shell =
        command.contains(|c: char| c.is_whitespace() || "|&;<>()$`\\\"'*?[]#~=%{}".contains(c));
    let mut process = if shell {
        let mut sh = Command::new("sh");
        sh.arg("-c").arg(command);
        sh
    } else {
        Command::new(command)
    };
    if std::env::var_os("LESS").is_none() {
        process.env("LESS", "FRX");
    }
    if std::env::var_os("LV").is_none() {
        process.env("LV", "-c");
    }
    process.stdin(Stdio::piped()).spawn()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size() -> Size {
        Size {
            rows: 5,
            columns: 10,
        }
    }

    #[test]
    fn output_shorter_than_the_screen_is_written_at_the_end_untouched() {
        let mut out = Vec::new();
        let mut paged = Paged::new(&mut out, Some(("no-such-pager-anywhere".into(), size())));
        // Three lines, one of them two rows long, and colour codes that take no room.
        paged
            .write_all(b"\x1b[31mone\x1b[0m\n0123456789abc\nthree\n")
            .unwrap();
        paged.flush().unwrap();
        paged.finish().unwrap();
        assert_eq!(out, b"\x1b[31mone\x1b[0m\n0123456789abc\nthree\n");
    }

    #[test]
    fn a_pager_that_cannot_start_leaves_the_output_on_the_terminal() {
        let mut out = Vec::new();
        let mut paged = Paged::new(&mut out, Some(("no-such-pager-anywhere".into(), size())));
        for i in 0..8 {
            writeln!(paged, "line {i}").unwrap();
        }
        paged.finish().unwrap();
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 8);
    }
}

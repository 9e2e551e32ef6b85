//! The `histx` binary: parses the command line, runs it on a small runtime (the command
//! itself on histx's own thread; the pages of a history read on two workers beside it,
//! so that reading the wire overlaps writing the output), and turns the outcome into an
//! exit status and at most one line on stderr.

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use histx::{app, cli, cli::Cli, exit, generate};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

/// The stack of the thread histx runs on. Trees of legal histories nest deep (thousands
/// of Parallels within the 25,000-event limit, 10,000 nested SSM steps), and building,
/// filtering and drawing them is recursive: the memory is only used as deep as a tree
/// goes.
const STACK_BYTES: usize = 512 * 1024 * 1024;

/// The runtime's worker threads: the two chains of a whole read each have one.
const WORKERS: usize = 2;

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace (RUST_BACKTRACE=1 is common).
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        // Takes no lock (a panic may hold one): the line is erased for good below.
        histx::terminal::progress::before_stderr_line();
        say(&format!(
            "histx: internal error{place}: {}; please report it",
            histx::escape::terminal_safe(&payload)
        ));
    }));
    let cli = match parse_command_line() {
        Ok(cli) => cli,
        Err(status) => return status,
    };
    if cli.holds_whole_runs() {
        one_allocator_arena();
    }
    let worker = std::thread::Builder::new()
        .name("histx".into())
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli));
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(status)) => status,
        // The panic hook has said what happened.
        Ok(Err(_)) => {
            histx::terminal::progress::end();
            exit::Status::Failure.into()
        }
        // No room for that stack (a tight `ulimit -v`): the main thread's will do for all
        // but the deepest trees.
        Err(_) => match parse_command_line() {
            Ok(cli) => run(cli),
            Err(status) => status,
        },
    }
}

/// A view that holds a whole run (a table, a tree) allocates it on histx's thread while
/// the workers read pages: with one malloc arena for all three threads, the memory the
/// workers free is reused for the run rather than kept in arenas of their own (a 25,000
/// event tree peaked 5 to 7 MB higher). A page's body and its text (hundreds of KB each)
/// are mapped apart and handed back when freed, rather than left to split the heap (2 to
/// 3 MB more). Streams keep the defaults: their workers parse pages at the same time,
/// which contend for one arena. glibc only.
fn one_allocator_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets tunables of the allocator; called before histx starts
    // any thread of its own, so that they all share the main arena.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// The command line, or the exit status of one that was answered (a completion request,
/// `--help`) or refused.
fn parse_command_line() -> Result<Cli, ExitCode> {
    // Answers a shell's completion request (COMPLETE=<shell>) and exits; else returns.
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(generate::COMPLETE_VAR)
        .complete();
    // `histx <pasted ARN or URL> ...` is the service command it stands for.
    let args = match cli::resolve_paste(std::env::args_os().collect()) {
        Ok(args) => args,
        Err(error) => {
            say(&format!("histx: {error}"));
            return Err(exit::Status::Usage.into());
        }
    };
    Cli::try_parse_from(args).map_err(|error| command_line_error(&error))
}

/// Runs the command: the whole of histx but its command line, on its own thread.
fn run(cli: Cli) -> ExitCode {
    if stdout_was_closed() {
        say("histx: standard output is closed (`>&-`): there is nowhere to write");
        return exit::Status::Failure.into();
    }
    if cli.holds_whole_runs() {
        one_allocator_arena();
    }
    let stdout = io::stdout();
    let is_terminal = stdout.is_terminal();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    // The command runs where `block_on` is called, on this thread with its large stack;
    // tasks it spawns (a page's request and parse) run on the workers.
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| {
            runtime.block_on(async {
                // Ctrl-C ends the command at its next wait (a request, a poll's sleep),
                // where every page written so far has been flushed whole.
                tokio::select! {
                    outcome = app::run(cli, &mut out, is_terminal) => outcome.map(Some),
                    _ = tokio::signal::ctrl_c() => Ok(None),
                }
            })
        })
        .and_then(|outcome| out.flush().map(|()| outcome).map_err(anyhow::Error::from));
    match outcome {
        Ok(Some(outcome)) => exit::Status::from(outcome).into(),
        Ok(None) => {
            histx::terminal::progress::end();
            say("histx: interrupted");
            exit::Status::Interrupted.into()
        }
        Err(error) => {
            let (status, print) = exit::classify(&error);
            histx::terminal::progress::end();
            if print {
                // Whatever was written before the error still goes out first.
                let _ = out.flush();
                say(&exit::message(&error));
            }
            status.into()
        }
    }
}

/// `--help` and `--version` as clap prints them; any other mistake on the command line
/// as one `histx:` line (clap's tip, such as a similar value, kept on it), exit 2.
fn command_line_error(error: &clap::Error) -> ExitCode {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return match error.kind() {
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => exit::Status::Usage.into(),
            _ => exit::Status::Success.into(),
        };
    }
    say(&format!(
        "histx: {}",
        cut_long_words(&exit::one_line(&error.render().to_string()))
    ));
    exit::Status::Usage.into()
}

/// Writes one line to stderr. A stderr nobody reads any more (`2>&1 | head -c 10`, a
/// closed terminal) is no reason to stop: the line is dropped, never a panic (which
/// `eprintln!` would be, and again in the panic hook: an abort).
fn say(line: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
    let _ = stderr.flush();
}

/// A clap error line with every word longer than an echo cut (clap quotes the values it
/// refuses whole: a 100 kB `--limit` value is no one-line error).
fn cut_long_words(line: &str) -> String {
    line.split(' ')
        .map(
            |word| match word.char_indices().nth(histx::escape::ECHO_CHARS) {
                Some((at, _)) => format!("{}…", &word[..at]),
                None => word.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when histx was started with standard output closed (`histx ... >&-`). Rust's
/// start-up puts /dev/null, opened for reading and writing, in the place of a closed
/// standard descriptor, so writes would vanish without a word: that is what is looked
/// for (a shell's `> /dev/null` opens it for writing only).
#[cfg(unix)]
fn stdout_was_closed() -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(null) = std::fs::metadata("/dev/null") else {
        return false;
    };
    // SAFETY: fstat and fcntl(F_GETFL) only read what the kernel knows of descriptor 1,
    // into a zeroed struct that lives on this stack.
    let (stat, flags) = unsafe {
        let mut stat: libc::stat = std::mem::zeroed();
        let fstat = libc::fstat(libc::STDOUT_FILENO, &mut stat);
        let flags = libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFL);
        if fstat != 0 || flags == -1 {
            return false;
        }
        (stat, flags)
    };
    // dev_t is not 64 bits wide on every platform.
    #[allow(clippy::useless_conversion)]
    let device = u64::from(stat.st_rdev);
    device == null.rdev() && (flags & libc::O_ACCMODE) == libc::O_RDWR
}

#[cfg(not(unix))]
fn stdout_was_closed() -> bool {
    false
}

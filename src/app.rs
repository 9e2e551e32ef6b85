//! Runs a parsed command line: the one `match` over services, then for a service
//! command its verb, with the presentation (colour, width) decided once.

use crate::aws::{self, Connection};
use crate::cli::{Cli, ColorChoice, Command, GlobalArgs, ServiceCommand, Verb};
use crate::engine;
use crate::exit::{Outcome, UsageError};
use crate::generate;
use crate::listing;
use crate::render::Presentation;
use crate::services::{codepipeline, sfn, ssm, swf, Service};
use crate::terminal::{pager, progress, Screen};
use anyhow::Result;
use std::io::Write;

/// Runs the command line; what it established, when it ran to its end (the run's
/// outcome with `--exit-status`).
pub async fn run(cli: Cli, out: &mut dyn Write, stdout_is_terminal: bool) -> Result<Outcome> {
    match cli.command {
        Command::Sfn(command) => service::<sfn::Sfn>(command, out, stdout_is_terminal).await,
        Command::Swf(command) => service::<swf::Swf>(command, out, stdout_is_terminal).await,
        Command::Ssm(command) => service::<ssm::Ssm>(command, out, stdout_is_terminal).await,
        Command::Codepipeline(command) => {
            service::<codepipeline::CodePipeline>(command, out, stdout_is_terminal).await
        }
        Command::Completions { shell } => {
            generate::write_completion(shell, out).map(|()| Outcome::Done)
        }
        Command::Man { subcommand } => {
            generate::write_man_page(subcommand.as_deref(), out).map(|()| Outcome::Done)
        }
    }
}

/// A service command: its verb, run by the engine.
async fn service<S: Service>(
    command: ServiceCommand<S::Args, S::ListArgs>,
    out: &mut dyn Write,
    stdout_is_terminal: bool,
) -> Result<Outcome> {
    let (verb, global) = command.into_verb();
    if let Some(url) = &global.endpoint_url {
        aws::check_endpoint_url(url).map_err(UsageError::new)?;
    }
    if let Some(region) = &global.region {
        aws::check_region(region).map_err(|e| UsageError::new(format!("--region: {e}")))?;
    }
    let connection = Connection {
        profile: global.profile.clone(),
        region: global.region.clone(),
        endpoint_url: global.endpoint_url.clone(),
        connect_timeout: global.connect_timeout,
        read_timeout: global.read_timeout,
        ..Connection::default()
    };
    let presentation = presentation(&global, stdout_is_terminal);
    // A pager for output longer than the screen, on a terminal (see `terminal::pager`);
    // never while following, which draws the run as it happens.
    let following = matches!(&verb, Verb::Show(show) if show.history.follow);
    let screen = Screen::detect(stdout_is_terminal);
    let pager = match screen.stdout_rows {
        Some(rows) if !global.no_pager && !following => pager::command().map(|command| {
            let columns = presentation.width.or_else(terminal_width).unwrap_or(80);
            (command, pager::Size { rows, columns })
        }),
        _ => None,
    };
    let mut paged = pager::Paged::new(out, pager);
    let out: &mut dyn Write = &mut paged;
    let outcome = match verb {
        Verb::Show(show) => {
            let service = S::new(show.service)?;
            engine::show(
                service,
                &show.history,
                &connection,
                presentation,
                screen,
                out,
            )
            .await
        }
        Verb::Ls(list) if screen.stderr_terminal => {
            // A long listing shows how far it is on stderr (see `engine::show`).
            let mut guarded;
            let out: &mut dyn Write = if screen.stdout_rows.is_some() {
                guarded = progress::Guarded(out);
                &mut guarded
            } else {
                out
            };
            let listed = tokio::select! {
                listed = listing::list::<S>(list, &connection, presentation, out) => listed,
                never = engine::draw_reading(("run", "runs")) => match never {},
            };
            progress::end();
            listed
        }
        Verb::Ls(list) => listing::list::<S>(list, &connection, presentation, out).await,
    };
    // What was held back goes out, or the pager is waited for, before any error line.
    let finished = paged.finish();
    let outcome = outcome.and_then(|outcome| finished.map(|()| outcome).map_err(Into::into));
    outcome.map_err(|error| aws::with_connection_hints(error, &connection))
}

/// True when the locale's character set is UTF-8 (LC_ALL, else LC_CTYPE, else LANG).
fn locale_is_utf8() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .is_some_and(|locale| {
            let locale = locale.to_ascii_lowercase();
            locale.contains("utf-8") || locale.contains("utf8")
        })
}

/// Colour and width, from the flags, NO_COLOR, TERM, COLUMNS and the terminal itself.
fn presentation(global: &GlobalArgs, stdout_is_terminal: bool) -> Presentation {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    let color = match global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_is_terminal && !no_color && !dumb,
    };
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|&c| c > 0);
    let width = match (columns, stdout_is_terminal) {
        (Some(columns), _) => Some(columns),
        (None, true) => terminal_width(),
        (None, false) => None,
    };
    Presentation {
        color,
        width,
        ascii: global.ascii || !locale_is_utf8(),
    }
}

/// The columns of the terminal stdout is on, when it is one and says.
fn terminal_width() -> Option<u16> {
    let (terminal_size::Width(columns), _) = terminal_size::terminal_size()?;
    Some(columns).filter(|&c| c > 0)
}

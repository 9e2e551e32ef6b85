//! Runs a parsed command line: decides the presentation once (colour, width), builds the
//! printer, and dispatches to the service's module. The only `match` over services.

use crate::aws::{self, Connection};
use crate::cli::{Cli, ColorChoice, Command, Common};
use crate::exit::UsageError;
use crate::filter::EventFilter;
use crate::generate;
use crate::pipeline::{Output, View};
use crate::render::{self, Presentation};
use crate::services::{self, Context};
use anyhow::Result;
use std::io::Write;

pub async fn run(cli: Cli, out: &mut dyn Write, stdout_is_terminal: bool) -> Result<()> {
    let common = &cli.common;
    if let Some(url) = &common.endpoint_url {
        aws::check_endpoint_url(url).map_err(UsageError::new)?;
    }
    let presentation = presentation(common, stdout_is_terminal);
    let context = Context {
        common,
        connection: Connection {
            profile: common.profile.clone(),
            region: common.region.clone(),
            endpoint_url: common.endpoint_url.clone(),
        },
        output: Output {
            printer: render::printer(common.output, presentation),
            view: view(common),
            out,
        },
    };
    let connection = context.connection.clone();
    let outcome = match cli.command {
        Command::Sfn(args) => services::sfn::run(args, context).await,
        Command::Swf(args) => services::swf::run(args, context).await,
        Command::Ssm(args) => services::ssm::run(args, context).await,
        Command::Codepipeline(args) => services::codepipeline::run(args, context).await,
        Command::Completions { shell } => generate::write_completion(shell, context.output.out),
        Command::Man { subcommand } => {
            generate::write_man_page(subcommand.as_deref(), context.output.out)
        }
    };
    outcome.map_err(|error| aws::with_connection_hints(error, &connection))
}

/// The filters and what to show, from the flags.
fn view(common: &Common) -> View {
    View {
        filter: EventFilter {
            types: common.types.clone(),
            names: common.names.clone(),
            statuses: common.statuses.clone(),
            since: common.since,
            until: common.until,
        },
        failed_only: common.failed,
        summary_only: common.summary,
        limit: common.limit.map(|n| n as usize),
    }
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
fn presentation(common: &Common, stdout_is_terminal: bool) -> Presentation {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    let color = match common.color {
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
        ascii: common.ascii || !locale_is_utf8(),
    }
}

/// The columns of the terminal stdout is on, when it is one and says.
fn terminal_width() -> Option<u16> {
    let (terminal_size::Width(columns), _) = terminal_size::terminal_size()?;
    Some(columns).filter(|&c| c > 0)
}

//! The command line, defined once with clap. The same definition drives `--help`, the
//! man pages and the shell completions, so the three always agree.

use crate::render::Format;
use crate::services;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "histx",
    version,
    about = "Inspect the history of AWS workflow runs: Step Functions, SWF, SSM Automation, CodePipeline",
    long_about = None,
    propagate_version = true,
    after_help = "Examples:\n  histx sfn arn:aws:states:us-east-1:123456789012:execution:Orders:run-42 --reverse\n  histx sfn <ARN> -o jsonl | jq 'select(.status==\"failed\")'\n  histx sfn --from examples/sfn/order-fulfilment-failed.json"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub common: Common,
}

/// One subcommand per service.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Step Functions: the history of an execution (GetExecutionHistory)
    Sfn(services::sfn::Args),
}

/// Options every subcommand takes, before or after the subcommand's name.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Table, global = true, help_heading = "Output")]
    pub output: Format,

    /// When to colour the table [default: auto; never when NO_COLOR is set or stdout is
    /// not a terminal]
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", global = true, help_heading = "Output", hide_default_value = true)]
    pub color: ColorChoice,

    /// Newest events first (the service's reverse order)
    #[arg(long, global = true, help_heading = "Output")]
    pub reverse: bool,

    /// Stop after N events; no further page is requested
    #[arg(long, value_name = "N", global = true, help_heading = "Output", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,

    /// Read a saved history instead of calling AWS: the API's or the AWS CLI's JSON
    /// output, or histx's own -o raw; several documents may follow one another.
    /// `-` reads standard input.
    #[arg(long, value_name = "FILE", global = true, help_heading = "Input")]
    pub from: Option<PathBuf>,

    /// Events per request, for experts [default: the largest the API allows]
    #[arg(long, value_name = "N", global = true, help_heading = "Input", value_parser = clap::value_parser!(u64).range(1..))]
    pub page_size: Option<u64>,

    /// Use this profile from the AWS config and credentials files
    #[arg(long, value_name = "NAME", global = true, help_heading = "AWS")]
    pub profile: Option<String>,

    /// AWS region [default: from the ARN, AWS_REGION or the profile]
    #[arg(long, value_name = "REGION", global = true, help_heading = "AWS")]
    pub region: Option<String>,

    /// Send requests to this URL instead of the service's endpoint (e.g. a local emulator)
    #[arg(long, value_name = "URL", global = true, help_heading = "AWS")]
    pub endpoint_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

//! The command line, defined once with clap. The same definition drives `--help`, the
//! man pages and the shell completions, so the three always agree.
//!
//! Two levels: `histx <service> <verb>` (`histx sfn show ARN`; `histx sfn ARN` is the
//! short form of `show`, the default verb). Flags are split as they apply: every
//! service command takes the [`GlobalArgs`] (AWS access, colour, ASCII); a history
//! command also takes the [`HistoryArgs`] (output, filters, input). `completions` and
//! `man` take neither. Without a command, `histx TARGET ...` is a pasted target
//! ([`resolve_paste`] rewrites it into the service command before clap parses).

use crate::exit::UsageError;
use crate::filter;
use crate::model::{Status, Timestamp};
use crate::paste;
use crate::render::runs::ListFormat;
use crate::render::Format;
use crate::services;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand, ValueEnum};
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "histx",
    version,
    about = "Inspect the history of AWS workflow runs: Step Functions, SWF, SSM Automation, CodePipeline",
    long_about = None,
    propagate_version = true,
    override_usage = "histx <COMMAND>\n       histx <TARGET> [OPTIONS]",
    after_help = "Paste anything: without a command, TARGET is an ARN, an SSM automation execution \
                  id or an AWS console URL, and histx works out the service (and the region) from \
                  it; the options are the service command's.\n\n\
                  Examples:\n  histx sfn arn:aws:states:us-east-1:123456789012:execution:Orders:run-42 --reverse\n  histx sfn <ARN> -o jsonl | jq 'select(.status==\"failed\")'\n  histx sfn --from examples/sfn/order-fulfilment-failed.json\n  histx arn:aws:states:us-east-1:123456789012:execution:Orders:run-42 -o tree --failed\n  histx sfn ls orders --run-status failed\n  histx sfn orders --run-status failed -o tree\n  histx 'https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/shop/view'"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The command line with a pasted target made explicit: `histx [OPTIONS] TARGET [VERB]
/// ARGS...`, where TARGET is no command, becomes `histx <service> [VERB] <target's args>
/// [--region R] OPTIONS ARGS...` (see [`crate::paste`]); any other command line is
/// returned as it is. Options before the target are the service command's (skipped,
/// with their values, to find it); a verb right after it (`ls`, `list`, `show`) is the
/// service command's verb (`histx <state machine ARN> ls` lists its executions).
/// `--region` is added only when the options hold none: an explicit `--region` beats
/// the pasted region. A target that starts with `-` (a pipeline or document name may)
/// goes last, after `--`, where clap takes it for no option.
pub fn resolve_paste(args: Vec<OsString>) -> Result<Vec<OsString>, UsageError> {
    let command = <Cli as clap::CommandFactory>::command();
    let Some(at) = target_index(&command, &args) else {
        return Ok(args);
    };
    let Some(first) = args[at].to_str() else {
        return Ok(args);
    };
    if first == "help" || command.find_subcommand(first).is_some() {
        return Ok(args);
    }
    if matches!(first, "ls" | "list" | "show") {
        let services: Vec<&str> = command
            .get_subcommands()
            .filter(|c| c.find_subcommand("ls").is_some())
            .map(|c| c.get_name())
            .collect();
        return Err(UsageError::new(format!(
            "`{first}` is a verb: histx <{}> {first} ...",
            services.join("|")
        )));
    }
    let target = paste::resolve(first).map_err(|message| {
        let commands: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
        match paste::similar_command(first, &commands) {
            Some(similar) => UsageError::new(format!("{message} (or did you mean '{similar}'?)")),
            None => UsageError::new(message),
        }
    })?;
    let verb = args
        .get(at + 1)
        .and_then(|arg| arg.to_str())
        .filter(|arg| matches!(*arg, "ls" | "list" | "show"));
    let mut target_args = target.args.clone();
    if let Some("ls" | "list") = verb {
        target_args = target.list_args().ok_or_else(|| {
            UsageError::new(format!(
                "'{}' names one run; `ls` lists the runs of a state machine, a document or a \
                 pipeline (paste one of those, or drop `ls` to show the run)",
                crate::escape::echo(first.trim())
            ))
        })?;
    }
    let after = at + 1 + usize::from(verb.is_some());
    // The options the user gave: before the target, then after it (and the verb).
    let options: Vec<OsString> = args[1..at].iter().chain(&args[after..]).cloned().collect();
    let region_given = options
        .iter()
        .take_while(|arg| *arg != "--")
        .filter_map(|arg| arg.to_str())
        .any(|arg| arg == "--region" || arg.starts_with("--region="));
    let mut line: Vec<OsString> = vec![args[0].clone(), target.service.command().into()];
    line.extend(verb.map(OsString::from));
    let positional = target_args.remove(0);
    let dashed = positional.starts_with('-');
    if !dashed {
        line.push(positional.clone().into());
    }
    line.extend(target_args.into_iter().map(OsString::from));
    if let (Some(region), false) = (target.region, region_given) {
        line.extend(["--region".into(), region.into()]);
    }
    if dashed && options.iter().any(|arg| arg == "--") {
        return Err(UsageError::new(format!(
            "'{}' starts with '-': with it, put no `--` after the pasted target",
            crate::escape::echo(&positional)
        )));
    }
    line.extend(options);
    if dashed {
        line.extend(["--".into(), positional.into()]);
    }
    Ok(line)
}

/// Where the first word that is no option stands (the command or the pasted target),
/// skipping options and their values as the service commands define them; `None` when
/// there is none, or an option before it that histx does not know, `--help` or
/// `--version` (clap then answers the command line as it is).
fn target_index(command: &clap::Command, args: &[OsString]) -> Option<usize> {
    let options: Vec<&clap::Arg> = command
        .get_subcommands()
        .flat_map(|service| {
            service.get_arguments().chain(
                service
                    .get_subcommands()
                    .flat_map(|verb| verb.get_arguments()),
            )
        })
        .collect();
    let long = |name: &str| options.iter().find(|a| a.get_long() == Some(name));
    let short = |c: char| options.iter().find(|a| a.get_short() == Some(c));
    let mut i = 1;
    while i < args.len() {
        let arg = args[i].to_str()?;
        if arg == "-" || !arg.starts_with('-') {
            return Some(i);
        }
        if let Some(name) = arg.strip_prefix("--") {
            let (name, value) = match name.split_once('=') {
                Some((name, _)) => (name, true),
                None => (name, false),
            };
            let option = long(name)?;
            i += if option.get_action().takes_values() && !value {
                2
            } else {
                1
            };
            continue;
        }
        // `-o jsonl`, `-ojsonl`, `-f`, `-fo jsonl`.
        let mut step = 1;
        for (at, c) in arg.char_indices().skip(1) {
            let option = short(c)?;
            if option.get_action().takes_values() {
                if at + c.len_utf8() == arg.len() {
                    step = 2;
                }
                break;
            }
        }
        i += step;
    }
    None
}

/// One subcommand per service.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Step Functions: the history of an execution (GetExecutionHistory)
    Sfn(ServiceCommand<services::sfn::Args, services::sfn::ListArgs>),
    /// Simple Workflow Service: the history of a workflow run (GetWorkflowExecutionHistory)
    Swf(ServiceCommand<services::swf::Args, services::swf::ListArgs>),
    /// Systems Manager Automation: the step executions of an automation
    /// (DescribeAutomationStepExecutions)
    Ssm(ServiceCommand<services::ssm::Args, services::ssm::ListArgs>),
    /// CodePipeline: the action executions of a pipeline (ListActionExecutions)
    Codepipeline(ServiceCommand<services::codepipeline::Args, services::codepipeline::ListArgs>),
    /// Print the script that enables completion in a shell, e.g. `source <(histx completions bash)`
    Completions {
        #[arg(value_enum)]
        shell: crate::generate::Shell,
    },
    /// Print a man page in roff: histx's, or a subcommand's (`histx man sfn | man -l -`)
    Man {
        /// The subcommand whose page to print
        #[arg(value_name = "SUBCOMMAND")]
        subcommand: Option<String>,
    },
}

/// What every history command takes: the output, the filters, the input.
#[derive(Debug, Clone, clap::Args)]
pub struct HistoryArgs {
    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Table, help_heading = "Output")]
    pub output: Format,
    /// Newest events first (the service's reverse order)
    #[arg(long, help_heading = "Output")]
    pub reverse: bool,

    /// Show at most N events (counted after the filters); with no filter, --failed or
    /// --summary, reading stops there and no further page is requested. With -o timeline
    /// or -o stats: at most N rows, of the whole run
    #[arg(long, value_name = "N", help_heading = "Output", allow_negative_numbers = true, value_parser = whole_number)]
    pub limit: Option<u64>,

    /// Print only the run summary: status, times, counts, and the failure with its error
    /// and cause (a summary record with -o json/jsonl)
    #[arg(long, help_heading = "Output")]
    pub summary: bool,

    /// The input and output of each state, step or action shown, as indented JSON beneath
    /// its line (-o table: on the rows that carry them; -o tree: under each line); at
    /// most 40 lines of each, with a count of the rest (-o jsonl has them in full)
    #[arg(long, help_heading = "Output")]
    pub io: bool,

    /// Only the failing path: failed states, steps or actions and what encloses them,
    /// with errors and causes in full
    #[arg(long, help_heading = "Filters")]
    pub failed: bool,

    /// In -o tree and -o timeline, every iteration of a loop of more than 20 (a Map's, an SSM loop's):
    /// without it, the failed, timed-out, aborted and running ones are shown and one line
    /// sums up the rest
    #[arg(long, help_heading = "Output")]
    pub expand: bool,

    /// Only events of this type, a glob (repeatable): --type 'Task*' --type '*Failed'
    #[arg(long = "type", value_name = "GLOB", help_heading = "Filters", value_parser = filter::parse_glob)]
    pub types: Vec<glob::Pattern>,

    /// Only events of this state, step, activity or action name, a glob (repeatable)
    #[arg(long = "name", value_name = "GLOB", help_heading = "Filters", value_parser = filter::parse_glob)]
    pub names: Vec<glob::Pattern>,

    /// Only events with this status (repeatable)
    #[arg(long = "status", value_name = "STATUS", help_heading = "Filters",
          value_parser = PossibleValuesParser::new(Status::ALL.map(Status::as_str)).map(|s| Status::parse(&s).expect("a listed status")))]
    pub statuses: Vec<Status>,

    /// Only events at or after this time: RFC 3339 (2026-03-14T09:00:00Z) or ago (10m, 2h, 3d)
    #[arg(long, value_name = "TIME", help_heading = "Filters", value_parser = filter::parse_time)]
    pub since: Option<Timestamp>,

    /// Only events at or before this time: RFC 3339 or ago (10m, 2h, 3d)
    #[arg(long, value_name = "TIME", help_heading = "Filters", value_parser = filter::parse_time)]
    pub until: Option<Timestamp>,

    /// Read a saved history instead of calling AWS: the API's or the AWS CLI's JSON
    /// output, or histx's own -o raw; several documents may follow one another.
    /// `-` reads standard input.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub from: Option<PathBuf>,

    /// Report the run's outcome in the exit status: 0 succeeded, 3 failed, 4 timed out,
    /// 5 aborted, stopped, cancelled or terminated, 8 still running (1 and 2 stay
    /// histx's own errors)
    #[arg(long, help_heading = "Output")]
    pub exit_status: bool,

    /// Follow a running run: print its history so far, then new records as they happen
    /// until the run ends (or --timeout)
    #[arg(short = 'f', long, help_heading = "Follow", conflicts_with_all = ["from", "reverse"])]
    pub follow: bool,

    /// How often to poll while following; backs off (with jitter) while nothing changes,
    /// never above 15s (or the interval itself, if longer)
    #[arg(long, value_name = "DURATION", help_heading = "Follow", default_value = "2s", value_parser = duration, requires = "follow")]
    pub interval: std::time::Duration,

    /// Stop following after this long (the run is then still running: --exit-status 8)
    #[arg(long, value_name = "DURATION", help_heading = "Follow", allow_negative_numbers = true, value_parser = duration, requires = "follow")]
    pub timeout: Option<std::time::Duration>,

    /// Also read the runs this run started, N levels down, each through its own service
    /// (a Distributed Map's child executions, nested executions, SWF child workflows,
    /// automations and executions an SSM step started, a CodePipeline Step Functions
    /// action's execution); `all`: every level. 0 reads none and makes no request for them
    #[arg(long, value_name = "N|all", help_heading = "Children", default_value = "0", value_parser = depth)]
    pub depth: usize,

    /// With --depth: every child execution of a Distributed Map, not only the failed,
    /// timed-out and aborted ones
    #[arg(long, help_heading = "Children")]
    pub all_children: bool,

    /// Events per request, for experts [default: the largest the API allows]
    #[arg(long, value_name = "N", help_heading = "Input", allow_negative_numbers = true, value_parser = whole_number)]
    pub page_size: Option<u64>,
}

/// A service's command: a verb, or, without one, the history of a run (the short form
/// of `show`). `S` is the service's own `show` arguments, `L` its own `ls` arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ServiceCommand<S: clap::Args, L: clap::Args> {
    #[command(subcommand)]
    pub verb: Option<Verb<S, L>>,

    #[command(flatten)]
    pub show: Show<S>,

    #[command(flatten)]
    pub global: GlobalArgs,
}

/// `show`'s arguments: the service's own (its target first), then the history options.
#[derive(Debug, Clone, clap::Args)]
pub struct Show<S: clap::Args> {
    #[command(flatten)]
    pub service: S,

    #[command(flatten)]
    pub history: HistoryArgs,
}

/// What a service command does.
#[derive(Debug, Clone, Subcommand)]
pub enum Verb<S: clap::Args, L: clap::Args> {
    /// The history of one run: the default verb (`histx <service> RUN` is `histx <service> show RUN`)
    Show(Show<S>),
    /// List runs, newest first: a state machine's executions, a workflow's runs, a
    /// document's automations, a pipeline's executions; without one, the state machines
    /// or pipelines of the region. No name completion: it would cost a request.
    #[command(visible_alias = "list")]
    Ls(List<L>),
}

/// `ls`'s arguments: the service's own (the parent whose runs to list), then the
/// listing options.
#[derive(Debug, Clone, clap::Args)]
pub struct List<L: clap::Args> {
    #[command(flatten)]
    pub service: L,

    #[command(flatten)]
    pub options: ListOptions,
}

/// The values `--run-status` takes, on `ls` and `show` (what each selects:
/// [`services::RunQuery::selects`]).
pub const RUN_STATUSES: [Status; 7] = [
    Status::Running,
    Status::Pending,
    Status::Succeeded,
    Status::Failed,
    Status::TimedOut,
    Status::Aborted,
    Status::Cancelled,
];

fn run_status_parser() -> impl TypedValueParser<Value = Status> {
    PossibleValuesParser::new(RUN_STATUSES.map(Status::as_str))
        .map(|s| Status::parse(&s).expect("a listed status"))
}

/// What every listing takes: the output, which runs, how many.
#[derive(Debug, Clone, clap::Args)]
pub struct ListOptions {
    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = ListFormat::Table, help_heading = "Output")]
    pub output: ListFormat,

    /// Only runs with this status (repeatable): `running` is every run not yet ended
    /// (`pending` and `scheduled` ones too), `pending` those waiting to run (for an
    /// approval, a change calendar, a schedule), `aborted` includes `cancelled` (stopped,
    /// cancelled, terminated). Sent to the API's status filter where it has one.
    #[arg(long = "run-status", value_name = "STATUS", help_heading = "Filters", value_parser = run_status_parser())]
    pub run_statuses: Vec<Status>,

    /// Only runs started at or after this time: RFC 3339 (2026-03-14T09:00:00Z) or ago (10m, 2h, 3d)
    #[arg(long, value_name = "TIME", help_heading = "Filters", value_parser = filter::parse_time)]
    pub since: Option<Timestamp>,

    /// List at most N, newest first; no further page is requested once N are listed
    #[arg(long, value_name = "N", default_value_t = 20, help_heading = "Output", allow_negative_numbers = true, value_parser = whole_number)]
    pub limit: u64,
}

/// Which run `show` picks when it is named a state machine, a document, a workflow or a
/// pipeline rather than one run: flattened into each service's `show` arguments.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunChoice {
    /// Show the newest run with this status (repeatable) rather than the newest run;
    /// `running` is any run not yet ended, `pending` one waiting to run, `aborted`
    /// includes `cancelled`
    #[arg(long = "run-status", value_name = "STATUS", help_heading = "Which run", value_parser = run_status_parser(), conflicts_with = "from")]
    pub run_statuses: Vec<Status>,
}

impl Cli {
    /// Whether the command holds a whole run in memory before it writes anything (a
    /// table, a tree, a timeline or stats of a history), rather than streaming it.
    pub fn holds_whole_runs(&self) -> bool {
        match &self.command {
            Command::Sfn(c) => c.shows_a_report(),
            Command::Swf(c) => c.shows_a_report(),
            Command::Ssm(c) => c.shows_a_report(),
            Command::Codepipeline(c) => c.shows_a_report(),
            Command::Completions { .. } | Command::Man { .. } => false,
        }
    }
}

impl<S: clap::Args, L: clap::Args> ServiceCommand<S, L> {
    /// `show` with an output drawn from the whole run.
    fn shows_a_report(&self) -> bool {
        let history = match &self.verb {
            None => &self.show.history,
            Some(Verb::Show(show)) => &show.history,
            Some(Verb::Ls(_)) => return false,
        };
        history.output.is_a_report()
    }

    /// The verb asked for, `show` when none was named.
    pub fn into_verb(self) -> (Verb<S, L>, GlobalArgs) {
        (self.verb.unwrap_or(Verb::Show(self.show)), self.global)
    }
}

/// What every service command takes, before or after its verb: how to reach AWS and
/// how to present output.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// When to colour statuses and failures [default: auto; never when NO_COLOR is set or
    /// stdout is not a terminal]
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", global = true, help_heading = "Output", hide_default_value = true)]
    pub color: ColorChoice,

    /// Plain ASCII instead of box drawing and Unicode marks [default: when the locale is
    /// not UTF-8]
    #[arg(long, global = true, help_heading = "Output")]
    pub ascii: bool,

    /// Never page: on a terminal, output longer than the screen otherwise goes through
    /// $HISTX_PAGER, else $PAGER, else `less -FRX` (an empty value never pages; nor
    /// does --follow, or output that is not a terminal)
    #[arg(long, global = true, help_heading = "Output")]
    pub no_pager: bool,

    /// Use this profile from the AWS config and credentials files
    #[arg(long, value_name = "NAME", global = true, help_heading = "AWS", add = ArgValueCompleter::new(complete_profile))]
    pub profile: Option<String>,

    /// AWS region [default: from the ARN, AWS_REGION or the profile]
    #[arg(long, value_name = "REGION", global = true, help_heading = "AWS")]
    pub region: Option<String>,

    /// Give up on a connection that is not made within this long [default: 60s]
    #[arg(long, value_name = "DURATION", global = true, help_heading = "AWS", allow_negative_numbers = true, value_parser = duration)]
    pub connect_timeout: Option<std::time::Duration>,

    /// Give up on an answer that does not come within this long (a request that timed
    /// out is tried twice at most) [default: 60s]
    #[arg(long, value_name = "DURATION", global = true, help_heading = "AWS", allow_negative_numbers = true, value_parser = duration)]
    pub read_timeout: Option<std::time::Duration>,

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

/// Completes `--profile` with the profiles of the user's AWS config and credentials files.
fn complete_profile(current: &OsStr) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    crate::aws::profile_names()
        .into_iter()
        .filter(|name| name.starts_with(prefix.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}

/// A count of 1 or more (`--limit`, `--page-size`).
fn whole_number(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("'{text}' is not a whole number of 1 or more")),
    }
}

/// A number of levels, 0 or more, or `all` (every level: `usize::MAX`).
fn depth(text: &str) -> Result<usize, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("all") {
        return Ok(usize::MAX);
    }
    text.parse::<usize>()
        .map_err(|_| format!("'{text}' is not a number of levels (0, 1, 2, ...) or `all`"))
}

/// A duration: `30s`, `500ms`, `2m`, `1h`; a bare number is seconds.
fn duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let millis = match text.parse::<u64>() {
        Ok(seconds) => seconds.checked_mul(1000).map(|ms| ms as i64),
        Err(_) => filter::relative_millis(text),
    };
    match millis {
        Some(ms) if ms > 0 => Ok(std::time::Duration::from_millis(ms as u64)),
        _ => Err(format!(
            "'{text}' is not a duration of more than zero (like 30s, 500ms, 2m)"
        )),
    }
}

//! Paste anything: `histx <TARGET>` without a service works out the service from what
//! was pasted (an ARN, an id, an AWS console URL copied from a browser or a chat) and
//! names the `histx <service> ...` command line it stands for. Pure text work: no
//! request, no file, no clap; `cli::resolve_paste` puts the result on the command line.
//!
//! What is recognised (after chat wrapping is taken off: surrounding white space,
//! quotes, backticks, `<...>`, Slack's `<url|label>`, a Markdown link, the punctuation
//! that follows in a sentence, invisible characters; and after `%XX` decoding, so
//! `arn%3Aaws%3Astates...` works):
//!
//! - Step Functions ARNs (`arn:PARTITION:states:REGION:ACCOUNT:...`):
//!   - `execution:MACHINE:NAME` (also a Distributed Map child, `execution:MACHINE/LABEL:ID`)
//!     → `histx sfn ARN`;
//!   - `stateMachine:MACHINE`, also qualified by a version or alias
//!     (`stateMachine:MACHINE:7`, `stateMachine:MACHINE:prod`) → `histx sfn ARN`, which
//!     shows the machine's newest execution;
//!   - `express:MACHINE:NAME:ID`: refused, an Express execution has no history API (its
//!     history is in the state machine's CloudWatch Logs);
//!   - `mapRun:MACHINE/LABEL:ID`: refused, a Map Run is no run of its own: its child
//!     executions are, and the hint says how to list them;
//!   - `activity:NAME`: refused, an activity has no history.
//! - CodePipeline ARNs: `arn:PARTITION:codepipeline:REGION:ACCOUNT:PIPELINE` (a stage's
//!   or action's, `PIPELINE/STAGE[/ACTION]`, means its pipeline) → `histx codepipeline
//!   PIPELINE --region REGION`, the newest execution.
//! - SSM ARNs: `automation-execution/ID` → `histx ssm ARN`; a runbook's,
//!   `document/NAME` or `automation-definition/NAME[:VERSION]` → `histx ssm NAME
//!   --region REGION`, its newest automation.
//! - A bare UUID (`4105a4fc-f944-11e6-9d32-0123456789ab`) → `histx ssm ID`: an SSM
//!   automation execution id (a CodePipeline execution id is a UUID too, but means
//!   nothing without its pipeline).
//! - AWS console URLs, on `console.aws.amazon.com`, `console.amazonaws.cn` or
//!   `console.amazonaws-us-gov.com`, with or without a region (`us-east-1.console...`)
//!   or an account prefix (`123456789012-abcd.us-east-1.console...`) in the host:
//!   - Step Functions, `/states/home?region=R#/...` with an ARN in the fragment, taken
//!     as above: `#/executions/details/ARN` (the old page), `#/v2/executions/details/ARN`,
//!     `#/express-executions/details/ARN?startDate=...`, `#/statemachines/view/ARN`,
//!     `#/map-runs/...ARN`, and any other page that carries one;
//!   - CodePipeline, `/codesuite/codepipeline/pipelines/NAME/view?region=R` (also
//!     `/edit`, `/executions` the history, or `NAME` alone) → the newest execution;
//!     `/codesuite/codepipeline/pipelines/NAME/executions/ID/timeline?region=R` (also
//!     `/visualization`, `/variables`, ...) → `--execution-id ID`; the older
//!     `/codepipeline/home?region=R#/view/NAME`;
//!   - SSM Automation, `/systems-manager/automation/execution/ID?region=R` (also
//!     `/step/...`, `/approval` under it; `REGION=` is read as well).
//!
//! The region: an ARN's own, else the URL's `region=` query, else its host's. An ARN's
//! region wins over a URL's without a word (the run lives where its ARN says; the console
//! page's region only picks the console's view). An explicit `--region` on the command
//! line wins over a pasted one, as it wins over an ARN's with `histx sfn ARN`.

use crate::escape::echo as terminal_safe;

/// The services a paste can belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Sfn,
    Ssm,
    CodePipeline,
}

impl Service {
    /// The subcommand of the service.
    pub fn command(self) -> &'static str {
        match self {
            Service::Sfn => "sfn",
            Service::Ssm => "ssm",
            Service::CodePipeline => "codepipeline",
        }
    }
}

/// What a paste stands for: `histx <service> <args...> [--region <region>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub service: Service,
    /// The service command's arguments that name the run (its target first).
    pub args: Vec<String>,
    /// The region the paste names, if it names one.
    pub region: Option<String>,
}

impl Target {
    /// What `histx <service> ls` takes to list the runs of what the paste names, when it
    /// names what runs belong to (a state machine, a document, a pipeline); `None` when
    /// it names one run.
    pub fn list_args(&self) -> Option<Vec<String>> {
        let first = self.args.first()?;
        let parent = match self.service {
            Service::Sfn => first.contains(":stateMachine:"),
            Service::Ssm => !first.starts_with("arn:") && !is_uuid(first),
            Service::CodePipeline => self.args.len() == 1,
        };
        parent.then(|| vec![first.clone()])
    }
}

/// The console's hosts, one a partition.
const CONSOLE_DOMAINS: [&str; 3] = [
    "console.aws.amazon.com",
    "console.amazonaws.cn",
    "console.amazonaws-us-gov.com",
];

/// What a paste may be, said when it is none of them.
const EXPECTED: &str = "expected a Step Functions ARN, a CodePipeline pipeline ARN, \
                        an SSM automation execution id or an AWS console URL";

/// Works out what `pasted` names; the message says why not (without `histx: `).
pub fn resolve(pasted: &str) -> Result<Target, String> {
    let text = unwrap_chat(pasted);
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return from_url(&text);
    }
    let decoded = percent_decoded(&text);
    if decoded.starts_with("arn:") {
        return from_arn(&decoded, None);
    }
    if is_uuid(&decoded) {
        return Ok(Target {
            service: Service::Ssm,
            args: vec![decoded],
            region: None,
        });
    }
    Err(cannot_tell(pasted, ""))
}

/// The subcommand `word` is probably a misspelling of, as a tip for a paste that is
/// none: the closest by edit distance, if within two edits (or a prefix).
pub fn similar_command<'a>(word: &str, commands: &[&'a str]) -> Option<&'a str> {
    if word.len() < 2 || !word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let word = word.to_ascii_lowercase();
    commands
        .iter()
        .map(|&command| (edit_distance(&word, command), command))
        .filter(|&(distance, command)| distance <= 2 || command.starts_with(word.as_str()))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, command)| command)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn cannot_tell(pasted: &str, why: &str) -> String {
    let shown = terminal_safe(pasted.trim());
    if why.is_empty() {
        format!("cannot tell which service '{shown}' belongs to: {EXPECTED}")
    } else {
        format!("cannot tell which service '{shown}' belongs to: {why}")
    }
}

/// Characters that show nothing, which a chat or a web page may leave in a copied text
/// (zero-width spaces and joiners, the word joiner, a byte order mark): no ARN, id or URL
/// holds one.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

/// Punctuation that ends a sentence or a clause, never a pasted target: taken off its
/// end, as GitHub's autolinks take it off a URL.
const TRAILING: &[char] = &['.', ',', ':', ';', '!', '?'];

/// The text inside what a chat or a shell left around it: white space, quotes,
/// backticks, `<...>` (Slack and e-mail), `(...)`, `[...]`, `**...**`, a Markdown link
/// (`[label](url)` is its url), a Slack label (`<https://...|label>`), punctuation after
/// it (`ARN,` `URL).`: a closing bracket that nothing inside opened), and characters that
/// show nothing.
fn unwrap_chat(pasted: &str) -> String {
    let visible: String = pasted.chars().filter(|&c| !is_invisible(c)).collect();
    let mut text = visible.trim();
    loop {
        let before = text;
        for (open, close) in [
            ('<', '>'),
            ('"', '"'),
            ('\'', '\''),
            ('`', '`'),
            ('(', ')'),
            ('[', ']'),
            ('“', '”'),
            ('‘', '’'),
        ] {
            if text.len() >= 2 && text.starts_with(open) && text.ends_with(close) {
                text = text[open.len_utf8()..text.len() - close.len_utf8()].trim();
            }
        }
        // A Markdown link: the target is the link's.
        if let (Some(rest), true) = (text.strip_prefix('['), text.ends_with(')')) {
            if let Some((_label, link)) = rest.split_once("](") {
                text = link[..link.len() - 1].trim();
            }
        }
        // Markdown's emphasis (`**ARN**`): no target holds a `*`.
        text = text.trim_matches('*').trim_end_matches(TRAILING).trim();
        for (open, close) in [('(', ')'), ('[', ']'), ('<', '>')] {
            let unopened = text.matches(close).count() > text.matches(open).count();
            if unopened {
                if let Some(rest) = text.strip_suffix(close) {
                    text = rest.trim();
                }
            }
            let unclosed = text.matches(open).count() > text.matches(close).count();
            if unclosed {
                if let Some(rest) = text.strip_prefix(open) {
                    text = rest.trim();
                }
            }
        }
        if text == before {
            break;
        }
    }
    // No ARN, id or console URL holds a `|` unencoded: what follows is a label.
    match text.split_once('|') {
        Some((target, _label)) => target.trim().to_string(),
        None => text.to_string(),
    }
}

/// `%XX` decoded, as often as a link was encoded (at most three times).
fn percent_decoded(text: &str) -> String {
    let mut text = text.to_string();
    for _ in 0..3 {
        let next = percent_decode_once(&text);
        if next == text {
            break;
        }
        text = next;
    }
    text
}

fn percent_decode_once(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// 8-4-4-4-12 hexadecimal digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A region the paste names, checked as `--region` is.
fn checked_region(region: &str, whence: &str) -> Result<String, String> {
    crate::aws::check_region(region)
        .map(|()| region.to_string())
        .map_err(|e| format!("{whence}: {e}"))
}

/// An ARN; `url` is the console URL it came from, when it came from one (its region is
/// the fallback, and it is what a message shows).
fn from_arn(arn: &str, url: Option<(&str, Option<String>)>) -> Result<Target, String> {
    let shown_text = url.as_ref().map_or(arn, |(url, _)| *url);
    let shown = terminal_safe(arn);
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, region, _account, resource] = parts[..] else {
        return Err(cannot_tell(
            shown_text,
            "an ARN has six parts, arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE",
        ));
    };
    if partition != "aws" && !partition.starts_with("aws-") {
        return Err(cannot_tell(
            shown_text,
            &format!(
                "'{}' is no AWS partition (aws, aws-cn, aws-us-gov, ...)",
                terminal_safe(partition)
            ),
        ));
    }
    let region = if region.is_empty() {
        url.and_then(|(_, region)| region)
    } else {
        Some(checked_region(region, &format!("the ARN '{shown}'"))?)
    };
    let (kind, rest) = resource.split_once([':', '/']).unwrap_or((resource, ""));
    let target = |service, args: Vec<String>| {
        Ok(Target {
            service,
            args,
            region: region.clone(),
        })
    };
    match (service, kind) {
        ("states", "execution" | "stateMachine") => target(Service::Sfn, vec![arn.to_string()]),
        ("states", "express") => Err(format!(
            "'{shown}' is an Express execution: Express workflows have no execution history \
             API; their history is in the state machine's CloudWatch Logs"
        )),
        ("states", "mapRun") => Err(format!(
            "'{shown}' is a Map Run, not a run of its own: its child executions are \
             (list them: aws stepfunctions list-executions --map-run-arn <ARN>, then paste one)"
        )),
        ("states", "activity") => Err(format!(
            "'{shown}' is an activity, which has no history of its own: paste the execution \
             that ran it"
        )),
        ("states", other) => Err(format!(
            "'{shown}' is a Step Functions '{}' ARN, which has no history; expected an \
             execution or a state machine ARN",
            terminal_safe(other)
        )),
        ("codepipeline", _) if !resource.is_empty() && !resource.contains(':') => {
            let pipeline = resource.split('/').next().unwrap_or(resource);
            target(Service::CodePipeline, vec![pipeline.to_string()])
        }
        ("codepipeline", _) => Err(format!(
            "'{shown}' is no pipeline's ARN; expected \
             arn:aws:codepipeline:REGION:ACCOUNT:PIPELINE"
        )),
        ("ssm", "automation-execution") => target(Service::Ssm, vec![arn.to_string()]),
        ("ssm", "document" | "automation-definition") if !rest.is_empty() => {
            let name = rest.split(':').next().unwrap_or(rest);
            target(Service::Ssm, vec![name.to_string()])
        }
        ("ssm", _) => Err(format!(
            "'{shown}' is an SSM ARN of no automation; expected \
             arn:aws:ssm:REGION:ACCOUNT:automation-execution/ID"
        )),
        ("swf", _) => Err(format!(
            "'{shown}' is an SWF ARN, which names no run: use histx swf --domain DOMAIN WORKFLOW_ID"
        )),
        (other, _) => Err(cannot_tell(
            shown_text,
            &format!(
                "it is an ARN of the '{}' service; {EXPECTED}",
                terminal_safe(other)
            ),
        )),
    }
}

/// A console URL split into its parts, each decoded.
struct Url {
    host: String,
    path: String,
    query: Vec<(String, String)>,
    fragment: String,
}

fn split_url(text: &str) -> Url {
    let after_scheme = text.split_once("://").map_or(text, |(_, rest)| rest);
    let (before_fragment, fragment) = after_scheme.split_once('#').unwrap_or((after_scheme, ""));
    let (address, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    let (host, path) = match address.find('/') {
        Some(at) => (&address[..at], &address[at..]),
        None => (address, ""),
    };
    // A port or credentials have no place in a console URL, but cost nothing to drop.
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    Url {
        host: host.to_ascii_lowercase(),
        path: percent_decoded(path),
        query: query
            .split('&')
            .filter_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                Some((percent_decoded(key), percent_decoded(value)))
            })
            .collect(),
        fragment: percent_decoded(fragment),
    }
}

/// The region in a console host, `us-east-1` of `us-east-1.console.aws.amazon.com`
/// (or of `123456789012-abcd.us-east-1.console...`); `None` on a console host without
/// one; `Err` on a host that is no console's.
fn host_region(host: &str) -> Result<Option<String>, ()> {
    for domain in CONSOLE_DOMAINS {
        if host == domain {
            return Ok(None);
        }
        if let Some(prefix) = host.strip_suffix(domain).and_then(|p| p.strip_suffix('.')) {
            let label = prefix.rsplit('.').next().unwrap_or(prefix);
            return Ok(looks_like_region(label).then(|| label.to_string()));
        }
    }
    Err(())
}

/// `us-east-1`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-2`: letters, then `-`
/// separated words, ending in a number.
fn looks_like_region(label: &str) -> bool {
    let words: Vec<&str> = label.split('-').collect();
    words.len() >= 3
        && words[..words.len() - 1]
            .iter()
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
        && words[words.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !words[words.len() - 1].is_empty()
}

fn from_url(text: &str) -> Result<Target, String> {
    let url = split_url(text);
    let Ok(host_region) = host_region(&url.host) else {
        return Err(cannot_tell(
            text,
            &format!(
                "'{}' is not the AWS console's host ({}); {EXPECTED}",
                terminal_safe(&url.host),
                CONSOLE_DOMAINS.join(", ")
            ),
        ));
    };
    let query_region = url
        .query
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("region"))
        .map(|(_, value)| value.as_str());
    let region = match query_region {
        Some(region) => Some(checked_region(region, "the URL's region=")?),
        None => host_region,
    };
    let path = url.path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let target = |service, args: Vec<String>| {
        Ok(Target {
            service,
            args,
            region: region.clone(),
        })
    };
    match segments[..] {
        ["states", ..] => match arn_in(&url.fragment).or_else(|| arn_in(&url.path)) {
            Some(arn) => from_arn(&arn, Some((text, region.clone()))),
            None => Err(cannot_tell(
                text,
                "this Step Functions console page names no execution or state machine \
                 (open the execution's page and copy its URL, or its ARN)",
            )),
        },
        ["codesuite", "codepipeline", "pipelines", name, ref rest @ ..] => match rest {
            ["executions", id, ..] => target(
                Service::CodePipeline,
                vec![name.to_string(), "--execution-id".into(), id.to_string()],
            ),
            _ => target(Service::CodePipeline, vec![name.to_string()]),
        },
        ["codepipeline", ..] => {
            let view: Vec<&str> = url.fragment.split('/').filter(|s| !s.is_empty()).collect();
            match view[..] {
                ["view", name, ..] => target(Service::CodePipeline, vec![name.to_string()]),
                _ => Err(cannot_tell(
                    text,
                    "this CodePipeline console page names no pipeline",
                )),
            }
        }
        ["codesuite", "codepipeline", ..] => Err(cannot_tell(
            text,
            "this CodePipeline console page names no pipeline (open the pipeline's or the \
             execution's page and copy its URL)",
        )),
        ["systems-manager", "automation", "execution", id, ..] => {
            target(Service::Ssm, vec![id.to_string()])
        }
        ["systems-manager", ..] => Err(cannot_tell(
            text,
            "this Systems Manager console page names no automation execution (open the \
             execution's page and copy its URL, or its id)",
        )),
        _ => Err(cannot_tell(
            text,
            "an AWS console URL, but of no page histx reads: expected a Step Functions \
             execution or state machine page, a CodePipeline pipeline or execution page, or \
             an SSM Automation execution page",
        )),
    }
}

/// The first ARN in a console URL's fragment: from `arn:` to the next `?`, `&`, `#` or
/// white space (none of which an ARN of a run holds).
fn arn_in(text: &str) -> Option<String> {
    let at = text.find("arn:")?;
    let arn = &text[at..];
    let end = arn
        .find(|c: char| matches!(c, '?' | '&' | '#') || c.is_whitespace())
        .unwrap_or(arn.len());
    Some(arn[..end].trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:execution:Orders:run-42";
    const MACHINE: &str = "arn:aws:states:eu-west-1:123456789012:stateMachine:Orders";
    const UUID: &str = "4105a4fc-f944-11e6-9d32-0123456789ab";
    const PIPELINE_RUN: &str = "5a7c44a9-8776-448d-b753-00c82a322f6a";

    /// What a paste resolves to, as `service args... @region`.
    fn resolved(pasted: &str) -> Result<String, String> {
        resolve(pasted).map(|target| {
            let mut line = vec![target.service.command().to_string()];
            line.extend(target.args);
            if let Some(region) = target.region {
                line.push(format!("@{region}"));
            }
            line.join(" ")
        })
    }

    #[test]
    fn every_shape_resolves_to_its_service_id_and_region() {
        let encoded = EXECUTION.replace(':', "%3A");
        let cases: Vec<(String, String)> = vec![
            // Step Functions ARNs.
            (EXECUTION.into(), format!("sfn {EXECUTION} @us-east-1")),
            (
                "arn:aws:states:us-east-1:123456789012:execution:Orders/Map:0f1e2d3c".into(),
                "sfn arn:aws:states:us-east-1:123456789012:execution:Orders/Map:0f1e2d3c @us-east-1".into(),
            ),
            (
                "arn:aws-cn:states:cn-north-1:123456789012:execution:Orders:run-1".into(),
                "sfn arn:aws-cn:states:cn-north-1:123456789012:execution:Orders:run-1 @cn-north-1".into(),
            ),
            (
                "arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:Orders:run-1".into(),
                "sfn arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:Orders:run-1 @us-gov-west-1".into(),
            ),
            (MACHINE.into(), format!("sfn {MACHINE} @eu-west-1")),
            (format!("{MACHINE}:7"), format!("sfn {MACHINE}:7 @eu-west-1")),
            (format!("{MACHINE}:prod"), format!("sfn {MACHINE}:prod @eu-west-1")),
            (encoded.clone(), format!("sfn {EXECUTION} @us-east-1")),
            (encoded.replace('%', "%25"), format!("sfn {EXECUTION} @us-east-1")),
            // What chat and shells leave around it.
            (format!("  {EXECUTION}\n"), format!("sfn {EXECUTION} @us-east-1")),
            (format!("\"{EXECUTION}\""), format!("sfn {EXECUTION} @us-east-1")),
            (format!("'{EXECUTION}'"), format!("sfn {EXECUTION} @us-east-1")),
            (format!("`{EXECUTION}`"), format!("sfn {EXECUTION} @us-east-1")),
            (format!("<{EXECUTION}>"), format!("sfn {EXECUTION} @us-east-1")),
            (format!("“{EXECUTION}”"), format!("sfn {EXECUTION} @us-east-1")),
            // CodePipeline ARNs.
            (
                "arn:aws:codepipeline:us-east-2:123456789012:shop-release".into(),
                "codepipeline shop-release @us-east-2".into(),
            ),
            (
                "arn:aws:codepipeline:us-east-2:123456789012:shop-release/Deploy/Push".into(),
                "codepipeline shop-release @us-east-2".into(),
            ),
            (
                "arn:aws-cn:codepipeline:cn-northwest-1:123456789012:app.v2@x_y".into(),
                "codepipeline app.v2@x_y @cn-northwest-1".into(),
            ),
            // SSM.
            (UUID.into(), format!("ssm {UUID}")),
            (UUID.to_ascii_uppercase(), format!("ssm {}", UUID.to_ascii_uppercase())),
            (
                format!("arn:aws:ssm:ap-south-1:123456789012:automation-execution/{UUID}"),
                format!("ssm arn:aws:ssm:ap-south-1:123456789012:automation-execution/{UUID} @ap-south-1"),
            ),
            (
                "arn:aws:ssm:us-east-1:123456789012:document/Patch-Fleet".into(),
                "ssm Patch-Fleet @us-east-1".into(),
            ),
            (
                "arn:aws:ssm:us-east-1:123456789012:automation-definition/Patch-Fleet:$DEFAULT".into(),
                "ssm Patch-Fleet @us-east-1".into(),
            ),
            // Step Functions console pages.
            (
                format!("https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/{EXECUTION}"),
                format!("sfn {EXECUTION} @us-east-1"),
            ),
            (
                format!("https://console.aws.amazon.com/states/home?region=us-east-1#/executions/details/{EXECUTION}"),
                format!("sfn {EXECUTION} @us-east-1"),
            ),
            (
                format!("https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/{encoded}"),
                format!("sfn {EXECUTION} @us-east-1"),
            ),
            (
                format!("https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/statemachines/view/{MACHINE}"),
                format!("sfn {MACHINE} @eu-west-1"),
            ),
            (
                format!("https://eu-west-1.console.aws.amazon.com/states/home#/statemachines/view/{}", MACHINE.replace(':', "%3A")),
                format!("sfn {MACHINE} @eu-west-1"),
            ),
            (
                format!("https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/{}?type=standard", EXECUTION.replace(':', "%3a")),
                format!("sfn {EXECUTION} @us-east-1"),
            ),
            // The ARN's region wins over the page's.
            (
                format!("https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/{EXECUTION}"),
                format!("sfn {EXECUTION} @us-east-1"),
            ),
            (
                format!("<https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/{EXECUTION}|the failed run>"),
                format!("sfn {EXECUTION} @us-east-1"),
            ),
            (
                "https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/arn:aws-cn:states:cn-north-1:123456789012:execution:Orders:run-1".into(),
                "sfn arn:aws-cn:states:cn-north-1:123456789012:execution:Orders:run-1 @cn-north-1".into(),
            ),
            (
                "https://console.amazonaws-us-gov.com/states/home?region=us-gov-west-1#/v2/executions/details/arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:Orders:run-1".into(),
                "sfn arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:Orders:run-1 @us-gov-west-1".into(),
            ),
            // CodePipeline console pages.
            (
                "https://us-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/shop-release/view?region=us-west-1".into(),
                "codepipeline shop-release @us-west-1".into(),
            ),
            (
                "https://console.aws.amazon.com/codesuite/codepipeline/pipelines/shop-release/view?region=eu-central-1".into(),
                "codepipeline shop-release @eu-central-1".into(),
            ),
            (
                "https://ap-northeast-2.console.aws.amazon.com/codesuite/codepipeline/pipelines/shop-release/view".into(),
                "codepipeline shop-release @ap-northeast-2".into(),
            ),
            (
                "https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/shop-release/executions?region=us-east-1".into(),
                "codepipeline shop-release @us-east-1".into(),
            ),
            (
                format!("https://console.aws.amazon.com/codesuite/codepipeline/pipelines/shop-release/executions/{PIPELINE_RUN}/timeline?region=us-east-1"),
                format!("codepipeline shop-release --execution-id {PIPELINE_RUN} @us-east-1"),
            ),
            (
                format!("https://us-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/shop-release/executions/{PIPELINE_RUN}/visualization?region=us-west-1&tab=timeline"),
                format!("codepipeline shop-release --execution-id {PIPELINE_RUN} @us-west-1"),
            ),
            (
                format!("https://123456789012-tm3revhu.us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/shop-release/executions/{PIPELINE_RUN}/visualization?region=us-east-1"),
                format!("codepipeline shop-release --execution-id {PIPELINE_RUN} @us-east-1"),
            ),
            (
                "https://cn-north-1.console.amazonaws.cn/codesuite/codepipeline/pipelines/shop-release/view?region=cn-north-1".into(),
                "codepipeline shop-release @cn-north-1".into(),
            ),
            (
                "https://console.aws.amazon.com/codepipeline/home?region=us-east-1#/view/shop-release".into(),
                "codepipeline shop-release @us-east-1".into(),
            ),
            // SSM Automation console pages.
            (
                format!("https://eu-central-1.console.aws.amazon.com/systems-manager/automation/execution/{UUID}?region=eu-central-1"),
                format!("ssm {UUID} @eu-central-1"),
            ),
            (
                format!("https://console.aws.amazon.com/systems-manager/automation/execution/{UUID}?REGION=us-west-2"),
                format!("ssm {UUID} @us-west-2"),
            ),
            (
                format!("https://us-east-1.console.aws.amazon.com/systems-manager/automation/execution/{UUID}/step/1/b1573d3f-0e23-4e6c-abaf-0415ca4493cd?region=us-east-1"),
                format!("ssm {UUID} @us-east-1"),
            ),
            (
                format!("https://us-east-1.console.aws.amazon.com/systems-manager/automation/execution/{UUID}/approval"),
                format!("ssm {UUID} @us-east-1"),
            ),
            (
                format!("https://us-gov-east-1.console.amazonaws-us-gov.com/systems-manager/automation/execution/{UUID}"),
                format!("ssm {UUID} @us-gov-east-1"),
            ),
            (
                format!("'https://console.aws.amazon.com/systems-manager/automation/execution/{UUID}'"),
                format!("ssm {UUID}"),
            ),
        ];
        for (pasted, expected) in &cases {
            assert_eq!(resolved(pasted).as_ref(), Ok(expected), "{pasted}");
        }
    }

    #[test]
    fn chat_punctuation_and_markdown_around_a_paste_are_taken_off() {
        let url = format!("https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/{EXECUTION}");
        let run = format!("sfn {EXECUTION} @us-east-1");
        let cases: Vec<(String, String)> = vec![
            (format!("{EXECUTION},"), run.clone()),
            (format!("{EXECUTION}."), run.clone()),
            (format!("{EXECUTION}:"), run.clone()),
            (format!("{EXECUTION}?!"), run.clone()),
            (format!("{EXECUTION});"), run.clone()),
            (format!("({EXECUTION}),"), run.clone()),
            (format!("{url})"), run.clone()),
            (format!("({url})."), run.clone()),
            (format!("[the failed run]({url})"), run.clone()),
            (format!("[{url}]({url})"), run.clone()),
            (format!("**{EXECUTION}**"), run.clone()),
            (format!("\u{200b}{EXECUTION}"), run.clone()),
            (format!("\u{feff}{url}\u{200b}"), run.clone()),
            (format!("{EXECUTION}\u{2060}"), run.clone()),
            // A closing bracket that opens inside stays: a name may hold both.
            (
                "arn:aws:states:us-east-1:123456789012:execution:Orders:run(1)".into(),
                "sfn arn:aws:states:us-east-1:123456789012:execution:Orders:run(1) @us-east-1".into(),
            ),
            (format!("{UUID}."), format!("ssm {UUID}")),
            (
                "https://us-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/shop-release/view?region=us-west-1),".into(),
                "codepipeline shop-release @us-west-1".into(),
            ),
        ];
        for (pasted, expected) in &cases {
            assert_eq!(resolved(pasted).as_ref(), Ok(expected), "{pasted:?}");
        }
    }

    #[test]
    fn what_cannot_be_placed_says_what_was_expected() {
        let cases: &[(&str, &str)] = &[
            ("foo", "cannot tell which service 'foo' belongs to: expected a Step Functions ARN, a CodePipeline pipeline ARN, an SSM automation execution id or an AWS console URL"),
            ("", "cannot tell which service '' belongs to: expected"),
            ("   ", "cannot tell which service '' belongs to: expected"),
            ("<>", "cannot tell which service '<>' belongs to: expected"),
            ("4105a4fc-f944-11e6-9d32", "cannot tell which service '4105a4fc-f944-11e6-9d32' belongs to"),
            ("arn:aws:states:us-east-1", "an ARN has six parts"),
            ("arn:gcp:states:us-east-1:1:execution:a:b", "'gcp' is no AWS partition"),
            ("arn:aws:lambda:us-east-1:123456789012:function:f", "an ARN of the 'lambda' service"),
            ("arn:aws:states:us east 1:123456789012:execution:a:b", "'us east 1' is not a region name"),
            ("arn:aws:states:us-east-1:123456789012:express:Orders:run-1:0f1e", "is an Express execution: Express workflows have no execution history API"),
            ("arn:aws:states:us-east-1:123456789012:mapRun:Orders/Map:0f1e2d3c", "is a Map Run, not a run of its own"),
            ("arn:aws:states:us-east-1:123456789012:activity:Approve", "is an activity"),
            ("arn:aws:codepipeline:us-east-1:123456789012:webhook:hook", "is no pipeline's ARN"),
            ("arn:aws:ssm:us-east-1:123456789012:parameter/x", "is an SSM ARN of no automation"),
            ("arn:aws:swf:us-east-1:123456789012:/domain/orders", "histx swf --domain DOMAIN WORKFLOW_ID"),
            ("https://example.com/states/home#/v2/executions/details/arn:aws:states:us-east-1:1:execution:a:b", "'example.com' is not the AWS console's host"),
            ("https://console.aws.amazon.com.evil.example/states/home", "is not the AWS console's host"),
            ("https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/statemachines", "names no execution or state machine"),
            (
                "https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/express-executions/details/arn:aws:states:us-east-1:123456789012:express:Orders:run-1:0f1e?startDate=1700000000000",
                "is an Express execution",
            ),
            (
                "https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/map-runs/arn:aws:states:us-east-1:123456789012:mapRun:Orders/Map:0f1e2d3c",
                "is a Map Run",
            ),
            ("https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines?region=us-east-1", "names no pipeline"),
            ("https://us-east-1.console.aws.amazon.com/systems-manager/automation/executions?region=us-east-1", "names no automation execution"),
            ("https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1#/functions/f", "of no page histx reads"),
            ("https://console.aws.amazon.com/systems-manager/automation/execution/x?region=us%20east", "the URL's region=: 'us east' is not a region name"),
        ];
        for (pasted, expected) in cases {
            let message = resolve(pasted).expect_err(pasted);
            assert!(message.contains(expected), "{pasted}: {message}");
            assert!(!message.contains('\n'), "{pasted}: one line: {message}");
        }
    }

    #[test]
    fn pasted_text_is_shown_terminal_safe() {
        let message = resolve("\u{1b}[31mred").unwrap_err();
        assert!(!message.contains('\u{1b}'), "{message}");
    }

    #[test]
    fn a_misspelt_command_is_named() {
        let commands = ["sfn", "swf", "ssm", "codepipeline", "completions", "man"];
        assert_eq!(similar_command("sfm", &commands), Some("sfn"));
        assert_eq!(similar_command("codepipe", &commands), Some("codepipeline"));
        assert_eq!(
            similar_command("completion", &commands),
            Some("completions")
        );
        assert_eq!(similar_command("orders-processing", &commands), None);
        assert_eq!(similar_command("arn:aws:x", &commands), None);
    }

    #[test]
    fn percent_decoding_leaves_a_lone_percent() {
        assert_eq!(percent_decoded("a%3Ab%2"), "a:b%2");
        assert_eq!(percent_decoded("100%"), "100%");
        assert_eq!(percent_decoded("%zz"), "%zz");
    }
}

/// The AWS console page of a run, the reverse of pasting one: a Step Functions
/// execution (`execution`: its ARN, whose region wins), a CodePipeline execution
/// (`PIPELINE/EXECUTION_ID`), an SSM automation (its id, or its ARN); SWF runs have no
/// console page. `region`: where the run was read. The host is the partition's (the
/// region's prefix says which: `cn-` for aws-cn, `us-gov-` for aws-us-gov); a region
/// of an isolated partition (`us-iso`...) has no public console, so no link.
pub fn console_url(service: &str, execution: &str, region: Option<&str>) -> Option<String> {
    let arn_region = execution
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(2))
        .filter(|r| !r.is_empty());
    let region = arn_region.or(region)?;
    if !looks_like_region(region) || region.starts_with("us-iso") || region.starts_with("eu-isoe") {
        return None;
    }
    // A region's own host on the commercial console; the other partitions' consoles
    // take the region in the query only.
    let host = if region.starts_with("cn-") {
        "console.amazonaws.cn".to_string()
    } else if region.starts_with("us-gov-") {
        "console.amazonaws-us-gov.com".to_string()
    } else {
        format!("{region}.console.aws.amazon.com")
    };
    let safe = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:@/".contains(c))
    };
    match service {
        "sfn" if execution.starts_with("arn:") && safe(execution) => Some(format!(
            "https://{host}/states/home?region={region}#/v2/executions/details/{execution}"
        )),
        "codepipeline" => {
            let (pipeline, id) = execution.split_once('/')?;
            (safe(pipeline) && safe(id) && !id.contains('/')).then(|| {
                format!(
                    "https://{host}/codesuite/codepipeline/pipelines/{pipeline}/executions/{id}/timeline?region={region}"
                )
            })
        }
        "ssm" => {
            let id = execution.rsplit('/').next().unwrap_or(execution);
            safe(id).then(|| {
                format!("https://{host}/systems-manager/automation/execution/{id}?region={region}")
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod console_tests {
    use super::*;

    #[test]
    fn each_run_links_to_its_console_page_in_its_partition() {
        let arn = "arn:aws:states:eu-west-1:123456789012:execution:Orders:run-1";
        assert_eq!(
            console_url("sfn", arn, Some("us-east-1")).as_deref(),
            Some("https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:Orders:run-1")
        );
        assert_eq!(
            console_url("codepipeline", "web/6d0e4c2a-8b9f", Some("us-east-2")).as_deref(),
            Some("https://us-east-2.console.aws.amazon.com/codesuite/codepipeline/pipelines/web/executions/6d0e4c2a-8b9f/timeline?region=us-east-2")
        );
        assert_eq!(
            console_url("ssm", "4105a4fc-f944", Some("cn-north-1")).as_deref(),
            Some("https://console.amazonaws.cn/systems-manager/automation/execution/4105a4fc-f944?region=cn-north-1")
        );
        let gov = "arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:M:x";
        assert!(console_url("sfn", gov, None)
            .unwrap()
            .starts_with("https://console.amazonaws-us-gov.com/states/home?region=us-gov-west-1#"));
        // None: SWF, no region, an isolated partition, text that is no id.
        assert_eq!(console_url("swf", "d/w/r", Some("us-east-1")), None);
        assert_eq!(console_url("ssm", "4105a4fc", None), None);
        assert_eq!(console_url("ssm", "4105a4fc", Some("us-iso-east-1")), None);
        assert_eq!(console_url("ssm", "x\u{1b}]8;;", Some("us-east-1")), None);
        assert_eq!(
            console_url("codepipeline", "no-execution", Some("us-east-1")),
            None
        );
    }
}

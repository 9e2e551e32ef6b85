//! The shape of the command line: `histx <service> show <target>` and its short form,
//! which flags each command takes (AWS access, colour and ASCII on service commands;
//! output, filters and input on history commands; neither on `completions` and `man`),
//! and man pages that describe each option once.

use crate::common::{histx, repo_file};

const EXAMPLES: &[(&str, &str)] = &[
    ("sfn", "examples/sfn/order-fulfilment-failed.json"),
    ("swf", "examples/swf/invoice-import-completed.json"),
    ("ssm", "examples/ssm/patch-web-fleet-failed.json"),
    (
        "codepipeline",
        "examples/codepipeline/web-storefront-two-releases.json",
    ),
];

fn stdout(args: &[&str]) -> String {
    let output = histx().args(args).assert().success().get_output().clone();
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn show_is_the_default_verb_of_every_service() {
    for (service, example) in EXAMPLES {
        let file = repo_file(example).display().to_string();
        for format in ["jsonl", "tree"] {
            let short = stdout(&[service, "--from", &file, "-o", format, "--color", "never"]);
            let long = stdout(&[service, "show", "--from", &file, "-o", format]);
            assert!(!short.is_empty(), "{service} -o {format}");
            assert_eq!(short, long, "histx {service} show -o {format}");
        }
    }
}

#[test]
fn service_flags_go_after_the_verb_too() {
    let file = repo_file(EXAMPLES[0].1).display().to_string();
    let shown = stdout(&[
        "sfn",
        "show",
        "--from",
        &file,
        "--summary",
        "--ascii",
        "--color",
        "always",
        "--region",
        "eu-west-1",
    ]);
    assert!(
        shown.contains("\u{1b}["),
        "--color always after the verb: {shown}"
    );
}

#[test]
fn completions_and_man_take_no_history_or_aws_flags() {
    for args in [
        &["completions", "bash", "--failed"][..],
        &["completions", "bash", "--profile", "prod"],
        &["man", "sfn", "-o", "json"],
    ] {
        let assert = histx().args(args).assert().code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains("unexpected argument"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let help = stdout(&["completions", "--help"]);
    for flag in ["--profile", "--failed", "--from", "--output", "--color"] {
        assert!(
            !help.contains(flag),
            "completions --help lists {flag}: {help}"
        );
    }
}

#[test]
fn a_verb_after_history_flags_is_not_taken_for_a_target() {
    // `histx sfn --limit 2 show ARN`: flags of `show` before the verb make `show` the
    // target, which is refused as one (exit 2), never run as something else.
    let assert = histx()
        .args(["sfn", "--limit", "2", "show"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("'show'"), "{stderr}");
}

#[test]
fn each_man_page_describes_each_option_once() {
    for page in ["sfn", "swf", "ssm", "codepipeline"] {
        let roff = stdout(&["man", page]);
        let mut described: Vec<&str> = roff
            .split(".TP\n")
            .skip(1)
            .filter_map(|entry| entry.lines().next())
            .filter(|head| head.contains("\\fB\\-\\-"))
            .collect();
        let before = described.len();
        assert!(before > 10, "histx-{page}(1) describes its options: {roff}");
        described.sort_unstable();
        described.dedup();
        assert_eq!(described.len(), before, "histx-{page}(1) repeats an option");
        for option in ["\\-\\-from", "\\-\\-failed", "\\-\\-profile", "\\-\\-color"] {
            assert!(
                roff.contains(&format!("\\fB{option}\\fR")),
                "histx-{page}(1) lacks {option}"
            );
        }
    }
}

//! The shape of the command line: `histx <service> show <target>` and its short form,
//! which flags each command takes (AWS access, colour and ASCII on service commands;
//! output, filters and input on history commands; neither on `completions` and `man`),
//! and man pages that describe each option once.

use crate::common::{histx, one_error_line, repo_file};

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

#[test]
fn every_usage_error_is_one_line_with_exit_status_2() {
    let arn = "arn:aws:states:us-east-1:123456789012:execution:a:b";
    let cases: &[(&[&str], &str)] = &[
        (
            &["sfn", arn, "--page-size", "0"],
            "'0' is not a whole number of 1 or more",
        ),
        (
            &["sfn", arn, "--page-size", "-1"],
            "'-1' is not a whole number of 1 or more",
        ),
        (&["sfn", arn, "--limit", "0"], "--limit"),
        (
            &["sfn", arn, "--since", "tomorrow"],
            "'tomorrow' is neither",
        ),
        (
            &["sfn", arn, "--color", "maybe"],
            "[possible values: auto, always, never]",
        ),
        (
            &["sfn", arn, "-o", "jsn"],
            "tip: a similar value exists: 'json'",
        ),
        (&["sfn", arn, "--name", "["], "is not a valid pattern"),
        (&["sfn", arn, "--bogus"], "unexpected argument '--bogus'"),
        (
            &["sfn", "--from"],
            "a value is required for '--from <FILE>'",
        ),
        (&["nope"], "cannot tell which service 'nope' belongs to"),
        (
            &["sfn", arn, "--region", "us east 1"],
            "'us east 1' is not a region name",
        ),
        (
            &["sfn", "arn:aws:states:us east 1:123456789012:execution:a:b"],
            "'us east 1' is not a region name",
        ),
        (
            &["sfn", arn, "--endpoint-url", "http://a b"],
            "holds a space",
        ),
        (
            &[
                "ssm",
                "4105a4fc-f944-11e6-9d32-0123456789ab",
                "--filter",
                "StartTimeBefore=soon",
            ],
            "'soon' is not a time",
        ),
    ];
    for (args, expected) in cases {
        let assert = histx().args(*args).assert().code(2);
        let line = one_error_line(&assert.get_output().stderr);
        assert!(line.contains(expected), "{args:?}: {line}");
    }
    // Not UTF-8: said in one line too.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let assert = histx()
            .arg("sfn")
            .arg(std::ffi::OsStr::from_bytes(b"--name=\xff"))
            .assert()
            .code(2);
        one_error_line(&assert.get_output().stderr);
    }
}

#[test]
fn a_missing_target_is_said_once_with_one_prefix() {
    let cases: &[(&[&str], &str)] = &[
        (&["sfn"], "histx: `histx sfn` needs an execution ARN ("),
        (
            &["swf"],
            "histx: `histx swf` needs --domain DOMAIN and a WORKFLOW_ID",
        ),
        (
            &["ssm"],
            "histx: `histx ssm` needs an automation execution ID",
        ),
        (
            &["codepipeline"],
            "histx: `histx codepipeline` needs a pipeline name",
        ),
        (&["man", "nope"], "histx: no subcommand 'nope'"),
    ];
    for (args, start) in cases {
        let assert = histx().args(*args).assert().code(2);
        let line = one_error_line(&assert.get_output().stderr);
        assert!(line.starts_with(start), "{args:?}: {line}");
        assert_eq!(line.matches("histx:").count(), 1, "{args:?}: {line}");
        assert!(
            line.ends_with("or --from FILE") || args[0] == "man",
            "{line}"
        );
    }
}

#[test]
fn help_and_version_still_print_as_clap_prints_them() {
    let help = stdout(&["sfn", "--help"]);
    assert!(help.contains("Usage: histx sfn"), "{help}");
    assert!(stdout(&["--version"]).starts_with("histx "));
}

#[test]
fn a_closed_standard_output_is_an_error_not_a_silent_success() {
    let binary = assert_cmd::cargo::cargo_bin("histx");
    let file = repo_file(EXAMPLES[0].1);
    let run = |redirect: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "'{}' sfn --from '{}' -o jsonl {redirect}",
                binary.display(),
                file.display()
            ))
            .output()
            .unwrap()
    };
    let closed = run(">&-");
    assert_eq!(closed.status.code(), Some(1));
    assert_eq!(
        one_error_line(&closed.stderr),
        "histx: standard output is closed (`>&-`): there is nowhere to write"
    );
    let discarded = run("> /dev/null");
    assert_eq!(discarded.status.code(), Some(0), "> /dev/null is fine");
}

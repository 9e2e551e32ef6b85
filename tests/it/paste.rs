//! Paste anything, end to end through the binary: `histx <ARN or console URL> ...` runs
//! the service command it stands for (the same output as typing it), in the region the
//! paste names, with the options after it; what cannot be placed is one line, exit 2,
//! before any request. The table of every shape is `paste`'s unit test.

use crate::common;

use common::fake::FakeAws;
use common::fake_codepipeline::{self, synthetic_actions, LIST_ACTIONS};
use common::fake_sfn::{self, synthetic_history, TARGET as SFN_HISTORY};
use common::fake_ssm::{self, synthetic_steps, TARGET as SSM_STEPS};
use common::{histx, json_lines, one_error_line};
use serde_json::json;
use std::collections::HashMap;

/// In another region than the tests' AWS_REGION (us-east-1), so that where a request
/// was signed for shows where the region came from.
const ARN: &str = "arn:aws:states:eu-west-1:123456789012:execution:Orders:run-42";
const AUTOMATION: &str = "4105a4fc-f944-11e6-9d32-0123456789ab";
const PIPELINE: &str = "shop-release";
const OLDER: &str = "11111111-1111-4111-8111-111111111111";
const NEWER: &str = "22222222-2222-4222-8222-222222222222";

fn sfn_fake() -> FakeAws {
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        ARN.to_string(),
        synthetic_history(1500),
    )])));
    fake
}

/// stdout of histx with these arguments, then `--endpoint-url` of the fake.
fn stdout(fake: &FakeAws, args: &[&str]) -> Vec<u8> {
    histx()
        .args(args)
        .args(["--endpoint-url", &fake.endpoint()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

#[test]
fn a_pasted_execution_arn_is_histx_sfn_with_its_options() {
    let fake = sfn_fake();
    for options in [
        &["-o", "jsonl"][..],
        &["-o", "tree", "--failed"],
        &["--reverse", "--limit", "3", "-o", "jsonl"],
    ] {
        let typed = stdout(&fake, &[&["sfn", ARN][..], options].concat());
        let pasted = stdout(&fake, &[&[ARN][..], options].concat());
        assert!(!typed.is_empty(), "{options:?}");
        assert_eq!(
            String::from_utf8_lossy(&pasted),
            String::from_utf8_lossy(&typed),
            "{options:?}"
        );
    }
    let events = json_lines(&stdout(&fake, &[ARN, "-o", "jsonl"]));
    assert_eq!(events.len(), 1500);
    assert!(
        fake.regions(SFN_HISTORY).iter().all(|r| r == "eu-west-1"),
        "signed for the ARN's region: {:?}",
        fake.regions(SFN_HISTORY)
    );
}

#[test]
fn a_pasted_console_url_is_the_execution_it_shows() {
    let fake = sfn_fake();
    let typed = stdout(&fake, &["sfn", ARN, "-o", "jsonl"]);
    let encoded = ARN.replace(':', "%3A");
    let urls = [
        format!("https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/{ARN}"),
        format!("https://console.aws.amazon.com/states/home?region=eu-west-1#/executions/details/{encoded}"),
        // From a chat: Slack's <url|label>, a page in another region than the ARN's.
        format!("<https://us-east-2.console.aws.amazon.com/states/home?region=us-east-2#/v2/executions/details/{encoded}|the failed run>"),
    ];
    for url in &urls {
        let pasted = stdout(&fake, &[url, "-o", "jsonl"]);
        assert_eq!(pasted, typed, "{url}");
    }
    let regions = fake.regions(SFN_HISTORY);
    assert_eq!(regions.len(), 2 * (urls.len() + 1), "{regions:?}");
    assert!(regions.iter().all(|r| r == "eu-west-1"), "{regions:?}");
}

#[test]
fn a_codepipeline_execution_page_shows_that_execution_in_the_pages_region() {
    let fake = FakeAws::start();
    let mut actions = synthetic_actions(OLDER, 30, 1_714_557_600.0);
    actions.extend(synthetic_actions(NEWER, 20, 1_714_558_600.0));
    let pipelines = HashMap::from([(PIPELINE.to_string(), actions)]);
    fake.serve(fake_codepipeline::list_action_executions(pipelines.clone()));
    fake.serve(fake_codepipeline::list_pipeline_executions(pipelines));
    let url = format!(
        "https://ap-northeast-2.console.aws.amazon.com/codesuite/codepipeline/pipelines/{PIPELINE}/executions/{OLDER}/timeline?region=ap-northeast-2"
    );
    let events = json_lines(&stdout(&fake, &[&url, "-o", "jsonl"]));
    assert_eq!(events.len(), 30);
    assert!(events
        .iter()
        .all(|e| e["details"]["pipelineExecutionId"] == OLDER));
    let requests = fake.requests(LIST_ACTIONS);
    assert_eq!(requests[0]["pipelineName"], PIPELINE);
    assert_eq!(requests[0]["filter"], json!({"pipelineExecutionId": OLDER}));
    assert_eq!(fake.regions(LIST_ACTIONS), vec!["ap-northeast-2"]);

    // An explicit --region beats the page's.
    stdout(&fake, &[&url, "--region", "eu-north-1", "-o", "jsonl"]);
    assert_eq!(
        fake.regions(LIST_ACTIONS),
        vec!["ap-northeast-2", "eu-north-1"]
    );
}

#[test]
fn an_ssm_automation_page_and_a_bare_id_are_histx_ssm() {
    let fake = FakeAws::start();
    fake.serve(fake_ssm::describe_automation_step_executions(
        HashMap::from([(AUTOMATION.to_string(), synthetic_steps(60))]),
    ));
    let typed = stdout(&fake, &["ssm", AUTOMATION, "-o", "jsonl"]);
    assert_eq!(json_lines(&typed).len(), 60);
    let url = format!(
        "https://sa-east-1.console.aws.amazon.com/systems-manager/automation/execution/{AUTOMATION}?region=sa-east-1"
    );
    assert_eq!(stdout(&fake, &[&url, "-o", "jsonl"]), typed);
    assert_eq!(stdout(&fake, &[AUTOMATION, "-o", "jsonl"]), typed);
    let requests = fake.requests(SSM_STEPS);
    assert!(requests
        .iter()
        .all(|r| r["AutomationExecutionId"] == AUTOMATION));
    // Two pages of 50 each time: typed, pasted URL, pasted id.
    assert_eq!(
        fake.regions(SSM_STEPS),
        [
            "us-east-1",
            "us-east-1",
            "sa-east-1",
            "sa-east-1",
            "us-east-1",
            "us-east-1"
        ]
    );
}

#[test]
fn what_cannot_be_placed_is_one_line_and_exit_2_before_any_request() {
    let cases: &[(&str, &str)] = &[
        (
            "foo",
            "histx: cannot tell which service 'foo' belongs to: expected a Step Functions ARN, a CodePipeline pipeline ARN, an SSM automation execution id or an AWS console URL",
        ),
        ("sfm", "(or did you mean 'sfn'?)"),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "an ARN of the 'lambda' service",
        ),
        (
            "arn:aws:states:us-east-1:123456789012:express:Orders:run-1:0f1e2d3c",
            "is an Express execution: Express workflows have no execution history API",
        ),
        (
            "arn:aws:states:us-east-1:123456789012:mapRun:Orders/Map:0f1e2d3c",
            "is a Map Run, not a run of its own",
        ),
        (
            "https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1#/functions",
            "of no page histx reads",
        ),
        (
            "https://example.com/states/home#/v2/executions/details/arn:aws:states:us-east-1:1:execution:a:b",
            "is not the AWS console's host",
        ),
        // Placed, then refused by the service command as it refuses a typed one.
        (
            "arn:aws:states:us-east-1:123456789012:execution:Orders",
            "not a Step Functions execution ARN",
        ),
    ];
    // The fake answers nothing: were any request made, it would show.
    let fake = FakeAws::start();
    for (pasted, expected) in cases {
        let assert = histx()
            .args([pasted, "-o", "jsonl", "--endpoint-url", &fake.endpoint()])
            .assert()
            .code(2);
        let line = one_error_line(&assert.get_output().stderr);
        assert!(line.contains(expected), "{pasted}: {line}");
        assert!(assert.get_output().stdout.is_empty(), "{pasted}");
    }
    assert!(fake.requests(SFN_HISTORY).is_empty());
}

#[test]
fn no_arguments_and_the_commands_behave_as_before() {
    // No arguments: the usage, exit 2.
    let assert = histx().assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("Usage: histx <COMMAND>"), "{stderr}");
    // The help names the paste form.
    let help = histx().arg("--help").assert().success();
    let help = String::from_utf8_lossy(&help.get_output().stdout).to_string();
    assert!(help.contains("histx <TARGET> [OPTIONS]"), "{help}");
    assert!(help.contains("Paste anything"), "{help}");
    // A command and `help` are never taken for a paste.
    histx().args(["help", "sfn"]).assert().success();
    histx().args(["completions", "bash"]).assert().success();
    let assert = histx().args(["sfn"]).assert().code(2);
    let line = one_error_line(&assert.get_output().stderr);
    assert!(
        line.starts_with("histx: `histx sfn` needs an execution ARN"),
        "{line}"
    );
}

#[test]
fn a_huge_paste_is_echoed_cut_and_a_closed_stderr_never_aborts() {
    let huge = "a".repeat(100_000);
    let assert = histx().arg(&huge).assert().code(2);
    let line = one_error_line(&assert.get_output().stderr);
    assert!(line.chars().count() < 600, "cut: {} chars", line.len());
    assert!(
        line.contains("aaaa…") && line.contains("expected a Step Functions ARN"),
        "{line}"
    );
    // A refused value clap echoes, a name a service command echoes: cut the same way.
    for args in [&["sfn", "ls", "--limit", &huge][..], &["sfn", &huge]] {
        let assert = histx().args(args).assert().code(2);
        let line = one_error_line(&assert.get_output().stderr);
        assert!(
            line.chars().count() < 1000 && line.contains("aaa…"),
            "{line}"
        );
    }

    // stderr a pipe nobody reads (`2>&1 | head -c 10` once head is gone): every write
    // fails, and histx still ends with its exit status, not SIGABRT.
    for args in [
        vec![huge.as_str()],
        vec!["sfn", "ls", "two words"],
        vec!["sfn", "ls", "--limit", "0"],
    ] {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let status = common::histx_process()
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(writer)
            .status()
            .expect("histx runs");
        assert_eq!(status.code(), Some(2), "{:?}: {status:?}", args.get(1));
    }
}

#[test]
fn options_before_a_pasted_target_are_the_service_commands() {
    let fake = sfn_fake();
    let typed = stdout(
        &fake,
        &["sfn", ARN, "--reverse", "--limit", "3", "-o", "jsonl"],
    );
    for args in [
        &["--reverse", ARN, "--limit", "3", "-o", "jsonl"][..],
        &["-o", "jsonl", "--limit=3", ARN, "--reverse"],
        &["-ojsonl", "--reverse", "--limit", "3", ARN],
        &[
            "--region",
            "eu-west-1",
            "--reverse",
            ARN,
            "--limit",
            "3",
            "-o",
            "jsonl",
        ],
    ] {
        assert_eq!(
            String::from_utf8_lossy(&stdout(&fake, args)),
            String::from_utf8_lossy(&typed),
            "{args:?}"
        );
    }
    // An explicit --region before the target beats the ARN's, as after it.
    let before = fake.regions(SFN_HISTORY).len();
    stdout(
        &fake,
        &["--region", "ap-south-1", ARN, "--limit", "1", "-o", "jsonl"],
    );
    assert_eq!(fake.regions(SFN_HISTORY)[before..], ["ap-south-1"]);
    // An option histx does not know is clap's one line, about what was typed.
    let assert = histx().args(["--bogus", ARN]).assert().code(2);
    let line = one_error_line(&assert.get_output().stderr);
    assert!(line.contains("'--bogus'"), "{line}");
}

#[test]
fn a_verb_after_a_pasted_target_is_the_service_commands_verb() {
    use common::fake_lists::{list_executions, synthetic_executions, LIST_EXECUTIONS};
    let machine = "arn:aws:states:eu-west-1:123456789012:stateMachine:Orders";
    let fake = FakeAws::start();
    fake.serve(list_executions(
        vec![machine.into()],
        synthetic_executions(machine, 30),
    ));
    let typed = stdout(
        &fake,
        &["sfn", "ls", machine, "--limit", "4", "-o", "jsonl"],
    );
    assert_eq!(json_lines(&typed).len(), 4);
    for verb in ["ls", "list"] {
        let pasted = stdout(&fake, &[machine, verb, "--limit", "4", "-o", "jsonl"]);
        assert_eq!(pasted, typed);
    }
    assert!(fake
        .regions(LIST_EXECUTIONS)
        .iter()
        .all(|r| r == "eu-west-1"));
    // A console page of a pipeline, listed.
    let url = "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/statemachines/view/arn:aws:states:eu-west-1:123456789012:stateMachine:Orders";
    assert_eq!(
        stdout(&fake, &[url, "ls", "--limit", "4", "-o", "jsonl"]),
        typed
    );

    // `show` after the target is the target shown; `ls` after one run is refused in
    // words about what was typed (no clap message naming an injected --region).
    let history = sfn_fake();
    let shown = stdout(&history, &[ARN, "show", "--limit", "2", "-o", "jsonl"]);
    assert_eq!(
        shown,
        stdout(&history, &["sfn", ARN, "--limit", "2", "-o", "jsonl"])
    );
    for (args, expected) in [
        (
            &[ARN, "ls"][..],
            "histx: 'arn:aws:states:eu-west-1:123456789012:execution:Orders:run-42' names one run; `ls` lists the runs of a state machine, a document or a pipeline",
        ),
        (
            &[AUTOMATION, "list"],
            "names one run; `ls` lists the runs of a state machine",
        ),
    ] {
        let assert = histx().args(args).assert().code(2);
        let line = one_error_line(&assert.get_output().stderr);
        assert!(line.starts_with(expected) || line.contains(expected), "{line}");
        assert!(!line.contains("--region"), "{line}");
    }
}

#[test]
fn a_verb_without_a_service_says_how_to_use_it() {
    for verb in ["ls", "list", "show"] {
        let assert = histx().args([verb, "orders"]).assert().code(2);
        let line = one_error_line(&assert.get_output().stderr);
        assert_eq!(
            line,
            format!("histx: `{verb}` is a verb: histx <sfn|swf|ssm|codepipeline> {verb} ..."),
        );
    }
}

#[test]
fn a_pasted_name_that_starts_with_a_dash_is_no_option() {
    let fake = FakeAws::start();
    let actions = synthetic_actions(OLDER, 12, 1_714_557_600.0);
    let pipelines = HashMap::from([("-x".to_string(), actions)]);
    fake.serve(fake_codepipeline::list_action_executions(pipelines.clone()));
    fake.serve(fake_codepipeline::list_pipeline_executions(pipelines));
    for pasted in [
        "arn:aws:codepipeline:us-east-2:123456789012:-x",
        "https://us-east-2.console.aws.amazon.com/codesuite/codepipeline/pipelines/-x/view?region=us-east-2",
    ] {
        let events = json_lines(&stdout(&fake, &[pasted, "-o", "jsonl"]));
        assert_eq!(events.len(), 12, "{pasted}");
    }
    let url = format!("https://us-east-2.console.aws.amazon.com/codesuite/codepipeline/pipelines/-x/executions/{OLDER}/timeline?region=us-east-2");
    assert_eq!(json_lines(&stdout(&fake, &[&url, "-o", "jsonl"])).len(), 12);
    let requests = fake.requests(LIST_ACTIONS);
    assert!(
        requests.iter().all(|r| r["pipelineName"] == "-x"),
        "{requests:?}"
    );
}

#[test]
fn chat_punctuation_and_markdown_are_taken_off_a_paste_and_a_typed_arn_is_checked() {
    let fake = sfn_fake();
    let typed = stdout(&fake, &["sfn", ARN, "--limit", "5", "-o", "jsonl"]);
    let url = format!(
        "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/{ARN}"
    );
    for pasted in [
        format!("{ARN},"),
        format!("{url})."),
        format!("[the failed run]({url})"),
        format!("\u{200b}{ARN}"),
        format!("\u{feff}{url}"),
    ] {
        assert_eq!(
            stdout(&fake, &[&pasted, "--limit", "5", "-o", "jsonl"]),
            typed,
            "{pasted:?}"
        );
    }
    let requests = fake.requests(SFN_HISTORY).len();
    // Typed after `sfn`, a name Step Functions cannot hold is refused before any request.
    let assert = histx()
        .args([
            "sfn",
            &format!("{ARN},"),
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .assert()
        .code(2);
    let line = one_error_line(&assert.get_output().stderr);
    assert!(
        line.contains("'run-42,' is no Step Functions name"),
        "{line}"
    );
    assert_eq!(fake.requests(SFN_HISTORY).len(), requests);
}

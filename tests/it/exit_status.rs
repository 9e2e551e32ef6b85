//! `--exit-status`: the exit code reports the run's outcome (0 succeeded, 3 failed, 4
//! timed out, 5 aborted/stopped/cancelled/terminated, 8 still running), on saved
//! histories of every outcome and in every way through the engine (a report, a stream,
//! the failing path), and live: from the history where it says, else from the status
//! call (GetAutomationExecution, GetPipelineExecution) of the local fake. Without the
//! flag, an outcome never changes the exit code.

use crate::common;

use common::fake::{FakeAws, Fault};
use common::fake_codepipeline::{self, synthetic_actions};
use common::fake_ssm::{self, synthetic_steps};
use common::{histx, repo_file};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The exit code of `histx ARGS`.
fn code(args: &[&str]) -> i32 {
    let output = histx().args(args).output().expect("histx runs");
    output.status.code().expect("an exit code")
}

fn from(service: &str, file: &str, extra: &[&str]) -> i32 {
    let path = repo_file(file);
    let mut args = vec![service, "--from", path.to_str().unwrap(), "--exit-status"];
    args.extend(extra);
    code(&args)
}

/// The ways through the engine: a report, a stream of events, raw records, the
/// failing path.
const WAYS: [&[&str]; 5] = [
    &[],
    &["-o", "tree"],
    &["-o", "jsonl"],
    &["-o", "raw"],
    &["--failed", "-o", "json"],
];

#[test]
fn saved_step_functions_runs_of_every_outcome() {
    let cases = [
        ("examples/sfn/nightly-report-succeeded.json", 0),
        ("examples/sfn/order-fulfilment-failed.json", 3),
        ("tests/fixtures/sfn/timed-out-activity.json", 4),
        ("tests/fixtures/sfn/aborted-wait.json", 5),
    ];
    for (file, expected) in cases {
        for way in WAYS {
            assert_eq!(from("sfn", file, way), expected, "{file} {way:?}");
        }
        let path = repo_file(file);
        assert_eq!(
            code(&["sfn", "--from", path.to_str().unwrap()]),
            0,
            "{file}: without --exit-status the outcome is not the exit code"
        );
    }
}

#[test]
fn a_saved_run_that_has_not_ended_is_8() {
    let whole: Value = serde_json::from_slice(
        &std::fs::read(repo_file("examples/sfn/order-fulfilment-failed.json")).unwrap(),
    )
    .unwrap();
    let started: Vec<Value> = whole["events"].as_array().unwrap()[..4].to_vec();
    let dir = tempfile_dir("exit-status-running");
    let path = dir.join("running.json");
    std::fs::write(&path, json!({ "events": started }).to_string()).unwrap();
    for way in WAYS {
        let mut args = vec!["sfn", "--from", path.to_str().unwrap(), "--exit-status"];
        args.extend(way);
        assert_eq!(code(&args), 8, "{way:?}");
    }
}

#[test]
fn saved_runs_of_the_other_services() {
    let cases = [
        ("swf", "examples/swf/invoice-import-completed.json", 0),
        ("swf", "tests/fixtures/swf/timed-out-activity.json", 3),
        (
            "swf",
            "tests/fixtures/swf/timed-out-after-decision-retry.json",
            4,
        ),
        ("swf", "tests/fixtures/swf/every-event-type.json", 5),
        (
            "ssm",
            "tests/fixtures/ssm/get-automation-execution-failed.json",
            3,
        ),
        (
            "ssm",
            "tests/fixtures/ssm/get-automation-execution-old-steps.json",
            0,
        ),
        // Step pages alone do not say how the automation ended.
        ("ssm", "tests/fixtures/ssm/every-field.json", 8),
        (
            "codepipeline",
            "tests/fixtures/codepipeline/failed-action-retried.json",
            3,
        ),
        (
            "codepipeline",
            "tests/fixtures/codepipeline/three-executions.json",
            8,
        ),
    ];
    for (service, file, expected) in cases {
        for way in WAYS {
            assert_eq!(from(service, file, way), expected, "{file} {way:?}");
        }
    }
}

#[test]
fn errors_keep_their_own_codes() {
    // A usage error is 2, whatever the run.
    assert_eq!(code(&["sfn", "not an arn", "--exit-status"]), 2);
    // A runtime error is 1: nothing answers at the default endpoint of the tests.
    let arn = "arn:aws:states:us-east-1:123456789012:execution:M:run-1";
    assert_eq!(
        code(&["sfn", arn, "--exit-status", "--connect-timeout", "1s"]),
        1
    );
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const AUTOMATION: &str = "4105a4fc-f944-11e6-9d32-0123456789ab";

/// An automation of 12 steps whose own record (GetAutomationExecution) says `status`.
fn ssm_fake(status: &str) -> FakeAws {
    let fake = FakeAws::start();
    fake.serve(fake_ssm::describe_automation_step_executions(
        HashMap::from([(AUTOMATION.to_string(), synthetic_steps(12))]),
    ));
    fake.answer(fake_ssm::get_automation_execution(HashMap::from([(
        AUTOMATION.to_string(),
        json!({
            "AutomationExecutionId": AUTOMATION,
            "DocumentName": "AWS-PatchFleet",
            "AutomationExecutionStatus": status,
            "ExecutionStartTime": 1_714_557_600.0,
        }),
    )])));
    fake
}

#[test]
fn live_ssm_steps_take_the_outcome_from_get_automation_execution() {
    let cases = [
        ("Success", 0),
        ("Failed", 3),
        ("TimedOut", 4),
        ("Cancelled", 5),
        ("InProgress", 8),
        ("Waiting", 8),
        ("Pending", 8),
    ];
    for (status, expected) in cases {
        let fake = ssm_fake(status);
        let endpoint = fake.endpoint();
        for way in [&[][..], &["-o", "jsonl"]] {
            let mut args = vec!["ssm", AUTOMATION, "--endpoint-url", &endpoint];
            args.push("--exit-status");
            args.extend(way);
            assert_eq!(code(&args), expected, "{status} {way:?}");
        }
        assert_eq!(
            fake.requests(fake_ssm::GET_AUTOMATION_EXECUTION).len(),
            2,
            "one status call a command"
        );
        assert_eq!(code(&["ssm", AUTOMATION, "--endpoint-url", &endpoint]), 0);
        assert_eq!(
            fake.requests(fake_ssm::GET_AUTOMATION_EXECUTION).len(),
            2,
            "no status call without --exit-status"
        );
    }
}

#[test]
fn a_status_call_that_fails_for_good_is_a_runtime_error() {
    let fake = ssm_fake("Success");
    fake.inject(
        fake_ssm::GET_AUTOMATION_EXECUTION,
        vec![
            Fault::Throttle,
            Fault::Error(common::fake::ApiError::new(
                400,
                "AutomationExecutionNotFoundException",
                "Automation Execution with id x does not exist.",
            )),
        ],
    );
    let output = histx()
        .args([
            "ssm",
            AUTOMATION,
            "--endpoint-url",
            &fake.endpoint(),
            "--exit-status",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let line = common::one_error_line(&output.stderr);
    assert!(
        line.contains("AutomationExecutionNotFoundException"),
        "{line}"
    );
}

const PIPELINE: &str = "shop-release";
const EXECUTION: &str = "11111111-1111-4111-8111-111111111111";

/// A pipeline execution of 5 actions, each `action_status`; GetPipelineExecution says
/// `status` where one is given, else what the actions say.
fn pipeline_fake(action_status: &str, status: Option<&str>) -> FakeAws {
    let mut actions = synthetic_actions(EXECUTION, 5, 1_714_557_600.0);
    for action in &mut actions {
        action["status"] = json!(action_status);
    }
    let pipelines = HashMap::from([(PIPELINE.to_string(), actions)]);
    let statuses = status
        .map(|s| HashMap::from([(EXECUTION.to_string(), s.to_string())]))
        .unwrap_or_default();
    let fake = FakeAws::start();
    fake.serve(fake_codepipeline::list_action_executions(pipelines.clone()));
    fake.serve(fake_codepipeline::list_pipeline_executions(
        pipelines.clone(),
    ));
    fake.answer(fake_codepipeline::get_pipeline_execution(
        pipelines, statuses,
    ));
    fake
}

fn pipeline_code(fake: &FakeAws, extra: &[&str]) -> i32 {
    let endpoint = fake.endpoint();
    let mut args = vec![
        "codepipeline",
        PIPELINE,
        "--endpoint-url",
        &endpoint,
        "--exit-status",
    ];
    args.extend(extra);
    code(&args)
}

#[test]
fn live_pipeline_executions_of_every_outcome() {
    // The newest execution: ListPipelineExecutions says how it ended.
    assert_eq!(pipeline_code(&pipeline_fake("Succeeded", None), &[]), 0);
    assert_eq!(
        pipeline_code(&pipeline_fake("Failed", None), &["-o", "jsonl"]),
        3
    );
    assert_eq!(pipeline_code(&pipeline_fake("Abandoned", None), &[]), 5);
    // Named by --execution-id, the actions say it is still running; the status call
    // decides.
    let by_id = ["--execution-id", EXECUTION];
    for (status, expected) in [
        ("Stopped", 5),
        ("Superseded", 5),
        ("InProgress", 8),
        ("Stopping", 8),
        ("Succeeded", 0),
    ] {
        let fake = pipeline_fake("InProgress", Some(status));
        assert_eq!(pipeline_code(&fake, &by_id), expected, "{status}");
        assert_eq!(fake.requests(fake_codepipeline::GET_EXECUTION).len(), 1);
    }
}

//! `histx ssm` from files, as a user runs it without an AWS account: the bundled example
//! in every output format, AWS CLI output, standard input, `--filter` applied by histx,
//! and usage errors (exit 2) before anything is read or sent.

use crate::common;

use common::{histx, json_lines, one_error_line};
use common::{table_lines, tree_depth as depth};
use serde_json::Value;

const EXAMPLE: &str = "examples/ssm/patch-web-fleet-failed.json";
const EXECUTION: &str = "b7e0c9a2-5d41-4f3e-a6c8-2e9d71f04b3c";

fn from_example(args: &[&str]) -> assert_cmd::assert::Assert {
    histx()
        .args(["ssm", "--from", EXAMPLE])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
}

fn jsonl(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["-o", "jsonl"];
    all.extend_from_slice(args);
    json_lines(&from_example(&all).success().get_output().stdout)
}

#[test]
fn the_example_reads_in_every_format() {
    let events = jsonl(&[]);
    assert_eq!(events.len(), 8);
    let document: Vec<Value> =
        serde_json::from_slice(&from_example(&["-o", "json"]).success().get_output().stdout)
            .unwrap();
    assert_eq!(document, events);
    let raw = json_lines(&from_example(&["-o", "raw"]).success().get_output().stdout);
    assert_eq!(raw.len(), 8);
    assert!(raw.iter().all(|step| step["StepExecutionId"].is_string()));

    let table = from_example(&["--color", "never"])
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(table).unwrap();
    assert!(
        table.starts_with("Status "),
        "the run summary comes first: {table}"
    );
    assert_eq!(table_lines(&table).len(), 9, "a header and one row a step");
    assert!(
        !table.chars().any(|c| c.is_control() && c != '\n'),
        "the escape in an output is not written raw"
    );
    assert!(table.contains("DURATION"));
    let lambda = table.lines().find(|l| l.contains("notifyOnCall")).unwrap();
    assert!(
        lambda.contains("Invoked Lambda function oncall-pager"),
        "the step's response: {lambda}"
    );

    let failed = events
        .iter()
        .find(|e| e["status"] == "failed" && e["type"] == "aws:runCommand")
        .unwrap();
    assert_eq!(failed["error"], "Verification/PostVerification");
    assert_eq!(
        failed["parent_id"], events[4]["id"],
        "an iteration points at its loop"
    );
    assert_eq!(failed["resource"], "AWS-RunPatchBaseline");
}

#[test]
fn the_execution_id_labels_saved_steps() {
    let events = jsonl(&[EXECUTION]);
    assert!(events.iter().all(|e| e["execution"] == EXECUTION));
    assert!(jsonl(&[]).iter().all(|e| e.get("execution").is_none()));
}

#[test]
fn filters_apply_to_saved_steps() {
    let failed = jsonl(&["--filter", "StepExecutionStatus=failed"]);
    let names: Vec<&str> = failed.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["patchEachInstance", "runPatchBaseline"]);
    let iterations = jsonl(&[
        "--filter",
        "ParentStepExecutionId=c41f2e7a-0005-4b9d-8e21-5a6f03d90005",
        "--filter",
        "ParentStepIteration=2",
    ]);
    assert_eq!(iterations.len(), 1);
    assert_eq!(iterations[0]["status"], "failed");
    let late = jsonl(&[
        "--filter",
        "StartTimeAfter=2026-03-15T09:10:00Z",
        "--reverse",
    ]);
    let names: Vec<&str> = late.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["notifyOnCall", "runPatchBaseline"]);
    let out = from_example(&["--filter", "StartTimeBefore=noon"])
        .code(2)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: --filter StartTimeBefore: 'noon' is not a time; expected e.g. 2024-05-01T12:00:00Z"
    );
}

#[test]
fn raw_output_reads_back_from_standard_input() {
    let raw = from_example(&["-o", "raw"])
        .success()
        .get_output()
        .stdout
        .clone();
    let again = histx()
        .args(["ssm", "--from", "-", "-o", "jsonl"])
        .write_stdin(raw)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_lines(&again), jsonl(&[]));
}

#[test]
fn a_file_of_another_api_is_named() {
    let out = histx()
        .args([
            "ssm",
            "--from",
            "examples/codepipeline/web-storefront-two-releases.json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .code(1)
        .get_output()
        .clone();
    let line = one_error_line(&out.stderr);
    assert!(
        line.contains("is not DescribeAutomationStepExecutions or GetAutomationExecution output"),
        "{line}"
    );
    assert!(line.contains("actionExecutionDetails"), "{line}");
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let cases: [(&[&str], &str); 4] = [
        (&["ssm"], "histx: `histx ssm` needs an automation execution ID (or its ARN) or a document name, or --from FILE"),
        (&["ssm", "i-0a41c7d2e9b3f5a61"], "histx: 'i-0a41c7d2e9b3f5a61' is an EC2 instance ID, not an automation execution ID or a document name (list automations: histx ssm ls)"),
        (&["ssm", "no spaces here"], "histx: not an automation execution ID or a document name: 'no spaces here'; expected an ID like 4105a4fc-f944-11e6-9d32-0123456789ab or a document name (3 to 128 letters, digits and _ - .) (list them: histx ssm ls)"),
        (&["ssm", "arn:aws:ssm:us-east-1:123456789012:document/AWS-RunPatchBaseline"], "histx: not an automation execution ARN: 'arn:aws:ssm:us-east-1:123456789012:document/AWS-RunPatchBaseline'; expected arn:aws:ssm:REGION:ACCOUNT:automation-execution/ID or the ID alone"),
    ];
    for (args, message) in cases {
        let out = histx().args(args).assert().code(2).get_output().clone();
        assert!(out.stdout.is_empty());
        assert_eq!(one_error_line(&out.stderr), message);
    }
}

#[test]
fn the_tree_nests_iterations_under_their_loop() {
    let out = from_example(&["-o", "tree", "--color", "never"])
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    // The run failed because of a step inside the loop: that step's error explains it.
    assert!(
        text.contains("Failed at  runPatchBaseline (aws:runCommand, event c41f2e7a-0007-4b9d-8e21-5a6f03d90007)"),
        "{text}"
    );
    assert!(
        text.contains("Error      Verification/PostVerification"),
        "{text}"
    );
    let line = |needle: &str| text.lines().find(|l| l.contains(needle)).unwrap();
    let loop_step = line("patchEachInstance  aws:loop");
    let iteration = line("iteration 2  failed");
    let step = line("runPatchBaseline  aws:runCommand  failed");
    assert!(
        iteration.contains("i-0b52d8e3fac4061b7"),
        "the iterator value: {iteration}"
    );
    assert!(
        depth(loop_step) < depth(iteration) && depth(iteration) < depth(step),
        "{text}"
    );
    assert_eq!(depth(line("notifyOnCall")), depth(loop_step));

    let out = from_example(&["-o", "tree", "--failed", "--color", "never"])
        .success()
        .get_output()
        .stdout
        .clone();
    let failing = String::from_utf8(out).unwrap();
    assert!(
        failing.contains("iteration 2") && !failing.contains("iteration 1"),
        "{failing}"
    );
    assert!(!failing.contains("findTargets"), "{failing}");
}

//! SSM on the command people actually run: `aws ssm get-automation-execution` output as a
//! saved history (the run's own status, times and failure message, its steps under it),
//! older step records without StepExecutionId, and times never taken from the steps.

use crate::common;

use common::{histx, json_lines, repo_file, table_lines, tree_depth};
use serde_json::{json, Value};

const FAILED: &str = "tests/fixtures/ssm/get-automation-execution-failed.json";
const OLD_STEPS: &str = "tests/fixtures/ssm/get-automation-execution-old-steps.json";
const STEP_PAGE: &str = "tests/fixtures/ssm/every-field.json";
const RUN_MESSAGE: &str = "Step fails when it is Executing. Fail to execute step: An error occurred (InsufficientInstanceCapacity)";

fn run(file: &std::path::Path, args: &[&str]) -> String {
    let out = histx()
        .args(["ssm", "--color", "never", "--from"])
        .arg(file)
        .args(args)
        .env("COLUMNS", "300")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn summary(file: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["--summary", "-o", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&run(file, &all)).unwrap()
}

#[test]
fn the_run_s_own_status_times_and_message_come_from_the_document() {
    for order in [&[][..], &["--reverse"][..]] {
        let record = summary(&repo_file(FAILED), order);
        assert_eq!(record["execution"], "8f2c6a1e-4b7d-4e9a-9c3f-1d5e7a9b2c4e");
        assert_eq!(record["status"], "failed", "{order:?}");
        assert_eq!(record["start"], "2026-04-03T08:00:00.318Z");
        assert_eq!(record["end"], "2026-04-03T08:00:52.708Z");
        assert_eq!(record["duration_ms"], 52_390);
        assert!(record["cause"].as_str().unwrap().starts_with(RUN_MESSAGE));
        let failure = &record["failure"];
        assert_eq!(failure["name"], "startInstance", "{record}");
        assert_eq!(failure["id"], "9b7c1e3f-5a6d-4e0a-8b4f-8a0c2e4b6d7c");
        assert_eq!(failure["error"], "Action/Execution");
    }
}

#[test]
fn the_steps_hang_under_the_automation() {
    let tree = run(&repo_file(FAILED), &["-o", "tree"]);
    let line = |needle: &str| tree.lines().find(|l| l.contains(needle)).unwrap();
    let root = line("Acme-ResizeAppServer  execution  failed  52.4s");
    let step = line("startInstance  aws:changeInstanceState  failed");
    assert!(tree_depth(root) < tree_depth(step), "{tree}");
    assert_eq!(
        tree_depth(line("stopInstance  aws:changeInstanceState  succeeded")),
        tree_depth(step)
    );

    let failing = run(&repo_file(FAILED), &["-o", "tree", "--failed"]);
    assert!(
        failing.contains("Acme-ResizeAppServer  execution  failed"),
        "{failing}"
    );
    assert!(failing.contains("startInstance"), "{failing}");
    assert!(!failing.contains("stopInstance"), "{failing}");

    let table = run(&repo_file(FAILED), &[]);
    let rows = table_lines(&table);
    assert_eq!(rows.len(), 6, "{table}");
    assert!(rows[1].contains("AutomationExecution") && rows[1].contains("failed"));
    assert!(rows[5].contains("startInstance") && rows[5].contains("Action/Execution"));
}

#[test]
fn wire_values_stay_in_details_and_raw_reads_back() {
    let text = run(&repo_file(FAILED), &["-o", "jsonl"]);
    let events = json_lines(text.as_bytes());
    assert_eq!(events.len(), 5);
    let automation = &events[0];
    assert_eq!(automation["type"], "AutomationExecution");
    assert_eq!(automation["details"]["AutomationExecutionStatus"], "Failed");
    assert_eq!(automation["input"]["InstanceType"], json!(["m7i.2xlarge"]));
    let failed = events
        .iter()
        .find(|e| e["name"] == "startInstance")
        .unwrap();
    assert_eq!(failed["details"]["FailureDetails"]["FailureType"], "Action");
    assert_eq!(
        failed["details"]["FailureDetails"]["FailureStage"],
        "Execution"
    );
    assert_eq!(failed["details"]["StepStatus"], "Failed");

    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.jsonl");
    std::fs::write(&raw, run(&repo_file(FAILED), &["-o", "raw"])).unwrap();
    assert_eq!(
        run(&raw, &["-o", "jsonl"]),
        text,
        "-o raw reads back the same"
    );
}

#[test]
fn a_step_filter_keeps_the_run_s_own_record() {
    let record = summary(&repo_file(FAILED), &["--filter", "StepName=stopInstance"]);
    assert_eq!(record["status"], "failed");
    assert_eq!(record["duration_ms"], 52_390);
}

#[test]
fn older_steps_without_an_id_are_keyed_by_name_and_order() {
    let text = run(&repo_file(OLD_STEPS), &["-o", "jsonl"]);
    let events = json_lines(text.as_bytes());
    let ids: Vec<&str> = events
        .iter()
        .skip(1)
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "launchInstance#1",
            "updateOSSoftware#1",
            "stopInstance#1",
            "createImage#1"
        ]
    );
    let record = summary(&repo_file(OLD_STEPS), &[]);
    assert_eq!(record["status"], "succeeded");
    assert_eq!(record["start"], "2017-11-30T11:20:00.215Z");
    assert_eq!(record["duration_ms"], 1_195_911);
    assert!(record.get("failure").is_none(), "{record}");
    let tree = run(&repo_file(OLD_STEPS), &["-o", "tree"]);
    assert_eq!(tree.matches("succeeded").count(), 6, "{tree}");
}

#[test]
fn a_running_automation_has_no_end() {
    let document = json!({"AutomationExecution": {
        "AutomationExecutionId": "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
        "DocumentName": "AWS-RestartEC2Instance", "DocumentVersion": "1",
        "ExecutionStartTime": "2026-04-03T10:00:00.125000+00:00",
        "AutomationExecutionStatus": "InProgress",
        "StepExecutions": [
            {"StepName": "stopInstances", "Action": "aws:changeInstanceState",
             "ExecutionStartTime": "2026-04-03T10:00:00.402000+00:00",
             "ExecutionEndTime": "2026-04-03T10:00:31.877000+00:00",
             "StepStatus": "Success", "StepExecutionId": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"},
            {"StepName": "startInstances", "Action": "aws:changeInstanceState",
             "ExecutionStartTime": "2026-04-03T10:00:32.015000+00:00",
             "StepStatus": "InProgress", "StepExecutionId": "2a3b4c5d-6e7f-4089-9a0b-1c2d3e4f5a6b"}
        ],
        "StepExecutionsTruncated": false, "Mode": "Auto", "CurrentStepName": "startInstances",
        "CurrentAction": "aws:changeInstanceState"
    }});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("running.json");
    std::fs::write(&path, document.to_string()).unwrap();
    let record = summary(&path, &[]);
    assert_eq!(record["status"], "running");
    assert_eq!(record["start"], "2026-04-03T10:00:00.125Z");
    assert!(record.get("end").is_none(), "{record}");
    assert!(record.get("duration_ms").is_none(), "{record}");
}

#[test]
fn step_pages_alone_give_no_run_times() {
    let record = summary(&repo_file(STEP_PAGE), &[]);
    for field in ["start", "end", "duration_ms", "status"] {
        assert!(record.get(field).is_none(), "{field}: {record}");
    }
}

#[test]
fn a_run_message_that_is_the_step_s_is_said_once() {
    // The automation has no error of its own and its FailureMessage is the failed step's:
    // the header names the step, its error and the message once, with no "Caused by".
    let text = run(&repo_file(FAILED), &["--summary"]);
    let labels: Vec<&str> = text
        .lines()
        // A long value goes on under its column, with no label.
        .filter(|line| !line.starts_with(' '))
        .map(|line| line.split("  ").next().unwrap_or_default().trim())
        .collect();
    assert_eq!(
        labels,
        [
            "Execution",
            "Status",
            "Started",
            "Ended",
            "Duration",
            "Events",
            "Failed at",
            "Error",
            "Cause"
        ],
        "{text}"
    );
    assert_eq!(text.matches(RUN_MESSAGE).count(), 1, "{text}");
    assert!(text.contains("Error      Action/Execution\n"), "{text}");
    // The JSON record keeps the run's own cause and the failure apart, as before.
    let record = summary(&repo_file(FAILED), &[]);
    assert!(record.get("error").is_none(), "{record}");
    assert_eq!(record["cause"], record["failure"]["cause"]);
}

#[test]
fn a_step_without_a_callee_has_no_resource_and_says_its_action_once() {
    let example = repo_file("examples/ssm/patch-web-fleet-failed.json");
    let events = json_lines(run(&example, &["-o", "jsonl"]).as_bytes());
    let step = |name: &str| events.iter().find(|e| e["name"] == name).unwrap();
    assert!(step("patchEachInstance").get("resource").is_none());
    assert!(step("approvePatch").get("resource").is_none());
    assert_eq!(step("findTargets")["resource"], "ec2:DescribeInstances");
    let tree = run(&example, &["-o", "tree"]);
    for line in tree.lines().filter(|l| l.contains("aws:")) {
        for word in line.split_whitespace().filter(|w| w.starts_with("aws:")) {
            assert_eq!(line.matches(word).count(), 1, "{word} twice: {line}");
        }
    }
    let approve = tree.lines().find(|l| l.contains("approvePatch")).unwrap();
    assert!(approve.trim_end().ends_with("6m52s"), "{approve}");
}

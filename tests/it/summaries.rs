//! What the run summary and the tree say about a run, in the cases where it is easy to
//! say the wrong thing: a run that recovered from a failure, a redriven run, a history
//! cut short by --limit, failures the run went on after, records from another service,
//! and ids that hold control characters.

use crate::common;

use common::{histx, json_lines, one_error_line};
use serde_json::{json, Value};
use std::path::PathBuf;

/// Writes `document` to a file in a fresh temporary directory.
fn saved(document: Value) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.json");
    std::fs::write(&path, document.to_string()).unwrap();
    (dir, path)
}

fn sfn_event(id: i64, previous: i64, kind: &str, details: Option<(&str, Value)>) -> Value {
    let mut event = json!({"timestamp": 1_700_000_000 + id, "type": kind, "id": id, "previousEventId": previous});
    if let Some((key, value)) = details {
        event[key] = value;
    }
    event
}

/// A Task that failed once, then succeeded on its retry; the execution succeeded.
fn recovered_run() -> Value {
    let entered = json!({"name": "Charge", "input": "{}"});
    let failed = json!({"resourceType": "lambda", "resource": "invoke", "error": "Lambda.ServiceException", "cause": "503"});
    json!({"events": [
        sfn_event(1, 0, "ExecutionStarted", Some(("executionStartedEventDetails", json!({"input": "{}"})))),
        sfn_event(2, 1, "TaskStateEntered", Some(("stateEnteredEventDetails", entered))),
        sfn_event(3, 2, "TaskScheduled", Some(("taskScheduledEventDetails", json!({"resourceType": "lambda", "resource": "invoke"})))),
        sfn_event(4, 3, "TaskStarted", None),
        sfn_event(5, 4, "TaskFailed", Some(("taskFailedEventDetails", failed))),
        sfn_event(6, 5, "TaskScheduled", Some(("taskScheduledEventDetails", json!({"resourceType": "lambda", "resource": "invoke"})))),
        sfn_event(7, 6, "TaskStarted", None),
        sfn_event(8, 7, "TaskSucceeded", Some(("taskSucceededEventDetails", json!({"output": "{}"})))),
        sfn_event(9, 8, "TaskStateExited", Some(("stateExitedEventDetails", json!({"name": "Charge", "output": "{}"})))),
        sfn_event(10, 9, "ExecutionSucceeded", Some(("executionSucceededEventDetails", json!({"output": "{}"})))),
    ]})
}

fn summary_record(path: &PathBuf, service: &str, extra: &[&str]) -> Value {
    let out = histx()
        .args([service, "--from"])
        .arg(path)
        .args(["--summary", "-o", "json"])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn a_run_that_recovered_has_no_failure_in_either_order() {
    let (_dir, path) = saved(recovered_run());
    for order in [&[][..], &["--reverse"][..]] {
        let summary = summary_record(&path, "sfn", order);
        assert_eq!(summary["status"], "succeeded", "{order:?}");
        assert!(summary.get("failure").is_none(), "{order:?}: {summary}");
    }
}

#[test]
fn a_redriven_run_that_succeeded_shows_no_old_error_on_its_root() {
    let mut run = recovered_run();
    let events = run["events"].as_array_mut().unwrap();
    let failed = sfn_event(
        10,
        9,
        "ExecutionFailed",
        Some((
            "executionFailedEventDetails",
            json!({"error": "Boom", "cause": "c"}),
        )),
    );
    let redriven = sfn_event(
        11,
        10,
        "ExecutionRedriven",
        Some(("executionRedrivenEventDetails", json!({"redriveCount": 1}))),
    );
    let succeeded = sfn_event(
        12,
        11,
        "ExecutionSucceeded",
        Some(("executionSucceededEventDetails", json!({"output": "{}"}))),
    );
    events.truncate(9);
    events.extend([failed, redriven, succeeded]);
    let (_dir, path) = saved(run);
    let summary = summary_record(&path, "sfn", &[]);
    assert_eq!(
        (summary["status"].as_str(), summary["redrives"].as_i64()),
        (Some("succeeded"), Some(1))
    );
    assert!(summary.get("failure").is_none(), "{summary}");
    let tree = histx()
        .args(["sfn", "--from"])
        .arg(&path)
        .args(["-o", "tree", "--ascii"])
        .assert()
        .success();
    let tree = String::from_utf8(tree.get_output().stdout.clone()).unwrap();
    let root = tree
        .lines()
        .find(|l| l.starts_with("+ execution"))
        .expect("the root line");
    assert!(!root.contains("Boom"), "{root}");
}

#[test]
fn a_history_cut_by_limit_does_not_guess_the_runs_status() {
    let (_dir, path) = saved(recovered_run());
    let table = histx()
        .args(["sfn", "--from"])
        .arg(&path)
        .args(["--limit", "3"])
        .assert()
        .success();
    let table = String::from_utf8(table.get_output().stdout.clone()).unwrap();
    assert!(
        table.contains("Status     not recorded in this history\n"),
        "{table}"
    );
    assert!(
        table.contains("Events     3 (reading stopped at --limit)\n"),
        "{table}"
    );
    assert!(
        !table.contains("Duration"),
        "a duration of the first 3 events is not the run's: {table}"
    );
    let tree = histx()
        .args(["sfn", "--from"])
        .arg(&path)
        .args(["--limit", "3", "-o", "tree", "--ascii"])
        .assert()
        .success();
    let tree = String::from_utf8(tree.get_output().stdout.clone()).unwrap();
    assert!(
        tree.lines().any(|l| l == "- execution"),
        "the tree's root agrees with the header: {tree}"
    );
    // The newest events hold the end of the run: that much is known.
    let newest = summary_record(&path, "sfn", &["--reverse"]);
    assert_eq!(newest["status"], "succeeded");
}

#[test]
fn limit_counts_what_a_filtered_tree_shows() {
    let out = histx()
        .args([
            "sfn",
            "--from",
            "examples/sfn/order-fulfilment-failed.json",
            "-o",
            "tree",
            "--ascii",
        ])
        .args(["--status", "failed", "--limit", "2", "--color", "never"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let attempts = text
        .lines()
        .filter(|l| l.contains("attempt 1  failed"))
        .count();
    assert_eq!(
        attempts, 2,
        "the first two failures and what encloses them: {text}"
    );
    assert!(!text.contains("attempt 2  failed"), "{text}");
}

#[test]
fn the_ssm_failure_is_the_step_that_stopped_the_automation_in_either_order() {
    let (_dir, path) = saved(json!({"StepExecutions": [
        {"StepExecutionId": "s1", "StepName": "optionalCheck", "Action": "aws:executeScript", "StepStatus": "Failed",
         "IsCritical": false, "OnFailure": "Continue", "ExecutionStartTime": 100, "ExecutionEndTime": 101},
        {"StepExecutionId": "s2", "StepName": "deploy", "Action": "aws:runCommand", "StepStatus": "Failed",
         "ExecutionStartTime": 102, "ExecutionEndTime": 103, "FailureMessage": "deploy failed"},
    ]}));
    for order in [&[][..], &["--reverse"][..]] {
        let summary = summary_record(&path, "ssm", order);
        assert_eq!(summary["failure"]["name"], "deploy", "{order:?}: {summary}");
    }
}

#[test]
fn ids_holding_control_characters_are_shown_escaped() {
    let (_dir, path) = saved(json!({"StepExecutions": [
        {"StepExecutionId": "ab\u{1b}]0;pwned\u{7}cd", "StepName": "s", "Action": "aws:sleep",
         "StepStatus": "Failed", "ExecutionStartTime": 1_700_000_000},
    ]}));
    for format in ["table", "tree"] {
        let out = histx()
            .args(["ssm", "--from"])
            .arg(&path)
            .args(["-o", format])
            .assert()
            .success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{format}: {text:?}"
        );
        assert!(text.contains("ab\\x1b]0;pwned\\x07cd"), "{format}: {text}");
    }
}

#[test]
fn another_services_history_is_refused() {
    let out = histx()
        .args(["swf", "--from", "examples/sfn/order-fulfilment-failed.json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    assert!(one_error_line(&out.stderr).contains("the first has no `eventType`"));
    let sfn = histx()
        .args([
            "sfn",
            "--from",
            "examples/swf/invoice-import-completed.json",
            "-o",
            "jsonl",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(json_lines(&sfn.stdout).is_empty());
}

#[test]
fn a_limit_that_reaches_the_end_cuts_nothing_and_a_cut_keeps_the_start() {
    let (_dir, path) = saved(recovered_run());
    let text = |limit: &str| {
        let out = histx()
            .args(["sfn", "--from"])
            .arg(&path)
            .args(["--limit", limit, "--color", "never"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    let whole = text("10");
    assert!(whole.contains("Status     succeeded\n"), "{whole}");
    assert!(whole.contains("Events     10\n"), "{whole}");
    let cut = text("9");
    assert!(
        cut.contains("Events     9 (reading stopped at --limit)\n"),
        "{cut}"
    );
    assert!(cut.contains("Started "), "ExecutionStarted was read: {cut}");
    assert!(!cut.contains("Ended "), "{cut}");
}

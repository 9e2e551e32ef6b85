//! CodePipeline on real listing shapes: one pipeline execution by default (the newest,
//! said on stderr), `--all` for every one with an execution column, a stage retried to
//! success shown succeeded, a running execution with no end, a failure without
//! errorDetails explained by its summary, and the wire values kept in `details`.

use crate::common;

use common::fake::FakeAws;
use common::fake_codepipeline::{self, Pipelines, LIST_EXECUTIONS};
use common::{histx, json_lines, one_error_line, repo_file, table_lines};
use serde_json::{json, Value};
use std::collections::HashMap;

const FILE: &str = "tests/fixtures/codepipeline/three-executions.json";
const FAILED: &str = "1c4e7a90-3b2d-4f6e-8a15-c9d0e2f4a6b8";
const RETRIED: &str = "5d8f2b61-9e4c-4a7d-b3f0-7a1c6e9d2b45";
const RUNNING: &str = "9a2c4e6f-1b3d-4e5f-8a7b-0c2d4e6f8a1b";

/// stdout and stderr of `histx codepipeline orders-service --from FILE ARGS`.
fn run(args: &[&str]) -> (String, String) {
    let out = histx()
        .args([
            "codepipeline",
            "orders-service",
            "--color",
            "never",
            "--from",
        ])
        .arg(repo_file(FILE))
        .args(args)
        .env("COLUMNS", "400")
        .assert()
        .success()
        .get_output()
        .clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn summary(args: &[&str]) -> Value {
    let mut all = vec!["--summary", "-o", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&run(&all).0).unwrap()
}

#[test]
fn the_newest_execution_is_shown_by_default_and_said_on_stderr() {
    let (text, stderr) = run(&["-o", "jsonl"]);
    let events = json_lines(text.as_bytes());
    assert_eq!(events.len(), 2);
    assert!(events
        .iter()
        .all(|e| e["execution"] == format!("orders-service/{RUNNING}")));
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with(&format!("histx: pipeline execution {RUNNING} (")));
    assert!(lines[0].contains("the newest of 3 in the file"), "{stderr}");
    assert!(lines[0].contains("--all"), "{stderr}");
    assert_eq!(
        run(&["-o", "jsonl", "--latest"]).0,
        text,
        "--latest is the default"
    );
}

#[test]
fn a_running_execution_has_a_start_and_no_end() {
    let record = summary(&[]);
    assert_eq!(record["status"], "running");
    assert_eq!(record["start"], "2026-04-06T14:00:00.401Z");
    assert!(record.get("end").is_none(), "{record}");
    assert!(record.get("duration_ms").is_none(), "{record}");
    let (tree, _) = run(&["-o", "tree"]);
    assert!(!tree.lines().any(|l| l.starts_with("Ended")), "{tree}");
    let root = tree
        .lines()
        .find(|l| l.contains("pipeline execution"))
        .unwrap();
    assert!(
        root.trim_end().ends_with("pipeline execution  running"),
        "{root}"
    );
}

#[test]
fn a_stage_retried_to_success_succeeded() {
    let record = summary(&["--execution-id", RETRIED]);
    assert_eq!(record["status"], "succeeded", "{record}");
    assert!(record.get("failure").is_none(), "{record}");
    assert_eq!(record["start"], "2026-04-06T11:00:00.388Z");
    assert_eq!(record["end"], "2026-04-06T11:25:44.872Z");
    assert_eq!(record["duration_ms"], 1_544_484);
    let (tree, _) = run(&["--execution-id", RETRIED, "-o", "tree"]);
    assert!(tree.contains("pipeline execution  succeeded"), "{tree}");
    assert!(tree.contains("Test  stage  succeeded"), "{tree}");
    assert!(
        tree.contains("Test.IntegrationTests  Test/CodeBuild  succeeded"),
        "{tree}"
    );
    assert!(tree.contains("attempt 1  Test/CodeBuild  failed"), "{tree}");
    // --failed keeps the failed try that the retry made good, under its stage.
    let (failing, _) = run(&["--execution-id", RETRIED, "-o", "tree", "--failed"]);
    assert!(failing.contains("attempt 1"), "{failing}");
    assert!(!failing.contains("Deploy.DeployStack"), "{failing}");
}

#[test]
fn a_failure_without_error_details_is_explained_by_its_summary() {
    let record = summary(&["--execution-id", FAILED]);
    assert_eq!(record["status"], "failed");
    let failure = &record["failure"];
    assert_eq!(failure["name"], "Build.Build");
    assert!(failure.get("error").is_none(), "{record}");
    assert_eq!(
        failure["cause"],
        "Build failed: 3 unit tests failed in OrderTotalsTest (see the build log)"
    );
    assert_eq!(record["end"], "2026-04-05T09:03:32.664Z");
    let (text, _) = run(&["--execution-id", FAILED]);
    assert!(
        text.contains("Cause      Build failed: 3 unit tests failed"),
        "{text}"
    );
}

#[test]
fn all_shows_every_execution_with_an_execution_column() {
    let (text, stderr) = run(&["--all"]);
    assert!(stderr.is_empty(), "no choice to report: {stderr}");
    assert!(
        text.starts_with(&format!(
            "Execution  orders-service/{RUNNING} (the newest of 3 executions read: this \
             summary is its own)\n"
        )),
        "{text}"
    );
    let rows = table_lines(&text);
    assert!(rows[0].contains("EXECUTION"), "{}", rows[0]);
    assert_eq!(rows.len(), 11);
    for execution in [FAILED, RETRIED, RUNNING] {
        assert!(rows.iter().any(|r| r.contains(execution)), "{text}");
    }
    let (one, _) = run(&[]);
    assert!(
        !table_lines(&one)[0].contains("EXECUTION"),
        "one run, no column"
    );
    let (tree, _) = run(&["--all", "-o", "tree"]);
    assert_eq!(tree.matches("pipeline execution").count(), 3, "{tree}");
}

#[test]
fn wire_names_and_statuses_stay_in_details() {
    let (text, _) = run(&["--execution-id", RETRIED, "-o", "jsonl"]);
    let events = json_lines(text.as_bytes());
    let tests = events
        .iter()
        .find(|e| e["name"] == "Test.IntegrationTests")
        .unwrap();
    assert_eq!(tests["details"]["stageName"], "Test");
    assert_eq!(tests["details"]["actionName"], "IntegrationTests");
    assert_eq!(tests["details"]["status"], "Failed");
    assert_eq!(tests["status"], "failed");
}

#[test]
fn live_the_newest_execution_comes_with_its_own_times() {
    let actions: Vec<Value> =
        serde_json::from_str::<Value>(&std::fs::read_to_string(repo_file(FILE)).unwrap()).unwrap()
            ["actionExecutionDetails"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["pipelineExecutionId"] != RUNNING)
            .cloned()
            .collect();
    let pipelines: Pipelines = HashMap::from([("orders-service".to_string(), actions)]);
    let fake = FakeAws::start();
    fake.serve(fake_codepipeline::list_action_executions(pipelines.clone()));
    fake.serve(fake_codepipeline::list_pipeline_executions(pipelines));
    let out = histx()
        .args([
            "codepipeline",
            "orders-service",
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .args(["--summary", "-o", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim_end(),
        format!(
            "histx: pipeline execution {RETRIED} (Succeeded, started 2026-04-06T11:00:00.388Z; \
             the newest of 2, --execution-id picks another, --all shows every one)"
        )
    );
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["status"], "succeeded");
    assert_eq!(record["start"], "2026-04-06T11:00:00.388Z");
    // The fake's execution summary ends at its latest action's update.
    assert_eq!(record["end"], "2026-04-06T11:25:44.872Z");
    assert_eq!(
        fake.requests(LIST_EXECUTIONS),
        vec![json!({"pipelineName": "orders-service", "maxResults": 100})]
    );
}

#[test]
fn an_execution_the_file_does_not_hold_is_one_line_naming_those_it_does() {
    let missing = "00000000-0000-0000-0000-000000000000";
    for format in ["table", "tree", "jsonl", "json", "raw"] {
        for extra in [&[][..], &["--summary"][..], &["--failed"][..]] {
            let out = histx()
                .args(["codepipeline", "--from"])
                .arg(repo_file(FILE))
                .args(["--execution-id", missing, "-o", format])
                .args(extra)
                .assert()
                .code(1)
                .get_output()
                .clone();
            assert!(out.stdout.is_empty(), "{format} {extra:?}");
            assert_eq!(
                one_error_line(&out.stderr),
                format!(
                    "histx: pipeline execution {missing} is not in the file; it holds 3, \
                     oldest first: {FAILED}, {RETRIED}, {RUNNING}"
                ),
                "{format} {extra:?}"
            );
        }
    }
    let two = histx()
        .args(["codepipeline", "--from"])
        .arg(repo_file(
            "examples/codepipeline/web-storefront-two-releases.json",
        ))
        .args(["--execution-id", missing])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&two.stderr),
        format!(
            "histx: pipeline execution {missing} is not in the file; it holds 2, oldest \
             first: f2b8d6a4-1c3e-4f5a-9b7d-0e2c4a6b8d1f, 6d0e4c2a-8b9f-4e1d-a3c5-7f9b1d3e5a72"
        )
    );
    // One the file holds is shown, whichever it is.
    let (text, _) = run(&["--execution-id", FAILED, "-o", "jsonl"]);
    assert!(!json_lines(text.as_bytes()).is_empty());
}

#[test]
fn all_counts_elapsed_from_the_earliest_run_and_summarizes_the_newest() {
    let (text, _) = run(&["--all"]);
    let rows = table_lines(&text);
    let elapsed = rows[0].find("ELAPSED").unwrap();
    for row in &rows[1..] {
        assert!(!row.contains(" -"), "a negative ELAPSED: {row}");
    }
    // The oldest run's first action is where ELAPSED starts.
    let first = rows[1][..elapsed + "ELAPSED".len()].trim_end();
    assert!(first.ends_with(" 0ms"), "{}", rows[1]);
    assert!(rows[1].contains(FAILED), "{}", rows[1]);
    // Status, times, failure and the count are the newest execution's; the JSON record
    // keeps its fields and adds how many executions were read.
    let record = summary(&["--all"]);
    let newest = summary(&[]);
    for field in ["status", "start", "events", "failure"] {
        assert_eq!(record.get(field), newest.get(field), "{field}: {record}");
    }
    assert_eq!(record["events"], 2);
    assert_eq!(record["execution"], format!("orders-service/{RUNNING}"));
    assert_eq!(record["executions"], 3);
    assert!(newest.get("executions").is_none(), "one run: {newest}");
    let header = text.lines().find(|l| l.starts_with("Events")).unwrap();
    assert_eq!(header, "Events     2");
}

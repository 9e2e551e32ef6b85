//! `--follow` for runs whose records are spans that change in place: an SSM automation
//! and a CodePipeline execution on the local fake, whose steps and actions advance with
//! the clock (Pending → InProgress → Success/Failed) and whose status calls match. A
//! record whose status or end changed is printed again with the same id (not when only
//! a running action's lastUpdateTime moved); it never goes backwards; the last line of
//! each is the record as a read after the end shows it.

use crate::common;

use common::fake::FakeAws;
use common::{fake_codepipeline, fake_ssm};
use common::{histx, json_lines};
use serde_json::Value;
use std::collections::HashMap;

const AUTOMATION: &str = "4105a4fc-f944-11e6-9d32-0123456789ab";

/// How far along a normalized status is.
fn progress(record: &Value) -> u8 {
    match record["status"].as_str().unwrap() {
        "pending" | "scheduled" => 0,
        "running" | "started" => 1,
        _ => 2,
    }
}

/// Checks a follow's lines against a read after the end: per id, never backwards, the
/// last line the final record; returns how many lines each id had.
fn check_spans(followed: &[Value], after: &[Value]) -> HashMap<String, usize> {
    let mut lines: HashMap<String, Vec<&Value>> = HashMap::new();
    for record in followed {
        lines
            .entry(record["id"].as_str().unwrap().to_string())
            .or_default()
            .push(record);
    }
    for (id, versions) in &lines {
        assert!(
            versions
                .windows(2)
                .all(|w| progress(w[0]) <= progress(w[1]) && w[0] != w[1]),
            "{id}: {versions:?}"
        );
    }
    assert_eq!(lines.len(), after.len());
    for record in after {
        let id = record["id"].as_str().unwrap();
        assert_eq!(*lines[id].last().unwrap(), record, "{id}");
    }
    lines.into_iter().map(|(id, v)| (id, v.len())).collect()
}

#[test]
fn an_automation_followed_reprints_each_step_as_it_changes_and_exits_3() {
    let (steps, status) = fake_ssm::advancing_automation(
        AUTOMATION,
        vec![
            ("prepare", 0.6, 1.2, "Success"),
            ("patch", 1.2, 1.8, "Failed"),
        ],
    );
    let fake = FakeAws::start();
    fake.serve(steps);
    fake.answer(status);
    let endpoint = fake.endpoint();
    let output = histx()
        .args(["ssm", AUTOMATION, "--endpoint-url", &endpoint])
        .args([
            "--follow",
            "-o",
            "jsonl",
            "--exit-status",
            "--interval",
            "100ms",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let followed = json_lines(&output.stdout);
    assert!(
        followed[..2].iter().all(|s| s["status"] == "pending"),
        "{followed:?}"
    );
    let after = histx()
        .args([
            "ssm",
            AUTOMATION,
            "--endpoint-url",
            &endpoint,
            "-o",
            "jsonl",
        ])
        .output()
        .unwrap();
    let counts = check_spans(&followed, &json_lines(&after.stdout));
    assert!(
        counts.values().all(|&n| n >= 2),
        "pending, then final: {counts:?}"
    );

    // A report is of the end: each step once, as it ended.
    let (steps, status) =
        fake_ssm::advancing_automation(AUTOMATION, vec![("prepare", 0.3, 0.6, "Success")]);
    let fake = FakeAws::start();
    fake.serve(steps);
    fake.answer(status);
    let output = histx()
        .args(["ssm", AUTOMATION, "--endpoint-url", &fake.endpoint()])
        .args(["-f", "-o", "json", "--exit-status", "--interval", "100ms"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let statuses: Vec<&str> = document
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["succeeded"]);
}

#[test]
fn a_pipeline_execution_followed_reprints_each_action_as_it_changes() {
    let execution = "11111111-1111-4111-8111-111111111111";
    let (actions, status) = fake_codepipeline::advancing_execution(
        "web",
        execution,
        vec![
            ("Source.Checkout", 0.0, 0.5, "Succeeded"),
            ("Build.Compile", 0.5, 1.2, "Succeeded"),
            ("Deploy.Push", 1.2, 1.6, "Failed"),
        ],
    );
    let fake = FakeAws::start();
    fake.serve(actions);
    fake.answer(status);
    let endpoint = fake.endpoint();
    let run = |extra: &[&str]| {
        histx()
            .args(["codepipeline", "web", "--execution-id", execution])
            .args(["--endpoint-url", &endpoint])
            .args(extra)
            .output()
            .unwrap()
    };
    let output = run(&["-f", "-o", "jsonl", "--exit-status", "--interval", "100ms"]);
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let followed = json_lines(&output.stdout);
    assert_eq!(followed[0]["status"], "running", "{followed:?}");
    let after = json_lines(&run(&["-o", "jsonl"]).stdout);
    let counts = check_spans(&followed, &after);
    assert_eq!(counts.len(), 3);
    assert!(
        counts["11111111-0000"] >= 2,
        "running, then succeeded: {counts:?}"
    );
}

#[test]
fn the_newest_pipeline_execution_followed_ends_with_its_end_and_duration() {
    use common::fake::Answer;
    use serde_json::json;
    let execution = "11111111-1111-4111-8111-111111111111";
    for extra in [&["--summary", "-o", "json"][..], &["-o", "table"][..]] {
        let (actions, status) = fake_codepipeline::advancing_execution(
            "web",
            execution,
            vec![
                ("Source.Checkout", 0.0, 0.5, "Succeeded"),
                ("Build.Compile", 0.5, 1.2, "Failed"),
            ],
        );
        let fake = FakeAws::start();
        fake.serve(actions);
        fake.answer(status);
        // The newest execution, as listed when the follow starts: still in progress.
        fake.answer(Answer {
            target: fake_codepipeline::LIST_EXECUTIONS,
            json_version: "1.1",
            answer: Box::new(move |_| {
                Ok(
                    json!({"pipelineExecutionSummaries": [{"pipelineExecutionId": execution,
                    "status": "InProgress", "startTime": 1_714_557_600.0,
                    "lastUpdateTime": 1_714_557_600.0}]}),
                )
            }),
        });
        let output = histx()
            .args(["codepipeline", "web", "--latest", "-f", "--exit-status"])
            .args(["--interval", "100ms", "--endpoint-url", &fake.endpoint()])
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(output.status.code(), Some(3), "{stdout}");
        if extra[0] == "--summary" {
            let summary: Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(summary["status"], "failed", "{summary}");
            assert!(summary["end"].is_string(), "{summary}");
            assert_eq!(summary["duration_ms"], 1200, "{summary}");
        } else {
            let last = stdout.lines().rfind(|l| !l.trim().is_empty()).unwrap();
            assert!(last.starts_with("Run failed · after 1.2s"), "{stdout}");
        }
    }
}

#[test]
fn a_step_that_waits_after_it_ran_is_printed_again() {
    let (steps, status) = fake_ssm::advancing_automation(
        AUTOMATION,
        vec![
            ("approve", 0.3, 0.9, "Waiting"),
            ("after", 0.3, 1.5, "Success"),
        ],
    );
    let fake = FakeAws::start();
    fake.serve(steps);
    fake.answer(status);
    let endpoint = fake.endpoint();
    let output = histx()
        .args(["ssm", AUTOMATION, "--endpoint-url", &endpoint])
        .args([
            "--follow",
            "-o",
            "jsonl",
            "--exit-status",
            "--interval",
            "100ms",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let followed = json_lines(&output.stdout);
    let after = histx()
        .args([
            "ssm",
            AUTOMATION,
            "--endpoint-url",
            &endpoint,
            "-o",
            "jsonl",
        ])
        .output()
        .unwrap();
    let after = json_lines(&after.stdout);
    let approve = |lines: &[Value]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l["name"] == "approve")
            .map(|l| l["status"].as_str().unwrap().to_string())
            .collect()
    };
    let (seen, last) = (approve(&followed), approve(&after));
    assert_eq!(seen.last(), last.last(), "{seen:?}");
    assert!(seen.iter().any(|s| s == "running"), "{seen:?}");
    assert_ne!(last.last().map(String::as_str), Some("running"));
}

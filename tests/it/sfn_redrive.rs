//! A Step Functions run that fails and is redriven (`ExecutionRedriven`), on the fake,
//! whose history and DescribeExecution follow a timeline: while following, the redrive
//! is followed (PENDING_REDRIVE and a RUNNING status with a redriveCount are not final)
//! and every event is printed once, ids contiguous; the exit status and the summary are
//! of the last attempt, in every format. A redrive made after histx has seen the run end
//! is not waited for.

use crate::common;

use common::fake::FakeAws;
use common::fake_sfn::{redriven_once, timed_execution, Moment, DESCRIBE_EXECUTION};
use common::histx;
use serde_json::Value;

const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:M:redriven";

/// A fake serving the timeline.
fn serving(timeline: Vec<Moment>) -> FakeAws {
    let (history, describe) = timed_execution(ARN, timeline);
    let fake = FakeAws::start();
    fake.serve(history);
    fake.answer(describe);
    fake
}

/// `histx sfn ARN ARGS`, on the fake.
fn run(fake: &FakeAws, args: &[&str]) -> std::process::Output {
    histx()
        .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
        .args(args)
        .output()
        .unwrap()
}

const FOLLOW: &[&str] = &["--follow", "--exit-status", "--interval", "100ms"];

fn types(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect()
}

#[test]
fn a_redriven_run_followed_prints_each_event_once_and_exits_with_the_last_outcome() {
    for (ending, code, last) in [
        ("SUCCEEDED", 0, "ExecutionSucceeded"),
        ("FAILED", 3, "ExecutionFailed"),
    ] {
        let fake = serving(redriven_once(0.6, ending));
        let output = run(&fake, &[FOLLOW, &["-o", "jsonl"]].concat());
        assert_eq!(
            output.status.code(),
            Some(code),
            "{ending}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let events = common::json_lines(&output.stdout);
        let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert_eq!(
            ids,
            (1..=ids.len() as i64).collect::<Vec<_>>(),
            "{ending}: each once, in order"
        );
        let types = types(&events);
        assert_eq!(
            types.iter().filter(|t| **t == "ExecutionFailed").count(),
            if code == 0 { 1 } else { 2 }
        );
        let redriven = types
            .iter()
            .position(|t| *t == "ExecutionRedriven")
            .expect("the redrive");
        assert_eq!(
            types[redriven - 1],
            "ExecutionFailed",
            "the first attempt's end comes first"
        );
        assert_eq!(types.last(), Some(&last));
        // The same events as a read of the finished run.
        let read = run(&fake, &["-o", "jsonl"]);
        assert_eq!(events, common::json_lines(&read.stdout), "{ending}");
        // The status calls saw PENDING_REDRIVE or RUNNING with a redrive count between.
        assert!(fake.requests(DESCRIBE_EXECUTION).len() >= 3);
    }
}

#[test]
fn raw_lines_of_a_followed_redrive_are_the_final_history() {
    let fake = serving(redriven_once(0.5, "SUCCEEDED"));
    let output = run(&fake, &[FOLLOW, &["-o", "raw"]].concat());
    assert_eq!(output.status.code(), Some(0));
    let followed = common::json_lines(&output.stdout);
    let read = common::json_lines(&run(&fake, &["-o", "raw"]).stdout);
    assert_eq!(followed, read);
    assert!(types(&followed).contains(&"ExecutionRedriven"));
}

#[test]
fn the_summary_of_a_redriven_run_is_of_its_last_attempt() {
    for (ending, status, code) in [("SUCCEEDED", "succeeded", 0), ("FAILED", "failed", 3)] {
        // Followed: the summary waits for the end.
        let fake = serving(redriven_once(0.5, ending));
        let output = run(&fake, &[FOLLOW, &["--summary", "-o", "json"]].concat());
        assert_eq!(output.status.code(), Some(code), "{ending}");
        let followed: Value = serde_json::from_slice(&output.stdout).unwrap();
        // The finished run, read once.
        let read = run(&fake, &["--summary", "-o", "json", "--exit-status"]);
        assert_eq!(read.status.code(), Some(code), "{ending}");
        let read: Value = serde_json::from_slice(&read.stdout).unwrap();
        for summary in [&followed, &read] {
            assert_eq!(summary["status"], status, "{ending}: {summary}");
            assert_eq!(summary["redrives"], 1, "{summary}");
            if code == 0 {
                assert!(
                    summary.get("error").is_none(),
                    "the first failure is not the run's: {summary}"
                );
            } else {
                assert_eq!(summary["error"], "StillFlaky", "{summary}");
                assert_eq!(summary["cause"], "the redriven attempt failed", "{summary}");
            }
        }
        assert_eq!(followed["events"], read["events"]);
        // The text summary says the same.
        let text = run(&fake, &["--summary", "--color", "never"]);
        let text = String::from_utf8(text.stdout).unwrap();
        let status_line = text
            .lines()
            .find(|l| l.trim_start().starts_with("Status"))
            .unwrap();
        assert!(status_line.contains(status), "{text}");
        assert!(
            text.lines()
                .any(|l| l.contains("Redrives") && l.contains('1')),
            "{text}"
        );
    }
}

#[test]
fn a_redrive_after_histx_saw_the_run_end_is_not_followed() {
    // FAILED for 8 s, then redriven: histx has ended by then.
    let mut timeline = redriven_once(0.5, "SUCCEEDED");
    timeline[1].status = "FAILED";
    timeline[2].at = 8.5;
    timeline[3].at = 9.0;
    let fake = serving(timeline);
    let output = run(&fake, &[FOLLOW, &["-o", "jsonl"]].concat());
    assert_eq!(output.status.code(), Some(3));
    let events = common::json_lines(&output.stdout);
    assert_eq!(types(&events).last(), Some(&"ExecutionFailed"));
    assert!(!types(&events).contains(&"ExecutionRedriven"));
}

#[test]
fn a_redrive_the_status_call_has_not_caught_up_with_is_followed() {
    // The redrive is in the history while DescribeExecution still says FAILED (it is
    // eventually consistent): the history has the last word, the run goes on.
    let mut timeline = redriven_once(0.8, "SUCCEEDED");
    let redrive = timeline.remove(2);
    timeline[1].events.extend(redrive.events);
    timeline[1].status = "FAILED";
    let fake = serving(timeline);
    let output = run(&fake, &[FOLLOW, &["-o", "jsonl"]].concat());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events = common::json_lines(&output.stdout);
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, (1..=ids.len() as i64).collect::<Vec<_>>());
    assert_eq!(types(&events).last(), Some(&"ExecutionSucceeded"));
    assert!(types(&events).contains(&"ExecutionRedriven"));
}

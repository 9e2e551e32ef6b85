//! A live `--summary` from the newest page(s) and the status call (`src/engine/cheap.rs`),
//! through the real SDK against the local fake, which counts the requests: at most three
//! when the end of the history holds what the summary says, and then the very summary
//! of the whole history (compared with `--from` of the same events, and with a whole
//! read); a whole read, still correct, when it lies further back; the count of child
//! runs said to be unknown rather than guessed. Long histories are real shapes (the
//! fixtures') run after many Pass states.

use crate::common;

use common::fake::{Answer, FakeAws};
use common::fake_sfn::{self, DESCRIBE_EXECUTION, TARGET};
use common::histx;
use serde_json::{json, Value};
use std::collections::HashMap;

const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:Orders:run-1";
const DEFINITION: &str = "AWSStepFunctions.DescribeStateMachineForExecution";

/// A state machine whose states start no other run.
const PLAIN: &str = r#"{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["PaymentDeclined"],"IntervalSeconds":3,"BackoffRate":2,"MaxAttempts":2}],"End":true}}}"#;

/// One with a Distributed Map: its Map Runs are child runs.
const DISTRIBUTED: &str = r#"{"StartAt":"Each","States":{"Each":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"W","States":{"W":{"Type":"Pass","End":true}}},"End":true}}}"#;

fn fixture(name: &str) -> Vec<Value> {
    let path = common::repo_file(&format!("tests/fixtures/sfn/{name}.json"));
    let saved: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    saved["events"].as_array().unwrap().clone()
}

/// `events` (a whole history, ids from 1) with `pairs` Pass states run between its first
/// event and its second: ids and previousEventIds after the first shift by `2 * pairs`,
/// and the second event follows the last Pass state (the chain runs through them all).
fn padded(events: Vec<Value>, pairs: usize) -> Vec<Value> {
    let shift = 2 * pairs as i64;
    let start = events[0].clone();
    let time = start["timestamp"].as_f64().unwrap();
    let mut out = vec![start];
    for i in 0..pairs {
        let id = 2 + 2 * i as i64;
        let name = format!("Prepare{i}");
        out.push(json!({"timestamp": time, "type": "PassStateEntered", "id": id,
            "previousEventId": id - 1,
            "stateEnteredEventDetails": {"name": name, "input": "{}", "inputDetails": {"truncated": false}}}));
        out.push(json!({"timestamp": time, "type": "PassStateExited", "id": id + 1,
            "previousEventId": id,
            "stateExitedEventDetails": {"name": name, "output": "{}", "outputDetails": {"truncated": false}}}));
    }
    for (i, mut event) in events.into_iter().enumerate().skip(1) {
        let id = event["id"].as_i64().unwrap();
        let previous = event["previousEventId"].as_i64().unwrap_or(0);
        event["id"] = json!(id + shift);
        event["previousEventId"] = json!(match previous {
            _ if i == 1 => 1 + shift,
            0 | 1 => previous,
            p => p + shift,
        });
        out.push(event);
    }
    out
}

/// Events with ids from 1, each after the one before, `seconds` after the start.
fn numbered(events: Vec<(f64, Value)>) -> Vec<Value> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, (seconds, mut event))| {
            event["id"] = json!(i + 1);
            event["previousEventId"] = json!(i);
            event["timestamp"] = json!(1_775_121_600.0 + seconds);
            event
        })
        .collect()
}

fn started() -> Value {
    json!({"type": "ExecutionStarted", "executionStartedEventDetails": {"input": "{\"order\":\"O-1\"}",
        "inputDetails": {"truncated": false}, "roleArn": "arn:aws:iam::123456789012:role/r"}})
}

/// A run of `total` events whose last state, `Charge`, fails with PaymentDeclined three
/// times (retried after 3 and 6 seconds), which fails the run.
fn declined_at_the_end(total: usize) -> Vec<Value> {
    let mut events = vec![(0.0, started())];
    let pass = total - 1 - 1 - 9 - 1;
    for i in 0..pass / 2 {
        let name = format!("Step{i}");
        events.push((0.5, json!({"type": "PassStateEntered", "stateEnteredEventDetails": {"name": name, "input": "{}", "inputDetails": {"truncated": false}}})));
        events.push((0.5, json!({"type": "PassStateExited", "stateExitedEventDetails": {"name": name, "output": "{}", "outputDetails": {"truncated": false}}})));
    }
    assert_eq!(pass % 2, 0);
    events.push((1.0, json!({"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Charge", "input": "{}", "inputDetails": {"truncated": false}}})));
    for at in [1.0, 4.5, 11.0] {
        events.push((at, json!({"type": "TaskScheduled", "taskScheduledEventDetails": {"resourceType": "lambda", "resource": "invoke", "region": "us-east-1", "parameters": "{}"}})));
        events.push((at + 0.1, json!({"type": "TaskStarted", "taskStartedEventDetails": {"resourceType": "lambda", "resource": "invoke"}})));
        events.push((at + 0.5, json!({"type": "TaskFailed", "taskFailedEventDetails": {"resourceType": "lambda", "resource": "invoke",
            "error": "PaymentDeclined", "cause": "card declined"}})));
    }
    events.push((11.6, json!({"type": "ExecutionFailed", "executionFailedEventDetails": {"error": "PaymentDeclined", "cause": "card declined"}})));
    let events = numbered(events);
    assert_eq!(events.len(), total);
    events
}

/// DescribeExecution of the run these events are the history of, as the service
/// answers it: its status, start (the first event's time), stop and redrive count.
fn described(events: &[Value]) -> Value {
    let last = events
        .iter()
        .rev()
        .find(|e| e["type"].as_str().unwrap().starts_with("Execution"))
        .unwrap();
    let status = match last["type"].as_str().unwrap() {
        "ExecutionSucceeded" => "SUCCEEDED",
        "ExecutionFailed" => "FAILED",
        "ExecutionTimedOut" => "TIMED_OUT",
        "ExecutionAborted" => "ABORTED",
        _ => "RUNNING",
    };
    let mut answer = json!({
        "executionArn": ARN,
        "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Orders",
        "name": "run-1",
        "status": status,
        "startDate": events[0]["timestamp"],
        "redriveCount": events.iter().filter(|e| e["type"] == "ExecutionRedriven").count(),
    });
    if status != "RUNNING" {
        answer["stopDate"] = last["timestamp"].clone();
    }
    answer
}

/// The fake serving the run: its history, its DescribeExecution, and, when given, the
/// definition DescribeStateMachineForExecution answers.
fn serve(events: &[Value], definition: Option<&'static str>) -> FakeAws {
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        ARN.to_string(),
        events.to_vec(),
    )])));
    let describe = described(events);
    fake.answer(Answer {
        target: DESCRIBE_EXECUTION,
        json_version: "1.0",
        answer: Box::new(move |_| Ok(describe.clone())),
    });
    if let Some(definition) = definition {
        fake.answer(Answer {
            target: DEFINITION,
            json_version: "1.0",
            answer: Box::new(move |_| {
                Ok(json!({
                    "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Orders",
                    "name": "Orders",
                    "definition": definition,
                    "roleArn": "arn:aws:iam::123456789012:role/r",
                    "updateDate": 1_775_000_000.0,
                }))
            }),
        });
    }
    fake
}

/// Requests so far: history pages, status calls, definition calls.
fn counted(fake: &FakeAws) -> [usize; 3] {
    [TARGET, DESCRIBE_EXECUTION, DEFINITION].map(|target| fake.requests(target).len())
}

/// The text summary and the `-o json` summary record of a live read, with the requests
/// each made.
fn live(fake: &FakeAws, extra: &[&str]) -> ((String, [usize; 3]), (Value, [usize; 3])) {
    let run = |format: &[&str]| {
        let before = counted(fake);
        let out = histx()
            .args(["sfn", ARN, "--endpoint-url", &fake.endpoint(), "--summary"])
            .args(["--color", "never"])
            .args(format)
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let after = counted(fake);
        let asked = [0, 1, 2].map(|i| after[i] - before[i]);
        (String::from_utf8(out.stdout).unwrap(), asked)
    };
    let (text, text_asked) = run(&[]);
    let (record, record_asked) = run(&["-o", "json"]);
    let record = serde_json::from_str(&record).unwrap();
    ((text, text_asked), (record, record_asked))
}

/// The summary of the same events saved to a file: text and record.
fn saved(events: &[Value], name: &str) -> (String, Value) {
    let path =
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cheap-{name}.json"));
    std::fs::write(
        &path,
        serde_json::to_vec(&json!({ "events": events })).unwrap(),
    )
    .unwrap();
    let run = |format: &[&str]| {
        let out = histx()
            .args(["sfn", ARN, "--summary", "--color", "never", "--from"])
            .arg(&path)
            .args(format)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run(&[]);
    let record = serde_json::from_str(&run(&["-o", "json"])).unwrap();
    (text, record)
}

/// The whole history's pages at 1000 a page (or `page`), as a whole read asks for them.
fn whole_read(events: usize, page: usize) -> usize {
    events.div_ceil(page)
}

/// A cheap summary: the same text and record as the whole history's, from one or two
/// pages, the status call and at most three requests in all.
fn same_as_whole(
    events: &[Value],
    definition: Option<&'static str>,
    name: &str,
    extra: &[&str],
) -> [usize; 3] {
    let fake = serve(events, definition);
    let ((text, text_asked), (record, record_asked)) = live(&fake, extra);
    let (saved_text, saved_record) = saved(events, name);
    assert_eq!(text, saved_text, "{name}: the text summary");
    assert_eq!(record, saved_record, "{name}: the summary record");
    assert_eq!(text_asked, record_asked);
    assert!(
        text_asked.iter().sum::<usize>() <= 3,
        "{name}: {text_asked:?}"
    );
    assert_eq!(text_asked[1], 1, "{name}: one status call");
    text_asked
}

#[test]
fn a_run_of_25000_events_that_failed_at_the_end_costs_three_requests() {
    let events = declined_at_the_end(25_000);
    let asked = same_as_whole(&events, Some(PLAIN), "declined", &[]);
    assert_eq!(
        asked,
        [1, 1, 1],
        "the newest page, DescribeExecution, the definition"
    );
    let (text, record) = saved(&events, "declined");
    assert!(text.contains("Events     25000\n"), "{text}");
    assert!(
        text.contains("Failed at  Charge (TaskFailed, event 24999)"),
        "{text}"
    );
    assert!(
        text.contains("PaymentDeclined x3, retried after 3.0s, 6.0s"),
        "{text}"
    );
    assert_eq!(record["failure"]["name"], "Charge");
    assert_eq!(record["start"], "2026-04-02T09:20:00.000Z");
    assert!(record.get("children").is_none(), "{record}");
    // The whole read it replaces: 25 pages, no status call.
    let fake = serve(&events, Some(PLAIN));
    let ((whole, asked), _) = live(&fake, &["--failed"]);
    assert_eq!(
        whole, text,
        "--summary --failed reads it whole: the same summary"
    );
    assert_eq!(asked, [whole_read(25_000, 1000), 0, 0]);
}

#[test]
fn real_shapes_at_the_end_of_long_histories_are_summed_up_from_their_newest_page() {
    for (name, definition) in [
        ("catch-handler-to-fail", Some(PLAIN)),
        ("failed-map-in-parallel", Some(PLAIN)),
        ("lambda-error-retried-caught", Some(PLAIN)),
        ("runtime-failure", Some(PLAIN)),
        ("runtime-failure-in-parallel", Some(PLAIN)),
        ("map-iterations-aborted", Some(PLAIN)),
        ("parallel-branch-aborted", Some(PLAIN)),
        ("timed-out-activity", Some(PLAIN)),
        ("aborted-wait", Some(PLAIN)),
        ("caught-parallel", Some(PLAIN)),
    ] {
        let events = padded(fixture(name), 1500);
        let asked = same_as_whole(&events, definition, name, &[]);
        assert_eq!(asked, [1, 1, 1], "{name}");
    }
}

#[test]
fn a_history_of_one_page_is_read_whole_in_one_request() {
    let events = fixture("failed-map-in-parallel");
    let fake = serve(&events, Some(PLAIN));
    let ((text, asked), (record, _)) = live(&fake, &[]);
    assert_eq!((text, record), saved(&events, "one-page"));
    assert_eq!(
        asked,
        [1, 0, 0],
        "no status call: the page is the whole history"
    );
}

#[test]
fn a_failure_two_pages_back_costs_three_requests_and_leaves_the_children_uncounted() {
    // The failed iteration's Task started at event 1200 of 2204: the newest 1000 do not
    // reach it, the next page does (and does not reach the start).
    let events = padded(fixture("map-300-one-failed"), 200);
    let fake = serve(&events, Some(PLAIN));
    let ((text, asked), (record, record_asked)) = live(&fake, &[]);
    assert_eq!(asked, [2, 1, 0], "two pages and the status call");
    assert_eq!(record_asked, asked);
    let (saved_text, mut saved_record) = saved(&events, "map-300-padded");
    // All but the count of child runs, which only older events could tell.
    assert_eq!(
        record["children"],
        json!({"started": null, "depth_read": 0})
    );
    let mut record = record;
    record.as_object_mut().unwrap().remove("children");
    saved_record.as_object_mut().unwrap().remove("children");
    assert_eq!(record, saved_record);
    let counted: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("Children"))
        .collect();
    assert_eq!(counted, saved_text.lines().collect::<Vec<_>>(), "{text}");
    assert!(text.contains("Children   not counted"), "{text}");
}

#[test]
fn a_failure_further_back_than_two_pages_is_read_whole_and_still_right() {
    // Pages of 300: the failed iteration is four pages back.
    let events = fixture("map-300-one-failed");
    let fake = serve(&events, Some(PLAIN));
    let ((text, asked), (record, _)) = live(&fake, &["--page-size", "300"]);
    assert_eq!((text, record), saved(&events, "map-300"));
    assert_eq!(
        asked,
        [2 + whole_read(1804, 300), 1, 0],
        "two pages and the status call, then the whole history"
    );
    // Retries that start a page back: the same, read whole.
    let events = declined_at_the_end(2000);
    let fake = serve(&events, Some(PLAIN));
    let ((text, asked), (record, _)) = live(&fake, &["--page-size", "4"]);
    assert_eq!((text, record), saved(&events, "declined-2000"));
    assert_eq!(asked, [2 + whole_read(2000, 4), 1, 0]);
}

#[test]
fn a_succeeded_run_and_a_running_one() {
    let events = fake_sfn::succeeded_history(25_000);
    let asked = same_as_whole(&events, Some(PLAIN), "succeeded", &[]);
    assert_eq!(asked, [1, 1, 1]);
    // Running: no end; the status call says RUNNING, the history agrees.
    let events = fake_sfn::synthetic_history(4321);
    let asked = same_as_whole(&events, Some(PLAIN), "running", &[]);
    assert_eq!(asked, [1, 1, 1]);
    let (text, record) = saved(&events, "running");
    assert!(text.contains("Status     running"), "{text}");
    assert!(record.get("end").is_none() && record.get("duration_ms").is_none());
}

fn passes(count: usize, at: f64) -> Vec<(f64, Value)> {
    (0..count)
        .flat_map(|i| {
            let name = format!("Step{i}");
            [
                (at, json!({"type": "PassStateEntered", "stateEnteredEventDetails": {"name": name, "input": "{}", "inputDetails": {"truncated": false}}})),
                (at, json!({"type": "PassStateExited", "stateExitedEventDetails": {"name": name, "output": "{}", "outputDetails": {"truncated": false}}})),
            ]
        })
        .collect()
}

/// A Task `Work` that fails the run, the run redriven, and the Task run again: it
/// succeeds, or fails once more (`again`). `before` and `after` Pass states run before
/// the first failure and after the redrive.
fn redriven(before: usize, after: usize, again: bool) -> Vec<Value> {
    let mut events = vec![(0.0, started())];
    events.extend(passes(before, 0.5));
    let first = fake_sfn::failing_task("Work", "Flaky", "the first attempt failed", true);
    events.extend(first.into_iter().map(|e| (1.0, e)));
    events.push((
        5.0,
        json!({"type": "ExecutionRedriven", "executionRedrivenEventDetails": {"redriveCount": 1}}),
    ));
    let second = fake_sfn::failing_task("Work", "StillFlaky", "the redriven attempt failed", false);
    if again {
        events.extend(passes(after, 5.5));
        events.push((6.0, json!({"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Work", "input": "{}", "inputDetails": {"truncated": false}}})));
        events.extend(second.into_iter().map(|e| (6.0, e)));
    } else {
        events.extend(second[..2].iter().cloned().map(|e| (6.0, e)));
        events.push((6.5, json!({"type": "TaskSucceeded", "taskSucceededEventDetails": {"resourceType": "lambda", "resource": "invoke", "output": "{}", "outputDetails": {"truncated": false}}})));
        events.push((6.5, json!({"type": "TaskStateExited", "stateExitedEventDetails": {"name": "Work", "output": "{}", "outputDetails": {"truncated": false}}})));
        events.extend(passes(after, 7.0));
        events.push((7.5, json!({"type": "ExecutionSucceeded", "executionSucceededEventDetails": {"output": "{}", "outputDetails": {"truncated": false}}})));
    }
    numbered(events)
}

#[test]
fn a_redriven_run_counts_its_redrives_from_the_newest_events_or_the_status_call() {
    for (name, events) in [
        // The redrive among the newest events.
        ("redriven-near", redriven(1400, 10, false)),
        ("redriven-failed-again", redriven(1400, 0, true)),
        // Long after the redrive: only the status call counts it.
        ("redriven-far", redriven(0, 1400, false)),
        ("redriven-far-failed-again", redriven(0, 1400, true)),
    ] {
        let asked = same_as_whole(&events, Some(PLAIN), name, &[]);
        assert_eq!(asked, [1, 1, 1], "{name}");
        let (text, record) = saved(&events, name);
        assert_eq!(record["redrives"], 1, "{name}");
        assert!(text.contains("Redrives   1"), "{text}");
    }
}

#[test]
fn the_count_of_child_runs_is_exact_proven_none_or_said_unknown() {
    // A one-page history names its Map Run: counted as the whole read counts it.
    let mut events = vec![(0.0, started())];
    events.push((1.0, json!({"type": "MapStateEntered", "stateEnteredEventDetails": {"name": "Each", "input": "[]", "inputDetails": {"truncated": false}}})));
    events.push((1.5, json!({"type": "MapRunStarted", "mapRunStartedEventDetails": {"mapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:Orders/Each:6a2b"}})));
    events.push((2.0, json!({"type": "MapRunFailed", "mapRunFailedEventDetails": {"error": "States.ExceedToleratedFailureThreshold", "cause": "too many items failed"}})));
    events.push((2.1, json!({"type": "MapStateFailed"})));
    events.push((2.2, json!({"type": "ExecutionFailed", "executionFailedEventDetails": {"error": "States.ExceedToleratedFailureThreshold", "cause": "too many items failed"}})));
    let short = numbered(events);
    let fake = serve(&short, Some(DISTRIBUTED));
    let ((text, asked), (record, _)) = live(&fake, &[]);
    assert_eq!((text.clone(), record.clone()), saved(&short, "map-run"));
    assert_eq!(asked, [1, 0, 0]);
    assert_eq!(record["children"]["started"], 1, "{record}");
    assert!(text.contains("1 Map Run started by this one"), "{text}");
    // The same after 2000 Pass states: its definition may start runs, so the newest
    // page cannot say how many: not a number.
    let long = padded(short, 1000);
    let fake = serve(&long, Some(DISTRIBUTED));
    let ((text, asked), (record, _)) = live(&fake, &[]);
    assert_eq!(asked, [1, 1, 1]);
    assert_eq!(
        record["children"],
        json!({"started": null, "depth_read": 0})
    );
    assert!(text.contains("Children   not counted"), "{text}");
    let (_, whole) = saved(&long, "map-run-long");
    assert_eq!(whole["children"]["started"], 1);
    // No definition to be had (no permission): unknown too, never 0.
    let events = declined_at_the_end(3000);
    let fake = serve(&events, None);
    let (_, (record, asked)) = live(&fake, &[]);
    assert_eq!(asked, [1, 1, 1]);
    assert_eq!(record["children"]["started"], Value::Null);
}

#[test]
fn failed_and_filters_still_read_the_whole_history() {
    let events = declined_at_the_end(3000);
    for extra in [
        &["--failed"][..],
        &["--type", "TaskFailed"][..],
        &["--status", "failed"][..],
        &["--depth", "1"][..],
    ] {
        let fake = serve(&events, Some(PLAIN));
        let ((_, asked), _) = live(&fake, extra);
        assert_eq!(asked[1..], [0, 0], "{extra:?}: no status call");
        assert_eq!(asked[0], whole_read(3000, 1000), "{extra:?}");
    }
}

#[test]
fn without_a_status_call_the_whole_history_is_read() {
    // A status call refused (no permission for DescribeExecution): the summary is the
    // whole read's, after the one page asked for first.
    let events = declined_at_the_end(3000);
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        ARN.to_string(),
        events.clone(),
    )])));
    let ((text, asked), _) = live(&fake, &[]);
    assert_eq!(text, saved(&events, "no-status").0);
    assert_eq!(asked[0], 1 + whole_read(3000, 1000));
}

mod swf {
    //! SWF: a run that completed (or was terminated) is summed up from its newest page and
    //! DescribeWorkflowExecution; one that failed is explained by rules over its whole
    //! history, which is then read.
    use super::*;
    use common::fake_swf::{self, FakeRun, DESCRIBE, HISTORY};

    const DOMAIN: &str = "orders";
    const WORKFLOW: &str = "order-42";
    const RUN: &str = "22AbCdEf0123456789abcdefABCDEF0123456789ab=";

    fn closed(count: usize, close: Value) -> Vec<Value> {
        let mut events = fake_swf::synthetic_history(count - 1);
        let time = events.last().unwrap()["eventTimestamp"].as_f64().unwrap() + 1.0;
        let mut close = close;
        close["eventId"] = json!(count);
        close["eventTimestamp"] = json!(time);
        events.push(close);
        events
    }

    fn serve(events: &[Value], close_status: &str) -> FakeAws {
        let fake = FakeAws::start();
        let start = events[0]["eventTimestamp"].as_f64().unwrap();
        let run = FakeRun::new(DOMAIN, WORKFLOW, RUN, start, events.to_vec()).closed(close_status);
        fake_swf::serve(&fake, vec![run]);
        let info = json!({"executionInfo": {
            "execution": {"workflowId": WORKFLOW, "runId": RUN},
            "workflowType": {"name": "Synthetic", "version": "1"},
            "startTimestamp": start,
            "closeTimestamp": events.last().unwrap()["eventTimestamp"],
            "executionStatus": "CLOSED",
            "closeStatus": close_status,
            "cancelRequested": false,
        }, "executionConfiguration": {"taskStartToCloseTimeout": "60", "executionStartToCloseTimeout": "3600",
            "taskList": {"name": "deciders"}, "childPolicy": "TERMINATE"},
           "openCounts": {"openActivityTasks": 0, "openDecisionTasks": 0, "openTimers": 0, "openChildWorkflowExecutions": 0}});
        fake.answer(Answer {
            target: DESCRIBE,
            json_version: "1.0",
            answer: Box::new(move |_| Ok(info.clone())),
        });
        fake
    }

    fn summary(args: &[&str], format: &[&str]) -> String {
        let out = histx()
            .args([
                "swf",
                "--domain",
                DOMAIN,
                WORKFLOW,
                "--run-id",
                RUN,
                "--summary",
                "--color",
                "never",
            ])
            .args(args)
            .args(format)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Text and record, live, with the requests made (history pages, status calls);
    /// then the same from a saved file.
    fn compared(
        events: &[Value],
        close_status: &str,
        name: &str,
    ) -> ((String, Value), (String, Value), [usize; 2]) {
        let fake = serve(events, close_status);
        let endpoint = ["--endpoint-url", &fake.endpoint()].map(str::to_string);
        let endpoint: Vec<&str> = endpoint.iter().map(String::as_str).collect();
        let text = summary(&endpoint, &[]);
        let record: Value = serde_json::from_str(&summary(&endpoint, &["-o", "json"])).unwrap();
        let asked = [HISTORY, DESCRIBE].map(|t| fake.requests(t).len() / 2);
        let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("cheap-swf-{name}.json"));
        std::fs::write(
            &path,
            serde_json::to_vec(&json!({ "events": events })).unwrap(),
        )
        .unwrap();
        let from = ["--from", path.to_str().unwrap()];
        let saved_text = summary(&from, &[]);
        let saved_record = serde_json::from_str(&summary(&from, &["-o", "json"])).unwrap();
        ((text, record), (saved_text, saved_record), asked)
    }

    #[test]
    fn a_completed_run_costs_two_requests_and_its_children_are_not_counted() {
        let events = closed(
            3001,
            json!({"eventType": "WorkflowExecutionCompleted",
            "workflowExecutionCompletedEventAttributes": {"result": "{\"ok\":true}", "decisionTaskCompletedEventId": 0}}),
        );
        let ((text, mut record), (saved_text, mut saved_record), asked) =
            compared(&events, "COMPLETED", "completed");
        assert_eq!(
            asked,
            [1, 1],
            "the newest page and DescribeWorkflowExecution"
        );
        assert_eq!(
            record["children"],
            json!({"started": null, "depth_read": 0})
        );
        record.as_object_mut().unwrap().remove("children");
        saved_record.as_object_mut().unwrap().remove("children");
        assert_eq!(record, saved_record);
        let without: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("Children"))
            .collect();
        assert_eq!(without, saved_text.lines().collect::<Vec<_>>());
        assert!(
            text.contains("Status     succeeded") && text.contains("Events     3001"),
            "{text}"
        );
    }

    #[test]
    fn a_terminated_run_is_summed_up_from_its_newest_page() {
        let events = closed(
            2002,
            json!({"eventType": "WorkflowExecutionTerminated",
            "workflowExecutionTerminatedEventAttributes": {"reason": "operator", "details": "stuck", "childPolicy": "TERMINATE"}}),
        );
        let ((text, mut record), (saved_text, mut saved_record), asked) =
            compared(&events, "TERMINATED", "terminated");
        assert_eq!(asked, [1, 1]);
        record.as_object_mut().unwrap().remove("children");
        saved_record.as_object_mut().unwrap().remove("children");
        assert_eq!(record, saved_record);
        assert_eq!(record["failure"]["type"], "WorkflowExecutionTerminated");
        assert!(text.contains("Children   not counted"), "{text}");
        assert!(saved_text.contains("Events     2002"));
    }

    /// `events` and then these, numbered on, each a second after the one before; ids
    /// in their attributes (`scheduledEventId`, ...) count from the first of them as 1.
    fn then(mut events: Vec<Value>, more: Vec<(&str, Value)>) -> Vec<Value> {
        let t = events.last().unwrap()["eventTimestamp"].as_f64().unwrap();
        let n = events.len() as i64;
        for (i, (kind, attributes)) in more.into_iter().enumerate() {
            let key = format!("{}{}EventAttributes", kind[..1].to_lowercase(), &kind[1..]);
            let mut attributes = attributes;
            for (_, value) in attributes.as_object_mut().unwrap().iter_mut() {
                if let Some(id) = value.get("ref").and_then(Value::as_i64) {
                    *value = json!(n + id);
                }
            }
            events.push(
                json!({"eventId": n + 1 + i as i64, "eventTimestamp": t + 1.0 + i as f64,
                "eventType": kind, key: attributes}),
            );
        }
        events
    }

    /// A decision schedules Charge, which fails; the next decision fails the run.
    fn declined() -> Vec<(&'static str, Value)> {
        let r = |id: i64| json!({"ref": id});
        vec![
            (
                "DecisionTaskScheduled",
                json!({"taskList": {"name": "deciders"}, "startToCloseTimeout": "60"}),
            ),
            (
                "DecisionTaskStarted",
                json!({"identity": "decider", "scheduledEventId": r(1)}),
            ),
            (
                "DecisionTaskCompleted",
                json!({"scheduledEventId": r(1), "startedEventId": r(2)}),
            ),
            (
                "ActivityTaskScheduled",
                json!({"activityId": "charge", "activityType": {"name": "Charge", "version": "1"},
                "taskList": {"name": "workers"}, "decisionTaskCompletedEventId": r(3)}),
            ),
            (
                "ActivityTaskStarted",
                json!({"identity": "worker", "scheduledEventId": r(4)}),
            ),
            (
                "ActivityTaskFailed",
                json!({"reason": "CardDeclined", "details": "declined", "scheduledEventId": r(4), "startedEventId": r(5)}),
            ),
            (
                "DecisionTaskScheduled",
                json!({"taskList": {"name": "deciders"}, "startToCloseTimeout": "60"}),
            ),
            (
                "DecisionTaskStarted",
                json!({"identity": "decider", "scheduledEventId": r(7)}),
            ),
            (
                "DecisionTaskCompleted",
                json!({"scheduledEventId": r(7), "startedEventId": r(8)}),
            ),
            (
                "WorkflowExecutionFailed",
                json!({"reason": "CardDeclined", "details": "declined", "decisionTaskCompletedEventId": r(9)}),
            ),
        ]
    }

    #[test]
    fn a_run_a_decision_failed_is_summed_up_from_its_newest_page() {
        let events = then(fake_swf::synthetic_history(2999), declined());
        let ((text, mut record), (saved_text, mut saved_record), asked) =
            compared(&events, "FAILED", "failed");
        assert_eq!(asked, [1, 1]);
        assert_eq!(
            record["failure"]["name"], "Charge/1 (activityId charge)",
            "{record}"
        );
        assert_eq!(record["failure"]["type"], "ActivityTaskFailed");
        record.as_object_mut().unwrap().remove("children");
        saved_record.as_object_mut().unwrap().remove("children");
        assert_eq!(record, saved_record);
        let without: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("Children"))
            .collect();
        assert_eq!(without, saved_text.lines().collect::<Vec<_>>());
        // The same in a history of one page: one request, no status call, all counted.
        let short = then(fake_swf::synthetic_history(1), declined());
        let (live, saved, asked) = compared(&short, "FAILED", "failed-short");
        assert_eq!(live, saved);
        assert_eq!(asked, [1, 0]);
    }

    #[test]
    fn a_run_that_timed_out_is_read_whole() {
        let events = then(
            fake_swf::synthetic_history(2999),
            vec![(
                "WorkflowExecutionTimedOut",
                json!({"timeoutType": "START_TO_CLOSE", "childPolicy": "TERMINATE"}),
            )],
        );
        let ((text, record), saved, asked) = compared(&events, "TIMED_OUT", "timed-out");
        assert_eq!((text, record), saved);
        // The whole read alone (--failed: no cheap summary).
        let fake = serve(&events, "TIMED_OUT");
        let endpoint = fake.endpoint();
        summary(&["--endpoint-url", &endpoint, "--failed"], &[]);
        let whole = fake.requests(HISTORY).len();
        assert!(whole >= 3, "{whole}");
        assert_eq!(
            asked,
            [1 + whole, 1],
            "the newest page, the status call, then the whole history"
        );
    }
}

mod ssm_and_codepipeline {
    //! SSM and CodePipeline have no cheap summary: their lists are short, and the whole
    //! read of a list that fits one page is one request, which the summary costs.
    use super::*;
    use common::fake_codepipeline::{self, synthetic_actions, GET_EXECUTION, LIST_ACTIONS};
    use common::fake_ssm::{self, synthetic_steps, GET_AUTOMATION_EXECUTION};

    const AUTOMATION: &str = "4105a4fc-f944-11e6-9d32-0123456789ab";

    fn ssm_requests(steps: usize) -> [usize; 2] {
        let fake = FakeAws::start();
        fake.serve(fake_ssm::describe_automation_step_executions(
            HashMap::from([(AUTOMATION.to_string(), synthetic_steps(steps))]),
        ));
        let out = histx()
            .args([
                "ssm",
                AUTOMATION,
                "--endpoint-url",
                &fake.endpoint(),
                "--summary",
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("Events     {steps}")));
        [fake_ssm::TARGET, GET_AUTOMATION_EXECUTION].map(|t| fake.requests(t).len())
    }

    #[test]
    fn an_ssm_summary_reads_its_step_pages() {
        assert_eq!(ssm_requests(40), [1, 0], "one page of 50 steps");
        // Three pages: the first two alone, then the last and the newest (reverse) at
        // once: a whole step list past two pages is read from both ends. When the last
        // page is back before the newest was sent, the newest is never asked for.
        let [pages, status] = ssm_requests(120);
        assert!((3..=4).contains(&pages), "{pages}");
        assert_eq!(status, 0);
    }

    #[test]
    fn a_codepipeline_summary_reads_its_action_pages() {
        const PIPELINE: &str = "shop-release";
        const EXECUTION: &str = "33333333-3333-4333-8333-333333333333";
        for (count, pages) in [(60, 1), (250, 3)] {
            let pipelines = HashMap::from([(
                PIPELINE.to_string(),
                synthetic_actions(EXECUTION, count, 1_714_557_600.0),
            )]);
            let fake = FakeAws::start();
            fake.serve(fake_codepipeline::list_action_executions(pipelines.clone()));
            fake.answer(fake_codepipeline::get_pipeline_execution(
                pipelines,
                HashMap::new(),
            ));
            let out = histx()
                .args(["codepipeline", PIPELINE, "--execution-id", EXECUTION])
                .args(["--endpoint-url", &fake.endpoint(), "--summary"])
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("Events     {count}")));
            assert_eq!(
                [LIST_ACTIONS, GET_EXECUTION].map(|t| fake.requests(t).len()),
                [pages, 0],
                "{count} actions"
            );
        }
    }
}

#[test]
fn on_a_terminal_the_progress_line_counts_the_newest_pages_a_cheap_summary_reads() {
    // The status call takes over a second after the newest page: the line is up then,
    // and counts that page.
    let fake = serve(&declined_at_the_end(1000), None);
    fake.slow_down(DESCRIBE_EXECUTION, std::time::Duration::from_millis(1500));
    let args: Vec<String> = ["sfn", ARN, "--summary", "-o", "json", "--page-size", "100"]
        .into_iter()
        .chain(["--no-pager", "--endpoint-url", &fake.endpoint()])
        .map(str::to_string)
        .collect();
    let (screen, code) = crate::read_progress::on_a_terminal(&args, "> /dev/null");
    assert_eq!(code, 0, "{screen:?}");
    assert!(
        screen.contains("histx: reading · 100 events · 1 page · "),
        "{screen:?}"
    );
    // The newest page and the status call (and the definition, asked about children).
    assert_eq!(counted(&fake)[..2], [1, 1]);
}

#[test]
fn a_redrive_between_the_newest_page_and_the_status_call_leaves_it_to_the_whole_read() {
    // The newest page ends in ExecutionFailed; by the status call the run has been
    // redriven: RUNNING (or PENDING_REDRIVE), redriveCount 1, which no event read says.
    let events = declined_at_the_end(3000);
    for status in ["RUNNING", "PENDING_REDRIVE"] {
        let fake = serve(&events, None);
        let mut describe = described(&events);
        describe["status"] = json!(status);
        describe["redriveCount"] = json!(1);
        describe["redriveDate"] = json!(1_775_121_700.0);
        describe.as_object_mut().unwrap().remove("stopDate");
        fake.answer(Answer {
            target: DESCRIBE_EXECUTION,
            json_version: "1.0",
            answer: Box::new(move |_| Ok(describe.clone())),
        });
        let ((text, asked), (record, _)) = live(&fake, &[]);
        // The summary of the history as read, whole: failed, no redrive.
        assert_eq!(
            (text.clone(), record.clone()),
            saved(&events, "redrive-race")
        );
        assert_eq!(record["status"], "failed", "{record}");
        assert!(!text.contains("Redrives"), "{text}");
        // The newest two pages, the status call, then the whole history.
        assert!(asked[0] > 2, "{status}: {asked:?}");
        assert_eq!(asked[1], 1, "{status}: {asked:?}");
    }
}

//! `histx sfn ARN --follow` against moto, which runs state machines in real time: a run
//! that waits 3 s, then fails a Task after a Retry and ends in a Fail state (exit 3), and
//! one that waits, then succeeds (exit 0). Followed while it runs, histx prints every
//! event once, in order, equal to the final history, and the first line arrives before
//! the run ends (measured by when it arrives, against the execution's own stopDate).
//! On the fake, which pages and reverses as the service does, a run of 3000 events that
//! grows while it is followed: each poll reads newest first only back to the last event
//! printed, and throttled status calls slow the follow down without failing it.

use crate::common;

use common::fake::{FakeAws, Fault};
use common::fake_sfn::{self, growing_execution, synthetic_history, DESCRIBE_EXECUTION};
use common::http::aws_json_call;
use common::moto::Moto;
use common::{histx, histx_process};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn sfn(moto: &Moto, operation: &str, body: Value) -> Value {
    let response = aws_json_call(
        moto.port,
        "states",
        &format!("AWSStepFunctions.{operation}"),
        "1.0",
        &body,
    );
    assert_eq!(response.status, 200, "{operation}: {}", response.body);
    serde_json::from_str(&response.body).unwrap()
}

/// Wait 3 s, then a DynamoDB Task on a missing table, retried once, caught into a Fail
/// state; or, `succeeding`, Wait then Succeed.
fn definition(succeeding: bool) -> Value {
    if succeeding {
        return json!({"StartAt": "Pause", "States": {
            "Pause": {"Type": "Wait", "Seconds": 3, "Next": "Done"},
            "Done": {"Type": "Succeed"}
        }});
    }
    json!({"StartAt": "Pause", "States": {
        "Pause": {"Type": "Wait", "Seconds": 3, "Next": "Lookup"},
        "Lookup": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": "histx-missing-table", "Key": {"pk": {"S": "x"}}},
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 1, "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
            "End": true},
        "Failed": {"Type": "Fail", "Error": "HistxFailure", "Cause": "lookup failed after a retry"}
    }})
}

/// Starts an execution of a new state machine; returns its ARN.
fn start(moto: &Moto, name: &str, succeeding: bool) -> String {
    let machine = sfn(
        moto,
        "CreateStateMachine",
        json!({
            "name": name,
            "definition": definition(succeeding).to_string(),
            "roleArn": "arn:aws:iam::123456789012:role/histx-test"
        }),
    );
    let execution = sfn(
        moto,
        "StartExecution",
        json!({"stateMachineArn": machine["stateMachineArn"], "name": "run-1"}),
    );
    execution["executionArn"].as_str().unwrap().to_string()
}

fn epoch_seconds(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// Follows `arn` with `-o FORMAT --exit-status --interval 500ms`: the lines printed,
/// when the first one arrived (epoch seconds), and the exit code.
fn follow(moto: &Moto, arn: &str, format: &str) -> (Vec<Value>, f64, i32) {
    let mut child = histx_process()
        .args(["sfn", arn, "--endpoint-url", &moto.endpoint()])
        .args([
            "--follow",
            "-o",
            format,
            "--exit-status",
            "--interval",
            "500ms",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("histx starts");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let mut first_at = None;
    for line in stdout.lines() {
        let line = line.unwrap();
        first_at.get_or_insert_with(|| epoch_seconds(SystemTime::now()));
        lines.push(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}")));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        lines,
        first_at.expect("a line"),
        output.status.code().unwrap(),
    )
}

/// The execution's end (its stopDate), once it has one.
fn ended_at(moto: &Moto, arn: &str) -> (String, f64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let described = sfn(moto, "DescribeExecution", json!({"executionArn": arn}));
        if described["status"] != "RUNNING" {
            return (
                described["status"].as_str().unwrap().to_string(),
                described["stopDate"].as_f64().expect("a stopDate"),
            );
        }
        assert!(Instant::now() < deadline, "the run did not end in 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn history(moto: &Moto, arn: &str) -> Vec<Value> {
    sfn(moto, "GetExecutionHistory", json!({"executionArn": arn}))["events"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_failing_run_followed_as_json_lines_prints_every_event_once_and_exits_3() {
    let moto = Moto::start();
    let arn = start(&moto, "histx-follow-fail", false);
    let (events, first_at, code) = follow(&moto, &arn, "jsonl");
    let (status, stop) = ended_at(&moto, &arn);
    assert_eq!(status, "FAILED");
    assert_eq!(code, 3);
    assert!(
        first_at < stop,
        "the first event arrived at {first_at}, after the run ended at {stop}"
    );
    let final_history = history(&moto, &arn);
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, (1..=final_history.len() as i64).collect::<Vec<_>>());
    let types = |records: &[Value], key: &str| -> Vec<String> {
        records
            .iter()
            .map(|r| r[key].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(types(&events, "type"), types(&final_history, "type"));
    assert_eq!(events.last().unwrap()["type"], "ExecutionFailed");
    // The same events as a read of the finished run.
    let read = histx()
        .args([
            "sfn",
            &arn,
            "--endpoint-url",
            &moto.endpoint(),
            "-o",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(events, common::json_lines(&read.stdout));
}

#[test]
fn a_succeeding_run_followed_raw_is_the_final_history_and_exits_0() {
    let moto = Moto::start();
    let arn = start(&moto, "histx-follow-ok", true);
    let (records, first_at, code) = follow(&moto, &arn, "raw");
    let (status, stop) = ended_at(&moto, &arn);
    assert_eq!((status.as_str(), code), ("SUCCEEDED", 0));
    assert!(first_at < stop, "{first_at} >= {stop}");
    assert_eq!(records, history(&moto, &arn));
}

#[test]
fn a_report_is_written_once_the_run_has_ended() {
    let moto = Moto::start();
    let arn = start(&moto, "histx-follow-report", false);
    let output = histx()
        .args(["sfn", &arn, "--endpoint-url", &moto.endpoint()])
        .args([
            "-f",
            "--summary",
            "-o",
            "json",
            "--exit-status",
            "--interval",
            "500ms",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["status"], "failed");
    assert_eq!(summary["events"], json!(history(&moto, &arn).len()));
}

#[test]
fn a_timeout_stops_following_a_run_still_running() {
    let moto = Moto::start();
    let arn = start(&moto, "histx-follow-timeout", true);
    let output = histx()
        .args(["sfn", &arn, "--endpoint-url", &moto.endpoint()])
        .args([
            "-f",
            "-o",
            "jsonl",
            "--exit-status",
            "--interval",
            "200ms",
            "--timeout",
            "500ms",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(8));
    let events = common::json_lines(&output.stdout);
    assert_eq!(events[0]["type"], "ExecutionStarted");
    assert!(events.iter().all(|e| e["type"] != "ExecutionSucceeded"));
}

#[test]
fn follow_is_refused_with_a_file_or_reverse_order_and_its_flags_need_it() {
    let arn = "arn:aws:states:us-east-1:123456789012:execution:M:run-1";
    for args in [
        &["--follow", "--from", "x.json"][..],
        &["--follow", "--reverse"],
        &["--interval", "1s"],
        &["--timeout", "1s"],
        &["--follow", "--interval", "0s"],
    ] {
        histx().args(["sfn", arn]).args(args).assert().code(2);
    }
    // One pipeline execution is followed, not --all.
    histx()
        .args(["codepipeline", "web", "--all", "--follow"])
        .assert()
        .code(2);
}

#[test]
fn a_growing_run_costs_a_page_or_two_a_poll_and_throttling_does_not_fail_it() {
    let arn = "arn:aws:states:us-east-1:123456789012:execution:M:long";
    let events = fake_sfn::succeeded_history(3000);
    // 2000 events at once, then 2000 a second.
    let (history, describe) = growing_execution(arn, events.clone(), 2000, 2000.0, "SUCCEEDED");
    let fake = FakeAws::start();
    fake.serve(history);
    fake.answer(describe);
    fake.inject(
        DESCRIBE_EXECUTION,
        vec![Fault::Answer, Fault::Throttle, Fault::Throttle],
    );
    let output = histx()
        .env("AWS_MAX_ATTEMPTS", "1")
        .args(["sfn", arn, "--endpoint-url", &fake.endpoint()])
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
    let printed = common::json_lines(&output.stdout);
    let ids: Vec<i64> = printed.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids,
        (1..=3000).collect::<Vec<_>>(),
        "each event once, in order"
    );
    let requests = fake.requests(fake_sfn::TARGET);
    let first_read = requests
        .iter()
        .take_while(|r| r.get("reverseOrder") != Some(&json!(true)))
        .count();
    let polls = fake.requests(DESCRIBE_EXECUTION).len() - 1;
    let poll_reads = requests.len() - first_read;
    assert!(
        requests[first_read..]
            .iter()
            .all(|r| r["reverseOrder"] == json!(true) && r["maxResults"] == json!(1000)),
        "polls read newest first, in pages of 1000"
    );
    // Two throttled polls read nothing; the others at most two pages (1000 events each).
    assert!(
        poll_reads <= 2 * (polls - 2),
        "{poll_reads} history requests in {polls} polls"
    );
}

#[test]
fn ctrl_c_while_following_leaves_whole_lines_and_exits_130() {
    use std::io::Read;
    let arn = "arn:aws:states:us-east-1:123456789012:execution:M:forever";
    // 10 of 11 events, and no more: the run never ends.
    let (history, describe) = growing_execution(arn, synthetic_history(11), 10, 0.0, "SUCCEEDED");
    let fake = FakeAws::start();
    fake.serve(history);
    fake.answer(describe);
    let mut child = histx_process()
        .args(["sfn", arn, "--endpoint-url", &fake.endpoint()])
        .args(["--follow", "-o", "jsonl", "--interval", "100ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    while lines.len() < 10 {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "histx ended early"
        );
        lines.push(line);
    }
    // SAFETY: kill(2) sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert_eq!(rest, "", "nothing after the lines already read");
    assert!(lines.iter().all(|l| l.ends_with('\n')));
    assert_eq!(common::one_error_line(&output.stderr), "histx: interrupted");
}

/// A run whose status says SUCCEEDED while its (eventually consistent) history still
/// grows, 5 events first, then 20 a second, to its ExecutionSucceeded.
fn lagging_history(fake: &FakeAws, arn: &str, closing: bool) {
    let mut events = synthetic_history(40);
    if closing {
        let last = events.len();
        events.push(json!({"timestamp": 1_700_000_001.0, "id": last + 1,
            "previousEventId": last, "type": "ExecutionSucceeded",
            "executionSucceededEventDetails": {"output": "{}"}}));
    }
    let (history, _) = growing_execution(arn, events, 5, 20.0, "SUCCEEDED");
    fake.serve(history);
    let arn = arn.to_string();
    fake.answer(common::fake::Answer {
        target: DESCRIBE_EXECUTION,
        json_version: "1.0",
        answer: Box::new(move |_| {
            Ok(json!({"executionArn": arn,
                "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:M",
                "status": "SUCCEEDED", "startDate": 1_700_000_000.0, "stopDate": 1_700_000_002.0}))
        }),
    });
}

#[test]
fn a_final_status_ahead_of_the_history_is_followed_until_the_closing_event() {
    let arn = "arn:aws:states:us-east-1:123456789012:execution:M:lagging";
    let fake = FakeAws::start();
    lagging_history(&fake, arn, true);
    let output = histx()
        .args([
            "sfn",
            arn,
            "-f",
            "-o",
            "jsonl",
            "--exit-status",
            "--interval",
            "100ms",
        ])
        .args(["--endpoint-url", &fake.endpoint()])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stderr.is_empty());
    let lines = common::json_lines(&output.stdout);
    let ids: Vec<i64> = lines.iter().map(|l| l["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids,
        (1..=41).collect::<Vec<_>>(),
        "every event once, in order"
    );
    assert_eq!(lines[40]["type"], "ExecutionSucceeded");
}

#[test]
fn a_history_that_never_shows_the_closing_event_ends_the_follow_after_a_bound_and_says_so() {
    let arn = "arn:aws:states:us-east-1:123456789012:execution:M:unclosed";
    let fake = FakeAws::start();
    lagging_history(&fake, arn, false);
    let output = histx()
        .args([
            "sfn",
            arn,
            "-f",
            "-o",
            "jsonl",
            "--exit-status",
            "--interval",
            "50ms",
        ])
        .args(["--endpoint-url", &fake.endpoint()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr,
        "histx: the run's status is succeeded but its history showed no closing event in \
         10 reads after it; stopped following\n"
    );
    assert_eq!(common::json_lines(&output.stdout).len(), 40);
}

//! `histx swf` end to end against moto, a real SWF emulator: a workflow that completes
//! one activity, fails another, records a marker, starts a timer that fires, receives a
//! signal and completes. `-o raw` must be the API's events one for one, in both orders
//! (the oracle is read with a plain HTTP call, not the SDK), and the run must be found
//! without `--run-id`. The workflow is driven with plain HTTP calls as a decider and an
//! activity worker would make them.

use crate::common;

use common::http::aws_json_call;
use common::moto::Moto;
use common::{histx, json_lines, one_error_line};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const DOMAIN: &str = "orders";
const WORKFLOW: &str = "order-1";

/// One SWF call; the parsed response (`null` for an empty body).
fn call(moto: &Moto, action: &str, body: Value) -> Value {
    let target = format!("SimpleWorkflowService.{action}");
    let response = aws_json_call(moto.port, "swf", &target, "1.0", &body);
    assert_eq!(response.status, 200, "{action}: {}", response.body);
    if response.body.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&response.body)
            .unwrap_or_else(|e| panic!("{action}: {e}: {}", response.body))
    }
}

fn register(moto: &Moto) {
    call(
        moto,
        "RegisterDomain",
        json!({"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "30"}),
    );
    call(
        moto,
        "RegisterWorkflowType",
        json!({
            "domain": DOMAIN, "name": "Fulfil", "version": "1.0",
            "defaultTaskList": {"name": "deciders"}, "defaultChildPolicy": "TERMINATE",
            "defaultTaskStartToCloseTimeout": "300", "defaultExecutionStartToCloseTimeout": "3600"
        }),
    );
    for name in ["Charge", "Ship"] {
        call(
            moto,
            "RegisterActivityType",
            json!({
                "domain": DOMAIN, "name": name, "version": "1.0",
                "defaultTaskList": {"name": "workers"}, "defaultTaskHeartbeatTimeout": "NONE",
                "defaultTaskStartToCloseTimeout": "300", "defaultTaskScheduleToStartTimeout": "300",
                "defaultTaskScheduleToCloseTimeout": "600"
            }),
        );
    }
}

fn start(moto: &Moto, workflow_id: &str) -> String {
    let started = call(
        moto,
        "StartWorkflowExecution",
        json!({
            "domain": DOMAIN, "workflowId": workflow_id,
            "workflowType": {"name": "Fulfil", "version": "1.0"},
            "input": "{\"order\":1}", "tagList": ["express"]
        }),
    );
    started["runId"].as_str().expect("a runId").to_string()
}

fn history(moto: &Moto, run_id: &str, reverse: bool) -> Vec<Value> {
    let page = call(
        moto,
        "GetWorkflowExecutionHistory",
        json!({
            "domain": DOMAIN, "execution": {"workflowId": WORKFLOW, "runId": run_id}, "reverseOrder": reverse
        }),
    );
    assert!(
        page.get("nextPageToken").is_none(),
        "moto answers in one page"
    );
    page["events"].as_array().expect("events").clone()
}

fn decision_task(moto: &Moto) -> String {
    let task = call(
        moto,
        "PollForDecisionTask",
        json!({"domain": DOMAIN, "taskList": {"name": "deciders"}, "identity": "decider-1"}),
    );
    task["taskToken"]
        .as_str()
        .expect("a decision task")
        .to_string()
}

/// Runs the whole workflow; returns its runId.
fn run_the_workflow(moto: &Moto) -> String {
    let run_id = start(moto, WORKFLOW);
    let token = decision_task(moto);
    call(
        moto,
        "RespondDecisionTaskCompleted",
        json!({
            "taskToken": token, "executionContext": "{\"phase\":1}",
            "decisions": [
                {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": {
                    "activityType": {"name": "Charge", "version": "1.0"}, "activityId": "charge-1",
                    "input": "{\"amount\":5}", "control": "attempt=1"}},
                {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": {
                    "activityType": {"name": "Ship", "version": "1.0"}, "activityId": "ship-1", "input": "express"}},
                {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {
                    "markerName": "checkpoint", "details": "{\"step\":1}"}},
                {"decisionType": "StartTimer", "startTimerDecisionAttributes": {
                    "timerId": "settle", "startToFireTimeout": "1", "control": "then-complete"}}
            ]
        }),
    );
    for _ in 0..2 {
        let task = call(
            moto,
            "PollForActivityTask",
            json!({"domain": DOMAIN, "taskList": {"name": "workers"}, "identity": "worker-1"}),
        );
        let token = task["taskToken"]
            .as_str()
            .expect("an activity task")
            .to_string();
        if task["activityId"] == json!("charge-1") {
            call(
                moto,
                "RespondActivityTaskCompleted",
                json!({"taskToken": token, "result": "{\"charged\":true}"}),
            );
        } else {
            call(
                moto,
                "RespondActivityTaskFailed",
                json!({"taskToken": token, "reason": "NoCarrier", "details": "no carrier today"}),
            );
        }
    }
    call(
        moto,
        "SignalWorkflowExecution",
        json!({
            "domain": DOMAIN, "workflowId": WORKFLOW, "signalName": "approve", "input": "{\"by\":\"ops\"}"
        }),
    );
    // moto fires the timer on a background thread after its startToFireTimeout (1 s).
    let deadline = Instant::now() + Duration::from_secs(60);
    while !history(moto, &run_id, false)
        .iter()
        .any(|e| e["eventType"] == json!("TimerFired"))
    {
        assert!(Instant::now() < deadline, "moto did not fire the timer");
        std::thread::sleep(Duration::from_millis(100));
    }
    let token = decision_task(moto);
    call(
        moto,
        "RespondDecisionTaskCompleted",
        json!({
            "taskToken": token,
            "decisions": [{"decisionType": "CompleteWorkflowExecution",
                "completeWorkflowExecutionDecisionAttributes": {"result": "{\"done\":true}"}}]
        }),
    );
    run_id
}

fn histx_swf(moto: &Moto, args: &[&str]) -> std::process::Output {
    histx()
        .args([
            "swf",
            "--domain",
            DOMAIN,
            WORKFLOW,
            "--endpoint-url",
            &moto.endpoint(),
        ])
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone()
}

#[test]
fn a_real_workflow_reads_back_exactly_and_normalized() {
    let moto = Moto::start();
    register(&moto);
    let run_id = run_the_workflow(&moto);
    // A second workflow, left open: moto lists it even when asked for order-1 only.
    start(&moto, "order-2");

    for reverse in [false, true] {
        let oracle = history(&moto, &run_id, reverse);
        let mut args = vec!["--run-id", run_id.as_str(), "-o", "raw"];
        if reverse {
            args.push("--reverse");
        }
        let out = histx_swf(&moto, &args);
        assert_eq!(json_lines(&out.stdout), oracle, "-o raw, reverse={reverse}");
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let oracle = history(&moto, &run_id, false);
    let types: Vec<&str> = oracle
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    for kind in [
        "WorkflowExecutionStarted",
        "ActivityTaskCompleted",
        "ActivityTaskFailed",
        "MarkerRecorded",
        "TimerStarted",
        "TimerFired",
        "WorkflowExecutionSignaled",
        "WorkflowExecutionCompleted",
    ] {
        assert!(
            types.contains(&kind),
            "moto's history has {kind}: {types:?}"
        );
    }

    // Without --run-id: the closed run of order-1, not order-2's open one.
    let out = histx_swf(&moto, &["-o", "jsonl"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "histx: run {run_id} (closed COMPLETED, started 20"
        )),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let events = json_lines(&out.stdout);
    assert_eq!(events.len(), oracle.len());
    let execution = format!("{DOMAIN}/{WORKFLOW}/{run_id}");
    assert!(events.iter().all(|e| e["execution"] == json!(execution)));
    for (event, raw) in events.iter().zip(&oracle) {
        assert_eq!(event["id"], raw["eventId"]);
        assert_eq!(event["type"], raw["eventType"]);
    }
    let find = |kind: &str| {
        events
            .iter()
            .find(|e| e["type"] == json!(kind))
            .unwrap_or_else(|| panic!("{kind}"))
    };
    let completed = find("ActivityTaskCompleted");
    assert_eq!(completed["status"], json!("succeeded"));
    assert_eq!(completed["name"], json!("Charge/1.0 (activityId charge-1)"));
    assert_eq!(completed["output"], json!({"charged": true}));
    let failed = find("ActivityTaskFailed");
    assert_eq!(failed["status"], json!("failed"));
    assert_eq!(failed["name"], json!("Ship/1.0 (activityId ship-1)"));
    assert_eq!(
        (&failed["error"], &failed["cause"]),
        (&json!("NoCarrier"), &json!("no carrier today"))
    );
    let marker = find("MarkerRecorded");
    assert_eq!(
        (&marker["status"], &marker["name"]),
        (&json!("info"), &json!("checkpoint"))
    );
    assert_eq!(marker["output"], json!({"step": 1}));
    let fired = find("TimerFired");
    assert_eq!(
        (&fired["status"], &fired["name"]),
        (&json!("succeeded"), &json!("settle"))
    );
    assert_eq!(fired["parent_id"], find("TimerStarted")["id"]);
    let signal = find("WorkflowExecutionSignaled");
    assert_eq!(
        (&signal["name"], &signal["input"]),
        (&json!("approve"), &json!({"by": "ops"}))
    );
    let done = find("WorkflowExecutionCompleted");
    assert_eq!(
        (&done["status"], &done["output"]),
        (&json!("succeeded"), &json!({"done": true}))
    );
    assert_eq!(
        find("WorkflowExecutionStarted")["name"],
        json!("Fulfil/1.0")
    );
}

#[test]
fn an_open_run_is_found_and_moto_errors_are_one_line() {
    let moto = Moto::start();
    register(&moto);
    let closed = run_the_workflow(&moto);
    // The same workflow id again, left open: it wins over the closed run.
    let open = start(&moto, WORKFLOW);
    let out = histx_swf(&moto, &["-o", "jsonl"]);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with(&format!("histx: run {open} (open, started 20")),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = json_lines(&out.stdout);
    assert_eq!(events[0]["type"], json!("WorkflowExecutionStarted"));
    assert!(events.len() < history(&moto, &closed, false).len());

    let out = histx()
        .args([
            "swf",
            "--domain",
            DOMAIN,
            WORKFLOW,
            "--run-id",
            "nope",
            "--endpoint-url",
            &moto.endpoint(),
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let line = one_error_line(&out.stderr);
    assert!(
        line.starts_with("histx: UnknownResourceFault: Unknown execution: WorkflowExecution=[workflowId=order-1, runId=nope]"),
        "{line}"
    );
    let out = histx()
        .args([
            "swf",
            "--domain",
            "missing",
            WORKFLOW,
            "--endpoint-url",
            &moto.endpoint(),
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: UnknownResourceFault: Unknown domain: missing"
    );
}

#[test]
fn exit_status_reports_a_completed_run_and_an_open_one() {
    let moto = Moto::start();
    register(&moto);
    run_the_workflow(&moto);
    let code = |args: &[&str]| {
        histx()
            .args([
                "swf",
                "--domain",
                DOMAIN,
                WORKFLOW,
                "--endpoint-url",
                &moto.endpoint(),
            ])
            .arg("--exit-status")
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code(&[]), Some(0));
    // One event says nothing of the run's end: DescribeWorkflowExecution does.
    assert_eq!(code(&["--limit", "1", "-o", "jsonl"]), Some(0));
    start(&moto, WORKFLOW);
    assert_eq!(code(&["-o", "jsonl"]), Some(8), "the open run");
    assert_eq!(code(&["--limit", "1"]), Some(8));
}

/// Reads `histx ... --follow -o raw` line by line on a thread: each record as it arrives.
fn follow_lines(
    mut child: std::process::Child,
) -> (
    std::sync::mpsc::Receiver<Value>,
    std::thread::JoinHandle<std::process::Output>,
) {
    use std::io::BufRead;
    let (send, receive) = std::sync::mpsc::channel();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let reader = std::thread::spawn(move || {
        for line in stdout.lines() {
            let line = line.unwrap();
            let _ = send.send(serde_json::from_str(&line).unwrap());
        }
        child.wait_with_output().unwrap()
    });
    (receive, reader)
}

/// Waits until histx has printed an event of `event_type` (the records before it too).
fn until(lines: &std::sync::mpsc::Receiver<Value>, seen: &mut Vec<Value>, event_type: &str) {
    while !seen.iter().any(|e| e["eventType"] == json!(event_type)) {
        // A guard against a hang, not a measure of speed.
        let record = lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("histx printed no {event_type}; it printed {seen:?}"));
        seen.push(record);
    }
}

#[test]
fn a_run_followed_while_the_test_decides_prints_each_event_once() {
    let moto = Moto::start();
    register(&moto);
    let run_id = start(&moto, WORKFLOW);
    let child = common::histx_process()
        .args(["swf", "--domain", DOMAIN, WORKFLOW, "--run-id", &run_id])
        .args(["--endpoint-url", &moto.endpoint()])
        .args([
            "--follow",
            "-o",
            "raw",
            "--exit-status",
            "--interval",
            "200ms",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, reader) = follow_lines(child);
    let mut seen = Vec::new();
    until(&lines, &mut seen, "DecisionTaskScheduled");
    let token = decision_task(&moto);
    call(
        &moto,
        "RespondDecisionTaskCompleted",
        json!({"taskToken": token, "decisions": [
            {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": {
                "activityType": {"name": "Charge", "version": "1.0"}, "activityId": "charge-1"}}
        ]}),
    );
    until(&lines, &mut seen, "ActivityTaskScheduled");
    let task = call(
        &moto,
        "PollForActivityTask",
        json!({"domain": DOMAIN, "taskList": {"name": "workers"}}),
    );
    call(
        &moto,
        "RespondActivityTaskCompleted",
        json!({"taskToken": task["taskToken"], "result": "ok"}),
    );
    until(&lines, &mut seen, "ActivityTaskCompleted");
    let token = decision_task(&moto);
    call(
        &moto,
        "RespondDecisionTaskCompleted",
        json!({"taskToken": token, "decisions": [{"decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": "done"}}]}),
    );
    let output = reader.join().unwrap();
    seen.extend(lines.try_iter());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        seen,
        history(&moto, &run_id, false),
        "every event once, in order"
    );
}

//! `histx sfn` end to end against moto, a real AWS emulator that executes state machines:
//! a run with Pass, Choice, Parallel, Map, a succeeding SQS Task, a failing DynamoDB Task
//! with Retry and Catch, and a Fail state. histx's `-o raw` must be the API's events one
//! for one, and `-o jsonl` one record per event with the right ids, parents and statuses.
//!
//! moto answers every history in one page and ignores reverseOrder; paging and reverse
//! order are tested on the fake (sfn_fake.rs), content here.

use crate::common;

use common::http::aws_json_call;
use common::moto::Moto;
use common::{histx, json_lines, one_error_line};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

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

fn definition(queue_url: &str) -> Value {
    json!({
        "Comment": "histx end-to-end test",
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Result": {"mode": "fanout", "items": [1, 2, 3]}, "Next": "Decide"},
            "Decide": {"Type": "Choice", "Choices": [{"Variable": "$.mode", "StringEquals": "fanout", "Next": "Fanout"}], "Default": "Unexpected"},
            "Unexpected": {"Type": "Fail", "Error": "Unexpected", "Cause": "choice default"},
            "Fanout": {"Type": "Parallel", "ResultPath": "$.parallel", "Next": "Iterate", "Branches": [
                {"StartAt": "SendOk", "States": {"SendOk": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                    "Parameters": {"QueueUrl": queue_url, "MessageBody": "hello from histx"}, "End": true}}},
                {"StartAt": "BranchB", "States": {"BranchB": {"Type": "Pass", "Result": "b", "End": true}}}
            ]},
            "Iterate": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 10, "ResultPath": "$.mapped", "Next": "Flaky",
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}}},
            "Flaky": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": "histx-missing-table", "Key": {"pk": {"S": "x"}}},
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 1, "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "HandleError"}],
                "Next": "Done"},
            "Done": {"Type": "Succeed"},
            "HandleError": {"Type": "Pass", "Next": "Failed"},
            "Failed": {"Type": "Fail", "Error": "HistxFailure", "Cause": "task failed after retries"}
        }
    })
}

/// Runs the state machine to its end and returns the execution ARN.
fn run_execution(moto: &Moto) -> String {
    let queue = aws_json_call(
        moto.port,
        "sqs",
        "AmazonSQS.CreateQueue",
        "1.0",
        &json!({"QueueName": "histx-ok"}),
    );
    assert_eq!(queue.status, 200, "CreateQueue: {}", queue.body);
    let queue_url: Value = serde_json::from_str(&queue.body).unwrap();
    let machine = sfn(
        moto,
        "CreateStateMachine",
        json!({
            "name": "histx-e2e",
            "definition": definition(queue_url["QueueUrl"].as_str().unwrap()).to_string(),
            "roleArn": "arn:aws:iam::123456789012:role/histx-test"
        }),
    );
    let execution = sfn(
        moto,
        "StartExecution",
        json!({"stateMachineArn": machine["stateMachineArn"], "name": "run-1", "input": "{\"orderId\":\"o-1\"}"}),
    );
    let arn = execution["executionArn"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let described = sfn(moto, "DescribeExecution", json!({"executionArn": arn}));
        if described["status"] != "RUNNING" {
            assert_eq!(described["status"], "FAILED", "{described}");
            return arn;
        }
        assert!(
            Instant::now() < deadline,
            "the execution did not finish within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The API's own events, read over plain HTTP: the oracle histx is compared with.
fn api_events(moto: &Moto, arn: &str, reverse: bool) -> Vec<Value> {
    let page = sfn(
        moto,
        "GetExecutionHistory",
        json!({"executionArn": arn, "reverseOrder": reverse}),
    );
    assert!(page.get("nextToken").is_none());
    page["events"].as_array().unwrap().clone()
}

fn histx_stdout(moto: &Moto, arn: &str, args: &[&str]) -> Vec<u8> {
    histx()
        .args(["sfn", arn, "--endpoint-url", &moto.endpoint()])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

#[test]
fn histx_returns_the_apis_events_one_for_one() {
    let moto = Moto::start();
    let arn = run_execution(&moto);

    let forward = api_events(&moto, &arn, false);
    assert!(
        forward.len() > 30,
        "the run recorded its states: {}",
        forward.len()
    );
    assert_eq!(
        json_lines(&histx_stdout(&moto, &arn, &["-o", "raw"])),
        forward
    );
    let backward = api_events(&moto, &arn, true);
    assert_eq!(
        json_lines(&histx_stdout(&moto, &arn, &["-o", "raw", "--reverse"])),
        backward
    );

    let events = json_lines(&histx_stdout(&moto, &arn, &["-o", "jsonl"]));
    assert_eq!(events.len(), forward.len(), "one record per event");
    for (event, wire) in events.iter().zip(&forward) {
        assert_eq!(event["id"], wire["id"]);
        assert_eq!(event["type"], wire["type"]);
        assert_eq!(event["execution"], json!(arn));
        match wire["previousEventId"].as_i64() {
            Some(0) | None => assert!(event.get("parent_id").is_none()),
            Some(parent) => assert_eq!(event["parent_id"], json!(parent)),
        }
    }

    let of_type = |kind: &str| {
        events
            .iter()
            .filter(|e| e["type"] == kind)
            .cloned()
            .collect::<Vec<_>>()
    };
    let started = &of_type("ExecutionStarted")[0];
    assert_eq!(started["status"], "started");
    assert_eq!(started["input"], json!({"orderId": "o-1"}));
    assert_eq!(of_type("ChoiceStateEntered")[0]["name"], "Decide");
    assert_eq!(of_type("ParallelStateEntered")[0]["name"], "Fanout");
    let iterations = of_type("MapIterationStarted");
    assert_eq!(iterations.len(), 3);
    assert!(iterations
        .iter()
        .all(|e| e["name"] == "Iterate" && e["status"] == "started"));
    let sent = &of_type("TaskSucceeded")[0];
    assert_eq!(
        (sent["name"].as_str(), sent["status"].as_str()),
        (Some("SendOk"), Some("succeeded"))
    );
    assert_eq!(sent["resource"], "sqs:sendMessage");

    // The failing task: tried twice (one retry), each attempt failed, then caught.
    let failures = of_type("TaskFailed");
    assert_eq!(failures.len(), 2);
    for failure in &failures {
        assert_eq!(failure["name"], "Flaky");
        assert_eq!(failure["status"], "failed");
        assert_eq!(failure["resource"], "dynamodb:getItem");
        assert!(
            failure["error"]
                .as_str()
                .unwrap()
                .contains("ResourceNotFound"),
            "{failure}"
        );
    }
    assert_eq!(
        of_type("TaskScheduled")
            .iter()
            .filter(|e| e["name"] == "Flaky")
            .count(),
        2
    );
    assert_eq!(of_type("FailStateEntered")[0]["status"], "failed");
    let end = events.last().unwrap();
    assert_eq!(end["type"], "ExecutionFailed");
    assert_eq!(
        (end["status"].as_str(), end["error"].as_str()),
        (Some("failed"), Some("HistxFailure"))
    );
    assert_eq!(end["cause"], "task failed after retries");

    let table = String::from_utf8(histx_stdout(&moto, &arn, &["--color", "never"])).unwrap();
    assert_eq!(common::table_lines(&table).len(), forward.len() + 1);
    assert!(table.contains("HistxFailure: task failed after retries"));
    assert!(table.starts_with("Execution  arn:aws:states:"), "{table}");
    assert!(table.contains("\nStatus     failed\n"), "{table}");
    assert!(
        table.contains("\nFailed at  Flaky (TaskFailed, event "),
        "the summary names the failing state: {table}"
    );
}

/// The tree of the same kind of run: Parallel branches, Map iterations, the retried
/// Task's attempts and where its Catch led, under the failed execution.
#[test]
fn the_tree_shows_the_run_as_it_nested() {
    let moto = Moto::start();
    let arn = run_execution(&moto);
    let out = histx()
        .args([
            "sfn",
            &arn,
            "--endpoint-url",
            &moto.endpoint(),
            "-o",
            "tree",
            "--color",
            "never",
        ])
        .env("LANG", "C.UTF-8")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let tree: Vec<&str> = text.lines().skip_while(|l| !l.is_empty()).skip(1).collect();
    let line = |needle: &str| -> &str {
        tree.iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
    };
    let depth = |l: &str| l.find(|c: char| c.is_alphanumeric()).unwrap();

    assert!(tree[0].starts_with("✗ run-1  execution  failed"), "{text}");
    assert!(
        tree[0].contains("HistxFailure: task failed after retries"),
        "{text}"
    );
    let fanout = line("Fanout  Parallel  succeeded");
    for branch in ["branch 1", "branch 2"] {
        assert!(depth(line(branch)) > depth(fanout), "{text}");
    }
    assert!(depth(line("SendOk  Task  succeeded")) > depth(line("branch 1")));
    assert!(line("SendOk  Task").contains("sqs:sendMessage"));
    let map = line("Iterate  Map  succeeded");
    for index in 0..3 {
        assert!(
            depth(line(&format!("iteration {index}  succeeded"))) > depth(map),
            "{text}"
        );
    }
    assert_eq!(
        tree.iter()
            .filter(|l| l.contains("Item  Pass  succeeded"))
            .count(),
        3
    );
    let flaky = line("Flaky  Task  failed");
    assert!(flaky.contains("caught → HandleError"), "{flaky}");
    assert!(flaky.contains("dynamodb:getItem"), "{flaky}");
    for attempt in ["attempt 1  failed", "attempt 2  failed"] {
        assert!(depth(line(attempt)) > depth(flaky), "{text}");
    }
    assert!(line("HandleError  Pass  succeeded").starts_with("├─ "));
    assert!(line("Failed  Fail  failed").starts_with("└─ "));
    assert!(
        text.contains("\nFailed at  Flaky (TaskFailed, event "),
        "{text}"
    );
}

#[test]
fn a_missing_execution_is_the_services_error_in_one_line() {
    let moto = Moto::start();
    let arn = "arn:aws:states:us-east-1:123456789012:execution:nothing:here";
    let out = histx()
        .args(["sfn", arn, "--endpoint-url", &moto.endpoint()])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        format!("histx: ExecutionDoesNotExist: Execution Does Not Exist: '{arn}'")
    );
}

#[test]
fn exit_status_reports_the_failed_run_from_the_history_or_describe_execution() {
    let moto = Moto::start();
    let arn = run_execution(&moto);
    let code = |args: &[&str]| {
        histx()
            .args([
                "sfn",
                &arn,
                "--endpoint-url",
                &moto.endpoint(),
                "--exit-status",
            ])
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code(&[]), Some(3));
    assert_eq!(code(&["-o", "jsonl"]), Some(3));
    // Two events say nothing of the run's end: DescribeExecution does.
    assert_eq!(code(&["--limit", "2"]), Some(3));
    assert_eq!(code(&["--limit", "2", "-o", "raw"]), Some(3));
}

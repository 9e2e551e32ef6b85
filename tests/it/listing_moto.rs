//! `histx <svc> ls` and the newest run end to end against moto: Step Functions
//! ListStateMachines and ListExecutions over executions moto really ran (one that
//! succeeds, one that fails, for two state machines), read back as the API lists them;
//! SWF's open and closed lists over real runs (moto ignores executionFilter on these
//! lists, so histx filters the workflowId itself; and its closeStatusFilter drops every
//! run, comparing the filter object with a status string, so the close status filter
//! is tested on the fake, and here through a workflowId, where histx filters statuses).

use crate::common;

use common::http::aws_json_call;
use common::moto::Moto;
use common::{histx, json_lines, one_error_line};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn call(moto: &Moto, service: &str, target: &str, body: Value) -> Value {
    let response = aws_json_call(moto.port, service, target, "1.0", &body);
    assert_eq!(response.status, 200, "{target}: {}", response.body);
    if response.body.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&response.body).unwrap()
    }
}

fn sfn(moto: &Moto, operation: &str, body: Value) -> Value {
    call(
        moto,
        "states",
        &format!("AWSStepFunctions.{operation}"),
        body,
    )
}

/// A state machine that succeeds, or fails, after a Pass state.
fn machine(moto: &Moto, name: &str) -> String {
    let definition = json!({
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": true, "Next": "Done"}], "Default": "Broken"},
            "Done": {"Type": "Succeed"},
            "Broken": {"Type": "Fail", "Error": "OrderBroken", "Cause": "not ok"}
        }
    });
    let created = sfn(
        moto,
        "CreateStateMachine",
        json!({"name": name, "definition": definition.to_string(), "roleArn": "arn:aws:iam::123456789012:role/histx-test"}),
    );
    created["stateMachineArn"].as_str().unwrap().to_string()
}

fn run_to_end(moto: &Moto, machine_arn: &str, name: &str, ok: bool) -> String {
    let started = sfn(
        moto,
        "StartExecution",
        json!({"stateMachineArn": machine_arn, "name": name, "input": json!({"ok": ok}).to_string()}),
    );
    let arn = started["executionArn"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    while sfn(moto, "DescribeExecution", json!({"executionArn": arn}))["status"] == "RUNNING" {
        assert!(Instant::now() < deadline, "{name} did not end within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Distinct start times, whole seconds apart at moto's resolution.
    std::thread::sleep(Duration::from_millis(1100));
    arn
}

fn ok(moto: &Moto, args: &[&str]) -> (Vec<u8>, String) {
    let output = histx()
        .args(args)
        .args(["--endpoint-url", &moto.endpoint()])
        .assert()
        .success()
        .get_output()
        .clone();
    (
        output.stdout,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn sfn_listings_and_the_newest_failed_execution_on_real_executions() {
    let moto = Moto::start();
    let orders = machine(&moto, "orders");
    let billing = machine(&moto, "billing");
    let first = run_to_end(&moto, &orders, "o-1", true);
    let failed = run_to_end(&moto, &orders, "o-2", false);
    let last = run_to_end(&moto, &orders, "o-3", true);
    run_to_end(&moto, &billing, "b-1", false);

    // The state machines: both, newest created first.
    let (out, _) = ok(&moto, &["sfn", "ls", "-o", "jsonl"]);
    let machines = json_lines(&out);
    let names: Vec<&Value> = machines.iter().map(|m| &m["name"]).collect();
    assert_eq!(names, vec!["billing", "orders"]);
    assert_eq!(machines[1]["execution"], orders.as_str());

    // Its executions, by name: the API's own list (the oracle), newest first.
    let api = sfn(&moto, "ListExecutions", json!({"stateMachineArn": orders}));
    let mut oracle: Vec<Value> = api["executions"].as_array().unwrap().clone();
    oracle.sort_by(|a, b| {
        b["startDate"]
            .as_f64()
            .unwrap()
            .total_cmp(&a["startDate"].as_f64().unwrap())
    });
    let (out, _) = ok(&moto, &["sfn", "ls", "orders", "-o", "jsonl"]);
    let records = json_lines(&out);
    let listed: Vec<&Value> = records.iter().map(|r| &r["execution"]).collect();
    assert_eq!(listed, vec![last.as_str(), failed.as_str(), first.as_str()]);
    let oracle_arns: Vec<&Value> = oracle.iter().map(|e| &e["executionArn"]).collect();
    assert_eq!(listed, oracle_arns);
    let statuses: Vec<&Value> = records.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, vec!["succeeded", "failed", "succeeded"]);
    assert!(records
        .iter()
        .all(|r| r["parent"] == orders.as_str() && r["end"].is_string()));

    // --run-status failed: the API's statusFilter.
    let (out, _) = ok(
        &moto,
        &[
            "sfn",
            "ls",
            &orders,
            "--run-status",
            "failed",
            "-o",
            "jsonl",
        ],
    );
    let records = json_lines(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["execution"], failed.as_str());

    // The newest failed execution's history, as `histx sfn <its ARN>` shows it.
    let (out, stderr) = ok(
        &moto,
        &["sfn", "orders", "--run-status", "failed", "-o", "jsonl"],
    );
    let (direct, _) = ok(&moto, &["sfn", &failed, "-o", "jsonl"]);
    assert_eq!(out, direct);
    assert!(json_lines(&out)
        .iter()
        .any(|e| e["type"] == "ExecutionFailed"));
    assert!(
        stderr.starts_with("histx: execution o-2 of orders (failed"),
        "{stderr}"
    );
    // The newest of any status.
    let (_, stderr) = ok(&moto, &["sfn", "orders", "-o", "jsonl"]);
    assert!(
        stderr.starts_with("histx: execution o-3 of orders (succeeded"),
        "{stderr}"
    );

    // A name moto does not know: one line, exit 1, with the region.
    let output = histx()
        .args(["sfn", "ls", "shipping", "--endpoint-url", &moto.endpoint()])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(one_error_line(&output.stderr).starts_with(
        "histx: StateMachineDoesNotExist: no state machine named 'shipping' in us-east-1"
    ),);
}

fn swf(moto: &Moto, action: &str, body: Value) -> Value {
    call(
        moto,
        "swf",
        &format!("SimpleWorkflowService.{action}"),
        body,
    )
}

#[test]
fn swf_listings_merge_open_and_closed_runs_on_real_runs() {
    let moto = Moto::start();
    swf(
        &moto,
        "RegisterDomain",
        json!({"name": "shop", "workflowExecutionRetentionPeriodInDays": "30"}),
    );
    swf(
        &moto,
        "RegisterWorkflowType",
        json!({"domain": "shop", "name": "Fulfil", "version": "1.0", "defaultTaskList": {"name": "deciders"},
               "defaultChildPolicy": "TERMINATE", "defaultTaskStartToCloseTimeout": "300",
               "defaultExecutionStartToCloseTimeout": "3600"}),
    );
    let start = |workflow_id: &str| -> String {
        let started = swf(
            &moto,
            "StartWorkflowExecution",
            json!({"domain": "shop", "workflowId": workflow_id, "workflowType": {"name": "Fulfil", "version": "1.0"}}),
        );
        std::thread::sleep(Duration::from_millis(1100));
        started["runId"].as_str().unwrap().to_string()
    };
    let a1 = start("a");
    swf(
        &moto,
        "TerminateWorkflowExecution",
        json!({"domain": "shop", "workflowId": "a", "runId": a1, "reason": "test"}),
    );
    let b1 = start("b");
    let a2 = start("a");

    let (out, stderr) = ok(&moto, &["swf", "ls", "--domain", "shop", "-o", "jsonl"]);
    let records = json_lines(&out);
    let listed: Vec<String> = records
        .iter()
        .map(|r| r["execution"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        listed,
        vec![
            format!("shop/a/{a2}"),
            format!("shop/b/{b1}"),
            format!("shop/a/{a1}")
        ]
    );
    let statuses: Vec<&Value> = records.iter().map(|r| &r["status"]).collect();
    assert_eq!(statuses, vec!["running", "running", "aborted"]);
    assert_eq!(records[2]["details"]["closeStatus"], "TERMINATED");
    assert_eq!(records[0]["parent"], "Fulfil/1.0");
    assert!(
        stderr.contains("listed the runs started at any time in domain shop"),
        "{stderr}"
    );

    // One workflow: moto lists every run of the domain; histx keeps the workflow's.
    let (out, _) = ok(
        &moto,
        &["swf", "ls", "--domain", "shop", "a", "-o", "jsonl"],
    );
    let names: Vec<Value> = json_lines(&out).iter().map(|r| r["name"].clone()).collect();
    assert_eq!(names, vec!["a", "a"]);

    // --run-status aborted of one workflow (histx filters), then show the record's run.
    let (out, _) = ok(
        &moto,
        &[
            "swf",
            "ls",
            "--domain",
            "shop",
            "a",
            "--run-status",
            "aborted",
            "-o",
            "jsonl",
        ],
    );
    let records = json_lines(&out);
    assert_eq!(records.len(), 1);
    let execution = records[0]["execution"].as_str().unwrap().to_string();
    let (out, _) = ok(&moto, &["swf", &execution, "-o", "jsonl"]);
    let events = json_lines(&out);
    assert!(events
        .iter()
        .any(|e| e["type"] == "WorkflowExecutionTerminated"));
    assert!(events.iter().all(|e| e["execution"] == execution.as_str()));
}

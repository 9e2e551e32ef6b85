//! `--depth`: the runs a run started, read through the real SDK from the fake on
//! 127.0.0.1: a Distributed Map's 40 child executions (5 failed), a `.sync:2` nested
//! execution, an SWF child workflow, an SSM automation's child automation and Step
//! Functions execution, a CodePipeline Step Functions action. Records, tree nesting,
//! the root cause in the summary, request counts, concurrency.

use crate::common;

use common::fake::FakeAws;
use common::fake_children::{self, DESCRIBE_MAP_RUN, LIST_EXECUTIONS};
use common::fake_sfn::{self, TARGET as HISTORY};
use common::{histx, json_lines, tree_depth, without_colour};
use serde_json::{json, Value};
use std::collections::HashMap;

const PREFIX: &str = "arn:aws:states:us-east-1:123456789012:execution";
const MAP_PARENT: &str = "arn:aws:states:us-east-1:123456789012:execution:Orders:run-1";
const MAP_RUN: &str =
    "arn:aws:states:us-east-1:123456789012:mapRun:Orders/ProcessItems:5f0c5e10-0000-4000-8000-000000000001";
const FAILED_CHILDREN: [usize; 5] = [7, 13, 21, 30, 38];

/// A Step Functions history event.
fn sfn(id: i64, previous: i64, kind: &str, details: Option<(&str, Value)>) -> Value {
    let mut event = json!({
        "timestamp": 1_714_557_600.0 + id as f64,
        "type": kind,
        "id": id,
        "previousEventId": previous,
    });
    if let Some((key, value)) = details {
        event[key] = value;
    }
    event
}

fn child_arn(n: usize) -> String {
    format!("{PREFIX}:Orders/ProcessItems:child-{n:02}")
}

/// A child of the Map Run: failed ones reject their item.
fn child_history(n: usize) -> Vec<Value> {
    let mut events = vec![
        sfn(
            1,
            0,
            "ExecutionStarted",
            Some(("executionStartedEventDetails", json!({"input": "{}"}))),
        ),
        sfn(
            2,
            0,
            "TaskStateEntered",
            Some((
                "stateEnteredEventDetails",
                json!({"name": "Validate", "input": "{}"}),
            )),
        ),
    ];
    if FAILED_CHILDREN.contains(&n) {
        let failure =
            json!({"error": "ItemRejected", "cause": format!("item {n} is out of stock")});
        events.push(sfn(3, 2, "TaskFailed", Some(("taskFailedEventDetails", json!({"resourceType": "lambda", "resource": "invoke", "error": "ItemRejected", "cause": format!("item {n} is out of stock")})))));
        events.push(sfn(
            4,
            3,
            "ExecutionFailed",
            Some(("executionFailedEventDetails", failure)),
        ));
    } else {
        events.push(sfn(
            3,
            2,
            "TaskStateExited",
            Some((
                "stateExitedEventDetails",
                json!({"name": "Validate", "output": "{}"}),
            )),
        ));
        events.push(sfn(
            4,
            3,
            "ExecutionSucceeded",
            Some(("executionSucceededEventDetails", json!({"output": "{}"}))),
        ));
    }
    events
}

fn map_parent() -> Vec<Value> {
    vec![
        sfn(
            1,
            0,
            "ExecutionStarted",
            Some(("executionStartedEventDetails", json!({"input": "{}"}))),
        ),
        sfn(
            2,
            0,
            "MapStateEntered",
            Some((
                "stateEnteredEventDetails",
                json!({"name": "ProcessItems", "input": "{}"}),
            )),
        ),
        sfn(
            3,
            2,
            "MapRunStarted",
            Some(("mapRunStartedEventDetails", json!({"mapRunArn": MAP_RUN}))),
        ),
        sfn(
            4,
            3,
            "MapRunFailed",
            Some((
                "mapRunFailedEventDetails",
                json!({"error": "States.ExceedToleratedFailureThreshold", "cause": "The specified tolerated failure threshold was exceeded"}),
            )),
        ),
        sfn(
            5,
            4,
            "ExecutionFailed",
            Some((
                "executionFailedEventDetails",
                json!({"error": "States.ExceedToleratedFailureThreshold", "cause": "The specified tolerated failure threshold was exceeded"}),
            )),
        ),
    ]
}

fn list_item(n: usize) -> Value {
    json!({
        "executionArn": child_arn(n),
        "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Orders/ProcessItems",
        "name": format!("child-{n:02}"),
        "status": if FAILED_CHILDREN.contains(&n) { "FAILED" } else { "SUCCEEDED" },
        "startDate": 1_714_557_600.0 + n as f64,
        "stopDate": 1_714_557_610.0 + n as f64,
        "mapRunArn": MAP_RUN,
    })
}

const NESTED_PARENT: &str = "arn:aws:states:us-east-1:123456789012:execution:Checkout:run-9";
const NESTED_CHILD: &str = "arn:aws:states:us-east-1:123456789012:execution:Payments:nested-1";

fn nested_parent() -> Vec<Value> {
    let task = |extra: Value| {
        let mut details = json!({"resourceType": "states", "resource": "startExecution.sync:2"});
        for (k, v) in extra.as_object().unwrap() {
            details[k] = v.clone();
        }
        details
    };
    let described = json!({"ExecutionArn": NESTED_CHILD, "Status": "FAILED", "Error": "PaymentDeclined", "Cause": "card expired"}).to_string();
    vec![
        sfn(
            1,
            0,
            "ExecutionStarted",
            Some(("executionStartedEventDetails", json!({"input": "{}"}))),
        ),
        sfn(
            2,
            0,
            "TaskStateEntered",
            Some((
                "stateEnteredEventDetails",
                json!({"name": "Pay", "input": "{}"}),
            )),
        ),
        sfn(
            3,
            2,
            "TaskScheduled",
            Some((
                "taskScheduledEventDetails",
                task(json!({"region": "us-east-1", "parameters": "{}"})),
            )),
        ),
        sfn(
            4,
            3,
            "TaskStarted",
            Some(("taskStartedEventDetails", task(json!({})))),
        ),
        sfn(
            5,
            4,
            "TaskSubmitted",
            Some((
                "taskSubmittedEventDetails",
                task(
                    json!({"output": json!({"ExecutionArn": NESTED_CHILD, "StartDate": 1_714_557_605.0}).to_string()}),
                ),
            )),
        ),
        sfn(
            6,
            5,
            "TaskFailed",
            Some((
                "taskFailedEventDetails",
                task(json!({"error": "States.TaskFailed", "cause": described})),
            )),
        ),
        sfn(
            7,
            6,
            "ExecutionFailed",
            Some((
                "executionFailedEventDetails",
                json!({"error": "States.TaskFailed", "cause": described}),
            )),
        ),
    ]
}

fn nested_child(names: Option<&str>) -> Vec<Value> {
    let mut events = vec![
        sfn(
            1,
            0,
            "ExecutionStarted",
            Some(("executionStartedEventDetails", json!({"input": "{}"}))),
        ),
        sfn(
            2,
            0,
            "TaskStateEntered",
            Some((
                "stateEnteredEventDetails",
                json!({"name": "Charge", "input": "{}"}),
            )),
        ),
    ];
    if let Some(arn) = names {
        // A child that names its own parent: a cycle, to be cut.
        events.push(sfn(3, 2, "TaskSubmitted", Some(("taskSubmittedEventDetails", json!({"resourceType": "states", "resource": "startExecution", "output": json!({"ExecutionArn": arn}).to_string()})))));
    } else {
        events.push(sfn(
            3,
            2,
            "TaskStarted",
            Some((
                "taskStartedEventDetails",
                json!({"resourceType": "lambda", "resource": "invoke"}),
            )),
        ));
    }
    events.push(sfn(4, 3, "TaskFailed", Some(("taskFailedEventDetails", json!({"resourceType": "lambda", "resource": "invoke", "error": "PaymentDeclined", "cause": "card expired"})))));
    events.push(sfn(
        5,
        4,
        "ExecutionFailed",
        Some((
            "executionFailedEventDetails",
            json!({"error": "PaymentDeclined", "cause": "card expired"}),
        )),
    ));
    events
}

/// The fake with every Step Functions run of these tests.
fn sfn_fake(nested_names_parent: bool, serve_nested: bool) -> FakeAws {
    let fake = FakeAws::start();
    let mut histories: HashMap<String, Vec<Value>> = HashMap::new();
    histories.insert(MAP_PARENT.into(), map_parent());
    for n in 1..=40 {
        histories.insert(child_arn(n), child_history(n));
    }
    histories.insert(NESTED_PARENT.into(), nested_parent());
    if serve_nested {
        histories.insert(
            NESTED_CHILD.into(),
            nested_child(nested_names_parent.then_some(NESTED_PARENT)),
        );
    }
    fake.serve(fake_sfn::get_execution_history(histories));
    let items: Vec<Value> = (1..=40).map(list_item).collect();
    fake.serve(fake_children::list_executions_by_map_run(HashMap::from([
        (MAP_RUN.to_string(), items.clone()),
    ])));
    fake.answer(fake_children::describe_map_run(HashMap::from([(
        MAP_RUN.to_string(),
        (MAP_PARENT.to_string(), items),
    )])));
    fake
}

fn run(fake: &FakeAws, service: &str, args: &[&str]) -> (String, String, Option<i32>) {
    let output = histx()
        .env("COLUMNS", "200")
        .args([service])
        .args(args)
        .args(["--endpoint-url", &fake.endpoint(), "--color", "never"])
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code(),
    )
}

fn histories_of(fake: &FakeAws) -> Vec<String> {
    fake.requests(HISTORY)
        .iter()
        .map(|r| r["executionArn"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn depth_0_makes_no_request_for_children_and_the_summary_says_how_to_include_them() {
    let fake = sfn_fake(false, true);
    let (out, err, code) = run(&fake, "sfn", &[MAP_PARENT, "--summary"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("Children   1 Map Run started by this one, not read: add --depth 1"),
        "{out}"
    );
    assert!(!out.contains("child executions failed"), "{out}");
    assert_eq!(histories_of(&fake), vec![MAP_PARENT.to_string()]);
    assert!(fake.requests(LIST_EXECUTIONS).is_empty());
    assert!(fake.requests(DESCRIBE_MAP_RUN).is_empty());
    let (out, _, _) = run(&fake, "sfn", &[MAP_PARENT, "--summary", "-o", "json"]);
    let record: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        record["children"],
        json!({"started": 1, "map_runs": 1, "depth_read": 0})
    );
    assert!(record.get("root_cause").is_none());
}

#[test]
fn a_map_run_s_failed_children_only_are_read_and_the_summary_names_the_first() {
    let fake = sfn_fake(false, true);
    let (out, err, code) = run(&fake, "sfn", &[MAP_PARENT, "--depth", "1", "--summary"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("ProcessItems (MapRunFailed, event 4) -> 5 of 40 child executions failed; first: child-07 at Validate, ItemRejected: item 7 is out of stock"),
        "{out}"
    );
    let lists = fake.requests(LIST_EXECUTIONS);
    assert_eq!(lists.len(), 1, "only FAILED has children: {lists:?}");
    assert_eq!(lists[0]["statusFilter"], "FAILED");
    assert_eq!(lists[0]["mapRunArn"], MAP_RUN);
    assert_eq!(fake.requests(DESCRIBE_MAP_RUN).len(), 1);
    let mut read = histories_of(&fake);
    read.sort();
    let mut expected: Vec<String> = FAILED_CHILDREN.iter().map(|&n| child_arn(n)).collect();
    expected.push(MAP_PARENT.to_string());
    expected.sort();
    assert_eq!(
        read, expected,
        "the parent and its 5 failed children, each once"
    );

    let (out, _, _) = run(
        &fake,
        "sfn",
        &[MAP_PARENT, "--depth", "1", "--summary", "-o", "json"],
    );
    let record: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(record["root_cause"]["unsuccessful_children"], 5);
    assert_eq!(record["root_cause"]["total_children"], 40);
    assert_eq!(record["root_cause"]["within"]["name"], "child-07");
    assert_eq!(record["root_cause"]["within"]["error"], "ItemRejected");
}

#[test]
fn json_lines_put_each_child_after_the_record_that_started_it() {
    let fake = sfn_fake(false, true);
    let (out, err, code) = run(&fake, "sfn", &[MAP_PARENT, "--depth", "1", "-o", "jsonl"]);
    assert_eq!(code, Some(0), "{err}");
    let records = json_lines(out.as_bytes());
    assert_eq!(records.len(), 5 + 5 * 4);
    let executions: Vec<&str> = records
        .iter()
        .map(|r| r["execution"].as_str().unwrap())
        .collect();
    assert_eq!(&executions[..3], &[MAP_PARENT; 3], "up to MapRunStarted");
    assert_eq!(
        &executions[23..],
        &[MAP_PARENT; 2],
        "the parent's rest after the children"
    );
    for (i, n) in FAILED_CHILDREN.iter().enumerate() {
        let child = &records[3 + i * 4..3 + (i + 1) * 4];
        for record in child {
            assert_eq!(record["execution"], child_arn(*n));
            assert_eq!(record["parent_execution"], MAP_PARENT);
        }
        assert_eq!(child[0]["type"], "ExecutionStarted");
    }
    assert!(records
        .iter()
        .filter(|r| r["execution"] == MAP_PARENT)
        .all(|r| r.get("parent_execution").is_none()));
    // -o raw: the same records, verbatim, in the same order.
    let (raw, _, _) = run(&fake, "sfn", &[MAP_PARENT, "--depth", "1", "-o", "raw"]);
    let raw = json_lines(raw.as_bytes());
    assert_eq!(raw.len(), records.len());
    assert_eq!(raw[3], child_history(7)[0]);
}

#[test]
fn the_tree_nests_each_child_under_the_state_that_started_it() {
    let fake = sfn_fake(false, true);
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[MAP_PARENT, "--depth", "1", "-o", "tree", "--ascii"],
    );
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<String> = out.lines().map(without_colour).collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} in\n{out}"))
    };
    let (map_state, map_run, child) = (
        at("ProcessItems  Map"),
        at("child executions did not succeed"),
        at("child-07  execution"),
    );
    assert!(map_state < map_run && map_run < child, "{out}");
    assert!(
        tree_depth(&lines[map_run]) > tree_depth(&lines[map_state]),
        "{out}"
    );
    assert!(
        tree_depth(&lines[child]) > tree_depth(&lines[map_run]),
        "{out}"
    );
    assert!(
        lines[map_run].contains("5 of 40 child executions did not succeed"),
        "{out}"
    );
    assert!(
        lines[child].contains("failed"),
        "the child's run line: {out}"
    );
    let validate = lines[child..]
        .iter()
        .position(|l| l.contains("Validate"))
        .unwrap()
        + child;
    assert!(
        tree_depth(&lines[validate]) > tree_depth(&lines[child]),
        "{out}"
    );
}

#[test]
fn children_are_read_concurrently_at_most_8_at_once() {
    let fake = sfn_fake(false, true);
    fake.slow_down(HISTORY, std::time::Duration::from_millis(150));
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[MAP_PARENT, "--depth", "1", "--all-children", "--summary"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("5 of 40 child executions failed"), "{out}");
    let lists = fake.requests(LIST_EXECUTIONS);
    assert_eq!(lists.len(), 1);
    assert!(
        lists[0].get("statusFilter").is_none(),
        "every child: {lists:?}"
    );
    assert_eq!(histories_of(&fake).len(), 41);
    let most = fake.most_in_flight(HISTORY);
    assert!(
        most > 1 && most <= 8,
        "{most} history requests in flight at once"
    );
}

#[test]
fn a_failing_nested_execution_is_the_root_cause_and_a_cycle_is_cut() {
    let fake = sfn_fake(true, true);
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[NESTED_PARENT, "--depth", "all", "--summary"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(
            "Pay (TaskFailed, event 6) -> nested-1 at Charge, PaymentDeclined: card expired"
        ),
        "{out}"
    );
    let read = histories_of(&fake);
    assert_eq!(
        read.iter().filter(|a| *a == NESTED_PARENT).count(),
        1,
        "the cycle back to the parent is cut: {read:?}"
    );
    assert_eq!(read.iter().filter(|a| *a == NESTED_CHILD).count(), 1);
}

#[test]
fn a_child_that_cannot_be_read_is_one_line_and_the_exit_status_stays_the_parent_s() {
    let fake = sfn_fake(false, false);
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[NESTED_PARENT, "--depth", "1", "-o", "tree", "--exit-status"],
    );
    assert_eq!(code, Some(3), "the parent failed: {err}");
    let said: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("could not be read"))
        .collect();
    assert_eq!(said.len(), 1, "{err}");
    assert!(said[0].contains("ExecutionDoesNotExist"), "{err}");
    assert!(
        out.lines()
            .any(|l| l.contains("nested-1") && l.contains("could not be read")),
        "{out}"
    );
}

#[test]
fn on_a_terminal_a_child_s_notice_is_never_glued_onto_the_progress_line() {
    // Each history page takes over a second: the progress line is up when the child's
    // read fails and its notice is written.
    let fake = sfn_fake(false, false);
    fake.slow_down(HISTORY, std::time::Duration::from_millis(1300));
    let args: Vec<String> = ["sfn", NESTED_PARENT, "--depth", "1", "-o", "jsonl"]
        .into_iter()
        .chain(["--no-pager", "--endpoint-url", &fake.endpoint()])
        .map(str::to_string)
        .collect();
    let (screen, code) = crate::read_progress::on_a_terminal(&args, "> /dev/null");
    assert_eq!(code, 0, "{screen:?}");
    assert!(
        screen.contains("histx: reading"),
        "no progress line: {screen:?}"
    );
    let notice: Vec<&str> = screen
        .split('\n')
        .filter(|l| l.contains("could not be read"))
        .collect();
    assert_eq!(notice.len(), 1, "{screen:?}");
    // What stays on that line of the terminal is the notice alone.
    let shown = crate::read_progress::settled(notice[0]);
    assert!(shown.starts_with("histx: "), "{shown:?}");
    assert!(
        !shown.contains("reading"),
        "glued onto the progress line: {shown:?}"
    );
}

#[test]
fn depth_with_follow_is_a_usage_error() {
    let fake = sfn_fake(false, true);
    let (_, err, code) = run(&fake, "sfn", &[MAP_PARENT, "--depth", "1", "--follow"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--depth"), "{err}");
}

/// An SWF history event.
fn swf(id: i64, kind: &str, attributes: Value) -> Value {
    let key = format!("{}{}EventAttributes", kind[..1].to_lowercase(), &kind[1..]);
    json!({"eventId": id, "eventTimestamp": 1_714_557_600.0 + id as f64, "eventType": kind, key: attributes})
}

#[test]
fn an_swf_run_s_failing_child_workflow_is_read_nested_and_named_in_the_summary() {
    use common::fake_swf::{self, FakeRun};
    let fake = FakeAws::start();
    let workflow_type = json!({"name": "Resize", "version": "1"});
    let child = json!({"workflowId": "resize-7", "runId": "22child"});
    let parent = vec![
        swf(
            1,
            "WorkflowExecutionStarted",
            json!({"childPolicy": "TERMINATE", "taskList": {"name": "deciders"}, "workflowType": {"name": "Album", "version": "1"}}),
        ),
        swf(
            2,
            "DecisionTaskScheduled",
            json!({"taskList": {"name": "deciders"}}),
        ),
        swf(3, "DecisionTaskStarted", json!({"scheduledEventId": 2})),
        swf(
            4,
            "DecisionTaskCompleted",
            json!({"scheduledEventId": 2, "startedEventId": 3}),
        ),
        swf(
            5,
            "StartChildWorkflowExecutionInitiated",
            json!({"workflowId": "resize-7", "workflowType": workflow_type, "childPolicy": "TERMINATE", "taskList": {"name": "deciders"}, "decisionTaskCompletedEventId": 4}),
        ),
        swf(
            6,
            "ChildWorkflowExecutionStarted",
            json!({"workflowExecution": child, "workflowType": workflow_type, "initiatedEventId": 5}),
        ),
        swf(
            7,
            "ChildWorkflowExecutionFailed",
            json!({"workflowExecution": child, "workflowType": workflow_type, "reason": "DiskFull", "details": "no space left", "initiatedEventId": 5, "startedEventId": 6}),
        ),
        swf(
            8,
            "WorkflowExecutionFailed",
            json!({"reason": "ChildFailed", "details": "resize-7 failed", "decisionTaskCompletedEventId": 4}),
        ),
    ];
    let child_events = vec![
        swf(
            1,
            "WorkflowExecutionStarted",
            json!({"childPolicy": "TERMINATE", "taskList": {"name": "deciders"}, "workflowType": workflow_type, "parentInitiatedEventId": 5}),
        ),
        swf(
            2,
            "ActivityTaskScheduled",
            json!({"activityId": "resize", "activityType": {"name": "Resize", "version": "1"}, "taskList": {"name": "workers"}, "decisionTaskCompletedEventId": 0}),
        ),
        swf(
            3,
            "ActivityTaskStarted",
            json!({"identity": "worker-1", "scheduledEventId": 2}),
        ),
        swf(
            4,
            "ActivityTaskFailed",
            json!({"reason": "DiskFull", "details": "no space left", "scheduledEventId": 2, "startedEventId": 3}),
        ),
        swf(
            5,
            "WorkflowExecutionFailed",
            json!({"reason": "DiskFull", "details": "no space left", "decisionTaskCompletedEventId": 0}),
        ),
    ];
    fake_swf::serve(
        &fake,
        vec![
            FakeRun::new("media", "album-1", "11parent", 1_714_557_601.0, parent).closed("FAILED"),
            FakeRun::new(
                "media",
                "resize-7",
                "22child",
                1_714_557_606.0,
                child_events,
            )
            .closed("FAILED"),
        ],
    );
    let target = ["--domain", "media", "album-1", "--run-id", "11parent"];
    let (out, err, code) = run(
        &fake,
        "swf",
        &[&target[..], &["--depth", "1", "--summary"]].concat(),
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("-> resize-7"), "{out}");
    assert!(out.contains("DiskFull: no space left"), "{out}");

    let (out, _, _) = run(
        &fake,
        "swf",
        &[&target[..], &["--depth", "1", "-o", "jsonl"]].concat(),
    );
    let records = json_lines(out.as_bytes());
    assert_eq!(records.len(), 8 + 5);
    assert_eq!(records[5]["type"], "ChildWorkflowExecutionStarted");
    for record in &records[6..11] {
        assert_eq!(record["execution"], "media/resize-7/22child");
        assert_eq!(record["parent_execution"], "media/album-1/11parent");
    }
    assert_eq!(records[11]["type"], "ChildWorkflowExecutionFailed");

    let (out, _, _) = run(
        &fake,
        "swf",
        &[&target[..], &["--depth", "1", "-o", "tree", "--ascii"]].concat(),
    );
    let lines: Vec<String> = out.lines().map(without_colour).collect();
    let started = lines
        .iter()
        .position(|l| l.contains("resize-7") && l.contains("child workflow"))
        .expect(&out);
    let run_line = lines
        .iter()
        .position(|l| l.contains("resize-7  workflow"))
        .expect(&out);
    assert!(
        run_line > started && tree_depth(&lines[run_line]) > tree_depth(&lines[started]),
        "{out}"
    );
}

const SSM_PARENT: &str = "4105a4fc-f944-11e6-9d32-0123456789ab";
const SSM_CHILD: &str = "5205a4fc-f944-11e6-9d32-0123456789ab";
const SSM_MACHINE_RUN: &str = "arn:aws:states:us-east-1:123456789012:execution:Patch:ssm-run";

fn ssm_step(name: &str, action: &str, id: &str, status: &str, outputs: Value) -> Value {
    let mut step = json!({
        "StepName": name, "Action": action, "StepExecutionId": id,
        "ExecutionStartTime": 1_714_557_610.0, "ExecutionEndTime": 1_714_557_620.0,
        "StepStatus": status, "Inputs": {}, "Outputs": outputs,
        "OverriddenParameters": {}, "IsCritical": true, "ValidNextSteps": [],
    });
    if status == "Failed" {
        step["FailureMessage"] =
            json!("Step fails when it is verifying the Step Functions execution");
    }
    step
}

#[test]
fn an_ssm_automation_s_child_automation_and_state_machine_run_are_read_through_their_services() {
    use common::fake_ssm;
    let fake = FakeAws::start();
    let parent = vec![
        ssm_step(
            "RunChild",
            "aws:executeAutomation",
            "aaaaaaaa-0000-4000-8000-000000000001",
            "Success",
            json!({"ExecutionId": [SSM_CHILD], "Status": ["Success"], "Output": ["{}"]}),
        ),
        ssm_step(
            "RunMachine",
            "aws:executeStateMachine",
            "aaaaaaaa-0000-4000-8000-000000000002",
            "Failed",
            json!({"executionArn": [SSM_MACHINE_RUN]}),
        ),
    ];
    let child = vec![ssm_step(
        "Work",
        "aws:executeScript",
        "bbbbbbbb-0000-4000-8000-000000000001",
        "Success",
        json!({}),
    )];
    fake.serve(fake_ssm::describe_automation_step_executions(
        HashMap::from([
            (SSM_PARENT.to_string(), parent),
            (SSM_CHILD.to_string(), child),
        ]),
    ));
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        SSM_MACHINE_RUN.to_string(),
        vec![
            sfn(1, 0, "ExecutionStarted", Some(("executionStartedEventDetails", json!({"input": "{}"})))),
            sfn(2, 0, "TaskStateEntered", Some(("stateEnteredEventDetails", json!({"name": "Patch", "input": "{}"})))),
            sfn(3, 2, "TaskFailed", Some(("taskFailedEventDetails", json!({"resourceType": "lambda", "resource": "invoke", "error": "PatchFailed", "cause": "instance i-0abc is stopped"})))),
            sfn(4, 3, "ExecutionFailed", Some(("executionFailedEventDetails", json!({"error": "PatchFailed", "cause": "instance i-0abc is stopped"})))),
        ],
    )])));
    fake.answer(fake_ssm::get_automation_execution(HashMap::from([(
        SSM_CHILD.to_string(),
        json!({"AutomationExecutionId": SSM_CHILD, "DocumentName": "Child-Doc", "AutomationExecutionStatus": "Success",
               "ExecutionStartTime": 1_714_557_609.0, "ExecutionEndTime": 1_714_557_621.0, "ParentAutomationExecutionId": SSM_PARENT}),
    )])));
    let (out, err, code) = run(
        &fake,
        "ssm",
        &[SSM_PARENT, "--depth", "1", "-o", "tree", "--ascii"],
    );
    assert_eq!(code, Some(0), "{err}");
    let run_line = out.lines().find(|l| l.contains(SSM_CHILD)).expect(&out);
    assert!(
        run_line.contains("succeeded  12.0s"),
        "the child's status from GetAutomationExecution: {out}"
    );
    let (out, err, code) = run(&fake, "ssm", &[SSM_PARENT, "--depth", "1", "-o", "jsonl"]);
    assert_eq!(code, Some(0), "{err}");
    let records = json_lines(out.as_bytes());
    let executions: Vec<&str> = records
        .iter()
        .map(|r| r["execution"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        executions,
        vec![
            SSM_PARENT,
            SSM_CHILD,
            SSM_PARENT,
            SSM_MACHINE_RUN,
            SSM_MACHINE_RUN,
            SSM_MACHINE_RUN,
            SSM_MACHINE_RUN
        ],
        "each child after the step that started it"
    );
    assert_eq!(records[1]["service"], "ssm");
    assert_eq!(records[3]["service"], "sfn");
    assert!(records[1..]
        .iter()
        .filter(|r| r["execution"] != SSM_PARENT)
        .all(|r| r["parent_execution"] == SSM_PARENT));

    let (out, _, _) = run(&fake, "ssm", &[SSM_PARENT, "--depth", "1", "--summary"]);
    assert!(out.contains("RunMachine"), "{out}");
    assert!(
        out.contains("-> ssm-run at Patch, PatchFailed: instance i-0abc is stopped"),
        "{out}"
    );
}

#[test]
fn a_codepipeline_step_functions_action_s_execution_is_read() {
    use common::fake_codepipeline;
    let fake = FakeAws::start();
    let machine_run = "arn:aws:states:us-east-1:123456789012:execution:Release:deploy-42";
    let execution = "1f2e3d4c-0000-4000-8000-000000000042";
    let action = json!({
        "pipelineExecutionId": execution, "actionExecutionId": "act-0001", "pipelineVersion": 1,
        "stageName": "Release", "actionName": "RunMachine",
        "startTime": 1_714_557_600.0, "lastUpdateTime": 1_714_557_660.0, "status": "Failed",
        "input": {"actionTypeId": {"category": "Invoke", "owner": "AWS", "provider": "StepFunctions", "version": "1"},
                  "configuration": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Release"},
                  "resolvedConfiguration": {}, "region": "us-east-1", "inputArtifacts": []},
        "output": {"outputArtifacts": [], "outputVariables": {},
                   "executionResult": {"externalExecutionId": machine_run, "externalExecutionSummary": "Execution failed",
                                       "errorDetails": {"code": "JobFailed", "message": "Execution failed"}}},
    });
    let pipelines = HashMap::from([("Deploy".to_string(), vec![action])]);
    fake.serve(fake_codepipeline::list_action_executions(pipelines.clone()));
    fake.serve(fake_codepipeline::list_pipeline_executions(pipelines));
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        machine_run.to_string(),
        vec![
            sfn(1, 0, "ExecutionStarted", Some(("executionStartedEventDetails", json!({"input": "{}"})))),
            sfn(2, 0, "TaskStateEntered", Some(("stateEnteredEventDetails", json!({"name": "Migrate", "input": "{}"})))),
            sfn(3, 2, "TaskFailed", Some(("taskFailedEventDetails", json!({"resourceType": "lambda", "resource": "invoke", "error": "MigrationFailed", "cause": "column exists"})))),
            sfn(4, 3, "ExecutionFailed", Some(("executionFailedEventDetails", json!({"error": "MigrationFailed", "cause": "column exists"})))),
        ],
    )])));
    let target = ["Deploy", "--execution-id", execution];
    let (out, err, code) = run(
        &fake,
        "codepipeline",
        &[&target[..], &["--depth", "1", "--summary"]].concat(),
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("-> deploy-42 at Migrate, MigrationFailed: column exists"),
        "{out}"
    );
    let (out, _, _) = run(
        &fake,
        "codepipeline",
        &[&target[..], &["--depth", "1", "-o", "tree", "--ascii"]].concat(),
    );
    let lines: Vec<String> = out.lines().map(without_colour).collect();
    let action_line = lines
        .iter()
        .position(|l| l.contains("RunMachine"))
        .expect(&out);
    let run_line = lines
        .iter()
        .position(|l| l.contains("deploy-42  execution"))
        .expect(&out);
    assert!(
        run_line > action_line && tree_depth(&lines[run_line]) > tree_depth(&lines[action_line]),
        "{out}"
    );
}

#[test]
fn an_automation_a_step_did_not_name_is_found_by_its_parent_execution_id() {
    use common::fake_children::DESCRIBE_AUTOMATION_EXECUTIONS;
    use common::fake_ssm;
    let fake = FakeAws::start();
    let mut failed_step = ssm_step(
        "RunChild",
        "aws:executeAutomation",
        "aaaaaaaa-0000-4000-8000-000000000001",
        "Failed",
        json!({}),
    );
    failed_step.as_object_mut().unwrap().remove("Outputs");
    let child = vec![ssm_step(
        "Work",
        "aws:executeScript",
        "bbbbbbbb-0000-4000-8000-000000000001",
        "Failed",
        json!({}),
    )];
    fake.serve(fake_ssm::describe_automation_step_executions(
        HashMap::from([
            (SSM_PARENT.to_string(), vec![failed_step]),
            (SSM_CHILD.to_string(), child),
        ]),
    ));
    fake.serve(fake_children::describe_automation_executions_by_parent(HashMap::from([(
        SSM_PARENT.to_string(),
        vec![json!({"AutomationExecutionId": SSM_CHILD, "DocumentName": "Child-Doc", "AutomationExecutionStatus": "Failed",
                    "ExecutionStartTime": 1_714_557_611.0, "ParentAutomationExecutionId": SSM_PARENT})],
    )])));
    let (out, err, code) = run(&fake, "ssm", &[SSM_PARENT, "--summary"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("add --depth 1"), "{out}");
    assert!(
        fake.requests(DESCRIBE_AUTOMATION_EXECUTIONS).is_empty(),
        "depth 0: no request"
    );
    let (out, err, code) = run(&fake, "ssm", &[SSM_PARENT, "--depth", "1", "--summary"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains(&format!("-> {SSM_CHILD} at Work")), "{out}");
    let asked = fake.requests(DESCRIBE_AUTOMATION_EXECUTIONS);
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0]["Filters"],
        json!([{"Key": "ParentExecutionId", "Values": [SSM_PARENT]}])
    );
}

#[test]
fn the_table_prints_each_child_after_the_run_with_the_event_that_started_it() {
    let fake = sfn_fake(false, true);
    let (out, err, code) = run(&fake, "sfn", &[NESTED_PARENT, "--depth", "1"]);
    assert_eq!(code, Some(0), "{err}");
    let started = out
        .find(&format!("Started by {NESTED_PARENT}, event 5 (Pay)"))
        .expect(&out);
    let child = out.find(&format!("Execution  {NESTED_CHILD}")).expect(&out);
    assert!(started < child, "{out}");
    assert!(out[child..].contains("PaymentDeclined"), "{out}");
}

#[test]
fn children_are_read_with_the_run_s_own_options() {
    let fake = sfn_fake(false, true);
    let (_, err, code) = run(
        &fake,
        "sfn",
        &[NESTED_PARENT, "--depth", "1", "--no-data", "-o", "jsonl"],
    );
    assert_eq!(code, Some(0), "{err}");
    let asked = fake.requests(HISTORY);
    assert_eq!(asked.len(), 2);
    assert!(
        asked.iter().all(|r| r["includeExecutionData"] == false),
        "{asked:?}"
    );
}

#[test]
fn a_saved_history_s_children_are_read_live() {
    let fake = sfn_fake(false, true);
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("parent.json");
    std::fs::write(&saved, json!({"events": nested_parent()}).to_string()).unwrap();
    let saved = saved.to_str().unwrap();
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[
            NESTED_PARENT,
            "--from",
            saved,
            "--depth",
            "1",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let records = json_lines(out.as_bytes());
    assert_eq!(records.len(), 7 + 5);
    assert_eq!(records[5]["execution"], NESTED_CHILD, "after TaskSubmitted");
    assert_eq!(records[5]["parent_execution"], NESTED_PARENT);
    assert_eq!(
        histories_of(&fake),
        vec![NESTED_CHILD.to_string()],
        "only the child is read live"
    );
}

#[test]
fn a_depth_that_is_no_number_of_levels_is_a_usage_error() {
    let fake = sfn_fake(false, true);
    let (_, err, code) = run(&fake, "sfn", &[MAP_PARENT, "--depth", "two"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("'two' is not a number of levels"), "{err}");
    assert!(histories_of(&fake).is_empty(), "refused before any request");
}

#[test]
fn the_root_cause_is_the_child_of_the_state_that_failed_the_run_not_a_caught_one() {
    let arn = |name: &str| format!("{PREFIX}:Inner:{name}");
    let submitted = |id: i64, child: &str| {
        sfn(
            id,
            id - 1,
            "TaskSubmitted",
            Some((
                "taskSubmittedEventDetails",
                json!({"resourceType": "states", "resource": "startExecution.sync:2", "output": json!({"ExecutionArn": arn(child)}).to_string()}),
            )),
        )
    };
    let failed = |id: i64, child: &str| {
        let cause = json!({"ExecutionArn": arn(child), "Status": "FAILED"}).to_string();
        sfn(
            id,
            id - 1,
            "TaskFailed",
            Some((
                "taskFailedEventDetails",
                json!({"resourceType": "states", "resource": "startExecution.sync:2", "error": "States.TaskFailed", "cause": cause}),
            )),
        )
    };
    let parent = vec![
        sfn(
            1,
            0,
            "ExecutionStarted",
            Some(("executionStartedEventDetails", json!({"input": "{}"}))),
        ),
        sfn(
            2,
            0,
            "TaskStateEntered",
            Some((
                "stateEnteredEventDetails",
                json!({"name": "TryFirst", "input": "{}"}),
            )),
        ),
        submitted(3, "first"),
        failed(4, "first"),
        sfn(
            5,
            4,
            "TaskStateExited",
            Some((
                "stateExitedEventDetails",
                json!({"name": "TryFirst", "output": "{}"}),
            )),
        ),
        sfn(
            6,
            5,
            "TaskStateEntered",
            Some((
                "stateEnteredEventDetails",
                json!({"name": "TrySecond", "input": "{}"}),
            )),
        ),
        submitted(7, "second"),
        failed(8, "second"),
        sfn(
            9,
            8,
            "ExecutionFailed",
            Some((
                "executionFailedEventDetails",
                json!({"error": "States.TaskFailed", "cause": "second failed"}),
            )),
        ),
    ];
    let child = |error: &str| {
        vec![
            sfn(
                1,
                0,
                "ExecutionStarted",
                Some(("executionStartedEventDetails", json!({"input": "{}"}))),
            ),
            sfn(
                2,
                0,
                "TaskStateEntered",
                Some((
                    "stateEnteredEventDetails",
                    json!({"name": "Work", "input": "{}"}),
                )),
            ),
            sfn(
                3,
                2,
                "TaskFailed",
                Some((
                    "taskFailedEventDetails",
                    json!({"resourceType": "lambda", "resource": "invoke", "error": error, "cause": "boom"}),
                )),
            ),
            sfn(
                4,
                3,
                "ExecutionFailed",
                Some((
                    "executionFailedEventDetails",
                    json!({"error": error, "cause": "boom"}),
                )),
            ),
        ]
    };
    let fake = FakeAws::start();
    let parent_arn = format!("{PREFIX}:Outer:run-2");
    fake.serve(fake_sfn::get_execution_history(HashMap::from([
        (parent_arn.clone(), parent),
        (arn("first"), child("CaughtError")),
        (arn("second"), child("FatalError")),
    ])));
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[&parent_arn, "--depth", "1", "--summary", "-o", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    let record: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(record["failure"]["name"], "TrySecond", "{record}");
    assert_eq!(record["root_cause"]["name"], "second", "{record}");
    assert_eq!(record["root_cause"]["error"], "FatalError");
    assert_eq!(record["children"]["started"], 2);
}

#[test]
fn depth_counts_levels_a_grandchild_is_read_at_depth_2_only() {
    let grand = format!("{PREFIX}:Ledger:grand-1");
    let mut child = nested_child(Some(&grand));
    // The child's own nested execution, named by its TaskSubmitted.
    child[2] = sfn(
        3,
        2,
        "TaskSubmitted",
        Some((
            "taskSubmittedEventDetails",
            json!({"resourceType": "states", "resource": "startExecution.sync", "output": json!({"ExecutionArn": grand}).to_string()}),
        )),
    );
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([
        (NESTED_PARENT.to_string(), nested_parent()),
        (NESTED_CHILD.to_string(), child),
        (grand.clone(), nested_child(None)),
    ])));
    let (out, err, code) = run(&fake, "sfn", &[NESTED_PARENT, "--depth", "1", "--summary"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(histories_of(&fake).len(), 2, "no grandchild at depth 1");
    assert!(!out.contains("grand-1"), "{out}");

    let (out, err, code) = run(
        &fake,
        "sfn",
        &[NESTED_PARENT, "--depth", "2", "-o", "jsonl"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(histories_of(&fake).len(), 2 + 3);
    let records = json_lines(out.as_bytes());
    let order: Vec<(&str, i64)> = records
        .iter()
        .map(|r| (r["execution"].as_str().unwrap(), r["id"].as_i64().unwrap()))
        .collect();
    let expected: Vec<(&str, i64)> = (1..=5)
        .map(|id| (NESTED_PARENT, id))
        .chain((1..=3).map(|id| (NESTED_CHILD, id)))
        .chain((1..=5).map(|id| (grand.as_str(), id)))
        .chain((4..=5).map(|id| (NESTED_CHILD, id)))
        .chain((6..=7).map(|id| (NESTED_PARENT, id)))
        .collect();
    assert_eq!(
        order, expected,
        "each run after the record that started it, depth first"
    );
    assert!(records
        .iter()
        .filter(|r| r["execution"] == grand.as_str())
        .all(|r| r["parent_execution"] == NESTED_CHILD));

    let (out, _, _) = run(&fake, "sfn", &[NESTED_PARENT, "--depth", "2", "--summary"]);
    assert!(out.contains("-> nested-1 at Charge, PaymentDeclined: card expired -> grand-1 at Charge, PaymentDeclined: card expired"), "{out}");
}

#[test]
fn a_map_run_that_cannot_be_described_is_said_once_and_the_rest_goes_on() {
    use common::fake::{ApiError, Fault};
    let fake = sfn_fake(false, true);
    fake.inject(
        DESCRIBE_MAP_RUN,
        vec![Fault::Error(ApiError::new(
            400,
            "AccessDeniedException",
            "not authorized to perform states:DescribeMapRun",
        ))],
    );
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[MAP_PARENT, "--depth", "1", "--summary", "--exit-status"],
    );
    assert_eq!(code, Some(3), "the parent's outcome: {err}");
    let said: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("could not be listed"))
        .collect();
    assert_eq!(said.len(), 1, "{err}");
    assert!(said[0].contains("AccessDeniedException"), "{err}");
    assert!(out.contains("-> Map Run 5f0c5e10-0000-4000-8000-000000000001 could not be read: AccessDeniedException"), "{out}");
    assert!(fake.requests(LIST_EXECUTIONS).is_empty());
}

#[test]
fn a_limit_narrows_each_run_shown_and_still_reads_the_children() {
    let fake = sfn_fake(false, true);
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[MAP_PARENT, "--depth", "1", "-o", "jsonl", "--limit", "2"],
    );
    assert_eq!(code, Some(0), "{err}");
    let records = json_lines(out.as_bytes());
    let executions: Vec<&str> = records
        .iter()
        .map(|r| r["execution"].as_str().unwrap())
        .collect();
    // The parent's first two records; its MapRunStarted (beyond them) still started
    // the 5 failed children, each shown up to the limit, after the parent's.
    let mut expected = vec![MAP_PARENT.to_string(); 2];
    for n in FAILED_CHILDREN {
        expected.extend([child_arn(n), child_arn(n)]);
    }
    assert_eq!(executions, expected);
    assert_eq!(records[2]["type"], "ExecutionStarted");
    assert_eq!(records[2]["parent_execution"], MAP_PARENT);
    // The summary says so too: the children were read.
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[MAP_PARENT, "--depth", "1", "--limit", "2", "--summary"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("first: child-07 at Validate"), "{out}");
}

#[test]
fn a_filter_keeps_parent_execution_and_the_cut_of_a_cycle() {
    let fake = sfn_fake(false, true);
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[
            MAP_PARENT, "--depth", "1", "-o", "jsonl", "--name", "Validate",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let records = json_lines(out.as_bytes());
    let children: Vec<&Value> = records
        .iter()
        .filter(|r| r["execution"] != MAP_PARENT)
        .collect();
    assert!(!children.is_empty(), "{out}");
    for record in &children {
        assert_eq!(record["name"], "Validate", "{record}");
        assert_eq!(record["parent_execution"], MAP_PARENT, "{record}");
    }
    // A child that names its parent: with a filter that keeps none of the parent's
    // records, the parent is still known, the cycle cut, the parent read once.
    let fake = sfn_fake(true, true);
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[
            NESTED_PARENT,
            "--depth",
            "all",
            "-o",
            "jsonl",
            "--name",
            "Charge",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(histories_of(&fake), [NESTED_PARENT, NESTED_CHILD]);
    let records = json_lines(out.as_bytes());
    let executions: Vec<&str> = records
        .iter()
        .map(|r| r["execution"].as_str().unwrap())
        .collect();
    assert!(
        !executions.is_empty() && executions.iter().all(|e| *e == NESTED_CHILD),
        "{out}"
    );
    assert!(records
        .iter()
        .all(|r| r["parent_execution"] == NESTED_PARENT));
}

#[test]
fn two_levels_down_the_root_cause_is_the_child_the_failing_state_started() {
    // top nests mid; in mid, TryFirst's nested `first` fails and is caught, then
    // TrySecond's nested `second` fails mid (and so top).
    let arn = |name: &str| format!("{PREFIX}:Inner:{name}");
    let submitted = |id: i64, child: &str| {
        let output = json!({"ExecutionArn": arn(child)}).to_string();
        sfn(
            id,
            id - 1,
            "TaskSubmitted",
            Some((
                "taskSubmittedEventDetails",
                json!({"resourceType": "states", "resource": "startExecution.sync:2", "output": output}),
            )),
        )
    };
    let failed = |id: i64, child: &str| {
        let cause = json!({"ExecutionArn": arn(child), "Status": "FAILED"}).to_string();
        sfn(
            id,
            id - 1,
            "TaskFailed",
            Some((
                "taskFailedEventDetails",
                json!({"resourceType": "states", "resource": "startExecution.sync:2",
                "error": "States.TaskFailed", "cause": cause}),
            )),
        )
    };
    let entered = |id: i64, name: &str| {
        sfn(
            id,
            id - 1,
            "TaskStateEntered",
            Some((
                "stateEnteredEventDetails",
                json!({"name": name, "input": "{}"}),
            )),
        )
    };
    let start = sfn(
        1,
        0,
        "ExecutionStarted",
        Some(("executionStartedEventDetails", json!({"input": "{}"}))),
    );
    let end = |id: i64, error: &str| {
        sfn(
            id,
            id - 1,
            "ExecutionFailed",
            Some((
                "executionFailedEventDetails",
                json!({"error": error, "cause": "x"}),
            )),
        )
    };
    let exited = sfn(
        5,
        4,
        "TaskStateExited",
        Some((
            "stateExitedEventDetails",
            json!({"name": "TryFirst", "output": "{}"}),
        )),
    );
    let mid = vec![
        start.clone(),
        entered(2, "TryFirst"),
        submitted(3, "first"),
        failed(4, "first"),
        exited,
        entered(6, "TrySecond"),
        submitted(7, "second"),
        failed(8, "second"),
        end(9, "States.TaskFailed"),
    ];
    let top = vec![
        start.clone(),
        entered(2, "RunMid"),
        submitted(3, "mid"),
        failed(4, "mid"),
        end(5, "States.TaskFailed"),
    ];
    let leaf = |error: &str| {
        vec![
            start.clone(),
            entered(2, "Work"),
            sfn(
                3,
                2,
                "TaskFailed",
                Some((
                    "taskFailedEventDetails",
                    json!({"resourceType": "lambda", "resource": "invoke", "error": error, "cause": "boom"}),
                )),
            ),
            end(4, error),
        ]
    };
    let fake = FakeAws::start();
    let top_arn = format!("{PREFIX}:Outer:top-1");
    fake.serve(fake_sfn::get_execution_history(HashMap::from([
        (top_arn.clone(), top),
        (arn("mid"), mid),
        (arn("first"), leaf("CaughtError")),
        (arn("second"), leaf("FatalError")),
    ])));
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[&top_arn, "--depth", "2", "--summary", "-o", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    let record: Value = serde_json::from_str(&out).unwrap();
    let cause = &record["root_cause"];
    assert_eq!(cause["name"], "mid", "{cause}");
    assert_eq!(cause["within"]["name"], "second", "{cause}");
    assert_eq!(cause["within"]["error"], "FatalError", "{cause}");
    let (out, _, _) = run(&fake, "sfn", &[&top_arn, "--depth", "2", "--summary"]);
    assert!(out.contains("second"), "{out}");
    assert!(!out.contains("CaughtError"), "{out}");
}

#[test]
fn a_level_read_with_no_unsuccessful_child_says_it_was_read() {
    let fake = FakeAws::start();
    let mut parent = map_parent();
    parent.truncate(3);
    parent.push(sfn(4, 3, "MapRunSucceeded", None));
    parent.push(sfn(
        5,
        4,
        "ExecutionSucceeded",
        Some(("executionSucceededEventDetails", json!({"output": "{}"}))),
    ));
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        MAP_PARENT.to_string(),
        parent,
    )])));
    let items: Vec<Value> = (1..=3)
        .map(|n| {
            let mut item = list_item(n);
            item["status"] = json!("SUCCEEDED");
            item
        })
        .collect();
    fake.serve(fake_children::list_executions_by_map_run(HashMap::from([
        (MAP_RUN.to_string(), items.clone()),
    ])));
    fake.answer(fake_children::describe_map_run(HashMap::from([(
        MAP_RUN.to_string(),
        (MAP_PARENT.to_string(), items),
    )])));
    let (out, err, code) = run(&fake, "sfn", &[MAP_PARENT, "--depth", "1", "--summary"]);
    assert_eq!(code, Some(0), "{err}");
    let line = out.lines().find(|l| l.starts_with("Children")).unwrap();
    assert!(line.contains("read 1 level(s) down"), "{out}");
    assert!(!out.contains("add --depth"), "{out}");
    let (out, _, _) = run(
        &fake,
        "sfn",
        &[MAP_PARENT, "--depth", "1", "--summary", "-o", "json"],
    );
    let record: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(record["children"]["depth_read"], 1, "{record}");
}

#[test]
fn a_child_at_the_last_level_read_says_which_depth_reads_its_children() {
    let grand = format!("{PREFIX}:Ledger:grand-1");
    let mut child = nested_child(Some(&grand));
    child[2] = sfn(
        3,
        2,
        "TaskSubmitted",
        Some((
            "taskSubmittedEventDetails",
            json!({"resourceType": "states", "resource": "startExecution.sync",
            "output": json!({"ExecutionArn": grand}).to_string()}),
        )),
    );
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([
        (NESTED_PARENT.to_string(), nested_parent()),
        (NESTED_CHILD.to_string(), child),
    ])));
    let (out, err, code) = run(&fake, "sfn", &[NESTED_PARENT, "--depth", "1"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("not read: add --depth 2 to include them"),
        "{out}"
    );
    assert!(!out.contains("add --depth 1"), "{out}");
}

#[test]
fn children_share_one_configuration_and_its_credentials() {
    use std::os::unix::fs::PermissionsExt;
    let fake = sfn_fake(false, true);
    let dir = tempfile::tempdir().unwrap();
    let count = dir.path().join("count");
    let script = dir.path().join("credentials.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho x >> '{}'\necho '{{\"Version\": 1, \"AccessKeyId\": \"COUNTED\", \"SecretAccessKey\": \"s\"}}'\n",
            count.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        dir.path().join("config"),
        format!(
            "[profile counted]\nregion = us-east-1\ncredential_process = {}\n",
            script.display()
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("credentials"), "").unwrap();
    let output = histx()
        .env("AWS_CONFIG_FILE", dir.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.path().join("credentials"),
        )
        .args(["sfn", MAP_PARENT, "--depth", "1", "-o", "jsonl"])
        .args(["--profile", "counted"])
        .args(["--endpoint-url", &fake.endpoint()])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The parent and its 5 failed children, each read with the profile's credentials ...
    let keys = fake.access_keys(HISTORY);
    assert_eq!(keys.len(), 6);
    assert!(keys.iter().all(|k| k == "COUNTED"), "{keys:?}");
    // ... fetched once, not once per child.
    let runs = std::fs::read_to_string(&count).unwrap();
    assert_eq!(
        runs.lines().count(),
        1,
        "credential_process ran {} times",
        runs.lines().count()
    );
}

#[test]
fn a_child_in_another_region_is_read_in_its_own_region_whatever_region_is_given() {
    let child = NESTED_CHILD.replace("us-east-1", "eu-west-1");
    let parent: Vec<Value> = serde_json::from_str(
        &serde_json::to_string(&nested_parent())
            .unwrap()
            .replace(NESTED_CHILD, &child),
    )
    .unwrap();
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([
        (NESTED_PARENT.to_string(), parent),
        (child.clone(), nested_child(None)),
    ])));
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[
            NESTED_PARENT,
            "--depth",
            "1",
            "-o",
            "jsonl",
            "--region",
            "us-east-1",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        json_lines(out.as_bytes())
            .iter()
            .any(|r| r["execution"] == child.as_str()),
        "{out}"
    );
    assert_eq!(histories_of(&fake), [NESTED_PARENT, child.as_str()]);
    assert_eq!(fake.regions(HISTORY), ["us-east-1", "eu-west-1"]);
}

#[test]
fn a_child_of_a_saved_history_without_its_name_that_cannot_be_read_is_one_clear_line() {
    // The child is not served: it cannot be read. The saved parent names no run of its
    // own (no --from name to go by): the line names the child only.
    let fake = sfn_fake(false, false);
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("parent.json");
    std::fs::write(&saved, json!({"events": nested_parent()}).to_string()).unwrap();
    let (_, err, code) = run(
        &fake,
        "sfn",
        &[
            "--from",
            saved.to_str().unwrap(),
            "--depth",
            "1",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let line = err
        .lines()
        .find(|l| l.contains("could not be read"))
        .unwrap();
    assert!(
        line.starts_with(&format!("histx: {NESTED_CHILD} could not be read: ")),
        "{err}"
    );
    assert!(!line.contains("started by )"), "{err}");
}

#[test]
fn the_timeline_nests_each_child_s_spans_under_the_state_that_started_it_and_stats_count_them() {
    let fake = sfn_fake(false, true);
    let (out, err, code) = run(
        &fake,
        "sfn",
        &[MAP_PARENT, "--depth", "1", "-o", "timeline", "--ascii"],
    );
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<String> = out.lines().map(without_colour).collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} in\n{out}"))
    };
    // The name column: its indentation says the nesting.
    let indent = |line: &str| line[2..].len() - line[2..].trim_start().len();
    let (map_state, child) = (at("ProcessItems"), at("child-07"));
    assert!(map_state < child, "{out}");
    assert!(indent(&lines[child]) > indent(&lines[map_state]), "{out}");
    let validate = lines[child..]
        .iter()
        .position(|l| l.contains("Validate"))
        .unwrap()
        + child;
    assert!(indent(&lines[validate]) > indent(&lines[child]), "{out}");
    let (stats, err, code) = run(&fake, "sfn", &[MAP_PARENT, "--depth", "1", "-o", "stats"]);
    assert_eq!(code, Some(0), "{err}");
    let validate = stats
        .lines()
        .find(|l| l.starts_with("Validate"))
        .unwrap_or_else(|| panic!("{stats}"));
    // Five failed children read, each with its Validate state.
    assert_eq!(validate.split_whitespace().nth(1), Some("5"), "{stats}");
}

#[test]
fn a_map_run_s_lists_of_each_unsuccessful_status_are_read_at_once() {
    // Child 7 timed out and child 13 was aborted: three lists (FAILED, TIMED_OUT,
    // ABORTED), asked at the same time; the same five children read as with one list.
    let fake = FakeAws::start();
    let mut histories: HashMap<String, Vec<Value>> = HashMap::new();
    histories.insert(MAP_PARENT.into(), map_parent());
    for n in 1..=40 {
        histories.insert(child_arn(n), child_history(n));
    }
    fake.serve(fake_sfn::get_execution_history(histories));
    let items: Vec<Value> = (1..=40)
        .map(|n| {
            let mut item = list_item(n);
            match n {
                7 => item["status"] = json!("TIMED_OUT"),
                13 => item["status"] = json!("ABORTED"),
                _ => {}
            }
            item
        })
        .collect();
    fake.serve(fake_children::list_executions_by_map_run(HashMap::from([
        (MAP_RUN.to_string(), items.clone()),
    ])));
    fake.answer(fake_children::describe_map_run(HashMap::from([(
        MAP_RUN.to_string(),
        (MAP_PARENT.to_string(), items),
    )])));
    fake.slow_down(LIST_EXECUTIONS, std::time::Duration::from_millis(150));
    let (out, err, code) = run(&fake, "sfn", &[MAP_PARENT, "--depth", "1", "-o", "jsonl"]);
    assert_eq!(code, Some(0), "{err}");
    let mut filters: Vec<String> = fake
        .requests(LIST_EXECUTIONS)
        .iter()
        .map(|r| r["statusFilter"].as_str().unwrap().to_string())
        .collect();
    filters.sort();
    assert_eq!(filters, ["ABORTED", "FAILED", "TIMED_OUT"]);
    assert_eq!(fake.most_in_flight(LIST_EXECUTIONS), 3);
    let mut read = histories_of(&fake);
    read.sort();
    let mut expected: Vec<String> = FAILED_CHILDREN.iter().map(|&n| child_arn(n)).collect();
    expected.push(MAP_PARENT.to_string());
    expected.sort();
    assert_eq!(read, expected);
    // The children follow the record that started them, oldest first, each once.
    let executions: Vec<String> = common::json_lines(out.as_bytes())
        .iter()
        .map(|e| e["execution"].as_str().unwrap().to_string())
        .fold(Vec::new(), |mut runs, execution| {
            if runs.last() != Some(&execution) {
                runs.push(execution);
            }
            runs
        });
    let mut runs = vec![MAP_PARENT.to_string()];
    runs.extend(FAILED_CHILDREN.iter().map(|&n| child_arn(n)));
    runs.push(MAP_PARENT.to_string());
    assert_eq!(executions, runs);
}

/// A parent whose `startExecution.sync:2` Task succeeded: its child's ARN is only in the
/// Task's output, which `--no-data` leaves out.
fn parent_of_a_succeeded_nested_run() -> Vec<Value> {
    let task = json!({"resourceType": "states", "resource": "startExecution.sync:2"});
    let with = |extra: Value| {
        let mut details = task.clone();
        for (k, v) in extra.as_object().unwrap() {
            details[k] = v.clone();
        }
        details
    };
    let output = json!({"ExecutionArn": NESTED_CHILD, "Status": "SUCCEEDED"}).to_string();
    vec![
        sfn(
            1,
            0,
            "ExecutionStarted",
            Some(("executionStartedEventDetails", json!({"input": "{}"}))),
        ),
        sfn(
            2,
            0,
            "TaskStateEntered",
            Some((
                "stateEnteredEventDetails",
                json!({"name": "Pay", "input": "{}"}),
            )),
        ),
        sfn(
            3,
            2,
            "TaskScheduled",
            Some((
                "taskScheduledEventDetails",
                with(json!({"region": "us-east-1", "parameters": "{}"})),
            )),
        ),
        sfn(
            4,
            3,
            "TaskStarted",
            Some(("taskStartedEventDetails", task.clone())),
        ),
        sfn(
            5,
            4,
            "TaskSucceeded",
            Some(("taskSucceededEventDetails", with(json!({"output": output})))),
        ),
        sfn(
            6,
            5,
            "TaskStateExited",
            Some((
                "stateExitedEventDetails",
                json!({"name": "Pay", "output": "{}"}),
            )),
        ),
        sfn(
            7,
            6,
            "ExecutionSucceeded",
            Some(("executionSucceededEventDetails", json!({"output": "{}"}))),
        ),
    ]
}

#[test]
fn no_data_says_which_nested_executions_it_cannot_name() {
    const PARENT: &str = "arn:aws:states:us-east-1:123456789012:execution:Checkout:run-10";
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([
        (PARENT.to_string(), parent_of_a_succeeded_nested_run()),
        (NESTED_CHILD.to_string(), nested_child(Some(PARENT))),
    ])));
    let (out, err, code) = run(&fake, "sfn", &[PARENT, "--depth", "1", "--no-data"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(
            "histx: --no-data leaves out the Task output that names 1 nested execution \
             this run started: it is not counted among its runs nor read by --depth \
             (leave out --no-data)"
        ),
        "{err}"
    );
    assert_eq!(histories_of(&fake), [PARENT], "no child can be read");
    assert!(!out.contains("nested-1"), "{out}");

    // With its data, the child is named and read, and nothing is said.
    let (out, err, code) = run(&fake, "sfn", &[PARENT, "--depth", "1"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("--no-data"), "{err}");
    assert!(out.contains("nested-1"), "{out}");
}

#[test]
fn a_run_s_map_runs_are_listed_at_most_8_at_once_and_kept_in_their_order() {
    // Twelve Map Runs one after another, child n the failed one of the n-th.
    let map_run = |n: usize| {
        format!("arn:aws:states:us-east-1:123456789012:mapRun:Orders/Process{n:02}:5f0c5e10-0000-4000-8000-{n:012}")
    };
    let mut events = vec![sfn(
        1,
        0,
        "ExecutionStarted",
        Some(("executionStartedEventDetails", json!({"input": "{}"}))),
    )];
    for n in 1..=12 {
        let id = 2 * n as i64;
        events.push(sfn(
            id,
            id - 1,
            "MapStateEntered",
            Some((
                "stateEnteredEventDetails",
                json!({"name": format!("Process{n:02}"), "input": "{}"}),
            )),
        ));
        events.push(sfn(
            id + 1,
            id,
            "MapRunStarted",
            Some((
                "mapRunStartedEventDetails",
                json!({"mapRunArn": map_run(n)}),
            )),
        ));
    }
    events.push(sfn(
        26,
        25,
        "ExecutionFailed",
        Some((
            "executionFailedEventDetails",
            json!({"error": "States.ExceedToleratedFailureThreshold", "cause": "too many"}),
        )),
    ));
    let fake = FakeAws::start();
    let mut histories: HashMap<String, Vec<Value>> = HashMap::from([(MAP_PARENT.into(), events)]);
    let mut lists = HashMap::new();
    let mut described = HashMap::new();
    for n in 1..=12 {
        histories.insert(child_arn(n), child_history(n));
        let mut item = list_item(n);
        item["status"] = json!("FAILED");
        item["mapRunArn"] = json!(map_run(n));
        lists.insert(map_run(n), vec![item.clone()]);
        described.insert(map_run(n), (MAP_PARENT.to_string(), vec![item]));
    }
    fake.serve(fake_sfn::get_execution_history(histories));
    fake.serve(fake_children::list_executions_by_map_run(lists));
    fake.answer(fake_children::describe_map_run(described));
    fake.slow_down(DESCRIBE_MAP_RUN, std::time::Duration::from_millis(150));
    let (out, err, code) = run(&fake, "sfn", &[MAP_PARENT, "--depth", "1", "-o", "jsonl"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(fake.requests(DESCRIBE_MAP_RUN).len(), 12);
    let most = fake.most_in_flight(DESCRIBE_MAP_RUN);
    assert!(most > 1 && most <= 8, "{most} Map Runs described at once");
    // Each Map Run's child after the record that started it, in the Map Runs' order.
    let executions: Vec<String> = common::json_lines(out.as_bytes())
        .iter()
        .map(|e| e["execution"].as_str().unwrap().to_string())
        .fold(Vec::new(), |mut runs, execution| {
            if runs.last() != Some(&execution) {
                runs.push(execution);
            }
            runs
        });
    let mut expected = vec![MAP_PARENT.to_string()];
    for n in 1..=12 {
        expected.extend([child_arn(n), MAP_PARENT.to_string()]);
    }
    assert_eq!(executions, expected);
    // The tree nests them in the same order.
    let (tree, _, _) = run(&fake, "sfn", &[MAP_PARENT, "--depth", "1", "-o", "tree"]);
    let at: Vec<usize> = (1..=12)
        .map(|n| {
            tree.find(&format!("child-{n:02}"))
                .expect("each child in the tree")
        })
        .collect();
    let mut sorted = at.clone();
    sorted.sort();
    assert_eq!(at, sorted, "{tree}");
}

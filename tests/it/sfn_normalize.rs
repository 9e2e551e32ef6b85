//! The Step Functions normalizer over a fixture that holds every event type of the API
//! reference (and two newer than it) with every field set: each type's status, name,
//! resource, error and payloads, and that no field of the wire event is lost.

use crate::common;

use histx::services::sfn::SfnNormalizer;
use histx::services::Normalizer;
use serde_json::{json, Map, Value};

const FIXTURE: &str = "tests/fixtures/sfn/every-event-type.json";
const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:OrderPipeline:every-event-type";

fn wire_events() -> Vec<Value> {
    let text = std::fs::read_to_string(common::repo_file(FIXTURE)).unwrap();
    let page: Value = serde_json::from_str(&text).unwrap();
    page["events"].as_array().unwrap().clone()
}

fn normalized() -> (Vec<Value>, Vec<Value>) {
    let raw = wire_events();
    let events = SfnNormalizer::new(Some(ARN.into()), true).normalize(raw.clone());
    let events = events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    (raw, events)
}

/// Every type of the API reference and the status it must normalize to.
const EXPECTED_STATUS: &[(&str, &str)] = &[
    ("ActivityFailed", "failed"),
    ("ActivityScheduled", "scheduled"),
    ("ActivityScheduleFailed", "failed"),
    ("ActivityStarted", "started"),
    ("ActivitySucceeded", "succeeded"),
    ("ActivityTimedOut", "timed_out"),
    ("ChoiceStateEntered", "started"),
    ("ChoiceStateExited", "succeeded"),
    ("ExecutionAborted", "aborted"),
    ("ExecutionFailed", "failed"),
    ("ExecutionStarted", "started"),
    ("ExecutionSucceeded", "succeeded"),
    ("ExecutionTimedOut", "timed_out"),
    ("FailStateEntered", "failed"),
    ("LambdaFunctionFailed", "failed"),
    ("LambdaFunctionScheduled", "scheduled"),
    ("LambdaFunctionScheduleFailed", "failed"),
    ("LambdaFunctionStarted", "started"),
    ("LambdaFunctionStartFailed", "failed"),
    ("LambdaFunctionSucceeded", "succeeded"),
    ("LambdaFunctionTimedOut", "timed_out"),
    ("MapIterationAborted", "aborted"),
    ("MapIterationFailed", "failed"),
    ("MapIterationStarted", "started"),
    ("MapIterationSucceeded", "succeeded"),
    ("MapStateAborted", "aborted"),
    ("MapStateEntered", "started"),
    ("MapStateExited", "succeeded"),
    ("MapStateFailed", "failed"),
    ("MapStateStarted", "started"),
    ("MapStateSucceeded", "succeeded"),
    ("ParallelStateAborted", "aborted"),
    ("ParallelStateEntered", "started"),
    ("ParallelStateExited", "succeeded"),
    ("ParallelStateFailed", "failed"),
    ("ParallelStateStarted", "started"),
    ("ParallelStateSucceeded", "succeeded"),
    ("PassStateEntered", "started"),
    ("PassStateExited", "succeeded"),
    ("SucceedStateEntered", "started"),
    ("SucceedStateExited", "succeeded"),
    ("TaskFailed", "failed"),
    ("TaskScheduled", "scheduled"),
    ("TaskStarted", "started"),
    ("TaskStartFailed", "failed"),
    ("TaskStateAborted", "aborted"),
    ("TaskStateEntered", "started"),
    ("TaskStateExited", "succeeded"),
    ("TaskSubmitFailed", "failed"),
    ("TaskSubmitted", "running"),
    ("TaskSucceeded", "succeeded"),
    ("TaskTimedOut", "timed_out"),
    ("WaitStateAborted", "aborted"),
    ("WaitStateEntered", "started"),
    ("WaitStateExited", "succeeded"),
    ("MapRunAborted", "aborted"),
    ("MapRunFailed", "failed"),
    ("MapRunStarted", "started"),
    ("MapRunSucceeded", "succeeded"),
    ("ExecutionRedriven", "started"),
    ("MapRunRedriven", "started"),
    // Newer than the API reference: mapped by the same naming convention.
    ("EvaluationFailed", "failed"),
    ("FutureThingHappened", "info"),
];

#[test]
fn the_fixture_holds_every_type_of_the_api_reference() {
    let seed = std::fs::read_to_string("../shared/seeds/000_2c1bc4cf898c5ec3.txt").or_else(|_| {
        std::fs::read_to_string(common::repo_file(
            "../shared/seeds/000_2c1bc4cf898c5ec3.txt",
        ))
    });
    let types: Vec<String> = wire_events()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    for (kind, _) in EXPECTED_STATUS {
        assert!(types.iter().any(|t| t == kind), "the fixture lacks {kind}");
    }
    // Where the API reference is at hand, check the list above against it too.
    if let Ok(seed) = seed {
        let line = seed
            .lines()
            .find(|l| l.contains("'type': 'ActivityFailed'"))
            .expect("the type enum");
        let listed: Vec<&str> = line
            .split('\'')
            .filter(|s| s.chars().all(char::is_alphanumeric) && !s.is_empty() && *s != "type")
            .collect();
        assert_eq!(listed.len(), 61);
        for kind in listed {
            assert!(
                EXPECTED_STATUS.iter().any(|(k, _)| *k == kind),
                "{kind} has no expected status"
            );
        }
    }
}

#[test]
fn every_type_gets_its_status() {
    let (_, events) = normalized();
    for event in &events {
        let kind = event["type"].as_str().unwrap();
        let expected = EXPECTED_STATUS
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, s)| *s)
            .unwrap();
        assert_eq!(event["status"], json!(expected), "{kind}");
    }
}

#[test]
fn common_fields_come_from_the_wire_event() {
    let (raw, events) = normalized();
    for (wire, event) in raw.iter().zip(&events) {
        assert_eq!(event["service"], json!("sfn"));
        assert_eq!(event["execution"], json!(ARN));
        assert_eq!(event["id"], wire["id"]);
        match wire["previousEventId"].as_i64() {
            Some(0) | None => assert!(event.get("parent_id").is_none()),
            Some(parent) => assert_eq!(event["parent_id"], json!(parent)),
        }
        let millis = (wire["timestamp"].as_f64().unwrap() * 1000.0).round() as i64;
        let expected = chrono::DateTime::from_timestamp_millis(millis)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        assert_eq!(event["time"], json!(expected));
    }
}

/// Every leaf of the wire event is somewhere in the normalized one: in a normalized
/// field (name, resource, error, cause, input, output) or in `details` by its own name.
#[test]
fn no_field_is_lost() {
    let (raw, events) = normalized();
    for (wire, event) in raw.iter().zip(&events) {
        let details = event
            .get("details")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (key, value) in wire.as_object().unwrap() {
            match key.as_str() {
                "timestamp" | "type" | "id" | "previousEventId" => {}
                key if key.ends_with("EventDetails") => {
                    for (field, value) in value.as_object().unwrap() {
                        assert!(
                            carried(field, value, event, &details),
                            "{} {}.{field} = {value} is lost: {event}",
                            wire["type"],
                            key
                        );
                    }
                }
                other => assert_eq!(details.get(other), Some(value), "top-level {other} is lost"),
            }
        }
    }
}

fn carried(field: &str, value: &Value, event: &Value, details: &Map<String, Value>) -> bool {
    let decoded = histx::wire::decode_payload(value.clone());
    match field {
        "name" | "state" => event["name"] == *value || details.get(field) == Some(value),
        "resource" => event["resource"]
            .as_str()
            .is_some_and(|r| r.ends_with(value.as_str().unwrap())),
        "error" => event["error"] == *value,
        "cause" => event["cause"] == *value,
        "input" | "parameters" => event["input"] == decoded,
        "output" => event["output"] == decoded,
        _ => details.get(field) == Some(value),
    }
}

#[test]
fn names_resources_errors_and_payloads() {
    let (_, events) = normalized();
    let by_id = |id: i64| {
        events
            .iter()
            .find(|e| e["id"] == json!(id))
            .unwrap()
            .clone()
    };

    // A Lambda function scheduled by a Task state is named after the state.
    let scheduled = by_id(3);
    assert_eq!(scheduled["type"], "LambdaFunctionScheduled");
    assert_eq!(scheduled["name"], "ValidateOrder");
    assert!(scheduled["resource"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:lambda:"));
    assert!(scheduled["details"]["taskCredentials"]["roleArn"].is_string());
    assert!(scheduled["details"]["timeoutInSeconds"].is_number());

    // A Task: resource is resourceType:resource, parameters are its input, decoded.
    let task = by_id(33);
    assert_eq!(task["type"], "TaskScheduled");
    assert_eq!(task["name"], "ChargeCard");
    let resource_type = task["details"]["resourceType"].as_str().unwrap();
    assert!(task["resource"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{resource_type}:")));
    assert!(
        task["input"].is_object() || task["input"].is_array(),
        "{task}"
    );

    // Failures carry error and cause.
    let failed = by_id(37);
    assert_eq!(failed["type"], "TaskFailed");
    assert_eq!(failed["name"], "ChargeCard");
    assert!(failed["error"].is_string() && failed["cause"].is_string());

    // Execution-level events are named after no state.
    assert!(by_id(1).get("name").is_none());
    assert!(by_id(41).get("name").is_none());
    // A Parallel's end event points at a branch's state: it is not named after it.
    assert!(by_id(67).get("name").is_none() || by_id(67)["name"] == "FanOut");
    // Map iterations carry the Map's name and their index.
    let iteration = by_id(71);
    assert_eq!(iteration["name"], "ProcessItems");
    assert!(iteration["details"]["index"].is_number());
    // Redrive counts and Map Run ARNs are kept.
    assert!(by_id(42)["details"]["redriveCount"].is_number());
    assert!(by_id(101)["details"]["mapRunArn"]
        .as_str()
        .unwrap()
        .contains(":mapRun:"));
    assert_eq!(by_id(101)["name"], "ShipBatch");
    assert!(by_id(114)["details"]["redriveCount"].is_number());

    // Types newer than the API reference survive with all their fields.
    let evaluation = by_id(134);
    assert_eq!(evaluation["type"], "EvaluationFailed");
    assert_eq!(evaluation["name"], "Transform");
    assert_eq!(evaluation["error"], "States.QueryEvaluationError");
    assert_eq!(evaluation["details"]["location"], "Arguments");
    let future = by_id(139);
    assert_eq!(future["details"]["brandNewField"], 42);
    assert_eq!(future["details"]["someNewTopLevelField"], "x");
    assert_eq!(future["name"], "Later");
}

#[test]
fn payloads_that_are_not_json_stay_strings() {
    let (_, events) = normalized();
    assert!(events
        .iter()
        .any(|e| e["output"] == json!("not json at all")));
    let escaped = events
        .iter()
        .find(|e| e["input"].as_str().is_some_and(|s| s.contains('\u{1b}')));
    assert!(
        escaped.is_some(),
        "the input holding an escape sequence is kept as text"
    );
}

#[test]
fn raw_output_is_the_wire_events_one_for_one() {
    let out = common::histx()
        .args(["sfn", "--from", FIXTURE, "-o", "raw"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(common::json_lines(&out), wire_events());
}

#[test]
fn the_table_never_writes_control_characters() {
    let out = common::histx()
        .args(["sfn", "--from", FIXTURE, "--color", "never"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the table"
    );
    assert_eq!(common::table_lines(&text).len(), 1 + wire_events().len());
}

#[test]
fn jsonl_never_writes_raw_control_characters() {
    let out = common::histx()
        .args(["sfn", "--from", FIXTURE, "-o", "jsonl"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
    assert_eq!(
        common::json_lines(text.as_bytes()).len(),
        wire_events().len()
    );
}

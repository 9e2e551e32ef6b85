//! The SWF normalizer over `tests/fixtures/swf/every-event-type.json`: every event type
//! of the API reference with every field set, plus types and fields the SDK does not
//! know. Each event must get the expected status, name and parent, and every raw leaf
//! field must reach a normalized field or `details`. The CLI's `--from` path must give
//! exactly what the library gives.

use crate::common;

use common::{histx, json_lines, repo_file};
use histx::services::swf::{status_of, SwfNormalizer};
use histx::services::Normalizer;
use histx::wire::decode_payload;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const FIXTURE: &str = "tests/fixtures/swf/every-event-type.json";

/// Every `*EventAttributes` shape of the API reference (seeds/002), with every field
/// path it documents.
const SHAPES: &[(&str, &str)] = &[
    ("activityTaskCanceledEventAttributes", "details latestCancelRequestedEventId scheduledEventId startedEventId"),
    ("activityTaskCancelRequestedEventAttributes", "activityId decisionTaskCompletedEventId"),
    ("activityTaskCompletedEventAttributes", "result scheduledEventId startedEventId"),
    ("activityTaskFailedEventAttributes", "details reason scheduledEventId startedEventId"),
    ("activityTaskScheduledEventAttributes", "activityId activityType/name activityType/version control decisionTaskCompletedEventId heartbeatTimeout input scheduleToCloseTimeout scheduleToStartTimeout startToCloseTimeout taskList/name taskPriority"),
    ("activityTaskStartedEventAttributes", "identity scheduledEventId"),
    ("activityTaskTimedOutEventAttributes", "details scheduledEventId startedEventId timeoutType"),
    ("cancelTimerFailedEventAttributes", "cause decisionTaskCompletedEventId timerId"),
    ("cancelWorkflowExecutionFailedEventAttributes", "cause decisionTaskCompletedEventId"),
    ("childWorkflowExecutionCanceledEventAttributes", "details initiatedEventId startedEventId workflowExecution/runId workflowExecution/workflowId workflowType/name workflowType/version"),
    ("childWorkflowExecutionCompletedEventAttributes", "initiatedEventId result startedEventId workflowExecution/runId workflowExecution/workflowId workflowType/name workflowType/version"),
    ("childWorkflowExecutionFailedEventAttributes", "details initiatedEventId reason startedEventId workflowExecution/runId workflowExecution/workflowId workflowType/name workflowType/version"),
    ("childWorkflowExecutionStartedEventAttributes", "initiatedEventId workflowExecution/runId workflowExecution/workflowId workflowType/name workflowType/version"),
    ("childWorkflowExecutionTerminatedEventAttributes", "initiatedEventId startedEventId workflowExecution/runId workflowExecution/workflowId workflowType/name workflowType/version"),
    ("childWorkflowExecutionTimedOutEventAttributes", "initiatedEventId startedEventId timeoutType workflowExecution/runId workflowExecution/workflowId workflowType/name workflowType/version"),
    ("completeWorkflowExecutionFailedEventAttributes", "cause decisionTaskCompletedEventId"),
    ("continueAsNewWorkflowExecutionFailedEventAttributes", "cause decisionTaskCompletedEventId"),
    ("decisionTaskCompletedEventAttributes", "executionContext scheduledEventId startedEventId"),
    ("decisionTaskScheduledEventAttributes", "startToCloseTimeout taskList/name taskPriority"),
    ("decisionTaskStartedEventAttributes", "identity scheduledEventId"),
    ("decisionTaskTimedOutEventAttributes", "scheduledEventId startedEventId timeoutType"),
    ("externalWorkflowExecutionCancelRequestedEventAttributes", "initiatedEventId workflowExecution/runId workflowExecution/workflowId"),
    ("externalWorkflowExecutionSignaledEventAttributes", "initiatedEventId workflowExecution/runId workflowExecution/workflowId"),
    ("failWorkflowExecutionFailedEventAttributes", "cause decisionTaskCompletedEventId"),
    ("lambdaFunctionCompletedEventAttributes", "result scheduledEventId startedEventId"),
    ("lambdaFunctionFailedEventAttributes", "details reason scheduledEventId startedEventId"),
    ("lambdaFunctionScheduledEventAttributes", "control decisionTaskCompletedEventId id input name startToCloseTimeout"),
    ("lambdaFunctionStartedEventAttributes", "scheduledEventId"),
    ("lambdaFunctionTimedOutEventAttributes", "scheduledEventId startedEventId timeoutType"),
    ("markerRecordedEventAttributes", "decisionTaskCompletedEventId details markerName"),
    ("recordMarkerFailedEventAttributes", "cause decisionTaskCompletedEventId markerName"),
    ("requestCancelActivityTaskFailedEventAttributes", "activityId cause decisionTaskCompletedEventId"),
    ("requestCancelExternalWorkflowExecutionFailedEventAttributes", "cause control decisionTaskCompletedEventId initiatedEventId runId workflowId"),
    ("requestCancelExternalWorkflowExecutionInitiatedEventAttributes", "control decisionTaskCompletedEventId runId workflowId"),
    ("scheduleActivityTaskFailedEventAttributes", "activityId activityType/name activityType/version cause decisionTaskCompletedEventId"),
    ("scheduleLambdaFunctionFailedEventAttributes", "cause decisionTaskCompletedEventId id name"),
    ("signalExternalWorkflowExecutionFailedEventAttributes", "cause control decisionTaskCompletedEventId initiatedEventId runId workflowId"),
    ("signalExternalWorkflowExecutionInitiatedEventAttributes", "control decisionTaskCompletedEventId input runId signalName workflowId"),
    ("startChildWorkflowExecutionFailedEventAttributes", "cause control decisionTaskCompletedEventId initiatedEventId workflowId workflowType/name workflowType/version"),
    ("startChildWorkflowExecutionInitiatedEventAttributes", "childPolicy control decisionTaskCompletedEventId executionStartToCloseTimeout input lambdaRole tagList taskList/name taskPriority taskStartToCloseTimeout workflowId workflowType/name workflowType/version"),
    ("startLambdaFunctionFailedEventAttributes", "cause message scheduledEventId"),
    ("startTimerFailedEventAttributes", "cause decisionTaskCompletedEventId timerId"),
    ("timerCanceledEventAttributes", "decisionTaskCompletedEventId startedEventId timerId"),
    ("timerFiredEventAttributes", "startedEventId timerId"),
    ("timerStartedEventAttributes", "control decisionTaskCompletedEventId startToFireTimeout timerId"),
    ("workflowExecutionCanceledEventAttributes", "decisionTaskCompletedEventId details"),
    ("workflowExecutionCancelRequestedEventAttributes", "cause externalInitiatedEventId externalWorkflowExecution/runId externalWorkflowExecution/workflowId"),
    ("workflowExecutionCompletedEventAttributes", "decisionTaskCompletedEventId result"),
    ("workflowExecutionContinuedAsNewEventAttributes", "childPolicy decisionTaskCompletedEventId executionStartToCloseTimeout input lambdaRole newExecutionRunId tagList taskList/name taskPriority taskStartToCloseTimeout workflowType/name workflowType/version"),
    ("workflowExecutionFailedEventAttributes", "decisionTaskCompletedEventId details reason"),
    ("workflowExecutionSignaledEventAttributes", "externalInitiatedEventId externalWorkflowExecution/runId externalWorkflowExecution/workflowId input signalName"),
    ("workflowExecutionStartedEventAttributes", "childPolicy continuedExecutionRunId executionStartToCloseTimeout input lambdaRole parentInitiatedEventId parentWorkflowExecution/runId parentWorkflowExecution/workflowId tagList taskList/name taskPriority taskStartToCloseTimeout workflowType/name workflowType/version"),
    ("workflowExecutionTerminatedEventAttributes", "cause childPolicy details reason"),
    ("workflowExecutionTimedOutEventAttributes", "childPolicy timeoutType"),
];

/// The id, type, status, name and parent_id an event must normalize to.
type Expected = (
    i64,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<i64>,
);

/// Every fixture event, in order.
#[rustfmt::skip]
const EXPECTED: &[Expected] = &[
    (1, "WorkflowExecutionStarted", "started", Some("FulfilOrder/2.1"), None),
    (2, "DecisionTaskScheduled", "scheduled", None, None),
    (3, "DecisionTaskStarted", "started", None, Some(2)),
    (4, "DecisionTaskTimedOut", "timed_out", None, Some(3)),
    (5, "DecisionTaskScheduled", "scheduled", None, None),
    (6, "DecisionTaskStarted", "started", None, Some(5)),
    (7, "DecisionTaskCompleted", "succeeded", None, Some(6)),
    (8, "ActivityTaskScheduled", "scheduled", Some("ValidateOrder/1.0 (activityId validate-1042)"), Some(7)),
    (9, "ActivityTaskScheduled", "scheduled", Some("ReserveStock/1.3 (activityId reserve-1042)"), Some(7)),
    (10, "ActivityTaskScheduled", "scheduled", Some("ChargeCard/3.0 (activityId charge-1042)"), Some(7)),
    (11, "ScheduleActivityTaskFailed", "failed", Some("LegacyAudit/0.9 (activityId audit-1042)"), Some(7)),
    (12, "MarkerRecorded", "info", Some("checkpoint"), Some(7)),
    (13, "RecordMarkerFailed", "failed", Some("audit-trail"), Some(7)),
    (14, "TimerStarted", "started", Some("payment-deadline"), Some(7)),
    (15, "TimerStarted", "started", Some("reminder"), Some(7)),
    (16, "StartTimerFailed", "failed", Some("payment-deadline"), Some(7)),
    (17, "LambdaFunctionScheduled", "scheduled", Some("resize-images (id images-1042)"), Some(7)),
    (18, "LambdaFunctionScheduled", "scheduled", Some("notify-customer (id notify-1042)"), Some(7)),
    (19, "LambdaFunctionScheduled", "scheduled", Some("score-fraud (id fraud-1042)"), Some(7)),
    (20, "LambdaFunctionScheduled", "scheduled", Some("tag-order (id tag-1042)"), Some(7)),
    (21, "ScheduleLambdaFunctionFailed", "failed", Some("legacy-export (id images-1042)"), Some(7)),
    (22, "StartChildWorkflowExecutionInitiated", "scheduled", Some("ShipOrder/1.0 (workflowId ship-1042)"), Some(7)),
    (23, "StartChildWorkflowExecutionInitiated", "scheduled", Some("Invoice/1.0 (workflowId invoice-1042)"), Some(7)),
    (24, "StartChildWorkflowExecutionInitiated", "scheduled", Some("Restock/1.0 (workflowId restock-1042)"), Some(7)),
    (25, "StartChildWorkflowExecutionInitiated", "scheduled", Some("GiftWrap/1.0 (workflowId giftwrap-1042)"), Some(7)),
    (26, "StartChildWorkflowExecutionInitiated", "scheduled", Some("LoyaltyPoints/1.0 (workflowId loyalty-1042)"), Some(7)),
    (27, "StartChildWorkflowExecutionInitiated", "scheduled", Some("AuditTrail/1.0 (workflowId audittrail-1042)"), Some(7)),
    (28, "StartChildWorkflowExecutionFailed", "failed", Some("AuditTrail/1.0 (workflowId audittrail-1042)"), Some(27)),
    (29, "SignalExternalWorkflowExecutionInitiated", "scheduled", Some("order-accepted (workflowId customer-c77)"), Some(7)),
    (30, "SignalExternalWorkflowExecutionInitiated", "scheduled", Some("stock-reserved (workflowId warehouse-w3)"), Some(7)),
    (31, "RequestCancelExternalWorkflowExecutionInitiated", "scheduled", Some("quote-1042"), Some(7)),
    (32, "RequestCancelExternalWorkflowExecutionInitiated", "scheduled", Some("hold-1042"), Some(7)),
    (33, "ActivityTaskStarted", "started", Some("ValidateOrder/1.0 (activityId validate-1042)"), Some(8)),
    (34, "ActivityTaskStarted", "started", Some("ReserveStock/1.3 (activityId reserve-1042)"), Some(9)),
    (35, "ActivityTaskStarted", "started", Some("ChargeCard/3.0 (activityId charge-1042)"), Some(10)),
    (36, "ActivityTaskCompleted", "succeeded", Some("ValidateOrder/1.0 (activityId validate-1042)"), Some(33)),
    (37, "ActivityTaskFailed", "failed", Some("ChargeCard/3.0 (activityId charge-1042)"), Some(35)),
    (38, "LambdaFunctionStarted", "started", Some("resize-images (id images-1042)"), Some(17)),
    (39, "LambdaFunctionStarted", "started", Some("notify-customer (id notify-1042)"), Some(18)),
    (40, "LambdaFunctionStarted", "started", Some("score-fraud (id fraud-1042)"), Some(19)),
    (41, "StartLambdaFunctionFailed", "failed", Some("tag-order (id tag-1042)"), Some(20)),
    (42, "LambdaFunctionCompleted", "succeeded", Some("resize-images (id images-1042)"), Some(38)),
    (43, "LambdaFunctionFailed", "failed", Some("notify-customer (id notify-1042)"), Some(39)),
    (44, "LambdaFunctionTimedOut", "timed_out", Some("score-fraud (id fraud-1042)"), Some(40)),
    (45, "ChildWorkflowExecutionStarted", "started", Some("ShipOrder/1.0 (workflowId ship-1042)"), Some(22)),
    (46, "ChildWorkflowExecutionStarted", "started", Some("Invoice/1.0 (workflowId invoice-1042)"), Some(23)),
    (47, "ChildWorkflowExecutionStarted", "started", Some("Restock/1.0 (workflowId restock-1042)"), Some(24)),
    (48, "ChildWorkflowExecutionStarted", "started", Some("GiftWrap/1.0 (workflowId giftwrap-1042)"), Some(25)),
    (49, "ChildWorkflowExecutionStarted", "started", Some("LoyaltyPoints/1.0 (workflowId loyalty-1042)"), Some(26)),
    (50, "ChildWorkflowExecutionCompleted", "succeeded", Some("ShipOrder/1.0 (workflowId ship-1042)"), Some(45)),
    (51, "ChildWorkflowExecutionFailed", "failed", Some("Invoice/1.0 (workflowId invoice-1042)"), Some(46)),
    (52, "ChildWorkflowExecutionTimedOut", "timed_out", Some("Restock/1.0 (workflowId restock-1042)"), Some(47)),
    (53, "ChildWorkflowExecutionCanceled", "cancelled", Some("GiftWrap/1.0 (workflowId giftwrap-1042)"), Some(48)),
    (54, "ChildWorkflowExecutionTerminated", "aborted", Some("LoyaltyPoints/1.0 (workflowId loyalty-1042)"), Some(49)),
    (55, "ExternalWorkflowExecutionSignaled", "succeeded", Some("order-accepted (workflowId customer-c77)"), Some(29)),
    (56, "SignalExternalWorkflowExecutionFailed", "failed", Some("stock-reserved (workflowId warehouse-w3)"), Some(30)),
    (57, "ExternalWorkflowExecutionCancelRequested", "succeeded", Some("quote-1042"), Some(31)),
    (58, "RequestCancelExternalWorkflowExecutionFailed", "failed", Some("hold-1042"), Some(32)),
    (59, "WorkflowExecutionSignaled", "info", Some("address-changed"), None),
    (60, "TimerFired", "succeeded", Some("reminder"), Some(15)),
    (61, "DecisionTaskScheduled", "scheduled", None, None),
    (62, "DecisionTaskStarted", "started", None, Some(61)),
    (63, "DecisionTaskCompleted", "succeeded", None, Some(62)),
    (64, "ActivityTaskCancelRequested", "info", Some("ReserveStock/1.3 (activityId reserve-1042)"), Some(63)),
    (65, "RequestCancelActivityTaskFailed", "failed", Some("ship-label-1042"), Some(63)),
    (66, "TimerCanceled", "cancelled", Some("payment-deadline"), Some(14)),
    (67, "CancelTimerFailed", "failed", Some("reminder"), Some(63)),
    (68, "ActivityTaskCanceled", "cancelled", Some("ReserveStock/1.3 (activityId reserve-1042)"), Some(34)),
    (69, "ActivityTaskScheduled", "scheduled", Some("PackParcel/1.0 (activityId pack-1042)"), Some(63)),
    (70, "ActivityTaskStarted", "started", Some("PackParcel/1.0 (activityId pack-1042)"), Some(69)),
    (71, "ActivityTaskTimedOut", "timed_out", Some("PackParcel/1.0 (activityId pack-1042)"), Some(70)),
    (72, "WorkflowExecutionCancelRequested", "info", None, None),
    (73, "DecisionTaskScheduled", "scheduled", None, None),
    (74, "DecisionTaskStarted", "started", None, Some(73)),
    (75, "DecisionTaskCompleted", "succeeded", None, Some(74)),
    (76, "CancelWorkflowExecutionFailed", "failed", None, Some(75)),
    (77, "CompleteWorkflowExecutionFailed", "failed", None, Some(75)),
    (78, "FailWorkflowExecutionFailed", "failed", None, Some(75)),
    (79, "ContinueAsNewWorkflowExecutionFailed", "failed", None, Some(75)),
    (80, "FutureThingHappened", "info", None, Some(75)),
    (81, "WorkflowExecutionCompleted", "succeeded", None, Some(75)),
    (82, "WorkflowExecutionFailed", "failed", None, Some(75)),
    (83, "WorkflowExecutionCanceled", "cancelled", None, Some(75)),
    (84, "WorkflowExecutionContinuedAsNew", "succeeded", Some("FulfilOrder/2.1"), Some(75)),
    (85, "WorkflowExecutionTimedOut", "timed_out", None, None),
    (86, "WorkflowExecutionTerminated", "aborted", None, None),
];

fn fixture() -> Vec<Value> {
    let text = std::fs::read_to_string(repo_file(FIXTURE)).expect("read the fixture");
    let document: Value = serde_json::from_str(&text).expect("the fixture is JSON");
    document["events"]
        .as_array()
        .expect("an events array")
        .clone()
}

/// The fixture normalized in one page, as JSON (the JSON lines contract).
fn normalized(execution: Option<&str>) -> Vec<Value> {
    SwfNormalizer::new(execution.map(str::to_string))
        .normalize(fixture())
        .iter()
        .map(|event| serde_json::to_value(event).unwrap())
        .collect()
}

/// [`normalized`] as the CLI prints it: with the object a cause holds decoded beside it.
fn normalized_as_printed(execution: Option<&str>) -> Vec<Value> {
    SwfNormalizer::new(execution.map(str::to_string))
        .normalize(fixture())
        .into_iter()
        .map(|mut event| {
            event.decode_cause();
            serde_json::to_value(&event).unwrap()
        })
        .collect()
}

fn attributes_key(event: &Value) -> Option<&str> {
    event
        .as_object()?
        .keys()
        .find(|key| key.ends_with("EventAttributes"))
        .map(String::as_str)
}

#[test]
fn the_fixture_sets_every_field_of_every_attributes_shape() {
    let events = fixture();
    assert_eq!(
        SHAPES.len(),
        54,
        "the API reference has 54 attributes shapes"
    );
    for (shape, paths) in SHAPES {
        let event = events
            .iter()
            .find(|e| attributes_key(e) == Some(shape))
            .unwrap_or_else(|| panic!("no event with {shape}"));
        for path in paths.split(' ') {
            let value = event[*shape].pointer(&format!("/{path}"));
            assert!(
                value.is_some_and(|v| !v.is_null()),
                "event {} does not set {shape}.{path}",
                event["eventId"]
            );
        }
        // The type is the attributes key's own name, capitalized.
        let kind = event["eventType"].as_str().unwrap();
        assert_eq!(format!("{}EventAttributes", lower_first(kind)), *shape);
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

#[test]
fn every_event_has_its_status_name_and_parent() {
    let events = normalized(Some("orders-prod/order-1042/run-1"));
    assert_eq!(events.len(), EXPECTED.len());
    let types: BTreeSet<&str> = EXPECTED.iter().map(|e| e.1).collect();
    assert_eq!(
        types.len(),
        55,
        "54 documented types and one from the future"
    );
    for (event, (id, kind, status, name, parent)) in events.iter().zip(EXPECTED) {
        let what = format!("event {id} ({kind}): {event}");
        assert_eq!(event["service"], json!("swf"), "{what}");
        assert_eq!(
            event["execution"],
            json!("orders-prod/order-1042/run-1"),
            "{what}"
        );
        assert_eq!(event["id"], json!(id), "{what}");
        assert_eq!(event["type"], json!(kind), "{what}");
        assert_eq!(event["status"], json!(status), "{what}");
        assert_eq!(event.get("name").and_then(Value::as_str), *name, "{what}");
        assert_eq!(
            event.get("parent_id").and_then(Value::as_i64),
            *parent,
            "{what}"
        );
        assert!(
            event["time"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{what}"
        );
        assert_eq!(status_of(kind).as_str(), *status, "{what}");
    }
}

/// Every leaf of a JSON value with its path (`/a/b`); arrays are leaves.
fn leaves(path: String, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(fields) => {
            for (key, child) in fields {
                leaves(format!("{path}/{key}"), child, out);
            }
        }
        other => out.push((path, other.clone())),
    }
}

#[test]
fn every_raw_field_reaches_a_normalized_field_or_details() {
    let raw_events = fixture();
    let events = normalized(None);
    let mut checked = 0;
    for (raw, event) in raw_events.iter().zip(&events) {
        for (key, value) in raw.as_object().unwrap() {
            match key.as_str() {
                "eventId" => assert_eq!(&event["id"], value),
                "eventType" => assert_eq!(&event["type"], value),
                "eventTimestamp" => {
                    let millis = (value.as_f64().unwrap() * 1000.0).round() as i64;
                    let expected = chrono::DateTime::from_timestamp_millis(millis)
                        .unwrap()
                        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                        .to_string();
                    assert_eq!(event["time"], json!(expected));
                }
                _ => {
                    // Attributes are flattened into details; other fields keep their key.
                    let prefix = if key.ends_with("EventAttributes") {
                        String::new()
                    } else {
                        format!("/{key}")
                    };
                    let mut fields = Vec::new();
                    leaves(prefix, value, &mut fields);
                    for (path, leaf) in fields {
                        assert!(
                            reached(event, &path, &leaf),
                            "event {}: {path} (from {key}) = {leaf} is lost: {event}",
                            raw["eventId"]
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 400, "only {checked} fields checked");
}

fn reached(event: &Value, path: &str, leaf: &Value) -> bool {
    if event["details"].pointer(path) == Some(leaf) {
        return true;
    }
    match leaf {
        Value::String(_) => {
            let decoded = decode_payload(leaf.clone());
            event.get("error") == Some(leaf)
                || event.get("cause") == Some(leaf)
                || event.get("input") == Some(&decoded)
                || event.get("output") == Some(&decoded)
        }
        Value::Number(_) => event.get("parent_id") == Some(leaf),
        _ => false,
    }
}

#[test]
fn payloads_errors_and_causes_land_where_people_look() {
    let events = normalized(None);
    let by_id = |id: i64| &events[(id - 1) as usize];
    // Inputs and results holding JSON are decoded; other text is kept.
    assert_eq!(by_id(1)["input"]["orderId"], json!("o-1042"));
    assert_eq!(
        by_id(10)["input"],
        json!("card token tok_visa_4242 (not JSON)")
    );
    assert_eq!(by_id(36)["output"], json!({"valid": true, "warnings": []}));
    assert_eq!(by_id(59)["input"]["note"], json!("ring \"twice\""));
    // A marker's and a cancellation's details are their output.
    assert_eq!(
        by_id(12)["output"],
        json!({"phase": "reserve", "attempt": 1})
    );
    assert_eq!(by_id(68)["output"], json!({"released": ["sku-1"]}));
    assert_eq!(by_id(83)["output"], json!({"refund": "issued"}));
    // Failures: the code is the error, the explanation the cause.
    assert_eq!(by_id(37)["error"], json!("CardDeclined"));
    assert_eq!(
        by_id(37)["cause"],
        json!("{\"declineCode\":\"insufficient_funds\",\"gateway\":\"stripe\"}")
    );
    assert!(
        by_id(43)["cause"]
            .as_str()
            .unwrap()
            .contains("\u{1b}[31mKeyError"),
        "kept raw; the table escapes it"
    );
    assert_eq!(by_id(41)["error"], json!("ASSUME_ROLE_FAILED"));
    assert!(by_id(41)["cause"]
        .as_str()
        .unwrap()
        .starts_with("Unable to assume role"));
    assert_eq!(by_id(71)["error"], json!("HEARTBEAT"));
    assert_eq!(by_id(71)["cause"], json!("{\"packed\":3,\"of\":5}"));
    let terminated = by_id(86);
    assert_eq!(terminated["error"], json!("OPERATOR_INITIATED"));
    assert_eq!(terminated["cause"], json!("stuck after payment outage"));
    assert_eq!(
        terminated["details"]["details"],
        json!("{\"ticket\":\"OPS-311\"}")
    );
    assert_eq!(terminated["details"]["childPolicy"], json!("ABANDON"));
    // Not a failure: a cancel request's cause is a detail, not an error.
    assert!(by_id(72).get("error").is_none());
    assert_eq!(by_id(72)["details"]["cause"], json!("CHILD_POLICY_APPLIED"));
    // Ids in another execution's history are details, never a parent.
    assert_eq!(by_id(1)["details"]["parentInitiatedEventId"], json!(17));
    assert_eq!(by_id(59)["details"]["externalInitiatedEventId"], json!(31));
    // The service's own names and field order in details.
    let keys: Vec<&String> = by_id(8)["details"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "activityId",
            "activityType",
            "control",
            "heartbeatTimeout",
            "scheduleToCloseTimeout",
            "scheduleToStartTimeout",
            "startToCloseTimeout",
            "taskList",
            "taskPriority"
        ]
    );
}

#[test]
fn unknown_types_and_fields_survive() {
    let events = normalized(None);
    let future = &events[79];
    assert_eq!(future["type"], json!("FutureThingHappened"));
    assert_eq!(future["details"]["thingId"], json!("thing-7"));
    assert_eq!(
        future["details"]["thingSettings"],
        json!({"mode": "eager", "retries": [1, 2, 4]})
    );
    assert_eq!(
        future["details"]["someNewTopLevelField"],
        json!({"flag": true})
    );
    assert_eq!(
        events[70]["details"]["latestHeartbeatRecordedEventId"],
        json!(70)
    );
    // moto writes `TimerCancelled`; it is still a cancellation of the timer it names.
    let moto_style = json!({
        "eventId": 3, "eventType": "TimerCancelled", "eventTimestamp": 1700000000.5,
        "timerCancelledEventAttributes": {"timerId": "t-1", "startedEventId": 2, "decisionTaskCompletedEventId": 1}
    });
    let event =
        serde_json::to_value(&SwfNormalizer::new(None).normalize(vec![moto_style])[0]).unwrap();
    assert_eq!(event["status"], json!("cancelled"));
    assert_eq!(event["name"], json!("t-1"));
    assert_eq!(event["parent_id"], json!(2));
}

#[test]
fn names_follow_causes_across_pages_and_within_a_reversed_page() {
    let raw = fixture();
    // Forward, cut into pages of 10: a cause is always on this page or an earlier one.
    let mut normalizer = SwfNormalizer::new(None);
    let paged: Vec<Value> = raw
        .chunks(10)
        .flat_map(|page| normalizer.normalize(page.to_vec()))
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    assert_eq!(paged, normalized(None));
    // One page in reverse order: effects come before their causes and are still named.
    let mut reversed_raw = raw.clone();
    reversed_raw.reverse();
    let mut reversed: Vec<Value> = SwfNormalizer::new(None)
        .normalize(reversed_raw)
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    reversed.reverse();
    assert_eq!(reversed, normalized(None));
}

#[test]
fn the_cli_reads_the_fixture_exactly_as_the_library_does() {
    let fixture_path = repo_file(FIXTURE);
    let out = histx()
        .args(["swf", "--from"])
        .arg(&fixture_path)
        .args([
            "--domain",
            "orders-prod",
            "order-1042",
            "--run-id",
            "run-1",
            "-o",
            "jsonl",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(
        json_lines(&out.stdout),
        normalized_as_printed(Some("orders-prod/order-1042/run-1"))
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let raw = histx()
        .args(["swf", "-o", "raw", "--from"])
        .arg(&fixture_path)
        .assert()
        .success();
    assert_eq!(
        json_lines(&raw.get_output().stdout),
        fixture(),
        "-o raw is the wire events, one for one"
    );

    let reversed = histx()
        .args(["swf", "--reverse", "-o", "jsonl", "--from"])
        .arg(&fixture_path)
        .assert()
        .success();
    let ids: Vec<i64> = json_lines(&reversed.get_output().stdout)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, (1..=86).rev().collect::<Vec<_>>());
}

//! The fake's Step Functions GetExecutionHistory, as its API reference documents it:
//! 100 events a page by default, 1000 at most, reverseOrder, includeExecutionData,
//! and the errors ExecutionDoesNotExist, InvalidArn, InvalidToken, ValidationException.

use super::fake::{Answer, Api, ApiError};
use serde_json::Value;
use std::collections::HashMap;

pub const TARGET: &str = "AWSStepFunctions.GetExecutionHistory";

/// Serves the histories of these executions (ARN → events in ascending order).
pub fn get_execution_history(executions: HashMap<String, Vec<Value>>) -> Api {
    history_api(Box::new(move |arn| executions.get(arn).cloned()))
}

/// The events of an execution so far, by ARN; `None` for one that does not exist.
type Lookup = Box<dyn Fn(&str) -> Option<Vec<Value>> + Send + Sync>;

fn history_api(lookup: Lookup) -> Api {
    Api {
        target: TARGET,
        json_version: "1.0",
        page_size_key: "maxResults",
        default_page_size: 100,
        max_page_size: 1000,
        cap_when_set: None,
        zero_means_default: true,
        request_token_key: "nextToken",
        response_token_key: "nextToken",
        records_key: "events",
        invalid_token: ApiError::new(400, "InvalidToken", "Invalid Token: 'Invalid token'"),
        invalid_page_size: ApiError::new(
            400,
            "ValidationException",
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
        ),
        select: Box::new(move |request| {
            let arn = request.get("executionArn").and_then(Value::as_str).unwrap_or_default();
            if !arn.starts_with("arn:aws:states:") || arn.split(':').nth(5) != Some("execution") {
                return Err(ApiError::new(400, "InvalidArn", format!("Invalid Arn: '{arn}'")));
            }
            let mut events = lookup(arn).ok_or_else(|| {
                ApiError::new(400, "ExecutionDoesNotExist", format!("Execution Does Not Exist: '{arn}'"))
            })?;
            if request.get("includeExecutionData") == Some(&Value::Bool(false)) {
                for event in &mut events {
                    strip_data(event);
                }
            }
            if request.get("reverseOrder") == Some(&Value::Bool(true)) {
                events.reverse();
            }
            Ok(events)
        }),
    }
}

pub const DESCRIBE_EXECUTION: &str = "AWSStepFunctions.DescribeExecution";

/// An execution that runs as the clock goes: `events` appear `first` at once, then
/// `per_second` a second; DescribeExecution says RUNNING until all have, then `ending`.
/// GetExecutionHistory pages like the service (reverse order, tokens bound to the
/// request), over the events there are when each page is asked for.
pub fn growing_execution(
    arn: &str,
    events: Vec<Value>,
    first: usize,
    per_second: f64,
    ending: &'static str,
) -> (Api, Answer) {
    let started = std::time::Instant::now();
    let total = events.len();
    let visible =
        move || (first + (started.elapsed().as_secs_f64() * per_second) as usize).min(total);
    let visible = std::sync::Arc::new(visible);
    let (history_arn, shown) = (arn.to_string(), visible.clone());
    let history = history_api(Box::new(move |asked| {
        (asked == history_arn).then(|| events[..shown()].to_vec())
    }));
    let arn = arn.to_string();
    let describe = Answer {
        target: DESCRIBE_EXECUTION,
        json_version: "1.0",
        answer: Box::new(move |request| {
            if request["executionArn"] != arn.as_str() {
                return Err(ApiError::new(
                    400,
                    "ExecutionDoesNotExist",
                    "Execution Does Not Exist",
                ));
            }
            let done = visible() == total;
            Ok(serde_json::json!({
                "executionArn": arn,
                "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:M",
                "status": if done { ending } else { "RUNNING" },
                "startDate": 1_700_000_000.0,
            }))
        }),
    };
    (history, describe)
}

/// What includeExecutionData=false leaves out: every input and output.
fn strip_data(event: &mut Value) {
    if let Some(fields) = event.as_object_mut() {
        for (key, details) in fields.iter_mut() {
            if key.ends_with("EventDetails") {
                if let Some(details) = details.as_object_mut() {
                    details.remove("input");
                    details.remove("output");
                }
            }
        }
    }
}

/// A synthetic history of `count` events: an execution whose Pass states run one after
/// another, with input and output on every state event.
pub fn synthetic_history(count: usize) -> Vec<Value> {
    let base = 1_700_000_000.0_f64;
    (1..=count)
        .map(|id| {
            let time = base + id as f64 * 0.001;
            let mut event = serde_json::json!({
                "timestamp": (time * 1000.0).round() / 1000.0,
                "id": id,
                "previousEventId": id - 1,
            });
            let fields = event.as_object_mut().unwrap();
            if id == 1 {
                fields.insert("type".into(), "ExecutionStarted".into());
                fields.insert(
                    "executionStartedEventDetails".into(),
                    serde_json::json!({"input": "{\"n\":0}", "inputDetails": {"truncated": false}, "roleArn": "arn:aws:iam::123456789012:role/r"}),
                );
            } else if id % 2 == 0 {
                fields.insert("type".into(), "PassStateEntered".into());
                fields.insert(
                    "stateEnteredEventDetails".into(),
                    serde_json::json!({"name": format!("Step{}", id / 2), "input": format!("{{\"n\":{id}}}"), "inputDetails": {"truncated": false}}),
                );
            } else {
                fields.insert("type".into(), "PassStateExited".into());
                fields.insert(
                    "stateExitedEventDetails".into(),
                    serde_json::json!({"name": format!("Step{}", id / 2), "output": format!("{{\"n\":{id}}}"), "outputDetails": {"truncated": false}}),
                );
            }
            event
        })
        .collect()
}

/// [`synthetic_history`] of `count` events whose last one closes the run with
/// ExecutionSucceeded (as a finished run's history does).
pub fn succeeded_history(count: usize) -> Vec<Value> {
    let mut events = synthetic_history(count - 1);
    events.push(serde_json::json!({
        "timestamp": 1_700_000_000.0 + count as f64 * 0.001,
        "id": count,
        "previousEventId": count - 1,
        "type": "ExecutionSucceeded",
        "executionSucceededEventDetails": {"output": "{}", "outputDetails": {"truncated": false}},
    }));
    events
}

/// What a timed execution does at one moment ([`timed_execution`]): `at` seconds after
/// the first request to either call, these events are appended to its history, and
/// DescribeExecution answers `status` from then on.
pub struct Moment {
    pub at: f64,
    pub events: Vec<Value>,
    pub status: &'static str,
}

/// An execution whose history and status follow a timeline of [`Moment`]s, as the clock
/// goes (the clock starts with the first request, so what the first read sees does not
/// depend on how long histx took to start). Event ids are numbered from 1 in timeline
/// order, each event's timestamp is its moment's, and `previousEventId` the event
/// before it. DescribeExecution's `redriveCount` counts the `ExecutionRedriven` events
/// there are (it is not updated while a redrive is pending), with `redriveDate`,
/// `stopDate` for a final status and `redriveStatus` (REDRIVABLE once failed, timed out
/// or aborted), as the API reference describes them.
pub fn timed_execution(arn: &str, timeline: Vec<Moment>) -> (Api, Answer) {
    let base = 1_700_000_000.0_f64;
    let mut id = 0;
    let mut moments = Vec::new();
    for moment in timeline {
        let events: Vec<Value> = moment
            .events
            .into_iter()
            .map(|mut event| {
                id += 1;
                event["id"] = serde_json::json!(id);
                event["previousEventId"] = serde_json::json!(id - 1);
                event["timestamp"] = serde_json::json!(base + moment.at);
                event
            })
            .collect();
        moments.push((moment.at, events, moment.status));
    }
    let moments = std::sync::Arc::new(moments);
    let clock = std::sync::Arc::new(std::sync::Mutex::new(None::<std::time::Instant>));
    // The moments that have come, by now.
    let now = {
        let (moments, clock) = (moments.clone(), clock.clone());
        move || -> usize {
            let elapsed = clock
                .lock()
                .unwrap()
                .get_or_insert_with(std::time::Instant::now)
                .elapsed()
                .as_secs_f64();
            moments
                .iter()
                .take_while(|(at, _, _)| *at <= elapsed)
                .count()
        }
    };
    let now = std::sync::Arc::new(now);
    let events_by = {
        let moments = moments.clone();
        move |come: usize| -> Vec<Value> {
            moments[..come]
                .iter()
                .flat_map(|(_, events, _)| events.iter().cloned())
                .collect()
        }
    };
    let events_by = std::sync::Arc::new(events_by);
    let (history_arn, come, history_events) = (arn.to_string(), now.clone(), events_by.clone());
    let history = history_api(Box::new(move |asked| {
        (asked == history_arn).then(|| history_events(come()))
    }));
    let arn = arn.to_string();
    let describe = Answer {
        target: DESCRIBE_EXECUTION,
        json_version: "1.0",
        answer: Box::new(move |request| {
            if request["executionArn"] != arn.as_str() {
                return Err(ApiError::new(
                    400,
                    "ExecutionDoesNotExist",
                    "Execution Does Not Exist",
                ));
            }
            let come = now().max(1);
            let (at, _, status) = &moments[come - 1];
            let events = events_by(come);
            let redriven: Vec<&Value> = events
                .iter()
                .filter(|e| e["type"] == "ExecutionRedriven")
                .collect();
            let mut answer = serde_json::json!({
                "executionArn": arn,
                "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:M",
                "name": arn.rsplit(':').next(),
                "status": status,
                "startDate": base,
                "redriveCount": redriven.len(),
                "redriveStatus": if matches!(*status, "FAILED" | "TIMED_OUT" | "ABORTED") {
                    "REDRIVABLE"
                } else {
                    "NOT_REDRIVABLE"
                },
            });
            if matches!(*status, "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED") {
                answer["stopDate"] = serde_json::json!(base + at);
            }
            if let Some(last) = redriven.last() {
                answer["redriveDate"] = last["timestamp"].clone();
            }
            Ok(answer)
        }),
    };
    (history, describe)
}

/// The events of a Task state `name` that fails with `error` (entered, scheduled,
/// started, failed), and of the execution failing with it.
pub fn failing_task(name: &str, error: &str, cause: &str, entered: bool) -> Vec<Value> {
    let mut events = Vec::new();
    if entered {
        events.push(serde_json::json!({"type": "TaskStateEntered",
            "stateEnteredEventDetails": {"name": name, "input": "{}", "inputDetails": {"truncated": false}}}));
    }
    events.extend([
        serde_json::json!({"type": "TaskScheduled", "taskScheduledEventDetails": {
            "resourceType": "lambda", "resource": "invoke", "region": "us-east-1",
            "parameters": "{\"FunctionName\":\"work\"}"}}),
        serde_json::json!({"type": "TaskStarted", "taskStartedEventDetails": {
            "resourceType": "lambda", "resource": "invoke"}}),
        serde_json::json!({"type": "TaskFailed", "taskFailedEventDetails": {
            "resourceType": "lambda", "resource": "invoke", "error": error, "cause": cause}}),
        serde_json::json!({"type": "ExecutionFailed",
            "executionFailedEventDetails": {"error": error, "cause": cause}}),
    ]);
    events
}

/// A run of one Task state `Work`: it fails with `Flaky`; a redrive (requested at once, so
/// the status says PENDING_REDRIVE, never FAILED, until it starts) runs the Task again,
/// which then succeeds (`ending` SUCCEEDED) or fails again with `StillFlaky` (FAILED).
/// Each moment `step` seconds after the one before.
pub fn redriven_once(step: f64, ending: &'static str) -> Vec<Moment> {
    let started = serde_json::json!({"type": "ExecutionStarted",
        "executionStartedEventDetails": {"input": "{}", "inputDetails": {"truncated": false},
            "roleArn": "arn:aws:iam::123456789012:role/r"}});
    let mut first = vec![started];
    first.extend(failing_task(
        "Work",
        "Flaky",
        "the first attempt failed",
        true,
    ));
    let (running, failed) = first.split_at(first.len() - 2);
    let mut redrive = vec![serde_json::json!({"type": "ExecutionRedriven",
        "executionRedrivenEventDetails": {"redriveCount": 1}})];
    let again = failing_task("Work", "StillFlaky", "the redriven attempt failed", false);
    let last = if ending == "SUCCEEDED" {
        vec![
            serde_json::json!({"type": "TaskSucceeded", "taskSucceededEventDetails": {
                "resourceType": "lambda", "resource": "invoke", "output": "{\"ok\":true}",
                "outputDetails": {"truncated": false}}}),
            serde_json::json!({"type": "TaskStateExited", "stateExitedEventDetails": {
                "name": "Work", "output": "{\"ok\":true}", "outputDetails": {"truncated": false}}}),
            serde_json::json!({"type": "ExecutionSucceeded", "executionSucceededEventDetails": {
                "output": "{\"ok\":true}", "outputDetails": {"truncated": false}}}),
        ]
    } else {
        again[2..].to_vec()
    };
    redrive.extend(again[..2].iter().cloned());
    vec![
        Moment {
            at: 0.0,
            events: running.to_vec(),
            status: "RUNNING",
        },
        Moment {
            at: step,
            events: failed.to_vec(),
            status: "PENDING_REDRIVE",
        },
        Moment {
            at: 2.0 * step,
            events: redrive,
            status: "RUNNING",
        },
        Moment {
            at: 3.0 * step,
            events: last,
            status: ending,
        },
    ]
}

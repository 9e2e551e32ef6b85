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

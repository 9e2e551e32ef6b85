//! The fake's Step Functions GetExecutionHistory, as its API reference documents it:
//! 100 events a page by default, 1000 at most, reverseOrder, includeExecutionData,
//! and the errors ExecutionDoesNotExist, InvalidArn, InvalidToken, ValidationException.

use super::fake::{Api, ApiError};
use serde_json::Value;
use std::collections::HashMap;

pub const TARGET: &str = "AWSStepFunctions.GetExecutionHistory";

/// Serves the histories of these executions (ARN → events in ascending order).
pub fn get_execution_history(executions: HashMap<String, Vec<Value>>) -> Api {
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
            let events = executions.get(arn).ok_or_else(|| {
                ApiError::new(400, "ExecutionDoesNotExist", format!("Execution Does Not Exist: '{arn}'"))
            })?;
            let mut events = events.clone();
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

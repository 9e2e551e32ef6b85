//! The fake's operations for `--depth` (kept apart from the listings of `ls`):
//! Step Functions ListExecutions by mapRunArn (statusFilter, pages of 1000 at most,
//! 100 by default) and DescribeMapRun, as the API reference documents them.

use super::fake::{Answer, Api, ApiError};
use serde_json::{json, Value};
use std::collections::HashMap;

pub const LIST_EXECUTIONS: &str = "AWSStepFunctions.ListExecutions";
pub const DESCRIBE_MAP_RUN: &str = "AWSStepFunctions.DescribeMapRun";

/// ListExecutions of these Map Runs (mapRunArn → its child executions, as
/// ExecutionListItems), narrowed by statusFilter; newest first, as the service lists.
pub fn list_executions_by_map_run(map_runs: HashMap<String, Vec<Value>>) -> Api {
    Api {
        target: LIST_EXECUTIONS,
        json_version: "1.0",
        page_size_key: "maxResults",
        default_page_size: 100,
        max_page_size: 1000,
        cap_when_set: None,
        zero_means_default: true,
        request_token_key: "nextToken",
        response_token_key: "nextToken",
        records_key: "executions",
        invalid_token: ApiError::new(400, "InvalidToken", "Invalid Token: 'Invalid token'"),
        invalid_page_size: ApiError::new(400, "ValidationException", "maxResults out of range"),
        select: Box::new(move |request| {
            let Some(arn) = request.get("mapRunArn").and_then(Value::as_str) else {
                return Err(ApiError::new(
                    400,
                    "ValidationException",
                    "this fake lists executions by mapRunArn only",
                ));
            };
            if request.get("stateMachineArn").is_some() {
                return Err(ApiError::new(
                    400,
                    "ValidationException",
                    "stateMachineArn and mapRunArn cannot both be given",
                ));
            }
            let mut children = map_runs.get(arn).cloned().ok_or_else(|| {
                ApiError::new(
                    400,
                    "ResourceNotFound",
                    format!("Map Run not found: '{arn}'"),
                )
            })?;
            if let Some(status) = request.get("statusFilter").and_then(Value::as_str) {
                children.retain(|child| child["status"] == status);
            }
            children.sort_by(|a, b| {
                b["startDate"]
                    .as_f64()
                    .partial_cmp(&a["startDate"].as_f64())
                    .unwrap()
            });
            Ok(children)
        }),
    }
}

/// DescribeMapRun of these Map Runs (mapRunArn → its child executions): the counts by
/// status, from the children themselves.
pub fn describe_map_run(map_runs: HashMap<String, (String, Vec<Value>)>) -> Answer {
    Answer {
        target: DESCRIBE_MAP_RUN,
        json_version: "1.0",
        answer: Box::new(move |request| {
            let arn = request
                .get("mapRunArn")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let (execution, children) = map_runs.get(arn).ok_or_else(|| {
                ApiError::new(
                    400,
                    "ResourceNotFound",
                    format!("Map Run not found: '{arn}'"),
                )
            })?;
            let count = |status: &str| children.iter().filter(|c| c["status"] == status).count();
            let counts = json!({
                "pending": 0, "running": count("RUNNING"), "succeeded": count("SUCCEEDED"),
                "failed": count("FAILED"), "timedOut": count("TIMED_OUT"), "aborted": count("ABORTED"),
                "total": children.len(), "resultsWritten": 0,
            });
            Ok(json!({
                "mapRunArn": arn, "executionArn": execution, "status": "FAILED",
                "startDate": 1_714_557_600.0, "stopDate": 1_714_557_700.0, "maxConcurrency": 40,
                "toleratedFailurePercentage": 0.0, "toleratedFailureCount": 0,
                "itemCounts": counts.clone(), "executionCounts": counts,
                "redriveCount": 0,
            }))
        }),
    }
}

pub const DESCRIBE_AUTOMATION_EXECUTIONS: &str = "AmazonSSM.DescribeAutomationExecutions";

/// DescribeAutomationExecutions with the filter ParentExecutionId only (parent →
/// AutomationExecutionMetadata of its children): pages of 50 at most, 50 by default.
pub fn describe_automation_executions_by_parent(children: HashMap<String, Vec<Value>>) -> Api {
    Api {
        target: DESCRIBE_AUTOMATION_EXECUTIONS,
        json_version: "1.1",
        page_size_key: "MaxResults",
        default_page_size: 50,
        max_page_size: 50,
        cap_when_set: None,
        zero_means_default: false,
        request_token_key: "NextToken",
        response_token_key: "NextToken",
        records_key: "AutomationExecutionMetadataList",
        invalid_token: ApiError::new(400, "InvalidNextToken", "The specified token isn't valid."),
        invalid_page_size: ApiError::new(400, "ValidationException", "MaxResults out of range"),
        select: Box::new(move |request| {
            let filters = request
                .get("Filters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let parent = filters
                .iter()
                .find(|f| f["Key"] == "ParentExecutionId")
                .and_then(|f| f["Values"][0].as_str())
                .ok_or_else(|| {
                    ApiError::new(
                        400,
                        "ValidationException",
                        "this fake lists by ParentExecutionId only",
                    )
                })?;
            Ok(children.get(parent).cloned().unwrap_or_default())
        }),
    }
}

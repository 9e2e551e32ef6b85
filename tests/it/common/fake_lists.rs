//! The fake's listing APIs, as their API references document them, for `histx <svc> ls`
//! and for finding the newest run: Step Functions ListStateMachines and ListExecutions,
//! SSM DescribeAutomationExecutions, CodePipeline ListPipelines and
//! ListPipelineExecutions (over summaries given as such), and SWF's two lists (in
//! `fake_swf`). Each serves a list of records with their wire fields and filters it by
//! whatever the request says, through a table of filters (one function per request
//! field), so another filter (ListExecutions' mapRunArn, DescribeAutomationExecutions'
//! ParentExecutionId) is one more entry. Pages: each API's own default and maximum,
//! opaque tokens bound to the request (the shared fake's), newest first.

use super::fake::{Answer, Api, ApiError, Select};
use serde_json::{json, Value};

// ---------------------------------------------------------------- Step Functions

pub const LIST_STATE_MACHINES: &str = "AWSStepFunctions.ListStateMachines";
pub const LIST_EXECUTIONS: &str = "AWSStepFunctions.ListExecutions";

fn sfn_api(target: &'static str, records_key: &'static str, select: Select) -> Api {
    Api {
        target,
        json_version: "1.0",
        page_size_key: "maxResults",
        // Both: "The default is 100 and the maximum allowed page size is 1000."
        default_page_size: 100,
        max_page_size: 1000,
        cap_when_set: None,
        zero_means_default: true,
        request_token_key: "nextToken",
        response_token_key: "nextToken",
        records_key,
        invalid_token: ApiError::new(400, "InvalidToken", "Invalid Token: 'Invalid token'"),
        invalid_page_size: ApiError::new(
            400,
            "ValidationException",
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
        ),
        select,
    }
}

/// ListStateMachines over these state machines (`stateMachineArn`, `name`, `type`,
/// `creationDate`), in the order given.
pub fn list_state_machines(machines: Vec<Value>) -> Api {
    sfn_api(
        LIST_STATE_MACHINES,
        "stateMachines",
        Box::new(move |_request| Ok(machines.clone())),
    )
}

/// One of ListExecutions' request filters: the request field, and whether an execution
/// matches the request's value.
pub type ExecutionFilter = (&'static str, fn(&Value, &Value) -> bool);

/// The filters ListExecutions applies (stateMachineArn, statusFilter); another is one
/// more entry.
pub const EXECUTION_FILTERS: &[ExecutionFilter] = &[
    ("stateMachineArn", |execution, wanted| {
        execution["stateMachineArn"] == *wanted
    }),
    ("statusFilter", |execution, wanted| {
        execution["status"] == *wanted
    }),
];

/// ListExecutions over these executions (each with its ListExecutions fields): those
/// the request's filters match, newest first (by startDate). The state machine must be
/// one of `machines`' ARNs (else StateMachineDoesNotExist); its ARN must be one.
pub fn list_executions(machines: Vec<String>, executions: Vec<Value>) -> Api {
    sfn_api(
        LIST_EXECUTIONS,
        "executions",
        Box::new(move |request| {
            if let Some(arn) = request.get("stateMachineArn").and_then(Value::as_str) {
                if !arn.starts_with("arn:aws:states:")
                    || arn.split(':').nth(5) != Some("stateMachine")
                {
                    return Err(ApiError::new(
                        400,
                        "InvalidArn",
                        format!("Invalid Arn: '{arn}'"),
                    ));
                }
                if !machines.iter().any(|m| m == arn) {
                    return Err(ApiError::new(
                        400,
                        "StateMachineDoesNotExist",
                        format!("State Machine Does Not Exist: '{arn}'"),
                    ));
                }
            }
            let mut matching: Vec<Value> = executions
                .iter()
                .filter(|execution| {
                    EXECUTION_FILTERS.iter().all(|(field, matches)| {
                        request
                            .get(*field)
                            .is_none_or(|wanted| matches(execution, wanted))
                    })
                })
                .cloned()
                .collect();
            matching.sort_by(|a, b| time(b, "startDate").total_cmp(&time(a, "startDate")));
            Ok(matching)
        }),
    )
}

fn time(record: &Value, key: &str) -> f64 {
    record[key].as_f64().unwrap_or_default()
}

/// `count` executions of `machine_arn`, run-0 the oldest, one a minute; every 7th
/// failed, every 50th timed out, the newest running; with fields newer than the SDK.
pub fn synthetic_executions(machine_arn: &str, count: usize) -> Vec<Value> {
    let machine = machine_arn.rsplit(':').next().unwrap_or_default();
    let prefix = machine_arn.replace(":stateMachine:", ":execution:");
    (0..count)
        .map(|i| {
            let start = 1_700_000_000.0 + 60.0 * i as f64;
            let status = if i + 1 == count {
                "RUNNING"
            } else if i % 50 == 49 {
                "TIMED_OUT"
            } else if i % 7 == 3 {
                "FAILED"
            } else {
                "SUCCEEDED"
            };
            let mut execution = json!({
                "executionArn": format!("{prefix}:run-{i}"),
                "stateMachineArn": machine_arn,
                "name": format!("run-{i}"),
                "status": status,
                "startDate": start,
                "redriveCount": 0,
                "aFieldNewerThanTheSdk": {"machine": machine},
            });
            if status != "RUNNING" {
                execution["stopDate"] = json!(start + 12.5);
            }
            execution
        })
        .collect()
}

// ---------------------------------------------------------------- SSM Automation

pub const DESCRIBE_AUTOMATIONS: &str = "AmazonSSM.DescribeAutomationExecutions";

/// The filter keys DescribeAutomationExecutions accepts.
pub const AUTOMATION_FILTER_KEYS: &[&str] = &[
    "DocumentNamePrefix",
    "ExecutionStatus",
    "ExecutionId",
    "ParentExecutionId",
    "CurrentAction",
    "StartTimeBefore",
    "StartTimeAfter",
    "AutomationType",
    "TagKey",
    "TargetResourceGroup",
    "AutomationSubtype",
    "OpsItemId",
];

/// How one filter key matches an automation against one of the filter's values; keys
/// without an entry here are accepted and match nothing (add one to serve them).
/// One filter key and how an automation matches one of its values.
pub type AutomationFilter = (&'static str, fn(&Value, &str) -> bool);

pub const AUTOMATION_FILTERS: &[AutomationFilter] = &[
    ("DocumentNamePrefix", |a, v| {
        a["DocumentName"].as_str().is_some_and(|n| n.starts_with(v))
    }),
    ("ExecutionStatus", |a, v| {
        a["AutomationExecutionStatus"] == v
    }),
    ("ExecutionId", |a, v| a["AutomationExecutionId"] == v),
    ("StartTimeAfter", |a, v| {
        epoch(v).is_some_and(|t| time(a, "ExecutionStartTime") > t)
    }),
    ("StartTimeBefore", |a, v| {
        epoch(v).is_some_and(|t| time(a, "ExecutionStartTime") < t)
    }),
];

/// An RFC 3339 time (`2024-05-01T12:00:00Z`) in epoch seconds.
fn epoch(text: &str) -> Option<f64> {
    text.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond() as f64 / 1000.0)
}

/// DescribeAutomationExecutions over these automations (each with its
/// AutomationExecutionMetadata fields): MaxResults 1 to 50, Filters (a key the service
/// does not know is InvalidFilterKey; a time it cannot read InvalidFilterValue; more
/// than 10 values ValidationException), newest first.
pub fn describe_automation_executions(automations: Vec<Value>) -> Api {
    Api {
        target: DESCRIBE_AUTOMATIONS,
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
        invalid_page_size: ApiError::new(
            400,
            "ValidationException",
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
        ),
        select: Box::new(move |request| {
            let mut filters: Vec<(String, Vec<String>)> = Vec::new();
            for filter in request.get("Filters").and_then(Value::as_array).into_iter().flatten() {
                let key = filter["Key"].as_str().unwrap_or_default().to_string();
                if !AUTOMATION_FILTER_KEYS.contains(&key.as_str()) {
                    return Err(ApiError::new(400, "InvalidFilterKey", format!("The filter key {key} is not valid.")));
                }
                let values: Vec<String> = filter["Values"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                if values.is_empty() || values.len() > 10 {
                    return Err(ApiError::new(400, "ValidationException", "Filter values: 1 to 10 items"));
                }
                if key.starts_with("StartTime") && values.iter().any(|v| epoch(v).is_none()) {
                    return Err(ApiError::new(400, "InvalidFilterValue", format!("The filter value is not valid for {key}.")));
                }
                filters.push((key, values));
            }
            let mut matching: Vec<Value> = automations
                .iter()
                .filter(|automation| {
                    filters.iter().all(|(key, values)| {
                        let matches = AUTOMATION_FILTERS.iter().find(|(k, _)| k == key).map(|(_, m)| *m);
                        matches.is_some_and(|m| values.iter().any(|v| m(automation, v)))
                    })
                })
                .cloned()
                .collect();
            matching.sort_by(|a, b| time(b, "ExecutionStartTime").total_cmp(&time(a, "ExecutionStartTime")));
            Ok(matching)
        }),
    }
}

pub const DESCRIBE_DOCUMENT: &str = "AmazonSSM.DescribeDocument";

/// DescribeDocument over the documents of these names (the latest version of each); any
/// other name is InvalidDocument, as the service answers for a document that does not
/// exist (or is not shared with the account).
pub fn describe_document(names: Vec<&'static str>) -> Answer {
    Answer {
        target: DESCRIBE_DOCUMENT,
        json_version: "1.1",
        answer: Box::new(move |request| {
            let name = request["Name"].as_str().unwrap_or_default();
            if !names.contains(&name) {
                return Err(ApiError::new(
                    400,
                    "InvalidDocument",
                    "The specified document does not exist.",
                ));
            }
            Ok(json!({"Document": {
                "Name": name, "DocumentType": "Automation", "Status": "Active",
                "DocumentVersion": "1", "LatestVersion": "1", "DefaultVersion": "1",
                "SchemaVersion": "0.3", "Owner": "123456789012",
            }}))
        }),
    }
}

/// `count` automations of `document`, one a minute from `start`, with uuid-shaped ids
/// (`prefix` tells documents apart); every 5th failed, the newest in progress.
pub fn synthetic_automations(document: &str, prefix: u32, count: usize, start: f64) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let begun = start + 60.0 * i as f64;
            let status = if i + 1 == count {
                "InProgress"
            } else if i % 5 == 2 {
                "Failed"
            } else {
                "Success"
            };
            let mut automation = json!({
                "AutomationExecutionId": automation_id(prefix, i),
                "DocumentName": document,
                "DocumentVersion": "1",
                "AutomationExecutionStatus": status,
                "ExecutionStartTime": begun,
                "ExecutedBy": "arn:aws:iam::123456789012:user/ops",
                "Mode": "Auto",
                "AutomationType": "Local",
                "aFieldNewerThanTheSdk": i,
            });
            if status != "InProgress" {
                automation["ExecutionEndTime"] = json!(begun + 30.0);
            }
            automation
        })
        .collect()
}

/// A uuid-shaped automation execution id.
pub fn automation_id(prefix: u32, i: usize) -> String {
    format!("{prefix:08x}-0000-4000-8000-{i:012x}")
}

// ---------------------------------------------------------------- CodePipeline

pub const LIST_PIPELINES: &str = "CodePipeline_20150709.ListPipelines";
pub const LIST_PIPELINE_EXECUTIONS: &str = "CodePipeline_20150709.ListPipelineExecutions";

/// ListPipelines over these pipeline summaries: maxResults 1 to 1000.
pub fn list_pipelines(pipelines: Vec<Value>) -> Api {
    Api {
        target: LIST_PIPELINES,
        json_version: "1.1",
        page_size_key: "maxResults",
        default_page_size: 1000,
        max_page_size: 1000,
        cap_when_set: None,
        zero_means_default: false,
        request_token_key: "nextToken",
        response_token_key: "nextToken",
        records_key: "pipelines",
        invalid_token: ApiError::new(
            400,
            "InvalidNextTokenException",
            "The next token was specified in an invalid format.",
        ),
        invalid_page_size: ApiError::new(
            400,
            "ValidationException",
            "Value at 'maxResults' must be at most 1000",
        ),
        select: Box::new(move |_request| Ok(pipelines.clone())),
    }
}

/// ListPipelineExecutions over summaries given as such (pipeline name → summaries):
/// maxResults 1 to 100, newest first.
pub fn list_pipeline_execution_summaries(pipelines: Vec<(String, Vec<Value>)>) -> Api {
    Api {
        target: LIST_PIPELINE_EXECUTIONS,
        json_version: "1.1",
        page_size_key: "maxResults",
        default_page_size: 100,
        max_page_size: 100,
        cap_when_set: None,
        zero_means_default: false,
        request_token_key: "nextToken",
        response_token_key: "nextToken",
        records_key: "pipelineExecutionSummaries",
        invalid_token: ApiError::new(400, "InvalidNextTokenException", "The next token was specified in an invalid format."),
        invalid_page_size: ApiError::new(
            400,
            "ValidationException",
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
        ),
        select: Box::new(move |request| {
            let name = request["pipelineName"].as_str().unwrap_or_default();
            let (_, summaries) = pipelines.iter().find(|(n, _)| n == name).ok_or_else(|| {
                ApiError::new(
                    400,
                    "PipelineNotFoundException",
                    format!("The account with id '123456789012' does not include a pipeline with the name '{name}'"),
                )
            })?;
            let mut summaries = summaries.clone();
            summaries.sort_by(|a, b| time(b, "startTime").total_cmp(&time(a, "startTime")));
            Ok(summaries)
        }),
    }
}

/// `count` execution summaries, one a minute, uuid-shaped ids; every 4th failed, every
/// 9th stopped, the newest in progress.
pub fn synthetic_pipeline_executions(count: usize) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let start = 1_700_000_000.0 + 60.0 * i as f64;
            let status = if i + 1 == count {
                "InProgress"
            } else if i % 9 == 8 {
                "Stopped"
            } else if i % 4 == 1 {
                "Failed"
            } else {
                "Succeeded"
            };
            json!({
                "pipelineExecutionId": pipeline_execution_id(i),
                "status": status,
                "startTime": start,
                "lastUpdateTime": start + 90.0,
                "sourceRevisions": [],
                "trigger": {"triggerType": "StartPipelineExecution"},
                "executionMode": "SUPERSEDED",
                "aFieldNewerThanTheSdk": true,
            })
        })
        .collect()
}

pub fn pipeline_execution_id(i: usize) -> String {
    format!("0000000{}-0000-4000-8000-{i:012x}", i % 10)
}

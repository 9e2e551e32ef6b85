//! The fake's Systems Manager DescribeAutomationStepExecutions, as its API reference
//! documents it: MaxResults 1 to 50, ReverseOrder (by start time), Filters applied by
//! the service (an unknown key is InvalidFilterKey, an unreadable time or an unknown
//! status InvalidFilterValue), and the errors AutomationExecutionNotFoundException and
//! InvalidNextToken. Its filtering is written from the API reference, independently of
//! histx's own (used only for `--from`).

use super::fake::{Answer, Api, ApiError};
use serde_json::{json, Value};
use std::collections::HashMap;

pub const TARGET: &str = "AmazonSSM.DescribeAutomationStepExecutions";

/// The filter keys the service accepts.
pub const FILTER_KEYS: &[&str] = &[
    "StartTimeBefore",
    "StartTimeAfter",
    "StepExecutionStatus",
    "StepExecutionId",
    "StepName",
    "Action",
    "ParentStepExecutionId",
    "ParentStepIteration",
    "ParentStepIteratorValue",
];

/// Every StepStatus value.
pub const STEP_STATUSES: &[&str] = &[
    "Pending",
    "InProgress",
    "Waiting",
    "Success",
    "TimedOut",
    "Cancelling",
    "Cancelled",
    "Failed",
    "PendingApproval",
    "Approved",
    "Rejected",
    "Scheduled",
    "RunbookInProgress",
    "PendingChangeCalendarOverride",
    "ChangeCalendarOverrideApproved",
    "ChangeCalendarOverrideRejected",
    "CompletedWithSuccess",
    "CompletedWithFailure",
    "Exited",
];

pub fn invalid_next_token() -> ApiError {
    ApiError::new(400, "InvalidNextToken", "The specified token isn't valid.")
}

/// Serves the steps of these automation executions (ID → steps in start-time order).
pub fn describe_automation_step_executions(executions: HashMap<String, Vec<Value>>) -> Api {
    steps_api(Box::new(move |id| executions.get(id).cloned()))
}

/// The steps of an automation as they are now, by ID; `None` for one that does not exist.
pub type Lookup = Box<dyn Fn(&str) -> Option<Vec<Value>> + Send + Sync>;

/// DescribeAutomationStepExecutions over the steps `lookup` gives at each request (in
/// start-time order; an automation that changes as it is read).
pub fn steps_api(lookup: Lookup) -> Api {
    Api {
        target: TARGET,
        json_version: "1.1",
        page_size_key: "MaxResults",
        default_page_size: 50,
        max_page_size: 50,
        cap_when_set: None,
        zero_means_default: false,
        request_token_key: "NextToken",
        response_token_key: "NextToken",
        records_key: "StepExecutions",
        invalid_token: invalid_next_token(),
        invalid_page_size: ApiError::new(
            400,
            "ValidationException",
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
        ),
        select: Box::new(move |request| {
            let id = request
                .get("AutomationExecutionId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let steps = lookup(id).ok_or_else(|| {
                ApiError::new(
                    400,
                    "AutomationExecutionNotFoundException",
                    format!("Automation Execution with id {id} does not exist."),
                )
            })?;
            let filters = parse_filters(request)?;
            let mut steps: Vec<Value> = steps
                .iter()
                .filter(|step| filters.iter().all(|f| f.matches(step)))
                .cloned()
                .collect();
            if request.get("ReverseOrder") == Some(&Value::Bool(true)) {
                steps.reverse();
            }
            Ok(steps)
        }),
    }
}

struct Filter {
    key: String,
    values: Vec<String>,
}

/// The most filters a request may carry, and values a filter may have
/// (StepExecutionFilterList, StepExecutionFilterValueList).
pub const MAX_FILTERS: usize = 6;
pub const MAX_FILTER_VALUES: usize = 10;

fn parse_filters(request: &Value) -> Result<Vec<Filter>, ApiError> {
    let mut filters = Vec::new();
    let given = request.get("Filters").and_then(Value::as_array);
    if given.is_some_and(|f| f.is_empty() || f.len() > MAX_FILTERS) {
        return Err(ApiError::new(
            400,
            "ValidationException",
            format!("1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to {MAX_FILTERS}"),
        ));
    }
    for filter in given.into_iter().flatten() {
        let key = filter["Key"].as_str().unwrap_or_default().to_string();
        if !FILTER_KEYS.contains(&key.as_str()) {
            return Err(ApiError::new(
                400,
                "InvalidFilterKey",
                "The specified key isn't valid.",
            ));
        }
        let values: Vec<String> = filter["Values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let bad_value = |value: &String| match key.as_str() {
            "StartTimeBefore" | "StartTimeAfter" => epoch_millis(value).is_none(),
            "StepExecutionStatus" => !STEP_STATUSES.contains(&value.as_str()),
            _ => false,
        };
        if values.len() > MAX_FILTER_VALUES {
            return Err(ApiError::new(
                400,
                "ValidationException",
                format!("1 validation error detected: Value at 'filters.member.values' failed to satisfy constraint: Member must have length less than or equal to {MAX_FILTER_VALUES}"),
            ));
        }
        if values.is_empty() || values.iter().any(bad_value) {
            return Err(ApiError::new(
                400,
                "InvalidFilterValue",
                "The filter value isn't valid. Verify the value and try again.",
            ));
        }
        filters.push(Filter { key, values });
    }
    Ok(filters)
}

/// A filter time value (ISO 8601 with a zone) in milliseconds since the epoch.
fn epoch_millis(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

impl Filter {
    fn matches(&self, step: &Value) -> bool {
        let text = |value: &Value| match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let field = match self.key.as_str() {
            "StepName" => text(&step["StepName"]),
            "Action" => text(&step["Action"]),
            "StepExecutionId" => text(&step["StepExecutionId"]),
            "StepExecutionStatus" => text(&step["StepStatus"]),
            "ParentStepExecutionId" => text(&step["ParentStepDetails"]["StepExecutionId"]),
            "ParentStepIteration" => text(&step["ParentStepDetails"]["Iteration"]),
            "ParentStepIteratorValue" => text(&step["ParentStepDetails"]["IteratorValue"]),
            "StartTimeBefore" | "StartTimeAfter" => {
                let Some(started) = step["ExecutionStartTime"].as_f64() else {
                    return false;
                };
                let started = (started * 1000.0).round() as i64;
                return self.values.iter().filter_map(|v| epoch_millis(v)).any(|t| {
                    if self.key == "StartTimeBefore" {
                        started < t
                    } else {
                        started > t
                    }
                });
            }
            _ => None,
        };
        field.is_some_and(|f| self.values.contains(&f))
    }
}

/// `count` steps of one automation in start-time order, one second apart: every fifth is
/// a `Failed` aws:executeScript step, the others succeed; the steps from the 11th on run
/// inside the loop step 10.
pub fn synthetic_steps(count: usize) -> Vec<Value> {
    let start = 1_714_557_600.0_f64;
    (1..=count)
        .map(|n| {
            let failed = n % 5 == 0;
            let mut step = json!({
                "StepName": format!("step{n}"),
                "Action": if failed { "aws:executeScript" } else { "aws:executeAwsApi" },
                "ExecutionStartTime": start + n as f64,
                "ExecutionEndTime": start + n as f64 + 0.75,
                "StepStatus": if failed { "Failed" } else { "Success" },
                "Inputs": {"Service": "\"ec2\"", "Api": "\"DescribeInstances\""},
                "Outputs": {"Count": [n.to_string()]},
                "StepExecutionId": step_id(n),
                "OverriddenParameters": {},
                "IsCritical": true,
                "ValidNextSteps": [],
            });
            if failed {
                step["FailureMessage"] = json!(format!("step{n} failed"));
                step["FailureDetails"] =
                    json!({"FailureStage": "Invocation", "FailureType": "Action", "Details": {}});
            }
            if n > 10 {
                step["ParentStepDetails"] = json!({
                    "StepExecutionId": step_id(10),
                    "StepName": "step10",
                    "Action": "aws:loop",
                    "Iteration": n - 10,
                    "IteratorValue": format!("i-{n:017x}"),
                });
            }
            step
        })
        .collect()
}

/// The StepExecutionId of synthetic step `n`.
pub fn step_id(n: usize) -> String {
    format!("7d3e5f10-0000-4000-8000-{n:012x}")
}

pub const GET_AUTOMATION_EXECUTION: &str = "AmazonSSM.GetAutomationExecution";

/// GetAutomationExecution over these automations (ID → the `AutomationExecution`
/// object): the status call. A missing one is AutomationExecutionNotFoundException.
pub fn get_automation_execution(automations: HashMap<String, Value>) -> Answer {
    Answer {
        target: GET_AUTOMATION_EXECUTION,
        json_version: "1.1",
        answer: Box::new(move |request| {
            let id = request["AutomationExecutionId"]
                .as_str()
                .unwrap_or_default();
            let automation = automations.get(id).ok_or_else(|| {
                ApiError::new(
                    400,
                    "AutomationExecutionNotFoundException",
                    format!("Automation Execution with id {id} does not exist."),
                )
            })?;
            Ok(json!({ "AutomationExecution": automation }))
        }),
    }
}

/// An automation that runs as the clock goes: each step `(name, starts, ends, outcome)`
/// (seconds after the first request to either call) is Pending, then InProgress from `starts` (with its
/// start time), then `outcome` from `ends` (with its end time). GetAutomationExecution
/// says InProgress until every step has ended, then Failed if one failed, else Success.
pub fn advancing_automation(
    id: &str,
    plan: Vec<(&'static str, f64, f64, &'static str)>,
) -> (Api, Answer) {
    advancing_automation_scaled(id, plan, 1.0)
}

/// [`advancing_automation`], its steps' start and end times `scale` times as far apart
/// as the plan's (a long automation told in a few seconds).
pub fn advancing_automation_scaled(
    id: &str,
    plan: Vec<(&'static str, f64, f64, &'static str)>,
    scale: f64,
) -> (Api, Answer) {
    // The clock starts with the first request: what the first read sees does not depend
    // on how long histx took to start.
    let started = std::sync::Mutex::new(None::<std::time::Instant>);
    let epoch = 1_714_557_600.0_f64;
    let plan = std::sync::Arc::new(plan);
    let steps_now = {
        let plan = plan.clone();
        move || -> Vec<Value> {
            let now = started
                .lock()
                .unwrap()
                .get_or_insert_with(std::time::Instant::now)
                .elapsed()
                .as_secs_f64();
            plan.iter()
                .enumerate()
                .map(|(n, (name, starts, ends, outcome))| {
                    let mut step = json!({
                        "StepName": name,
                        "Action": "aws:executeAwsApi",
                        "StepExecutionId": step_id(n + 1),
                        "StepStatus": "Pending",
                        "IsCritical": true,
                    });
                    if now >= *starts {
                        step["StepStatus"] = json!("InProgress");
                        step["ExecutionStartTime"] = json!(epoch + starts * scale);
                    }
                    if now >= *ends {
                        step["StepStatus"] = json!(outcome);
                        step["ExecutionEndTime"] = json!(epoch + ends * scale);
                    }
                    step
                })
                .collect()
        }
    };
    let steps_now = std::sync::Arc::new(steps_now);
    let (steps_id, listed) = (id.to_string(), steps_now.clone());
    let api = steps_api(Box::new(move |asked| {
        // Steps that have not started have no start time: they sort last.
        (asked == steps_id).then(|| listed())
    }));
    let id = id.to_string();
    let status = Answer {
        target: GET_AUTOMATION_EXECUTION,
        json_version: "1.1",
        answer: Box::new(move |request| {
            if request["AutomationExecutionId"] != id.as_str() {
                return Err(ApiError::new(
                    400,
                    "AutomationExecutionNotFoundException",
                    "no such automation",
                ));
            }
            let steps = steps_now();
            let statuses: Vec<&str> = steps
                .iter()
                .map(|s| s["StepStatus"].as_str().unwrap())
                .collect();
            let status = if statuses
                .iter()
                .any(|s| matches!(*s, "Pending" | "InProgress"))
            {
                "InProgress"
            } else if statuses.contains(&"Failed") {
                "Failed"
            } else {
                "Success"
            };
            Ok(json!({"AutomationExecution": {
                "AutomationExecutionId": id,
                "AutomationExecutionStatus": status,
                "ExecutionStartTime": epoch,
            }}))
        }),
    };
    (api, status)
}

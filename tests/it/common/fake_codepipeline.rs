//! The fake's CodePipeline ListActionExecutions and ListPipelineExecutions, as the API
//! reference documents them: maxResults 1 to 100 (100 by default), newest first,
//! filter.pipelineExecutionId, and the errors PipelineNotFoundException,
//! PipelineExecutionNotFoundException (an execution ID that does not belong to the
//! pipeline), InvalidNextTokenException and ValidationException.

use super::fake::{Answer, Api, ApiError, Select};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

pub const LIST_ACTIONS: &str = "CodePipeline_20150709.ListActionExecutions";
pub const LIST_EXECUTIONS: &str = "CodePipeline_20150709.ListPipelineExecutions";

const ACCOUNT: &str = "123456789012";

/// The pipelines served: name → every action execution (any order).
pub type Pipelines = HashMap<String, Vec<Value>>;

/// An operation that pages as both of these do.
fn page_api(target: &'static str, records_key: &'static str, select: Select) -> Api {
    Api {
        target,
        json_version: "1.1",
        page_size_key: "maxResults",
        default_page_size: 100,
        max_page_size: 100,
        cap_when_set: None,
        zero_means_default: false,
        request_token_key: "nextToken",
        response_token_key: "nextToken",
        records_key,
        invalid_token: ApiError::new(
            400,
            "InvalidNextTokenException",
            "The next token was specified in an invalid format. Make sure that the next token you provide is the token returned by a previous call.",
        ),
        invalid_page_size: ApiError::new(
            400,
            "ValidationException",
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
        ),
        select,
    }
}

fn pipeline_not_found(name: &str) -> ApiError {
    ApiError::new(
        400,
        "PipelineNotFoundException",
        format!(
            "The account with id '{ACCOUNT}' does not include a pipeline with the name '{name}'"
        ),
    )
}

fn start_of(action: &Value) -> f64 {
    action["startTime"].as_f64().unwrap_or_default()
}

/// ListActionExecutions over these pipelines.
pub fn list_action_executions(pipelines: Pipelines) -> Api {
    serve_actions(pipelines, true)
}

/// A ListActionExecutions that ignores filter.pipelineExecutionId, as a faulty service or
/// proxy might: histx must still show only the execution it asked for.
pub fn list_action_executions_ignoring_filter(pipelines: Pipelines) -> Api {
    serve_actions(pipelines, false)
}

fn serve_actions(pipelines: Pipelines, honour_filter: bool) -> Api {
    page_api(
        LIST_ACTIONS,
        "actionExecutionDetails",
        Box::new(move |request| {
            let name = request["pipelineName"].as_str().unwrap_or_default();
            let actions = pipelines
                .get(name)
                .ok_or_else(|| pipeline_not_found(name))?;
            let filter = &request["filter"];
            if !filter["latestInPipelineExecution"].is_null() {
                return Err(ApiError::new(
                    400,
                    "ValidationException",
                    "this fake does not implement filter.latestInPipelineExecution",
                ));
            }
            let wanted = filter["pipelineExecutionId"].as_str();
            if let Some(wanted) = wanted {
                if !actions.iter().any(|a| a["pipelineExecutionId"] == wanted) {
                    return Err(ApiError::new(
                    400,
                    "PipelineExecutionNotFoundException",
                    format!("Pipeline execution ID {wanted} does not belong to pipeline {name} or does not exist"),
                ));
                }
            }
            let mut selected: Vec<Value> = actions
                .iter()
                .filter(|a| {
                    !honour_filter || wanted.is_none_or(|id| a["pipelineExecutionId"] == id)
                })
                .cloned()
                .collect();
            selected.sort_by(|a, b| start_of(b).total_cmp(&start_of(a)));
            Ok(selected)
        }),
    )
}

/// ListPipelineExecutions over these pipelines, each execution summarized from its actions.
pub fn list_pipeline_executions(pipelines: Pipelines) -> Api {
    page_api(
        LIST_EXECUTIONS,
        "pipelineExecutionSummaries",
        Box::new(move |request| {
            let name = request["pipelineName"].as_str().unwrap_or_default();
            let actions = pipelines
                .get(name)
                .ok_or_else(|| pipeline_not_found(name))?;
            let mut executions: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
            for action in actions {
                let id = action["pipelineExecutionId"].as_str().unwrap_or_default();
                let start = start_of(action);
                let update = action["lastUpdateTime"].as_f64().unwrap_or(start);
                let entry = executions.entry(id).or_insert((start, update));
                entry.0 = entry.0.min(start);
                entry.1 = entry.1.max(update);
            }
            let outcome = |id: &str| execution_status(actions, id);
            let mut summaries: Vec<Value> = executions
            .into_iter()
            .map(|(id, (start, update))| {
                json!({
                    "pipelineExecutionId": id,
                    "status": outcome(id),
                    "startTime": start,
                    "lastUpdateTime": update,
                    "sourceRevisions": [],
                    "trigger": {"triggerType": "StartPipelineExecution", "triggerDetail": "arn:aws:iam::123456789012:user/dev"},
                    "executionMode": "SUPERSEDED",
                    "executionType": "STANDARD",
                })
            })
            .collect();
            summaries.sort_by(|a, b| start_of(b).total_cmp(&start_of(a)));
            Ok(summaries)
        }),
    )
}

/// A pipeline execution's status from its actions, each action's latest run deciding
/// as in the service (a retry that passed makes good the run that failed); `None` when
/// the execution has no action.
fn execution_status(actions: &[Value], id: &str) -> Option<&'static str> {
    let mut latest: BTreeMap<(&str, &str), (f64, &str)> = BTreeMap::new();
    for action in actions.iter().filter(|a| a["pipelineExecutionId"] == id) {
        let name = (
            action["stageName"].as_str().unwrap_or_default(),
            action["actionName"].as_str().unwrap_or_default(),
        );
        let start = start_of(action);
        let status = action["status"].as_str().unwrap_or_default();
        let run = latest.entry(name).or_insert((start, status));
        if start >= run.0 {
            *run = (start, status);
        }
    }
    let statuses: Vec<&str> = latest.values().map(|(_, status)| *status).collect();
    Some(if statuses.is_empty() {
        return None;
    } else if statuses.contains(&"Failed") {
        "Failed"
    } else if statuses.contains(&"InProgress") {
        "InProgress"
    } else if statuses.contains(&"Abandoned") {
        "Superseded"
    } else {
        "Succeeded"
    })
}

pub const GET_EXECUTION: &str = "CodePipeline_20150709.GetPipelineExecution";

/// GetPipelineExecution over these pipelines: the status call, the execution's status
/// from its actions, or `statuses` (execution ID → status) where a test sets one.
pub fn get_pipeline_execution(pipelines: Pipelines, statuses: HashMap<String, String>) -> Answer {
    Answer {
        target: GET_EXECUTION,
        json_version: "1.1",
        answer: Box::new(move |request| {
            let name = request["pipelineName"].as_str().unwrap_or_default();
            let id = request["pipelineExecutionId"].as_str().unwrap_or_default();
            let actions = pipelines
                .get(name)
                .ok_or_else(|| pipeline_not_found(name))?;
            let status = statuses
                .get(id)
                .map(String::as_str)
                .or_else(|| execution_status(actions, id))
                .ok_or_else(|| {
                    ApiError::new(
                        400,
                        "PipelineExecutionNotFoundException",
                        format!("Pipeline execution '{id}' does not exist in pipeline '{name}'"),
                    )
                })?;
            Ok(json!({"pipelineExecution": {
                "pipelineName": name,
                "pipelineVersion": 1,
                "pipelineExecutionId": id,
                "status": status,
                "artifactRevisions": [],
                "executionMode": "SUPERSEDED",
                "executionType": "STANDARD",
            }}))
        }),
    }
}

/// `count` action executions of one pipeline execution, started `start` seconds after the
/// epoch one second apart, in stages of ten actions; every seventh fails.
pub fn synthetic_actions(execution: &str, count: usize, start: f64) -> Vec<Value> {
    (0..count)
        .map(|n| {
            let failed = n % 7 == 6;
            let mut action = json!({
                "pipelineExecutionId": execution,
                "actionExecutionId": format!("{}-{n:04}", &execution[..8]),
                "pipelineVersion": 3,
                "stageName": format!("Stage{}", n / 10),
                "actionName": format!("Action{n}"),
                "startTime": start + n as f64,
                "lastUpdateTime": start + n as f64 + 0.5,
                "status": if failed { "Failed" } else { "Succeeded" },
                "input": {
                    "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                    "configuration": {"ProjectName": format!("project-{n}")},
                    "resolvedConfiguration": {"ProjectName": format!("project-{n}")},
                    "region": "us-east-1",
                    "inputArtifacts": [],
                },
                "output": {
                    "outputArtifacts": [],
                    "executionResult": {"externalExecutionId": format!("build-{n}"), "externalExecutionSummary": "Build done"},
                    "outputVariables": {},
                },
            });
            if failed {
                action["output"]["executionResult"]["errorDetails"] =
                    json!({"code": "JobFailed", "message": format!("Action{n} failed")});
            }
            action
        })
        .collect()
}

/// A pipeline execution that runs as the clock goes: each action `(stage.action, starts,
/// ends, outcome)` (seconds after the first request) is listed from `starts` on,
/// InProgress, then `outcome` from `ends`, newest first as the service lists them.
/// GetPipelineExecution says InProgress until every action has ended, then Failed if
/// one failed, else Succeeded.
pub fn advancing_execution(
    pipeline: &str,
    execution: &str,
    plan: Vec<(&'static str, f64, f64, &'static str)>,
) -> (Api, Answer) {
    let started = std::sync::Mutex::new(None::<std::time::Instant>);
    let epoch = 1_714_557_600.0_f64;
    let (pipeline, execution) = (pipeline.to_string(), execution.to_string());
    let (planned, id) = (plan.len(), execution.clone());
    let actions_now = std::sync::Arc::new(move || -> Vec<Value> {
        let now = started
            .lock()
            .unwrap()
            .get_or_insert_with(std::time::Instant::now)
            .elapsed()
            .as_secs_f64();
        let mut actions: Vec<Value> = plan
            .iter()
            .enumerate()
            .filter(|(_, (_, starts, _, _))| now >= *starts)
            .map(|(n, (name, starts, ends, outcome))| {
                let (stage, action) = name.split_once('.').unwrap();
                let done = now >= *ends;
                json!({
                    "pipelineExecutionId": id,
                    "actionExecutionId": format!("{}-{n:04}", &id[..8]),
                    "pipelineVersion": 1,
                    "stageName": stage,
                    "actionName": action,
                    "startTime": epoch + starts,
                    "lastUpdateTime": epoch + if done { *ends } else { now },
                    "status": if done { *outcome } else { "InProgress" },
                    "input": {"actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}},
                    "output": {},
                })
            })
            .collect();
        actions.sort_by(|a, b| start_of(b).total_cmp(&start_of(a)));
        actions
    });
    let (listed, name) = (actions_now.clone(), pipeline.clone());
    let list = page_api(
        LIST_ACTIONS,
        "actionExecutionDetails",
        Box::new(move |request| {
            let asked = request["pipelineName"].as_str().unwrap_or_default();
            if asked != name {
                return Err(pipeline_not_found(asked));
            }
            Ok(listed())
        }),
    );
    let status = Answer {
        target: GET_EXECUTION,
        json_version: "1.1",
        answer: Box::new(move |request| {
            if request["pipelineExecutionId"] != execution.as_str() {
                return Err(ApiError::new(
                    400,
                    "PipelineExecutionNotFoundException",
                    "no such execution",
                ));
            }
            let actions = actions_now();
            let statuses: Vec<&str> = actions
                .iter()
                .map(|a| a["status"].as_str().unwrap())
                .collect();
            let status = if actions.len() < planned || statuses.contains(&"InProgress") {
                "InProgress"
            } else if statuses.contains(&"Failed") {
                "Failed"
            } else {
                "Succeeded"
            };
            Ok(json!({"pipelineExecution": {
                "pipelineName": pipeline,
                "pipelineExecutionId": execution,
                "status": status,
            }}))
        }),
    };
    (list, status)
}

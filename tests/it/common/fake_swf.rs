//! The fake's SWF, as its API reference documents it: GetWorkflowExecutionHistory pages
//! 1000 events when maximumPageSize is unset, caps a set value at 100 and refuses more
//! than 1000, honours reverseOrder, and answers UnknownResourceFault for an unknown domain
//! or execution; ListOpenWorkflowExecutions and ListClosedWorkflowExecutions (for run
//! discovery) filter by executionFilter and startTimeFilter and list newest first.
//! Errors carry SWF's fully qualified `__type` (`com.amazonaws.swf.base.model#...`).

use super::fake::{Api, ApiError, FakeAws};
use serde_json::{json, Value};
use std::sync::Arc;

pub const HISTORY: &str = "SimpleWorkflowService.GetWorkflowExecutionHistory";
pub const LIST_OPEN: &str = "SimpleWorkflowService.ListOpenWorkflowExecutions";
pub const LIST_CLOSED: &str = "SimpleWorkflowService.ListClosedWorkflowExecutions";

/// SWF's error codes, as its JSON error bodies spell them.
pub fn fault(name: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(
        400,
        &format!("com.amazonaws.swf.base.model#{name}"),
        message,
    )
}

fn validation(message: impl Into<String>) -> ApiError {
    ApiError::new(
        400,
        "com.amazon.coral.validate#ValidationException",
        message,
    )
}

/// One workflow run the fake knows.
#[derive(Debug, Clone)]
pub struct FakeRun {
    pub domain: String,
    pub workflow_id: String,
    pub run_id: String,
    /// startTimestamp, epoch seconds.
    pub started: f64,
    /// `None` while the run is open, else its closeStatus (`COMPLETED`, `FAILED`, ...).
    pub close_status: Option<String>,
    /// The history, oldest first.
    pub events: Vec<Value>,
}

impl FakeRun {
    pub fn new(
        domain: &str,
        workflow_id: &str,
        run_id: &str,
        started: f64,
        events: Vec<Value>,
    ) -> Self {
        FakeRun {
            domain: domain.into(),
            workflow_id: workflow_id.into(),
            run_id: run_id.into(),
            started,
            close_status: Some("COMPLETED".into()),
            events,
        }
    }

    pub fn open(mut self) -> Self {
        self.close_status = None;
        self
    }

    pub fn closed(mut self, status: &str) -> Self {
        self.close_status = Some(status.into());
        self
    }

    fn info(&self) -> Value {
        let mut info = json!({
            "execution": {"workflowId": self.workflow_id, "runId": self.run_id},
            "workflowType": {"name": "Synthetic", "version": "1"},
            "startTimestamp": self.started,
            "executionStatus": if self.close_status.is_some() { "CLOSED" } else { "OPEN" },
            "cancelRequested": false,
        });
        if let Some(status) = &self.close_status {
            info["closeStatus"] = json!(status);
            info["closeTimestamp"] = json!(self.started + 60.0);
        }
        info
    }
}

/// Serves the three operations over these runs. A domain is known when a run is in it.
pub fn serve(fake: &FakeAws, runs: Vec<FakeRun>) {
    let runs = Arc::new(runs);
    fake.serve(get_workflow_execution_history(runs.clone()));
    fake.serve(list_executions(LIST_OPEN, runs.clone(), false));
    fake.serve(list_executions(LIST_CLOSED, runs, true));
}

fn check_domain(runs: &[FakeRun], request: &Value) -> Result<String, ApiError> {
    let domain = request
        .get("domain")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if runs.iter().any(|run| run.domain == domain) {
        Ok(domain)
    } else {
        Err(fault(
            "UnknownResourceFault",
            format!("Unknown domain: {domain}"),
        ))
    }
}

pub fn get_workflow_execution_history(runs: Arc<Vec<FakeRun>>) -> Api {
    Api {
        target: HISTORY,
        json_version: "1.0",
        page_size_key: "maximumPageSize",
        default_page_size: 1000,
        max_page_size: 1000,
        cap_when_set: Some(100),
        zero_means_default: true,
        request_token_key: "nextPageToken",
        response_token_key: "nextPageToken",
        records_key: "events",
        invalid_token: validation("Invalid nextPageToken"),
        invalid_page_size: validation(
            "1 validation error detected: Value at 'maximumPageSize' failed to satisfy constraint: Member must have value less than or equal to 1000",
        ),
        select: Box::new(move |request| {
            let domain = check_domain(&runs, request)?;
            let workflow_id = request.pointer("/execution/workflowId").and_then(Value::as_str).unwrap_or_default();
            let run_id = request.pointer("/execution/runId").and_then(Value::as_str).unwrap_or_default();
            let run = runs
                .iter()
                .find(|r| r.domain == domain && r.workflow_id == workflow_id && r.run_id == run_id)
                .ok_or_else(|| {
                    fault(
                        "UnknownResourceFault",
                        format!("Unknown execution: WorkflowExecution=[workflowId={workflow_id}, runId={run_id}]"),
                    )
                })?;
            let mut events = run.events.clone();
            if request.get("reverseOrder") == Some(&Value::Bool(true)) {
                events.reverse();
            }
            Ok(events)
        }),
    }
}

fn list_executions(target: &'static str, runs: Arc<Vec<FakeRun>>, closed: bool) -> Api {
    Api {
        target,
        json_version: "1.0",
        page_size_key: "maximumPageSize",
        default_page_size: 1000,
        max_page_size: 1000,
        cap_when_set: None,
        zero_means_default: true,
        request_token_key: "nextPageToken",
        response_token_key: "nextPageToken",
        records_key: "executionInfos",
        invalid_token: validation("Invalid nextPageToken"),
        invalid_page_size: validation("maximumPageSize must be at most 1000"),
        select: Box::new(move |request| {
            let domain = check_domain(&runs, request)?;
            let oldest = request
                .pointer("/startTimeFilter/oldestDate")
                .and_then(Value::as_f64)
                .ok_or_else(|| validation("startTimeFilter.oldestDate is required"))?;
            let latest = request
                .pointer("/startTimeFilter/latestDate")
                .and_then(Value::as_f64)
                .unwrap_or(f64::MAX);
            let workflow_id = request
                .pointer("/executionFilter/workflowId")
                .and_then(Value::as_str);
            let close_status = list_filters(request, closed)?;
            let mut matching: Vec<&FakeRun> = runs
                .iter()
                .filter(|r| r.domain == domain && r.close_status.is_some() == closed)
                .filter(|r| workflow_id.is_none_or(|id| r.workflow_id == id))
                .filter(|r| close_status.is_none_or(|s| r.close_status.as_deref() == Some(s)))
                .filter(|r| (oldest..=latest).contains(&r.started))
                .collect();
            // Newest first, as the service lists them; reverseOrder: oldest first.
            matching.sort_by(|a, b| b.started.total_cmp(&a.started));
            if request.get("reverseOrder") == Some(&Value::Bool(true)) {
                matching.reverse();
            }
            Ok(matching.iter().map(|r| r.info()).collect())
        }),
    }
}

/// The list filters beyond the time window, checked as the API reference says:
/// executionFilter, typeFilter, tagFilter and closeStatusFilter are mutually exclusive
/// (closeStatusFilter only on the closed list). Returns the closeStatusFilter's status.
fn list_filters(request: &Value, closed: bool) -> Result<Option<&str>, ApiError> {
    let exclusive = [
        "executionFilter",
        "typeFilter",
        "tagFilter",
        "closeStatusFilter",
    ];
    if exclusive
        .iter()
        .filter(|k| request.get(**k).is_some())
        .count()
        > 1
    {
        return Err(validation(
            "executionFilter, typeFilter, tagFilter and closeStatusFilter are mutually exclusive",
        ));
    }
    let status = request
        .pointer("/closeStatusFilter/status")
        .and_then(Value::as_str);
    if status.is_some() && !closed {
        return Err(validation(
            "closeStatusFilter is a filter of closed executions",
        ));
    }
    Ok(status)
}

/// A synthetic history of `count` events: the run starts, then activities `Step1`,
/// `Step2`, ... are scheduled, started and completed one after another, each with input
/// and result.
pub fn synthetic_history(count: usize) -> Vec<Value> {
    let base = 1_700_000_000.0_f64;
    (1..=count)
        .map(|id| {
            let time = ((base + id as f64 * 0.001) * 1000.0).round() / 1000.0;
            let mut event = json!({"eventId": id, "eventTimestamp": time});
            if id == 1 {
                event["eventType"] = json!("WorkflowExecutionStarted");
                event["workflowExecutionStartedEventAttributes"] = json!({
                    "input": "{\"n\":0}",
                    "childPolicy": "TERMINATE",
                    "taskList": {"name": "deciders"},
                    "workflowType": {"name": "Synthetic", "version": "1"},
                });
                return event;
            }
            // Events 2, 3, 4 are step 1; 5, 6, 7 step 2; ...
            let step = (id - 2) / 3 + 1;
            let scheduled = 3 * step - 1;
            match (id - 2) % 3 {
                0 => {
                    event["eventType"] = json!("ActivityTaskScheduled");
                    event["activityTaskScheduledEventAttributes"] = json!({
                        "activityId": format!("step-{step}"),
                        "activityType": {"name": format!("Step{step}"), "version": "1"},
                        "input": format!("{{\"n\":{step}}}"),
                        "taskList": {"name": "workers"},
                        "decisionTaskCompletedEventId": 0,
                    });
                }
                1 => {
                    event["eventType"] = json!("ActivityTaskStarted");
                    event["activityTaskStartedEventAttributes"] =
                        json!({"identity": "worker-1", "scheduledEventId": scheduled});
                }
                _ => {
                    event["eventType"] = json!("ActivityTaskCompleted");
                    event["activityTaskCompletedEventAttributes"] = json!({
                        "result": format!("{{\"n\":{step}}}"),
                        "scheduledEventId": scheduled,
                        "startedEventId": scheduled + 1,
                    });
                }
            }
            event
        })
        .collect()
}

pub const DESCRIBE: &str = "SimpleWorkflowService.DescribeWorkflowExecution";

/// A run of a workflow that runs as the clock goes ([`workflow_on_a_timeline`]): at each
/// `(at, events)` moment, seconds after the first request, these events are appended
/// to its history; once the last has come, the run is closed with `close_status`.
pub struct TimedRun {
    pub run_id: &'static str,
    pub moments: Vec<(f64, Vec<Value>)>,
    pub close_status: &'static str,
}

/// The runs of one workflow, each on its timeline (a run that continued as new, then the
/// new run): GetWorkflowExecutionHistory over the events each run has by now (ids from 1
/// in each run, timestamps their moment's), and DescribeWorkflowExecution (OPEN until a
/// run's last moment, then CLOSED with its closeStatus). The clock starts with the first
/// request. Both answer UnknownResourceFault for any other domain, workflow or run.
pub fn workflow_on_a_timeline(
    fake: &FakeAws,
    domain: &str,
    workflow_id: &str,
    runs: Vec<TimedRun>,
) {
    workflow_on_a_lagging_timeline(fake, domain, workflow_id, runs, 0.0);
}

/// [`workflow_on_a_timeline`], with a history that shows each moment `lag` seconds after
/// DescribeWorkflowExecution does (an eventually consistent history: the status says a
/// run closed before its closing event can be read).
pub fn workflow_on_a_lagging_timeline(
    fake: &FakeAws,
    domain: &str,
    workflow_id: &str,
    runs: Vec<TimedRun>,
    lag: f64,
) {
    let base = 1_700_000_000.0_f64;
    type Timeline = Vec<(f64, Vec<Value>)>;
    let runs: Vec<(String, Timeline, String)> = runs
        .into_iter()
        .map(|run| {
            let mut id = 0;
            let moments = run
                .moments
                .into_iter()
                .map(|(at, events)| {
                    let events = events
                        .into_iter()
                        .map(|mut event| {
                            id += 1;
                            event["eventId"] = json!(id);
                            event["eventTimestamp"] = json!(base + at);
                            event
                        })
                        .collect();
                    (at, events)
                })
                .collect();
            (
                run.run_id.to_string(),
                moments,
                run.close_status.to_string(),
            )
        })
        .collect();
    let clock = Arc::new(std::sync::Mutex::new(None::<std::time::Instant>));
    let state = Arc::new(runs);
    let (domain, workflow_id) = (domain.to_string(), workflow_id.to_string());
    // The run a request names: its events by now, whether it has closed, its close status
    // and the times it started and closed.
    let now = move |request: &Value,
                    lag: f64|
          -> Result<(Vec<Value>, bool, String, f64, f64), ApiError> {
        let elapsed = clock
            .lock()
            .unwrap()
            .get_or_insert_with(std::time::Instant::now)
            .elapsed()
            .as_secs_f64()
            - lag;
        let asked = |pointer: &str| {
            request
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        if asked("/domain") != domain {
            return Err(fault(
                "UnknownResourceFault",
                format!("Unknown domain: {}", asked("/domain")),
            ));
        }
        let (asked_workflow, asked_run) =
            (asked("/execution/workflowId"), asked("/execution/runId"));
        let unknown = || {
            fault(
                "UnknownResourceFault",
                format!("Unknown execution: WorkflowExecution=[workflowId={asked_workflow}, runId={asked_run}]"),
            )
        };
        if asked_workflow != workflow_id {
            return Err(unknown());
        }
        let (_, moments, close) = state
            .iter()
            .find(|(run, _, _)| *run == asked_run)
            .ok_or_else(unknown)?;
        // A lagging history still has the run's first events (it exists).
        let elapsed = if lag > 0.0 {
            elapsed.max(moments[0].0)
        } else {
            elapsed
        };
        let come: Vec<&(f64, Vec<Value>)> =
            moments.iter().filter(|(at, _)| *at <= elapsed).collect();
        if come.is_empty() {
            return Err(unknown());
        }
        let events = come
            .iter()
            .flat_map(|(_, events)| events.iter().cloned())
            .collect();
        let closed = come.len() == moments.len();
        let (started, ended) = (base + moments[0].0, base + moments[moments.len() - 1].0);
        Ok((events, closed, close.clone(), started, ended))
    };
    let now = Arc::new(now);
    let history_now = now.clone();
    let mut history = get_workflow_execution_history(Arc::new(Vec::new()));
    history.select = Box::new(move |request| {
        let (mut events, ..) = history_now(request, lag)?;
        if request.get("reverseOrder") == Some(&Value::Bool(true)) {
            events.reverse();
        }
        Ok(events)
    });
    fake.serve(history);
    fake.answer(super::fake::Answer {
        target: DESCRIBE,
        json_version: "1.0",
        answer: Box::new(move |request| {
            let (_, closed, close_status, started, ended) = now(request, 0.0)?;
            let mut info = json!({
                "execution": request["execution"],
                "workflowType": {"name": "Chained", "version": "1"},
                "startTimestamp": started,
                "executionStatus": if closed { "CLOSED" } else { "OPEN" },
                "cancelRequested": false,
            });
            if closed {
                info["closeStatus"] = json!(close_status);
                info["closeTimestamp"] = json!(ended);
            }
            Ok(json!({
                "executionInfo": info,
                "executionConfiguration": {
                    "taskStartToCloseTimeout": "300", "executionStartToCloseTimeout": "3600",
                    "taskList": {"name": "deciders"}, "childPolicy": "TERMINATE"
                },
                "openCounts": {"openActivityTasks": 0, "openDecisionTasks": if closed { 0 } else { 1 },
                    "openTimers": 0, "openChildWorkflowExecutions": 0},
            }))
        }),
    });
}

//! CodePipeline action executions into normalized records (spans). Their tree and
//! summary are in `tree.rs`.

use super::*;
use crate::model::{Event, EventId, Status};
use crate::services::Normalizer;
use crate::wire::{decode_structured, take_string, take_time};
use serde_json::{Map, Value};

/// The normalized status of an action execution's status.
pub fn status_of(status: &str) -> Status {
    match status {
        "InProgress" => Status::Running,
        "Succeeded" => Status::Succeeded,
        "Failed" => Status::Failed,
        // Stopped and abandoned, by a person or a newer execution: not the action's failure.
        // Superseded by a newer pipeline execution: not the action's failure.
        "Abandoned" => Status::Cancelled,
        _ => Status::Info,
    }
}

/// Whether an action execution with this status will not change any more.
pub(super) fn is_final(status: &str) -> bool {
    matches!(status, "Succeeded" | "Failed" | "Abandoned")
}

/// Normalizes action executions (see the README's JSON lines schema):
///
/// - `execution` is `pipeline/pipelineExecutionId` (the execution ID alone when the
///   pipeline is not named), `id` the actionExecutionId;
/// - `status` from the wire `status`, which stays in `details` verbatim (as do
///   `stageName` and `actionName`, which make `name`);
/// - `name` is `stage.action`; `parent_id` the stage name: stages have no record of
///   their own, so it groups an execution's actions by stage rather than naming an event;
/// - `time` is startTime; `end_time` (and `duration_ms`) lastUpdateTime once the action
///   is final (Succeeded, Failed, Abandoned); before that it is `details.lastUpdateTime`
///   (RFC 3339 UTC, like every normalized time);
/// - `type` is `category/provider` (`Build/CodeBuild`), `resource` the provider;
/// - `error`/`cause` from output.executionResult.errorDetails; `summary` the external
///   execution summary (a source's commit message) and its URL, `<like this>`;
/// - `input` holds configuration, resolvedConfiguration and inputArtifacts (values
///   holding a JSON object or array decoded); `output` outputVariables and outputArtifacts;
/// - `details` every other field under its own name, the nested ones lifted to the top
///   (actionTypeId, roleArn, region, namespace, externalExecutionId/Summary/Url,
///   logStreamARN, pipelineExecutionId, pipelineVersion, updatedBy, ...).
pub struct CodePipelineNormalizer {
    pipeline: Option<String>,
}

impl CodePipelineNormalizer {
    pub fn new(pipeline: Option<String>) -> Self {
        CodePipelineNormalizer { pipeline }
    }

    fn normalize_one(&self, raw: Value) -> Event {
        let Value::Object(mut fields) = raw else {
            let mut event = Event::new(SERVICE, "", Status::Info);
            event.details.insert("action".into(), raw);
            return event;
        };
        let status_text = take_string(&mut fields, "status");
        let status = status_text.as_deref().map_or(Status::Info, status_of);
        let mut event = Event::new(SERVICE, "", status);
        // The wire values mapped into normalized fields stay findable, verbatim.
        if let Some(text) = &status_text {
            event
                .details
                .insert("status".into(), Value::String(text.clone()));
        }
        let pipeline_execution = fields
            .get("pipelineExecutionId")
            .and_then(Value::as_str)
            .map(str::to_string);
        event.execution = match (&self.pipeline, pipeline_execution) {
            (Some(pipeline), Some(execution)) => Some(format!("{pipeline}/{execution}")),
            (None, Some(execution)) => Some(execution),
            (pipeline, None) => pipeline.clone(),
        };
        event.id = take_string(&mut fields, "actionExecutionId").map(EventId::Text);
        let stage = take_string(&mut fields, "stageName");
        let action = take_string(&mut fields, "actionName");
        event.name = match (&stage, action.clone()) {
            (Some(stage), Some(action)) => Some(format!("{stage}.{action}")),
            (None, Some(action)) => Some(action),
            (Some(stage), None) => Some(stage.clone()),
            (None, None) => None,
        };
        for (key, value) in [("stageName", &stage), ("actionName", &action)] {
            if let Some(value) = value {
                event
                    .details
                    .insert(key.into(), Value::String(value.clone()));
            }
        }
        event.parent_id = stage.map(EventId::Text);
        event.time = take_time(&mut fields, "startTime");
        let last_update = take_time(&mut fields, "lastUpdateTime");
        if status_text.as_deref().is_some_and(is_final) {
            event.end_time = last_update;
        } else if let Some(time) = last_update {
            // Not an end yet: kept as a detail, in the same form as the event's times.
            event
                .details
                .insert("lastUpdateTime".into(), Value::String(time.to_rfc3339()));
        }
        if let (Some(start), Some(end)) = (event.time, event.end_time) {
            event.duration_ms = Some(end.millis() - start.millis());
        }
        let input = fields.shift_remove("input");
        let output = fields.shift_remove("output");
        // Top-level fields first, so that a nested field of the same name is kept beside
        // them under `parent.name` instead of replacing them.
        event.details.extend(fields);
        match input {
            Some(Value::Object(input)) => take_input(&mut event, input),
            Some(other) => lift(event.details.map_mut(), "", "input".into(), other),
            None => {}
        }
        match output {
            Some(Value::Object(output)) => take_output(&mut event, output),
            Some(other) => lift(event.details.map_mut(), "", "output".into(), other),
            None => {}
        }
        event
    }
}

impl Normalizer for CodePipelineNormalizer {
    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event> {
        page.into_iter()
            .map(|raw| self.normalize_one(raw).compacted())
            .collect()
    }
}

/// The action's type and provider, its configuration and input artifacts; the rest of
/// `input` into `details`.
pub(super) fn take_input(event: &mut Event, mut input: Map<String, Value>) {
    if let Some(type_id) = input.get("actionTypeId").and_then(Value::as_object) {
        let text = |key: &str| type_id.get(key).and_then(Value::as_str).map(str::to_string);
        event.kind = match (text("category"), text("provider")) {
            (Some(category), Some(provider)) => format!("{category}/{provider}"),
            (category, provider) => category.or(provider).unwrap_or_default(),
        };
        event.resource = text("provider");
    }
    let mut payload = Map::new();
    for key in ["configuration", "resolvedConfiguration"] {
        if let Some(value) = input.shift_remove(key) {
            let value = match value {
                Value::Object(map) => Value::Object(
                    map.into_iter()
                        .map(|(k, v)| (k, decode_structured(v)))
                        .collect(),
                ),
                other => other,
            };
            payload.insert(key.to_string(), value);
        }
    }
    if let Some(artifacts) = input.shift_remove("inputArtifacts") {
        payload.insert("inputArtifacts".into(), artifacts);
    }
    if !payload.is_empty() {
        event.input = Some(payload.into());
    }
    for (key, value) in input {
        lift(event.details.map_mut(), "input", key, value);
    }
}

/// Output variables and artifacts; the execution result's error and summary; the rest of
/// `output` into `details`.
pub(super) fn take_output(event: &mut Event, mut output: Map<String, Value>) {
    let mut payload = Map::new();
    for key in ["outputVariables", "outputArtifacts"] {
        if let Some(value) = output.shift_remove(key) {
            payload.insert(key.to_string(), value);
        }
    }
    if !payload.is_empty() {
        event.output = Some(payload.into());
    }
    let result = match output.shift_remove("executionResult") {
        Some(Value::Object(result)) => Some(result),
        Some(other) => {
            lift(
                event.details.map_mut(),
                "output",
                "executionResult".into(),
                other,
            );
            None
        }
        None => None,
    };
    if let Some(mut result) = result {
        match result.shift_remove("errorDetails") {
            Some(Value::Object(mut error)) => {
                event.error = take_string(&mut error, "code");
                event.cause = take_string(&mut error, "message");
                if !error.is_empty() {
                    lift(
                        event.details.map_mut(),
                        "executionResult",
                        "errorDetails".into(),
                        Value::Object(error),
                    );
                }
            }
            Some(other) => lift(
                event.details.map_mut(),
                "executionResult",
                "errorDetails".into(),
                other,
            ),
            None => {}
        }
        let text = |key: &str| {
            result
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let summary = text("externalExecutionSummary").map(readable_summary);
        event.summary = match (summary, text("externalExecutionUrl")) {
            (Some(summary), Some(url)) => Some(format!("{summary} <{url}>")),
            (Some(summary), None) => Some(summary),
            (None, Some(url)) => Some(format!("<{url}>")),
            (None, None) => None,
        };
        for (key, value) in result {
            lift(event.details.map_mut(), "executionResult", key, value);
        }
    }
    for (key, value) in output {
        lift(event.details.map_mut(), "output", key, value);
    }
}

/// A provider's summary for people: source connections write a JSON object
/// (`{"ProviderType":"GitHub","CommitMessage":"..."}`), of which the commit message is
/// the readable part; any other summary is shown as it is.
pub(super) fn readable_summary(summary: &str) -> String {
    serde_json::from_str::<Value>(summary)
        .ok()
        .and_then(|value| value.get("CommitMessage")?.as_str().map(str::to_string))
        .unwrap_or_else(|| summary.to_string())
}

/// Puts a nested field into `details` under its own name, or `parent.name` if a field of
/// that name is already there: nothing the service sent is overwritten.
pub(super) fn lift(details: &mut Map<String, Value>, parent: &str, key: String, value: Value) {
    if !details.contains_key(&key) {
        details.insert(key, value);
        return;
    }
    let mut name = if parent.is_empty() {
        format!("{key}.1")
    } else {
        format!("{parent}.{key}")
    };
    while details.contains_key(&name) {
        name.push('_');
    }
    details.insert(name, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_field_is_overwritten_or_dropped() {
        let raw = serde_json::json!({
            "actionExecutionId": "a-1",
            "status": "Failed",
            "region": "eu-west-1",
            "input": {"region": "us-east-1", "actionTypeId": {"category": "Build", "provider": "CodeBuild"}},
            "output": {"executionResult": {"errorDetails": "not an object", "externalExecutionId": "x"}},
        });
        let event = CodePipelineNormalizer::new(None)
            .normalize(vec![raw])
            .remove(0);
        assert_eq!(event.details["region"], "eu-west-1");
        assert_eq!(event.details["input.region"], "us-east-1");
        assert_eq!(event.details["errorDetails"], "not an object");
        let odd = serde_json::json!({"actionExecutionId": "a-2", "input": null, "output": "weird"});
        let event = CodePipelineNormalizer::new(None)
            .normalize(vec![odd])
            .remove(0);
        assert_eq!(event.details["input"], Value::Null);
        assert_eq!(event.details["output"], "weird");
    }
    use serde_json::json;

    fn action(execution: &str, id: &str, start: f64) -> Value {
        json!({"pipelineExecutionId": execution, "actionExecutionId": id, "startTime": start})
    }

    fn ids(actions: &[Value]) -> Vec<&str> {
        actions
            .iter()
            .map(|a| a["actionExecutionId"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn actions_are_grouped_by_pipeline_execution_oldest_first() {
        // Newest first, as the API lists them; execution "b" started after "a" but overlaps it.
        let listed = vec![
            action("b", "b2", 40.0),
            action("a", "a3", 35.0),
            action("b", "b1", 30.0),
            action("a", "a2", 20.0),
            action("a", "a1", 10.0),
        ];
        let (all, chosen) = order_actions(listed.clone(), &Selection::All, false);
        assert_eq!(ids(&all), ["a1", "a2", "a3", "b1", "b2"]);
        assert_eq!(chosen, None);
        let (reversed, _) = order_actions(listed.clone(), &Selection::All, true);
        assert_eq!(ids(&reversed), ["b2", "b1", "a3", "a2", "a1"]);
        let (latest, chosen) = order_actions(listed.clone(), &Selection::Latest, false);
        assert_eq!(ids(&latest), ["b1", "b2"]);
        let chosen = chosen.unwrap();
        assert_eq!((chosen.id.as_str(), chosen.among), ("b", 2));
        assert_eq!(chosen.start, Some(Timestamp(30_000)));
        let (one, _) = order_actions(listed, &Selection::Execution("a".into()), true);
        assert_eq!(ids(&one), ["a3", "a2", "a1"]);
    }

    #[test]
    fn names_and_ids_are_checked() {
        assert!(check_pipeline_name("release-pipeline_v2.1@x").is_ok());
        assert!(check_pipeline_name("has space").is_err());
        assert!(check_pipeline_name("").is_err());
        assert!(check_execution_id("3137f7cb-7cf7-4cc4-8d6e-6a6b6d5e1a2b").is_ok());
        assert!(check_execution_id("latest").is_err());
    }

    #[test]
    fn statuses_map_and_only_final_ones_end_a_span() {
        assert_eq!(status_of("InProgress"), Status::Running);
        assert_eq!(status_of("Abandoned"), Status::Cancelled);
        assert_eq!(status_of("Paused"), Status::Info);
        let mut normalizer = CodePipelineNormalizer::new(Some("p".into()));
        let running = json!({"status": "InProgress", "startTime": 10.0, "lastUpdateTime": 12.5});
        let done = json!({"status": "Succeeded", "startTime": 10.0, "lastUpdateTime": 12.5});
        let events = normalizer.normalize(vec![running, done]);
        assert_eq!(events[0].end_time, None);
        assert_eq!(
            events[0].details["lastUpdateTime"],
            json!("1970-01-01T00:00:12.500Z")
        );
        assert_eq!(events[1].duration_ms, Some(2500));
    }
}

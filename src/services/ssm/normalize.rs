//! SSM step executions into normalized records (spans). Their tree and summary are in
//! `tree.rs`.

use super::*;
use crate::model::{Event, EventId, Json, Status};
use crate::services::Normalizer;
use crate::wire::{decode_payload, decode_structured, take_string, take_time};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Normalizes step executions (see the README's JSON lines schema):
///
/// - `time`/`end_time`/`duration_ms` from ExecutionStartTime and ExecutionEndTime;
/// - `type` is the Action (`aws:executeScript`), `name` the StepName, `id` the
///   StepExecutionId (older records have none: then `StepName#n`, the step's name and
///   its place among the steps of that name, in the order they are read), `parent_id`
///   the parent step's StepExecutionId (a step of a loop);
/// - `status` from StepStatus (which also stays in `details`, as 19 values map to 11);
/// - `resource` is what the action calls where its inputs name it (`ec2:DescribeInstances`,
///   a Lambda function, a runbook, a document, a stack, a script's runtime and handler),
///   else none (never the Action again: that is the `type`);
/// - `error` is FailureDetails' `FailureType/FailureStage` (FailureDetails stays in
///   `details` whole), `cause` the FailureMessage, `summary` the Response;
/// - `input` the Inputs (each value holds JSON and is decoded), `output` the Outputs;
/// - `details` every other field under its own name (Targets, TargetLocation,
///   TriggeredAlarms, OverriddenParameters, the rest of FailureDetails and
///   ParentStepDetails, ...).
///
/// A run-level record (`{"AutomationExecution": {...}}`, what a saved
/// GetAutomationExecution document hands over besides its steps) becomes one event of
/// type `AutomationExecution`: `id` the AutomationExecutionId, `name` the DocumentName,
/// `status` from AutomationExecutionStatus (kept in `details` too), its start and end,
/// `cause` its FailureMessage, `input` its Parameters, `output` its Outputs.
pub struct SsmNormalizer {
    execution: Option<String>,
    /// Steps read so far by name, to key steps that have no StepExecutionId.
    seen: HashMap<String, usize>,
}

impl SsmNormalizer {
    pub fn new(execution: Option<String>) -> Self {
        SsmNormalizer {
            execution,
            seen: HashMap::new(),
        }
    }

    fn normalize_one(&mut self, raw: Value) -> Event {
        let raw = match raw {
            Value::Object(mut fields) if is_run_record(&fields) => {
                return self.normalize_run(fields.shift_remove(RUN_KEY).unwrap_or_default())
            }
            other => other,
        };
        let Value::Object(mut fields) = raw else {
            let mut event = Event::new(SERVICE, "", Status::Info);
            event.execution = self.execution.clone();
            event.details.insert("step".into(), raw);
            return event;
        };
        let kind = take_string(&mut fields, "Action").unwrap_or_default();
        let status = fields
            .get("StepStatus")
            .and_then(Value::as_str)
            .map_or(Status::Info, status_of);
        let mut event = Event::new(SERVICE, kind, status);
        event.execution = self.execution.clone();
        event.id = take_string(&mut fields, "StepExecutionId").map(EventId::Text);
        event.name = take_string(&mut fields, "StepName");
        if event.id.is_none() {
            if let Some(name) = &event.name {
                let n = self.seen.entry(name.clone()).or_default();
                *n += 1;
                event.id = Some(EventId::Text(format!("{name}#{n}")));
            }
        }
        event.time = take_time(&mut fields, "ExecutionStartTime");
        event.end_time = take_time(&mut fields, "ExecutionEndTime");
        if let (Some(start), Some(end)) = (event.time, event.end_time) {
            event.duration_ms = Some(end.millis() - start.millis());
        }
        event.cause = take_string(&mut fields, "FailureMessage");
        event.summary = take_string(&mut fields, "Response");
        if let Some(Value::Object(failure)) = fields.get("FailureDetails") {
            // Joined into `error`, and kept verbatim in `details`.
            let parts: Vec<&str> = ["FailureType", "FailureStage"]
                .iter()
                .filter_map(|key| failure.get(*key).and_then(Value::as_str))
                .collect();
            event.error = Some(parts.join("/")).filter(|e| !e.is_empty());
        }
        if let Some(Value::Object(mut parent)) = fields.shift_remove("ParentStepDetails") {
            event.parent_id = take_string(&mut parent, "StepExecutionId").map(EventId::Text);
            if !parent.is_empty() {
                fields.insert("ParentStepDetails".into(), Value::Object(parent));
            }
        }
        let mut input = None;
        match fields.shift_remove("Inputs") {
            Some(Value::Object(inputs)) => {
                let decoded: Map<String, Value> = inputs
                    .into_iter()
                    .map(|(key, value)| (key, decode_payload(value)))
                    .collect();
                input = Some(Value::Object(decoded));
            }
            Some(other) => input = Some(other),
            None => {}
        }
        match fields.shift_remove("Outputs") {
            Some(Value::Object(outputs)) => {
                let decoded: Map<String, Value> = outputs
                    .into_iter()
                    .map(|(key, values)| (key, decode_output(values)))
                    .collect();
                event.output = Some(decoded.into());
            }
            Some(other) => event.output = Some(other.into()),
            None => {}
        }
        // None where the inputs name no callee: the action is already the `type`.
        event.resource = callee(&event.kind, input.as_ref());
        event.input = input.map(Json::from);
        event.details = fields.into();
        event
    }
}

impl SsmNormalizer {
    /// The run's own record (see the type's documentation).
    fn normalize_run(&self, run: Value) -> Event {
        let Value::Object(mut fields) = run else {
            let mut event = Event::new(SERVICE, RUN_KEY, Status::Info);
            event.execution = self.execution.clone();
            event.details.insert(RUN_KEY.into(), run);
            return event;
        };
        let status = fields
            .get("AutomationExecutionStatus")
            .and_then(Value::as_str)
            .map_or(Status::Info, status_of);
        let mut event = Event::new(SERVICE, RUN_KEY, status);
        let id = take_string(&mut fields, "AutomationExecutionId");
        event.execution = self.execution.clone().or_else(|| id.clone());
        event.id = id.map(EventId::Text);
        event.name = take_string(&mut fields, "DocumentName");
        event.time = take_time(&mut fields, "ExecutionStartTime");
        event.end_time = take_time(&mut fields, "ExecutionEndTime");
        if let (Some(start), Some(end)) = (event.time, event.end_time) {
            event.duration_ms = Some(end.millis() - start.millis());
        }
        event.cause = take_string(&mut fields, "FailureMessage");
        if let Some(parameters) = fields.shift_remove("Parameters") {
            event.input = Some(decode_output_map(parameters).into());
        }
        if let Some(outputs) = fields.shift_remove("Outputs") {
            event.output = Some(decode_output_map(outputs).into());
        }
        event.details = fields.into();
        event
    }
}

/// True for the run-level record a saved GetAutomationExecution document hands over.
pub fn is_run_record(record: &Map<String, Value>) -> bool {
    record.len() == 1 && record.contains_key(RUN_KEY)
}

/// A map of value lists (Parameters, Outputs), each value decoded where it holds JSON.
fn decode_output_map(values: Value) -> Value {
    match values {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, values)| (key, decode_output(values)))
                .collect(),
        ),
        other => other,
    }
}

impl Normalizer for SsmNormalizer {
    fn normalize(&mut self, page: Vec<Value>) -> Vec<Event> {
        page.into_iter()
            .map(|raw| self.normalize_one(raw).compacted())
            .collect()
    }
}

/// An output's values (a list of strings): those holding a JSON object or array decoded.
pub(super) fn decode_output(values: Value) -> Value {
    match values {
        Value::Array(items) => Value::Array(items.into_iter().map(decode_structured).collect()),
        other => decode_structured(other),
    }
}

/// What a step's action calls, where its (decoded) inputs name it.
pub(super) fn callee(action: &str, input: Option<&Value>) -> Option<String> {
    let input = input?.as_object()?;
    let text = |key: &str| input.get(key).and_then(Value::as_str).map(str::to_string);
    match action {
        "aws:executeAwsApi"
        | "aws:waitForAwsResourceProperty"
        | "aws:assertAwsResourceProperty" => Some(format!("{}:{}", text("Service")?, text("Api")?)),
        "aws:invokeLambdaFunction" => text("FunctionName"),
        "aws:executeAutomation" | "aws:runCommand" => text("DocumentName"),
        "aws:executeStateMachine" => text("stateMachineArn"),
        "aws:createStack" | "aws:deleteStack" => text("StackName"),
        "aws:invokeWebhook" => text("IntegrationName"),
        "aws:executeScript" => match (text("Runtime"), text("Handler")) {
            (Some(runtime), Some(handler)) => Some(format!("{runtime}:{handler}")),
            (runtime, _) => runtime,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_parse_and_check_their_key() {
        let filter = StepFilter::parse("stepexecutionstatus=failed,TimedOut").unwrap();
        assert_eq!(filter.key, "StepExecutionStatus");
        assert_eq!(filter.values, vec!["Failed", "TimedOut"]);
        assert_eq!(
            StepFilter::parse("StepName=a,b").unwrap().values,
            vec!["a", "b"]
        );
        for bad in ["StepName", "Colour=red", "StepName=", "StepName=a,,b"] {
            assert!(StepFilter::parse(bad).is_err(), "{bad}");
        }
        let unknown = StepFilter::parse("Colour=red").unwrap_err().to_string();
        assert!(unknown.contains("unknown key 'Colour'"), "{unknown}");
        assert!(unknown.contains("ParentStepExecutionId"), "{unknown}");
    }

    #[test]
    fn every_sdk_filter_key_is_in_the_help_and_the_matcher() {
        for key in filter_keys() {
            let filter = StepFilter::parse(&format!("{key}=2024-01-01T00:00:00Z")).unwrap();
            assert!(StepMatcher::new(&[filter]).is_ok(), "{key}");
        }
    }

    #[test]
    fn ids_and_arns_are_accepted() {
        let id = "4105a4fc-f944-11e6-9d32-0123456789ab";
        assert_eq!(AutomationExecution::parse(id).unwrap().id, id);
        let arn = format!("arn:aws:ssm:eu-west-1:123456789012:automation-execution/{id}");
        let parsed = AutomationExecution::parse(&arn).unwrap();
        assert_eq!(parsed.id, id);
        assert_eq!(parsed.region.as_deref(), Some("eu-west-1"));
        assert!(AutomationExecution::parse("i-0123456789abcdef0").is_err());
        assert!(AutomationExecution::parse("arn:aws:ssm:us-east-1:1:document/x").is_err());
    }

    #[test]
    fn every_sdk_status_is_mapped() {
        for status in AutomationExecutionStatus::values() {
            assert_ne!(status_of(status), Status::Info, "{status}");
        }
    }

    #[test]
    fn saved_steps_are_filtered_as_the_service_would() {
        let step = json!({"StepName": "a", "StepStatus": "Failed", "ExecutionStartTime": 1700000000.5,
            "ParentStepDetails": {"StepExecutionId": "p", "Iteration": 2}});
        let matcher = |filters: &[&str]| {
            let filters: Vec<StepFilter> = filters
                .iter()
                .map(|f| StepFilter::parse(f).unwrap())
                .collect();
            StepMatcher::new(&filters).unwrap().matches(&step)
        };
        assert!(matcher(&["StepName=b,a", "StepExecutionStatus=failed"]));
        assert!(!matcher(&["StepName=a", "StepExecutionStatus=Success"]));
        assert!(matcher(&[
            "ParentStepIteration=2",
            "ParentStepExecutionId=p"
        ]));
        assert!(matcher(&["StartTimeAfter=2023-11-14T22:13:20Z"]));
        assert!(!matcher(&["StartTimeBefore=2023-11-14T22:13:20Z"]));
        assert!(
            StepFilter::parse("StartTimeBefore=soon").is_err(),
            "refused as it is parsed"
        );
    }
}

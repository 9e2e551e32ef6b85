//! The SSM normalizer over a fixture of step executions with every field of the API
//! reference (and of the SDK, and one newer than both) set and every StepStatus value:
//! each step's span, type, name, status, resource, error and payloads, and that no
//! field of the wire step is lost. Also the same steps as the AWS CLI v2 prints them.

use crate::common;

use common::fake_ssm::STEP_STATUSES;
use common::table_lines;
use common::{histx, json_lines, repo_file};
use histx::services::ssm::SsmNormalizer;
use histx::services::Normalizer;
use serde_json::{json, Map, Value};

const FIXTURE: &str = "tests/fixtures/ssm/every-field.json";
const CLI_V2_FIXTURE: &str = "tests/fixtures/ssm/every-field-cli-v2.json";
const EXECUTION: &str = "8f2a6c1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b";

fn wire_steps() -> Vec<Value> {
    let text = std::fs::read_to_string(repo_file(FIXTURE)).unwrap();
    let page: Value = serde_json::from_str(&text).unwrap();
    page["StepExecutions"].as_array().unwrap().clone()
}

fn normalized() -> Vec<Value> {
    SsmNormalizer::new(Some(EXECUTION.into()))
        .normalize(wire_steps())
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect()
}

/// Every StepStatus and the status it must normalize to.
const EXPECTED_STATUS: &[(&str, &str)] = &[
    ("Pending", "pending"),
    ("InProgress", "running"),
    ("Waiting", "pending"),
    ("Success", "succeeded"),
    ("TimedOut", "timed_out"),
    ("Cancelling", "running"),
    ("Cancelled", "cancelled"),
    ("Failed", "failed"),
    ("PendingApproval", "pending"),
    ("Approved", "scheduled"),
    ("Rejected", "cancelled"),
    ("Scheduled", "scheduled"),
    ("RunbookInProgress", "running"),
    ("PendingChangeCalendarOverride", "pending"),
    ("ChangeCalendarOverrideApproved", "scheduled"),
    ("ChangeCalendarOverrideRejected", "cancelled"),
    ("CompletedWithSuccess", "succeeded"),
    ("CompletedWithFailure", "failed"),
    ("Exited", "cancelled"),
    // Newer than this code: kept as information, with the service's word in details.
    ("SomethingNewer", "info"),
];

fn seed_statuses() -> Option<Vec<String>> {
    let seed =
        std::fs::read_to_string(repo_file("../shared/seeds/003_77dc1155187c24c7.txt")).ok()?;
    let line = seed
        .lines()
        .find(|l| l.contains("'StepStatus': 'Pending'"))?;
    Some(
        line.split('\'')
            .filter(|s| !s.is_empty() && s.chars().all(char::is_alphanumeric) && *s != "StepStatus")
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn the_fixture_holds_every_status_and_each_is_mapped() {
    let in_fixture: Vec<String> = wire_steps()
        .iter()
        .map(|s| s["StepStatus"].as_str().unwrap().to_string())
        .collect();
    for status in STEP_STATUSES {
        assert!(
            in_fixture.iter().any(|s| s == status),
            "the fixture lacks {status}"
        );
        assert!(
            EXPECTED_STATUS.iter().any(|(s, _)| s == status),
            "{status} has no expected status"
        );
    }
    // Where the API reference is at hand, it lists the same 18 (the SDK adds Exited).
    if let Some(seed) = seed_statuses() {
        assert_eq!(seed.len(), 18, "{seed:?}");
        for status in &seed {
            assert!(STEP_STATUSES.contains(&status.as_str()), "{status}");
        }
    }
    for (event, wire) in normalized().iter().zip(wire_steps()) {
        let raw = wire["StepStatus"].as_str().unwrap();
        let expected = EXPECTED_STATUS.iter().find(|(s, _)| *s == raw).unwrap().1;
        assert_eq!(event["status"], json!(expected), "{raw}");
        assert_eq!(
            event["details"]["StepStatus"],
            json!(raw),
            "the service's word is kept"
        );
    }
}

#[test]
fn each_step_is_a_span_with_its_ids() {
    for (event, wire) in normalized().iter().zip(wire_steps()) {
        assert_eq!(event["service"], "ssm");
        assert_eq!(event["execution"], EXECUTION);
        assert_eq!(event["id"], wire["StepExecutionId"]);
        assert_eq!(event["type"], wire["Action"]);
        assert_eq!(event["name"], wire["StepName"]);
        match (
            wire["ExecutionStartTime"].as_f64(),
            wire["ExecutionEndTime"].as_f64(),
        ) {
            (Some(start), Some(end)) => {
                let start_ms = (start * 1000.0).round() as i64;
                let end_ms = (end * 1000.0).round() as i64;
                assert_eq!(event["time"], json!(rfc3339(start_ms)));
                assert_eq!(event["end_time"], json!(rfc3339(end_ms)));
                assert_eq!(event["duration_ms"], json!(end_ms - start_ms));
            }
            _ => {
                assert_eq!(event["name"], "notYetRun");
                for absent in [
                    "time",
                    "end_time",
                    "duration_ms",
                    "error",
                    "cause",
                    "output",
                ] {
                    assert!(event.get(absent).is_none(), "{absent}: {event}");
                }
            }
        }
        match wire["ParentStepDetails"]["StepExecutionId"].as_str() {
            Some(parent) => assert_eq!(event["parent_id"], parent),
            None => assert!(event.get("parent_id").is_none()),
        }
    }
}

fn rfc3339(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[test]
fn resources_errors_summaries_and_payloads() {
    let events = normalized();
    let step = |name: &str| events.iter().find(|e| e["name"] == name).unwrap().clone();

    // The resource is what the action calls, where its inputs name it.
    let expected_resources = [
        ("describeInstances", "ec2:DescribeInstances"),
        ("notifyStart", "acme-notify"),
        ("checkDisk", "python3.11:script_handler"),
        ("patchChild", "AWS-PatchInstanceWithRollback"),
        ("runPatch", "AWS-RunPatchBaseline"),
        (
            "orchestrate",
            "arn:aws:states:us-east-1:123456789012:stateMachine:Rollout",
        ),
        ("createStack", "acme-canary"),
        ("deleteStack", "acme-canary-old"),
        ("waitForStack", "cloudformation:DescribeStacks"),
        ("assertRunning", "ec2:DescribeInstanceStatus"),
        ("callWebhook", "acme-chatops"),
    ];
    for (name, resource) in expected_resources {
        assert_eq!(step(name)["resource"], resource, "{name}");
    }
    // No callee in the inputs: no resource, rather than the action (the `type`) again.
    for name in ["approveChange", "pause", "futureStep"] {
        let step = step(name);
        assert!(step.get("resource").is_none(), "{name}: {step}");
        assert!(step["type"].as_str().unwrap().starts_with("aws:"), "{step}");
    }

    let failed = step("deleteStack");
    assert_eq!(failed["status"], "failed");
    assert_eq!(
        failed["error"], "Throttling/PostVerification",
        "FailureType/FailureStage"
    );
    assert!(failed["cause"]
        .as_str()
        .unwrap()
        .starts_with("Step fails when it is Failed."));
    assert_eq!(failed["summary"], "Step deleteStack finished with Failed");
    assert_eq!(
        failed["details"]["FailureDetails"],
        json!({"FailureStage": "PostVerification", "FailureType": "Throttling", "Details": {"ExceptionMessage": ["An error occurred (7)"], "StackTrace": ["at line 7"]}}),
        "the wire values stay verbatim beside the joined error"
    );

    // Inputs hold JSON documents as strings: decoded. Outputs are lists of text: only
    // objects and arrays are decoded, "42" stays text.
    let script = step("checkDisk");
    assert_eq!(script["input"]["Runtime"], "python3.11");
    assert_eq!(script["input"]["InputPayload"], json!({"threshold": 80}));
    assert!(script["input"]["Script"]
        .as_str()
        .unwrap()
        .starts_with("def script_handler"));
    assert_eq!(
        script["output"]["OutputPayload"],
        json!([{"Payload": {"step": "checkDisk", "n": 2}}])
    );
    assert_eq!(script["output"]["Count"], json!(["42"]));
    let lambda = step("notifyStart");
    assert_eq!(
        lambda["input"]["Payload"],
        json!("{\"stage\": \"start\"}"),
        "a JSON string holding JSON is decoded once"
    );

    // A loop's iterations point at the loop step; the loop at its own parent.
    let loop_step = step("loopOverInstances");
    assert_eq!(step("sleep")["parent_id"], loop_step["id"]);
    assert_eq!(
        step("sleep")["details"]["ParentStepDetails"]["Iteration"],
        15
    );
    assert_eq!(
        loop_step["details"]["ParentStepDetails"]["StepName"],
        "outerLoop"
    );

    // Everything else keeps the service's names.
    let details = &step("describeInstances")["details"];
    assert_eq!(
        details["TargetLocation"]["TargetLocationAlarmConfiguration"]["Alarms"][0]["Name"],
        "acme-error-rate"
    );
    assert_eq!(details["TriggeredAlarms"][0]["State"], "ALARM");
    assert_eq!(details["ValidNextSteps"], json!(["sleep", "step:branch"]));
    assert_eq!(details["IsEnd"], true);
    assert_eq!(details["TimeoutSeconds"], 3600);
    assert_eq!(details["WarningMessage"], "Warning for describeInstances");
    assert_eq!(
        step("futureStep")["details"]["BrandNewField"],
        json!({"nested": [1, 2]})
    );
}

/// Every leaf of the wire step is somewhere in the normalized one: in a normalized field
/// or in `details` under its own name (nested objects keep their nesting there).
#[test]
fn no_field_is_lost() {
    for (event, wire) in normalized().iter().zip(wire_steps()) {
        let details: Map<String, Value> = event["details"].as_object().cloned().unwrap_or_default();
        for (key, value) in wire.as_object().unwrap() {
            let carried =
                match key.as_str() {
                    "StepExecutionId" => event["id"] == *value,
                    "StepName" => event["name"] == *value,
                    "Action" => event["type"] == *value,
                    "ExecutionStartTime" => event["time"].is_string(),
                    "ExecutionEndTime" => event["end_time"].is_string(),
                    "FailureMessage" => event["cause"] == *value,
                    "Response" => event["summary"] == *value,
                    "Inputs" => {
                        value.as_object().unwrap().iter().all(|(k, v)| {
                            event["input"][k] == histx::wire::decode_payload(v.clone())
                        })
                    }
                    "Outputs" => value.as_object().unwrap().iter().all(|(k, v)| {
                        let texts = v.as_array().unwrap();
                        texts
                            .iter()
                            .zip(event["output"][k].as_array().unwrap())
                            .all(|(text, out)| *out == histx::wire::decode_structured(text.clone()))
                    }),
                    "FailureDetails" => {
                        value
                            .as_object()
                            .unwrap()
                            .iter()
                            .all(|(k, v)| match k.as_str() {
                                "FailureType" | "FailureStage" => event["error"]
                                    .as_str()
                                    .unwrap()
                                    .contains(v.as_str().unwrap()),
                                _ => details["FailureDetails"][k] == *v,
                            })
                    }
                    "ParentStepDetails" => value.as_object().unwrap().iter().all(|(k, v)| match k
                        .as_str()
                    {
                        "StepExecutionId" => event["parent_id"] == *v,
                        _ => details["ParentStepDetails"][k] == *v,
                    }),
                    other => details.get(other) == Some(value),
                };
            assert!(
                carried,
                "{}.{key} = {value} is lost: {event}",
                wire["StepName"]
            );
        }
    }
}

#[test]
fn aws_cli_v2_output_reads_the_same_as_the_wire_shape() {
    let run = |file: &str| {
        let out = histx()
            .args(["ssm", EXECUTION, "--from", file, "-o", "jsonl"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        json_lines(&out)
    };
    let wire = run(FIXTURE);
    assert_eq!(wire, normalized());
    assert_eq!(
        run(CLI_V2_FIXTURE),
        wire,
        "ISO timestamps with an offset read the same"
    );
}

#[test]
fn raw_output_is_the_wire_steps_one_for_one() {
    let out = histx()
        .args(["ssm", "--from", FIXTURE, "-o", "raw"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_lines(&out), wire_steps());
}

#[test]
fn the_table_has_a_duration_column_and_no_control_characters() {
    let out = histx()
        .args(["ssm", "--from", FIXTURE, "--color", "never"])
        .env("COLUMNS", "250")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    let header = table_lines(&text)[0];
    assert!(
        header.contains("DURATION") && header.contains("SUMMARY"),
        "{header}"
    );
    let describe = text
        .lines()
        .find(|l| l.contains("describeInstances"))
        .unwrap();
    assert!(describe.contains("3.2s"), "the 3250 ms step: {describe}");
    // A step with a failure shows it; one with neither a failure nor a response, its resource.
    assert!(
        describe.contains("Action/InputValidation: Step fails"),
        "{describe}"
    );
    let pending = text.lines().find(|l| l.contains("notYetRun")).unwrap();
    assert!(pending.contains("ec2:StartInstances"), "{pending}");
}

//! The CodePipeline normalizer over a fixture of action executions with every field of the
//! API reference set, every status and action category, and fields newer than the SDK:
//! each action's span, type, name, status, error, summary and payloads, and that no field
//! of the wire action is lost. Also the order histx puts them in, and the same actions as
//! the AWS CLI v2 prints them.

use crate::common;

use common::table_lines;
use common::{histx, json_lines, repo_file};
use histx::services::codepipeline::CodePipelineNormalizer;
use histx::services::Normalizer;
use serde_json::{json, Map, Value};

const FIXTURE: &str = "tests/fixtures/codepipeline/every-field.json";
const CLI_V2_FIXTURE: &str = "tests/fixtures/codepipeline/every-field-cli-v2.json";
const PIPELINE: &str = "acme-release";
const OLDER: &str = "3137f7cb-7cf7-4cc4-8d6e-6a6b6d5e1a2b";
const NEWER: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/// The actions as the API lists them: newest first.
fn wire_actions() -> Vec<Value> {
    let text = std::fs::read_to_string(repo_file(FIXTURE)).unwrap();
    let page: Value = serde_json::from_str(&text).unwrap();
    page["actionExecutionDetails"].as_array().unwrap().clone()
}

fn normalized() -> Vec<Value> {
    CodePipelineNormalizer::new(Some(PIPELINE.into()))
        .normalize(wire_actions())
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect()
}

fn from_file(file: &str, args: &[&str]) -> Vec<Value> {
    let out = histx()
        .args(["codepipeline", PIPELINE, "--from", file, "-o", "jsonl"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    json_lines(&out)
}

const EXPECTED_STATUS: &[(&str, &str)] = &[
    ("InProgress", "running"),
    ("Succeeded", "succeeded"),
    ("Failed", "failed"),
    ("Abandoned", "cancelled"),
    // Newer than this code: kept as information, with the service's word in details.
    ("Paused", "info"),
];

/// A quoted enum on the API reference's line that holds `marker`.
fn seed_enum(marker: &str) -> Option<Vec<String>> {
    let seed =
        std::fs::read_to_string(repo_file("../shared/seeds/004_6b80e7905e1348f3.txt")).ok()?;
    let line = seed.lines().find(|l| l.contains(marker))?;
    let values = line.split(':').nth(1)?;
    Some(
        values
            .split('\'')
            .filter(|s| !s.is_empty() && s.chars().all(char::is_alphanumeric))
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn the_fixture_holds_every_status_category_and_owner() {
    let actions = wire_actions();
    let has = |path: &[&str], value: &str| {
        actions
            .iter()
            .any(|a| path.iter().fold(a, |v, k| &v[k]) == value)
    };
    for (status, _) in EXPECTED_STATUS {
        assert!(
            has(&["status"], status),
            "the fixture lacks status {status}"
        );
    }
    let categories = [
        "Source", "Build", "Deploy", "Test", "Invoke", "Approval", "Compute",
    ];
    for category in categories {
        assert!(
            has(&["input", "actionTypeId", "category"], category),
            "{category}"
        );
    }
    for owner in ["AWS", "ThirdParty", "Custom"] {
        assert!(has(&["input", "actionTypeId", "owner"], owner), "{owner}");
    }
    // Where the API reference is at hand, check the lists above against it.
    if let Some(statuses) = seed_enum("'status': 'InProgress'") {
        assert_eq!(statuses.len(), 4);
        for status in statuses {
            assert!(
                EXPECTED_STATUS.iter().any(|(s, _)| *s == status),
                "{status}"
            );
        }
    }
    if let Some(listed) = seed_enum("'category': 'Source'") {
        let mut listed = listed;
        let mut ours = categories.map(str::to_string).to_vec();
        listed.sort();
        ours.sort();
        assert_eq!(listed, ours);
    }
    for (event, wire) in normalized().iter().zip(&actions) {
        let raw = wire["status"].as_str().unwrap();
        let expected = EXPECTED_STATUS.iter().find(|(s, _)| *s == raw).unwrap().1;
        assert_eq!(event["status"], expected, "{raw}");
        if expected == "info" {
            assert_eq!(event["details"]["status"], raw);
        }
    }
}

#[test]
fn each_action_is_a_span_once_final() {
    for (event, wire) in normalized().iter().zip(wire_actions()) {
        let execution = wire["pipelineExecutionId"].as_str().unwrap();
        assert_eq!(event["service"], "codepipeline");
        assert_eq!(event["execution"], format!("{PIPELINE}/{execution}"));
        assert_eq!(event["id"], wire["actionExecutionId"]);
        assert_eq!(
            event["name"],
            format!(
                "{}.{}",
                wire["stageName"].as_str().unwrap(),
                wire["actionName"].as_str().unwrap()
            )
        );
        assert_eq!(event["parent_id"], wire["stageName"]);
        let type_id = &wire["input"]["actionTypeId"];
        assert_eq!(
            event["type"],
            format!(
                "{}/{}",
                type_id["category"].as_str().unwrap(),
                type_id["provider"].as_str().unwrap()
            )
        );
        assert_eq!(event["resource"], type_id["provider"]);
        let start = (wire["startTime"].as_f64().unwrap() * 1000.0).round() as i64;
        let update = (wire["lastUpdateTime"].as_f64().unwrap() * 1000.0).round() as i64;
        assert_eq!(event["time"], rfc3339(start));
        if ["Succeeded", "Failed", "Abandoned"].contains(&wire["status"].as_str().unwrap()) {
            assert_eq!(event["end_time"], rfc3339(update));
            assert_eq!(event["duration_ms"], update - start);
            assert!(event["details"].get("lastUpdateTime").is_none());
        } else {
            assert!(event.get("end_time").is_none() && event.get("duration_ms").is_none());
            assert_eq!(event["details"]["lastUpdateTime"], rfc3339(update));
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
fn errors_summaries_payloads_and_details() {
    let events = normalized();
    let action = |execution: &str, name: &str| {
        events
            .iter()
            .find(|e| e["name"] == name && e["execution"].as_str().unwrap().ends_with(execution))
            .unwrap()
            .clone()
    };

    let failed = action(OLDER, "Test.UnitTests");
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"], "JobFailed");
    assert!(failed["cause"]
        .as_str()
        .unwrap()
        .starts_with("Build terminated with state: FAILED."));
    let abandoned = action(OLDER, "Test.Lint");
    assert_eq!(
        (abandoned["status"].as_str(), abandoned["error"].as_str()),
        (Some("cancelled"), Some("Abandoned"))
    );

    // The provider's own summary and link.
    let build = action(NEWER, "Build.Compile");
    assert!(build.get("error").is_none());
    assert_eq!(
        build["summary"],
        "Compile succeeded <https://console.aws.amazon.com/codebuild/6>"
    );
    assert_eq!(build["details"]["externalExecutionId"], "ext-compile-6");
    assert_eq!(
        build["details"]["externalExecutionUrl"],
        "https://console.aws.amazon.com/codebuild/6"
    );
    assert!(build["details"]["logStreamARN"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:logs:"));

    // Configuration is the input; a value holding a JSON array is decoded, "false" stays text.
    assert_eq!(
        build["input"]["configuration"]["EnvironmentVariables"],
        json!([{"name": "COMMIT", "value": "#{SourceVariables.CommitId}", "type": "PLAINTEXT"}])
    );
    assert_eq!(
        build["input"]["resolvedConfiguration"]["EnvironmentVariables"][0]["value"],
        "4f1c2a9e"
    );
    assert_eq!(
        build["input"]["inputArtifacts"][0]["name"],
        "SourceArtifact"
    );
    assert_eq!(
        action(OLDER, "Source.Checkout")["input"]["configuration"]["DetectChanges"],
        "false"
    );
    assert_eq!(
        build["output"]["outputVariables"],
        json!({"IMAGE_TAG": "4f1c2a9e"})
    );
    assert_eq!(
        build["output"]["outputArtifacts"][0]["s3location"]["bucket"],
        "codepipeline-us-east-1-123456789012"
    );

    // Everything else under the service's names, lifted out of input and output.
    let details = &build["details"];
    assert_eq!(details["pipelineVersion"], 8);
    assert_eq!(details["pipelineExecutionId"], NEWER);
    assert_eq!(
        details["updatedBy"],
        "arn:aws:iam::123456789012:user/release-bot"
    );
    assert_eq!(
        details["roleArn"],
        "arn:aws:iam::123456789012:role/acme-release-compile"
    );
    assert_eq!(details["region"], "us-east-1");
    assert_eq!(details["namespace"], "CompileVariables");
    assert_eq!(
        details["actionTypeId"],
        json!({"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"})
    );

    // Fields newer than the SDK survive.
    let canary = action(NEWER, "Deploy.Canary");
    assert_eq!(
        canary["details"]["rollbackMetadata"],
        json!({"rollbackTargetPipelineExecutionId": OLDER})
    );
    assert_eq!(canary["details"]["newInputField"], "in");
    assert_eq!(canary["details"]["newOutputField"], "out");
    assert_eq!(canary["details"]["newResultField"], "result");
}

/// Every leaf of the wire action is somewhere in the normalized one: in a normalized
/// field, or in `details` under its own name (the fields of `input`, `output` and
/// `executionResult` lifted to the top).
#[test]
fn no_field_is_lost() {
    for (event, wire) in normalized().iter().zip(wire_actions()) {
        let details: Map<String, Value> = event["details"].as_object().cloned().unwrap_or_default();
        let kept = |key: &str, value: &Value| details.get(key) == Some(value);
        for (key, value) in wire.as_object().unwrap() {
            let carried = match key.as_str() {
                "actionExecutionId" => event["id"] == *value,
                "stageName" => event["parent_id"] == *value,
                "actionName" => event["name"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!(".{}", value.as_str().unwrap())),
                "startTime" => event["time"].is_string(),
                "lastUpdateTime" => event["end_time"].is_string() || details[key].is_string(),
                "status" => event["status"] != "info" || kept(key, value),
                "input" => value
                    .as_object()
                    .unwrap()
                    .iter()
                    .all(|(k, v)| match k.as_str() {
                        "configuration" | "resolvedConfiguration" => {
                            v.as_object().unwrap().iter().all(|(name, text)| {
                                event["input"][k][name]
                                    == histx::wire::decode_structured(text.clone())
                            })
                        }
                        "inputArtifacts" => event["input"][k] == *v,
                        _ => kept(k, v),
                    }),
                "output" => value
                    .as_object()
                    .unwrap()
                    .iter()
                    .all(|(k, v)| match k.as_str() {
                        "outputVariables" | "outputArtifacts" => event["output"][k] == *v,
                        "executionResult" => {
                            v.as_object()
                                .unwrap()
                                .iter()
                                .all(|(r, rv)| match r.as_str() {
                                    "errorDetails" => {
                                        event["error"] == rv["code"]
                                            && event["cause"] == rv["message"]
                                    }
                                    _ => kept(r, rv),
                                })
                        }
                        _ => kept(k, v),
                    }),
                other => kept(other, value),
            };
            assert!(carried, "{key} = {value} is lost: {event}");
        }
    }
}

/// Start times in milliseconds of a run's output, with their pipeline executions.
fn order_of(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| {
            (
                e["details"]["pipelineExecutionId"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                e["time"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn actions_are_shown_oldest_first_grouped_by_pipeline_execution() {
    let events = from_file(FIXTURE, &["--all"]);
    assert_eq!(events.len(), 12);
    let order = order_of(&events);
    let mut expected = order.clone();
    expected.sort();
    // The older execution's group first (its ID also sorts first here), each group by start.
    assert_eq!(order, expected);
    assert_eq!(events[0]["name"], "Source.Checkout");
    assert_eq!(events[0]["execution"], format!("{PIPELINE}/{OLDER}"));

    let reversed = from_file(FIXTURE, &["--all", "--reverse"]);
    let mut backwards = events.clone();
    backwards.reverse();
    assert_eq!(reversed, backwards);

    let limited = from_file(FIXTURE, &["--all", "--reverse", "--limit", "2"]);
    assert_eq!(limited, backwards[..2]);
}

#[test]
fn one_pipeline_execution_can_be_picked_from_a_file() {
    let older = from_file(FIXTURE, &["--execution-id", OLDER]);
    assert_eq!(older.len(), 4);
    assert!(older
        .iter()
        .all(|e| e["details"]["pipelineExecutionId"] == OLDER));
    let latest = from_file(FIXTURE, &["--latest"]);
    assert_eq!(latest.len(), 8);
    assert!(latest
        .iter()
        .all(|e| e["details"]["pipelineExecutionId"] == NEWER));
}

#[test]
fn aws_cli_v2_output_reads_the_same_as_the_wire_shape() {
    let wire = from_file(FIXTURE, &["--all"]);
    assert_eq!(from_file(CLI_V2_FIXTURE, &["--all"]), wire);
    let mut expected = normalized();
    expected.sort_by_key(|e| {
        (
            e["details"]["pipelineExecutionId"]
                .as_str()
                .unwrap()
                .to_string(),
            e["time"].as_str().unwrap().to_string(),
        )
    });
    assert_eq!(
        wire, expected,
        "the file's actions, normalized, in histx's order"
    );
}

#[test]
fn raw_output_is_every_wire_action_in_histx_order() {
    let out = histx()
        .args(["codepipeline", "--from", FIXTURE, "-o", "raw", "--all"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let raw = json_lines(&out);
    let mut expected = wire_actions();
    expected.reverse(); // the fixture lists them newest first, its executions do not overlap
    assert_eq!(raw, expected);
}

#[test]
fn the_table_shows_durations_summaries_and_links() {
    let out = histx()
        .args([
            "codepipeline",
            "--from",
            FIXTURE,
            "--color",
            "never",
            "--all",
        ])
        .env("COLUMNS", "400")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    assert_eq!(table_lines(&text).len(), 13);
    let header = table_lines(&text)[0];
    assert!(header.contains("DURATION"), "{header}");
    assert!(
        header.contains("EXECUTION"),
        "--all says whose each row is: {header}"
    );
    let row = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap()
            .to_string()
    };
    let approval = row("Approval.Manual");
    assert!(
        approval.contains("Approval/Manual") && approval.contains("30m00s"),
        "{approval}"
    );
    assert!(
        approval.contains("Manual succeeded <https://console.aws.amazon.com/manual/9>"),
        "{approval}"
    );
    let failed = row("Build terminated");
    assert!(
        failed.contains("Test.UnitTests") && failed.contains("JobFailed: Build terminated"),
        "{failed}"
    );
}

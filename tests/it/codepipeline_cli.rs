//! `histx codepipeline` from files, as a user runs it without an AWS account: the bundled
//! example (two saved pages) in every output format, --latest and --execution-id on a
//! file, AWS CLI output, standard input, and usage errors.

use crate::common;

use common::{histx, json_lines, one_error_line};
use common::{table_lines, tree_depth as depth};
use serde_json::Value;

const EXAMPLE: &str = "examples/codepipeline/web-storefront-two-releases.json";
const OLDER: &str = "f2b8d6a4-1c3e-4f5a-9b7d-0e2c4a6b8d1f";
const NEWER: &str = "6d0e4c2a-8b9f-4e1d-a3c5-7f9b1d3e5a72";

fn from_example(args: &[&str]) -> assert_cmd::assert::Assert {
    histx()
        .args(["codepipeline", "web-storefront", "--from", EXAMPLE])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
}

fn jsonl(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["-o", "jsonl"];
    all.extend_from_slice(args);
    json_lines(&from_example(&all).success().get_output().stdout)
}

fn names(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["name"].as_str().unwrap()).collect()
}

#[test]
fn the_example_reads_in_every_format() {
    let events = jsonl(&["--all"]);
    assert_eq!(
        names(&events),
        [
            "Source.Source",
            "Build.BuildAndUnitTest",
            "Staging.DeployStaging",
            "Production.ApproveRelease",
            "Production.DeployProduction",
            "Source.Source",
            "Build.BuildAndUnitTest",
            "Staging.DeployStaging",
            "Staging.SmokeTests",
        ],
        "both saved pages, oldest run first"
    );
    assert_eq!(events[0]["execution"], format!("web-storefront/{OLDER}"));
    let document: Vec<Value> = serde_json::from_slice(
        &from_example(&["-o", "json", "--all"])
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(document, events);
    let raw = json_lines(
        &from_example(&["-o", "raw", "--all"])
            .success()
            .get_output()
            .stdout,
    );
    assert_eq!(raw.len(), 9);

    let table = String::from_utf8(
        from_example(&["--color", "never", "--all"])
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert_eq!(table_lines(&table).len(), 10);
    let source = table_lines(&table)[1];
    assert!(
        source.contains("Add gift-card balance check to checkout <https://github.com/"),
        "the commit message: {source}"
    );
    let failed = table_lines(&table)
        .into_iter()
        .find(|l| l.contains("JobFailed"))
        .unwrap();
    assert!(
        failed.contains("Staging.DeployStaging") && failed.contains("8m02s"),
        "{failed}"
    );

    let deploy = events.iter().find(|e| e["status"] == "failed").unwrap();
    assert_eq!(deploy["type"], "Deploy/CodeDeploy");
    assert_eq!(deploy["parent_id"], "Staging");
    assert_eq!(deploy["duration_ms"], 482_546);
    assert!(deploy["cause"]
        .as_str()
        .unwrap()
        .contains("GET /healthz returned 502"));
}

#[test]
fn one_run_of_a_saved_history() {
    let latest = jsonl(&["--latest"]);
    assert_eq!(latest.len(), 4);
    assert_eq!(jsonl(&[]), latest, "the newest run is the default");
    assert!(latest
        .iter()
        .all(|e| e["details"]["pipelineExecutionId"] == NEWER));
    let older = jsonl(&["--execution-id", OLDER, "--reverse", "--limit", "2"]);
    assert_eq!(
        names(&older),
        ["Production.DeployProduction", "Production.ApproveRelease"]
    );
    let approval = &older[1];
    assert_eq!(
        approval["details"]["updatedBy"],
        "arn:aws:sts::418293745610:assumed-role/ReleaseManager/mlindqvist"
    );
    // A run the file does not hold is an error naming those it does, not an empty history.
    let none = from_example(&[
        "-o",
        "jsonl",
        "--execution-id",
        "00000000-0000-4000-8000-000000000000",
    ])
    .code(1);
    assert!(none.get_output().stdout.is_empty());
    let line = one_error_line(&none.get_output().stderr);
    assert!(line.ends_with(&format!("{OLDER}, {NEWER}")), "{line}");
}

#[test]
fn raw_output_reads_back_from_standard_input() {
    let raw = from_example(&["-o", "raw", "--all"])
        .success()
        .get_output()
        .stdout
        .clone();
    let again = histx()
        .args([
            "codepipeline",
            "web-storefront",
            "--from",
            "-",
            "-o",
            "jsonl",
        ])
        .arg("--all")
        .write_stdin(raw)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_lines(&again), jsonl(&["--all"]));
}

#[test]
fn without_a_pipeline_name_the_execution_labels_the_actions() {
    let out = histx()
        .args([
            "codepipeline",
            "--from",
            EXAMPLE,
            "-o",
            "jsonl",
            "--limit",
            "1",
            "--all",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_lines(&out)[0]["execution"], OLDER);
}

#[test]
fn a_file_of_another_api_is_named() {
    let out = histx()
        .args([
            "codepipeline",
            "--from",
            "examples/ssm/patch-web-fleet-failed.json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .code(1)
        .get_output()
        .clone();
    let line = one_error_line(&out.stderr);
    assert!(
        line.contains("is not ListActionExecutions output"),
        "{line}"
    );
    assert!(line.contains("StepExecutions"), "{line}");
}

#[test]
fn the_help_says_histx_does_the_ordering() {
    let out = histx()
        .args(["codepipeline", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("--reverse (done by histx, not the service)"),
        "{help}"
    );
    assert!(help.contains("ListPipelineExecutions"), "{help}");
}

#[test]
fn the_tree_nests_actions_in_stages_in_pipeline_executions() {
    let out = from_example(&["-o", "tree", "--color", "never", "--all"])
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with(&format!(
            "Execution  web-storefront/{NEWER} (the newest of 2 executions read: this \
             summary is its own)\n"
        )),
        "several runs: the summary is the newest's, and says so: {text}"
    );
    assert!(text.contains("\nEvents     4\n"), "its own actions: {text}");
    assert!(
        text.contains("Failed at  Staging.DeployStaging (Deploy/CodeDeploy"),
        "{text}"
    );
    let line = |needle: &str| text.lines().find(|l| l.contains(needle)).unwrap();
    let run = line(&format!("{NEWER}  pipeline execution  failed"));
    let stage = line("Staging  stage  failed");
    let action = line("Staging.DeployStaging  Deploy/CodeDeploy  failed");
    assert!(
        depth(run) < depth(stage) && depth(stage) < depth(action),
        "{text}"
    );

    let out = from_example(&["-o", "tree", "--failed", "--latest", "--color", "never"])
        .success()
        .get_output()
        .stdout
        .clone();
    let failing = String::from_utf8(out).unwrap();
    assert!(
        failing.starts_with(&format!("Execution  web-storefront/{NEWER}\n")),
        "{failing}"
    );
    assert!(failing.contains("Staging.DeployStaging"), "{failing}");
    assert!(
        !failing.contains("Build.BuildAndUnitTest"),
        "only the failing path: {failing}"
    );
}

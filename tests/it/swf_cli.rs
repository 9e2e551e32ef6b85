//! `histx swf` as a user runs it: usage errors (exit 2), runtime errors (exit 1), each
//! one line on stderr; `--from` with the AWS CLI's v1 and v2 output and the bundled
//! sample; the help text's note on SWF's page size cap.

use crate::common;

use common::{histx, json_lines, one_error_line, repo_file};
use serde_json::{json, Value};
use std::net::TcpListener;

const EXAMPLE: &str = "examples/swf/invoice-import-completed.json";
const FIXTURE: &str = "tests/fixtures/swf/every-event-type.json";

fn usage_error(args: &[&str]) -> String {
    let out = histx().args(args).assert().code(2).get_output().clone();
    assert!(out.stdout.is_empty());
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn a_domain_and_a_workflow_id_are_needed_without_from() {
    let expected = "histx: `histx swf` needs --domain DOMAIN and a WORKFLOW_ID, or --from FILE";
    for args in [
        &["swf"][..],
        &["swf", "order-1"],
        &["swf", "--domain", "orders"],
    ] {
        let out = histx().args(args).assert().code(2).get_output().clone();
        assert_eq!(one_error_line(&out.stderr), expected, "{args:?}");
    }
}

#[test]
fn empty_names_and_a_lone_run_id_are_usage_errors() {
    let out = histx()
        .args(["swf", "--domain", "", "order-1"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_eq!(one_error_line(&out.stderr), "histx: --domain is empty");
    let out = histx()
        .args(["swf", "--domain", "orders", " "])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: the workflow id is empty"
    );
    let out = histx()
        .args(["swf", "--domain", "orders", "order-1", "--run-id", ""])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_eq!(one_error_line(&out.stderr), "histx: --run-id is empty");
    let out = histx()
        .args(["swf", "--domain", "orders", "--run-id", "r-1"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: --run-id needs the WORKFLOW_ID it is a run of"
    );
}

#[test]
fn bad_flag_values_are_usage_errors() {
    assert!(
        usage_error(&["swf", "--domain", "d", "w", "--page-size", "0"]).contains("--page-size")
    );
    assert!(usage_error(&["swf", "--domain", "d", "w", "--limit", "0"]).contains("--limit"));
    assert!(usage_error(&["swf", "--domain", "d", "w", "-o", "yaml"]).contains("yaml"));
    let text = usage_error(&[
        "swf",
        "--domain",
        "d",
        "w",
        "--endpoint-url",
        "localhost:5000",
    ]);
    assert_eq!(
        text.trim_end(),
        "histx: --endpoint-url must start with http:// or https://, got 'localhost:5000'"
    );
}

#[test]
fn an_unreachable_endpoint_is_one_line_and_exit_1() {
    let port = TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    for run_id in [&["--run-id", "r-1"][..], &[]] {
        let out = histx()
            .args([
                "swf",
                "--domain",
                "orders",
                "order-1",
                "--endpoint-url",
                &endpoint,
            ])
            .args(run_id)
            .env("AWS_MAX_ATTEMPTS", "1")
            .assert()
            .code(1)
            .get_output()
            .clone();
        let line = one_error_line(&out.stderr);
        assert!(
            line.contains("could not reach") && line.contains(&endpoint),
            "{line}"
        );
    }
}

#[test]
fn help_explains_run_discovery_and_the_page_size_cap() {
    let out = histx()
        .args(["swf", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8_lossy(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("--domain <DOMAIN>") && help.contains("--run-id <RUN_ID>"),
        "{help}"
    );
    assert!(help.contains("most recently started closed run"), "{help}");
    assert!(
        help.contains("1000 events a page") && help.contains("at 100"),
        "{help}"
    );
    let top = histx()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&top).contains("swf"));
}

#[test]
fn the_bundled_sample_reads_as_aws_cli_v2_output() {
    let out = histx()
        .args([
            "swf",
            "-o",
            "jsonl",
            "--domain",
            "billing",
            "import-2026-03-14",
            "--run-id",
            "22run",
            "--from",
        ])
        .arg(repo_file(EXAMPLE))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let events = json_lines(&out);
    assert_eq!(events.len(), 40);
    assert_eq!(
        events[0]["time"],
        json!("2026-03-14T08:12:03.512Z"),
        "+01:00 read as such"
    );
    assert_eq!(
        events[0]["execution"],
        json!("billing/import-2026-03-14/22run")
    );
    let failed: Vec<&Value> = events
        .iter()
        .filter(|e| e["status"] == json!("failed"))
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0]["name"],
        json!("ParseRows/2.0 (activityId parse-1)")
    );
    assert_eq!(failed[0]["error"], json!("MalformedRow"));
    assert_eq!(events[39]["type"], json!("WorkflowExecutionCompleted"));
    assert_eq!(events[39]["output"]["journalId"], json!("JE-88213"));
    let signal = events
        .iter()
        .find(|e| e["type"] == json!("WorkflowExecutionSignaled"))
        .unwrap();
    assert_eq!(signal["name"], json!("approve"));
    assert_eq!(signal["input"]["approver"], json!("j.doe"));

    let table = histx()
        .args(["swf", "--color", "never", "--from"])
        .arg(repo_file(EXAMPLE))
        .env("COLUMNS", "200")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8_lossy(&table);
    assert!(
        table.contains("MalformedRow: row 1207: amount 'N/A' is not a number"),
        "{table}"
    );
    assert!(table.contains("retry-parse-2"), "{table}");
}

#[test]
fn aws_cli_v1_output_in_several_pages_reads_as_one_history() {
    let text = std::fs::read_to_string(repo_file(FIXTURE)).unwrap();
    let events = serde_json::from_str::<Value>(&text).unwrap()["events"]
        .as_array()
        .unwrap()
        .clone();
    let first = json!({"events": events[..50], "nextPageToken": "AAAAKgAAAAEAAAAAAAAAAT"});
    let second = json!({"events": events[50..]});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pages.json");
    std::fs::write(&path, format!("{first:#}\n{second}\n")).unwrap();
    let out = histx()
        .args(["swf", "-o", "raw", "--from"])
        .arg(&path)
        .assert()
        .success();
    assert_eq!(json_lines(&out.get_output().stdout), events);
    let out = histx()
        .args(["swf", "-o", "jsonl", "--limit", "60", "--from"])
        .arg(&path)
        .assert()
        .success();
    let normalized = json_lines(&out.get_output().stdout);
    assert_eq!(normalized.len(), 60);
    // Event 55 refers to event 29, on the first page.
    assert_eq!(
        normalized[54]["name"],
        json!("order-accepted (workflowId customer-c77)")
    );
}

#[test]
fn payload_text_is_escaped_in_the_table() {
    let out = histx()
        .args(["swf", "--color", "never", "--from"])
        .arg(repo_file(FIXTURE))
        .env("COLUMNS", "400")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8_lossy(&out);
    assert!(
        !table.contains('\u{1b}'),
        "no raw escape reaches the terminal"
    );
    assert!(table.contains("KeyError: Traceback"), "{table}");
}

#[test]
fn a_file_that_is_not_a_history_is_one_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.json");
    std::fs::write(&path, r#"{"executionInfos": [], "nextPageToken": null}"#).unwrap();
    let out = histx()
        .args(["swf", "--from"])
        .arg(&path)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let line = one_error_line(&out.stderr);
    assert!(
        line.contains("is not GetWorkflowExecutionHistory output"),
        "{line}"
    );
    assert!(line.contains("executionInfos"), "{line}");
}

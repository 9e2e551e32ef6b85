//! `histx sfn` as a user runs it: bad input is refused before any request with one line
//! and exit status 2; runtime failures are one line with status 1; saved histories in
//! every documented shape; a closed pipe ends quietly.

use crate::common;

use common::{histx, json_lines, one_error_line, repo_file};
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// A port with nothing listening: a request that reached it would fail with status 1,
/// so status 2 proves the input was refused before any request.
const NOWHERE: &str = "http://127.0.0.1:9";

fn refused(arn: &str) -> String {
    let out = histx()
        .args(["sfn", arn, "--endpoint-url", NOWHERE])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    one_error_line(&out.stderr)
}

#[test]
fn wrong_kinds_of_arn_are_refused_with_a_hint() {
    // A state machine ARN names its newest execution (listing.rs); a malformed one is
    // refused before any request.
    let state_machine = refused("arn:aws:states:us-east-1:123456789012:stateMachine:");
    assert!(
        state_machine.contains("not a state machine ARN")
            && state_machine.contains("stateMachine:NAME"),
        "{state_machine}"
    );

    assert!(
        refused("arn:aws:states:us-east-1:123456789012:activity:Approve").contains("activity ARN")
    );
    assert!(
        refused("arn:aws:states:us-east-1:123456789012:express:Orders:run:1a2b")
            .contains("Express")
    );
    assert!(
        refused("arn:aws:states:us-east-1:123456789012:mapRun:Orders/m:1a2b").contains("Map Run")
    );
    assert!(
        refused("arn:aws:lambda:us-east-1:123456789012:function:f").contains("'lambda' service")
    );
    for garbage in [
        "order workflow 42",
        "arn:aws:states",
        "arn:aws:states:us-east-1:123:execution:OnlyMachine",
        "\u{1b}[2J",
    ] {
        let line = refused(garbage);
        assert!(
            line.contains("expected arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME"),
            "{line}"
        );
        assert!(!line.contains('\u{1b}'), "the ARN is shown escaped");
    }
    assert!(refused("").contains("empty"));
}

#[test]
fn a_missing_arn_is_a_usage_error() {
    let out = histx().arg("sfn").assert().code(2).get_output().clone();
    assert!(one_error_line(&out.stderr).contains("needs an execution ARN"));
}

#[test]
fn bad_flags_are_usage_errors() {
    histx().args(["sfn", "--bogus"]).assert().code(2);
    histx()
        .args(["sfn", "--from", "x", "-o", "yaml"])
        .assert()
        .code(2);
    histx()
        .args(["sfn", "--from", "x", "--limit", "0"])
        .assert()
        .code(2);
    let out = histx()
        .args([
            "sfn",
            "arn:aws:states:us-east-1:123456789012:execution:a:b",
            "--endpoint-url",
            "localhost:4566",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(one_error_line(&out.stderr).contains("--endpoint-url must start with http://"));
}

#[test]
fn missing_credentials_are_one_line() {
    let out = histx()
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args([
            "sfn",
            "arn:aws:states:us-east-1:123456789012:execution:a:b",
            "--endpoint-url",
            NOWHERE,
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(one_error_line(&out.stderr).starts_with("histx: no AWS credentials found"));
}

#[test]
fn an_unreachable_endpoint_is_one_line() {
    let out = histx()
        .env("AWS_MAX_ATTEMPTS", "1")
        .args([
            "sfn",
            "arn:aws:states:us-east-1:123456789012:execution:a:b",
            "--endpoint-url",
            NOWHERE,
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let line = one_error_line(&out.stderr);
    assert!(
        line.starts_with("histx: could not reach http://127.0.0.1:9: "),
        "{line}"
    );
}

#[test]
fn the_endpoint_can_come_from_the_environment() {
    for variable in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SFN"] {
        let out = histx()
            .env("AWS_MAX_ATTEMPTS", "1")
            .env(variable, NOWHERE)
            .args(["sfn", "arn:aws:states:us-east-1:123456789012:execution:a:b"])
            .assert()
            .code(1)
            .get_output()
            .clone();
        let line = one_error_line(&out.stderr);
        assert!(line.contains("could not reach"), "{variable}: {line}");
    }
}

#[test]
fn aws_cli_v2_output_with_offsets_is_read() {
    let out = histx()
        .args([
            "sfn",
            "--from",
            "examples/sfn/order-fulfilment-failed.json",
            "-o",
            "jsonl",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let events = json_lines(&out);
    assert_eq!(events[0]["type"], "ExecutionStarted");
    // 09:26:53.589000-07:00 is 16:26:53.589 UTC.
    assert_eq!(events[0]["time"], "2026-03-14T16:26:53.589Z");
    let last = events.last().unwrap();
    assert_eq!(last["type"], "ExecutionFailed");
    assert_eq!(last["status"], "failed");
    assert_eq!(last["error"], "PaymentDeclined");
}

#[test]
fn concatenated_pages_and_standard_input_are_read() {
    let path = repo_file("examples/sfn/nightly-report-succeeded.json");
    let from_file = histx()
        .args(["sfn", "--from"])
        .arg(&path)
        .args(["-o", "raw"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let from_stdin = histx()
        .args(["sfn", "--from", "-", "-o", "raw"])
        .write_stdin(std::fs::read(&path).unwrap())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(from_file, from_stdin);
    let ids: Vec<i64> = json_lines(&from_file)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        (1..=ids.len() as i64).collect::<Vec<_>>(),
        "both pages, in order"
    );

    // -o raw output reads back in, and --reverse and --limit apply to files too.
    let reversed = histx()
        .args([
            "sfn",
            "--from",
            "-",
            "--reverse",
            "--limit",
            "2",
            "-o",
            "jsonl",
        ])
        .write_stdin(from_file.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let reversed = json_lines(&reversed);
    assert_eq!(reversed.len(), 2);
    assert_eq!(reversed[0]["id"], json!(ids.len()));
}

#[test]
fn the_arn_labels_events_read_from_a_file() {
    let arn = "arn:aws:states:us-east-1:123456789012:execution:NightlySalesReport:2026-03-15";
    let out = histx()
        .args([
            "sfn",
            arn,
            "--from",
            "examples/sfn/nightly-report-succeeded.json",
            "-o",
            "jsonl",
            "--limit",
            "1",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_lines(&out)[0]["execution"], arn);
}

#[test]
fn malformed_files_are_one_line_with_the_position() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"events\": [\n  {\"type\": }\n]}").unwrap();
    let out = histx()
        .args(["sfn", "--from"])
        .arg(&bad)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let line = one_error_line(&out.stderr);
    assert!(
        line.contains("invalid JSON at line 2, column 12 (byte 24)"),
        "{line}"
    );

    let wrong = dir.path().join("ssm.json");
    std::fs::write(&wrong, "{\"StepExecutions\": []}").unwrap();
    let out = histx()
        .args(["sfn", "--from"])
        .arg(&wrong)
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(one_error_line(&out.stderr).contains("is not GetExecutionHistory output"));

    let out = histx()
        .args(["sfn", "--from", "/nonexistent/history.json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(one_error_line(&out.stderr).contains("cannot read /nonexistent/history.json"));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // Enough events to fill the pipe many times over.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    let mut file = std::fs::File::create(&big).unwrap();
    let events = common::fake_sfn::synthetic_history(20_000);
    serde_json::to_writer(&mut file, &json!({ "events": events })).unwrap();
    file.flush().unwrap();

    for format in ["jsonl", "raw", "json", "table"] {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("histx"))
            .args(["sfn", "--from"])
            .arg(&big)
            .args(["-o", format])
            .env("RUST_BACKTRACE", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is gone now, like `| head -1`.
        let out = child.wait_with_output().unwrap();
        assert!(!first.is_empty(), "{format}");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn version_and_help_work_without_aws() {
    let version = histx()
        .arg("--version")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&version).starts_with("histx "));
    let help = histx()
        .args(["sfn", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8_lossy(&help);
    for flag in [
        "--reverse",
        "--no-data",
        "--limit",
        "--page-size",
        "--from",
        "--profile",
        "--region",
        "--endpoint-url",
        "--color",
    ] {
        assert!(help.contains(flag), "sfn --help lacks {flag}");
    }
}

#[test]
fn a_missing_region_is_one_line() {
    // An execution ARN names its region; an SWF domain or a pipeline name does not.
    for args in [
        &["swf", "--domain", "orders", "order-42"][..],
        &["codepipeline", "web"][..],
    ] {
        let out = histx()
            .env_remove("AWS_REGION")
            .args(args)
            .assert()
            .code(1)
            .get_output()
            .clone();
        assert_eq!(
            one_error_line(&out.stderr),
            "histx: no AWS region: pass --region, set AWS_REGION, or set a region in your profile"
        );
    }
}

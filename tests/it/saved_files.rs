//! Files that are not what they seem get one line a person can act on: text that is
//! not UTF-8 (the AWS CLI on Windows writes cp1252 with `>`), a byte order mark, an
//! invisible character or a line of something else spliced in, another service's file.

use crate::common::{histx, one_error_line, repo_file};

fn file_with(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.json");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn error_of(service: &str, path: &std::path::Path) -> String {
    let assert = histx().args([service, "--from"]).arg(path).assert().code(1);
    one_error_line(&assert.get_output().stderr)
}

const STARTED: &str = r#"{"type":"ExecutionStarted","id":1,"timestamp":1.5,"executionStartedEventDetails":{"input":"caf"#;

#[test]
fn a_cp1252_file_is_named_as_not_utf8_with_the_fix() {
    let mut bytes = format!("{{\"events\":[{STARTED}").into_bytes();
    let at = bytes.len();
    bytes.extend(b"\xe9\"}}]}");
    let (_dir, path) = file_with(&bytes);
    let error = error_of("sfn", &path);
    assert!(
        error.contains(&format!("not UTF-8 at byte {at}")),
        "{error}"
    );
    assert!(error.contains("iconv -f cp1252 -t utf-8"), "{error}");
}

#[test]
fn a_byte_order_mark_at_the_start_is_skipped() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(format!("{{\"events\":[{STARTED}\"}}}}]}}").into_bytes());
    let (_dir, path) = file_with(&bytes);
    histx()
        .args(["sfn", "--from"])
        .arg(&path)
        .args(["-o", "jsonl"])
        .assert()
        .success()
        .stdout(predicates::str::contains("\"ExecutionStarted\""));
}

#[test]
fn invisible_characters_and_spliced_lines_are_shown_where_they_are() {
    let (_dir, path) = file_with("{\"events\":[]}\n\u{200b}{\"events\":[]}\n".as_bytes());
    let error = error_of("sfn", &path);
    assert!(
        error.contains("a zero-width space (U+200B) at line 2, column 1"),
        "{error}"
    );
    let (_dir, path) =
        file_with(b"{\"events\":[]}\nPS C:\\> aws stepfunctions get-execution-history\n");
    let error = error_of("sfn", &path);
    assert!(
        error.contains("line 2 is not JSON: 'PS C:\\> aws stepfunctions"),
        "{error}"
    );
}

#[test]
fn another_services_file_names_the_subcommand_that_reads_it() {
    for (service, example, right) in [
        ("sfn", "examples/swf/invoice-import-completed.json", "swf"),
        ("swf", "examples/sfn/order-fulfilment-failed.json", "sfn"),
        ("sfn", "examples/ssm/patch-web-fleet-failed.json", "ssm"),
        (
            "ssm",
            "examples/codepipeline/web-storefront-two-releases.json",
            "codepipeline",
        ),
        (
            "codepipeline",
            "examples/ssm/patch-web-fleet-failed.json",
            "ssm",
        ),
    ] {
        let path = repo_file(example);
        let error = error_of(service, &path);
        assert!(
            error.contains(&format!("try histx {right} --from {}", path.display())),
            "histx {service} --from {example}: {error}"
        );
    }
}

#[test]
fn records_that_are_not_objects_and_directories_are_refused() {
    let (_dir, path) = file_with(br#"[{"type":"ExecutionStarted","id":1,"timestamp":1.5}, 7]"#);
    let error = error_of("sfn", &path);
    assert!(
        error.contains("record 2 is a JSON number, not an object"),
        "{error}"
    );
    let dir = tempfile::tempdir().unwrap();
    let error = error_of("sfn", dir.path());
    assert!(error.contains("it is a directory, not a file"), "{error}");
}

#[test]
fn times_no_history_can_have_are_kept_as_they_are_not_panicked_on() {
    for (service, record) in [
        (
            "sfn",
            r#"{"type":"ExecutionStarted","id":1,"timestamp":1e300}"#,
        ),
        (
            "sfn",
            r#"{"type":"ExecutionStarted","id":1,"timestamp":-1e300}"#,
        ),
        (
            "ssm",
            r#"{"StepExecutionId":"a","StepName":"s","Action":"aws:sleep","ExecutionStartTime":-1e300,"ExecutionEndTime":1e300}"#,
        ),
    ] {
        let (_dir, path) = file_with(format!("[{record}]").as_bytes());
        for format in ["table", "tree", "jsonl"] {
            let out = histx()
                .args([service, "--from"])
                .arg(&path)
                .args(["-o", format])
                .assert()
                .success()
                .get_output()
                .clone();
            assert!(!out.stdout.is_empty(), "{service} -o {format}");
        }
    }
}

#[test]
fn ids_that_are_no_whole_number_stay_as_they_came() {
    for (service, record, key) in [
        (
            "sfn",
            r#"{"type":"ExecutionStarted","id":1.5,"timestamp":1.5}"#,
            "id",
        ),
        (
            "sfn",
            r#"{"type":"ExecutionStarted","id":"seven","timestamp":1.5}"#,
            "id",
        ),
        (
            "swf",
            r#"{"eventType":"WorkflowExecutionStarted","eventId":"one","eventTimestamp":1.5}"#,
            "eventId",
        ),
    ] {
        let (_dir, path) = file_with(format!("[{record}]").as_bytes());
        let out = histx()
            .args([service, "--from"])
            .arg(&path)
            .args(["-o", "jsonl"])
            .assert()
            .success()
            .get_output()
            .clone();
        let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(event.get("id").is_none(), "{event}");
        let said = one_error_line(&out.stderr);
        assert!(
            said.contains(&format!("kept under details.{key}")),
            "{said}"
        );
        assert!(
            event["details"].get(key).is_some(),
            "{service}: kept under details: {event}"
        );
    }
}

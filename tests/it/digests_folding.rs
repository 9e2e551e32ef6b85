//! Reading a failure at a glance (issue 15): Lambda error objects shown as a message and
//! its frames, identical retries folded into `×N, retried after …`, a Map of 300
//! iterations folded to what went wrong (all of it with `--expand`), filters that say
//! how much they narrowed, and the bundled failed example as `--failed -o tree` draws
//! it. Snapshots at 80 and 120 columns, UTC, no colour.

use crate::common;

use common::histx;

const RETRIED: &str = "tests/fixtures/sfn/lambda-error-retried-caught.json";
const MAP_300: &str = "tests/fixtures/sfn/map-300-one-failed.json";
const EXAMPLE: &str = "examples/sfn/order-fulfilment-failed.json";

/// `histx sfn --from FIXTURE ARGS` at `columns`: stdout and stderr.
fn run(fixture: &str, columns: u16, args: &[&str]) -> (String, String) {
    let out = histx()
        .env("LANG", "C.UTF-8")
        .env("TZ", "UTC")
        .env("COLUMNS", columns.to_string())
        .arg("sfn")
        .arg("--from")
        .arg(common::repo_file(fixture))
        .args(["--color", "never"])
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    (
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}

fn stdout(fixture: &str, columns: u16, args: &[&str]) -> String {
    let (out, err) = run(fixture, columns, args);
    assert!(err.is_empty(), "{err}");
    out
}

#[test]
fn a_retried_and_caught_lambda_error_at_80_and_120_columns() {
    for columns in [80, 120] {
        let tree = stdout(RETRIED, columns, &["-o", "tree"]);
        assert!(tree.contains("×3, retried after 1.0s, 2.0s"), "{tree}");
        assert!(!tree.contains("\\n"), "{tree}");
        insta::assert_snapshot!(format!("retried_caught_tree_{columns}"), tree);
        let failed = stdout(RETRIED, columns, &["-o", "tree", "--failed"]);
        insta::assert_snapshot!(format!("retried_caught_failed_tree_{columns}"), failed);
        let table = stdout(RETRIED, columns, &["-o", "table"]);
        insta::assert_snapshot!(format!("retried_caught_table_{columns}"), table);
    }
    let ascii = stdout(RETRIED, 120, &["-o", "tree", "--ascii"]);
    assert!(
        ascii.contains("PaymentDeclined x3, retried after 1.0s, 2.0s"),
        "{ascii}"
    );
}

#[test]
fn the_caught_state_exit_says_caught_in_every_format() {
    let records = common::json_lines(stdout(RETRIED, 120, &["-o", "jsonl"]).as_bytes());
    let exit = records
        .iter()
        .find(|r| r["type"] == "TaskStateExited")
        .expect("the caught state's exit");
    assert_eq!(exit["status"], "failed");
    assert_eq!(exit["summary"], "caught");
    let table = stdout(RETRIED, 120, &["-o", "table"]);
    let row = table
        .lines()
        .find(|l| l.contains("TaskStateExited"))
        .unwrap();
    assert!(row.contains("failed") && row.contains("caught"), "{row}");
    assert!(!row.contains("succeeded"), "{row}");
}

#[test]
fn json_lines_keep_the_cause_and_add_the_decoded_object() {
    let records = common::json_lines(stdout(RETRIED, 120, &["-o", "jsonl"]).as_bytes());
    let failed: Vec<_> = records
        .iter()
        .filter(|r| r["type"] == "TaskFailed")
        .collect();
    assert_eq!(failed.len(), 3);
    for record in failed {
        let cause = record["cause"].as_str().expect("cause verbatim");
        let decoded: serde_json::Value = serde_json::from_str(cause).unwrap();
        assert_eq!(record["cause_json"], decoded);
        assert_eq!(record["cause_json"]["errorType"], "PaymentDeclined");
        let keys: Vec<&String> = record.as_object().unwrap().keys().collect();
        let at = |k: &str| keys.iter().position(|key| *key == k).unwrap();
        assert_eq!(at("cause_json"), at("cause") + 1);
    }
    let started = records
        .iter()
        .find(|r| r["type"] == "ExecutionStarted")
        .unwrap();
    assert!(started.get("cause_json").is_none());
}

#[test]
fn a_map_of_300_iterations_folds_to_the_one_that_failed() {
    for columns in [80, 120] {
        let tree = stdout(MAP_300, columns, &["-o", "tree"]);
        assert!(
            tree.contains("299 more iterations succeeded, p50 "),
            "{tree}"
        );
        assert_eq!(tree.matches("iteration 137").count(), 1, "{tree}");
        insta::assert_snapshot!(format!("map_300_tree_{columns}"), tree);
    }
    let expanded = stdout(MAP_300, 120, &["-o", "tree", "--expand"]);
    let iterations = expanded
        .lines()
        .filter(|l| l.contains(" iteration "))
        .count();
    assert_eq!(iterations, 300);
    assert!(!expanded.contains("more iterations"));
}

#[test]
fn the_bundled_failed_example_reads_as_on_a_whiteboard() {
    for columns in [80, 120] {
        let tree = stdout(EXAMPLE, columns, &["--failed", "-o", "tree"]);
        // The error object once with its frames, at the state that threw it; the three
        // identical attempts as one count.
        assert_eq!(
            tree.matches("File \"/var/task/app.py\", line 64").count(),
            2
        );
        assert!(tree.contains("PaymentDeclined ×3, retried after 3.0s, 6.0s"));
        assert!(!tree.contains("requestId"), "{tree}");
        assert!(!tree.contains("\\n"), "{tree}");
        insta::assert_snapshot!(format!("example_failed_tree_{columns}"), tree);
    }
}

#[test]
fn the_failed_table_shows_an_error_object_s_frames_once_beneath_its_row() {
    let table = stdout(EXAMPLE, 120, &["--failed"]);
    assert_eq!(
        table
            .matches("File \"/var/task/payments/gateway.py\", line 118, in charge")
            .count(),
        2,
        "once in the summary, once beneath the first of the identical rows: {table}"
    );
    assert!(!table.contains("requestId"), "{table}");
    insta::assert_snapshot!("example_failed_table_120", table);
}

#[test]
fn filters_say_how_much_they_narrowed() {
    let (out, err) = run(EXAMPLE, 120, &["--name", "charge*"]);
    assert_eq!(err, "histx: 0 of 64 events match --name 'charge*'\n");
    assert!(!out.contains("events shown"));
    let (out, err) = run(EXAMPLE, 120, &["--name", "charge*", "-o", "jsonl"]);
    assert_eq!(err, "histx: 0 of 64 events match --name 'charge*'\n");
    assert!(out.is_empty());
    let table = stdout(EXAMPLE, 120, &["--name", "ChargeCard", "--type", "*Failed"]);
    assert!(table.ends_with("\n3 of 64 events shown\n"), "{table}");
    let whole = stdout(EXAMPLE, 120, &[]);
    assert!(!whole.contains("events shown"));
}

#[test]
fn failed_on_a_run_that_succeeded_says_nothing_failed() {
    let succeeded = "examples/sfn/nightly-report-succeeded.json";
    for format in ["tree", "table"] {
        let out = stdout(succeeded, 120, &["--failed", "-o", format]);
        assert!(out.ends_with("\nnothing failed\n"), "{out}");
    }
    for format in ["timeline", "stats"] {
        let out = stdout(succeeded, 120, &["--failed", "-o", format]);
        assert_eq!(out, "nothing failed\n", "{format}");
    }
    let (out, err) = run(succeeded, 120, &["--failed", "-o", "jsonl"]);
    assert!(out.is_empty());
    assert_eq!(err, "histx: nothing failed\n");
}

/// Following a run (moto's real state machine, a Pass then a Wait): a filter that
/// matches none of its records says so once it ends, with the run's total.
#[test]
fn a_followed_run_says_when_a_filter_matched_nothing() {
    use common::http::aws_json_call;
    use common::moto::Moto;
    use serde_json::{json, Value};
    let moto = Moto::start();
    let call = |operation: &str, body: Value| -> Value {
        let response = aws_json_call(
            moto.port,
            "states",
            &format!("AWSStepFunctions.{operation}"),
            "1.0",
            &body,
        );
        assert_eq!(response.status, 200, "{operation}: {}", response.body);
        serde_json::from_str(&response.body).unwrap()
    };
    let definition = json!({"StartAt": "Hello", "States": {
        "Hello": {"Type": "Pass", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 1, "End": true}
    }});
    let machine = call(
        "CreateStateMachine",
        json!({"name": "histx-narrowed", "definition": definition.to_string(),
               "roleArn": "arn:aws:iam::123456789012:role/histx-test"}),
    );
    let execution = call(
        "StartExecution",
        json!({"stateMachineArn": machine["stateMachineArn"], "name": "run-1"}),
    );
    let arn = execution["executionArn"].as_str().unwrap().to_string();
    let out = histx()
        .args(["sfn", &arn, "--endpoint-url", &moto.endpoint()])
        .args([
            "-f",
            "-o",
            "table",
            "--interval",
            "300ms",
            "--name",
            "charge*",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let history = call("GetExecutionHistory", json!({"executionArn": arn}));
    let total = history["events"].as_array().unwrap().len();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("histx: 0 of {total} events match --name 'charge*'\n")
    );
}

//! A failure mid-history is explicit and keeps what was read: streamed formats end with
//! a line that says where reading stopped (a JSON document is still closed), the table
//! and the tree print what was read under a partial summary, and the exit status is 1.
//! A 200 answer that is not JSON says so.

use crate::common::fake::{ApiError, FakeAws, Fault};
use crate::common::fake_sfn::{self, synthetic_history, TARGET};
use crate::common::{histx, one_error_line};
use std::collections::HashMap;

const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:Synthetic:run-1";

/// A fake whose second page fails for good.
fn failing_on_page_2() -> FakeAws {
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        ARN.to_string(),
        synthetic_history(2500),
    )])));
    let denied = ApiError::new(400, "AccessDeniedException", "not allowed any more");
    fake.inject(TARGET, vec![Fault::Answer, Fault::Error(denied)]);
    fake
}

fn run(fake: &FakeAws, format: &str) -> (String, String) {
    let out = histx()
        .args(["sfn", ARN, "--endpoint-url", &fake.endpoint(), "-o", format])
        .args(["--color", "never"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        one_error_line(&out.stderr),
    )
}

const STOPPED: &str = "histx: stopped after 1000 events (page 2): AccessDeniedException: not \
                       allowed any more; the output is incomplete";

#[test]
fn streamed_formats_keep_what_was_read_and_say_where_it_stopped() {
    for format in ["jsonl", "raw"] {
        let (stdout, line) = run(&failing_on_page_2(), format);
        assert_eq!(stdout.lines().count(), 1000, "-o {format}");
        assert_eq!(line, STOPPED, "-o {format}");
    }
    let (stdout, line) = run(&failing_on_page_2(), "json");
    let document: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("valid JSON");
    assert_eq!(document.len(), 1000);
    assert_eq!(line, STOPPED);
}

#[test]
fn reports_show_what_was_read_under_a_partial_summary() {
    for format in ["table", "tree"] {
        let (stdout, line) = run(&failing_on_page_2(), format);
        assert!(
            stdout.contains("Events     1000 (reading stopped by an error: see below)"),
            "-o {format}: {stdout}"
        );
        let shown = stdout.lines().skip_while(|l| !l.is_empty()).count();
        assert!(shown > 100, "-o {format} shows what was read: {stdout}");
        assert_eq!(line, STOPPED, "-o {format}");
    }
    // A summary first reads the newest page (and, with no status call to be had here,
    // then the whole history): the fault falls on the whole read's second page.
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        ARN.to_string(),
        synthetic_history(2500),
    )])));
    let denied = ApiError::new(400, "AccessDeniedException", "not allowed any more");
    fake.inject(
        TARGET,
        vec![Fault::Answer, Fault::Answer, Fault::Error(denied)],
    );
    let out = histx()
        .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
        .args(["--summary", "-o", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["partial"], true);
    assert!(record.get("status").is_none(), "{record}");
}

#[test]
fn a_200_answer_that_is_not_json_says_so() {
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::new()));
    fake.inject(TARGET, vec![Fault::NotJson]);
    let out = histx()
        .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: the service answered something that is not JSON (HTTP 200)"
    );
}

//! The SWF run summary on real history shapes: the failure that closed the run found by
//! causal ids (a decision-task timeout that a retry made good is never named), the run's
//! own error beside it, and times only from the run's own start and close.

use crate::common;

use common::{histx, repo_file, table_lines};
use serde_json::Value;

const RETRIED_DECISION: &str = "tests/fixtures/swf/timed-out-after-decision-retry.json";
const LAST_TWO_REVERSED: &str = "tests/fixtures/swf/timed-out-last-two-reversed.json";
const FAILED_BY_DECISION: &str = "tests/fixtures/swf/timed-out-activity.json";

fn run(file: &str, extra: &[&str]) -> String {
    let out = histx()
        .args(["swf", "--color", "never", "--from"])
        .arg(repo_file(file))
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn summary_record(file: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--summary", "-o", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&run(file, &args)).unwrap()
}

#[test]
fn a_workflow_timeout_is_explained_by_the_activity_not_by_a_retried_decision_timeout() {
    for order in [&[][..], &["--reverse"][..]] {
        let summary = summary_record(RETRIED_DECISION, order);
        assert_eq!(summary["status"], "timed_out", "{order:?}");
        // The run's own error, from WorkflowExecutionTimedOut.
        assert_eq!(summary["error"], "START_TO_CLOSE");
        let failure = &summary["failure"];
        assert_eq!(failure["id"], 10, "{summary}");
        assert_eq!(failure["type"], "ActivityTaskTimedOut");
        assert_eq!(failure["error"], "HEARTBEAT");
        assert_eq!(
            failure["name"],
            "ExportLedger/2.0 (activityId export-ledger)"
        );
        assert_eq!(summary["start"], "2026-04-02T09:00:00.000Z");
        assert_eq!(summary["end"], "2026-04-02T10:00:00.000Z");
        assert_eq!(summary["duration_ms"], 3_600_000);
    }
}

#[test]
fn the_header_shows_the_run_error_and_what_caused_it() {
    let text = run(RETRIED_DECISION, &["-o", "tree"]);
    let header: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    assert!(header.contains(&"Error      START_TO_CLOSE"), "{text}");
    assert!(
        header
            .iter()
            .any(|l| l.starts_with("Timed out  ExportLedger/2.0")
                && l.ends_with("(ActivityTaskTimedOut, event 10)")),
        "{text}"
    );
    assert!(
        header.contains(&r#"Caused by  HEARTBEAT: {"rows": 1840000, "of": 2600000}"#),
        "{text}"
    );
    // The tree: the first decision timed out, the activity timed out, the timer is open.
    assert!(text.contains("decision 1  timed_out"), "{text}");
    assert!(
        text.contains("ExportLedger/2.0  activity  timed_out"),
        "{text}"
    );
    assert!(text.contains("export-backoff  timer  started"), "{text}");
}

#[test]
fn failed_keeps_the_timed_out_activity() {
    let text = run(RETRIED_DECISION, &["-o", "tree", "--failed"]);
    assert!(
        text.contains("ExportLedger/2.0  activity  timed_out"),
        "{text}"
    );
    assert!(!text.contains("export-backoff"), "{text}");
    let table = run(RETRIED_DECISION, &["--failed"]);
    let rows = table_lines(&table);
    assert!(
        rows.iter()
            .any(|r| r.contains("ActivityTaskTimedOut") && r.contains("HEARTBEAT")),
        "{table}"
    );
    assert!(
        rows.iter().any(|r| r.contains("WorkflowExecutionTimedOut")),
        "{table}"
    );
}

#[test]
fn a_page_of_the_end_has_no_start_and_no_duration() {
    let summary = summary_record(LAST_TWO_REVERSED, &[]);
    assert_eq!(summary["status"], "timed_out");
    assert!(summary.get("start").is_none(), "{summary}");
    assert!(summary.get("duration_ms").is_none(), "{summary}");
    assert_eq!(summary["end"], "2026-04-02T10:00:00.000Z");
    assert_eq!(summary["partial"], true, "the history's start is not in it");
    // Nothing in the page explains the timeout better than the close itself (not the
    // back-off timer, which may not be all the run waited for).
    assert_eq!(summary["failure"]["type"], "WorkflowExecutionTimedOut");
    let text = run(LAST_TWO_REVERSED, &[]);
    let header: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    assert!(header.iter().any(|l| l.starts_with("Ended ")), "{text}");
    assert!(!header.iter().any(|l| l.starts_with("Started ")), "{text}");
    assert!(!header.iter().any(|l| l.starts_with("Duration ")), "{text}");
    assert!(
        header
            .iter()
            .any(|l| l.starts_with("Events") && l.contains("part of the history")),
        "{text}"
    );
}

#[test]
fn a_failed_run_is_explained_by_what_its_closing_decision_saw() {
    let summary = summary_record(FAILED_BY_DECISION, &[]);
    assert_eq!(summary["status"], "failed");
    assert_eq!(summary["error"], "RenderPdfTimedOut");
    assert!(summary["cause"]
        .as_str()
        .unwrap()
        .starts_with("render-pdf timed out on both attempts"));
    // The second attempt's timeout, which the closing decision was the first to see.
    assert_eq!(summary["failure"]["id"], 25, "{summary}");
    assert_eq!(summary["failure"]["error"], "START_TO_CLOSE");
    assert_eq!(summary["failure"]["cause"], r#"{"page":455,"of":480}"#);
}

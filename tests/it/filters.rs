//! The shared filters through the command line, on Step Functions and SWF histories:
//! `--type`, `--name`, `--status`, `--since`/`--until`, `--failed` and `--summary`, each in
//! JSON lines and in the table (and the tree for `--failed`); `--limit` with a filter
//! counts printed events; `-o raw` with a filter prints the matching wire events as they
//! are in the file. Expected events are worked out from the unfiltered output, so each
//! test says which events a filter keeps, not how the service names them.

use crate::common;

use common::{histx, json_lines, repo_file, table_lines};
use serde_json::Value;

const SFN: &str = "tests/fixtures/sfn/failed-map-in-parallel.json";
const SWF: &str = "tests/fixtures/swf/timed-out-activity.json";

/// A service's subcommand and the history it reads.
#[derive(Clone, Copy)]
struct History {
    service: &'static str,
    fixture: &'static str,
}

const SFN_RUN: History = History {
    service: "sfn",
    fixture: SFN,
};
const SWF_RUN: History = History {
    service: "swf",
    fixture: SWF,
};

impl History {
    /// Standard output of `histx SERVICE --from FIXTURE -o FORMAT ARGS`, which must succeed
    /// with nothing on stderr.
    fn output(self, format: &str, args: &[&str]) -> String {
        let out = histx()
            .env("LANG", "C.UTF-8")
            .arg(self.service)
            .arg("--from")
            .arg(repo_file(self.fixture))
            .args(["-o", format, "--color", "never"])
            .args(args)
            .assert()
            .success()
            .get_output()
            .clone();
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    fn jsonl(self, args: &[&str]) -> Vec<Value> {
        json_lines(self.output("jsonl", args).as_bytes())
    }

    /// The event ids in the table's rows, in order.
    fn table_ids(self, args: &[&str]) -> Vec<String> {
        let text = self.output("table", args);
        let lines = table_lines(&text);
        assert!(!lines.is_empty(), "no table in:\n{text}");
        lines[1..]
            .iter()
            .map(|row| {
                row.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }

    /// The wire events of the fixture, as the file holds them.
    fn wire_events(self) -> Vec<Value> {
        let text = std::fs::read_to_string(repo_file(self.fixture)).expect("the fixture");
        let document: Value = serde_json::from_str(&text).expect("one JSON document");
        document["events"].as_array().expect("events").clone()
    }

    /// The id field of a wire event.
    fn wire_id(self, event: &Value) -> String {
        let key = if self.service == "swf" {
            "eventId"
        } else {
            "id"
        };
        event[key].to_string()
    }
}

fn id(event: &Value) -> String {
    match &event["id"] {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn ids(events: &[Value]) -> Vec<String> {
    events.iter().map(id).collect()
}

fn text<'a>(event: &'a Value, field: &str) -> &'a str {
    event[field].as_str().unwrap_or_default()
}

/// Checks that `args` keep exactly the events of the unfiltered history that `keep`
/// accepts, in order, in JSON lines and in the table; the filter must keep some and drop
/// some, or it proves nothing. Returns the kept events.
fn keeps(history: History, args: &[&str], keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    let all = history.jsonl(&[]);
    let expected: Vec<Value> = all.iter().filter(|e| keep(e)).cloned().collect();
    assert!(
        !expected.is_empty() && expected.len() < all.len(),
        "{args:?} should keep some of the {} events, not {}",
        all.len(),
        expected.len()
    );
    let kept = history.jsonl(args);
    assert_eq!(kept, expected, "{args:?} in JSON lines");
    assert_eq!(
        history.table_ids(args),
        ids(&expected),
        "{args:?} in the table"
    );
    kept
}

#[test]
fn type_globs_are_repeatable_and_any_may_match() {
    let kept = keeps(SFN_RUN, &["--type", "Task*", "--type", "*Failed"], |e| {
        let kind = text(e, "type");
        kind.starts_with("Task") || kind.ends_with("Failed")
    });
    assert!(kept.iter().any(|e| text(e, "type") == "ExecutionFailed"));
    assert!(kept.iter().any(|e| text(e, "type") == "TaskStateAborted"));
    keeps(SWF_RUN, &["--type", "ActivityTask*"], |e| {
        text(e, "type").starts_with("ActivityTask")
    });
    keeps(SWF_RUN, &["--type", "*TimedOut", "--type", "Timer*"], |e| {
        let kind = text(e, "type");
        kind.ends_with("TimedOut") || kind.starts_with("Timer")
    });
}

#[test]
fn a_type_glob_that_matches_nothing_prints_no_events() {
    // It says so on stderr, with the run's total, and succeeds.
    for (history, format, total) in [(SFN_RUN, "jsonl", 41), (SWF_RUN, "table", 30)] {
        let out = histx()
            .env("LANG", "C.UTF-8")
            .arg(history.service)
            .arg("--from")
            .arg(repo_file(history.fixture))
            .args(["-o", format, "--color", "never", "--type", "NoSuchType*"])
            .assert()
            .success()
            .get_output()
            .clone();
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("histx: 0 of {total} events match --type 'NoSuchType*'\n")
        );
        let text = String::from_utf8(out.stdout).unwrap();
        if format == "jsonl" {
            assert!(text.is_empty(), "{text}");
        } else {
            // The table prints the run's summary, and no table at all.
            assert!(text.starts_with("Status     failed\n"), "{text}");
            assert!(table_lines(&text).is_empty(), "{text}");
        }
    }
}

#[test]
fn every_criterion_must_match() {
    let kept = keeps(SFN_RUN, &["--type", "Task*", "--status", "failed"], |e| {
        text(e, "type").starts_with("Task") && text(e, "status") == "failed"
    });
    assert_eq!(kept.len(), 2, "the two tries of ResizeImage");
}

#[test]
fn name_globs_match_the_state_or_activity_name() {
    let kept = keeps(SFN_RUN, &["--name", "Resize*"], |e| {
        text(e, "name").starts_with("Resize")
    });
    let names: std::collections::BTreeSet<&str> = kept.iter().map(|e| text(e, "name")).collect();
    assert_eq!(names, ["ResizeImage", "ResizeImages"].into());
    keeps(
        SFN_RUN,
        &["--name", "ExtractMetadata", "--name", "PublishIndex"],
        |e| matches!(text(e, "name"), "ExtractMetadata" | "PublishIndex"),
    );
    let kept = keeps(SWF_RUN, &["--name", "RenderPdf/*"], |e| {
        text(e, "name").starts_with("RenderPdf/")
    });
    assert_eq!(kept.len(), 6, "two attempts: scheduled, started, timed out");
}

#[test]
fn statuses_are_repeatable() {
    keeps(
        SFN_RUN,
        &["--status", "failed", "--status", "aborted"],
        |e| matches!(text(e, "status"), "failed" | "aborted"),
    );
    let kept = keeps(SWF_RUN, &["--status", "timed_out"], |e| {
        text(e, "status") == "timed_out"
    });
    assert_eq!(kept.len(), 2);
    keeps(
        SWF_RUN,
        &["--status", "info", "--status", "cancelled"],
        |e| matches!(text(e, "status"), "info" | "cancelled"),
    );
}

#[test]
fn since_and_until_are_inclusive_rfc3339_times() {
    // The first TaskFailed is at 08:30:01.412; MapIterationFailed at 08:30:04.124.
    let in_window = |e: &Value| {
        let time = text(e, "time");
        ("2026-04-01T08:30:01.412Z"..="2026-04-01T08:30:04.124Z").contains(&time)
    };
    let kept = keeps(
        SFN_RUN,
        &[
            "--since",
            "2026-04-01T08:30:01.412Z",
            "--until",
            "2026-04-01T08:30:04.124Z",
        ],
        in_window,
    );
    assert_eq!(text(&kept[0], "time"), "2026-04-01T08:30:01.412Z");
    assert_eq!(text(kept.last().unwrap(), "type"), "MapIterationFailed");
    // The same window written with an offset.
    let with_offset = SFN_RUN.jsonl(&[
        "--since",
        "2026-04-01T10:30:01.412+02:00",
        "--until",
        "2026-04-01T01:30:04.124-07:00",
    ]);
    assert_eq!(with_offset, kept);

    keeps(SWF_RUN, &["--since", "2026-04-02T06:04:10.5Z"], |e| {
        text(e, "time") >= "2026-04-02T06:04:10.500Z"
    });
    keeps(SWF_RUN, &["--until", "2026-04-02T06:01:36.204Z"], |e| {
        text(e, "time") <= "2026-04-02T06:01:36.204Z"
    });
}

#[test]
fn failed_keeps_the_failing_path_of_a_step_functions_run() {
    // Out: PrepareBatch, ExtractMetadata, and Map iteration 0 with its ResizeImage.
    let left_out = [2, 3, 7, 8, 10, 13, 14, 19, 20, 23, 24, 29, 30, 31].map(|n| n.to_string());
    let kept = keeps(SFN_RUN, &["--failed"], |e| !left_out.contains(&id(e)));
    assert_eq!(text(&kept[0], "type"), "ExecutionStarted");
    assert_eq!(text(kept.last().unwrap(), "type"), "ExecutionFailed");

    let tree = SFN_RUN.output("tree", &["--failed"]);
    for shown in [
        "✗ execution  failed",
        "└─ ✗ ProcessBatch  Parallel  failed",
        "✗ ResizeImages  Map  failed",
        "✗ iteration 1  failed",
        "✗ attempt 2  failed",
        "⊘ PublishIndex  Task  aborted",
    ] {
        assert!(tree.contains(shown), "{shown:?} missing from:\n{tree}");
    }
    for hidden in ["PrepareBatch", "ExtractMetadata", "iteration 0"] {
        assert!(!tree.contains(hidden), "{hidden:?} shown in:\n{tree}");
    }
    // Errors in full, never cut to the width, even when one is set.
    let narrow = histx()
        .env("COLUMNS", "60")
        .args([
            "sfn", "--from", SFN, "-o", "tree", "--failed", "--color", "never",
        ])
        .current_dir(repo_file(""))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let narrow = String::from_utf8(narrow).unwrap();
    assert!(
        narrow.contains("Request ID: 0b6c1f5e-6a8e-4d3c-9a27-1f0e7d52c9a4)"),
        "{narrow}"
    );
}

#[test]
fn failed_keeps_the_failing_path_of_an_swf_run() {
    // The decisions that started the two timed-out attempts and failed the run, and
    // their events; not the first decision's activity, the timer, the signal, the marker
    // or the decision after the signal.
    let on_path = [
        1, 8, 9, 10, 11, 13, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 30,
    ]
    .map(|n| n.to_string());
    keeps(SWF_RUN, &["--failed"], |e| on_path.contains(&id(e)));

    let tree = SWF_RUN.output("tree", &["--failed", "--ascii"]);
    let lines: Vec<&str> = tree.lines().skip_while(|l| !l.is_empty()).skip(1).collect();
    let labels: Vec<&str> = lines
        .iter()
        .map(|l| l.trim_start_matches(['|', '`', '-', ' ']))
        .map(|l| l.split("  ").next().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "x RenderStatements/2.0",
            "+ decision 2",
            "x RenderPdf/3.1",
            "+ decision 4",
            "x RenderPdf/3.1",
            "+ decision 5",
            "x WorkflowExecutionFailed",
        ],
        "{tree}"
    );
    assert!(tree.contains("attempt 1 of 2  HEARTBEAT: {\"page\":212,\"of\":480}"));
    assert!(tree.contains("attempt 2 of 2  START_TO_CLOSE: {\"page\":455,\"of\":480}"));
}

#[test]
fn failed_combines_with_the_other_filters() {
    let kept = SWF_RUN.jsonl(&["--failed", "--type", "ActivityTask*"]);
    assert_eq!(ids(&kept), ["11", "13", "18", "23", "24", "25"]);
    let tree = SWF_RUN.output("tree", &["--failed", "--type", "ActivityTaskTimedOut"]);
    assert!(tree.contains("RenderPdf/3.1"), "{tree}");
    assert!(!tree.contains("WorkflowExecutionFailed  failed"), "{tree}");
}

#[test]
fn summary_alone_is_one_json_record_with_the_status_and_the_failure() {
    let sfn = SFN_RUN.jsonl(&["--summary"]);
    assert_eq!(sfn.len(), 1, "{sfn:?}");
    let record = &sfn[0];
    assert_eq!(record["service"], "sfn");
    assert_eq!(record["status"], "failed");
    assert_eq!(record["events"], 41);
    assert_eq!(record["start"], "2026-04-01T08:30:00.000Z");
    assert_eq!(record["end"], "2026-04-01T08:30:04.140Z");
    assert_eq!(record["duration_ms"], 4140);
    let failure = &record["failure"];
    assert_eq!(failure["id"], 34);
    assert_eq!(failure["name"], "ResizeImage");
    assert_eq!(failure["type"], "TaskFailed");
    assert_eq!(failure["error"], "Lambda.ServiceException");
    assert!(text(failure, "cause").contains("5e31a7d0-94c2-4f0b-8d16-c2b7a0f4e913"));

    let swf = SWF_RUN.jsonl(&["--summary"]);
    assert_eq!(swf.len(), 1, "{swf:?}");
    let record = &swf[0];
    assert_eq!(record["service"], "swf");
    assert_eq!(record["status"], "failed");
    assert_eq!(record["events"], 30);
    assert_eq!(record["duration_ms"], 851_025);
    let failure = &record["failure"];
    assert_eq!(failure["id"], 25);
    assert_eq!(failure["type"], "ActivityTaskTimedOut");
    assert_eq!(failure["name"], "RenderPdf/3.1 (activityId render-pdf)");
    assert_eq!(failure["error"], "START_TO_CLOSE");

    // The same record whatever the filters: it describes the run, not what is printed.
    assert_eq!(SWF_RUN.jsonl(&["--summary", "--type", "Timer*"]), swf);
}

#[test]
fn summary_alone_in_the_table_and_the_tree_is_the_header() {
    for history in [SFN_RUN, SWF_RUN] {
        for format in ["table", "tree"] {
            let text = history.output(format, &["--summary"]);
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines[0], "Status     failed", "{text}");
            assert!(lines.iter().any(|l| l.starts_with("Failed at  ")), "{text}");
            assert!(lines.iter().any(|l| l.starts_with("Error      ")), "{text}");
            assert!(table_lines(&text).is_empty(), "no table: {text}");
            assert!(
                !text.contains("decision 1") && !text.contains("✗ execution"),
                "{text}"
            );
        }
    }
}

#[test]
fn limit_counts_the_events_printed_after_the_filter() {
    for (history, args) in [
        (SFN_RUN, &["--type", "Task*"][..]),
        (SWF_RUN, &["--status", "scheduled"][..]),
    ] {
        let all = history.jsonl(args);
        assert!(all.len() > 3);
        let with_limit = [args, &["--limit", "3"]].concat();
        assert_eq!(
            history.jsonl(&with_limit),
            all[..3].to_vec(),
            "{with_limit:?}"
        );
        assert_eq!(
            history.table_ids(&with_limit),
            ids(&all[..3]),
            "{with_limit:?}"
        );
    }
    // Newest first: the limit counts from the end.
    let all = SFN_RUN.jsonl(&["--status", "failed"]);
    let last_two: Vec<Value> = all.iter().rev().take(2).cloned().collect();
    assert_eq!(
        SFN_RUN.jsonl(&["--status", "failed", "--reverse", "--limit", "2"]),
        last_two
    );
}

#[test]
fn raw_with_a_filter_prints_the_matching_wire_events_unchanged() {
    for (history, args) in [
        (SFN_RUN, &["--status", "failed"][..]),
        (
            SWF_RUN,
            &["--type", "ActivityTask*", "--name", "RenderPdf*"][..],
        ),
        (SWF_RUN, &["--failed"][..]),
    ] {
        let kept_ids = ids(&history.jsonl(args));
        assert!(!kept_ids.is_empty());
        let expected: Vec<Value> = history
            .wire_events()
            .into_iter()
            .filter(|e| kept_ids.contains(&history.wire_id(e)))
            .collect();
        assert_eq!(expected.len(), kept_ids.len());
        let raw = json_lines(history.output("raw", args).as_bytes());
        assert_eq!(raw, expected, "{args:?}");
    }
    let limited = json_lines(
        SFN_RUN
            .output("raw", &["--status", "failed", "--limit", "1"])
            .as_bytes(),
    );
    assert_eq!(limited.len(), 1);
    assert_eq!(limited[0]["type"], "TaskFailed");
}

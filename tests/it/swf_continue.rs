//! `histx swf --follow` of a workflow whose runs continue as new (moto does not
//! implement the ContinueAsNewWorkflowExecution decision, so this is on the fake, whose
//! runs advance with the clock and DescribeWorkflowExecution to match): the follow goes
//! on into each new run (newExecutionRunId), says so on stderr in one line, prints the
//! new run's events after the old one's (labelled with the new run, ids from 1 again),
//! and exits with the last run's outcome. Without --follow nothing of that happens.

use crate::common;

use common::fake::FakeAws;
use common::fake_swf::{
    workflow_on_a_lagging_timeline, workflow_on_a_timeline, TimedRun, DESCRIBE, HISTORY,
};
use common::histx;
use serde_json::{json, Value};

const DOMAIN: &str = "orders";
const WORKFLOW: &str = "nightly";

fn started(continued_from: Option<&str>) -> Value {
    let mut attributes = json!({"childPolicy": "TERMINATE", "taskList": {"name": "deciders"},
        "workflowType": {"name": "Chained", "version": "1"}, "input": "{\"night\":1}",
        "taskStartToCloseTimeout": "300", "executionStartToCloseTimeout": "3600"});
    if let Some(run) = continued_from {
        attributes["continuedExecutionRunId"] = json!(run);
    }
    json!({"eventType": "WorkflowExecutionStarted", "workflowExecutionStartedEventAttributes": attributes})
}

fn scheduled() -> Value {
    json!({"eventType": "DecisionTaskScheduled", "decisionTaskScheduledEventAttributes": {
        "taskList": {"name": "deciders"}, "startToCloseTimeout": "300"}})
}

/// The decision task scheduled as event 2 starts and completes (events 3 and 4), then
/// `close` (event 5) closes the run.
fn decided(close: Value) -> Vec<Value> {
    vec![
        json!({"eventType": "DecisionTaskStarted", "decisionTaskStartedEventAttributes": {
            "scheduledEventId": 2, "identity": "decider-1"}}),
        json!({"eventType": "DecisionTaskCompleted", "decisionTaskCompletedEventAttributes": {
            "scheduledEventId": 2, "startedEventId": 3}}),
        close,
    ]
}

fn continued_as(run: &str) -> Value {
    json!({"eventType": "WorkflowExecutionContinuedAsNew",
        "workflowExecutionContinuedAsNewEventAttributes": {
            "decisionTaskCompletedEventId": 4, "newExecutionRunId": run, "input": "{\"night\":2}",
            "taskList": {"name": "deciders"}, "workflowType": {"name": "Chained", "version": "1"},
            "childPolicy": "TERMINATE", "taskStartToCloseTimeout": "300",
            "executionStartToCloseTimeout": "3600"}})
}

/// Three runs, each `step` seconds: run-1 and run-2 continue as new, run-3 completes
/// (or, `failing`, fails).
fn chain(step: f64, failing: bool) -> Vec<TimedRun> {
    let last = if failing {
        json!({"eventType": "WorkflowExecutionFailed", "workflowExecutionFailedEventAttributes": {
            "decisionTaskCompletedEventId": 4, "reason": "NoData", "details": "nothing to do tonight"}})
    } else {
        json!({"eventType": "WorkflowExecutionCompleted", "workflowExecutionCompletedEventAttributes": {
            "decisionTaskCompletedEventId": 4, "result": "{\"done\":true}"}})
    };
    vec![
        TimedRun {
            run_id: "run-1",
            moments: vec![
                (0.0, vec![started(None), scheduled()]),
                (step, decided(continued_as("run-2"))),
            ],
            close_status: "CONTINUED_AS_NEW",
        },
        TimedRun {
            run_id: "run-2",
            moments: vec![
                (step, vec![started(Some("run-1")), scheduled()]),
                (2.0 * step, decided(continued_as("run-3"))),
            ],
            close_status: "CONTINUED_AS_NEW",
        },
        TimedRun {
            run_id: "run-3",
            moments: vec![
                (2.0 * step, vec![started(Some("run-2")), scheduled()]),
                (3.0 * step, decided(last)),
            ],
            close_status: if failing { "FAILED" } else { "COMPLETED" },
        },
    ]
}

fn serving(step: f64, failing: bool) -> FakeAws {
    let fake = FakeAws::start();
    workflow_on_a_timeline(&fake, DOMAIN, WORKFLOW, chain(step, failing));
    fake
}

fn swf(fake: &FakeAws, run: &str, args: &[&str]) -> std::process::Output {
    histx()
        .args(["swf", "--domain", DOMAIN, WORKFLOW, "--run-id", run])
        .args(["--endpoint-url", &fake.endpoint()])
        .args(args)
        .output()
        .unwrap()
}

const FOLLOW: &[&str] = &["--follow", "--exit-status", "--interval", "100ms"];

fn label(run: &str) -> String {
    format!("{DOMAIN}/{WORKFLOW}/{run}")
}

#[test]
fn a_run_that_continues_as_new_is_followed_into_each_new_run() {
    for (failing, code) in [(false, 0), (true, 3)] {
        let fake = serving(0.6, failing);
        let output = swf(&fake, "run-1", &[FOLLOW, &["-o", "jsonl"]].concat());
        assert_eq!(
            output.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8(output.stderr).unwrap(),
            "histx: run run-1 continued as new run run-2; following it\n\
             histx: run run-2 continued as new run run-3; following it\n"
        );
        let events = common::json_lines(&output.stdout);
        let runs: Vec<(String, i64)> = events
            .iter()
            .map(|e| {
                (
                    e["execution"].as_str().unwrap().to_string(),
                    e["id"].as_i64().unwrap(),
                )
            })
            .collect();
        let mut expected = Vec::new();
        for run in ["run-1", "run-2", "run-3"] {
            expected.extend((1..=5).map(|id| (label(run), id)));
        }
        assert_eq!(
            runs, expected,
            "each run's events once, in order, ids from 1 in each"
        );
        assert_eq!(events[4]["type"], "WorkflowExecutionContinuedAsNew");
        assert_eq!(
            events[14]["type"],
            if failing {
                "WorkflowExecutionFailed"
            } else {
                "WorkflowExecutionCompleted"
            }
        );
        // Causes point into the run's own events: run-3's event 3 was scheduled by its event 2.
        assert_eq!(events[12]["parent_id"], events[11]["id"]);
    }
}

#[test]
fn raw_lines_of_the_chain_are_each_runs_history_in_turn() {
    let fake = serving(0.5, false);
    let output = swf(&fake, "run-1", &[FOLLOW, &["-o", "raw"]].concat());
    assert_eq!(output.status.code(), Some(0));
    let followed = common::json_lines(&output.stdout);
    let mut read = Vec::new();
    for run in ["run-1", "run-2", "run-3"] {
        let once = swf(&fake, run, &["-o", "raw"]);
        assert!(
            once.stderr.is_empty(),
            "without --follow, nothing is said of the next run"
        );
        read.extend(common::json_lines(&once.stdout));
    }
    assert_eq!(followed, read);
    // Each poll of the new run asked for that run.
    let asked: Vec<String> = fake
        .requests(DESCRIBE)
        .iter()
        .map(|r| r["execution"]["runId"].as_str().unwrap().to_string())
        .collect();
    let mut order = asked.clone();
    order.dedup();
    assert_eq!(order, ["run-1", "run-2", "run-3"], "{asked:?}");
    assert!(fake.requests(HISTORY).len() >= 6);
}

#[test]
fn the_summary_of_a_followed_chain_is_of_the_last_run() {
    let fake = serving(0.5, true);
    let output = swf(
        &fake,
        "run-1",
        &[FOLLOW, &["--summary", "-o", "json"]].concat(),
    );
    assert_eq!(output.status.code(), Some(3));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["execution"], label("run-3"));
    assert_eq!(summary["status"], "failed");
    assert_eq!(summary["events"], 5);
    assert_eq!(String::from_utf8(output.stderr).unwrap().lines().count(), 2);
}

#[test]
fn without_follow_a_continued_run_is_shown_alone_and_counts_as_completed() {
    let fake = serving(0.0, true);
    let output = swf(&fake, "run-1", &["-o", "jsonl", "--exit-status"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "CONTINUED_AS_NEW: the run closed normally"
    );
    assert!(output.stderr.is_empty());
    let events = common::json_lines(&output.stdout);
    assert_eq!(events.len(), 5);
    assert!(events.iter().all(|e| e["execution"] == label("run-1")));
}

#[test]
fn a_status_that_says_continued_as_new_before_the_history_does_is_still_followed_on() {
    // The history shows each moment 0.6 s after DescribeWorkflowExecution: the status
    // says CONTINUED_AS_NEW (and, last, FAILED) before the closing events can be read.
    let fake = FakeAws::start();
    workflow_on_a_lagging_timeline(&fake, DOMAIN, WORKFLOW, chain(0.4, true), 0.6);
    let output = swf(&fake, "run-1", &[FOLLOW, &["-o", "jsonl"]].concat());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert_eq!(
        stderr,
        "histx: run run-1 continued as new run run-2; following it\n\
         histx: run run-2 continued as new run run-3; following it\n"
    );
    let events = common::json_lines(&output.stdout);
    assert_eq!(events.len(), 15, "every run's five events");
    assert_eq!(events[14]["type"], "WorkflowExecutionFailed");
    assert_eq!(events[14]["execution"], label("run-3"));
}

#[test]
fn a_followed_chain_s_table_ends_with_the_last_run_s_line() {
    let fake = serving(0.5, true);
    let output = swf(
        &fake,
        "run-1",
        &[FOLLOW, &["-o", "table", "--color", "never"]].concat(),
    );
    assert_eq!(output.status.code(), Some(3));
    let text = String::from_utf8(output.stdout).unwrap();
    // Every run's rows were streamed ...
    assert_eq!(text.matches("DecisionTaskScheduled").count(), 3, "{text}");
    // ... the line under them is of the last run alone: 5 events, not 15.
    let last = text.lines().rfind(|l| !l.trim().is_empty()).unwrap();
    assert!(last.starts_with("Run failed"), "{text}");
    assert!(last.contains(" 5 events"), "{last}");
}

fn quoted(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

/// The command run on a pseudo-terminal of `rows` rows (script(1)): what the terminal got.
fn on_a_terminal(rows: u16, args: &[&str]) -> (String, i32) {
    on_a_terminal_with(rows, args, "")
}

/// [`on_a_terminal`], the command line followed by `redirect` (e.g. `2>/dev/null`).
fn on_a_terminal_with(rows: u16, args: &[&str], redirect: &str) -> (String, i32) {
    let plain = common::histx_process();
    let line = std::iter::once(plain.get_program().to_string_lossy().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| quoted(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let output = std::process::Command::new("script")
        .env_clear()
        .envs(plain.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("TERM", "xterm")
        .env("LANG", "C.UTF-8")
        .args([
            "-qec",
            &format!("stty rows {rows} cols 80; exec {line} {redirect}"),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n"),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn a_followed_chain_s_tree_on_a_terminal_is_of_the_last_run() {
    let fake = serving(0.6, true);
    let endpoint = fake.endpoint();
    let (screen, code) = on_a_terminal(
        40,
        &[
            "swf",
            "--domain",
            DOMAIN,
            WORKFLOW,
            "--run-id",
            "run-1",
            "--endpoint-url",
            &endpoint,
            "--follow",
            "--exit-status",
            "--interval",
            "100ms",
            "-o",
            "tree",
            "--color",
            "never",
        ],
    );
    assert_eq!(code, 3, "{screen}");
    // The last frame: after the last cursor-up, if the tree was redrawn, and after the
    // last line said on stderr (the next frame starts below it).
    let from = [
        screen.rfind("A\r").map(|at| at + 2),
        screen.rfind("following it\n").map(|at| at + 13),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0);
    let last: Vec<&str> = screen[from..]
        .lines()
        .map(|l| l.trim_start_matches("\u{1b}[2K"))
        .collect();
    let header = |name: &str| {
        last.iter()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {last:?}"))
            .to_string()
    };
    assert!(header("Execution").ends_with("run-3"), "{last:?}");
    assert!(header("Events").contains('5'), "{last:?}");
    assert!(!header("Events").contains("15"), "{last:?}");
    assert!(
        !last.iter().any(|l| l.contains("ContinuedAsNew")),
        "{last:?}"
    );
    assert!(
        !last.iter().any(|l| l.contains("part of the history")),
        "{last:?}"
    );
}

#[test]
fn a_limit_ends_a_gathered_follow_as_it_ends_a_stream() {
    for format in ["jsonl", "json", "tree"] {
        let fake = serving(0.7, true);
        let output = swf(
            &fake,
            "run-1",
            &[FOLLOW, &["-o", format, "--limit", "2"]].concat(),
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        // Still running (the first run's first two events), not followed on.
        assert_eq!(output.status.code(), Some(8), "{format}: {stdout}");
        assert!(output.stderr.is_empty(), "{format}: no new run followed");
        match format {
            "jsonl" => assert_eq!(common::json_lines(stdout.as_bytes()).len(), 2),
            "json" => {
                let document: Value = serde_json::from_str(&stdout).unwrap();
                let events = document.as_array().unwrap();
                let ids: Vec<&Value> = events.iter().map(|e| &e["id"]).collect();
                assert_eq!(ids, [1, 2], "{document}");
                assert!(events.iter().all(|e| e["execution"] == label("run-1")));
            }
            _ => {
                assert!(stdout.contains("decision 1"), "{stdout}");
                assert!(!stdout.contains("WorkflowExecutionFailed"), "{stdout}");
            }
        }
    }
}

#[test]
fn with_stderr_elsewhere_the_tree_is_redrawn_over_itself_across_runs() {
    let fake = serving(0.6, false);
    let endpoint = fake.endpoint();
    let args = [
        "swf",
        "--domain",
        DOMAIN,
        WORKFLOW,
        "--run-id",
        "run-1",
        "--endpoint-url",
        &endpoint,
        "--follow",
        "--exit-status",
        "--interval",
        "100ms",
        "-o",
        "tree",
        "--color",
        "never",
    ];
    let (screen, code) = on_a_terminal_with(40, &args, "2>/dev/null");
    assert_eq!(code, 0, "{screen}");
    assert!(
        !screen.contains("following it"),
        "stderr is elsewhere: {screen}"
    );
    // Each frame after the first goes back up over the one before: never stacked.
    let frames = screen.matches("Execution  ").count();
    assert!(frames > 1, "{screen:?}");
    let ups = screen.matches("A\r").count();
    assert_eq!(ups, frames - 1, "{screen:?}");
}

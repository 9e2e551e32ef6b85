//! What histx says of Step Functions histories shaped as real AWS writes them: a
//! States.Runtime failure with no state failure event, runs aborted or timed out with a
//! state open, Catch → Fail, a page saved with `--reverse-order --max-items 2`, aborted
//! tasks sharing one previousEventId, event 2's previousEventId 0, a `MapStateExited`
//! after the last iteration, and a caught Parallel failure. Fixtures: tests/fixtures/sfn/.

use crate::common;

use common::{histx, json_lines, repo_file, table_lines};
use serde_json::Value;

fn fixture(name: &str) -> std::path::PathBuf {
    repo_file(&format!("tests/fixtures/sfn/{name}.json"))
}

/// histx's standard output for `sfn --from FIXTURE ARGS`, 100 columns wide, no colour.
fn run(name: &str, args: &[&str]) -> String {
    let out = histx()
        .args(["sfn", "--from"])
        .arg(fixture(name))
        .args(["--color", "never"])
        .args(args)
        .env("COLUMNS", "100")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn tree(name: &str, args: &[&str]) -> String {
    run(name, &[&["-o", "tree", "--ascii"], args].concat())
}

fn summary(name: &str) -> Value {
    serde_json::from_str(&run(name, &["--summary", "-o", "json"])).unwrap()
}

fn events(name: &str, args: &[&str]) -> Vec<Value> {
    json_lines(run(name, &[&["-o", "jsonl"], args].concat()).as_bytes())
}

/// The tree's lines, without the drawing in front of each and cut after the duration.
fn tree_lines(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|line| !line.is_empty())
        .skip(1)
        .map(|line| line.trim_start_matches(['|', '`', '-', ' ']).to_string())
        .collect()
}

fn has_line(text: &str, start: &str) -> bool {
    tree_lines(text).iter().any(|line| line.starts_with(start))
}

#[test]
fn a_states_runtime_failure_is_the_state_entered_last() {
    let record = summary("runtime-failure");
    assert_eq!(record["status"], "failed");
    assert_eq!(record["error"], "States.Runtime");
    let failure = &record["failure"];
    assert_eq!(
        (
            &failure["name"],
            &failure["type"],
            &failure["id"],
            &failure["error"]
        ),
        (
            &Value::from("LookupCustomer"),
            &Value::from("ExecutionFailed"),
            &Value::from(11),
            &Value::from("States.Runtime")
        ),
        "not the retried failure of FetchOrder: {record}"
    );
    let text = tree("runtime-failure", &[]);
    assert!(
        text.contains("Failed at  LookupCustomer (ExecutionFailed, event 11)\n"),
        "{text}"
    );
    assert!(
        has_line(
            &text,
            "x LookupCustomer  Task  failed  13ms  States.Runtime: An error"
        ),
        "{text}"
    );
    assert!(!text.contains("started"), "nothing is left running: {text}");
    // --failed keeps the failing state, in the tree and in the table.
    let failed = tree("runtime-failure", &["--failed"]);
    assert!(
        has_line(&failed, "x LookupCustomer  Task  failed"),
        "{failed}"
    );
    let table = run("runtime-failure", &["--failed"]);
    assert!(
        table_lines(&table)
            .iter()
            .any(|row| row.trim_start().starts_with("10 ") && row.contains("LookupCustomer")),
        "{table}"
    );
}

#[test]
fn a_states_runtime_failure_in_a_parallel_fails_the_open_state_of_each_branch() {
    let record = summary("runtime-failure-in-parallel");
    assert_eq!(record["failure"]["name"], "ScoreRisk", "{record}");
    let text = tree("runtime-failure-in-parallel", &[]);
    for line in [
        "x Screen  Parallel  failed",
        "x HoldForReview  Wait  failed",
        "x ScoreRisk  Task  failed  24ms  States.Runtime",
    ] {
        assert!(has_line(&text, line), "{line}: {text}");
    }
    assert!(
        !has_line(&text, "x HoldForReview  Wait  failed  25ms  States.Runtime"),
        "the run's error is on the state it names: {text}"
    );
}

#[test]
fn an_aborted_run_aborts_its_open_wait() {
    let record = summary("aborted-wait");
    assert_eq!(record["status"], "aborted");
    assert_eq!(record["failure"]["name"], "WaitForAdjuster");
    assert_eq!(record["error"], "ClaimWithdrawn");
    let text = tree("aborted-wait", &[]);
    assert!(
        text.contains("Aborted at WaitForAdjuster (ExecutionAborted, event 8)\n"),
        "{text}"
    );
    assert!(
        has_line(&text, "x WaitForAdjuster  Wait  aborted  30m45s"),
        "{text}"
    );
    assert!(has_line(&text, "+ SubmitClaim  Task  succeeded"), "{text}");
}

#[test]
fn a_timed_out_run_times_out_its_open_task() {
    let record = summary("timed-out-activity");
    assert_eq!(record["status"], "timed_out");
    assert_eq!(record["duration_ms"], 300_031);
    let text = tree("timed-out-activity", &[]);
    assert!(
        text.contains("Timed out  AwaitSignature (ExecutionTimedOut, event 5)\n"),
        "{text}"
    );
    assert!(
        has_line(&text, "x AwaitSignature  Task  timed_out  5m00s"),
        "{text}"
    );
}

#[test]
fn catch_to_fail_shows_the_runs_error_and_the_caught_root_cause() {
    let record = summary("catch-to-fail");
    assert_eq!(record["error"], "LabLookupFailed");
    assert_eq!(record["cause"], "The lab record could not be read");
    let failure = &record["failure"];
    assert_eq!(failure["name"], "LookupLab");
    assert_eq!(failure["type"], "TaskFailed");
    assert_eq!(failure["error"], "DynamoDB.ResourceNotFoundException");
    assert_eq!(record["duration_ms"], 57_913);
    let text = run("catch-to-fail", &["--summary"]);
    assert!(text.contains("Error      LabLookupFailed\n"), "{text}");
    assert!(
        text.contains("Failed at  LookupLab (TaskFailed, event 5)\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "Caused by  DynamoDB.ResourceNotFoundException: Requested resource not found"
        ),
        "{text}"
    );
    // The caught failure's TaskStateExited says so.
    let exited = &events("catch-to-fail", &[])[5];
    assert_eq!(
        (&exited["type"], &exited["status"], &exited["summary"]),
        (
            &Value::from("TaskStateExited"),
            &Value::from("failed"),
            &Value::from("caught")
        )
    );
}

#[test]
fn the_states_a_catch_ran_before_the_fail_state_are_passed_over() {
    // IssueRefund fails, its Catch runs RecordFailure (a Task retried once) and
    // BuildAlert (a Pass), then the Fail state: the root cause is the caught failure,
    // not the Fail state nor the handler's retried failure.
    let record = summary("catch-handler-to-fail");
    assert_eq!(
        (&record["error"], &record["cause"]),
        (
            &Value::from("RefundFailed"),
            &Value::from("The refund could not be issued")
        ),
        "the run's own error is the Fail state's: {record}"
    );
    let failure = &record["failure"];
    assert_eq!(
        (
            &failure["name"],
            &failure["type"],
            &failure["id"],
            &failure["error"]
        ),
        (
            &Value::from("IssueRefund"),
            &Value::from("TaskFailed"),
            &Value::from(5),
            &Value::from("GatewayUnavailable")
        ),
        "{record}"
    );
    let text = run("catch-handler-to-fail", &["--summary"]);
    assert!(
        text.contains("Failed at  IssueRefund (TaskFailed, event 5)\n"),
        "{text}"
    );
    assert!(
        text.contains("Caused by  GatewayUnavailable: payment gateway returned 503\n"),
        "{text}"
    );
    let text = tree("catch-handler-to-fail", &[]);
    for line in [
        "x IssueRefund  Task  failed  30.0s  lambda:invoke  caught -> RecordFailure  GatewayUnavailable",
        "+ RecordFailure  Task  succeeded",
        "+ BuildAlert  Pass  succeeded",
        "x RefundFailed  Fail  failed",
    ] {
        assert!(has_line(&text, line), "{line}: {text}");
    }
    assert!(!text.contains("aborted"), "nothing was stopped: {text}");
}

#[test]
fn the_bundled_failed_order_is_explained_by_the_declined_charge() {
    // Catch on a Parallel whose branch's ChargeCard failed, NotifyFailure, then Fail.
    let out = histx()
        .args(["sfn", "--from"])
        .arg(repo_file("examples/sfn/order-fulfilment-failed.json"))
        .args(["--summary", "-o", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let record: Value = serde_json::from_slice(&out).unwrap();
    let failure = &record["failure"];
    assert_eq!(
        (&failure["name"], &failure["type"], &failure["id"]),
        (
            &Value::from("ChargeCard"),
            &Value::from("TaskFailed"),
            &Value::from(55)
        ),
        "{record}"
    );
    assert_eq!(failure["error"], "PaymentDeclined");
}

#[test]
fn a_newest_first_page_leaves_out_the_times_it_does_not_hold() {
    let record = summary("catch-to-fail-newest-2");
    assert_eq!(record["partial"], true, "{record}");
    assert_eq!(record["status"], "failed");
    assert_eq!(record["end"], "2026-04-02T09:40:58.527Z");
    assert!(record.get("start").is_none(), "{record}");
    assert!(record.get("duration_ms").is_none(), "{record}");
    assert_eq!(record["failure"]["name"], "ReportLookupFailure");
    assert_eq!(record["failure"]["error"], "LabLookupFailed");
    let text = tree("catch-to-fail-newest-2", &[]);
    assert!(
        !text.contains("Started") && !text.contains("Duration"),
        "{text}"
    );
    assert!(text.contains("Events     2 (part of the history: its start is not in it)\n"));
    assert!(
        has_line(&text, "x ReportLookupFailure  Fail  failed"),
        "{text}"
    );
    // A Pass state known only by its PassStateExited is a Pass, with no made-up duration.
    let text = tree("caught-parallel-newest-2", &[]);
    let lines = tree_lines(&text);
    assert_eq!(lines[1], "+ UseDefaults  Pass  succeeded", "{text}");
    // The full history: no partial, and ELAPSED counts from ExecutionStarted.
    assert!(summary("catch-to-fail").get("partial").is_none());
}

#[test]
fn a_running_run_has_no_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("running.json");
    let mut document: Value =
        serde_json::from_slice(&std::fs::read(fixture("runtime-failure")).unwrap()).unwrap();
    document["events"].as_array_mut().unwrap().pop();
    std::fs::write(&path, document.to_string()).unwrap();
    let out = histx()
        .args(["sfn", "--from"])
        .arg(&path)
        .args(["--summary", "-o", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let record: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(record["status"], "running");
    assert!(
        record.get("end").is_none() && record.get("duration_ms").is_none(),
        "{record}"
    );
    assert!(record.get("start").is_some());
}

#[test]
fn aborted_iterations_keep_the_failed_one_failed() {
    let record = summary("map-iterations-aborted");
    assert_eq!(
        (&record["failure"]["id"], &record["failure"]["name"]),
        (&Value::from(16), &Value::from("ScoreSample"))
    );
    let text = tree("map-iterations-aborted", &[]);
    assert_eq!(
        tree_lines(&text)
            .iter()
            .map(|line| line.split("  ").take(3).collect::<Vec<_>>().join("  "))
            .collect::<Vec<_>>(),
        [
            "x execution  failed  1.4s",
            "x ScoreSamples  Map  failed",
            "x iteration 0  aborted  1.3s",
            "x ScoreSample  Task  aborted",
            "x iteration 1  failed  1.3s",
            "x ScoreSample  Task  failed",
            "x iteration 2  aborted  1.3s",
            "x ScoreSample  Task  aborted",
        ],
        "{text}"
    );
    let map_failed: Vec<Value> = events("map-iterations-aborted", &[])
        .into_iter()
        .filter(|e| e["type"] == "MapStateFailed")
        .map(|e| e["name"].clone())
        .collect();
    assert_eq!(
        map_failed,
        [Value::from("ScoreSamples")],
        "MapStateFailed is named"
    );
}

#[test]
fn aborted_branches_are_their_own_and_never_outlast_the_parallel() {
    let record = summary("parallel-branch-aborted");
    assert_eq!(record["failure"]["name"], "SendEmail");
    assert_eq!(record["failure"]["type"], "TaskFailed");
    let text = tree("parallel-branch-aborted", &[]);
    for line in [
        "x Notify  Parallel  failed  931ms",
        "x branch 1  failed  917ms",
        "x SendEmail  Task  failed  917ms",
        "x branch 2  aborted  920ms",
        "x Throttle  Wait  aborted  920ms",
        "x branch 3  aborted  920ms",
        "x PostWebhook  Task  aborted  920ms",
    ] {
        assert!(has_line(&text, line), "{line}: {text}");
    }
    // The aborted events' shared previousEventId is SendEmail's failure: not their name.
    for event in events("parallel-branch-aborted", &[]) {
        if event["status"] == "aborted" {
            assert_ne!(event["name"], "SendEmail", "{event}");
        }
    }
}

#[test]
fn state_chains_tolerate_the_real_previous_event_ids() {
    let all = events("map-exited-after-last-iteration", &[]);
    assert!(all[1].get("parent_id").is_none(), "{}", all[1]);
    assert_eq!(all[1]["details"]["previousEventId"], 0);
    assert_eq!(all[2]["details"]["previousEventId"], 2);
    let text = tree("map-exited-after-last-iteration", &[]);
    assert_eq!(
        tree_lines(&text),
        [
            "+ execution  succeeded  59ms",
            "+ Normalize  Pass  succeeded  1ms",
            "+ ResizeAll  Map  succeeded  21ms",
            "+ iteration 0  succeeded  9ms",
            "+ Resize  Pass  succeeded  2ms",
            "+ iteration 1  succeeded  11ms",
            "+ Resize  Pass  succeeded  4ms",
            "+ Done  Succeed  succeeded  1ms",
        ],
        "{text}"
    );
}

#[test]
fn an_exit_after_a_caught_failure_is_not_a_success() {
    let record = summary("caught-parallel");
    assert_eq!(record["status"], "succeeded");
    assert!(record.get("failure").is_none(), "{record}");
    let table = run("caught-parallel", &[]);
    let row = table_lines(&table)
        .into_iter()
        .find(|row| row.contains("ParallelStateExited"))
        .unwrap()
        .to_string();
    assert!(
        row.contains("Enrich") && row.contains(" failed ") && row.ends_with("caught"),
        "{row}"
    );
    let text = tree("caught-parallel", &[]);
    assert!(
        has_line(
            &text,
            "x Enrich  Parallel  failed  3.1s  caught -> UseDefaults"
        ),
        "{text}"
    );
    assert!(has_line(&text, "+ UseDefaults  Pass  succeeded"), "{text}");
}

#[test]
fn wire_values_stay_in_details_and_no_data_leaves_payloads_out() {
    let all = events("catch-to-fail", &[]);
    let scheduled = &all[2];
    assert_eq!(scheduled["resource"], "dynamodb:getItem");
    assert_eq!(scheduled["details"]["resource"], "getItem");
    assert_eq!(scheduled["details"]["resourceType"], "dynamodb");
    assert!(
        scheduled.get("input").is_some(),
        "parameters are the Task's input"
    );
    for event in events("catch-to-fail", &["--no-data"]) {
        assert!(
            event.get("input").is_none() && event.get("output").is_none(),
            "{event}"
        );
        assert!(event["details"].get("parameters").is_none(), "{event}");
    }
}

#[test]
fn no_data_leaves_the_execution_data_out_of_a_saved_historys_raw_records() {
    const DATA: [&str; 5] = [
        "input",
        "inputDetails",
        "output",
        "outputDetails",
        "parameters",
    ];
    let raw = |args: &[&str]| {
        json_lines(run("catch-handler-to-fail", &[&["-o", "raw"], args].concat()).as_bytes())
    };
    let details = |record: &Value| -> Vec<(String, serde_json::Map<String, Value>)> {
        record
            .as_object()
            .unwrap()
            .iter()
            .filter(|(key, _)| key.ends_with("EventDetails"))
            .map(|(key, details)| (key.clone(), details.as_object().unwrap().clone()))
            .collect()
    };
    let with_data = raw(&[]);
    let without = raw(&["--no-data"]);
    assert_eq!(with_data.len(), without.len());
    let mut left_out = 0;
    for (full, stripped) in with_data.iter().zip(&without) {
        // Only the execution data goes; every other field, top-level or in the details,
        // stays as saved.
        let mut expected = full.clone();
        for (key, mut fields) in details(full) {
            for field in DATA {
                left_out += usize::from(fields.shift_remove(field).is_some());
            }
            expected[key] = Value::Object(fields);
        }
        assert_eq!(stripped, &expected);
    }
    assert!(
        left_out >= 20,
        "the fixture has data to leave out: {left_out}"
    );
    assert_eq!(
        without[2]["taskScheduledEventDetails"]["resource"],
        "invoke"
    );
    // The normalized events agree: no payloads, no trace of them in `details`.
    for event in events("catch-handler-to-fail", &["--no-data"]) {
        for field in DATA {
            assert!(event.get(field).is_none(), "{field}: {event}");
            assert!(event["details"].get(field).is_none(), "{field}: {event}");
        }
    }
}

#[test]
fn elapsed_counts_from_the_runs_start() {
    let table = run("runtime-failure", &["--status", "failed"]);
    let row = table_lines(&table)
        .into_iter()
        .find(|row| row.contains("TaskFailed"))
        .unwrap()
        .to_string();
    assert!(
        row.contains(" 412ms "),
        "412 ms after ExecutionStarted: {row}"
    );
}

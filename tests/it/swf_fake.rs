//! `histx swf` through the real SDK and HTTP stack against the local fake of SWF: page
//! sizes (1000 unset, a set one capped at 100), tokens, reverse order, --limit, retried
//! throttling and 5xx faults, the service's errors, and finding the run when no
//! --run-id is given.

use crate::common;

use common::fake::{FakeAws, Fault};
use common::fake_swf::{self, fault, synthetic_history, FakeRun, HISTORY, LIST_CLOSED, LIST_OPEN};
use common::{histx, json_lines, one_error_line};
use serde_json::{json, Value};

const DOMAIN: &str = "orders";
const WORKFLOW: &str = "order-1";
const RUN: &str = "run-1";
/// 2023-11-14T22:13:20Z
const T0: f64 = 1_700_000_000.0;

fn fake_with(events: Vec<Value>) -> FakeAws {
    let fake = FakeAws::start();
    fake_swf::serve(&fake, vec![FakeRun::new(DOMAIN, WORKFLOW, RUN, T0, events)]);
    fake
}

fn fake_with_runs(runs: Vec<FakeRun>) -> FakeAws {
    let fake = FakeAws::start();
    fake_swf::serve(&fake, runs);
    fake
}

/// `histx swf` on the one run of [`fake_with`], with extra arguments.
fn run(fake: &FakeAws, args: &[&str]) -> assert_cmd::assert::Assert {
    histx()
        .args([
            "swf",
            "--domain",
            DOMAIN,
            WORKFLOW,
            "--run-id",
            RUN,
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .args(args)
        .assert()
}

/// `histx swf` without --run-id.
fn discover(fake: &FakeAws, workflow_id: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    histx()
        .args([
            "swf",
            "--domain",
            DOMAIN,
            workflow_id,
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .args(args)
        .assert()
}

/// The maximumPageSize of each history request (`None`: left unset).
fn page_sizes(fake: &FakeAws) -> Vec<Option<Value>> {
    fake.requests(HISTORY)
        .iter()
        .map(|r| r.get("maximumPageSize").cloned())
        .collect()
}

fn ids(stdout: &[u8]) -> Vec<i64> {
    json_lines(stdout)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

fn stdout_of(assert: assert_cmd::assert::Assert) -> Vec<u8> {
    assert.get_output().stdout.clone()
}

#[test]
fn pages_are_1000_events_with_the_page_size_left_unset() {
    let history = synthetic_history(2500);
    let fake = fake_with(history.clone());
    let out = stdout_of(run(&fake, &["-o", "raw"]).success());
    assert_eq!(
        json_lines(&out),
        history,
        "-o raw is the served events, one for one"
    );
    assert_eq!(
        page_sizes(&fake),
        vec![None, None, None],
        "one request per 1000 events"
    );
    // Two chains: the first page, the newest page, then the one between them.
    let requests = fake.requests(HISTORY);
    assert!(requests[0].get("nextPageToken").is_none());
    assert_eq!(requests[1]["reverseOrder"], json!(true));
    assert!(requests[1].get("nextPageToken").is_none());
    assert!(requests[2]["nextPageToken"]
        .as_str()
        .is_some_and(|t| t.starts_with("AAAA")));
    assert_eq!(requests[0]["domain"], json!(DOMAIN));
    assert_eq!(
        requests[0]["execution"],
        json!({"workflowId": WORKFLOW, "runId": RUN})
    );
}

#[test]
fn a_chosen_page_size_is_sent_and_the_service_caps_it_at_100() {
    let history = synthetic_history(250);
    let fake = fake_with(history.clone());
    let out = stdout_of(run(&fake, &["--page-size", "500", "-o", "raw"]).success());
    assert_eq!(json_lines(&out), history);
    assert_eq!(
        page_sizes(&fake),
        vec![Some(json!(500)); 3],
        "500 asked, 100 served, 3 pages"
    );

    let fake = fake_with(synthetic_history(250));
    run(&fake, &["--page-size", "50", "-o", "jsonl"]).success();
    assert_eq!(page_sizes(&fake), vec![Some(json!(50)); 5]);
}

#[test]
fn a_page_size_above_1000_is_a_usage_error() {
    let fake = fake_with(synthetic_history(10));
    let out = run(&fake, &["--page-size", "1001"])
        .code(2)
        .get_output()
        .clone();
    let line = one_error_line(&out.stderr);
    assert!(
        line.contains("--page-size 1001 is too large") && line.contains("1 to 1000"),
        "{line}"
    );
    assert!(fake.requests(HISTORY).is_empty(), "nothing is sent");
}

#[test]
fn reverse_asks_the_service_and_keeps_its_order() {
    let fake = fake_with(synthetic_history(1500));
    let out = stdout_of(run(&fake, &["--reverse", "-o", "jsonl"]).success());
    assert_eq!(ids(&out), (1..=1500).rev().collect::<Vec<_>>());
    let requests = fake.requests(HISTORY);
    assert_eq!(requests.len(), 2);
    // The newest page first; the oldest page from the other end meets it.
    assert_eq!(requests[0]["reverseOrder"], json!(true));
    assert_eq!(requests[1]["reverseOrder"], json!(false));
}

#[test]
fn a_limit_above_100_leaves_the_page_size_unset_and_costs_one_request() {
    let fake = fake_with(synthetic_history(2500));
    let out = stdout_of(run(&fake, &["--limit", "500", "-o", "jsonl"]).success());
    assert_eq!(ids(&out), (1..=500).collect::<Vec<_>>());
    assert_eq!(page_sizes(&fake), vec![None], "not 5 requests of 100");
}

#[test]
fn a_limit_of_100_or_less_sets_the_page_size() {
    let fake = fake_with(synthetic_history(2500));
    let out = stdout_of(run(&fake, &["--reverse", "--limit", "20", "-o", "jsonl"]).success());
    assert_eq!(ids(&out), (2481..=2500).rev().collect::<Vec<_>>());
    assert_eq!(page_sizes(&fake), vec![Some(json!(20))]);
}

#[test]
fn a_limit_across_pages_stops_requesting() {
    let fake = fake_with(synthetic_history(5000));
    let out = stdout_of(run(&fake, &["--limit", "1200", "-o", "jsonl"]).success());
    assert_eq!(json_lines(&out).len(), 1200);
    assert_eq!(page_sizes(&fake), vec![None, None]);
}

#[test]
fn names_follow_activities_across_pages() {
    let fake = fake_with(synthetic_history(200));
    let out = stdout_of(run(&fake, &["--page-size", "50", "-o", "jsonl"]).success());
    let events = json_lines(&out);
    assert_eq!(fake.requests(HISTORY).len(), 4);
    for event in &events[1..] {
        let name = event["name"]
            .as_str()
            .unwrap_or_else(|| panic!("unnamed: {event}"));
        assert!(
            name.starts_with("Step") && name.contains("(activityId step-"),
            "{event}"
        );
        assert_eq!(event["execution"], json!("orders/order-1/run-1"));
    }
    // Event 50 schedules step 17 on the first page; 51 and 52 start and complete it on
    // the second.
    assert_eq!(events[51]["type"], json!("ActivityTaskCompleted"));
    assert_eq!(events[51]["name"], json!("Step17/1 (activityId step-17)"));
    assert_eq!(events[51]["parent_id"], json!(51));
}

#[test]
fn throttling_and_server_errors_are_retried() {
    let history = synthetic_history(1500);
    let fake = fake_with(history.clone());
    fake.inject(HISTORY, vec![Fault::Throttle, Fault::ServerError]);
    let out = histx()
        .args([
            "swf",
            "--domain",
            DOMAIN,
            WORKFLOW,
            "--run-id",
            RUN,
            "--endpoint-url",
            &fake.endpoint(),
            "-o",
            "raw",
        ])
        .env("AWS_MAX_ATTEMPTS", "4")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        json_lines(&out),
        history,
        "nothing lost or repeated by the retries"
    );
    assert_eq!(
        fake.requests(HISTORY).len(),
        4,
        "two faults, then two pages"
    );
}

#[test]
fn persistent_throttling_ends_in_one_clear_line() {
    let fake = fake_with(synthetic_history(10));
    // The default is 8 attempts (see the unit tests of aws::config); 3 keeps this quick.
    fake.inject(HISTORY, vec![Fault::Throttle; 3]);
    let out = histx()
        .env("AWS_MAX_ATTEMPTS", "3")
        .args(["swf", "--domain", DOMAIN, WORKFLOW, "--run-id", RUN])
        .args(["--endpoint-url", &fake.endpoint(), "-o", "jsonl"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: ThrottlingException: Rate exceeded (gave up after 3 attempts; set \
         AWS_MAX_ATTEMPTS to retry more)"
    );
    assert_eq!(fake.requests(HISTORY).len(), 3);
}

#[test]
fn an_unknown_domain_is_one_clear_line() {
    let fake = fake_with(synthetic_history(3));
    let out = histx()
        .args([
            "swf",
            "--domain",
            "nope",
            WORKFLOW,
            "--run-id",
            RUN,
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: UnknownResourceFault: Unknown domain: nope"
    );
}

#[test]
fn a_run_id_that_does_not_match_is_one_clear_line_with_a_hint() {
    let fake = fake_with(synthetic_history(3));
    let out = histx()
        .args([
            "swf",
            "--domain",
            DOMAIN,
            WORKFLOW,
            "--run-id",
            "zzz",
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let line = one_error_line(&out.stderr);
    assert!(
        line.starts_with("histx: UnknownResourceFault: Unknown execution: WorkflowExecution=[workflowId=order-1, runId=zzz] "),
        "{line}"
    );
    assert!(
        line.contains("no run 'zzz' of workflow 'order-1' in domain 'orders'"),
        "{line}"
    );
    assert!(line.contains("without --run-id"), "{line}");
}

#[test]
fn operation_not_permitted_is_one_clear_line() {
    let fake = fake_with(synthetic_history(3));
    let message = "User: arn:aws:sts::123456789012:assumed-role/dev/me is not authorized to perform: swf:GetWorkflowExecutionHistory on resource: arn:aws:swf:us-east-1:123456789012:/domain/orders";
    fake.inject(
        HISTORY,
        vec![Fault::Error(fault("OperationNotPermittedFault", message))],
    );
    let out = run(&fake, &["-o", "jsonl"]).code(1).get_output().clone();
    assert_eq!(
        one_error_line(&out.stderr),
        format!("histx: OperationNotPermittedFault: {message}")
    );
}

#[test]
fn without_a_run_id_the_open_run_is_shown() {
    let fake = fake_with_runs(vec![
        FakeRun::new(DOMAIN, WORKFLOW, "run-old", T0, synthetic_history(4)).closed("FAILED"),
        FakeRun::new(
            DOMAIN,
            WORKFLOW,
            "run-open",
            T0 + 3600.0,
            synthetic_history(7),
        )
        .open(),
        FakeRun::new(
            DOMAIN,
            "order-2",
            "run-other",
            T0 + 7200.0,
            synthetic_history(2),
        )
        .open(),
    ]);
    let out = discover(&fake, WORKFLOW, &["-o", "jsonl"])
        .success()
        .get_output()
        .clone();
    let events = json_lines(&out.stdout);
    assert_eq!(events.len(), 7);
    assert_eq!(events[0]["execution"], json!("orders/order-1/run-open"));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "histx: run run-open (open, started 2023-11-14T23:13:20.000Z)\n"
    );
    let history = fake.requests(HISTORY);
    assert_eq!(
        history[0]["execution"],
        json!({"workflowId": WORKFLOW, "runId": "run-open"})
    );
    for target in [LIST_OPEN, LIST_CLOSED] {
        let listing = &fake.requests(target)[0];
        assert_eq!(listing["domain"], json!(DOMAIN), "{target}");
        assert_eq!(
            listing["executionFilter"],
            json!({"workflowId": WORKFLOW}),
            "{target}"
        );
        assert_eq!(
            listing["startTimeFilter"]["oldestDate"].as_f64(),
            Some(0.0),
            "{target}: {listing}"
        );
    }
}

#[test]
fn without_a_run_id_the_latest_started_closed_run_is_shown() {
    let fake = fake_with_runs(vec![
        FakeRun::new(DOMAIN, WORKFLOW, "run-a", T0, synthetic_history(2)),
        FakeRun::new(
            DOMAIN,
            WORKFLOW,
            "run-c",
            T0 + 86_400.0,
            synthetic_history(5),
        )
        .closed("FAILED"),
        FakeRun::new(DOMAIN, WORKFLOW, "run-b", T0 + 3600.0, synthetic_history(3)),
        FakeRun::new(
            DOMAIN,
            "order-2",
            "run-z",
            T0 + 90_000.0,
            synthetic_history(2),
        ),
    ]);
    let out = discover(&fake, WORKFLOW, &["-o", "jsonl"])
        .success()
        .get_output()
        .clone();
    assert_eq!(json_lines(&out.stdout).len(), 5);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "histx: run run-c (closed FAILED, started 2023-11-15T22:13:20.000Z; the latest started of 3 closed runs, --run-id picks another)\n"
    );
}

#[test]
fn runs_started_at_the_same_time_are_told_apart_by_run_id() {
    let fake = fake_with_runs(vec![
        FakeRun::new(DOMAIN, WORKFLOW, "run-1", T0, synthetic_history(2)),
        FakeRun::new(DOMAIN, WORKFLOW, "run-3", T0, synthetic_history(3)),
        FakeRun::new(DOMAIN, WORKFLOW, "run-2", T0, synthetic_history(4)),
    ]);
    for _ in 0..2 {
        let out = discover(&fake, WORKFLOW, &["-o", "jsonl"])
            .success()
            .get_output()
            .clone();
        assert_eq!(json_lines(&out.stdout).len(), 3);
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("histx: run run-3 (closed COMPLETED,")
        );
    }
}

#[test]
fn a_workflow_without_runs_is_one_clear_line() {
    let fake = fake_with(synthetic_history(3));
    let out = discover(&fake, "ghost", &[]).code(1).get_output().clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: no run of workflow 'ghost' in domain 'orders': none is open, and none closed within the domain's retention period"
    );
    assert!(fake.requests(HISTORY).is_empty());
}

#[test]
fn an_unknown_domain_while_looking_for_the_run_is_one_clear_line() {
    let fake = fake_with(synthetic_history(3));
    let out = histx()
        .args([
            "swf",
            "--domain",
            "nope",
            WORKFLOW,
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: UnknownResourceFault: Unknown domain: nope"
    );
}

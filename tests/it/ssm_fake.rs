//! `histx ssm` through the real SDK and HTTP stack against the local fake of
//! DescribeAutomationStepExecutions: 50 steps a page, tokens, ReverseOrder, --limit,
//! filters passed to the service, and the service's errors as one line each.

use crate::common;

use common::fake::{FakeAws, Fault};
use common::fake_ssm::{self, invalid_next_token, step_id, synthetic_steps, TARGET};
use common::http::aws_json_call;
use common::{histx, json_lines, one_error_line};
use serde_json::{json, Value};
use std::collections::HashMap;

const EXECUTION: &str = "4105a4fc-f944-11e6-9d32-0123456789ab";

fn fake_with(steps: Vec<Value>) -> FakeAws {
    let fake = FakeAws::start();
    fake.serve(fake_ssm::describe_automation_step_executions(
        HashMap::from([(EXECUTION.to_string(), steps)]),
    ));
    fake
}

fn run(fake: &FakeAws, args: &[&str]) -> assert_cmd::assert::Assert {
    histx()
        .args(["ssm", EXECUTION, "--endpoint-url", &fake.endpoint()])
        .args(args)
        .assert()
}

fn stdout_lines(fake: &FakeAws, args: &[&str]) -> Vec<Value> {
    json_lines(&run(fake, args).success().get_output().stdout)
}

fn page_sizes(fake: &FakeAws) -> Vec<Value> {
    fake.requests(TARGET)
        .iter()
        .map(|r| r["MaxResults"].clone())
        .collect()
}

fn names(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

/// The requests of one direction (`ReverseOrder` true or not), in the order sent.
fn requests_one_way(fake: &FakeAws, reverse: bool) -> Vec<Value> {
    fake.requests(TARGET)
        .into_iter()
        .filter(|r| (r["ReverseOrder"] == json!(true)) == reverse)
        .collect()
}

#[test]
fn an_automation_of_120_steps_takes_3_requests_of_50_oldest_first() {
    let steps = synthetic_steps(120);
    let fake = fake_with(steps.clone());
    assert_eq!(
        stdout_lines(&fake, &["-o", "raw"]),
        steps,
        "-o raw is the served steps"
    );
    // The first two pages alone, then the third and the newest page at once (the
    // chains meet there; see tests/it/ssm_chains.rs): one request more at most.
    let requests = requests_one_way(&fake, false);
    assert_eq!(requests.len(), 3);
    assert!(page_sizes(&fake).iter().all(|size| *size == json!(50)));
    assert!(fake.requests(TARGET).len() <= 4);
    assert!(requests
        .iter()
        .all(|r| r["AutomationExecutionId"] == EXECUTION));
    assert!(requests[0].get("NextToken").is_none());
    assert!(requests[1]["NextToken"]
        .as_str()
        .is_some_and(|t| t.starts_with("AAAA")));
    assert_ne!(requests[1]["NextToken"], requests[2]["NextToken"]);
    assert!(
        fake.requests(TARGET)
            .iter()
            .all(|r| r.get("Filters").is_none()),
        "no filter unless asked"
    );

    let events = stdout_lines(&fake, &["-o", "jsonl"]);
    assert_eq!(events.len(), 120);
    assert_eq!(events[0]["id"], json!(step_id(1)));
    assert_eq!(events[119]["parent_id"], json!(step_id(10)));
    assert_eq!(events[4]["status"], "failed");
    assert_eq!(events[4]["duration_ms"], 750);
}

#[test]
fn reverse_asks_the_service_for_the_newest_first() {
    let fake = fake_with(synthetic_steps(120));
    let events = stdout_lines(&fake, &["--reverse", "-o", "jsonl"]);
    let expected: Vec<String> = (1..=120).rev().map(|n| format!("step{n}")).collect();
    assert_eq!(names(&events), expected);
    // The newest pages first; the oldest one (the other chain) after them at most.
    let requests = fake.requests(TARGET);
    assert!(requests[..2]
        .iter()
        .all(|r| r["ReverseOrder"] == json!(true)));
    assert_eq!(requests_one_way(&fake, true).len(), 3);
    assert!(requests.len() <= 4);
    // A limited read is one chain, newest first.
    let fake = fake_with(synthetic_steps(120));
    let events = stdout_lines(&fake, &["--reverse", "--limit", "60", "-o", "jsonl"]);
    assert_eq!(names(&events), expected[..60]);
    assert!(fake
        .requests(TARGET)
        .iter()
        .all(|r| r["ReverseOrder"] == json!(true)));
}

#[test]
fn a_limit_stops_requesting_and_shrinks_the_last_page() {
    let fake = fake_with(synthetic_steps(120));
    assert_eq!(
        stdout_lines(&fake, &["--limit", "70", "-o", "jsonl"]).len(),
        70
    );
    assert_eq!(page_sizes(&fake), vec![json!(50), json!(20)]);

    let fake = fake_with(synthetic_steps(120));
    let newest = stdout_lines(&fake, &["--reverse", "--limit", "3", "-o", "jsonl"]);
    assert_eq!(names(&newest), ["step120", "step119", "step118"]);
    assert_eq!(page_sizes(&fake), vec![json!(3)]);
}

#[test]
fn filters_are_passed_to_the_service_on_every_page() {
    let fake = fake_with(synthetic_steps(120));
    let events = stdout_lines(
        &fake,
        &[
            "--filter",
            "stepexecutionstatus=failed",
            "--filter",
            "StepName=step5,step7,step15",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(names(&events), ["step5", "step15"]);
    assert_eq!(
        fake.requests(TARGET)[0]["Filters"],
        json!([
            {"Key": "StepExecutionStatus", "Values": ["Failed"]},
            {"Key": "StepName", "Values": ["step5", "step7", "step15"]}
        ]),
        "the key and a status are spelled as the API spells them"
    );

    // The 110 iterations of the loop step, after a time: three pages, each filtered.
    let fake = fake_with(synthetic_steps(120));
    let parent = format!("ParentStepExecutionId={}", step_id(10));
    let events = stdout_lines(
        &fake,
        &[
            "--filter",
            &parent,
            "--filter",
            "StartTimeAfter=2024-05-01T10:00:20Z",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(events.len(), 100, "steps 21 to 120");
    assert_eq!(events[0]["name"], "step21");
    let requests = fake.requests(TARGET);
    assert_eq!(requests.len(), 2);
    assert!(requests
        .iter()
        .all(|r| r["Filters"][0]["Key"] == "ParentStepExecutionId"));
}

#[test]
fn a_malformed_filter_is_a_usage_error_before_any_request() {
    let fake = fake_with(synthetic_steps(3));
    for (filter, message) in [
        ("StepName", "histx: --filter 'StepName': expected KEY=VALUE[,VALUE...], e.g. StepExecutionStatus=Failed"),
        ("StepName=", "histx: --filter 'StepName=': StepName needs a value after '=' and each ','"),
        ("Colour=red", "histx: --filter 'Colour=red': unknown key 'Colour'; the keys are Action, ParentStepExecutionId, ParentStepIteration, ParentStepIteratorValue, StartTimeAfter, StartTimeBefore, StepExecutionId, StepExecutionStatus, StepName"),
    ] {
        let out = run(&fake, &["--filter", filter]).code(2).get_output().clone();
        assert!(out.stdout.is_empty());
        assert_eq!(one_error_line(&out.stderr), message);
    }
    assert!(fake.requests(TARGET).is_empty());
}

#[test]
fn a_value_the_service_refuses_is_one_clear_line() {
    let fake = fake_with(synthetic_steps(3));
    // A time is checked here, before any request (exit 2); a status histx does not
    // know may be newer than it, so the service judges it.
    let out = run(&fake, &["--filter", "StartTimeBefore=yesterday"])
        .code(2)
        .get_output()
        .clone();
    assert!(one_error_line(&out.stderr).contains("'yesterday' is not a time"));
    assert!(fake.requests(TARGET).is_empty());
    let out = run(&fake, &["--filter", "StepExecutionStatus=Exploded"])
        .code(1)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: InvalidFilterValue: The filter value isn't valid. Verify the value and try again."
    );
}

#[test]
fn a_missing_automation_is_one_clear_line() {
    let fake = fake_with(synthetic_steps(3));
    let missing = "00000000-0000-4000-8000-000000000000";
    let out = histx()
        .args(["ssm", missing, "--endpoint-url", &fake.endpoint()])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        format!("histx: AutomationExecutionNotFoundException: Automation Execution with id {missing} does not exist.")
    );
}

#[test]
fn an_invalid_token_is_one_clear_line_after_the_pages_already_printed() {
    let fake = fake_with(synthetic_steps(120));
    fake.inject(
        TARGET,
        vec![Fault::Answer, Fault::Error(invalid_next_token())],
    );
    let out = run(&fake, &["-o", "jsonl"]).code(1).get_output().clone();
    assert_eq!(
        json_lines(&out.stdout).len(),
        50,
        "the first page was printed"
    );
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: stopped after 50 events (page 2): InvalidNextToken: The specified token \
         isn't valid.; the output is incomplete"
    );
}

#[test]
fn a_filter_key_the_service_refuses_is_one_clear_line() {
    // histx checks keys against the SDK's list; a service that knows fewer refuses one.
    let fake = fake_with(synthetic_steps(3));
    let refused =
        common::fake::ApiError::new(400, "InvalidFilterKey", "The specified key isn't valid.");
    fake.inject(TARGET, vec![Fault::Error(refused)]);
    let out = run(&fake, &["--filter", "ParentStepIteration=2"])
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: InvalidFilterKey: The specified key isn't valid."
    );
}

#[test]
fn throttling_is_retried_without_losing_a_step() {
    let steps = synthetic_steps(120);
    let fake = fake_with(steps.clone());
    fake.inject(
        TARGET,
        vec![Fault::Answer, Fault::Throttle, Fault::ServerError],
    );
    let out = run(&fake, &["-o", "raw"])
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_lines(&out), steps);
    assert_eq!(
        requests_one_way(&fake, false).len(),
        5,
        "three pages and two retries"
    );
}

#[test]
fn page_size_is_checked_against_the_api_maximum() {
    let fake = fake_with(synthetic_steps(120));
    assert_eq!(
        stdout_lines(&fake, &["--page-size", "40", "-o", "jsonl"]).len(),
        120
    );
    assert!(page_sizes(&fake).iter().all(|size| *size == json!(40)));
    assert_eq!(requests_one_way(&fake, false).len(), 3);
    let out = run(&fake, &["--page-size", "51"])
        .code(2)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: --page-size 51 is too large: `histx ssm` allows 1 to 50"
    );
}

#[test]
fn an_execution_arn_names_the_execution() {
    let fake = fake_with(synthetic_steps(2));
    let arn = format!("arn:aws:ssm:us-east-1:123456789012:automation-execution/{EXECUTION}");
    let out = histx()
        .args([
            "ssm",
            &arn,
            "--endpoint-url",
            &fake.endpoint(),
            "-o",
            "jsonl",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_lines(&out)[0]["execution"], EXECUTION);
    assert_eq!(fake.requests(TARGET)[0]["AutomationExecutionId"], EXECUTION);
}

/// The fake itself behaves as the API reference says, checked without histx.
#[test]
fn the_fake_refuses_what_the_service_refuses() {
    let fake = fake_with(synthetic_steps(120));
    let port: u16 = fake.endpoint().rsplit(':').next().unwrap().parse().unwrap();
    let call = |body: Value| {
        let response = aws_json_call(port, "ssm", TARGET, "1.1", &body);
        let body: Value = serde_json::from_str(&response.body).unwrap();
        (response.status, body)
    };
    let ask = |extra: Value| {
        let mut body = json!({"AutomationExecutionId": EXECUTION});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        call(body)
    };
    for size in [0, 51] {
        let (status, body) = ask(json!({"MaxResults": size}));
        assert_eq!(
            (status, body["__type"].as_str()),
            (400, Some("ValidationException"))
        );
    }
    let (status, body) = ask(json!({"Filters": [{"Key": "Colour", "Values": ["red"]}]}));
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("InvalidFilterKey"))
    );
    let (_, body) = ask(json!({"Filters": [{"Key": "StepExecutionStatus", "Values": ["failed"]}]}));
    assert_eq!(
        body["__type"], "InvalidFilterValue",
        "statuses are spelled as the API spells them"
    );
    let (_, body) = ask(json!({"Filters": [{"Key": "StartTimeAfter", "Values": ["noon"]}]}));
    assert_eq!(body["__type"], "InvalidFilterValue");

    // A token belongs to the request that issued it.
    let (_, first) = ask(json!({"MaxResults": 50}));
    let token = first["NextToken"].clone();
    let (status, body) = ask(json!({"NextToken": token, "ReverseOrder": true}));
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("InvalidNextToken"))
    );
    assert_eq!(body["message"], "The specified token isn't valid.");
    let (status, body) = ask(json!({"NextToken": "made-up"}));
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("InvalidNextToken"))
    );
    let (status, next) = ask(json!({"NextToken": token, "MaxResults": 50}));
    assert_eq!(status, 200);
    assert_eq!(next["StepExecutions"][0]["StepName"], "step51");
}

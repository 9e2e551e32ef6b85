//! `histx sfn` through the real SDK and HTTP stack against the local fake of
//! GetExecutionHistory: page sizes, tokens, reverse order, --limit, --no-data, retried
//! throttling and 5xx faults, and the service's errors.

use crate::common;

use common::fake::{ApiError, FakeAws, Fault, Quirks};
use common::fake_sfn::{self, synthetic_history, TARGET};
use common::{histx, json_lines, one_error_line};
use serde_json::{json, Value};
use std::collections::HashMap;

const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:Synthetic:run-1";

fn fake_with(events: Vec<Value>) -> FakeAws {
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        ARN.to_string(),
        events,
    )])));
    fake
}

fn run(fake: &FakeAws, args: &[&str]) -> assert_cmd::assert::Assert {
    histx()
        .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
        .args(args)
        .assert()
}

fn page_sizes(fake: &FakeAws) -> Vec<Value> {
    fake.requests(TARGET)
        .iter()
        .map(|r| r["maxResults"].clone())
        .collect()
}

#[test]
fn every_page_is_fetched_at_1000_events_a_request() {
    let history = synthetic_history(2500);
    let fake = fake_with(history.clone());
    let out = run(&fake, &["-o", "raw"])
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        json_lines(&out),
        history,
        "-o raw is the served events, one for one"
    );
    // Two chains: the first page oldest first, then the newest page, then the page
    // between them through the first page's token.
    let requests = fake.requests(TARGET);
    assert_eq!(requests.len(), 3);
    assert_eq!(page_sizes(&fake), vec![json!(1000); 3]);
    assert!(requests[0].get("nextToken").is_none());
    assert_eq!(requests[1]["reverseOrder"], json!(true));
    assert!(requests[1].get("nextToken").is_none());
    assert_eq!(requests[2]["reverseOrder"], json!(false));
    assert!(requests[2]["nextToken"]
        .as_str()
        .is_some_and(|t| t.starts_with("AAAA")));
}

#[test]
fn the_largest_history_takes_25_requests() {
    let fake = fake_with(synthetic_history(25_000));
    let out = run(&fake, &["-o", "jsonl"])
        .success()
        .get_output()
        .stdout
        .clone();
    let events = json_lines(&out);
    assert_eq!(events.len(), 25_000);
    assert_eq!(events[24_999]["id"], json!(25_000));
    assert_eq!(fake.requests(TARGET).len(), 25);
}

#[test]
fn reverse_asks_the_service_and_keeps_its_order() {
    let fake = fake_with(synthetic_history(1500));
    let out = run(&fake, &["--reverse", "-o", "jsonl"])
        .success()
        .get_output()
        .stdout
        .clone();
    let ids: Vec<i64> = json_lines(&out)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, (1..=1500).rev().collect::<Vec<_>>());
    // The newest page first; the oldest page from the other end meets it.
    let order: Vec<Value> = fake
        .requests(TARGET)
        .iter()
        .map(|r| r["reverseOrder"].clone())
        .collect();
    assert_eq!(order, vec![json!(true), json!(false)]);
}

#[test]
fn reverse_with_a_limit_costs_one_small_request() {
    let fake = fake_with(synthetic_history(5000));
    let out = run(&fake, &["--reverse", "--limit", "20", "-o", "jsonl"])
        .success()
        .get_output()
        .stdout
        .clone();
    let events = json_lines(&out);
    assert_eq!(events.len(), 20);
    assert_eq!(events[0]["id"], json!(5000));
    assert_eq!(page_sizes(&fake), vec![json!(20)]);
}

#[test]
fn a_limit_across_pages_stops_requesting() {
    let fake = fake_with(synthetic_history(5000));
    let out = run(&fake, &["--limit", "1200", "-o", "jsonl"])
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_lines(&out).len(), 1200);
    assert_eq!(page_sizes(&fake), vec![json!(1000), json!(200)]);
}

#[test]
fn page_size_is_passed_on_and_checked() {
    let fake = fake_with(synthetic_history(250));
    run(&fake, &["--page-size", "100", "-o", "jsonl"]).success();
    assert_eq!(page_sizes(&fake), vec![json!(100); 3]);

    let too_large = run(&fake, &["--page-size", "1001"])
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(one_error_line(&too_large).contains("--page-size 1001 is too large"));
    let zero = histx()
        .args(["sfn", ARN, "--page-size", "0"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&zero.get_output().stderr).contains("--page-size"));
}

#[test]
fn no_data_leaves_payloads_out() {
    let fake = fake_with(synthetic_history(10));
    let out = run(&fake, &["--no-data", "-o", "jsonl"])
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(fake
        .requests(TARGET)
        .iter()
        .all(|r| r["includeExecutionData"] == json!(false)));
    for event in json_lines(&out) {
        assert!(
            event.get("input").is_none() && event.get("output").is_none(),
            "{event}"
        );
    }
}

#[test]
fn throttling_and_server_errors_are_retried() {
    let history = synthetic_history(1500);
    let fake = fake_with(history.clone());
    // The first page fails twice (throttled, then a 500) before it is answered.
    fake.inject(TARGET, vec![Fault::Throttle, Fault::ServerError]);
    let out = histx()
        .args([
            "sfn",
            ARN,
            "--endpoint-url",
            &fake.endpoint(),
            "-o",
            "raw",
            "--page-size",
            "1000",
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
    assert_eq!(fake.requests(TARGET).len(), 4, "two faults, then two pages");
}

#[test]
fn persistent_throttling_ends_in_one_clear_line() {
    let fake = fake_with(synthetic_history(10));
    // The default is 8 attempts (see the unit tests of aws::config); 3 keeps this quick.
    fake.inject(TARGET, vec![Fault::Throttle; 3]);
    let out = histx()
        .env("AWS_MAX_ATTEMPTS", "3")
        .args([
            "sfn",
            ARN,
            "--endpoint-url",
            &fake.endpoint(),
            "-o",
            "jsonl",
        ])
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
    assert_eq!(fake.requests(TARGET).len(), 3);
}

#[test]
fn an_expired_token_is_one_clear_line_after_the_pages_already_printed() {
    let fake = fake_with(synthetic_history(1500));
    let expired = ApiError::new(400, "InvalidToken", "Invalid Token: 'token has expired'");
    fake.inject(TARGET, vec![Fault::Answer, Fault::Error(expired)]);
    let out = run(&fake, &["-o", "jsonl"]).code(1).get_output().clone();
    assert_eq!(
        json_lines(&out.stdout).len(),
        1000,
        "the first page was printed"
    );
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: stopped after 1000 events (page 2): InvalidToken: Invalid Token: 'token \
         has expired'; the output is incomplete"
    );
}

#[test]
fn a_missing_execution_is_one_clear_line() {
    let fake = fake_with(synthetic_history(3));
    let missing = "arn:aws:states:us-east-1:123456789012:execution:Synthetic:nope";
    let out = histx()
        .args(["sfn", missing, "--endpoint-url", &fake.endpoint()])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    assert_eq!(
        one_error_line(&out.stderr),
        format!("histx: ExecutionDoesNotExist: Execution Does Not Exist: '{missing}'")
    );
}

#[test]
fn access_denied_is_one_clear_line() {
    let fake = fake_with(synthetic_history(3));
    let denied = ApiError::new(
        400,
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: states:GetExecutionHistory",
    );
    fake.inject(TARGET, vec![Fault::Error(denied)]);
    let out = run(&fake, &[]).code(1).get_output().clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: AccessDeniedException: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: states:GetExecutionHistory"
    );
}

#[test]
fn every_output_format_reads_the_same_pages() {
    let history = synthetic_history(1200);
    let fake = fake_with(history);
    let jsonl = json_lines(&run(&fake, &["-o", "jsonl"]).success().get_output().stdout);
    let document: Vec<Value> =
        serde_json::from_slice(&run(&fake, &["-o", "json"]).success().get_output().stdout)
            .expect("one JSON document");
    assert_eq!(document, jsonl);
    assert_eq!(jsonl[1]["name"], json!("Step1"));
    assert_eq!(
        jsonl[1]["input"],
        json!({"n": 2}),
        "payload strings holding JSON are decoded"
    );
    assert_eq!(jsonl[1]["parent_id"], json!(1));
    assert_eq!(jsonl[1]["execution"], json!(ARN));

    let table = run(&fake, &["-o", "table", "--color", "always"])
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(table).unwrap();
    assert!(
        table.starts_with(&format!("Execution  {ARN}\n")),
        "the run summary comes first"
    );
    assert_eq!(
        common::table_lines(&table).len(),
        1201,
        "a header and one row per event"
    );
    assert!(table.contains("\u{1b}["), "--color always colours");
}

#[test]
fn short_pages_that_carry_a_token_are_not_the_end() {
    let history = synthetic_history(2500);
    let fake = fake_with(history.clone());
    let quirks = Quirks {
        short_pages: true,
        ..Quirks::default()
    };
    fake.quirks(TARGET, quirks);
    let out = run(&fake, &["-o", "raw"])
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_lines(&out), history);
    assert_eq!(
        fake.requests(TARGET).len(),
        3,
        "1000, a short 500 with a token, then the last 1000"
    );
}

#[test]
fn an_empty_final_token_ends_the_history() {
    let history = synthetic_history(1500);
    let fake = fake_with(history.clone());
    let quirks = Quirks {
        empty_final_token: true,
        ..Quirks::default()
    };
    fake.quirks(TARGET, quirks);
    let out = run(&fake, &["-o", "raw"])
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_lines(&out), history);
    let requests = fake.requests(TARGET);
    assert_eq!(requests.len(), 2, "no request is made with an empty token");
    assert!(requests
        .iter()
        .all(|r| r.get("nextToken").is_none_or(|t| t != "")));
}

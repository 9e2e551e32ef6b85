//! `histx codepipeline` through the real SDK and HTTP stack against the local fake of
//! ListActionExecutions and ListPipelineExecutions: 100 actions a page, tokens,
//! --execution-id and --latest, the order histx puts actions in (and --reverse, --limit),
//! the client-side check of the pipeline execution, and the service's errors.

use crate::common;

use common::fake::{ApiError, FakeAws, Fault};
use common::fake_codepipeline::{
    self, synthetic_actions, Pipelines, LIST_ACTIONS, LIST_EXECUTIONS,
};
use common::http::aws_json_call;
use common::{histx, json_lines, one_error_line};
use serde_json::{json, Value};
use std::collections::HashMap;

const PIPELINE: &str = "shop-release";
const FIRST: &str = "11111111-1111-4111-8111-111111111111";
const SECOND: &str = "22222222-2222-4222-8222-222222222222";
const THIRD: &str = "33333333-3333-4333-8333-333333333333";
const START: f64 = 1_714_557_600.0;

/// 250 action executions: 100 in the first pipeline execution, 90 in the second, 60 in
/// the third (the newest), plus a pipeline that never ran.
fn pipelines() -> Pipelines {
    let mut actions = synthetic_actions(FIRST, 100, START);
    actions.extend(synthetic_actions(SECOND, 90, START + 1000.0));
    actions.extend(synthetic_actions(THIRD, 60, START + 2000.0));
    HashMap::from([
        (PIPELINE.to_string(), actions),
        ("never-ran".to_string(), vec![]),
    ])
}

fn fake() -> FakeAws {
    let fake = FakeAws::start();
    fake.serve(fake_codepipeline::list_action_executions(pipelines()));
    fake.serve(fake_codepipeline::list_pipeline_executions(pipelines()));
    fake
}

fn run(fake: &FakeAws, args: &[&str]) -> assert_cmd::assert::Assert {
    histx()
        .args(["codepipeline", PIPELINE, "--endpoint-url", &fake.endpoint()])
        .args(args)
        .assert()
}

fn events(fake: &FakeAws, args: &[&str]) -> Vec<Value> {
    let out = run(fake, args).success().get_output().stdout.clone();
    json_lines(&out)
}

/// The pipeline execution of each event, and how many in a row, in output order.
fn runs_of_executions(events: &[Value]) -> Vec<(String, usize)> {
    let mut runs: Vec<(String, usize)> = Vec::new();
    for event in events {
        let execution = event["details"]["pipelineExecutionId"]
            .as_str()
            .unwrap()
            .to_string();
        match runs.last_mut() {
            Some((last, count)) if *last == execution => *count += 1,
            _ => runs.push((execution, 1)),
        }
    }
    runs
}

fn starts(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["time"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_action_of_three_large_pipeline_executions_takes_one_chain_and_a_listing() {
    let fake = fake();
    let events = events(&fake, &["--all", "-o", "jsonl"]);
    assert_eq!(events.len(), 250);
    assert_eq!(
        runs_of_executions(&events),
        [
            (FIRST.to_string(), 100),
            (SECOND.to_string(), 90),
            (THIRD.to_string(), 60)
        ],
        "grouped by pipeline execution, the oldest first"
    );
    let times = starts(&events);
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "oldest action first");
    assert_eq!(events[0]["execution"], format!("{PIPELINE}/{FIRST}"));

    // The first page holds two executions' actions (60 and 40): dense enough to list
    // the executions, but three of them are two more pages of the one chain against a
    // round trip for the listing and one for their own chains: the chain goes on.
    assert_eq!(
        fake.requests(LIST_EXECUTIONS),
        vec![json!({"pipelineName": PIPELINE, "maxResults": 100})]
    );
    let requests = fake.requests(LIST_ACTIONS);
    assert_eq!(requests.len(), 3);
    assert!(requests
        .iter()
        .all(|r| r["maxResults"] == 100 && r["pipelineName"] == PIPELINE));
    assert!(
        requests.iter().all(|r| r.get("filter").is_none()),
        "one chain over the pipeline"
    );
    assert!(requests[0].get("nextToken").is_none());
    assert!(requests[1]["nextToken"]
        .as_str()
        .is_some_and(|t| t.starts_with("AAAA")));
}

#[test]
fn raw_output_is_every_served_action_in_histx_order() {
    let fake = fake();
    let out = run(&fake, &["--all", "-o", "raw"])
        .success()
        .get_output()
        .stdout
        .clone();
    let mut expected = pipelines().remove(PIPELINE).unwrap();
    expected.sort_by(|a, b| {
        a["startTime"]
            .as_f64()
            .unwrap()
            .total_cmp(&b["startTime"].as_f64().unwrap())
    });
    assert_eq!(json_lines(&out), expected);
}

#[test]
fn one_pipeline_execution_is_asked_of_the_service() {
    let fake = fake();
    let events = events(&fake, &["--execution-id", SECOND, "-o", "jsonl"]);
    assert_eq!(runs_of_executions(&events), [(SECOND.to_string(), 90)]);
    let requests = fake.requests(LIST_ACTIONS);
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0]["filter"],
        json!({"pipelineExecutionId": SECOND})
    );
}

#[test]
fn latest_finds_the_newest_pipeline_execution_first() {
    let fake = fake();
    let events = events(&fake, &["--latest", "-o", "jsonl"]);
    assert_eq!(runs_of_executions(&events), [(THIRD.to_string(), 60)]);
    assert_eq!(
        self::events(&fake, &["-o", "jsonl"]),
        events,
        "the newest execution is the default"
    );
    let listed = fake.requests(LIST_EXECUTIONS);
    assert_eq!(
        listed,
        vec![json!({"pipelineName": PIPELINE, "maxResults": 100}); 2]
    );
    let requests = fake.requests(LIST_ACTIONS);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["filter"], json!({"pipelineExecutionId": THIRD}));
}

#[test]
fn an_action_of_another_pipeline_execution_is_never_shown() {
    let fake = FakeAws::start();
    fake.serve(fake_codepipeline::list_action_executions_ignoring_filter(
        pipelines(),
    ));
    let events = events(&fake, &["--execution-id", FIRST, "-o", "jsonl"]);
    assert_eq!(runs_of_executions(&events), [(FIRST.to_string(), 100)]);
    assert_eq!(
        fake.requests(LIST_ACTIONS).len(),
        3,
        "the service sent all 250"
    );
}

#[test]
fn reverse_is_done_by_histx_not_asked_of_the_service() {
    let fake = fake();
    let forward = events(&fake, &["--all", "-o", "jsonl"]);
    let backward = events(&fake, &["--all", "--reverse", "-o", "jsonl"]);
    let mut expected = forward.clone();
    expected.reverse();
    assert_eq!(backward, expected);
    for request in fake.requests(LIST_ACTIONS) {
        let mut keys: Vec<&String> = request.as_object().unwrap().keys().collect();
        keys.sort();
        keys.retain(|k| *k != "filter" && *k != "nextToken");
        assert_eq!(keys, ["maxResults", "pipelineName"], "{request}");
    }
}

#[test]
fn a_limit_counts_in_the_order_shown() {
    let fake = fake();
    let oldest = events(&fake, &["--all", "--limit", "5", "-o", "jsonl"]);
    assert_eq!(oldest.len(), 5);
    assert!(oldest
        .iter()
        .all(|e| e["details"]["pipelineExecutionId"] == FIRST));
    assert_eq!(oldest[0]["name"], "Stage0.Action0");
    let newest = events(
        &fake,
        &["--all", "--reverse", "--limit", "5", "-o", "jsonl"],
    );
    assert_eq!(newest[0]["name"], "Stage5.Action59");
    assert!(newest
        .iter()
        .all(|e| e["details"]["pipelineExecutionId"] == THIRD));
    // Ordering needs every page: a limit does not shrink the pages asked for.
    assert!(fake
        .requests(LIST_ACTIONS)
        .iter()
        .all(|r| r["maxResults"] == 100));
}

#[test]
fn page_size_is_passed_on_and_checked() {
    let fake = fake();
    assert_eq!(
        events(&fake, &["--all", "--page-size", "60", "-o", "jsonl"]).len(),
        250
    );
    let sizes: Vec<Value> = fake
        .requests(LIST_ACTIONS)
        .iter()
        .map(|r| r["maxResults"].clone())
        .collect();
    assert_eq!(sizes, vec![json!(60); 5]);
    let out = run(&fake, &["--page-size", "101"])
        .code(2)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: --page-size 101 is too large: `histx codepipeline` allows 1 to 100"
    );
}

#[test]
fn a_missing_pipeline_is_one_clear_line() {
    let fake = fake();
    for args in [vec![], vec!["--latest"], vec!["--all"]] {
        let out = histx()
            .args([
                "codepipeline",
                "no-such-pipeline",
                "--endpoint-url",
                &fake.endpoint(),
            ])
            .args(&args)
            .assert()
            .code(1)
            .get_output()
            .clone();
        assert!(out.stdout.is_empty());
        assert_eq!(
            one_error_line(&out.stderr),
            "histx: PipelineNotFoundException: The account with id '123456789012' does not include a pipeline with the name 'no-such-pipeline' in us-east-1 (`histx codepipeline ls` lists the pipelines there are)"
        );
    }
}

#[test]
fn a_pipeline_execution_of_another_pipeline_is_one_clear_line() {
    let fake = fake();
    let stranger = "44444444-4444-4444-8444-444444444444";
    let out = run(&fake, &["--execution-id", stranger])
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        format!("histx: PipelineExecutionNotFoundException: Pipeline execution ID {stranger} does not belong to pipeline {PIPELINE} or does not exist")
    );
}

#[test]
fn latest_of_a_pipeline_that_never_ran_is_one_clear_line() {
    let fake = fake();
    let out = histx()
        .args([
            "codepipeline",
            "never-ran",
            "--latest",
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: pipeline 'never-ran' has no executions"
    );
}

#[test]
fn an_invalid_token_is_one_clear_line() {
    let fake = fake();
    let refused = ApiError::new(
        400,
        "InvalidNextTokenException",
        "The next token was specified in an invalid format. Make sure that the next token you provide is the token returned by a previous call.",
    );
    fake.inject(LIST_ACTIONS, vec![Fault::Answer, Fault::Error(refused)]);
    let out = run(&fake, &["--all", "-o", "jsonl"])
        .code(1)
        .get_output()
        .clone();
    assert!(
        out.stdout.is_empty(),
        "nothing is shown before every page is read"
    );
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: InvalidNextTokenException: The next token was specified in an invalid format. Make sure that the next token you provide is the token returned by a previous call."
    );
}

#[test]
fn throttling_is_retried_without_losing_an_action() {
    let fake = fake();
    fake.inject(
        LIST_ACTIONS,
        vec![Fault::Throttle, Fault::Answer, Fault::Unavailable],
    );
    assert_eq!(events(&fake, &["--all", "-o", "jsonl"]).len(), 250);
    assert_eq!(fake.requests(LIST_ACTIONS).len(), 5);
}

#[test]
fn malformed_names_and_ids_are_usage_errors_before_any_request() {
    let fake = fake();
    let out = histx()
        .args([
            "codepipeline",
            "shop release",
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(one_error_line(&out.stderr).starts_with("histx: not a pipeline name: 'shop release'"));
    let out = run(&fake, &["--execution-id", "latest"])
        .code(2)
        .get_output()
        .clone();
    assert!(one_error_line(&out.stderr).starts_with("histx: not a pipeline execution ID: 'latest'"));
    let both = run(&fake, &["--execution-id", FIRST, "--latest"])
        .code(2)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"));
    let nothing = histx()
        .args(["codepipeline"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&nothing.stderr),
        "histx: `histx codepipeline` needs a pipeline name, or --from FILE"
    );
    assert!(fake.requests(LIST_ACTIONS).is_empty() && fake.requests(LIST_EXECUTIONS).is_empty());
}

/// The fake itself behaves as the API reference says, checked without histx.
#[test]
fn the_fake_refuses_what_the_service_refuses() {
    let fake = fake();
    let port: u16 = fake.endpoint().rsplit(':').next().unwrap().parse().unwrap();
    let call = |body: Value| {
        let response = aws_json_call(port, "codepipeline", LIST_ACTIONS, "1.1", &body);
        (
            response.status,
            serde_json::from_str::<Value>(&response.body).unwrap(),
        )
    };
    for size in [0, 101] {
        let (status, body) = call(json!({"pipelineName": PIPELINE, "maxResults": size}));
        assert_eq!(
            (status, body["__type"].as_str()),
            (400, Some("ValidationException"))
        );
    }
    let (_, first) = call(json!({"pipelineName": PIPELINE}));
    assert_eq!(
        first["actionExecutionDetails"].as_array().unwrap().len(),
        100,
        "100 by default"
    );
    assert_eq!(
        first["actionExecutionDetails"][0]["pipelineExecutionId"], THIRD,
        "newest first"
    );
    let token = first["nextToken"].clone();
    let (status, body) = call(
        json!({"pipelineName": PIPELINE, "nextToken": token, "filter": {"pipelineExecutionId": FIRST}}),
    );
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("InvalidNextTokenException"))
    );
    let (status, next) = call(json!({"pipelineName": PIPELINE, "nextToken": token}));
    assert_eq!(status, 200);
    assert_eq!(
        next["actionExecutionDetails"].as_array().unwrap().len(),
        100
    );
}

/// `count` pipeline executions of `shop-release`, the i-th started an hour after the one
/// before, every third with 101 actions (two pages), the others with 5.
fn many_executions(count: usize) -> (Pipelines, Vec<Value>) {
    let mut actions = Vec::new();
    for i in 0..count {
        let id = format!("{i:08x}-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
        let size = if i % 3 == 0 { 101 } else { 5 };
        actions.extend(synthetic_actions(&id, size, START + 3600.0 * i as f64));
    }
    (
        HashMap::from([(PIPELINE.to_string(), actions.clone())]),
        actions,
    )
}

fn many_fake(count: usize) -> (FakeAws, Vec<Value>) {
    let (pipelines, actions) = many_executions(count);
    let fake = FakeAws::start();
    fake.serve(fake_codepipeline::list_action_executions(pipelines.clone()));
    fake.serve(fake_codepipeline::list_pipeline_executions(pipelines));
    (fake, actions)
}

/// What `--all` shows of these actions saved in a file (the same normalizer and order,
/// no request).
fn from_saved(actions: &[Value], args: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("actions.json");
    std::fs::write(
        &file,
        json!({"actionExecutionDetails": actions}).to_string(),
    )
    .unwrap();
    histx()
        .args(["codepipeline", PIPELINE, "--from"])
        .arg(&file)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

#[test]
fn all_reads_the_executions_concurrently_at_most_8_at_once_in_the_same_order() {
    // 130 executions: two listing pages; 44 of them need two pages of actions.
    let (fake, actions) = many_fake(130);
    fake.slow_down(LIST_ACTIONS, std::time::Duration::from_millis(40));
    let out = run(&fake, &["--all", "-o", "jsonl"])
        .success()
        .get_output()
        .stdout
        .clone();
    let most = fake.most_in_flight(LIST_ACTIONS);
    assert!(
        most > 1 && most <= 8,
        "{most} ListActionExecutions requests in flight at once"
    );
    // The same bytes as the same actions read from a file, every action once.
    assert_eq!(out, from_saved(&actions, &["--all", "-o", "jsonl"]));
    let events = json_lines(&out);
    assert_eq!(events.len(), actions.len());
    let ids: std::collections::HashSet<&str> =
        events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), actions.len());
    // The one chain's first page (all of one execution's: dense), then a request per
    // page an execution needs, and two listing pages.
    assert_eq!(fake.requests(LIST_EXECUTIONS).len(), 2);
    assert_eq!(fake.requests(LIST_ACTIONS).len(), 1 + 130 + 44);
    // The table and --reverse agree with the file too.
    let (_, actions) = many_executions(20);
    for args in [vec!["--all"], vec!["--all", "--reverse", "-o", "jsonl"]] {
        let (fake, _) = many_fake(20);
        let mut all = args.clone();
        all.extend(["--color", "never"]);
        let live = run(&fake, &all).success().get_output().stdout.clone();
        assert_eq!(
            String::from_utf8_lossy(&live),
            String::from_utf8_lossy(&from_saved(&actions, &all)),
            "{args:?}"
        );
    }
}

#[test]
fn faults_on_the_executions_chains_still_give_every_action_once() {
    let (fake, actions) = many_fake(20);
    fake.slow_down(LIST_ACTIONS, std::time::Duration::from_millis(20));
    fake.inject(
        LIST_ACTIONS,
        vec![
            Fault::Answer,
            Fault::Throttle,
            Fault::Answer,
            Fault::ServerError,
            Fault::Unavailable,
            Fault::Answer,
            Fault::Answer,
            Fault::Throttle,
        ],
    );
    fake.inject(LIST_EXECUTIONS, vec![Fault::Throttle]);
    let out = run(&fake, &["--all", "-o", "jsonl"])
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(out, from_saved(&actions, &["--all", "-o", "jsonl"]));
    let events = json_lines(&out);
    let ids: std::collections::HashSet<&str> =
        events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!((events.len(), ids.len()), (actions.len(), actions.len()));
    // The first page of the one chain, 20 executions, 7 of them two pages, and the 4
    // retried.
    assert_eq!(fake.requests(LIST_ACTIONS).len(), 1 + 27 + 4);

    // A fault that is not retried fails the read with the service's own line, named by
    // its execution.
    let (fake, _) = many_fake(20);
    let denied = ApiError::new(400, "AccessDeniedException", "not allowed");
    fake.inject(
        LIST_ACTIONS,
        vec![Fault::Answer, Fault::Answer, Fault::Error(denied)],
    );
    let out = run(&fake, &["--all", "-o", "jsonl"])
        .code(1)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty(), "nothing shown of a partial read");
    // Named by the execution whose actions could not be read (which one took the
    // third request depends on the order the chains asked in).
    let line = one_error_line(&out.stderr);
    assert!(
        line.starts_with("histx: the actions of execution ")
            && line.ends_with(": AccessDeniedException: not allowed"),
        "{line}"
    );
}

/// `executions` pipeline executions of `shop-release` of `each` actions, an hour apart.
fn uniform_fake(executions: usize, each: usize) -> (FakeAws, Vec<Value>) {
    let mut actions = Vec::new();
    for i in 0..executions {
        let id = format!("{i:08x}-bbbb-4bbb-8bbb-bbbbbbbbbbbb");
        actions.extend(synthetic_actions(&id, each, START + 3600.0 * i as f64));
    }
    let pipelines = HashMap::from([(PIPELINE.to_string(), actions.clone())]);
    let fake = FakeAws::start();
    fake.serve(fake_codepipeline::list_action_executions(pipelines.clone()));
    fake.serve(fake_codepipeline::list_pipeline_executions(pipelines));
    (fake, actions)
}

/// `--all` with `HISTX_CODEPIPELINE_ALL_PLAN` set to `plan` (`auto`: the rule's choice).
fn all_with_plan(fake: &FakeAws, plan: &str, args: &[&str]) -> Vec<u8> {
    histx()
        .args([
            "codepipeline",
            PIPELINE,
            "--all",
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .args(args)
        .env("HISTX_CODEPIPELINE_ALL_PLAN", plan)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

/// The ListActionExecutions requests with a filter, and those without.
fn filtered_and_not(fake: &FakeAws) -> (usize, usize) {
    let requests = fake.requests(LIST_ACTIONS);
    let filtered = requests
        .iter()
        .filter(|r| r.get("filter").is_some())
        .count();
    (filtered, requests.len() - filtered)
}

#[test]
fn small_executions_are_read_with_one_chain_and_no_listing() {
    // 50 × 5 and 300 × 5: the first page holds some twenty executions.
    for (executions, pages) in [(50, 3), (300, 15)] {
        let (fake, actions) = uniform_fake(executions, 5);
        let out = all_with_plan(&fake, "auto", &["-o", "jsonl"]);
        assert_eq!(out, from_saved(&actions, &["--all", "-o", "jsonl"]));
        assert_eq!(json_lines(&out).len(), executions * 5);
        assert_eq!(filtered_and_not(&fake), (0, pages), "{executions} × 5");
        assert!(
            fake.requests(LIST_EXECUTIONS).is_empty(),
            "{executions} × 5"
        );
    }
    // One page in all: nothing else is asked.
    let (fake, _) = uniform_fake(4, 20);
    assert_eq!(
        json_lines(&all_with_plan(&fake, "auto", &["-o", "jsonl"])).len(),
        80
    );
    assert_eq!(filtered_and_not(&fake), (0, 1));
    assert!(fake.requests(LIST_EXECUTIONS).is_empty());
}

#[test]
fn large_executions_are_read_execution_by_execution_at_most_8_at_once() {
    // 50 × 40: the first page holds three executions' actions (40, 40, 20).
    let (fake, actions) = uniform_fake(50, 40);
    fake.slow_down(LIST_ACTIONS, std::time::Duration::from_millis(20));
    let out = all_with_plan(&fake, "auto", &["-o", "jsonl"]);
    assert_eq!(out, from_saved(&actions, &["--all", "-o", "jsonl"]));
    let ids: std::collections::HashSet<String> = json_lines(&out)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2000);
    // The chain's first page, one listing page, a request per execution.
    assert_eq!(filtered_and_not(&fake), (50, 1));
    assert_eq!(fake.requests(LIST_EXECUTIONS).len(), 1);
    let most = fake.most_in_flight(LIST_ACTIONS);
    assert!(most > 1 && most <= 8, "{most} requests in flight at once");
}

#[test]
fn small_pages_make_the_executions_plan_pay_and_a_listing_can_keep_the_chain() {
    // 50 × 5 at 10 a page: the chain is 25 pages, the executions 1 + 7 round trips.
    let (fake, actions) = uniform_fake(50, 5);
    let args = ["--page-size", "10", "-o", "jsonl"];
    let out = all_with_plan(&fake, "auto", &args);
    assert_eq!(out, from_saved(&actions, &["--all", "-o", "jsonl"]));
    assert_eq!(filtered_and_not(&fake), (50, 1));
    // 3 × 40: dense, but listing shows only three executions: the chain goes on.
    let (fake, _) = uniform_fake(3, 40);
    assert_eq!(
        json_lines(&all_with_plan(&fake, "auto", &["-o", "jsonl"])).len(),
        120
    );
    assert_eq!(filtered_and_not(&fake), (0, 2));
    assert_eq!(fake.requests(LIST_EXECUTIONS).len(), 1);
}

#[test]
fn both_plans_give_the_same_bytes() {
    for (executions, each) in [(30, 5), (12, 40)] {
        for args in [
            vec!["-o", "jsonl"],
            vec!["--color", "never"],
            vec!["--reverse", "-o", "raw"],
            vec!["--limit", "7", "-o", "jsonl"],
        ] {
            let outs: Vec<Vec<u8>> = ["chain", "executions", "auto"]
                .iter()
                .map(|plan| {
                    let (fake, _) = uniform_fake(executions, each);
                    all_with_plan(&fake, plan, &args)
                })
                .collect();
            assert!(!outs[0].is_empty());
            assert_eq!(outs[0], outs[1], "{executions} × {each} {args:?}");
            assert_eq!(outs[0], outs[2], "{executions} × {each} {args:?}");
        }
    }
    // Forced, each plan asks only what it needs.
    let (fake, _) = uniform_fake(30, 5);
    all_with_plan(&fake, "chain", &["-o", "jsonl"]);
    assert_eq!(filtered_and_not(&fake), (0, 2));
    assert!(fake.requests(LIST_EXECUTIONS).is_empty());
    let (fake, _) = uniform_fake(30, 5);
    all_with_plan(&fake, "executions", &["-o", "jsonl"]);
    assert_eq!(filtered_and_not(&fake), (30, 0));
    assert_eq!(fake.requests(LIST_EXECUTIONS).len(), 1);
}

#[test]
fn faults_on_the_first_page_or_the_listing_change_nothing() {
    let (fake, actions) = uniform_fake(50, 40);
    fake.inject(LIST_ACTIONS, vec![Fault::Throttle, Fault::ServerError]);
    fake.inject(LIST_EXECUTIONS, vec![Fault::Unavailable]);
    let out = all_with_plan(&fake, "auto", &["-o", "jsonl"]);
    assert_eq!(out, from_saved(&actions, &["--all", "-o", "jsonl"]));
    assert_eq!(filtered_and_not(&fake), (50, 1 + 2));
    assert_eq!(fake.requests(LIST_EXECUTIONS).len(), 2);
    let (fake, actions) = uniform_fake(50, 5);
    fake.inject(LIST_ACTIONS, vec![Fault::Answer, Fault::Throttle]);
    let out = all_with_plan(&fake, "auto", &["-o", "jsonl"]);
    assert_eq!(out, from_saved(&actions, &["--all", "-o", "jsonl"]));
    assert_eq!(filtered_and_not(&fake), (0, 3 + 1));
}

#[test]
fn a_plan_variable_that_names_no_plan_is_a_usage_error() {
    let (fake, _) = uniform_fake(3, 5);
    let out = histx()
        .args([
            "codepipeline",
            PIPELINE,
            "--all",
            "--endpoint-url",
            &fake.endpoint(),
        ])
        .env("HISTX_CODEPIPELINE_ALL_PLAN", "fastest")
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_eq!(
        one_error_line(&out.stderr),
        "histx: HISTX_CODEPIPELINE_ALL_PLAN is chain, executions or auto, not 'fastest'"
    );
    assert!(fake.requests(LIST_ACTIONS).is_empty());
}

#[test]
fn with_several_executions_failing_the_first_in_the_listing_s_order_is_reported_and_named() {
    // Ten executions of 250 actions, 100 a page. The first listed (the newest, 9) fails
    // on its second page; a later one (5) on its first, so its error comes back first.
    let mut actions = Vec::new();
    let id = |i: usize| format!("{i:08x}-bbbb-4bbb-8bbb-bbbbbbbbbbbb");
    for i in 0..10 {
        actions.extend(synthetic_actions(&id(i), 250, START + 3600.0 * i as f64));
    }
    let pipelines = HashMap::from([(PIPELINE.to_string(), actions)]);
    let (first, later) = (id(9), id(5));
    for _ in 0..3 {
        let fake = FakeAws::start();
        let mut api = fake_codepipeline::list_action_executions(pipelines.clone());
        let select = api.select;
        let (refused_first, refused_later) = (first.clone(), later.clone());
        api.select = Box::new(move |request| {
            let wanted = request["filter"]["pipelineExecutionId"].as_str();
            let paged_on = request.get("nextToken").is_some();
            if wanted == Some(refused_first.as_str()) && paged_on
                || wanted == Some(refused_later.as_str())
            {
                let refused = wanted.unwrap_or_default();
                return Err(ApiError::new(
                    400,
                    "AccessDeniedException",
                    format!("not allowed to read {refused}"),
                ));
            }
            select(request)
        });
        fake.serve(api);
        fake.serve(fake_codepipeline::list_pipeline_executions(
            pipelines.clone(),
        ));
        fake.slow_down(LIST_ACTIONS, std::time::Duration::from_millis(300));
        let out = histx()
            .args(["codepipeline", PIPELINE, "--all", "--page-size", "100"])
            .args(["--endpoint-url", &fake.endpoint(), "-o", "jsonl"])
            .env("HISTX_CODEPIPELINE_ALL_PLAN", "executions")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            one_error_line(&out.stderr),
            format!(
                "histx: the actions of execution {first}: AccessDeniedException: not allowed to read {first}"
            )
        );
        // The later execution had failed before.
        let requests = fake.requests(LIST_ACTIONS);
        assert!(requests
            .iter()
            .any(|r| r["filter"]["pipelineExecutionId"] == json!(later)));
    }
}

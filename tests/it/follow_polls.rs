//! What following a long SSM automation costs: after the first listing, a poll lists
//! the steps started since the newest start seen (`StartTimeAfter`) and, by
//! `StepExecutionId`, the started steps still open that listing missed; once the
//! automation's status is final, every step once more. The fake applies those filters
//! as the API reference says (and refuses more than 10 values or 6 filters), and counts
//! the requests: a few a poll, and every step change still printed once, never
//! backwards, the last version the final one. A CodePipeline execution's polls ask
//! for that execution's actions only (filter.pipelineExecutionId).

use crate::common;

use common::fake::FakeAws;
use common::fake_ssm::{self, advancing_automation_scaled, GET_AUTOMATION_EXECUTION};
use common::{fake_codepipeline, histx, json_lines};
use serde_json::Value;
use std::collections::HashMap;

const AUTOMATION: &str = "4105a4fc-f944-11e6-9d32-0123456789ab";

fn progress(record: &Value) -> u8 {
    match record["status"].as_str().unwrap() {
        "pending" | "scheduled" => 0,
        "running" | "started" => 1,
        _ => 2,
    }
}

/// 120 steps (three pages of 50), one starting every 40 ms of the fake's clock and
/// running for 100 ms, two or three at once; told 100 times as slow in their times (a
/// step every 4 s, an automation of 8 minutes). The last one fails.
fn long_automation() -> FakeAws {
    let names: Vec<&'static str> = (1..=120)
        .map(|n| &*Box::leak(format!("step{n}").into_boxed_str()))
        .collect();
    let plan = names
        .iter()
        .enumerate()
        .map(|(n, name)| {
            let starts = n as f64 * 0.04;
            let outcome = if n == 119 { "Failed" } else { "Success" };
            (*name, starts, starts + 0.1, outcome)
        })
        .collect();
    let (steps, status) = advancing_automation_scaled(AUTOMATION, plan, 100.0);
    let fake = FakeAws::start();
    fake.serve(steps);
    fake.answer(status);
    fake
}

fn filter_keys(request: &Value) -> Vec<&str> {
    request["Filters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["Key"].as_str().unwrap())
        .collect()
}

#[test]
fn a_long_automation_followed_costs_a_few_requests_a_poll_and_misses_no_change() {
    let fake = long_automation();
    let output = histx()
        .args(["ssm", AUTOMATION, "--endpoint-url", &fake.endpoint()])
        .args([
            "--follow",
            "-o",
            "jsonl",
            "--exit-status",
            "--interval",
            "100ms",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let followed = json_lines(&output.stdout);
    // The follow's requests (before the read below).
    let listings = fake.requests(fake_ssm::TARGET);
    let polls = fake.requests(GET_AUTOMATION_EXECUTION).len() - 1;
    let after = json_lines(
        &histx()
            .args([
                "ssm",
                AUTOMATION,
                "--endpoint-url",
                &fake.endpoint(),
                "-o",
                "jsonl",
            ])
            .output()
            .unwrap()
            .stdout,
    );
    assert_eq!(after.len(), 120);
    // Per step: never backwards, never the same version twice, the last one final.
    let mut versions: HashMap<&str, Vec<&Value>> = HashMap::new();
    for record in &followed {
        versions
            .entry(record["id"].as_str().unwrap())
            .or_default()
            .push(record);
    }
    assert_eq!(versions.len(), 120);
    for (id, lines) in &versions {
        assert!(
            lines
                .windows(2)
                .all(|w| progress(w[0]) <= progress(w[1]) && w[0] != w[1]),
            "{id}: {lines:?}"
        );
    }
    for record in &after {
        assert_eq!(
            *versions[record["id"].as_str().unwrap()].last().unwrap(),
            record
        );
    }
    // Most steps were seen running: the polls caught them between start and end.
    let seen_running = versions
        .values()
        .filter(|lines| lines.iter().any(|l| l["status"] == "running"))
        .count();
    assert!(seen_running > 0);

    let (whole, narrowed): (Vec<&Value>, Vec<&Value>) =
        listings.iter().partition(|r| r.get("Filters").is_none());
    assert_eq!(
        whole.len(),
        6,
        "the first listing and the one after the end, 3 pages each"
    );
    for request in &narrowed {
        let keys = filter_keys(request);
        assert!(
            keys == ["StartTimeAfter"] || keys == ["StepExecutionId"],
            "{request}"
        );
    }
    assert!(
        narrowed.len() <= 2 * polls,
        "{} narrowed listings in {polls} polls",
        narrowed.len()
    );
    // Without the narrowing each poll would have listed all 120 steps: 3 requests.
    assert!(polls >= 3, "{polls} polls");
}

#[test]
fn filters_of_the_users_on_the_poll_keys_make_each_poll_list_every_step() {
    let fake = long_automation();
    let output = histx()
        .args(["ssm", AUTOMATION, "--endpoint-url", &fake.endpoint()])
        .args(["--filter", "StepName=step1,step2,step120"])
        .args([
            "--follow",
            "-o",
            "jsonl",
            "--exit-status",
            "--interval",
            "100ms",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let listings = fake.requests(fake_ssm::TARGET);
    // StepName narrows nothing a poll needs: the polls add their own filter to it.
    assert!(listings
        .iter()
        .any(|r| filter_keys(r) == ["StepName", "StartTimeAfter"]));
    let followed = json_lines(&output.stdout);
    let last: HashMap<&str, &str> = followed
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        last,
        HashMap::from([
            ("step1", "succeeded"),
            ("step2", "succeeded"),
            ("step120", "failed")
        ])
    );

    let fake = long_automation();
    let output = histx()
        .args(["ssm", AUTOMATION, "--endpoint-url", &fake.endpoint()])
        .args(["--filter", "StepExecutionStatus=Success,Failed,InProgress"])
        .args(["--follow", "-o", "jsonl", "--interval", "100ms"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let listings = fake.requests(fake_ssm::TARGET);
    assert!(
        listings
            .iter()
            .all(|r| filter_keys(r) == ["StepExecutionStatus"]),
        "the user's status filter alone, each poll"
    );
}

#[test]
fn a_pipeline_executions_polls_ask_for_its_actions_only() {
    let execution = "22222222-2222-4222-8222-222222222222";
    let (actions, status) = fake_codepipeline::advancing_execution(
        "web",
        execution,
        vec![
            ("Source.Checkout", 0.0, 0.3, "Succeeded"),
            ("Build.Compile", 0.3, 0.7, "Succeeded"),
        ],
    );
    let fake = FakeAws::start();
    fake.serve(actions);
    fake.answer(status);
    let output = histx()
        .args(["codepipeline", "web", "--execution-id", execution])
        .args(["--endpoint-url", &fake.endpoint()])
        .args(["-f", "-o", "jsonl", "--exit-status", "--interval", "100ms"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listings = fake.requests(fake_codepipeline::LIST_ACTIONS);
    assert!(listings.len() >= 3, "the first read and two polls at least");
    for request in &listings {
        assert_eq!(
            request["filter"]["pipelineExecutionId"], execution,
            "{request}"
        );
    }
    // Keyed by actionExecutionId: each action's last line is its final version.
    let followed = json_lines(&output.stdout);
    let last: HashMap<&str, &str> = followed
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["status"].as_str().unwrap()))
        .collect();
    assert_eq!(last.len(), 2);
    assert!(last.values().all(|s| *s == "succeeded"), "{last:?}");
}

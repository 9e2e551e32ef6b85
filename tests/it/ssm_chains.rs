//! Whole SSM step lists read from both ends at once and met by step id
//! (`src/source/id_chains.rs`), through the real SDK against the local fake: every step
//! exactly once and in order, the same output as one chain, at every size both ways;
//! the request counts; retried faults on either chain; a chain that fails for good; an
//! automation that runs while it is read; and the reads that stay one chain.

use crate::common;

use common::fake::{ApiError, FakeAws, Fault};
use common::fake_ssm::{self, step_id, synthetic_steps, TARGET};
use common::{histx, json_lines, one_error_line};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const EXECUTION: &str = "4105a4fc-f944-11e6-9d32-0123456789ab";

fn fake_with(steps: Vec<Value>) -> FakeAws {
    let fake = FakeAws::start();
    fake.serve(fake_ssm::describe_automation_step_executions(
        HashMap::from([(EXECUTION.to_string(), steps)]),
    ));
    fake
}

fn ssm(fake: &FakeAws, args: &[&str]) -> std::process::Output {
    histx()
        .args(["ssm", EXECUTION, "--endpoint-url", &fake.endpoint()])
        .args(args)
        .output()
        .unwrap()
}

fn succeeded(output: &std::process::Output) -> &[u8] {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    &output.stdout
}

fn ids(stdout: &[u8]) -> Vec<String> {
    json_lines(stdout)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

fn expected_ids(count: usize, reverse: bool) -> Vec<String> {
    let mut ids: Vec<String> = (1..=count).map(step_id).collect();
    if reverse {
        ids.reverse();
    }
    ids
}

/// How many requests went each way: (as asked, the other way).
fn directions(fake: &FakeAws, reverse: bool) -> (usize, usize) {
    let requests = fake.requests(TARGET);
    let asked = requests
        .iter()
        .filter(|r| (r["ReverseOrder"] == json!(true)) == reverse)
        .count();
    (asked, requests.len() - asked)
}

/// The same read as one chain: `--limit` larger than the list keeps it one.
const ONE_CHAIN: [&str; 2] = ["--limit", "1000000"];

#[test]
fn every_step_once_in_order_at_every_size_both_ways() {
    for count in [1usize, 49, 50, 51, 100, 1000] {
        for reverse in [false, true] {
            let way: &[&str] = if reverse { &["--reverse"] } else { &[] };
            let fake = fake_with(synthetic_steps(count));
            let args = [way, &["-o", "jsonl"]].concat();
            let two = ssm(&fake, &args);
            let two = succeeded(&two).to_vec();
            assert_eq!(ids(&two), expected_ids(count, reverse), "{count} {reverse}");
            let pages = count.div_ceil(50);
            let (asked, other) = directions(&fake, reverse);
            if pages <= 2 {
                // A list of one or two pages costs what one chain costs.
                assert_eq!((asked, other), (pages, 0), "{count} {reverse}");
            } else {
                // Both chains walked, each at most one page past the meeting.
                assert!(other > 0, "{count} {reverse}: {asked} + {other}");
                assert!(
                    asked + other <= pages + 2,
                    "{count} {reverse}: {asked} + {other}"
                );
                assert!(asked < pages, "{count} {reverse}: {asked} + {other}");
            }
            // The same bytes as one chain, whose requests all go one way.
            let fake = fake_with(synthetic_steps(count));
            let one = ssm(&fake, &[&args[..], &ONE_CHAIN].concat());
            assert_eq!(two, succeeded(&one), "{count} {reverse}");
            assert_eq!(directions(&fake, reverse), (pages, 0), "{count} {reverse}");
            // The table too.
            if count == 1000 {
                let fake = fake_with(synthetic_steps(count));
                let table = ssm(&fake, &[way, &["--color", "never"]].concat());
                let fake = fake_with(synthetic_steps(count));
                let one = ssm(&fake, &[way, &["--color", "never"], &ONE_CHAIN].concat());
                assert_eq!(succeeded(&table), succeeded(&one), "{reverse} table");
            }
        }
    }
}

#[test]
fn retried_faults_on_either_chain_change_nothing() {
    for reverse in [false, true] {
        let way: &[&str] = if reverse { &["--reverse"] } else { &[] };
        let fake = fake_with(synthetic_steps(1000));
        // The first two pages come alone; the third and fourth requests are the two
        // chains' first at once, both refused once, then more faults further on.
        fake.inject(
            TARGET,
            vec![
                Fault::Answer,
                Fault::Answer,
                Fault::Throttle,
                Fault::ServerError,
                Fault::Answer,
                Fault::Answer,
                Fault::Unavailable,
                Fault::Answer,
                Fault::Throttle,
            ],
        );
        let out = ssm(&fake, &[way, &["-o", "raw"]].concat());
        let mut steps = synthetic_steps(1000);
        if reverse {
            steps.reverse();
        }
        assert_eq!(json_lines(succeeded(&out)), steps, "{reverse}");
        // Both chains asked for one of their pages twice (the retry).
        let requests = fake.requests(TARGET);
        for direction in [false, true] {
            let tokens: Vec<&Value> = requests
                .iter()
                .filter(|r| (r["ReverseOrder"] == json!(true)) == direction)
                .map(|r| &r["NextToken"])
                .collect();
            let distinct: std::collections::HashSet<String> =
                tokens.iter().map(|t| t.to_string()).collect();
            assert!(
                distinct.len() < tokens.len(),
                "{reverse}: a retry on the {direction} chain: {tokens:?}"
            );
        }
    }
}

#[test]
fn a_chain_that_fails_for_good_fails_the_read_after_what_was_read() {
    for failing in [2usize, 3] {
        let fake = fake_with(synthetic_steps(1000));
        let mut faults = vec![Fault::Answer; failing];
        faults.push(Fault::Error(ApiError::new(
            400,
            "AccessDeniedException",
            "not allowed",
        )));
        fake.inject(TARGET, faults);
        let out = ssm(&fake, &["-o", "jsonl"]);
        assert_eq!(out.status.code(), Some(1));
        // What was printed is the start of the list, in order, each step once.
        let printed = ids(&out.stdout);
        assert!(printed.len() >= 50, "{failing}: {}", printed.len());
        assert_eq!(printed, expected_ids(printed.len(), false), "{failing}");
        let line = one_error_line(&out.stderr);
        assert!(
            line.starts_with(&format!("histx: stopped after {} events", printed.len()))
                && line.ends_with("AccessDeniedException: not allowed; the output is incomplete"),
            "{line}"
        );
    }
}

/// An automation that runs as it is read: before every request one more step starts
/// (the list grows at the end), and each step that started succeeds three requests
/// later; every step has its start time.
fn running_fake(first: usize) -> (FakeAws, Arc<AtomicUsize>) {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let template = synthetic_steps(first + 200);
    let fake = FakeAws::start();
    fake.serve(fake_ssm::steps_api(Box::new(move |id| {
        if id != EXECUTION {
            return None;
        }
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        let started = first + n;
        Some(
            template[..started]
                .iter()
                .enumerate()
                .map(|(i, step)| {
                    let mut step = step.clone();
                    if i + 3 >= started {
                        step["StepStatus"] = json!("InProgress");
                        step.as_object_mut().unwrap().remove("ExecutionEndTime");
                    }
                    step
                })
                .collect(),
        )
    })));
    fake.slow_down(TARGET, std::time::Duration::from_millis(20));
    (fake, requests)
}

#[test]
fn a_running_automation_read_from_both_ends_gives_each_step_once_in_its_newest_state() {
    for reverse in [false, true] {
        let way: &[&str] = if reverse { &["--reverse"] } else { &[] };
        let (fake, _) = running_fake(500);
        let out = ssm(&fake, &[way, &["-o", "jsonl"]].concat());
        let events = json_lines(succeeded(&out));
        let mut got = ids(&out.stdout);
        if reverse {
            got.reverse();
        }
        // Every step there was at the first request, once, in order (and some that
        // started during the read, after them).
        assert!(got.len() >= 501, "{reverse}: {}", got.len());
        assert_eq!(got, expected_ids(got.len(), false), "{reverse}");
        let (asked, other) = directions(&fake, reverse);
        assert!(other > 0 && asked > 0, "{reverse}: two chains");
        // A step read in two states is shown in the later: no step shows running that
        // was done when the read began, and the oldest are all done.
        for event in &events {
            let n = event["name"].as_str().unwrap()[4..]
                .parse::<usize>()
                .unwrap();
            if n <= 498 {
                assert_ne!(event["status"], "running", "{reverse}: {event}");
            }
        }
    }
}

#[test]
fn a_step_that_has_not_started_keeps_the_read_one_chain() {
    // 100 steps done, 30 not started yet (no start time): the newest page holds them,
    // their place is not known, so the read goes on one chain to its end.
    let id = EXECUTION;
    let mut plan: Vec<(&'static str, f64, f64, &'static str)> = Vec::new();
    let names: Vec<&'static str> = (1..=130)
        .map(|n| &*Box::leak(format!("step{n}").into_boxed_str()))
        .collect();
    for (n, name) in names.iter().enumerate() {
        if n < 100 {
            plan.push((name, 0.0, 0.0, "Success"));
        } else {
            plan.push((name, 1000.0, 1001.0, "Success"));
        }
    }
    for reverse in [false, true] {
        let way: &[&str] = if reverse { &["--reverse"] } else { &[] };
        let (api, status) = fake_ssm::advancing_automation(id, plan.clone());
        let fake = FakeAws::start();
        fake.serve(api);
        fake.answer(status);
        fake.slow_down(TARGET, std::time::Duration::from_millis(20));
        let out = ssm(&fake, &[way, &["-o", "jsonl"]].concat());
        let events = json_lines(succeeded(&out));
        let mut got = ids(&out.stdout);
        if reverse {
            got.reverse();
        }
        assert_eq!(got, expected_ids(130, false), "{reverse}");
        let pending = events.iter().filter(|e| e["status"] == "pending").count();
        assert_eq!(pending, 30, "{reverse}");
        // One chain's three pages; the other chain asked once at most.
        let (asked, other) = directions(&fake, reverse);
        assert_eq!(asked, 3, "{reverse}");
        assert!(other <= 1, "{reverse}: {other}");
    }
}

#[test]
fn filters_that_let_a_step_leave_the_list_keep_one_chain_others_meet() {
    // Every fifth step is an aws:executeScript that failed: 200 of 1000.
    let fake = fake_with(synthetic_steps(1000));
    let out = ssm(
        &fake,
        &["--filter", "StepExecutionStatus=Failed", "-o", "jsonl"],
    );
    let failed = ids(succeeded(&out));
    assert_eq!(failed.len(), 200);
    assert_eq!(
        directions(&fake, false),
        (4, 0),
        "one chain under a status filter"
    );
    let fake = fake_with(synthetic_steps(1000));
    let ids_filter = format!("StepExecutionId={},{}", step_id(3), step_id(999));
    let out = ssm(&fake, &["--filter", &ids_filter, "-o", "jsonl"]);
    assert_eq!(ids(succeeded(&out)), [step_id(3), step_id(999)]);
    assert_eq!(directions(&fake, false), (1, 0));
    // A filter on what never changes (the action): the chains meet, the same output.
    let fake = fake_with(synthetic_steps(1000));
    let args = ["--filter", "Action=aws:executeScript", "-o", "jsonl"];
    let two = ssm(&fake, &args);
    assert_eq!(ids(succeeded(&two)), failed);
    let (_, other) = directions(&fake, false);
    assert!(other > 0);
    let fake = fake_with(synthetic_steps(1000));
    let one = ssm(&fake, &[&args[..], &ONE_CHAIN].concat());
    assert_eq!(succeeded(&two), succeeded(&one));
}

#[test]
fn short_pages_empty_last_pages_and_empty_final_tokens_change_nothing() {
    use common::fake::Quirks;
    for quirks in [
        Quirks {
            short_pages: true,
            ..Quirks::default()
        },
        Quirks {
            empty_last_page: true,
            ..Quirks::default()
        },
        Quirks {
            empty_final_token: true,
            ..Quirks::default()
        },
    ] {
        for count in [50usize, 100, 333] {
            for reverse in [false, true] {
                let way: &[&str] = if reverse { &["--reverse"] } else { &[] };
                let fake = fake_with(synthetic_steps(count));
                fake.quirks(TARGET, quirks);
                let out = ssm(&fake, &[way, &["-o", "jsonl"]].concat());
                assert_eq!(
                    ids(succeeded(&out)),
                    expected_ids(count, reverse),
                    "{quirks:?} {count} {reverse}"
                );
            }
        }
    }
}

/// The fake, its reverse listing a stable sort by start, newest first: steps tied in
/// start come in the same order both ways (the API only promises an order by start).
fn fake_with_stable_ties(steps: Vec<Value>) -> FakeAws {
    let fake = FakeAws::start();
    let mut api = fake_ssm::describe_automation_step_executions(HashMap::from([(
        EXECUTION.to_string(),
        steps,
    )]));
    let select = api.select;
    api.select = Box::new(move |request| {
        let mut steps = select(request)?;
        if request.get("ReverseOrder") == Some(&Value::Bool(true)) {
            // Back to oldest first, then a stable sort newest first.
            steps.reverse();
            steps.sort_by(|a, b| {
                let start = |s: &Value| s["ExecutionStartTime"].as_f64().unwrap_or(f64::MAX);
                start(b).total_cmp(&start(a))
            });
        }
        Ok(steps)
    });
    fake.serve(api);
    fake
}

/// `count` synthetic steps, those in `tied` starting in the same millisecond as the
/// step before them.
fn tied_steps(count: usize, tied: &[usize]) -> Vec<Value> {
    let mut steps = synthetic_steps(count);
    for &n in tied {
        steps[n - 1]["ExecutionStartTime"] = steps[n - 2]["ExecutionStartTime"].clone();
    }
    steps
}

#[test]
fn steps_tied_in_start_near_the_meeting_are_each_shown_once() {
    // The review's case (12 steps, the 7th in the same millisecond as the 6th, two a
    // page), and ties of two and three steps at and around the meeting, either way the
    // ties reverse, both orders.
    let cases: &[(usize, &[usize], &str)] = &[
        (12, &[7], "2"),
        (12, &[6], "2"),
        (12, &[7, 8], "2"),
        (12, &[5, 6, 7, 8], "2"),
        (12, &[7], "3"),
        (13, &[7], "3"),
        (20, &[10, 11], "4"),
        (20, &[11], "1"),
        (9, &[4, 5, 6], "1"),
    ];
    let mut both_walked = 0;
    for &(count, tied, page_size) in cases {
        for stable in [false, true] {
            for reverse in [false, true] {
                let case = format!("{count} steps, {tied:?} tied, page {page_size}, stable {stable}, reverse {reverse}");
                let steps = tied_steps(count, tied);
                let fake = if stable {
                    fake_with_stable_ties(steps.clone())
                } else {
                    fake_with(steps.clone())
                };
                let way: &[&str] = if reverse { &["--reverse"] } else { &[] };
                let args = [way, &["-o", "jsonl", "--page-size", page_size]].concat();
                let out = ssm(&fake, &args);
                let got = json_lines(succeeded(&out));
                // Every step once, in order of start.
                let mut got_ids: Vec<&str> =
                    got.iter().map(|s| s["id"].as_str().unwrap()).collect();
                got_ids.sort_unstable();
                let mut all: Vec<String> = (1..=count).map(step_id).collect();
                all.sort_unstable();
                assert_eq!(got_ids, all, "{case}");
                let mut starts: Vec<&str> =
                    got.iter().map(|s| s["time"].as_str().unwrap()).collect();
                if reverse {
                    starts.reverse();
                }
                assert!(starts.is_sorted(), "{case}");
                // Whether both chains walked depends on how fast each chain's pages
                // come; counted over the cases.
                let (_, other) = directions(&fake, reverse);
                both_walked += usize::from(other > 0);
                if !stable {
                    // The reverse listing an exact mirror: one chain's steps, verbatim.
                    let fake = fake_with(steps);
                    let one = ssm(&fake, &[&args[..], &ONE_CHAIN].concat());
                    assert_eq!(out.stdout, succeeded(&one), "{case}");
                }
            }
        }
    }
    assert!(
        both_walked > cases.len(),
        "{both_walked} reads used both chains"
    );
}

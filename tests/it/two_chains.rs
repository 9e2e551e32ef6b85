//! Whole histories read from both ends at once (`src/source/two_chains.rs`), through the
//! real SDK against the local fake: every event exactly once and in order, the same
//! output as one chain of tokens, under retried faults on either chain and when a chain
//! fails for good; the request counts of short histories; `--limit` stays one chain.

use crate::common;

use common::fake::{ApiError, FakeAws, Fault, Quirks};
use common::fake_sfn::{self, synthetic_history, TARGET};
use common::fake_swf::{self, FakeRun, HISTORY};
use common::{histx, json_lines};
use serde_json::json;
use std::collections::HashMap;

const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:Synthetic:run-1";

fn sfn_fake(count: usize) -> FakeAws {
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        ARN.to_string(),
        synthetic_history(count),
    )])));
    fake
}

fn sfn(fake: &FakeAws, args: &[&str]) -> std::process::Output {
    histx()
        .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
        .args(args)
        .output()
        .unwrap()
}

fn ids(stdout: &[u8]) -> Vec<i64> {
    json_lines(stdout)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

fn directions(fake: &FakeAws, target: &str) -> Vec<bool> {
    fake.requests(target)
        .iter()
        .map(|r| r["reverseOrder"] == json!(true))
        .collect()
}

fn succeeded(output: &std::process::Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_event_once_in_order_at_every_size_both_ways() {
    for count in [1usize, 999, 1000, 1001, 2000, 25_000] {
        let fake = sfn_fake(count);
        let out = sfn(&fake, &["-o", "jsonl"]);
        succeeded(&out);
        assert_eq!(
            ids(&out.stdout),
            (1..=count as i64).collect::<Vec<_>>(),
            "{count}"
        );
        // Full pages: as many requests as one chain needs.
        assert_eq!(fake.requests(TARGET).len(), count.div_ceil(1000), "{count}");
        let fake = sfn_fake(count);
        let out = sfn(&fake, &["--reverse", "-o", "jsonl"]);
        succeeded(&out);
        assert_eq!(
            ids(&out.stdout),
            (1..=count as i64).rev().collect::<Vec<_>>(),
            "{count} --reverse"
        );
    }
}

#[test]
fn a_long_history_is_read_from_both_ends_and_matches_one_chain() {
    let fake = sfn_fake(5500);
    let two = sfn(&fake, &["-o", "raw"]);
    succeeded(&two);
    let asked = directions(&fake, TARGET);
    assert_eq!(&asked[..2], &[false, true], "first page, then the newest");
    assert!(asked.iter().filter(|&&r| r).count() >= 2, "{asked:?}");
    // A --limit above the history's size reads it with one chain, oldest first.
    let fake = sfn_fake(5500);
    let one = sfn(&fake, &["-o", "raw", "--limit", "100000"]);
    succeeded(&one);
    assert!(directions(&fake, TARGET).iter().all(|&r| !r));
    assert_eq!(two.stdout, one.stdout, "the same bytes as one chain");
    let table = |fake: &FakeAws, extra: &[&str]| {
        let out = sfn(fake, &[&["-o", "table"][..], extra].concat());
        succeeded(&out);
        out.stdout
    };
    assert_eq!(
        table(&sfn_fake(5500), &[]),
        table(&sfn_fake(5500), &["--limit", "9999"])
    );
}

#[test]
fn short_histories_cost_no_extra_request() {
    let fake = sfn_fake(1000);
    succeeded(&sfn(&fake, &["-o", "jsonl"]));
    assert_eq!(
        directions(&fake, TARGET),
        vec![false],
        "one page, one request"
    );
    let fake = sfn_fake(1800);
    succeeded(&sfn(&fake, &["-o", "jsonl"]));
    assert_eq!(
        directions(&fake, TARGET),
        vec![false, true],
        "two pages: the first, then the newest, which meets it"
    );
}

#[test]
fn a_limit_reads_one_chain() {
    let fake = sfn_fake(5000);
    let out = sfn(&fake, &["-o", "jsonl", "--limit", "2500"]);
    succeeded(&out);
    assert_eq!(ids(&out.stdout), (1..=2500).collect::<Vec<_>>());
    assert_eq!(directions(&fake, TARGET), vec![false; 3]);
}

#[test]
fn retried_faults_on_either_chain_change_nothing() {
    let expected: Vec<i64> = (1..=12_000).collect();
    let faults = [
        // The reverse chain's first page, then the pages asked for at once.
        vec![Fault::Answer, Fault::Throttle],
        vec![
            Fault::Answer,
            Fault::Answer,
            Fault::ServerError,
            Fault::Throttle,
        ],
        vec![
            Fault::Answer,
            Fault::Answer,
            Fault::Answer,
            Fault::Unavailable,
            Fault::Answer,
            Fault::Throttle,
            Fault::ServerError,
        ],
    ];
    for faults in faults {
        let fake = sfn_fake(12_000);
        fake.inject(TARGET, faults.clone());
        let out = sfn(&fake, &["-o", "jsonl"]);
        succeeded(&out);
        assert_eq!(ids(&out.stdout), expected, "{faults:?}");
    }
    for faults in [
        vec![Fault::Answer, Fault::Throttle],
        vec![Fault::Answer, Fault::Answer, Fault::ServerError],
    ] {
        let fake = sfn_fake(12_000);
        fake.inject(TARGET, faults.clone());
        let out = sfn(&fake, &["-o", "jsonl", "--reverse"]);
        succeeded(&out);
        let reversed: Vec<i64> = expected.iter().rev().copied().collect();
        assert_eq!(ids(&out.stdout), reversed, "{faults:?}");
    }
}

#[test]
fn a_chain_that_fails_for_good_fails_the_read_as_incomplete() {
    // The third request (one of the two sent at once) fails, not to be retried.
    let fake = sfn_fake(12_000);
    fake.inject(
        TARGET,
        vec![
            Fault::Answer,
            Fault::Answer,
            Fault::Error(ApiError::new(400, "AccessDeniedException", "not allowed")),
        ],
    );
    let out = sfn(&fake, &["-o", "jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the output is incomplete"), "{stderr}");
    assert!(stderr.contains("AccessDeniedException"), "{stderr}");
    // What was printed is the start of the history, in order, nothing twice.
    let printed = ids(&out.stdout);
    assert!(!printed.is_empty());
    assert_eq!(printed, (1..=printed.len() as i64).collect::<Vec<_>>());
}

#[test]
fn short_pages_and_an_empty_last_page_are_met_exactly() {
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
        for count in [1000usize, 2000, 4321] {
            let fake = sfn_fake(count);
            fake.quirks(TARGET, quirks);
            let out = sfn(&fake, &["-o", "jsonl"]);
            succeeded(&out);
            assert_eq!(
                ids(&out.stdout),
                (1..=count as i64).collect::<Vec<_>>(),
                "{count} {quirks:?}"
            );
        }
    }
    // One page whose token leads to an empty page: the reverse chain's first page meets
    // the first page, and nothing is printed twice.
    let fake = sfn_fake(700);
    fake.quirks(
        TARGET,
        Quirks {
            empty_last_page: true,
            ..Quirks::default()
        },
    );
    let out = sfn(&fake, &["-o", "jsonl"]);
    succeeded(&out);
    assert_eq!(ids(&out.stdout), (1..=700).collect::<Vec<_>>());
    assert_eq!(directions(&fake, TARGET), vec![false, true]);
}

#[test]
fn swf_reads_both_ends_too() {
    for count in [1usize, 1000, 1001, 2000, 6500] {
        let fake = FakeAws::start();
        fake_swf::serve(
            &fake,
            vec![FakeRun::new(
                "orders",
                "order-1",
                "run-1",
                1_700_000_000.0,
                fake_swf::synthetic_history(count),
            )],
        );
        if count > 2000 {
            fake.inject(
                HISTORY,
                vec![Fault::Answer, Fault::Throttle, Fault::ServerError],
            );
        }
        for reverse in [false, true] {
            let mut args = vec![
                "swf", "--domain", "orders", "order-1", "--run-id", "run-1", "-o", "jsonl",
            ];
            if reverse {
                args.push("--reverse");
            }
            let endpoint = fake.endpoint();
            args.extend(["--endpoint-url", &endpoint]);
            let out = histx().args(&args).output().unwrap();
            succeeded(&out);
            let mut expected: Vec<i64> = (1..=count as i64).collect();
            if reverse {
                expected.reverse();
            }
            assert_eq!(ids(&out.stdout), expected, "{count} reverse={reverse}");
        }
        if count <= 2000 {
            // One or two pages: as many requests as one chain, each way.
            assert_eq!(
                fake.requests(HISTORY).len(),
                2 * count.div_ceil(1000),
                "{count}"
            );
        }
    }
}

/// histx reads each history page from the wire itself (in place of the SDK's typed
/// reading): an answer that is not a page, or an error, still says what the SDK says,
/// and a retried page is read once.
#[test]
fn pages_read_from_the_wire_keep_the_sdk_errors_and_retries() {
    let fake = FakeAws::start();
    fake_swf::serve(
        &fake,
        vec![FakeRun::new(
            "orders",
            "order-1",
            "run-1",
            1_700_000_000.0,
            fake_swf::synthetic_history(10),
        )],
    );
    fake.inject(HISTORY, vec![Fault::NotJson]);
    let endpoint = fake.endpoint();
    let args = [
        "swf",
        "--domain",
        "orders",
        "order-1",
        "--run-id",
        "run-1",
        "-o",
        "jsonl",
        "--endpoint-url",
        &endpoint,
    ];
    let out = histx().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    // The SWF SDK's own words for it (the same as before histx read pages itself).
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "histx: the service's response could not be read: type mismatch: expected object"
    );
    fake.inject(HISTORY, vec![Fault::Throttle, Fault::ServerError]);
    let out = histx().args(args).output().unwrap();
    succeeded(&out);
    assert_eq!(ids(&out.stdout), (1..=10).collect::<Vec<_>>());
}

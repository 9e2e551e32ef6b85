//! What a user sees of a failed run, pinned down: `-o tree` and `-o table` of one history
//! per service, each showing a failure (a Map iteration failing inside a Parallel branch
//! after a retry, an SWF activity timing out twice, an SSM step failing inside a loop, a
//! CodePipeline action failing again when retried). Snapshots live in
//! `tests/it/snapshots/`; review a change with `cargo insta review`, or rewrite them with
//! `INSTA_UPDATE=always`.
//! Fixed time zone, width, locale and no colour, so the output is the same everywhere.

use crate::common;

use common::histx;

const SFN_ARN: &str = "arn:aws:states:eu-west-1:123456789012:execution:MediaIngest:ingest-B-0412";
const SFN_FIXTURE: &str = "tests/fixtures/sfn/failed-map-in-parallel.json";
const SWF_FIXTURE: &str = "tests/fixtures/swf/timed-out-activity.json";
const SSM_FIXTURE: &str = "examples/ssm/patch-web-fleet-failed.json";
const CODEPIPELINE_FIXTURE: &str = "tests/fixtures/codepipeline/failed-action-retried.json";

/// Standard output of `histx ARGS --from FIXTURE -o FORMAT` in a UTF-8 locale, UTC, 200
/// columns, no colour; the command must succeed and print nothing on stderr.
fn render(args: &[&str], fixture: &str, format: &str, extra: &[&str]) -> String {
    let out = histx()
        .env("LANG", "C.UTF-8")
        .env("COLUMNS", "200")
        .args(args)
        .arg("--from")
        .arg(common::repo_file(fixture))
        .args(["-o", format, "--color", "never"])
        .args(extra)
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

fn sfn(format: &str, extra: &[&str]) -> String {
    render(&["sfn", SFN_ARN], SFN_FIXTURE, format, extra)
}

fn swf(format: &str) -> String {
    render(
        &[
            "swf",
            "--domain",
            "billing",
            "statements-2026-03",
            "--run-id",
            "22Zk4TqW9nB2xV7mH1cR5sLp0eYo3uJdFg8iKa6=",
        ],
        SWF_FIXTURE,
        format,
        &[],
    )
}

fn ssm(format: &str) -> String {
    render(&["ssm"], SSM_FIXTURE, format, &[])
}

fn codepipeline(format: &str) -> String {
    render(
        &["codepipeline", "payments-api"],
        CODEPIPELINE_FIXTURE,
        format,
        &[],
    )
}

#[test]
fn sfn_tree() {
    insta::assert_snapshot!(sfn("tree", &[]));
}

#[test]
fn sfn_tree_ascii() {
    let tree = sfn("tree", &["--ascii"]);
    assert!(tree.is_ascii(), "{tree}");
    insta::assert_snapshot!(tree);
}

#[test]
fn sfn_table() {
    insta::assert_snapshot!(sfn("table", &[]));
}

#[test]
fn sfn_tree_reads_the_same_newest_first() {
    assert_eq!(sfn("tree", &["--reverse"]), sfn("tree", &[]));
}

#[test]
fn swf_tree() {
    insta::assert_snapshot!(swf("tree"));
}

#[test]
fn swf_table() {
    insta::assert_snapshot!(swf("table"));
}

#[test]
fn ssm_tree() {
    insta::assert_snapshot!(ssm("tree"));
}

#[test]
fn ssm_table() {
    insta::assert_snapshot!(ssm("table"));
}

#[test]
fn codepipeline_tree() {
    insta::assert_snapshot!(codepipeline("tree"));
}

#[test]
fn codepipeline_table() {
    insta::assert_snapshot!(codepipeline("table"));
}

//! Issue 15, pinned down in snapshots: `--io` (each shown record's input and output,
//! pretty-printed beneath its line, in the table and the tree, for every service), and
//! tables fitted to 80 and 120 columns (the status and the name never cut; the ID, the
//! time, the type and the summary giving way first) with the summary's values wrapped
//! under their column. UTC, UTF-8, no colour; colour and escaping checked on their own.

use crate::common;

use common::{histx, table_lines, without_colour};
use unicode_width::UnicodeWidthStr;

const LONG_SUMMARY: &str = "tests/fixtures/codepipeline/long-external-summary.json";
const CATCH_TO_FAIL: &str = "tests/fixtures/sfn/catch-to-fail.json";
const SSM: &str = "examples/ssm/patch-web-fleet-failed.json";
const SWF: &str = "tests/fixtures/swf/timed-out-activity.json";

/// Standard output of `histx SERVICE --from FIXTURE ARGS`, `columns` wide; the command
/// must succeed and say nothing on stderr.
fn render(service: &str, fixture: &str, columns: &str, args: &[&str]) -> String {
    let out = histx()
        .env("LANG", "C.UTF-8")
        .env("TZ", "UTC")
        .env("COLUMNS", columns)
        .args([service, "--from"])
        .arg(common::repo_file(fixture))
        .args(["--color", "never"])
        .args(args)
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

/// Every line within `columns`, in display columns.
fn within(text: &str, columns: usize) {
    for line in text.lines() {
        assert!(
            line.width() <= columns,
            "{} > {columns}: {line}",
            line.width()
        );
    }
}

#[test]
fn a_codepipeline_run_with_long_summaries_at_80_and_120_columns() {
    for columns in [80, 120] {
        let text = render("codepipeline", LONG_SUMMARY, &columns.to_string(), &[]);
        within(&text, columns);
        // Name and status whole on every row.
        let table = table_lines(&text);
        for (row, (name, status)) in table[1..].iter().zip([
            ("Source.Checkout", "succeeded"),
            ("Build.BuildAndTest", "succeeded"),
            ("Production.DeployStack", "failed"),
        ]) {
            assert!(row.contains(&format!(" {name} ")), "{row}");
            assert!(row.contains(&format!(" {status} ")), "{row}");
        }
        insta::assert_snapshot!(format!("codepipeline_long_summary_{columns}"), text);
    }
}

#[test]
fn io_under_each_row_of_a_codepipeline_table_and_tree() {
    let table = render("codepipeline", LONG_SUMMARY, "120", &["--io"]);
    within(&table, 120);
    insta::assert_snapshot!("codepipeline_io_table_120", table);
    let tree = render("codepipeline", LONG_SUMMARY, "80", &["--io", "-o", "tree"]);
    within(&tree, 80);
    insta::assert_snapshot!("codepipeline_io_tree_80", tree);
}

#[test]
fn io_with_name_is_the_console_s_state_input_and_output() {
    // The state's input on its StateEntered row, its output on its StateExited row.
    let text = render("sfn", CATCH_TO_FAIL, "80", &["--io", "--name", "LookupLab"]);
    within(&text, 80);
    let rows = table_lines(&text);
    let entered = rows
        .iter()
        .position(|r| r.contains("TaskStateEntered"))
        .unwrap();
    assert!(
        rows[entered + 1].trim_start().starts_with("input  {"),
        "{text}"
    );
    let exited = rows
        .iter()
        .position(|r| r.contains("TaskStateExited"))
        .unwrap();
    assert!(
        rows[exited + 1].trim_start().starts_with("output {"),
        "{text}"
    );
    insta::assert_snapshot!("sfn_io_name_80", text);
    let tree = render("sfn", CATCH_TO_FAIL, "80", &["--io", "-o", "tree"]);
    within(&tree, 80);
    insta::assert_snapshot!("sfn_io_tree_80", tree);
}

#[test]
fn io_for_ssm_steps_and_swf_activities() {
    let ssm = render("ssm", SSM, "120", &["--io", "-o", "tree"]);
    within(&ssm, 120);
    insta::assert_snapshot!("ssm_io_tree_120", ssm);
    let swf = render("swf", SWF, "120", &["--io", "--type", "Activity*"]);
    within(&swf, 120);
    insta::assert_snapshot!("swf_io_table_120", swf);
}

#[test]
fn io_payloads_are_escaped_coloured_on_request_and_capped() {
    // A payload holding an escape sequence shows it, never sends it.
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("evil.json");
    let long: Vec<String> = (0..100).map(|i| format!("item-{i}")).collect();
    let input = serde_json::json!({"title": "\u{1b}]0;pwned\u{7}\u{1b}[2J", "items": long});
    std::fs::write(
        &history,
        serde_json::json!({"events": [
            {"timestamp": 1775122800.0, "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
             "executionStartedEventDetails": {"input": input.to_string(), "roleArn": "arn:aws:iam::123456789012:role/r"}}
        ]})
        .to_string(),
    )
    .unwrap();
    for colour in ["never", "always"] {
        let out = histx()
            .env("LANG", "C.UTF-8")
            .args(["sfn", "--from"])
            .arg(&history)
            .args(["--io", "--color", colour])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        let plain = without_colour(&text);
        assert!(
            !plain.contains('\u{1b}') && !plain.contains('\u{7}'),
            "{text:?}"
        );
        assert!(
            plain.contains(r#""title": "\u001b]0;pwned\u0007\u001b[2J""#),
            "{plain}"
        );
        // 105 lines of JSON: 40 shown, then a count of the rest.
        assert!(
            plain.contains("… 65 more lines of input (-o jsonl has it all)"),
            "{plain}"
        );
        // Colour: keys, strings (and only with --color always).
        let title = text.lines().find(|l| l.contains("title")).unwrap();
        let coloured = title.contains('\u{1b}');
        assert_eq!(coloured, colour == "always", "{text:?}");
    }
}

//! `-o timeline` and `-o stats`, as a user sees them: one failed run per service drawn at
//! 80 and 120 columns (snapshots in `tests/it/snapshots/`), bars checked against the spans
//! a generated history holds (a longer span never gets a shorter bar, every bar inside
//! the axis), the stats of a loop against figures worked out by hand, a big loop folded
//! and expanded, `--limit` on rows, the filters, and the width rules.
//! Fixed time zone, locale and no colour, so the output is the same everywhere.

use crate::common;

use common::histx;
use serde_json::{json, Value};

const SFN_EXAMPLE: &str = "examples/sfn/order-fulfilment-failed.json";
const SWF_EXAMPLE: &str = "examples/swf/invoice-import-completed.json";
const SSM_EXAMPLE: &str = "examples/ssm/patch-web-fleet-failed.json";
const CODEPIPELINE_EXAMPLE: &str = "examples/codepipeline/web-storefront-two-releases.json";

/// Standard output of `histx ARGS --from FILE ...` at `columns`, UTF-8 (or ASCII), no
/// colour; it must succeed with nothing on stderr.
fn run(args: &[&str], file: &std::path::Path, columns: Option<u16>, extra: &[&str]) -> String {
    let mut command = histx();
    command.env("LANG", "C.UTF-8");
    if let Some(columns) = columns {
        command.env("COLUMNS", columns.to_string());
    }
    let out = command
        .args(args)
        .arg("--from")
        .arg(file)
        .args(["--color", "never"])
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

fn service_args(service: &str) -> (Vec<&'static str>, &'static str) {
    match service {
        "sfn" => (vec!["sfn"], SFN_EXAMPLE),
        "swf" => (vec!["swf"], SWF_EXAMPLE),
        "ssm" => (vec!["ssm"], SSM_EXAMPLE),
        "codepipeline" => (
            vec!["codepipeline", "web-storefront", "--all"],
            CODEPIPELINE_EXAMPLE,
        ),
        other => panic!("{other}"),
    }
}

fn view(service: &str, format: &str, columns: u16) -> String {
    let (args, file) = service_args(service);
    let text = run(
        &args,
        &common::repo_file(file),
        Some(columns),
        &["-o", format],
    );
    for line in text.lines() {
        assert!(
            display_width(line) <= columns as usize,
            "{service} -o {format} at {columns}: {line}"
        );
    }
    text
}

/// Display columns of a line without colour: every character here is one column.
fn display_width(line: &str) -> usize {
    line.chars().count()
}

macro_rules! snapshots {
    ($($test:ident: $service:literal $format:literal $columns:literal;)*) => {$(
        #[test]
        fn $test() {
            insta::assert_snapshot!(view($service, $format, $columns));
        }
    )*};
}

snapshots! {
    sfn_timeline_80: "sfn" "timeline" 80;
    sfn_timeline_120: "sfn" "timeline" 120;
    swf_timeline_80: "swf" "timeline" 80;
    swf_timeline_120: "swf" "timeline" 120;
    ssm_timeline_80: "ssm" "timeline" 80;
    ssm_timeline_120: "ssm" "timeline" 120;
    codepipeline_timeline_80: "codepipeline" "timeline" 80;
    codepipeline_timeline_120: "codepipeline" "timeline" 120;
    sfn_stats_80: "sfn" "stats" 80;
    sfn_stats_120: "sfn" "stats" 120;
    swf_stats_80: "swf" "stats" 80;
    swf_stats_120: "swf" "stats" 120;
    ssm_stats_80: "ssm" "stats" 80;
    ssm_stats_120: "ssm" "stats" 120;
    codepipeline_stats_80: "codepipeline" "stats" 80;
    codepipeline_stats_120: "codepipeline" "stats" 120;
}

#[test]
fn the_failed_order_shows_the_retry_waits_of_the_card_charge() {
    let text = view("sfn", "timeline", 100);
    let charge = text
        .lines()
        .find(|l| l.contains("ChargeCard"))
        .expect("a ChargeCard row");
    // Three attempts of about 0.75 s in 11.2 s: the row is mostly waiting between them.
    let waited = charge.matches('░').count();
    let worked = charge.matches('█').count();
    assert!(waited > 3 * worked && worked >= 3, "{charge}");
    assert!(
        charge.starts_with('✗') && charge.ends_with("11.2s"),
        "{charge}"
    );
    assert_eq!(text.lines().filter(|l| l.contains("attempt")).count(), 5);
    // The header: start, end, scale; a ruler of elapsed time.
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("2026-03-14 16:26:53.589 → 16:27:05.680 +00:00  12.1s  one column = "),
        "{header}"
    );
    assert!(lines.next().unwrap().contains("│2s"), "{text}");
}

#[test]
fn without_a_terminal_or_columns_it_is_laid_out_for_100_columns() {
    let (args, file) = service_args("sfn");
    let text = run(&args, &common::repo_file(file), None, &["-o", "timeline"]);
    let widest = text.lines().map(display_width).max().unwrap();
    assert!((90..=100).contains(&widest), "{widest}\n{text}");
}

#[test]
fn ascii_mode_draws_bars_and_marks_in_ascii() {
    let (args, file) = service_args("sfn");
    let text = run(
        &args,
        &common::repo_file(file),
        Some(100),
        &["-o", "timeline", "--ascii"],
    );
    assert!(text.is_ascii(), "{text}");
    let charge = text.lines().find(|l| l.contains("ChargeCard")).unwrap();
    assert!(
        charge.starts_with("x ") && charge.contains("=...."),
        "{charge}"
    );
}

// ---- a generated history of known spans -------------------------------------------

/// A tiny deterministic generator (an LCG), so every run checks the same cases.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// A CodePipeline run of `spans` actions, each in a stage of its own: (name, start ms,
/// duration ms), as ListActionExecutions returns them.
fn pipeline(spans: &[(String, i64, i64)]) -> Value {
    let base = 1_775_000_000_000i64;
    let actions: Vec<Value> = spans
        .iter()
        .enumerate()
        .map(|(i, (name, start, duration))| {
            json!({
                "pipelineExecutionId": "run-1",
                "actionExecutionId": format!("a-{i}"),
                "pipelineVersion": 1,
                "stageName": format!("S{i}"),
                "actionName": name,
                "startTime": (base + start) as f64 / 1000.0,
                "lastUpdateTime": (base + start + duration) as f64 / 1000.0,
                "status": "Succeeded",
                "input": {"actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}},
                "output": {}
            })
        })
        .collect();
    json!({ "actionExecutionDetails": actions })
}

/// The bar of each row of an ASCII timeline: (name, first column, last column) of its
/// `=`, `.` and `|` cells, the columns counted from the axis's start (the ruler's).
fn bars(text: &str) -> (usize, Vec<(String, usize, usize)>) {
    let mut lines = text.lines().skip(1);
    let ruler = lines.next().expect("a ruler");
    let axis_start = ruler.find('|').expect("a tick at 0");
    let mut rows = Vec::new();
    for line in lines {
        let name = line[2..axis_start].trim().to_string();
        let bar = &line[axis_start..];
        let cells: Vec<usize> = bar
            .char_indices()
            .take_while(|(_, c)| matches!(c, '=' | '.' | '|' | ' '))
            .filter(|(_, c)| *c != ' ')
            .map(|(i, _)| i)
            .collect();
        if let (Some(first), Some(last)) = (cells.first(), cells.last()) {
            rows.push((name, *first, *last));
        }
    }
    (axis_start, rows)
}

#[test]
fn a_longer_span_never_gets_a_shorter_bar_and_every_bar_lies_within_the_axis() {
    let dir = tempfile::tempdir().unwrap();
    let mut numbers = Numbers(16);
    for case in 0..12 {
        let count = 2 + numbers.next(14) as usize;
        let scale = [1_000, 60_000, 3_600_000][case % 3];
        let spans: Vec<(String, i64, i64)> = (0..count)
            .map(|i| {
                let start = numbers.next(scale) as i64;
                // Some spans of no length, some equal, most different.
                let duration = match numbers.next(6) {
                    0 => 0,
                    1 => scale as i64 / 10,
                    _ => numbers.next(scale) as i64,
                };
                (format!("A{i}"), start, duration)
            })
            .collect();
        let file = dir.path().join(format!("case-{case}.json"));
        std::fs::write(&file, pipeline(&spans).to_string()).unwrap();
        for columns in [60u16, 80, 120, 200] {
            let text = run(
                &["codepipeline", "p"],
                &file,
                Some(columns),
                &["-o", "timeline", "--ascii"],
            );
            let (axis_start, rows) = bars(&text);
            // The run's own row spans the whole axis: its last cell is the axis's last.
            let (_, first, axis_end) = rows[0].clone();
            assert_eq!(first, 0, "{text}");
            let mut lengths: Vec<(i64, usize)> = Vec::new();
            for (name, first, last) in &rows {
                assert!(*last <= axis_end, "{name} passes the axis:\n{text}");
                assert!(axis_start + axis_end < columns as usize, "{text}");
                let action = spans
                    .iter()
                    .enumerate()
                    .find(|(i, _)| *name == format!("S{i}.A{i}"));
                if let Some((_, (_, _, duration))) = action {
                    lengths.push((*duration, last - first + 1));
                }
            }
            assert_eq!(lengths.len(), spans.len(), "{text}");
            for (d1, l1) in &lengths {
                for (d2, l2) in &lengths {
                    if d1 > d2 {
                        assert!(
                            l1 >= l2,
                            "{d1}ms got {l1} columns, {d2}ms got {l2}:\n{text}"
                        );
                    }
                }
            }
        }
    }
}

// ---- a loop of known steps -----------------------------------------------------------

/// An SSM automation: a loop step of 24 iterations, each running step `patch` for 40 ms
/// times its number (the last one 2000 ms); iterations 3 and 7 fail.
fn automation() -> Value {
    let base = 1_775_000_000_000i64;
    let at = |ms: i64| json!((base + ms) as f64 / 1000.0);
    let mut steps = Vec::new();
    let mut clock = 1_000;
    let mut inner = Vec::new();
    for i in 1..=24i64 {
        let duration = if i == 24 { 2_000 } else { 40 * i };
        let failed = i == 3 || i == 7;
        inner.push(json!({
            "StepName": "patch",
            "Action": "aws:runCommand",
            "StepExecutionId": format!("patch-{i}"),
            "ExecutionStartTime": at(clock),
            "ExecutionEndTime": at(clock + duration),
            "StepStatus": if failed { "Failed" } else { "Success" },
            "ParentStepDetails": {"StepExecutionId": "loop", "StepName": "eachHost", "Action": "aws:loop", "Iteration": i, "IteratorValue": format!("i-{i:03}")}
        }));
        clock += duration + 10;
    }
    steps.push(json!({
        "StepName": "eachHost",
        "Action": "aws:loop",
        "StepExecutionId": "loop",
        "ExecutionStartTime": at(1_000),
        "ExecutionEndTime": at(clock),
        "StepStatus": "Success"
    }));
    steps.extend(inner);
    json!({ "StepExecutions": steps })
}

#[test]
fn stats_of_a_loop_match_figures_worked_out_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("loop.json");
    std::fs::write(&file, automation().to_string()).unwrap();
    let text = run(&["ssm"], &file, Some(120), &["-o", "stats"]);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0],
        ["NAME", "COUNT", "FAILED", "RETRIED", "TOTAL", "MEAN", "P50", "P95", "MAX", "KIND"]
    );
    // 23 steps of 40..920 ms and one of 2000 ms: total 40×276 + 2000 = 13040 ms, mean
    // 13040/24 = 543.3 ms; nearest rank: p50 the 12th (480 ms), p95 the ⌈22.8⌉ = 23rd
    // (920 ms), max 2000 ms. The loop step: 24×10 ms of gaps more than its steps.
    let loop_total = 13_040 + 24 * 10;
    assert_eq!(
        rows[1],
        [
            "eachHost",
            "1",
            "0",
            "0",
            &format!("{:.1}s", loop_total as f64 / 1000.0)[..],
            "13.3s",
            "13.3s",
            "13.3s",
            "13.3s",
            "aws:loop"
        ]
    );
    assert_eq!(
        rows[2],
        [
            "patch",
            "24",
            "2",
            "0",
            "13.0s",
            "543ms",
            "480ms",
            "920ms",
            "2.0s",
            "aws:runCommand"
        ]
    );
    // --limit keeps the top rows.
    let limited = run(&["ssm"], &file, Some(120), &["-o", "stats", "--limit", "1"]);
    assert_eq!(limited.lines().count(), 3, "{limited}");
    assert!(limited.lines().nth(1).unwrap().starts_with("eachHost"));
    assert_eq!(
        limited.lines().nth(2).unwrap(),
        "1 of 2 rows shown (--limit)"
    );
}

#[test]
fn a_big_loop_folds_to_its_failed_and_slow_iterations_unless_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("loop.json");
    std::fs::write(&file, automation().to_string()).unwrap();
    let folded = run(&["ssm"], &file, Some(100), &["-o", "timeline"]);
    let iterations: Vec<&str> = folded.lines().filter(|l| l.contains("iteration")).collect();
    assert_eq!(iterations.len(), 4, "{folded}");
    // In start order: the folded row where its first iteration started.
    assert!(
        iterations[0].contains("21 more iterations succeeded"),
        "{folded}"
    );
    assert!(iterations[1].contains("iteration 3"), "{folded}");
    assert!(iterations[2].contains("iteration 7"), "{folded}");
    assert!(iterations[3].contains("iteration 24"), "{folded}");
    let expanded = run(&["ssm"], &file, Some(100), &["-o", "timeline", "--expand"]);
    assert_eq!(
        expanded.lines().filter(|l| l.contains("iteration")).count(),
        24
    );
    // Stats count every iteration, folded or not.
    let limited = run(
        &["ssm"],
        &file,
        Some(100),
        &["-o", "timeline", "--limit", "3"],
    );
    assert_eq!(limited.lines().count(), 2 + 3 + 1, "{limited}");
}

#[test]
fn filters_narrow_the_rows_and_the_limit_counts_rows_not_events() {
    let (args, file) = service_args("sfn");
    let file = common::repo_file(file);
    let text = run(
        &args,
        &file,
        Some(100),
        &["-o", "timeline", "--name", "ChargeCard"],
    );
    let names: Vec<&str> = text
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "execution",
            "FanOut",
            "branch",
            "ChargeCard",
            "attempt",
            "attempt",
            "attempt"
        ],
        "{text}"
    );
    let stats = run(
        &args,
        &file,
        Some(100),
        &["-o", "stats", "--name", "Reserve*"],
    );
    let rows: Vec<&str> = stats
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(rows, ["ReserveItem", "ReserveEachItem"], "{stats}");
    // --limit 2 of a 64-event run: two rows, of the whole run (its axis is the run's).
    let limited = run(&args, &file, Some(100), &["-o", "timeline", "--limit", "2"]);
    assert!(
        limited.starts_with("2026-03-14 16:26:53.589 → 16:27:05.680"),
        "{limited}"
    );
    assert_eq!(limited.lines().count(), 2 + 2 + 1, "{limited}");
}

#[test]
fn swf_queueing_and_an_approval_wait_show_as_waiting() {
    let text = view("codepipeline", "timeline", 120);
    let approval = text.lines().find(|l| l.contains("ApproveRelease")).unwrap();
    assert!(
        approval.contains('░') && !approval.contains('█'),
        "{approval}"
    );
    let ssm = view("ssm", "timeline", 120);
    let approve = ssm.lines().find(|l| l.contains("approvePatch")).unwrap();
    assert!(approve.contains('░') && !approve.contains('█'), "{approve}");
    let swf = view("swf", "timeline", 120);
    let timer = swf.lines().find(|l| l.contains("retry-parse-2")).unwrap();
    assert!(timer.contains('░') && !timer.contains('█'), "{timer}");
}

#[test]
fn the_summary_of_a_timeline_or_stats_is_the_header_for_people() {
    let (args, file) = service_args("sfn");
    for format in ["timeline", "stats"] {
        let text = run(
            &args,
            &common::repo_file(file),
            Some(100),
            &["-o", format, "--summary"],
        );
        assert!(text.starts_with("Status     failed\n"), "{text}");
    }
}

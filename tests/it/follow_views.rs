//! The views of `--follow` for people: `-o table` streamed with fixed column widths and
//! a summary line at the end; `-o tree` redrawn in place on a terminal (a pseudo-terminal
//! from util-linux `script`) and complete at the end, printed once when stdout is not a
//! terminal; the progress line on a terminal's stderr, never on stdout, never when
//! stderr is not a terminal; `--limit N --follow` stopping after N records shown. Runs
//! are moto's real state machines and the local fakes' runs that grow with the clock.

use crate::common;

use common::fake::FakeAws;
use common::fake_sfn::{growing_execution, succeeded_history, synthetic_history};
use common::fake_ssm;
use common::http::aws_json_call;
use common::moto::Moto;
use common::{histx, histx_process, without_colour};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use unicode_width::UnicodeWidthStr;

const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:M:growing";

/// A fake serving a Step Functions run of `total` synthetic events: `first` at once,
/// then `per_second`, ending SUCCEEDED (never, when `per_second` is 0).
fn growing_fake(total: usize, first: usize, per_second: f64) -> FakeAws {
    // A run that ends closes its history with ExecutionSucceeded.
    let events = if per_second > 0.0 {
        succeeded_history(total)
    } else {
        synthetic_history(total)
    };
    let (history, describe) = growing_execution(ARN, events, first, per_second, "SUCCEEDED");
    let fake = FakeAws::start();
    fake.serve(history);
    fake.answer(describe);
    fake
}

fn epoch_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The table's rows: the lines after the column header, up to the blank line before
/// the summary line.
fn rows(lines: &[String]) -> &[String] {
    let end = lines
        .iter()
        .position(String::is_empty)
        .unwrap_or(lines.len());
    &lines[1..end]
}

/// Checks fixed column widths: each column starts where its header does in every row,
/// and no line is wider than `width`.
fn check_fixed_widths(lines: &[String], width: usize) {
    let header = &lines[0];
    assert!(header.trim_start().starts_with("ID "), "{header}");
    let status_at = header.find("STATUS").expect("a STATUS column");
    for line in lines {
        assert!(line.width() <= width, "wider than {width}: {line}");
    }
    for row in rows(lines) {
        // Before STATUS, only ASCII and cut cells: the byte offset is the column.
        let status = row
            .get(status_at..)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no status at {status_at}: {row}"));
        assert!(
            [
                "started",
                "running",
                "succeeded",
                "failed",
                "pending",
                "scheduled",
                "info",
                "cancelled"
            ]
            .contains(&status),
            "{status:?} in {row}"
        );
    }
}

fn sfn(moto: &Moto, operation: &str, body: Value) -> Value {
    let response = aws_json_call(
        moto.port,
        "states",
        &format!("AWSStepFunctions.{operation}"),
        "1.0",
        &body,
    );
    assert_eq!(response.status, 200, "{operation}: {}", response.body);
    serde_json::from_str(&response.body).unwrap()
}

/// On moto: a run that waits 2 s, then fails a Task after a Retry, caught into a Fail.
fn start_failing_run(moto: &Moto) -> String {
    let definition = json!({"StartAt": "Pause", "States": {
        "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Lookup"},
        "Lookup": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": "histx-missing-table", "Key": {"pk": {"S": "x"}}},
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 1, "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
            "End": true},
        "Failed": {"Type": "Fail", "Error": "HistxFailure", "Cause": "lookup failed after a retry"}
    }});
    let machine = sfn(
        moto,
        "CreateStateMachine",
        json!({
            "name": "histx-follow-table",
            "definition": definition.to_string(),
            "roleArn": "arn:aws:iam::123456789012:role/histx-test"
        }),
    );
    let execution = sfn(
        moto,
        "StartExecution",
        json!({"stateMachineArn": machine["stateMachineArn"], "name": "run-1"}),
    );
    execution["executionArn"].as_str().unwrap().to_string()
}

#[test]
fn a_followed_table_streams_its_rows_with_fixed_widths_then_the_run_s_summary_line() {
    let moto = Moto::start();
    let arn = start_failing_run(&moto);
    let mut child = histx_process()
        .env("COLUMNS", "100")
        .args(["sfn", &arn, "--endpoint-url", &moto.endpoint()])
        .args(["-f", "-o", "table", "--exit-status", "--interval", "300ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut first_row_at = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        lines.push(line.unwrap());
        if lines.len() == 2 {
            first_row_at = Some(epoch_seconds());
        }
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stderr.is_empty(), "no progress line on a pipe");
    let described = sfn(&moto, "DescribeExecution", json!({"executionArn": arn}));
    let stop = described["stopDate"].as_f64().expect("the run ended");
    let first_row_at = first_row_at.expect("a row");
    assert!(
        first_row_at < stop,
        "the first row arrived at {first_row_at}, after the run ended at {stop}"
    );
    check_fixed_widths(&lines, 100);
    // Each event once, in order, as the history has them.
    let history = sfn(&moto, "GetExecutionHistory", json!({"executionArn": arn}));
    let total = history["events"].as_array().unwrap().len();
    let ids: Vec<usize> = rows(&lines)
        .iter()
        .map(|row| row.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids, (1..=total).collect::<Vec<_>>());
    assert_eq!(lines.iter().filter(|l| l.contains("STATUS")).count(), 1);
    let last = lines.last().unwrap();
    assert!(last.starts_with("Run failed · after "), "{last}");
    assert!(
        last.ends_with(&format!(
            " · {total} events · HistxFailure: lookup failed after a retry"
        )),
        "{last}"
    );
    assert_eq!(
        lines[lines.len() - 2],
        "",
        "a blank line before the summary"
    );
}

#[test]
fn a_followed_table_prints_a_span_again_as_a_new_row_when_it_changes() {
    let automation = "4105a4fc-f944-11e6-9d32-0123456789ab";
    let (steps, status) = fake_ssm::advancing_automation(
        automation,
        vec![
            ("prepare", 0.4, 0.8, "Success"),
            ("patch", 0.8, 1.2, "Failed"),
        ],
    );
    let fake = FakeAws::start();
    fake.serve(steps);
    fake.answer(status);
    let output = histx()
        .env("COLUMNS", "120")
        .args(["ssm", automation, "--endpoint-url", &fake.endpoint()])
        .args(["-f", "-o", "table", "--exit-status", "--interval", "100ms"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    check_fixed_widths(&lines, 120);
    let header = &lines[0];
    assert!(
        header.contains("DURATION"),
        "spans have durations: {header}"
    );
    let rows_of = |step: &str| -> Vec<&String> {
        rows(&lines)
            .iter()
            .filter(|row| row.trim_start().starts_with(step))
            .collect()
    };
    for (n, ending) in [(1, "succeeded"), (2, "failed")] {
        let versions = rows_of(&fake_ssm::step_id(n));
        assert!(versions.len() >= 2, "pending, then final: {text}");
        let status = |row: &str| row.split_whitespace().any(|word| word == "pending");
        assert!(status(versions[0]), "{text}");
        assert!(
            versions
                .last()
                .unwrap()
                .split_whitespace()
                .any(|w| w == ending),
            "{text}"
        );
    }
    assert!(lines.last().unwrap().starts_with("Run failed · "), "{text}");
    assert!(lines.last().unwrap().contains(" · 2 events"), "{text}");
}

#[test]
fn a_limit_stops_following_once_that_many_records_are_shown() {
    // 10 of 11 events, and no more: the run never ends.
    let fake = growing_fake(11, 10, 0.0);
    let follow = |format: &str| {
        histx()
            .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
            .args(["-f", "-o", format, "--limit", "4", "--exit-status"])
            .args(["--interval", "100ms"])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    };
    let output = follow("jsonl");
    assert_eq!(output.status.code(), Some(8), "still running");
    let ids: Vec<i64> = common::json_lines(&output.stdout)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    let output = follow("table");
    assert_eq!(output.status.code(), Some(8), "still running");
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert_eq!(rows(&lines).len(), 4, "{text}");
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("Run still running: following stopped at --limit"),
        "{text}"
    );
}

/// Single quotes for a POSIX shell.
fn quoted(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

/// `histx ARGS` (then `redirect`, shell syntax) on a pseudo-terminal of 80 × `rows`,
/// through util-linux `script`, with the environment of [`histx_process`]: what the
/// terminal showed (as bytes) and the exit code.
fn on_a_terminal(rows: u16, args: &[&str], redirect: &str) -> (String, i32) {
    let output = terminal_command(rows, args, redirect)
        .output()
        .expect("util-linux script runs");
    (
        String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n"),
        output.status.code().unwrap_or(-1),
    )
}

/// The `script` command of [`on_a_terminal`]; histx is its child (the shell execs it).
fn terminal_command(rows: u16, args: &[&str], redirect: &str) -> Command {
    let plain = histx_process();
    let line = std::iter::once(plain.get_program().to_string_lossy().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| quoted(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let mut script = Command::new("script");
    script
        .env_clear()
        .envs(plain.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("TERM", "xterm")
        .env("LANG", "C.UTF-8")
        .args([
            "-qec",
            &format!("stty rows {rows} cols 80; exec {line} {redirect}"),
            "/dev/null",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    script
}

#[test]
fn a_followed_tree_is_redrawn_in_place_on_a_terminal_and_ends_complete() {
    // 60 events, 4 at once, then 12 a second: nearly 5 s of redraws.
    let fake = growing_fake(60, 4, 12.0);
    let endpoint = fake.endpoint();
    let (screen, code) = on_a_terminal(
        12,
        &[
            "sfn",
            ARN,
            "--endpoint-url",
            &endpoint,
            "-f",
            "-o",
            "tree",
            "--exit-status",
            "--interval",
            "200ms",
        ],
        "",
    );
    assert_eq!(code, 0, "{screen}");
    // Each drawing over the last one starts with the cursor going up over it, by the
    // rows the last one took: never more than the screen's 11 (12 less the cursor's).
    let ups: Vec<usize> = screen
        .match_indices("\u{1b}[")
        .filter_map(|(at, _)| {
            let rest = &screen[at + 2..];
            let digits = rest.find(|c: char| !c.is_ascii_digit())?;
            rest[digits..]
                .starts_with("A\r")
                .then(|| rest[..digits].parse().ok())
                .flatten()
        })
        .collect();
    assert!(ups.len() >= 2, "drawn over at least twice: {screen:?}");
    assert!(ups.iter().all(|&n| n <= 11), "within the screen: {ups:?}");
    assert!(
        screen.contains("lines hidden"),
        "fitted to 12 rows: {screen:?}"
    );
    assert!(
        !screen.contains("next poll in"),
        "no progress line over a redraw"
    );
    // The last frame (after the last cursor-up) is the whole tree.
    let from = screen.rfind("A\r").unwrap() + 2;
    let last: Vec<String> = screen[from..]
        .lines()
        .map(|line| without_colour(line.trim_start_matches("\u{1b}[2K")))
        .collect();
    assert!(
        last.iter()
            .any(|l| l.starts_with("Status") && l.contains("succeeded")),
        "{last:?}"
    );
    // 60 events: the start, Step1 to Step29 entered and exited, the run's end.
    for step in 1..=29 {
        assert!(
            last.iter().any(|l| l.contains(&format!("Step{step} "))
                || l.ends_with(&format!("Step{step}"))),
            "Step{step} in the last frame: {last:?}"
        );
    }
    assert!(!last.iter().any(|l| l.contains("hidden")), "{last:?}");
}

#[test]
fn a_followed_tree_is_printed_once_at_the_end_when_stdout_is_not_a_terminal() {
    let fake = growing_fake(20, 4, 20.0);
    let output = histx()
        .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
        .args(["-f", "-o", "tree", "--interval", "100ms"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert_eq!(text.matches("Status").count(), 1, "{text}");
    // The status call's final status has the last word over the history's.
    assert!(text.contains("Status     succeeded"), "{text}");
    let after = histx()
        .args(["sfn", ARN, "--endpoint-url", &fake.endpoint(), "-o", "tree"])
        .output()
        .unwrap();
    let tree = |text: &str| text.split_once("\n\n").unwrap().1.to_string();
    assert_eq!(tree(&text), tree(&String::from_utf8(after.stdout).unwrap()));
}

/// The text a terminal ends up showing on each line: what follows the last erase of it.
fn settled(line: &str) -> &str {
    line.rsplit("\r\u{1b}[2K").next().unwrap_or(line)
}

#[test]
fn the_progress_line_is_on_a_terminal_s_stderr_only_and_erased_at_the_end() {
    let fake = growing_fake(60, 4, 12.0);
    let endpoint = fake.endpoint();
    let follow = [
        "sfn",
        ARN,
        "--endpoint-url",
        &endpoint,
        "-f",
        "-o",
        "jsonl",
        "--interval",
        "200ms",
    ];
    // Stdout to a file, stderr on the terminal.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.jsonl");
    let redirect = format!("> {}", quoted(&file.to_string_lossy()));
    let (screen, code) = on_a_terminal(24, &follow, &redirect);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("histx: running · "), "{screen:?}");
    assert!(screen.contains(" records · next poll in "), "{screen:?}");
    assert!(
        screen.ends_with("\r\u{1b}[2K"),
        "erased at the end: {screen:?}"
    );
    assert_eq!(settled(&screen), "");
    let printed = common::json_lines(&std::fs::read(&file).unwrap());
    let ids: Vec<i64> = printed.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids,
        (1..=60).collect::<Vec<_>>(),
        "stdout holds only the lines"
    );

    // Both on the terminal: every line of the table is whole, the progress line erased
    // before each was written.
    let mut table = follow;
    table[6] = "table";
    let fake = growing_fake(60, 4, 12.0);
    let endpoint = fake.endpoint();
    table[3] = &endpoint;
    let (screen, code) = on_a_terminal(24, &table, "");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("next poll in"), "{screen:?}");
    let lines: Vec<String> = screen
        .lines()
        .map(|line| without_colour(settled(line)))
        .collect();
    let shown: Vec<&String> = lines
        .iter()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(shown.len(), 60, "{lines:#?}");
    assert!(
        lines.iter().all(|l| !l.contains("histx:")),
        "no progress text left on a line: {lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("Run succeeded · ")),
        "{lines:#?}"
    );

    // Stderr not a terminal: no progress line at all.
    let fake = growing_fake(20, 4, 12.0);
    let output = histx()
        .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
        .args(["-f", "-o", "table", "--interval", "200ms"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(output.stderr.is_empty(), "{:?}", output.stderr);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    // No terminal, no COLUMNS: laid out for 100 columns.
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    check_fixed_widths(&lines, 100);
    assert_eq!(rows(&lines).len(), 20);
}

/// The moment a follow's first line is on stdout is before the run ends, not after:
/// also for a run the fake grows (the end is when its last event appears).
#[test]
fn a_followed_table_of_a_growing_run_shows_rows_while_it_grows() {
    let started = Instant::now();
    let fake = growing_fake(60, 2, 10.0);
    let ends_after = Duration::from_secs_f64(58.0 / 10.0);
    let mut child = histx_process()
        .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
        .args(["-f", "-o", "table", "--interval", "200ms"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let header = lines.next().unwrap().unwrap();
    assert!(header.trim_start().starts_with("ID"), "{header}");
    let first = lines.next().unwrap().unwrap();
    let first_at = started.elapsed();
    assert!(first.trim_start().starts_with("1 "), "{first}");
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(child.wait().unwrap().success());
    assert!(
        first_at < ends_after,
        "the first row came {first_at:?} after the start, the run ended at {ends_after:?}"
    );
    assert_eq!(rows(&[vec![header, first], rest].concat()).len(), 60);
}

#[test]
fn an_error_while_following_erases_the_progress_line_before_its_own_line() {
    use common::fake::{ApiError, Fault};
    use common::fake_sfn::DESCRIBE_EXECUTION;
    // 10 of 11 events and no more; the sixth status call is refused.
    let fake = growing_fake(11, 10, 0.0);
    let mut faults = vec![Fault::Answer; 5];
    faults.push(Fault::Error(ApiError::new(
        400,
        "AccessDeniedException",
        "not allowed to describe it any more",
    )));
    fake.inject(DESCRIBE_EXECUTION, faults);
    let endpoint = fake.endpoint();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.jsonl");
    let redirect = format!("> {}", quoted(&file.to_string_lossy()));
    let follow = [
        "sfn",
        ARN,
        "--endpoint-url",
        &endpoint,
        "-f",
        "-o",
        "jsonl",
        "--interval",
        "200ms",
    ];
    let (screen, code) = on_a_terminal(24, &follow, &redirect);
    assert_eq!(code, 1, "{screen:?}");
    assert!(
        screen.contains("next poll in"),
        "the line was shown: {screen:?}"
    );
    let lines: Vec<&str> = screen.lines().map(settled).collect();
    assert_eq!(lines.len(), 1, "{screen:?}");
    assert!(lines[0].starts_with("histx: "), "{screen:?}");
    assert!(lines[0].contains("not allowed"), "{screen:?}");
    assert!(!lines[0].contains("next poll"), "{screen:?}");
    assert_eq!(common::json_lines(&std::fs::read(&file).unwrap()).len(), 10);
}

#[test]
fn ctrl_c_while_following_erases_the_progress_line_before_saying_so() {
    use std::io::Read;
    // 10 of 11 events and no more: the run never ends.
    let fake = growing_fake(11, 10, 0.0);
    let endpoint = fake.endpoint();
    let follow = [
        "sfn",
        ARN,
        "--endpoint-url",
        &endpoint,
        "-f",
        "-o",
        "table",
        "--interval",
        "200ms",
    ];
    let mut script = terminal_command(24, &follow, "").spawn().unwrap();
    let mut screen = script.stdout.take().unwrap();
    // Until the progress line shows: histx is script's child by then.
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("next poll in") {
        let n = screen.read(&mut buffer).unwrap();
        assert!(n > 0, "ended early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buffer[..n]);
    }
    let children = format!("/proc/{0}/task/{0}/children", script.id());
    let histx: i32 = std::fs::read_to_string(children)
        .unwrap()
        .split_whitespace()
        .next()
        .expect("histx runs under script")
        .parse()
        .unwrap();
    // SAFETY: kill(2) sends a signal to the process this test started (through script).
    assert_eq!(unsafe { libc::kill(histx, libc::SIGINT) }, 0);
    screen.read_to_end(&mut seen).unwrap();
    let status = script.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let screen = String::from_utf8_lossy(&seen).replace("\r\n", "\n");
    let lines: Vec<String> = screen
        .lines()
        .map(|line| without_colour(settled(line)))
        .collect();
    assert_eq!(lines.last().unwrap(), "histx: interrupted", "{lines:#?}");
    assert!(lines.iter().all(|l| !l.contains("next poll")), "{lines:#?}");
    // The header, the ten rows printed, and the line of the interruption.
    assert_eq!(lines.len(), 12, "{lines:#?}");
    assert_eq!(rows(&lines[..11]).len(), 10, "{lines:#?}");
}

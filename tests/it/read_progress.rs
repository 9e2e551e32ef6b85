//! The progress line of a long read (issue 17): with stderr on a pseudo-terminal
//! (util-linux `script`), a read that takes longer than a second shows how many records
//! and pages it has read on stderr, and erases it at the end; with stderr on a pipe
//! nothing is written there; stdout holds the same bytes either way. The fake answers
//! slowly so that the read takes seconds (no timing is asserted).

use crate::common;

use common::fake::FakeAws;
use common::fake_lists;
use common::fake_sfn::{self, synthetic_history, TARGET};
use common::{histx, histx_process};
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:Synthetic:slow";

/// What the terminal shows when a line is erased and rewritten in place.
const ERASE: &str = "\r\u{1b}[2K";

/// 1,000 events served 100 a page, each page after 300 ms: several seconds of reading.
fn slow_fake() -> FakeAws {
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        ARN.to_string(),
        synthetic_history(1000),
    )])));
    fake.slow_down(TARGET, Duration::from_millis(300));
    fake
}

fn args(fake: &FakeAws, output: &str) -> Vec<String> {
    ["sfn", ARN, "--endpoint-url", &fake.endpoint()]
        .into_iter()
        .chain(["--page-size", "100", "-o", output, "--no-pager"])
        .map(str::to_string)
        .collect()
}

/// Single quotes for a POSIX shell.
fn quoted(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

/// `histx ARGS REDIRECT` on a pseudo-terminal of 80 × 24: what the terminal showed.
pub(crate) fn on_a_terminal(args: &[String], redirect: &str) -> (String, i32) {
    let plain = histx_process();
    let line = std::iter::once(plain.get_program().to_string_lossy().to_string())
        .chain(args.iter().cloned())
        .map(|a| quoted(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let output = Command::new("script")
        .env_clear()
        .envs(plain.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("TERM", "xterm")
        .env("LANG", "C.UTF-8")
        .args([
            "-qec",
            &format!("stty rows 24 cols 80; exec {line} {redirect}"),
            "/dev/null",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .output()
        .expect("util-linux script runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

/// The text a terminal ends up showing on a line: what follows the last erase of it.
pub(crate) fn settled(line: &str) -> &str {
    line.rsplit(ERASE).next().unwrap_or(line)
}

/// The same command with both streams on pipes: its stdout, and stderr (empty).
fn piped(args: &[String]) -> Vec<u8> {
    let output = histx().args(args).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        output.stderr.is_empty(),
        "nothing on a piped stderr: {:?}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[test]
fn a_long_read_shows_its_progress_on_a_terminal_s_stderr_and_erases_it() {
    let fake = slow_fake();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.jsonl");
    let redirect = format!("> {}", quoted(&file.to_string_lossy()));
    let (screen, code) = on_a_terminal(&args(&fake, "jsonl"), &redirect);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("histx: reading · "), "{screen:?}");
    assert!(screen.contains(" events · "), "{screen:?}");
    assert!(screen.contains(" pages · "), "{screen:?}");
    assert!(screen.ends_with(ERASE), "erased at the end: {screen:?}");
    assert_eq!(settled(&screen), "", "{screen:?}");
    assert!(!screen.contains('\n'), "one line, never ended: {screen:?}");
    // Stdout is byte for byte what it is with stderr on a pipe (which shows nothing).
    let on_file = std::fs::read(&file).unwrap();
    assert_eq!(common::json_lines(&on_file).len(), 1000);
    let fake = slow_fake();
    assert_eq!(on_file, piped(&args(&fake, "jsonl")));

    // A report (written once the read is over) is the same with and without the line.
    let fake = slow_fake();
    let (screen, code) = on_a_terminal(&args(&fake, "table"), &redirect);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("histx: reading · "), "{screen:?}");
    assert_eq!(settled(&screen), "", "{screen:?}");
    let fake = slow_fake();
    assert_eq!(std::fs::read(&file).unwrap(), piped(&args(&fake, "table")));
}

#[test]
fn on_the_same_terminal_the_line_is_erased_before_stdout_is_written() {
    let fake = slow_fake();
    let (screen, code) = on_a_terminal(&args(&fake, "jsonl"), "");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("histx: reading · "), "{screen:?}");
    assert!(screen.ends_with(ERASE), "erased at the end: {screen:?}");
    // Every line the terminal settles on is a whole JSON line, in order: the progress
    // line never shares one with stdout.
    let lines: Vec<&str> = screen.split("\r\n").map(settled).collect();
    let (last, records) = lines.split_last().unwrap();
    assert_eq!(*last, "", "{last:?}");
    let ids: Vec<i64> = records
        .iter()
        .map(|line| {
            let event: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a whole JSON line ({e}): {line:?}"));
            event["id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(ids, (1..=1000).collect::<Vec<_>>());
}

#[test]
fn a_quick_read_shows_nothing_and_a_long_listing_shows_its_progress() {
    // A quick read (the fake answers at once): no line, nothing on stderr at all.
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        ARN.to_string(),
        synthetic_history(10),
    )])));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out");
    let redirect = format!("> {}", quoted(&file.to_string_lossy()));
    let quick = args(&fake, "jsonl");
    let (screen, code) = on_a_terminal(&quick, &redirect);
    assert_eq!(code, 0, "{screen}");
    assert_eq!(screen, "", "nothing drawn for a quick read");
    assert_eq!(common::json_lines(&std::fs::read(&file).unwrap()).len(), 10);

    // `ls` of 2,500 executions, 1,000 a page, each after 600 ms.
    const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:orders";
    let fake = FakeAws::start();
    fake.serve(fake_lists::list_executions(
        vec![MACHINE.into()],
        fake_lists::synthetic_executions(MACHINE, 2500),
    ));
    fake.slow_down(fake_lists::LIST_EXECUTIONS, Duration::from_millis(600));
    let endpoint = fake.endpoint();
    let list: Vec<String> = ["sfn", "ls", MACHINE, "--limit", "2500", "-o", "jsonl"]
        .into_iter()
        .chain(["--endpoint-url", &endpoint])
        .map(str::to_string)
        .collect();
    let (screen, code) = on_a_terminal(&list, &redirect);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("histx: reading · "), "{screen:?}");
    assert!(screen.contains(" runs · "), "{screen:?}");
    assert_eq!(settled(&screen), "", "{screen:?}");
    let listed = std::fs::read(&file).unwrap();
    assert_eq!(common::json_lines(&listed).len(), 2500);
    assert_eq!(listed, piped(&list));
}

#[test]
fn the_progress_line_of_a_listing_of_state_machines_or_pipelines_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out");
    let redirect = format!("> {}", quoted(&file.to_string_lossy()));
    // Three state machines, the page after 1.5 s.
    let machines: Vec<serde_json::Value> = (1..=3)
        .map(|n| {
            serde_json::json!({
                "stateMachineArn": format!("arn:aws:states:us-east-1:123456789012:stateMachine:m{n}"),
                "name": format!("m{n}"), "type": "STANDARD", "creationDate": 1_714_557_600.0 + n as f64,
            })
        })
        .collect();
    let fake = FakeAws::start();
    fake.serve(fake_lists::list_state_machines(machines));
    fake.slow_down(fake_lists::LIST_STATE_MACHINES, Duration::from_millis(1500));
    let list: Vec<String> = [
        "sfn",
        "ls",
        "-o",
        "jsonl",
        "--endpoint-url",
        &fake.endpoint(),
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    let (screen, code) = on_a_terminal(&list, &redirect);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains(" state machines · "), "{screen:?}");
    assert!(!screen.contains(" runs · "), "{screen:?}");
    assert_eq!(common::json_lines(&std::fs::read(&file).unwrap()).len(), 3);
    // Pipelines.
    let pipelines: Vec<serde_json::Value> = (1..=2)
        .map(|n| serde_json::json!({"name": format!("p{n}"), "version": 1, "created": 1_714_557_600.0 + n as f64, "updated": 1_714_557_600.0}))
        .collect();
    let fake = FakeAws::start();
    fake.serve(fake_lists::list_pipelines(pipelines));
    fake.slow_down(fake_lists::LIST_PIPELINES, Duration::from_millis(1500));
    let list: Vec<String> = [
        "codepipeline",
        "ls",
        "-o",
        "jsonl",
        "--endpoint-url",
        &fake.endpoint(),
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    let (screen, code) = on_a_terminal(&list, &redirect);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains(" pipelines · "), "{screen:?}");
    assert!(!screen.contains(" runs · "), "{screen:?}");
}

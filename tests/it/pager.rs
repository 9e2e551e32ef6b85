//! The pager (issue 15): on a pseudo-terminal (util-linux `script`), output longer than
//! the screen goes through `$HISTX_PAGER` (here a script that records what it was
//! given), else `$PAGER`; never when piped, with `--no-pager`, with an empty value, or
//! for output that fits; a pager quit early ends histx quietly with exit 0.

use crate::common::fake::FakeAws;
use crate::common::fake_sfn::{growing_execution, synthetic_history};
use crate::common::{histx_process, repo_file};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:M:paged";
const FAILED_ORDER: &str = "examples/sfn/order-fulfilment-failed.json";

/// Single quotes for a POSIX shell.
fn quoted(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

/// A fake pager in `dir`: records its input in `dir/paged` and its `LESS` in
/// `dir/less`, or, `early`, reads a few bytes and quits, as `q` in `less` does.
fn fake_pager(dir: &Path, early: bool) -> PathBuf {
    let path = dir.join(if early { "quitter" } else { "pager" });
    let body = if early {
        format!(
            "#!/bin/sh\nhead -c 200 > {}\n",
            quoted(&dir.join("paged").to_string_lossy())
        )
    } else {
        format!(
            "#!/bin/sh\nprintf '%s' \"$LESS\" > {}\ncat > {}\n",
            quoted(&dir.join("less").to_string_lossy()),
            quoted(&dir.join("paged").to_string_lossy())
        )
    };
    std::fs::write(&path, body).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

/// `histx ARGS` on a pseudo-terminal of 80 × `rows`, with `env` added to the
/// environment of [`histx_process`], then `redirect` (shell syntax): what the
/// terminal showed, what histx wrote on stderr (to a file), and the exit code.
fn on_a_terminal(
    rows: u16,
    args: &[&str],
    env: &[(&str, &str)],
    redirect: &str,
    dir: &Path,
) -> (String, String, i32) {
    let plain = histx_process();
    let line = std::iter::once(plain.get_program().to_string_lossy().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| quoted(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let stderr = dir.join("stderr");
    let output = Command::new("script")
        .env_clear()
        .envs(plain.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .envs(env.iter().copied())
        .env("TERM", "xterm")
        .env("LANG", "C.UTF-8")
        .args([
            "-qec",
            &format!(
                "stty rows {rows} cols 80; exec {line} 2>{} {redirect}",
                quoted(&stderr.to_string_lossy())
            ),
            "/dev/null",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .output()
        .expect("util-linux script runs");
    (
        String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n"),
        std::fs::read_to_string(stderr).unwrap_or_default(),
        output.status.code().unwrap_or(-1),
    )
}

fn failed_order() -> String {
    repo_file(FAILED_ORDER).to_string_lossy().into_owned()
}

#[test]
fn output_longer_than_the_screen_goes_through_histx_pager_in_colour() {
    let dir = tempfile::tempdir().unwrap();
    let pager = fake_pager(dir.path(), false);
    let file = failed_order();
    let (screen, stderr, code) = on_a_terminal(
        20,
        &["sfn", "--from", &file],
        // HISTX_PAGER wins over PAGER; with an argument, it runs through `sh -c`.
        &[
            ("HISTX_PAGER", &format!("{} --flag", pager.display())),
            ("PAGER", "false"),
        ],
        "",
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    let paged = std::fs::read_to_string(dir.path().join("paged")).unwrap();
    assert!(paged.lines().count() > 20, "{paged}");
    assert!(
        paged.starts_with("Status     \u{1b}["),
        "colour kept: {paged:?}"
    );
    assert!(paged.contains("Failed at  "), "{paged}");
    assert!(
        !screen.contains("Failed at  "),
        "not on the screen: {screen}"
    );
    // LESS is set for the pager when the user has not set it.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("less")).unwrap(),
        "FRX"
    );
}

#[test]
fn pager_is_the_fallback_and_a_one_word_command_runs_directly() {
    let dir = tempfile::tempdir().unwrap();
    let pager = fake_pager(dir.path(), false);
    let file = failed_order();
    let (_, stderr, code) = on_a_terminal(
        20,
        &["sfn", "--from", &file, "-o", "tree"],
        &[("PAGER", &pager.to_string_lossy()), ("LESS", "-S")],
        "",
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    let paged = std::fs::read_to_string(dir.path().join("paged")).unwrap();
    assert!(paged.contains("ChargeCard"), "{paged}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("less")).unwrap(),
        "-S",
        "the user's LESS is kept"
    );
}

#[test]
fn output_that_fits_the_screen_is_not_paged() {
    let dir = tempfile::tempdir().unwrap();
    let pager = fake_pager(dir.path(), false);
    let file = failed_order();
    let (screen, _, code) = on_a_terminal(
        200,
        &["sfn", "--from", &file],
        &[("HISTX_PAGER", &pager.to_string_lossy())],
        "",
        dir.path(),
    );
    assert_eq!(code, 0);
    assert!(!dir.path().join("paged").exists());
    assert!(screen.contains("Failed at  "), "{screen}");
}

#[test]
fn never_paged_when_piped_with_no_pager_or_with_an_empty_value() {
    let dir = tempfile::tempdir().unwrap();
    let pager = fake_pager(dir.path(), false);
    let file = failed_order();
    let pager = pager.to_string_lossy();
    for (args, env, redirect) in [
        // stdout a pipe, stderr the terminal.
        (vec![], vec![("HISTX_PAGER", &*pager)], "| cat"),
        (vec!["--no-pager"], vec![("HISTX_PAGER", &*pager)], ""),
        (vec![], vec![("HISTX_PAGER", ""), ("PAGER", &*pager)], ""),
        (vec![], vec![("PAGER", "")], ""),
    ] {
        let mut all = vec!["sfn", "--from", &file];
        all.extend(args.iter().copied());
        let (screen, stderr, code) = on_a_terminal(10, &all, &env, redirect, dir.path());
        assert_eq!(code, 0, "{all:?} {env:?}: {stderr}");
        assert!(
            !dir.path().join("paged").exists(),
            "{all:?} {env:?} {redirect}"
        );
        assert!(screen.contains("Failed at  "), "{all:?} {env:?}: {screen}");
    }
}

#[test]
fn a_pager_quit_early_ends_histx_quietly_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let pager = fake_pager(dir.path(), true);
    // Far more than a pipe holds: histx is still writing when the pager has gone.
    let history = dir.path().join("long.json");
    let mut events = vec![serde_json::json!({
        "timestamp": 1775122800.0, "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
        "executionStartedEventDetails": {"input": "{}", "roleArn": "arn:aws:iam::123456789012:role/r"}
    })];
    for i in 0..3000 {
        events.push(serde_json::json!({
            "timestamp": 1775122801.0, "type": "PassStateEntered", "id": i + 2, "previousEventId": i + 1,
            "stateEnteredEventDetails": {"name": format!("Step{i}"), "input": "{\"padding\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}"}
        }));
    }
    std::fs::write(
        &history,
        serde_json::to_string(&serde_json::json!({ "events": events })).unwrap(),
    )
    .unwrap();
    let history = history.to_string_lossy();
    let (_, stderr, code) = on_a_terminal(
        20,
        &["sfn", "--from", &history, "--io", "--exit-status"],
        &[("HISTX_PAGER", &pager.to_string_lossy())],
        "",
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "quiet");
    let paged = std::fs::read(dir.path().join("paged")).unwrap();
    assert_eq!(paged.len(), 200);
}

#[test]
fn a_pager_that_cannot_start_leaves_one_notice_and_the_output_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let file = failed_order();
    let (screen, stderr, code) = on_a_terminal(
        10,
        &["sfn", "--from", &file],
        &[("HISTX_PAGER", "/no/such/pager")],
        "",
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("histx: the pager `/no/such/pager` could not be started"),
        "{stderr}"
    );
    assert!(
        screen.contains("Status") && screen.contains("Failed at  "),
        "{screen}"
    );
}

#[test]
fn following_is_never_paged() {
    // A run of 60 events, all there at once: followed, it ends at the first poll.
    let (history, describe) = growing_execution(ARN, synthetic_history(60), 60, 0.0, "SUCCEEDED");
    let fake = FakeAws::start();
    fake.serve(history);
    fake.answer(describe);
    let endpoint = fake.endpoint();
    let dir = tempfile::tempdir().unwrap();
    let pager = fake_pager(dir.path(), false);
    let (screen, stderr, code) = on_a_terminal(
        10,
        &[
            "sfn",
            ARN,
            "--endpoint-url",
            &endpoint,
            "-f",
            "--interval",
            "100ms",
        ],
        &[("HISTX_PAGER", &pager.to_string_lossy())],
        "",
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!dir.path().join("paged").exists(), "{screen}");
    assert!(screen.lines().count() > 60, "on the terminal: {screen}");
}

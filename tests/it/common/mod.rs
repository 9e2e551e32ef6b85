//! Shared by the integration tests: a `histx` command with a clean, loopback-only AWS
//! environment, a fake of the AWS JSON APIs that pages like the real ones, moto, and a
//! tiny HTTP client for talking to them directly.

pub mod fake;
pub mod fake_children;
pub mod fake_codepipeline;
pub mod fake_lists;
pub mod fake_sfn;
pub mod fake_ssm;
pub mod fake_swf;
pub mod http;
pub mod moto;

use std::path::PathBuf;

/// `histx` with nothing from the developer's environment: dummy credentials, a fixed
/// region, no instance metadata, an endpoint on loopback, an empty HOME (so no ~/.aws
/// files), UTC, no colour preference, and RUST_BACKTRACE=1 as on the machines here (no
/// backtrace may show).
pub fn histx() -> assert_cmd::Command {
    assert_cmd::Command::from_std(histx_process())
}

/// [`histx`] as a plain process, for a test that reads its output as it comes.
pub fn histx_process() -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("histx"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", empty_home())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // Should a check that must refuse bad input before any request ever let one
        // through, it goes nowhere: tests that talk to a server pass --endpoint-url.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("TZ", "UTC")
        .env("RUST_BACKTRACE", "1");
    command
}

/// An empty directory to be HOME, inside cargo's scratch space for tests.
pub fn empty_home() -> PathBuf {
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("empty-home");
    std::fs::create_dir_all(&home).expect("create the empty HOME");
    home
}

/// A file under `tests/fixtures` or the repository root.
pub fn repo_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The JSON lines of a command's standard output.
pub fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

/// Standard error as text, checked to be exactly one line that starts with `histx: `
/// and shows no panic or backtrace.
pub fn one_error_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr).to_string();
    assert!(
        !text.contains("panicked") && !text.contains("backtrace"),
        "{text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr, got: {text}");
    assert!(lines[0].starts_with("histx: "), "{text}");
    lines[0].to_string()
}

/// The table of `-o table` output: its column header line and its rows, without the
/// run summary printed above it.
pub fn table_lines(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|line| {
            // The header: its ID (left out of a table too narrow for it), else the
            // headers that are never cut.
            let line = without_colour(line);
            let line = line.trim_start();
            let header = line.contains("  NAME ") && line.contains("  STATUS");
            !(line.starts_with("ID ") || header)
        })
        .collect();
    // Without the line a filtered table ends with (`10 of 64 events shown`), and the
    // blank line before it.
    let footer = |line: &str| line.ends_with(" events shown");
    (0..lines.len())
        .filter(|&i| {
            let before_footer = lines[i].is_empty() && lines.get(i + 1).is_some_and(|l| footer(l));
            !(footer(lines[i]) || before_footer)
        })
        .map(|i| lines[i])
        .collect()
}

/// A line without its colour escape sequences (`ESC [ ... m`).
pub fn without_colour(line: &str) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            plain.push(c);
        }
    }
    plain
}

/// How far in a tree line's label starts (after the branches and the status mark; `x`
/// is the ASCII mark of a failure).
pub fn tree_depth(line: &str) -> usize {
    line.find(|c: char| c.is_ascii_alphanumeric() && c != 'x')
        .unwrap_or(0)
}

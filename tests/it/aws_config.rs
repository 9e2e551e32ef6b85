//! AWS configuration as the AWS CLI reads it, and never a panic: retry settings from the
//! environment or a profile are checked (one `histx:` line, exit 2, for a bad one),
//! `legacy` is read as standard; `--profile` beats the environment's keys while
//! `AWS_PROFILE` does not; an unknown profile is refused before any request; a config
//! "file" that is a device is refused instead of read forever.

use crate::common::fake::FakeAws;
use crate::common::fake_sfn::{self, synthetic_history, TARGET};
use crate::common::{histx, one_error_line};
use std::collections::HashMap;

const ARN: &str = "arn:aws:states:us-east-1:123456789012:execution:Synthetic:run-1";

fn fake() -> FakeAws {
    let fake = FakeAws::start();
    fake.serve(fake_sfn::get_execution_history(HashMap::from([(
        ARN.to_string(),
        synthetic_history(3),
    )])));
    fake
}

/// A directory holding AWS config and credentials files with a `prod` profile.
fn aws_files(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config"), config).unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        "[prod]\naws_access_key_id = PRODKEY\naws_secret_access_key = prodsecret\n",
    )
    .unwrap();
    dir
}

fn with_files(command: &mut assert_cmd::Command, dir: &tempfile::TempDir) {
    command
        .env("AWS_CONFIG_FILE", dir.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.path().join("credentials"),
        );
}

#[test]
fn no_retry_setting_can_panic() {
    let fake = fake();
    let bad_env = [
        ("AWS_RETRY_MODE", "bogus"),
        ("AWS_MAX_ATTEMPTS", "0"),
        ("AWS_MAX_ATTEMPTS", "-1"),
        ("AWS_MAX_ATTEMPTS", "abc"),
        ("AWS_MAX_ATTEMPTS", "99999999999"),
    ];
    for (variable, value) in bad_env {
        let out = histx()
            .env(variable, value)
            .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let line = one_error_line(&out.stderr);
        assert!(line.contains(variable) && line.contains(value), "{line}");
    }
    for config in [
        "[default]\nmax_attempts = banana\n",
        "[default]\nretry_mode = sometimes\n",
    ] {
        let dir = aws_files(config);
        let mut command = histx();
        with_files(&mut command, &dir);
        let out = command
            .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
            .assert()
            .code(2)
            .get_output()
            .clone();
        assert!(
            one_error_line(&out.stderr).contains("the profile's"),
            "{config}"
        );
    }
    assert!(
        fake.requests(TARGET).is_empty(),
        "refused before any request"
    );
}

#[test]
fn legacy_retries_are_standard_and_said_once() {
    let fake = fake();
    for (variable, config) in [
        (Some("AWS_RETRY_MODE"), "[default]\n"),
        (None, "[default]\nretry_mode = legacy\n"),
    ] {
        let dir = aws_files(config);
        let mut command = histx();
        with_files(&mut command, &dir);
        if let Some(variable) = variable {
            command.env(variable, "legacy");
        }
        let out = command
            .args([
                "sfn",
                ARN,
                "--endpoint-url",
                &fake.endpoint(),
                "-o",
                "jsonl",
            ])
            .assert()
            .success()
            .get_output()
            .clone();
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("'legacy' is read as 'standard'"),
            "{stderr}"
        );
    }
}

#[test]
fn the_profile_flag_beats_the_environments_keys_and_aws_profile_does_not() {
    let fake = fake();
    let dir = aws_files("[profile prod]\nregion = us-east-1\n");
    let mut by_flag = histx();
    with_files(&mut by_flag, &dir);
    by_flag
        .args([
            "sfn",
            ARN,
            "--endpoint-url",
            &fake.endpoint(),
            "--profile",
            "prod",
        ])
        .assert()
        .success();
    let mut by_variable = histx();
    with_files(&mut by_variable, &dir);
    by_variable
        .env("AWS_PROFILE", "prod")
        .args(["sfn", ARN, "--endpoint-url", &fake.endpoint()])
        .assert()
        .success();
    // The common environment's keys are `testing`.
    assert_eq!(fake.access_keys(TARGET), vec!["PRODKEY", "testing"]);
}

#[test]
fn an_unknown_profile_is_refused_before_any_request() {
    let fake = fake();
    let dir = aws_files("[profile prod]\n");
    for (flag, variable) in [(Some("nope"), None), (None, Some("nope"))] {
        let mut command = histx();
        with_files(&mut command, &dir);
        command.args(["sfn", ARN, "--endpoint-url", &fake.endpoint()]);
        if let Some(name) = flag {
            command.args(["--profile", name]);
        }
        if let Some(name) = variable {
            command.env("AWS_PROFILE", name);
        }
        let out = command.assert().code(2).get_output().clone();
        let line = one_error_line(&out.stderr);
        assert!(
            line.contains("no profile 'nope'") && line.contains("prod"),
            "{line}"
        );
    }
    assert!(fake.requests(TARGET).is_empty());
}

#[test]
fn a_config_file_that_is_a_device_is_refused() {
    let out = histx()
        .env("AWS_CONFIG_FILE", "/dev/zero")
        .args(["sfn", ARN])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(one_error_line(&out.stderr).contains("/dev/zero is not a regular file"));
}

//! Completion driven in real shells: bash with bash-completion loaded, and fish, both
//! from Debian packages that `scripts/test` installs. The checked-in scripts call the
//! histx under test back at each TAB.

use crate::common;

use std::process::Command;

const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";

/// A PATH whose first entry holds the histx under test, so the scripts call it.
fn path_with_histx() -> String {
    let binary = assert_cmd::cargo::cargo_bin("histx");
    format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// What bash offers for `line` (completing its last word), one candidate per line.
fn bash_complete(line: &str, aws_config: Option<&str>) -> Vec<String> {
    assert!(
        std::path::Path::new(BASH_COMPLETION).exists(),
        "{BASH_COMPLETION} is missing: scripts/test installs bash-completion (apt-get install bash-completion)"
    );
    let script = format!(
        r#"
source {BASH_COMPLETION}
source {script}
COMP_LINE='{line}'
COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_TYPE=9
_clap_complete_histx histx "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#,
        script = common::repo_file("completions/histx.bash").display(),
    );
    let mut command = Command::new("bash");
    command
        .args(["--norc", "--noprofile", "-c", &script])
        .env_clear()
        .env("PATH", path_with_histx())
        .env("HOME", common::empty_home());
    if let Some(config) = aws_config {
        command.env("AWS_CONFIG_FILE", config);
    }
    let out = command.output().expect("bash runs");
    assert!(
        out.status.success(),
        "bash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_offers_subcommands() {
    let offered = bash_complete("histx s", None);
    for sub in ["sfn", "swf", "ssm"] {
        assert!(
            offered.iter().any(|o| o == sub),
            "histx s<TAB> lacks {sub}: {offered:?}"
        );
    }
    assert!(
        !offered.iter().any(|o| o == "codepipeline"),
        "only what starts with s: {offered:?}"
    );
}

#[test]
fn bash_offers_options_and_their_values() {
    let offered = bash_complete("histx sfn --o", None);
    assert!(offered.iter().any(|o| o == "--output"), "{offered:?}");
    let formats = bash_complete("histx sfn -o ", None);
    for format in ["table", "jsonl", "json", "raw"] {
        assert!(
            formats.iter().any(|o| o == format),
            "-o <TAB> lacks {format}: {formats:?}"
        );
    }
    let colors = bash_complete("histx sfn --color ", None);
    assert_eq!(colors, vec!["auto", "always", "never"]);
}

#[test]
fn bash_offers_profiles_from_the_aws_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[default]\nregion = us-east-1\n[profile prod-admin]\n[profile dev]\n",
    )
    .unwrap();
    let offered = bash_complete("histx sfn --profile ", Some(config.to_str().unwrap()));
    assert_eq!(offered, vec!["default", "dev", "prod-admin"]);
    let offered = bash_complete("histx sfn --profile pr", Some(config.to_str().unwrap()));
    assert_eq!(offered, vec!["prod-admin"]);
}

/// What fish offers for `line`, as `complete -C` prints it (candidate, tab, description).
fn fish_complete(line: &str) -> Vec<String> {
    let fish = Command::new("fish")
        .env_clear()
        .args([
            "--no-config",
            "-c",
            &format!(
                "source {}; complete -C '{line}'",
                common::repo_file("completions/histx.fish").display()
            ),
        ])
        .env("PATH", path_with_histx())
        .env("HOME", common::empty_home())
        .output()
        .expect("fish is missing: scripts/test installs it (apt-get install fish)");
    assert!(
        fish.status.success(),
        "fish: {}",
        String::from_utf8_lossy(&fish.stderr)
    );
    String::from_utf8_lossy(&fish.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn fish_offers_subcommands_options_and_formats() {
    let subcommands = fish_complete("histx s");
    assert!(subcommands.iter().any(|s| s == "sfn"), "{subcommands:?}");
    let options = fish_complete("histx sfn --o");
    assert!(options.iter().any(|o| o == "--output"), "{options:?}");
    let formats = fish_complete("histx sfn -o ");
    assert!(formats.iter().any(|f| f == "jsonl"), "{formats:?}");
}

#[test]
fn bash_offers_ssm_filter_keys_and_statuses() {
    let keys = bash_complete("histx ssm --filter Step", None);
    for key in ["StepName=", "StepExecutionId=", "StepExecutionStatus="] {
        assert!(
            keys.iter().any(|k| k == key),
            "--filter Step<TAB> lacks {key}: {keys:?}"
        );
    }
    assert!(
        !keys.iter().any(|k| k == "Action="),
        "only keys starting with Step: {keys:?}"
    );
    let statuses = bash_complete("histx ssm --filter StepExecutionStatus=Fa", None);
    assert_eq!(statuses, vec!["StepExecutionStatus=Failed"]);
}

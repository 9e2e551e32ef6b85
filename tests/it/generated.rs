//! The checked-in completion scripts and man pages are exactly what the CLI generates;
//! when this fails, run `scripts/generate` and commit the result.

use crate::common;

use common::{histx, repo_file};

fn generated(args: &[&str]) -> String {
    String::from_utf8(
        histx()
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap()
}

fn checked_in(relative: &str) -> String {
    std::fs::read_to_string(repo_file(relative))
        .unwrap_or_else(|e| panic!("{relative}: {e}; run scripts/generate"))
}

#[test]
fn completion_scripts_are_up_to_date() {
    for (shell, file) in [
        ("bash", "histx.bash"),
        ("zsh", "_histx"),
        ("fish", "histx.fish"),
        ("powershell", "_histx.ps1"),
        ("elvish", "histx.elv"),
    ] {
        assert!(
            checked_in(&format!("completions/{file}")) == generated(&["completions", shell]),
            "completions/{file} is stale: run scripts/generate"
        );
    }
}

#[test]
fn man_pages_are_up_to_date() {
    let pages = histx::generate::man_page_names();
    assert!(pages.len() >= 2, "histx(1) and one page per subcommand");
    for page in pages {
        let mut args = vec!["man"];
        if let Some(sub) = page.strip_prefix("histx-") {
            args.push(sub);
        }
        assert!(
            checked_in(&format!("man/{page}.1")) == generated(&args),
            "man/{page}.1 is stale: run scripts/generate"
        );
    }
    let listed: Vec<String> = std::fs::read_dir(repo_file("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        listed.len(),
        histx::generate::man_page_names().len(),
        "man/ holds a page that no subcommand has: {listed:?}"
    );
}

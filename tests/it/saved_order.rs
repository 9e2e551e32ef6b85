//! `--reverse` means newest first whatever order a saved file holds: a history saved
//! with the AWS CLI's `--reverse-order` reads oldest first by default, and a file saved
//! oldest first reads newest first with `--reverse`.

use crate::common::{histx, json_lines, repo_file};
use serde_json::Value;

/// The ids `histx <service> --from path` prints, in order.
fn ids(service: &str, path: &std::path::Path, extra: &[&str]) -> Vec<Value> {
    let output = histx()
        .args([service, "--from"])
        .arg(path)
        .args(["-o", "jsonl"])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    json_lines(&output)
        .into_iter()
        .map(|e| e["id"].clone())
        .collect()
}

#[test]
fn a_file_saved_newest_first_reads_in_history_order() {
    for (service, example, events_key) in [
        ("sfn", "examples/sfn/order-fulfilment-failed.json", "events"),
        (
            "swf",
            "examples/swf/invoice-import-completed.json",
            "events",
        ),
        (
            "ssm",
            "examples/ssm/patch-web-fleet-failed.json",
            "StepExecutions",
        ),
    ] {
        let oldest_first = repo_file(example);
        let mut document: Value =
            serde_json::from_str(&std::fs::read_to_string(&oldest_first).unwrap()).unwrap();
        document[events_key]
            .as_array_mut()
            .expect("a page of records")
            .reverse();
        let dir = tempfile::tempdir().unwrap();
        let newest_first = dir.path().join("reverse-order.json");
        std::fs::write(&newest_first, document.to_string()).unwrap();

        let in_order = ids(service, &oldest_first, &[]);
        assert!(in_order.len() > 3, "{service}");
        let mut reversed = in_order.clone();
        reversed.reverse();
        assert_eq!(
            ids(service, &newest_first, &[]),
            in_order,
            "{service}: oldest first"
        );
        assert_eq!(
            ids(service, &newest_first, &["--reverse"]),
            reversed,
            "{service}"
        );
        assert_eq!(
            ids(service, &oldest_first, &["--reverse"]),
            reversed,
            "{service}"
        );
    }
}

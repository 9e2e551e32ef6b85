//! Payload text never reaches a terminal raw, in any output format: controls (C0, DEL,
//! C1) and bidirectional controls are escaped everywhere (JSON keeps the same value with
//! `\u…` escapes); the invisible characters that let two names look alike are also shown
//! in the table, the tree and the summary.

use crate::common::histx;
use serde_json::{json, Value};

/// One of each class, in a state name and a cause.
const CLASSES: &[(&str, &str)] = &[
    ("escape", "\u{1b}[2J"),
    ("del", "\u{7f}"),
    ("c1", "\u{9b}"),
    ("bidi override", "\u{202e}"),
    ("bidi isolate", "\u{2066}"),
    ("arabic letter mark", "\u{61c}"),
    ("line separator", "\u{2028}"),
    ("zero-width space", "\u{200b}"),
    ("byte order mark", "\u{feff}"),
    ("soft hyphen", "\u{ad}"),
    ("tag", "\u{e0041}"),
];

fn history(text: &str) -> Value {
    let name = format!("Charge{text}Card");
    json!({"events": [
        {"id": 1, "previousEventId": 0, "timestamp": 1700000000.0, "type": "ExecutionStarted",
         "executionStartedEventDetails": {"input": "{}"}},
        {"id": 2, "previousEventId": 0, "timestamp": 1700000001.0, "type": "TaskStateEntered",
         "stateEnteredEventDetails": {"name": name, "input": "{}"}},
        {"id": 3, "previousEventId": 2, "timestamp": 1700000002.0, "type": "TaskFailed",
         "taskFailedEventDetails": {"resourceType": "lambda", "resource": "invoke",
                                    "error": "Boom", "cause": format!("bad{text}cause")}},
        {"id": 4, "previousEventId": 3, "timestamp": 1700000003.0, "type": "ExecutionFailed",
         "executionFailedEventDetails": {"error": "Boom", "cause": format!("bad{text}cause")}}
    ]})
}

fn output(path: &std::path::Path, args: &[&str]) -> String {
    let out = histx()
        .args(["sfn", "--from"])
        .arg(path)
        .args(args)
        .args(["--color", "never"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn no_output_format_lets_a_character_class_through_raw() {
    let dir = tempfile::tempdir().unwrap();
    for (class, text) in CLASSES {
        let path = dir.path().join("run.json");
        std::fs::write(&path, history(text).to_string()).unwrap();
        let raw = text.chars().next().unwrap();
        let invisible_is_data = matches!(
            *class,
            "zero-width space" | "byte order mark" | "soft hyphen" | "tag"
        );
        for format in ["table", "tree"] {
            let shown = output(&path, &["-o", format]);
            assert!(!shown.contains(raw), "{class} in -o {format}: {shown:?}");
            let shown = output(&path, &["-o", format, "--summary"]);
            assert!(!shown.contains(raw), "{class} in the summary: {shown:?}");
        }
        for format in ["jsonl", "json", "raw"] {
            let shown = output(&path, &["-o", format]);
            if !invisible_is_data {
                assert!(!shown.contains(raw), "{class} in -o {format}: {shown:?}");
            }
            // The value is the same once decoded.
            let values: Vec<Value> = if format == "json" {
                serde_json::from_str::<Vec<Value>>(&shown).unwrap()
            } else {
                shown
                    .lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect()
            };
            let decoded = values
                .iter()
                .filter_map(|v| {
                    v.get("cause")
                        .or_else(|| v.pointer("/taskFailedEventDetails/cause"))
                })
                .filter_map(Value::as_str)
                .next()
                .map(str::to_string);
            assert_eq!(
                decoded,
                Some(format!("bad{text}cause")),
                "{class} -o {format}"
            );
        }
    }
}

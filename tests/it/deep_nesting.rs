//! Deep but legal nesting never overflows the stack: thousands of Parallels nested
//! within the 25,000-event limit, and 10,000 nested SSM steps, build, filter and draw
//! (the drawing stops growing past a depth and numbers the levels instead).

use crate::common::histx;
use serde_json::{json, Value};

/// A Step Functions history of `depth` Parallel states, each the only state of its
/// parent's only branch, the innermost one failing.
fn nested_parallels(depth: i64) -> Value {
    let mut events = vec![
        json!({"id": 1, "previousEventId": 0, "timestamp": 1700000000.0,
        "type": "ExecutionStarted", "executionStartedEventDetails": {"input": "{}"}}),
    ];
    let next = |kind: &str, details: Option<(&str, Value)>, events: &mut Vec<Value>| {
        let id = events.len() as i64 + 1;
        let mut event = json!({"id": id, "previousEventId": id - 1,
            "timestamp": 1700000000.0 + id as f64 / 1000.0, "type": kind});
        if let Some((key, value)) = details {
            event[key] = value;
        }
        events.push(event);
    };
    for level in 0..depth {
        let name = json!({"name": format!("P{level}"), "input": "{}"});
        next(
            "ParallelStateEntered",
            Some(("stateEnteredEventDetails", name)),
            &mut events,
        );
        next("ParallelStateStarted", None, &mut events);
    }
    let fail = json!({"name": "Boom", "input": "{}"});
    next(
        "FailStateEntered",
        Some(("stateEnteredEventDetails", fail)),
        &mut events,
    );
    for _ in 0..depth {
        next("ParallelStateFailed", None, &mut events);
    }
    let failed = json!({"error": "Deep", "cause": "the innermost state failed"});
    next(
        "ExecutionFailed",
        Some(("executionFailedEventDetails", failed)),
        &mut events,
    );
    json!({ "events": events })
}

/// An SSM automation of `depth` loop steps, each inside the previous one's iteration.
fn nested_steps(depth: usize) -> Value {
    let steps: Vec<Value> = (0..depth)
        .map(|i| {
            let mut step = json!({"StepExecutionId": format!("id-{i}"), "StepName": format!("s{i}"),
                "Action": "aws:loop", "StepStatus": if i + 1 == depth { "Failed" } else { "Success" },
                "ExecutionStartTime": 1700000000 + i, "ExecutionEndTime": 1700000001 + i});
            if i > 0 {
                step["ParentStepDetails"] = json!({"StepExecutionId": format!("id-{}", i - 1),
                    "Iteration": 0, "Action": "aws:loop", "StepName": format!("s{}", i - 1)});
            }
            step
        })
        .collect();
    json!({ "StepExecutions": steps })
}

#[test]
fn deep_trees_are_built_filtered_and_drawn() {
    let dir = tempfile::tempdir().unwrap();
    for (service, history) in [
        ("sfn", nested_parallels(4500)),
        ("ssm", nested_steps(10_000)),
    ] {
        let path = dir.path().join(format!("{service}.json"));
        std::fs::write(&path, history.to_string()).unwrap();
        for args in [
            &["-o", "tree"][..],
            &["--failed", "-o", "jsonl"],
            &["--summary"],
        ] {
            let out = histx()
                .args([service, "--from"])
                .arg(&path)
                .args(args)
                .assert()
                .success()
                .get_output()
                .clone();
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(!text.is_empty(), "{service} {args:?}");
            if args[0] == "-o" {
                let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
                assert!(
                    widest < 400,
                    "{service}: the drawing stops growing ({widest})"
                );
            }
        }
    }
}

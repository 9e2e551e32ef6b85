//! The shape of an SSM Automation run for `-o tree`, `--failed` and the run summary:
//! steps nested under the loop step that ran them (ParentStepDetails), one node per
//! iteration, under the automation itself when its own record is there (a saved
//! GetAutomationExecution document), and the innermost failure as the one that explains
//! the run.

use super::{RUN_KEY, SERVICE};
use crate::model::{
    flat_node, group_node, Event, EventId, Failure, Node, NodeKind, RunSummary, Status,
};
use crate::services::RunState;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The automation's own record among the events, if read (a GetAutomationExecution
/// document's).
fn run_record(events: &[Event]) -> Option<&Event> {
    events.iter().find(|e| e.kind == RUN_KEY)
}

/// The run summary. The run's status, start, end and failure message are its own: from
/// its record (a saved GetAutomationExecution document), else from GetAutomationExecution
/// (`live`, when it was asked); step records alone say none of them, so they are left
/// out rather than taken from the steps' earliest and latest times. The failure that
/// explains the run is the innermost one: a loop fails because a step of one of its
/// iterations did, and that step's error is the one to read; with no failed step, a
/// failed run's own record.
pub fn summary(events: &[Event], live: Option<&RunState>) -> RunSummary {
    let mut summary = RunSummary::from_events(SERVICE, events);
    let run = run_record(events);
    summary.status = run.map(|r| r.status).or(live.map(|l| l.status));
    summary.start = run.map_or(live.and_then(|l| l.start), |r| r.time);
    summary.end = run.map_or(live.and_then(|l| l.end), |r| r.end_time);
    if !summary.status.is_some_and(Status::is_final) {
        summary.end = None;
    }
    summary.duration_ms = summary
        .start
        .zip(summary.end)
        .map(|(s, e)| e.millis() - s.millis());
    if let Some(run) = run.filter(|r| r.status.is_failure()) {
        summary.error = run.error.clone();
        summary.cause = run.cause.clone();
    }
    let steps: Vec<&Event> = events.iter().filter(|e| e.kind != RUN_KEY).collect();
    let failed: Vec<&Event> = steps
        .iter()
        .copied()
        .filter(|e| e.status.is_failure())
        .collect();
    let innermost: Vec<&Event> = failed
        .iter()
        .copied()
        .filter(|event| {
            !failed
                .iter()
                .any(|o| o.parent_id.is_some() && o.parent_id == event.id)
        })
        .collect();
    // The run's failure: the latest innermost failed step the automation did not
    // continue past (a step that is not critical, or whose OnFailure is Continue,
    // fails without failing the automation), whatever order the steps came in.
    let stopping = innermost.iter().copied().filter(|e| !continued_past(e));
    let culprit = latest_step(stopping).or_else(|| latest_step(innermost.iter().copied()));
    summary.failure = culprit
        .or(run.filter(|r| r.status.is_failure()))
        .map(Failure::of);
    summary
}

/// Steps nested under the loop step that ran them (ParentStepDetails), one node per
/// iteration, labelled with its iterator value.
pub fn tree(events: &[Event], _run: &RunSummary) -> Vec<Node> {
    let run = run_record(events);
    let steps: Vec<&Event> = events.iter().filter(|e| e.kind != RUN_KEY).collect();
    let nodes = step_tree(&steps);
    match run {
        // The automation itself, with its steps under it.
        Some(run) => vec![Node {
            kind: NodeKind::Execution,
            children: nodes,
            ..flat_node(run)
        }],
        None => nodes,
    }
}

/// The steps, nested by parent step and iteration.
fn step_tree(events: &[&Event]) -> Vec<Node> {
    let known: HashSet<&EventId> = events.iter().filter_map(|e| e.id.as_ref()).collect();
    let mut iterations: Iterations = HashMap::new();
    let mut roots = Vec::new();
    for &event in events {
        match &event.parent_id {
            Some(parent) if known.contains(parent) && event.parent_id != event.id => {
                let iteration = event
                    .details
                    .get("ParentStepDetails")
                    .and_then(|p| p.get("Iteration")?.as_i64());
                iterations
                    .entry(parent)
                    .or_default()
                    .entry(iteration)
                    .or_default()
                    .push(event);
            }
            _ => roots.push(event),
        }
    }
    let mut placed = HashSet::new();
    let mut nodes: Vec<Node> = roots
        .into_iter()
        .map(|event| step_node(event, &iterations, &mut placed))
        .collect();
    // Steps in a parent cycle reach no root: shown flat rather than lost.
    for &event in events {
        if event.id.as_ref().is_some_and(|id| !placed.contains(id)) {
            nodes.push(step_leaf(event));
        }
    }
    nodes
}

/// The steps run by each loop step, by iteration (`None`: no iteration given).
type Iterations<'a> = HashMap<&'a EventId, BTreeMap<Option<i64>, Vec<&'a Event>>>;

/// A step's node, with its iterations' steps below it.
fn step_node<'a>(
    event: &'a Event,
    iterations: &Iterations<'a>,
    placed: &mut HashSet<&'a EventId>,
) -> Node {
    let mut node = step_leaf(event);
    let Some(id) = &event.id else {
        return node;
    };
    if !placed.insert(id) {
        return node;
    }
    for (iteration, steps) in iterations.get(id).into_iter().flatten() {
        let children: Vec<Node> = steps
            .iter()
            .map(|step| step_node(step, iterations, placed))
            .collect();
        match iteration {
            Some(index) => {
                let mut group = group_node(NodeKind::Iteration { index: *index }, None, children);
                group.annotations.item = steps[0]
                    .details
                    .get("ParentStepDetails")
                    .and_then(|p| p.get("IteratorValue")?.as_str().map(str::to_string));
                node.children.push(group);
            }
            None => node.children.extend(children),
        }
    }
    node
}

/// A step's own node: its name, its action, its response or what it called.
fn step_leaf(event: &Event) -> Node {
    let mut node = Node {
        kind: NodeKind::Step,
        ..flat_node(event)
    };
    // A step that waits by design: for a person's approval, for the clock.
    if matches!(event.kind.as_str(), "aws:approve" | "aws:sleep") {
        node.waiting_until = node.end;
    }
    node
}

/// The step that ended last.
fn latest_step<'a>(steps: impl Iterator<Item = &'a Event>) -> Option<&'a Event> {
    steps.max_by_key(|e| {
        (
            e.end_time.or(e.time),
            e.id.as_ref().map(|id| id.to_string()),
        )
    })
}

/// True for a failed step the automation went on after: not critical, or set to
/// continue on failure.
fn continued_past(step: &Event) -> bool {
    step.details.get("IsCritical") == Some(Value::Bool(false))
        || step.details.text("OnFailure").as_deref() == Some("Continue")
}

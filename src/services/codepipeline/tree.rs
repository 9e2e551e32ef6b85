//! The shape of CodePipeline runs for `-o tree`, `--failed` and the run summary:
//! pipeline execution, then stage, then action, a retried action's runs folded into one
//! node with an attempt each.

use super::{readable_summary, SERVICE};
use crate::model::{
    flat_node, group_node, Event, EventId, Failure, Node, NodeKind, RunSummary, Status,
};
use crate::services::RunState;

/// The run summary. Its status is the pipeline execution's own when ListPipelineExecutions
/// gave it (`run`), else what its actions' latest attempts tell: a stage whose failed
/// action succeeded on a retry succeeded. A pipeline execution starts with its first
/// action and has ended only once its status is final: then at its latest action's end;
/// a running one has no end. Of several pipeline executions (`--all`), the summary is
/// wholly the newest one's (its execution, status, times, failure and action count), and
/// says how many there are (`executions`). The failure is the earliest failed latest
/// attempt; one without errorDetails takes its reason from the action's
/// externalExecutionSummary.
pub fn summary(events: &[Event], run: Option<&RunState>) -> RunSummary {
    let mut summary = RunSummary::from_events(SERVICE, events);
    let groups = by_pipeline_execution(events);
    let newest = groups
        .iter()
        .max_by_key(|(_, actions)| actions.iter().filter_map(|a| a.time).min())
        .map(|(_, actions)| actions);
    if groups.len() > 1 {
        summary.executions = Some(groups.len());
        if let Some(newest) = newest {
            summary.events = newest.len();
            summary.execution = newest.iter().find_map(|a| a.execution.clone());
        }
    }
    let latest = newest
        .map(|actions| latest_attempts(actions))
        .unwrap_or_default();
    let from_actions = outcome(&latest.iter().map(|a| Some(a.status)).collect::<Vec<_>>());
    summary.status = run.map(|r| r.status).or(from_actions);
    summary.start = run
        .and_then(|r| r.start)
        .or_else(|| newest.and_then(|actions| actions.iter().filter_map(|a| a.time).min()));
    // GetPipelineExecution (what a follow polls) gives no times: an execution that
    // ended without an end of its own ended with its last action.
    summary.end = run.and_then(|run| run.end).or_else(|| {
        summary
            .status
            .is_some_and(Status::is_final)
            .then(|| latest.iter().filter_map(|a| a.end_time).max())
            .flatten()
    });
    summary.duration_ms = summary
        .start
        .zip(summary.end)
        .map(|(s, e)| e.millis() - s.millis());
    summary.failure = latest
        .iter()
        .filter(|a| a.status.is_failure())
        .min_by_key(|a| a.time)
        .map(|action| {
            let mut failure = Failure::of(action);
            if failure.error.is_none() && failure.cause.is_none() {
                failure.cause = action
                    .details
                    .text("externalExecutionSummary")
                    .filter(|s| !s.is_empty())
                    .map(|s| readable_summary(&s));
            }
            failure
        });
    summary
}

/// The status of a group (a stage, a pipeline execution) from its parts' own statuses
/// (for a retried action, its latest attempt's): failed if one failed, running while one
/// is, else as the last part ended. Earlier attempts never count.
fn outcome(parts: &[Option<Status>]) -> Option<Status> {
    if let Some(failed) = parts.iter().flatten().find(|s| s.is_failure()) {
        return Some(*failed);
    }
    let unfinished = parts.iter().flatten().any(|s| {
        matches!(
            s,
            Status::Running | Status::Started | Status::Scheduled | Status::Pending
        )
    });
    if unfinished {
        return Some(Status::Running);
    }
    parts.last().copied().flatten()
}

/// A group node whose status is [`outcome`] of its children's own statuses; one still
/// running has not ended.
fn group(kind: NodeKind, name: Option<String>, children: Vec<Node>) -> Node {
    let statuses: Vec<Option<Status>> = children.iter().map(|c| c.status).collect();
    let status = outcome(&statuses);
    let node = group_node(kind, name, children);
    Node {
        status,
        end: node.end.filter(|_| status.is_some_and(Status::is_final)),
        ..node
    }
}

/// Pipeline execution, then stage, then action (then its attempts, when retried).
pub fn tree(events: &[Event], _run: &RunSummary) -> Vec<Node> {
    by_pipeline_execution(events)
        .into_iter()
        .map(|(execution, actions)| {
            let mut stages: Vec<(Option<&EventId>, Vec<&Event>)> = Vec::new();
            for action in actions {
                match stages
                    .iter_mut()
                    .find(|(stage, _)| *stage == action.parent_id.as_ref())
                {
                    Some((_, in_stage)) => in_stage.push(action),
                    None => stages.push((action.parent_id.as_ref(), vec![action])),
                }
            }
            let stages = stages
                .into_iter()
                .map(|(stage, in_stage)| stage_node(stage.map(EventId::to_string), in_stage))
                .collect();
            group(NodeKind::PipelineExecution, execution, stages)
        })
        .collect()
}

/// A stage: its actions, a retried action's runs folded into one node with an attempt
/// each, so that the stage ends as its actions' latest attempts ended.
fn stage_node(name: Option<String>, actions: Vec<&Event>) -> Node {
    let mut by_action: Vec<(Option<&str>, Vec<&Event>)> = Vec::new();
    for action in actions {
        match by_action
            .iter_mut()
            .find(|(name, _)| *name == action.name.as_deref())
        {
            Some((_, runs)) => runs.push(action),
            None => by_action.push((action.name.as_deref(), vec![action])),
        }
    }
    let nodes = by_action
        .into_iter()
        .map(|(_, mut runs)| {
            if runs.len() == 1 {
                return action_node(runs[0]);
            }
            runs.sort_by_key(|run| run.time);
            let attempts: Vec<Node> = runs
                .iter()
                .enumerate()
                .map(|(i, run)| Node {
                    kind: NodeKind::Attempt { number: i + 1 },
                    ..flat_node(run)
                })
                .collect();
            let mut latest = action_node(runs[runs.len() - 1]);
            latest.annotations.attempts = Some(attempts.len());
            Node {
                start: attempts[0].start,
                events: Vec::new(),
                children: attempts,
                ..latest
            }
        })
        .collect();
    group(NodeKind::Stage, name, nodes)
}

/// An action's own node: its `stage.action` name, its type, its summary or provider.
fn action_node(event: &Event) -> Node {
    let mut node = Node {
        kind: NodeKind::Action,
        ..flat_node(event)
    };
    // A manual approval waits for a person the whole time it runs.
    if event.kind == "Approval" || event.kind.starts_with("Approval/") {
        node.waiting_until = node.end;
    }
    node
}

/// Each action's latest attempt: what a retry left standing.
fn latest_attempts<'a>(actions: &[&'a Event]) -> Vec<&'a Event> {
    let mut latest: Vec<&Event> = Vec::new();
    for action in actions {
        match latest
            .iter_mut()
            .find(|a| a.name == action.name && a.parent_id == action.parent_id)
        {
            Some(kept) if kept.time <= action.time => *kept = action,
            Some(_) => {}
            None => latest.push(action),
        }
    }
    latest
}

/// The actions of each pipeline execution, in the order the executions first appear.
fn by_pipeline_execution(events: &[Event]) -> Vec<(Option<String>, Vec<&Event>)> {
    let mut groups: Vec<(Option<String>, Vec<&Event>)> = Vec::new();
    for event in events {
        let execution = event.details.text("pipelineExecutionId");
        match groups.iter_mut().find(|(id, _)| *id == execution) {
            Some((_, actions)) => actions.push(event),
            None => groups.push((execution, vec![event])),
        }
    }
    groups
}

//! The shape of CodePipeline runs for `-o tree`, `--failed` and the run summary:
//! pipeline execution, then stage, then action, a retried action's runs folded into one
//! node with an attempt each.

use super::SERVICE;
use crate::model::{flat_node, group_node, Event, EventId, Failure, Node, NodeKind, RunSummary};
use serde_json::Value;

/// The run summary. Several pipeline executions are labelled with `pipeline`; the
/// status and failure shown are the newest pipeline execution's, as that is the one a
/// person is asking about.
pub fn summary(events: &[Event], pipeline: Option<&str>) -> RunSummary {
    let mut summary = RunSummary::from_events(SERVICE, events);
    let groups = by_pipeline_execution(events);
    if groups.len() > 1 {
        summary.execution = pipeline.map(str::to_string);
    }
    let newest = groups
        .iter()
        .max_by_key(|(_, actions)| actions.iter().filter_map(|a| a.time).min());
    // The newest pipeline execution's outcome, as its actions' latest attempts tell it.
    summary.status = newest.and_then(|(_, actions)| stage_node(None, actions.clone()).status);
    summary.failure = newest.and_then(|(_, actions)| {
        latest_attempts(actions)
            .into_iter()
            .filter(|a| a.status.is_failure())
            .min_by_key(|a| a.time)
            .map(Failure::of)
    });
    summary
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
            group_node(
                NodeKind::PipelineExecution,
                execution.map(str::to_string),
                stages,
            )
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
    group_node(NodeKind::Stage, name, nodes)
}

/// An action's own node: its `stage.action` name, its type, its summary or provider.
fn action_node(event: &Event) -> Node {
    Node {
        kind: NodeKind::Action,
        ..flat_node(event)
    }
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
fn by_pipeline_execution(events: &[Event]) -> Vec<(Option<&str>, Vec<&Event>)> {
    let mut groups: Vec<(Option<&str>, Vec<&Event>)> = Vec::new();
    for event in events {
        let execution = event
            .details
            .get("pipelineExecutionId")
            .and_then(Value::as_str);
        match groups.iter_mut().find(|(id, _)| *id == execution) {
            Some((_, actions)) => actions.push(event),
            None => groups.push((execution, vec![event])),
        }
    }
    groups
}

//! Folding a run's tree so that a failure reads at a glance: identical failures of a
//! retried state become one line with their count and the gaps between them, and a
//! loop of many iterations keeps the ones that went wrong (or still run) and sums up
//! the rest. Done on the model's nodes before any renderer draws them; the rule that
//! picks the iterations to keep ([`fold_rule`]) serves any view of a loop.

use super::digest::same_failure;
use super::{Event, EventId, Node, NodeKind, Status};
use std::collections::HashMap;

/// A loop with more iterations than this is folded (unless `--expand`).
pub const LOOP_FOLD_OVER: usize = 20;

/// Identical failures, one after another: how many, and the time between each one's
/// end and the next one's start, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repeats {
    pub count: usize,
    pub gaps_ms: Vec<i64>,
}

/// Iterations a folded loop stands for, all of one status: how many, and their
/// durations' median and maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rest {
    pub status: Option<Status>,
    pub count: usize,
    pub p50_ms: Option<i64>,
    pub max_ms: Option<i64>,
}

/// Which of a loop's items are shown in full, and what stands for the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoopFold {
    /// Indexes of the items kept, in order.
    pub kept: Vec<usize>,
    /// The others, one entry per status, in the order the statuses first appear.
    pub rest: Vec<Rest>,
}

/// True for the statuses a folded loop always shows: failed, timed out, aborted, and
/// not yet finished.
pub fn always_shown(status: Option<Status>) -> bool {
    match status {
        Some(status) => status.is_failure() || !status.is_final(),
        None => true,
    }
}

/// The fold rule for a loop's items (iterations), whatever shows them: with more than
/// [`LOOP_FOLD_OVER`] items, those [`always_shown`] are kept and the rest summed up by
/// status (count, p50 and max duration); with fewer, every one is kept.
pub fn fold_rule<T>(
    items: &[T],
    status: impl Fn(&T) -> Option<Status>,
    duration_ms: impl Fn(&T) -> Option<i64>,
) -> LoopFold {
    if items.len() <= LOOP_FOLD_OVER {
        return LoopFold {
            kept: (0..items.len()).collect(),
            rest: Vec::new(),
        };
    }
    let mut kept = Vec::new();
    let mut by_status: Vec<(Option<Status>, Vec<Option<i64>>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let s = status(item);
        if always_shown(s) {
            kept.push(i);
            continue;
        }
        match by_status.iter_mut().find(|(other, _)| *other == s) {
            Some((_, durations)) => durations.push(duration_ms(item)),
            None => by_status.push((s, vec![duration_ms(item)])),
        }
    }
    let rest = by_status
        .into_iter()
        .map(|(status, durations)| {
            let mut known: Vec<i64> = durations.iter().flatten().copied().collect();
            known.sort_unstable();
            Rest {
                status,
                count: durations.len(),
                p50_ms: (!known.is_empty()).then(|| known[(known.len() - 1) / 2]),
                max_ms: known.last().copied(),
            }
        })
        .collect();
    LoopFold { kept, rest }
}

/// Folds a tree in place: repeated failures always, big loops unless `expand`; and
/// marks each failure that a node below it repeats, so that its details are shown
/// once, where it happened.
pub fn fold_tree(nodes: &mut [Node], expand: bool) {
    for node in nodes.iter_mut() {
        fold_node(node, expand);
    }
}

fn fold_node(node: &mut Node, expand: bool) {
    for child in node.children.iter_mut() {
        fold_node(child, expand);
    }
    if !expand {
        fold_loop(node);
    }
    fold_repeats(node);
    node.annotations.failure_below = (node.error.is_some() || node.cause.is_some())
        && node
            .children
            .iter()
            .any(|child| repeats_failure(child, node));
}

/// True when `node` or one below it failed as `of` did.
fn repeats_failure(node: &Node, of: &Node) -> bool {
    let same = (node.error.is_some() || node.cause.is_some())
        && same_failure(
            node.error.as_deref(),
            node.cause.as_deref(),
            of.error.as_deref(),
            of.cause.as_deref(),
        );
    same || node.children.iter().any(|child| repeats_failure(child, of))
}

fn fold_loop(node: &mut Node) {
    let iterations = node
        .children
        .iter()
        .filter(|c| matches!(c.kind, NodeKind::Iteration { .. }))
        .count();
    if iterations <= LOOP_FOLD_OVER || iterations != node.children.len() {
        return;
    }
    let fold = fold_rule(&node.children, |c| c.status, Node::duration_ms);
    let children = std::mem::take(&mut node.children);
    let mut kept: Vec<Node> = Vec::with_capacity(fold.kept.len() + fold.rest.len());
    let mut keep = fold.kept.iter().peekable();
    for (i, child) in children.into_iter().enumerate() {
        if keep.peek() == Some(&&i) {
            keep.next();
            kept.push(child);
        }
    }
    kept.extend(fold.rest.into_iter().map(|rest| {
        Node {
            kind: NodeKind::Event,
            status: rest.status,
            annotations: super::Annotations {
                rest: Some(rest),
                ..super::Annotations::default()
            }
            .into(),
            ..Node::default()
        }
    }));
    node.children = kept;
}

/// Runs of identical failed attempts become one attempt, counted; when all of a state's
/// attempts failed as the state did, the state itself carries the count.
fn fold_repeats(node: &mut Node) {
    if !node
        .children
        .iter()
        .any(|c| matches!(c.kind, NodeKind::Attempt { .. }))
    {
        return;
    }
    let children = std::mem::take(&mut node.children);
    let mut folded: Vec<Node> = Vec::with_capacity(children.len());
    for child in children {
        let joins = folded.last().is_some_and(|last| {
            matches!(last.kind, NodeKind::Attempt { .. })
                && matches!(child.kind, NodeKind::Attempt { .. })
                && child.children.is_empty()
                && last.children.is_empty()
                && last.status.is_some_and(Status::is_failure)
                && last.status == child.status
                && same_failure(
                    last.error.as_deref(),
                    last.cause.as_deref(),
                    child.error.as_deref(),
                    child.cause.as_deref(),
                )
        });
        if !joins {
            folded.push(child);
            continue;
        }
        let last = folded.last_mut().expect("joins a node");
        let previous_end = last.annotations.last_end.or(last.end);
        let repeats = last.annotations.repeats.get_or_insert(Repeats {
            count: 1,
            gaps_ms: Vec::new(),
        });
        repeats.count += 1;
        if let (Some(end), Some(start)) = (previous_end, child.start) {
            repeats.gaps_ms.push(start.millis() - end.millis());
        }
        last.annotations.last_end = child.end;
        last.events.extend(child.events);
        // The newest attempt's failure is the one kept (its request id, say).
        last.error = child.error;
        last.cause = child.cause;
    }
    let all_one = folded.len() == 1
        && folded[0].annotations.repeats.is_some()
        && folded[0].status == node.status
        && same_failure(
            folded[0].error.as_deref(),
            folded[0].cause.as_deref(),
            node.error.as_deref(),
            node.cause.as_deref(),
        );
    if all_one {
        let mut only = folded.pop().expect("one attempt");
        node.annotations.repeats = only.annotations.repeats.take();
        node.events.extend(only.events);
    }
    node.children = folded;
}

/// How a run's failure was retried, from its records: the identical failures of the
/// same state before it, along the chain of events that led to it (Step Functions'
/// previousEventId), and the gaps between each and the next attempt. `None` when it
/// was not retried, or the records do not chain.
pub fn retries_before(failure_id: &EventId, events: &[Event]) -> Option<Repeats> {
    let by_id: HashMap<&EventId, &Event> = events
        .iter()
        .filter_map(|e| Some((e.id.as_ref()?, e)))
        .collect();
    let last = *by_id.get(failure_id)?;
    let mut count = 1;
    let mut gaps = Vec::new();
    // The event after the failure being looked at, along the chain (the next attempt's
    // first event).
    let mut after = last;
    let mut current = last;
    let mut steps = 0;
    while let Some(parent) = current.parent_id.as_ref().and_then(|id| by_id.get(id)) {
        steps += 1;
        if steps > 10_000 || parent.name != last.name {
            break;
        }
        if parent.kind == last.kind {
            if !same_failure(
                parent.error.as_deref(),
                parent.cause.as_deref(),
                last.error.as_deref(),
                last.cause.as_deref(),
            ) {
                break;
            }
            count += 1;
            if let (Some(next), Some(end)) = (after.time, parent.time) {
                gaps.push(next.millis() - end.millis());
            }
        }
        if parent.kind.ends_with("StateEntered") {
            break;
        }
        after = parent;
        current = parent;
    }
    gaps.reverse();
    (count > 1).then_some(Repeats {
        count,
        gaps_ms: gaps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;

    fn iteration(index: i64, status: Status, millis: i64) -> Node {
        Node {
            kind: NodeKind::Iteration { index },
            status: Some(status),
            start: Some(Timestamp(0)),
            end: Some(Timestamp(millis)),
            ..Node::default()
        }
    }

    #[test]
    fn a_small_loop_is_kept_whole() {
        let items: Vec<Node> = (0..20)
            .map(|i| iteration(i, Status::Succeeded, 5))
            .collect();
        let fold = fold_rule(&items, |n| n.status, Node::duration_ms);
        assert_eq!(fold.kept.len(), 20);
        assert!(fold.rest.is_empty());
    }

    #[test]
    fn a_big_loop_keeps_what_went_wrong_and_sums_up_the_rest() {
        let mut map = Node {
            kind: NodeKind::State,
            children: (0..300)
                .map(|i| iteration(i, Status::Succeeded, 10 + i % 31))
                .collect(),
            ..Node::default()
        };
        map.children[17].status = Some(Status::Failed);
        map.children[250].status = Some(Status::Running);
        let mut expanded = vec![map.clone()];
        fold_tree(&mut expanded, true);
        assert_eq!(expanded[0].children.len(), 300);
        let mut tree = vec![map];
        fold_tree(&mut tree, false);
        let children = &tree[0].children;
        assert_eq!(children.len(), 3);
        assert_eq!(children[0].kind, NodeKind::Iteration { index: 17 });
        assert_eq!(children[1].kind, NodeKind::Iteration { index: 250 });
        let rest = children[2].annotations.rest.unwrap();
        assert_eq!(rest.count, 298);
        assert_eq!(rest.status, Some(Status::Succeeded));
        assert_eq!(rest.max_ms, Some(40));
        assert_eq!(rest.p50_ms, Some(24));
    }

    #[test]
    fn an_ssm_loop_step_folds_like_a_map() {
        let mut step = Node {
            kind: NodeKind::Step,
            children: (0..25)
                .map(|i| iteration(i, Status::Succeeded, 100))
                .collect(),
            ..Node::default()
        };
        step.children[3].status = Some(Status::TimedOut);
        step.children[9].status = Some(Status::Cancelled);
        let mut tree = vec![step];
        fold_tree(&mut tree, false);
        let children = &tree[0].children;
        assert_eq!(children[0].kind, NodeKind::Iteration { index: 3 });
        let rests: Vec<(Option<Status>, usize)> = children[1..]
            .iter()
            .map(|c| {
                let rest = c.annotations.rest.unwrap();
                (rest.status, rest.count)
            })
            .collect();
        assert_eq!(
            rests,
            [(Some(Status::Succeeded), 23), (Some(Status::Cancelled), 1)]
        );
    }

    fn attempt(number: usize, start: i64, end: i64, request: &str) -> Node {
        Node {
            kind: NodeKind::Attempt { number },
            status: Some(Status::Failed),
            start: Some(Timestamp(start)),
            end: Some(Timestamp(end)),
            error: Some("PaymentDeclined".into()),
            cause: Some(format!(
                r#"{{"errorType":"PaymentDeclined","errorMessage":"card declined","requestId":"{request}"}}"#
            )),
            ..Node::default()
        }
    }

    #[test]
    fn identical_attempts_fold_into_the_state_with_their_gaps() {
        let state = Node {
            kind: NodeKind::State,
            status: Some(Status::Failed),
            error: Some("PaymentDeclined".into()),
            cause: attempt(3, 0, 0, "c").cause,
            children: vec![
                attempt(1, 0, 700, "a"),
                attempt(2, 1700, 2400, "b"),
                attempt(3, 4400, 5100, "c"),
            ],
            ..Node::default()
        };
        let mut tree = vec![state];
        fold_tree(&mut tree, false);
        assert!(tree[0].children.is_empty());
        assert_eq!(
            tree[0].annotations.repeats,
            Some(Repeats {
                count: 3,
                gaps_ms: vec![1000, 2000]
            })
        );
    }

    #[test]
    fn a_different_failure_or_a_success_is_not_folded_in() {
        let mut ok = attempt(3, 4400, 5100, "c");
        ok.status = Some(Status::Succeeded);
        ok.error = None;
        ok.cause = None;
        let state = Node {
            kind: NodeKind::State,
            status: Some(Status::Succeeded),
            children: vec![attempt(1, 0, 700, "a"), attempt(2, 1700, 2400, "b"), ok],
            ..Node::default()
        };
        let mut tree = vec![state];
        fold_tree(&mut tree, false);
        let children = &tree[0].children;
        assert_eq!(children.len(), 2);
        assert_eq!(children[0].annotations.repeats.as_ref().unwrap().count, 2);
        assert_eq!(children[1].status, Some(Status::Succeeded));
        assert_eq!(tree[0].annotations.repeats, None);
    }
}

//! The shape of an SWF run, rebuilt from its history for `-o tree`, `--failed` and the
//! run summary. SWF's history is flat, but its events point at each other by id: a
//! decision task's events share its scheduled event, the work a decision started points at
//! the decision's `DecisionTaskCompleted` (`decisionTaskCompletedEventId`), and the events
//! of that work point at its first event (`scheduledEventId`, `startedEventId`,
//! `initiatedEventId`). This module follows those ids: one node for the run, one per
//! decision task, and under each decision one node per activity, timer, marker, Lambda
//! function, child workflow or external signal or cancellation it started, each folding all
//! of its events into one line.

use super::normalize::type_label;
use super::SERVICE;
use crate::model::{
    flat_node, Annotations, Event, EventId, Failure, Json, Node, NodeKind, Reference, RunSummary,
    Status, Work,
};
use crate::services::FromNewest;
use std::collections::HashMap;

/// The event types that close a run; a real history has at most one of them, last.
const CLOSE_TYPES: &[&str] = &[
    "WorkflowExecutionCompleted",
    "WorkflowExecutionFailed",
    "WorkflowExecutionTimedOut",
    "WorkflowExecutionCanceled",
    "WorkflowExecutionTerminated",
    "WorkflowExecutionContinuedAsNew",
];

fn is_close(event: &Event) -> bool {
    CLOSE_TYPES.contains(&event.kind.as_str())
}

fn ordered(events: &[Event]) -> Vec<&Event> {
    let mut ordered: Vec<&Event> = events.iter().collect();
    ordered.sort_by_key(|e| e.sequence());
    ordered
}

/// The run summary: the run's own status from its close event (`running` when it has
/// started and not closed); its start and end only from `WorkflowExecutionStarted` and
/// the close event (left out when the history lacks them: never the earliest or latest
/// timestamp of some other event); the run's own error and cause from the close event;
/// and the failure that explains it, found by [`closing_failure`].
pub fn summary(events: &[Event]) -> RunSummary {
    let mut summary = RunSummary::from_events(SERVICE, events);
    let by_id = ordered(events);
    let started = by_id.iter().find(|e| e.kind == "WorkflowExecutionStarted");
    let close = by_id.iter().rev().find(|e| is_close(e)).copied();
    // A history that does not start at event 1 or has gaps (a page saved with
    // `--reverse-order --max-items N`) says only what its events say.
    summary.partial = !Event::whole_history(&by_id, "WorkflowExecutionStarted");
    summary.status = match (close, started) {
        (Some(close), _) => Some(close.status),
        (None, Some(_)) if !summary.partial => Some(Status::Running),
        (None, _) => None,
    };
    summary.start = started.and_then(|e| e.time);
    // An open run has not ended, whatever its latest event.
    summary.end = close.and_then(|e| e.time);
    summary.duration_ms = summary
        .start
        .zip(summary.end)
        .map(|(s, e)| e.millis() - s.millis());
    if let Some(close) = close.filter(|c| c.status.is_failure()) {
        summary.error = close.error.clone();
        summary.cause = close.cause.clone();
    }
    summary.failure = match close {
        Some(close) if close.kind == "WorkflowExecutionTerminated" => Some(Failure::of(close)),
        Some(close) if close.status.is_failure() => {
            Some(closing_failure(close, &by_id).map_or_else(|| Failure::of(close), Failure::of))
        }
        Some(_) => None,
        None => by_id
            .iter()
            .rev()
            .find(|e| e.status.is_failure())
            .map(|e| Failure::of(e)),
    };
    summary
}

/// The summary of a run from its newest events, ids `oldest..=newest` without a gap
/// (`oldest` > 1), and its DescribeWorkflowExecution: what [`summary`] makes of the
/// whole history, or what to read for it. For a run closed by its newest event: one that
/// completed, was canceled or continued as new (no failure to explain); one terminated
/// (the close is the failure); one a decision failed, when the failures that decision
/// saw first ([`closing_failure`]'s first rule) are among these events, with the work
/// each belongs to and the name of the one that explains the run (else the page before
/// may hold them). A run that timed out, a decision that saw no failure, and a running
/// run are explained by rules over the whole history: it is read. The start is the
/// status call's.
pub fn summary_of_newest(events: &[Event], state: &crate::services::RunState) -> FromNewest {
    let by_id = ordered(events);
    let Some(oldest) = by_id.first().map(|e| e.sequence()) else {
        return FromNewest::Whole;
    };
    let contiguous = by_id
        .iter()
        .enumerate()
        .all(|(i, e)| e.id.as_ref().and_then(EventId::as_number) == Some(oldest + i as i64));
    let close = *by_id.last().expect("one event at least");
    let closes = by_id.iter().filter(|e| is_close(e)).count();
    let (Some(start), Ok(count)) = (state.start, usize::try_from(close.sequence())) else {
        return FromNewest::Whole;
    };
    if !contiguous || oldest <= 1 || !is_close(close) || closes != 1 {
        return FromNewest::Whole;
    }
    let mut summary = RunSummary::from_events(SERVICE, events);
    summary.events = count;
    summary.partial = false;
    summary.status = Some(close.status);
    summary.start = Some(start);
    summary.end = close.time;
    summary.duration_ms = summary
        .start
        .zip(summary.end)
        .map(|(s, e)| e.millis() - s.millis());
    let index: HashMap<i64, &Event> = by_id.iter().map(|e| (e.sequence(), *e)).collect();
    summary.failure = match close.kind.as_str() {
        "WorkflowExecutionTerminated" if name_known(close, &index, oldest) => {
            Some(Failure::of(close))
        }
        "WorkflowExecutionFailed" => match decided_failure(close, &by_id, &index, oldest) {
            Some(Ok(event)) => Some(Failure::of(event)),
            Some(Err(())) => return FromNewest::Older,
            None => return FromNewest::Whole,
        },
        _ if close.status.is_failure() => return FromNewest::Whole,
        _ => None,
    };
    if close.status.is_failure() {
        summary.error = close.error.clone();
        summary.cause = close.cause.clone();
    }
    FromNewest::Summary(Box::new(summary))
}

/// [`closing_failure`]'s first rule over the newest events only: the failure the
/// decision that failed the run saw first, as the whole history gives it (`Ok`); `Err`
/// when older events may tell (the previous completed decision task, the start of the
/// work of a failure, a name); `None` when the rule does not apply or finds none (the
/// others look over the whole history).
fn decided_failure<'a>(
    close: &Event,
    by_id: &[&'a Event],
    index: &HashMap<i64, &'a Event>,
    oldest: i64,
) -> Option<Result<&'a Event, ()>> {
    let older = |id: i64| id > 0 && id < oldest;
    let parent = close.parent_number()?;
    if older(parent) {
        return Some(Err(()));
    }
    let decision = index
        .get(&parent)
        .filter(|d| d.kind == "DecisionTaskCompleted")?;
    let seen_until = decision.parent_number().unwrap_or(decision.sequence());
    // Decision tasks run one at a time: the latest completed one before it, among these
    // events, is the latest in the history.
    let Some(seen_after) = by_id
        .iter()
        .filter(|e| e.kind == "DecisionTaskCompleted" && e.sequence() < decision.sequence())
        .filter_map(|e| e.parent_number())
        .max()
    else {
        return Some(Err(()));
    };
    if older(seen_after + 1) || older(seen_until) {
        return Some(Err(()));
    }
    let window: Vec<&'a Event> = by_id
        .iter()
        .copied()
        .filter(|e| e.sequence() < close.sequence() && !is_close(e))
        .filter(|e| e.status.is_failure())
        .filter(|e| e.sequence() > seen_after && e.sequence() < seen_until)
        .collect();
    if window.iter().any(|e| !work_known(e, index, oldest)) {
        return Some(Err(()));
    }
    let answered = window
        .iter()
        .rev()
        .find(|e| work_of(e, index).family != Family::Decision)
        .or_else(|| window.last())?;
    Some(if name_known(answered, index, oldest) {
        Ok(answered)
    } else {
        Err(())
    })
}

/// True when [`work_of`]'s walk from `event` ends among the events `index` holds (ids
/// `oldest` on): it never needs an older one.
fn work_known(event: &Event, index: &HashMap<i64, &Event>, oldest: i64) -> bool {
    let mut start = event;
    for _ in 0..=index.len() {
        let Some(parent) = start.parent_number() else {
            return true;
        };
        if parent > 0 && parent < oldest {
            return false;
        }
        let Some(found) = index.get(&parent) else {
            return true;
        };
        if found.kind == "DecisionTaskCompleted" || is_close(found) {
            return true;
        }
        start = found;
    }
    true
}

/// True when the name the normalizer gave `event` from the events `index` holds (ids
/// `oldest` on) is the one the whole history gives it (see
/// `normalize::SwfNormalizer::name_of`): its own label; else every event it refers to
/// is among them, each named by its own fields alone (its label, or a workflowId: not a
/// bare activityId, which an older event may have given a type), and one of them has a
/// name, or the event itself has no activityId to fall back on.
fn name_known(event: &Event, index: &HashMap<i64, &Event>, oldest: i64) -> bool {
    use super::normalize::{own_label, workflow_id_of, NAME_REFERENCES};
    if own_label(&event.details.to_map()).is_some() {
        return true;
    }
    // The ids it refers to by name (the one that became its parent included).
    let mut refers: Vec<i64> = NAME_REFERENCES
        .iter()
        .filter_map(|key| event.details.number(key))
        .filter(|&id| id > 0)
        .collect();
    refers.extend(event.parent_number());
    if refers.iter().any(|&id| id < oldest) {
        return false;
    }
    let referred: Vec<&Event> = refers
        .iter()
        .filter_map(|id| index.get(id).copied())
        .collect();
    let by_own_fields = |e: &&Event| {
        own_label(&e.details.to_map()).is_some() || !e.details.contains_key("activityId")
    };
    let named = |e: &&Event| {
        let details = e.details.to_map();
        own_label(&details).is_some()
            || details.contains_key("activityId")
            || workflow_id_of(&details).is_some()
    };
    referred.iter().all(by_own_fields)
        && (referred.iter().any(named) || !event.details.contains_key("activityId"))
}

/// The event that explains a failed or timed-out run's close, found by the events'
/// causal ids (scheduledEventId, startedEventId, initiatedEventId,
/// decisionTaskCompletedEventId), never by comparing error strings: SWF's timeout types
/// (`START_TO_CLOSE`, ...) are shared by unrelated events.
///
/// 1. A close that a decision made (`WorkflowExecutionFailed` points at its
///    `DecisionTaskCompleted`): the failures that decision task was the first to see,
///    those after the previous completed decision task started and before this one
///    started; the latest of the work's, else the latest of any.
/// 2. Otherwise (`WorkflowExecutionTimedOut`, or a decision not in the history), and
///    when that window holds none: the latest failure that was not made good, that is
///    no later event of the same work (the same activityId, timerId, Lambda id, child
///    workflowId; any later completed decision task for a decision task) succeeded.
/// 3. Else, for a run that timed out, the work still open when it closed: what it was
///    waiting for (only in a whole history, from `WorkflowExecutionStarted` on).
///
/// `None` when nothing explains it better than the close event itself.
fn closing_failure<'a>(close: &Event, by_id: &[&'a Event]) -> Option<&'a Event> {
    let index: HashMap<i64, &Event> = by_id
        .iter()
        .filter_map(|e| {
            e.id.as_ref()
                .and_then(EventId::as_number)
                .map(|id| (id, *e))
        })
        .collect();
    let before: Vec<&'a Event> = by_id
        .iter()
        .copied()
        .filter(|e| e.sequence() < close.sequence() && !is_close(e))
        .collect();
    let failures = || before.iter().copied().filter(|e| e.status.is_failure());

    let decision = close
        .parent_number()
        .and_then(|id| index.get(&id))
        .filter(|d| d.kind == "DecisionTaskCompleted");
    if let Some(decision) = decision {
        // The events a decision task sees first: after the previous completed decision
        // task started, up to when this one started.
        let seen_until = decision.parent_number().unwrap_or(decision.sequence());
        let seen_after = before
            .iter()
            .filter(|e| e.kind == "DecisionTaskCompleted" && e.sequence() < decision.sequence())
            .filter_map(|e| e.parent_number())
            .max()
            .unwrap_or(0);
        let window: Vec<&Event> = failures()
            .filter(|e| e.sequence() > seen_after && e.sequence() < seen_until)
            .collect();
        let answered = window
            .iter()
            .rev()
            .find(|e| work_of(e, &index).family != Family::Decision)
            .or_else(|| window.last());
        if let Some(event) = answered {
            return Some(event);
        }
    }

    let unresolved = failures().rev().find(|failure| {
        let work = work_of(failure, &index);
        !before.iter().any(|later| {
            later.sequence() > failure.sequence()
                && later.status == Status::Succeeded
                && work_of(later, &index) == work
        })
    });
    // Only a whole history says which work never ended: a page of its end does not.
    let whole = by_id.iter().any(|e| e.kind == "WorkflowExecutionStarted");
    if unresolved.is_some() || close.status != Status::TimedOut || !whole {
        return unresolved;
    }
    // Work that never ended: the latest start whose work has no final event after it.
    before.iter().copied().rev().find(|start| {
        matches!(start.status, Status::Scheduled | Status::Started)
            && work_of(start, &index).family != Family::Decision
            && !before.iter().any(|later| {
                later.sequence() > start.sequence()
                    && later.status.is_final()
                    && work_of(later, &index) == work_of(start, &index)
            })
    })
}

/// What kind of work an event belongs to, by its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Decision,
    Activity,
    Timer,
    Lambda,
    ChildWorkflow,
    Signal,
    CancelRequest,
    Marker,
    Other,
}

/// One piece of work: its family and the id it goes by (activityId, timerId, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
struct WorkId {
    family: Family,
    id: Option<String>,
}

/// The work `event` belongs to: found at the event that began it, by following
/// `parent_id` (startedEventId, scheduledEventId, initiatedEventId) back, stopping
/// before the decision that started it. Decision tasks are all one work: any decision
/// task that completes makes good one that failed or timed out before it.
fn work_of(event: &Event, index: &HashMap<i64, &Event>) -> WorkId {
    let mut start = event;
    let mut steps = 0;
    while let Some(parent) = start.parent_number().and_then(|id| index.get(&id)) {
        if parent.kind == "DecisionTaskCompleted" || is_close(parent) || steps > index.len() {
            break;
        }
        start = parent;
        steps += 1;
    }
    let kind = start.kind.as_str();
    let family = [
        ("DecisionTask", Family::Decision),
        ("ChildWorkflow", Family::ChildWorkflow),
        ("SignalExternal", Family::Signal),
        ("ExternalWorkflowExecutionSignaled", Family::Signal),
        ("CancelExternal", Family::CancelRequest),
        (
            "ExternalWorkflowExecutionCancelRequested",
            Family::CancelRequest,
        ),
        ("Activity", Family::Activity),
        ("Timer", Family::Timer),
        ("Lambda", Family::Lambda),
        ("Marker", Family::Marker),
    ]
    .iter()
    .find(|(word, _)| kind.contains(word))
    .map_or(Family::Other, |(_, family)| *family);
    let id = match family {
        Family::Decision => None,
        Family::Activity => start.details.text("activityId"),
        Family::Timer => start.details.text("timerId"),
        Family::Lambda => start.details.text("id"),
        Family::ChildWorkflow | Family::Signal | Family::CancelRequest => {
            start.details.text("workflowId")
        }
        Family::Marker => start.details.text("markerName"),
        Family::Other => None,
    };
    WorkId {
        family,
        id: id.or_else(|| match family {
            // Work with no id of its own is only itself.
            Family::Decision => None,
            _ => start.id.as_ref().map(EventId::to_string),
        }),
    }
}

/// What a node stands for, to know where the events that point at it go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Run,
    Decision,
    /// An activity, timer, marker, Lambda function, child workflow, external signal or
    /// cancellation: the work a decision started, with its events folded in.
    Work,
    /// A node for one event that nothing else points at (a signal to the run, an event
    /// whose cause is not in the history).
    Single,
}

struct Builder {
    nodes: Vec<Node>,
    roles: Vec<Role>,
    children: Vec<Vec<usize>>,
    node_of_event: HashMap<i64, usize>,
    /// Activity nodes by activityId, in the order they were scheduled: the attempts.
    activities: HashMap<String, Vec<usize>>,
    decisions: usize,
}

/// The run as it nested, under one node for the run. `workflow_id` names it when known
/// (else the workflow type does).
pub fn tree(events: &[Event], workflow_id: Option<&str>, run: &RunSummary) -> Vec<Node> {
    let by_id = ordered(events);
    let workflow_type = by_id
        .iter()
        .find(|e| e.kind == "WorkflowExecutionStarted")
        .and_then(|e| e.details.get("workflowType").as_ref().and_then(type_label));
    let name = workflow_id
        .map(str::to_string)
        .or_else(|| workflow_type.clone());
    let mut builder = Builder {
        nodes: Vec::new(),
        roles: Vec::new(),
        children: Vec::new(),
        node_of_event: HashMap::new(),
        activities: HashMap::new(),
        decisions: 0,
    };
    let root = builder.add(
        None,
        Role::Run,
        Node {
            kind: NodeKind::Workflow,
            status: run.status,
            start: run.start,
            end: run.end,
            annotations: Annotations {
                workflow_type: workflow_type.filter(|t| Some(t) != name.as_ref()),
                ..Annotations::default()
            }
            .into(),
            name,
            ..Node::default()
        },
    );
    for event in &by_id {
        builder.add_event(root, event);
    }
    builder.number_attempts();
    if let Some(close) = by_id.iter().rev().find(|e| is_close(e)) {
        let node = &mut builder.nodes[root];
        if close.status.is_failure() {
            node.error = close.error.clone();
            node.cause = close.cause.clone();
        }
        node.annotations.continued_as = close.details.text("newExecutionRunId");
    }
    vec![builder.assemble(root)]
}

impl Builder {
    fn add(&mut self, parent: Option<usize>, role: Role, node: Node) -> usize {
        let index = self.nodes.len();
        self.nodes.push(node);
        self.roles.push(role);
        self.children.push(Vec::new());
        if let Some(parent) = parent {
            self.children[parent].push(index);
        }
        index
    }

    /// Records that `node` stands for `event` (nodes made by [`flat_node`] already list it).
    fn remember(&mut self, node: usize, event: &Event) {
        if let Some(id) = &event.id {
            if !self.nodes[node].events.contains(id) {
                self.nodes[node].events.push(id.clone());
            }
        }
        if let Some(EventId::Number(n)) = event.id {
            self.node_of_event.insert(n, node);
        }
    }

    fn add_event(&mut self, root: usize, event: &Event) {
        let kind = event.kind.as_str();
        let cause = event
            .parent_number()
            .and_then(|p| self.node_of_event.get(&p).copied());
        let cause_role = cause.map(|c| self.roles[c]);

        if kind == "WorkflowExecutionStarted" {
            return self.remember(root, event);
        }
        if is_close(event) {
            // The run's own status says it; under the decision that closed the run, too.
            self.remember(root, event);
            if let (Some(decision), Some(Role::Decision)) = (cause, cause_role) {
                let mut node = flat_node(event);
                node.name = Some(event.kind.clone());
                self.add(Some(decision), Role::Single, node);
            }
            return;
        }
        if kind == "DecisionTaskScheduled" {
            self.decisions += 1;
            let node = self.add(
                Some(root),
                Role::Decision,
                Node {
                    kind: NodeKind::Decision {
                        number: self.decisions,
                    },
                    status: Some(event.status),
                    start: event.time,
                    ..Node::default()
                },
            );
            return self.remember(node, event);
        }
        match (cause, cause_role) {
            // A decision task's own events, and the events of work already started.
            (Some(node), Some(Role::Decision | Role::Work)) if !starts_work(kind, cause_role) => {
                self.fold(node, event);
                self.remember(node, event);
            }
            // Work a decision started.
            (Some(decision), Some(Role::Decision)) => {
                if kind == "ActivityTaskCancelRequested" {
                    return self.cancel_requested(decision, event);
                }
                let node = self.add(Some(decision), Role::Work, work_node(event));
                self.remember(node, event);
                if kind == "ActivityTaskScheduled" {
                    if let Some(activity_id) = event.details.text("activityId") {
                        self.activities.entry(activity_id).or_default().push(node);
                    }
                }
            }
            // Signals to the run, cancel requests, and events whose cause is missing.
            _ => {
                let node = if kind == "WorkflowExecutionSignaled" {
                    signal_node(event)
                } else {
                    flat_node(event)
                };
                let node = self.add(Some(root), Role::Single, node);
                self.remember(node, event);
            }
        }
    }

    /// A request to cancel an activity belongs to the activity (found by activityId), not
    /// to the decision that made it; shown under the decision only if the activity is not
    /// in the history.
    fn cancel_requested(&mut self, decision: usize, event: &Event) {
        let activity = event
            .details
            .text("activityId")
            .and_then(|id| self.activities.get(&id))
            .and_then(|attempts| attempts.last().copied());
        match activity {
            Some(node) => {
                self.remember(node, event);
                self.nodes[node].annotations.cancel_requested = true;
            }
            None => {
                let node = self.add(Some(decision), Role::Single, flat_node(event));
                self.remember(node, event);
            }
        }
    }

    /// One more event of a decision task or of started work: the node takes its status,
    /// and its end, error and cause when it closes it.
    fn fold(&mut self, node: usize, event: &Event) {
        let node = &mut self.nodes[node];
        match event.status {
            Status::Info => {}
            Status::Scheduled | Status::Started | Status::Running | Status::Pending => {
                node.status = Some(event.status);
                // Scheduled until a worker (or a decider) took it: queued.
                if event.status == Status::Started && node.waiting_until.is_none() {
                    node.waiting_until = event.time;
                }
            }
            closed => {
                node.status = Some(closed);
                node.end = event.time.or(node.end);
                if node.kind == NodeKind::Work(Work::Timer) {
                    // A timer does nothing but wait.
                    node.waiting_until = node.end;
                }
                if event.error.is_some() || event.cause.is_some() {
                    node.error = event.error.clone();
                    node.cause = event.cause.clone();
                }
            }
        }
    }

    /// An activityId scheduled more than once: each schedule is an attempt.
    fn number_attempts(&mut self) {
        for attempts in self.activities.values() {
            if attempts.len() < 2 {
                continue;
            }
            for (i, &node) in attempts.iter().enumerate() {
                self.nodes[node].annotations.attempt = Some((i + 1, attempts.len()));
            }
        }
    }

    fn assemble(&self, index: usize) -> Node {
        let mut node = self.nodes[index].clone();
        node.children = self.children[index]
            .iter()
            .map(|&child| self.assemble(child))
            .collect();
        node
    }
}

/// True when an event that points at a node starts new work rather than continuing the
/// node: everything but a decision task's own events, when it points at a decision.
fn starts_work(kind: &str, cause_role: Option<Role>) -> bool {
    cause_role == Some(Role::Decision) && !kind.starts_with("DecisionTask")
}

/// The node of work a decision started, from its first event: what it is, its name, and
/// the id it goes by.
fn work_node(event: &Event) -> Node {
    let id = |key: &str| event.details.text(key);
    let (name, work, reference): (Option<String>, Work, Option<Reference>) =
        match event.kind.as_str() {
            "ActivityTaskScheduled" | "ScheduleActivityTaskFailed" => (
                event
                    .details
                    .get("activityType")
                    .as_ref()
                    .and_then(type_label)
                    .or_else(|| id("activityId")),
                Work::Activity,
                id("activityId").map(Reference::ActivityId),
            ),
            "TimerStarted" | "StartTimerFailed" => (id("timerId"), Work::Timer, None),
            "MarkerRecorded" | "RecordMarkerFailed" => (id("markerName"), Work::Marker, None),
            "LambdaFunctionScheduled" | "ScheduleLambdaFunctionFailed" => {
                (id("name"), Work::Lambda, id("id").map(Reference::LambdaId))
            }
            "StartChildWorkflowExecutionInitiated" | "StartChildWorkflowExecutionFailed" => (
                event
                    .details
                    .get("workflowType")
                    .as_ref()
                    .and_then(type_label)
                    .or_else(|| id("workflowId")),
                Work::ChildWorkflow,
                id("workflowId").map(Reference::ChildWorkflowId),
            ),
            "SignalExternalWorkflowExecutionInitiated"
            | "SignalExternalWorkflowExecutionFailed" => (
                id("signalName"),
                Work::Signal,
                id("workflowId").map(Reference::SignalTo),
            ),
            "RequestCancelExternalWorkflowExecutionInitiated"
            | "RequestCancelExternalWorkflowExecutionFailed" => {
                (id("workflowId"), Work::CancelRequest, None)
            }
            _ => return flat_node(event),
        };
    let mut node = flat_node(event);
    node.kind = NodeKind::Work(work);
    node.name = name.or(node.name);
    node.annotations = Annotations {
        reference,
        payload: match work {
            Work::Marker => event.output.as_ref().map(Json::value),
            _ => None,
        },
        ..Annotations::default()
    }
    .into();
    node
}

/// A signal to the run: its name, and who sent it when another workflow did.
fn signal_node(event: &Event) -> Node {
    let mut node = flat_node(event);
    node.kind = NodeKind::Signal;
    node.name = event.details.text("signalName").or(node.name);
    node.annotations = Annotations {
        reference: event
            .details
            .get("externalWorkflowExecution")
            .and_then(|e| e.get("workflowId")?.as_str().map(str::to_string))
            .map(Reference::SignalFrom),
        ..Annotations::default()
    }
    .into();
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;
    use crate::services::Normalizer;
    use serde_json::{json, Value};

    /// Every newest part of the fixture histories: whatever a cheap summary makes of it
    /// is exactly the whole history's summary; a terminated run's is told, and one a
    /// decision failed after an activity timed out.
    #[test]
    fn a_summary_of_the_newest_events_is_the_whole_historys_or_none() {
        let fixtures = [
            (
                include_str!("../../../tests/fixtures/swf/every-event-type.json"),
                true,
            ),
            (
                include_str!("../../../tests/fixtures/swf/timed-out-activity.json"),
                true,
            ),
            (
                include_str!("../../../tests/fixtures/swf/timed-out-after-decision-retry.json"),
                false,
            ),
        ];
        for (n, (text, told_somewhere)) in fixtures.iter().enumerate() {
            let saved: Value = serde_json::from_str(text).unwrap();
            let wire = saved["events"].as_array().unwrap().clone();
            let events = super::super::SwfNormalizer::new(None).normalize(wire.clone());
            let whole = summary(&events);
            let state = crate::services::RunState {
                status: whole.status.unwrap_or(Status::Running),
                start: events[0].time,
                end: whole.end,
                redrives: None,
            };
            let mut told = 0;
            for oldest in 1..wire.len() {
                let newest =
                    super::super::SwfNormalizer::new(None).normalize(wire[oldest..].to_vec());
                if let FromNewest::Summary(cheap) = summary_of_newest(&newest, &state) {
                    told += 1;
                    assert_eq!(*cheap, whole, "fixture {n}, events {}..", oldest + 1);
                }
            }
            assert_eq!(told > 0, *told_somewhere, "fixture {n}");
        }
    }

    fn event(id: i64, kind: &str, status: Status, parent: Option<i64>, details: Value) -> Event {
        let mut e = Event::new(SERVICE, kind, status);
        e.id = Some(EventId::Number(id));
        e.parent_id = parent.map(EventId::Number);
        e.time = Some(Timestamp(id * 1000));
        if let Value::Object(map) = details {
            e.details = map.into();
        }
        e
    }

    fn activity_run(second_outcome: (&str, Status)) -> Vec<Event> {
        use Status::*;
        let scheduled = |id, decision| {
            event(
                id,
                "ActivityTaskScheduled",
                Scheduled,
                Some(decision),
                json!({"activityId": "render", "activityType": {"name": "Render", "version": "1"}}),
            )
        };
        let mut timed_out = event(6, "ActivityTaskTimedOut", TimedOut, Some(5), json!({}));
        timed_out.error = Some("HEARTBEAT".into());
        let mut second = event(13, second_outcome.0, second_outcome.1, Some(12), json!({}));
        if second.status.is_failure() {
            second.error = Some("START_TO_CLOSE".into());
        }
        vec![
            event(
                1,
                "WorkflowExecutionStarted",
                Started,
                None,
                json!({"workflowType": {"name": "Invoice", "version": "3"}}),
            ),
            event(2, "DecisionTaskScheduled", Scheduled, None, json!({})),
            event(3, "DecisionTaskStarted", Started, Some(2), json!({})),
            event(4, "DecisionTaskCompleted", Succeeded, Some(3), json!({})),
            scheduled(5, 4),
            timed_out,
            event(7, "DecisionTaskScheduled", Scheduled, None, json!({})),
            event(8, "DecisionTaskStarted", Started, Some(7), json!({})),
            event(9, "DecisionTaskCompleted", Succeeded, Some(8), json!({})),
            scheduled(10, 9),
            event(
                11,
                "TimerStarted",
                Started,
                Some(9),
                json!({"timerId": "t"}),
            ),
            event(12, "ActivityTaskStarted", Started, Some(10), json!({})),
            second,
        ]
    }

    #[test]
    fn work_hangs_under_the_decision_that_started_it_with_its_events_folded() {
        let events = activity_run(("ActivityTaskCompleted", Status::Succeeded));
        let tree = tree(&events, Some("inv-7"), &summary(&events));
        assert_eq!(tree.len(), 1);
        let run = &tree[0];
        assert_eq!(run.name.as_deref(), Some("inv-7"));
        assert_eq!(run.annotations.workflow_type.as_deref(), Some("Invoice/3"));
        assert_eq!(run.status, Some(Status::Running));
        assert_eq!(run.events, vec![EventId::Number(1)]);
        let kinds: Vec<NodeKind> = run.children.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [1, 2].map(|number| NodeKind::Decision { number }));
        let first = &run.children[0];
        assert_eq!(first.status, Some(Status::Succeeded));
        assert_eq!(first.duration_ms(), Some(2000));
        let attempt1 = &first.children[0];
        assert_eq!(attempt1.name.as_deref(), Some("Render/1"));
        assert_eq!(attempt1.kind, NodeKind::Work(Work::Activity));
        assert_eq!(attempt1.status, Some(Status::TimedOut));
        assert_eq!(attempt1.error.as_deref(), Some("HEARTBEAT"));
        assert_eq!(
            attempt1.annotations.reference,
            Some(Reference::ActivityId("render".into()))
        );
        assert_eq!(attempt1.annotations.attempt, Some((1, 2)));
        let second = &run.children[1];
        let attempt2 = &second.children[0];
        assert_eq!(attempt2.events, [10, 12, 13].map(EventId::Number));
        assert_eq!(attempt2.status, Some(Status::Succeeded));
        assert_eq!(attempt2.duration_ms(), Some(3000));
        assert_eq!(second.children[1].kind, NodeKind::Work(Work::Timer));
    }

    #[test]
    fn the_summary_names_the_work_behind_a_failed_run() {
        let mut events = activity_run(("ActivityTaskTimedOut", Status::TimedOut));
        // The decision task that saw the second timeout fails the run.
        events.push(event(
            14,
            "DecisionTaskScheduled",
            Status::Scheduled,
            None,
            json!({}),
        ));
        events.push(event(
            15,
            "DecisionTaskStarted",
            Status::Started,
            Some(14),
            json!({}),
        ));
        events.push(event(
            16,
            "DecisionTaskCompleted",
            Status::Succeeded,
            Some(15),
            json!({}),
        ));
        let mut failed = event(
            17,
            "WorkflowExecutionFailed",
            Status::Failed,
            Some(16),
            json!({}),
        );
        failed.error = Some("GaveUp".into());
        failed.cause = Some("render timed out twice".into());
        events.push(failed);
        let summary = summary(&events);
        assert_eq!(summary.status, Some(Status::Failed));
        assert_eq!(summary.duration_ms, Some(16_000));
        assert_eq!(summary.error.as_deref(), Some("GaveUp"));
        assert_eq!(summary.cause.as_deref(), Some("render timed out twice"));
        let failure = summary.failure.unwrap();
        assert_eq!(failure.id, Some(EventId::Number(13)));
        assert_eq!(failure.error.as_deref(), Some("START_TO_CLOSE"));
        assert_eq!(
            failure.cause, None,
            "the activity's own cause, not the run's"
        );

        let completed = activity_run(("ActivityTaskCompleted", Status::Succeeded));
        let mut done = completed.clone();
        done.push(event(
            14,
            "WorkflowExecutionCompleted",
            Status::Succeeded,
            Some(9),
            json!({}),
        ));
        let summary = super::summary(&done);
        assert_eq!(summary.status, Some(Status::Succeeded));
        assert_eq!(
            summary.failure, None,
            "a run that completed has no failure to explain"
        );
        let open = super::summary(&completed);
        assert_eq!(open.status, Some(Status::Running));
        assert_eq!(open.end, None);
        assert_eq!(open.failure.unwrap().id, Some(EventId::Number(6)));
    }

    #[test]
    fn the_order_of_the_history_does_not_change_the_tree() {
        let events = activity_run(("ActivityTaskFailed", Status::Failed));
        let mut reversed = events.clone();
        reversed.reverse();
        assert_eq!(
            tree(&events, None, &summary(&events)),
            tree(&reversed, None, &summary(&reversed))
        );
        assert_eq!(
            tree(&events, None, &summary(&events))[0].name.as_deref(),
            Some("Invoice/3")
        );
    }
}

//! The shape of a Step Functions run, rebuilt from its history for `-o tree`, `--failed`
//! and the run summary: states nested in Parallel branches and Map iterations (followed
//! through previousEventId), a Task's scheduled/started/finished events folded into its
//! state with one attempt per try, and where a Catch led.

use super::normalize::{family, is_exited, Family};
use crate::model::{flat_node, Event, EventId, Failure, Node, NodeKind, RunSummary, Status};
use std::collections::HashMap;

/// The run summary: the run's own status from its last execution-level event, its times
/// from `ExecutionStarted` and the event that ended it (none while it runs), the number
/// of redrives, the run's own error and cause, and the failure that explains the run.
/// A history that does not start at `ExecutionStarted` or has gaps (a page saved with
/// `--reverse-order --max-items N`) is `partial`: what it lacks is left out.
pub fn summary(events: &[Event]) -> RunSummary {
    let mut summary = RunSummary::from_events(super::SERVICE, events);
    let mut by_id: Vec<&Event> = events.iter().collect();
    by_id.sort_by_key(|e| e.sequence());
    let last_execution_event = last_execution_event(&by_id);
    summary.status = last_execution_event.map(|e| match e.status {
        Status::Started => Status::Running,
        other => other,
    });
    summary.start = by_id
        .iter()
        .find(|e| e.kind == "ExecutionStarted")
        .and_then(|e| e.time);
    summary.end = last_execution_event
        .filter(|e| e.status.is_final())
        .and_then(|e| e.time);
    summary.duration_ms = summary
        .start
        .zip(summary.end)
        .map(|(start, end)| end.millis() - start.millis());
    summary.partial = !Event::whole_history(&by_id, "ExecutionStarted");
    summary.redrives = by_id
        .iter()
        .filter(|e| e.kind == "ExecutionRedriven")
        .filter_map(|e| e.details.get("redriveCount").and_then(|v| v.as_i64()))
        .max();
    // Only a run that failed has a failure to explain; a retried or caught one is not.
    let ended_badly = last_execution_event.filter(|e| e.status.is_failure());
    summary.error = ended_badly.and_then(|e| e.error.clone());
    summary.cause = ended_badly.and_then(|e| e.cause.clone());
    let index = index(&by_id);
    let chain = Chain::new(&index, 1);
    summary.failure = ended_badly.map(|end| failure_behind(&chain, &by_id, end));
    summary
}

/// The events a summary's walks look up by id (previousEventId chains). Of the newest
/// events only (ids `oldest` and on), it notes a walk that needs an older one: one it
/// asks for that is not there, or one at the edge, whose own previous event is older
/// (its name and its caught status come from there).
struct Chain<'m, 'a> {
    by_id: &'m HashMap<i64, &'a Event>,
    oldest: i64,
    missed: std::cell::Cell<bool>,
}

impl<'m, 'a> Chain<'m, 'a> {
    fn new(by_id: &'m HashMap<i64, &'a Event>, oldest: i64) -> Self {
        Chain {
            by_id,
            oldest,
            missed: std::cell::Cell::new(false),
        }
    }

    fn older(&self, id: i64) -> bool {
        id > 0 && id < self.oldest
    }

    fn get(&self, id: &i64) -> Option<&&'a Event> {
        let found = self.by_id.get(id);
        let at_edge = |e: &&&Event| e.parent_number().is_some_and(|p| self.older(p));
        if (found.is_none() && self.older(*id)) || found.is_some_and(|e| at_edge(&e)) {
            self.missed.set(true);
        }
        found
    }
}

/// The summary of a run from its newest events, ids `oldest..=newest` without a gap
/// (`oldest` > 1: the run's start is not among them), and its DescribeExecution: what
/// [`summary`] makes of the whole history, or `None` when it needs an older event.
///
/// The rule: the newest event says how the run stands (the latest execution-level
/// event is among them, or none is and the run is running: only `ExecutionStarted`
/// and `ExecutionRedriven` can precede later events); the event count is the newest
/// id (ids are contiguous from 1); the start and, unless a redrive is among them, the
/// redrives are the status call's. For a run that failed, the walk back along
/// previousEventId to the failure ([`behind`]) and the walk over its retries (to its
/// state's `…StateEntered`, [`retries_stay_within`]) must stay among these events and
/// name the failure's state: else `None`.
pub fn summary_of_newest(
    events: &[Event],
    state: &crate::services::RunState,
) -> Option<RunSummary> {
    let mut by_id: Vec<&Event> = events.iter().collect();
    by_id.sort_by_key(|e| e.sequence());
    let oldest = by_id.first()?.sequence();
    let newest = by_id.last()?.sequence();
    let contiguous = by_id
        .iter()
        .enumerate()
        .all(|(i, e)| e.id.as_ref().and_then(EventId::as_number) == Some(oldest + i as i64));
    if !contiguous || oldest <= 1 {
        return None;
    }
    let mut summary = RunSummary::from_events(super::SERVICE, events);
    summary.events = usize::try_from(newest).ok()?;
    summary.partial = false;
    summary.start = Some(state.start?);
    let last_execution_event = last_execution_event(&by_id);
    summary.status = Some(
        last_execution_event.map_or(Status::Running, |e| match e.status {
            Status::Started => Status::Running,
            other => other,
        }),
    );
    // The status call is asked after the newest page: a run redriven (or ended) between
    // the two has a status no event read shows, and a redrive count past theirs. Then
    // the whole history tells, as one read.
    let ended = summary.status.is_some_and(Status::is_final);
    if ended != state.status.is_final() || (ended && summary.status != Some(state.status)) {
        return None;
    }
    summary.end = last_execution_event
        .filter(|e| e.status.is_final())
        .and_then(|e| e.time);
    summary.duration_ms = summary
        .start
        .zip(summary.end)
        .map(|(start, end)| end.millis() - start.millis());
    let redriven = by_id
        .iter()
        .filter(|e| e.kind == "ExecutionRedriven")
        .filter_map(|e| e.details.get("redriveCount").and_then(|v| v.as_i64()))
        .max();
    summary.redrives = match redriven {
        Some(count) => Some(count),
        // No redrive among them: the status call counts the older ones.
        None => match state.redrives? {
            0 => None,
            count => Some(count),
        },
    };
    let ended_badly = last_execution_event.filter(|e| e.status.is_failure());
    summary.error = ended_badly.and_then(|e| e.error.clone());
    summary.cause = ended_badly.and_then(|e| e.cause.clone());
    summary.failure = None;
    if let Some(end) = ended_badly {
        let index = index(&by_id);
        let chain = Chain::new(&index, oldest);
        let failure = match behind(&chain, end) {
            Behind::Failure(event) => (event, failure_behind(&chain, &by_id, end)),
            Behind::Stopped(event) => (event, failure_behind(&chain, &by_id, end)),
            Behind::Unknown => return None,
        };
        let (event, failure) = failure;
        if chain.missed.get() || failure.name.is_none() || !retries_stay_within(&chain, event) {
            return None;
        }
        summary.failure = Some(failure);
    }
    Some(summary)
}

/// True when the walk over a failure's retries (`fold::retries_before`, back along
/// previousEventId while the events are its state's) ends among the events `chain`
/// holds: at its state's `…StateEntered`, or at an event of another state or of the
/// execution, none at the edge, none of a state unnamed (older events may name it).
fn retries_stay_within(chain: &Chain<'_, '_>, failure: &Event) -> bool {
    let mut current = failure;
    for _ in 0..=10_000 {
        let Some(parent) = current.parent_number() else {
            return true;
        };
        let Some(event) = chain.get(&parent) else {
            return !chain.missed.get();
        };
        // A state's event without a name may be named by older events; an
        // execution-level one never is.
        if chain.missed.get() || (event.name.is_none() && family(&event.kind) != Family::None) {
            return false;
        }
        if event.name != failure.name || event.kind.ends_with("StateEntered") {
            return true;
        }
        current = event;
    }
    true
}

fn index<'a>(by_id: &[&'a Event]) -> HashMap<i64, &'a Event> {
    by_id.iter().map(|e| (e.sequence(), *e)).collect()
}

/// The latest execution-level event: it says how the run (or its latest redrive) ended.
fn last_execution_event<'a>(by_id: &[&'a Event]) -> Option<&'a Event> {
    by_id
        .iter()
        .rev()
        .find(|e| e.kind.starts_with("Execution"))
        .copied()
}

/// What a run-ending event (`ExecutionFailed`, `…Aborted`, `…TimedOut`) leads back to,
/// along its previousEventId chain.
enum Behind<'a> {
    /// A state's failure: the first on the chain that carries an error or a cause (a
    /// Task's, through `MapIterationFailed`, `ParallelStateFailed`, a Fail state, the
    /// states its Catch ran before it and the caught failure's `…Exited`), else the
    /// deepest failure on the chain.
    Failure(&'a Event),
    /// No state failed: the run stopped while this event's state was open (a
    /// States.Runtime failure, an abort, a timeout).
    Stopped(&'a Event),
    /// The chain is not in the history (a partial page).
    Unknown,
}

/// Follows `end`'s previousEventId chain back to what ended the run. Through failures
/// without an error of their own, and through the `…Entered`/`…Exited` events between a
/// caught failure and what it failed; it stops at a success or a step of work. From a
/// Fail state it goes back past the states a Catch ran before it, which succeeded (see
/// [`caught_before`]), to the failure that was caught; a Fail state that no caught
/// failure led to is the failure itself.
fn behind<'a>(index: &Chain<'_, 'a>, end: &Event) -> Behind<'a> {
    let mut deepest: Option<&'a Event> = None;
    let mut current = end.sequence();
    let mut parent = end.parent_number();
    while let Some(event) = parent.filter(|&p| p < current).and_then(|p| index.get(&p)) {
        let event: &'a Event = event;
        current = event.sequence();
        parent = event.parent_number();
        if event.kind.starts_with("Execution") {
            break;
        }
        if event.kind == "FailStateEntered" {
            deepest = Some(event);
            match caught_before(index, event) {
                // On from the caught failure's `…Exited`, down to what failed.
                Some(caught) => {
                    parent = Some(caught.sequence());
                    continue;
                }
                None => break,
            }
        }
        if event.status.is_failure() {
            if event.error.is_some() || event.cause.is_some() {
                return Behind::Failure(event);
            }
            deepest = Some(event);
            continue;
        }
        if deepest.is_none() {
            return Behind::Stopped(event);
        }
        if !(event.kind.ends_with("StateEntered") || is_exited(&event.kind)) {
            break;
        }
    }
    deepest.map_or(Behind::Unknown, Behind::Failure)
}

/// The caught failure that led to the Fail state `fail`: back along its previousEventId
/// chain, past the states a Catch ran before it (Tasks, Passes, Choices, a Map or a
/// Parallel, which succeeded, their retried failures included), the first `…Exited`
/// that follows its state's failure (the normalizer gives it the failure's status).
/// A Map or Parallel that succeeded on the way is passed over whole: a failure caught
/// inside it did not lead here. None when the chain meets no caught failure (a Choice
/// led to the Fail state) or leaves the history.
fn caught_before<'a>(index: &Chain<'_, 'a>, fail: &Event) -> Option<&'a Event> {
    // Containers that succeeded, entered further back along the chain.
    let mut inside = 0usize;
    let mut current = fail.sequence();
    let mut parent = fail.parent_number();
    while let Some(event) = parent.filter(|&p| p < current).and_then(|p| index.get(&p)) {
        let event: &'a Event = event;
        current = event.sequence();
        parent = event.parent_number();
        let kind = event.kind.as_str();
        if kind.starts_with("Execution") {
            return None;
        }
        if kind == "MapStateSucceeded" || kind == "ParallelStateSucceeded" {
            inside += 1;
        } else if kind == "MapStateEntered" || kind == "ParallelStateEntered" {
            inside = inside.saturating_sub(1);
        } else if inside == 0 && is_exited(kind) && event.status.is_failure() {
            return Some(event);
        }
    }
    None
}

/// The failure that explains a run-ending event: what its previousEventId chain leads
/// to (see [`behind`]), with what it lacks of error and cause taken from `end`. For a
/// run that stopped in a state that did not fail, that state, with the run's error. A
/// partial history without the chain falls back on [`Failure::behind`] over the
/// failures of named states before `end`.
fn failure_behind(index: &Chain<'_, '_>, by_id: &[&Event], end: &Event) -> Failure {
    let with_end = |event: &Event| {
        let mut failure = Failure::of(event);
        failure.error = failure.error.or_else(|| end.error.clone());
        failure.cause = failure.cause.or_else(|| end.cause.clone());
        failure
    };
    match behind(index, end) {
        Behind::Failure(event) => with_end(event),
        Behind::Stopped(event) => Failure {
            name: event.name.clone(),
            ..Failure::of(end)
        },
        Behind::Unknown => {
            let before: Vec<&Event> = by_id
                .iter()
                .take_while(|e| e.sequence() < end.sequence())
                .filter(|e| {
                    e.status.is_failure() && e.name.is_some() && !e.kind.starts_with("Execution")
                })
                .copied()
                .collect();
            Failure::behind(end, &before)
        }
    }
}

/// The kind of state an event belongs to (`Pass` for `PassStateExited`, `Task` for
/// `TaskFailed`, `Map` for `MapIterationStarted`); `None` for execution-level and other
/// events.
fn state_kind(kind: &str) -> Option<&str> {
    if let Some((state, _)) = kind.split_once("State") {
        if !state.is_empty() && state.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Some(state);
        }
    }
    match family(kind) {
        Family::Task => Some("Task"),
        Family::Map => Some("Map"),
        Family::Parallel => Some("Parallel"),
        Family::Wait => Some("Wait"),
        Family::None => None,
    }
}

/// A place states run in: the execution, a Parallel branch or a Map iteration.
struct Scope {
    /// The node the scope's states are children of.
    container: usize,
    /// The scope the container node itself is in (None for the execution).
    parent: Option<usize>,
    /// The state most recently entered here.
    open: Option<usize>,
    /// For a Map iteration: the Map state's name and the iteration's index.
    iteration: Option<(String, i64)>,
}

#[derive(Default)]
struct StateProgress {
    /// Attempt nodes of a Task (one per scheduling).
    attempts: Vec<usize>,
    /// How the latest attempt, or the state itself, ended.
    outcome: Option<Status>,
    exited: bool,
    branches: usize,
}

struct Builder<'a> {
    /// The history's events by id, to follow previousEventId chains.
    events: HashMap<i64, &'a Event>,
    /// An aborted state's event that a `MapIterationAborted` follows: that iteration,
    /// (Map name, index), is where the state ran.
    abort_hints: HashMap<i64, (String, i64)>,
    nodes: Vec<Node>,
    children: Vec<Vec<usize>>,
    progress: Vec<StateProgress>,
    scopes: Vec<Scope>,
    scope_of_event: HashMap<i64, usize>,
    node_of_event: HashMap<i64, usize>,
    /// Map iterations by (Map state name, index): the iteration's node and scope.
    iterations: HashMap<(String, i64), (usize, usize)>,
}

/// The run as it nested, under one node for the execution, named `execution_name`.
pub fn tree(events: &[Event], execution_name: Option<&str>, run: &RunSummary) -> Vec<Node> {
    let mut ordered: Vec<&Event> = events.iter().collect();
    ordered.sort_by_key(|e| e.sequence());
    let by_id = index(&ordered);
    let abort_hints = ordered
        .iter()
        .filter(|e| e.kind == "MapIterationAborted")
        .filter_map(|e| {
            let parent = by_id.get(&e.parent_number()?)?;
            let aborted_state = parent.status == Status::Aborted && parent.kind.contains("State");
            let index = e.details.get("index")?.as_i64()?;
            let name = e.name.clone()?;
            aborted_state.then(|| (parent.sequence(), (name, index)))
        })
        .collect();
    let mut builder = Builder {
        events: by_id,
        abort_hints,
        nodes: Vec::new(),
        children: Vec::new(),
        progress: Vec::new(),
        scopes: Vec::new(),
        scope_of_event: HashMap::new(),
        node_of_event: HashMap::new(),
        iterations: HashMap::new(),
    };
    let root = builder.add_node(
        None,
        Node {
            kind: NodeKind::Execution,
            name: execution_name.map(str::to_string),
            ..Node::default()
        },
    );
    builder.scopes.push(Scope {
        container: root,
        parent: None,
        open: None,
        iteration: None,
    });
    for event in &ordered {
        builder.add_event(event);
    }
    let root_node = &mut builder.nodes[root];
    root_node.status = run.status;
    root_node.start = run.start;
    root_node.end = run.end;
    // The run's own error: from its last execution-level event, when that one failed (a
    // failure before a redrive that then succeeded is not the run's).
    if let Some(end) = last_execution_event(&ordered).filter(|e| e.status.is_failure()) {
        root_node.error = end.error.clone();
        root_node.cause = end.cause.clone();
    }
    // Only the nodes, their children and progress are assembled: the indexes by event
    // go first, and each node moves into the tree (a big run's nodes are not held twice).
    builder.events = HashMap::new();
    builder.abort_hints = HashMap::new();
    builder.scope_of_event = HashMap::new();
    builder.node_of_event = HashMap::new();
    builder.iterations = HashMap::new();
    vec![builder.assemble(root)]
}

impl Builder<'_> {
    fn add_node(&mut self, parent: Option<usize>, node: Node) -> usize {
        let index = self.nodes.len();
        self.nodes.push(node);
        self.children.push(Vec::new());
        self.progress.push(StateProgress::default());
        if let Some(parent) = parent {
            self.children[parent].push(index);
        }
        index
    }

    fn add_scope(&mut self, container: usize, parent: usize) -> usize {
        self.scopes.push(Scope {
            container,
            parent: Some(parent),
            open: None,
            iteration: None,
        });
        self.scopes.len() - 1
    }

    fn add_event(&mut self, event: &Event) {
        let id = event.sequence();
        let kind = event.kind.as_str();
        let parent_scope = event
            .parent_number()
            .and_then(|p| self.scope_of_event.get(&p).copied())
            .unwrap_or(0);

        if kind.starts_with("Execution") {
            self.attach(0, id);
            self.scope_of_event.insert(id, 0);
            if event.status.is_failure() {
                self.close_open_states(event);
            }
            return;
        }
        if let Some(state_type) = kind.strip_suffix("StateEntered") {
            let scope = self.scope_for_entered(event, parent_scope);
            let container = self.scopes[scope].container;
            let node = self.add_node(
                Some(container),
                Node {
                    kind: NodeKind::State,
                    name: event.name.clone(),
                    type_label: Some(state_type.to_string()),
                    status: Some(if state_type == "Fail" {
                        Status::Failed
                    } else {
                        Status::Started
                    }),
                    start: event.time,
                    ..Node::default()
                },
            );
            let state_name = event.name.clone().unwrap_or_else(|| state_type.to_string());
            self.note_catch(event, state_name);
            self.nodes[node].events.push(EventId::Number(id));
            self.scopes[scope].open = Some(node);
            self.scope_of_event.insert(id, scope);
            self.node_of_event.insert(id, node);
            return;
        }
        if kind == "MapIterationStarted" {
            let scope = self.enclosing(parent_scope, "Map");
            let Some(map) = self.scopes[scope].open else {
                return self.attach_loose(parent_scope, id, event);
            };
            let index = event
                .details
                .get("index")
                .and_then(|v| v.as_i64())
                .unwrap_or(-1);
            let iteration = self.add_node(
                Some(map),
                Node {
                    kind: NodeKind::Iteration { index },
                    status: Some(Status::Started),
                    start: event.time,
                    events: vec![EventId::Number(id)],
                    ..Node::default()
                },
            );
            let inner = self.add_scope(iteration, scope);
            let map_name = self.state_name(map);
            self.scopes[inner].iteration = Some((map_name.clone(), index));
            self.iterations
                .insert((map_name, index), (iteration, scope));
            self.scope_of_event.insert(id, inner);
            self.node_of_event.insert(id, iteration);
            return;
        }
        if kind.starts_with("MapIteration") {
            let index = event
                .details
                .get("index")
                .and_then(|v| v.as_i64())
                .unwrap_or(-1);
            let key = (event.name.clone().unwrap_or_default(), index);
            let found = self
                .iteration_around(parent_scope, &key)
                .or_else(|| self.iterations.get(&key).copied());
            if let Some((iteration, map_scope)) = found {
                let node = &mut self.nodes[iteration];
                node.status = Some(event.status);
                node.end = event.time;
                node.events.push(EventId::Number(id));
                self.scope_of_event.insert(id, map_scope);
                self.node_of_event.insert(id, iteration);
                return;
            }
            return self.attach_loose(parent_scope, id, event);
        }
        let family = if kind.starts_with("ParallelState") {
            Some("Parallel")
        } else if kind.starts_with("Map") {
            Some("Map")
        } else {
            None
        };
        let scope = match family {
            Some(family) => self.enclosing(parent_scope, family),
            None => parent_scope,
        };
        let aborted = (event.status == Status::Aborted)
            .then(|| self.aborted_state(event, parent_scope))
            .flatten();
        let Some((state, scope)) = aborted.or_else(|| self.scopes[scope].open.map(|s| (s, scope)))
        else {
            return self.attach_loose(scope, id, event);
        };
        self.scope_of_event.insert(id, scope);
        self.node_of_event.insert(id, state);
        self.update_state(state, id, event);
    }

    /// The state an `…StateAborted` event stopped, with its scope. Its previousEventId
    /// leads to it when that state is still open; but real AWS gives the aborted states
    /// of a failed Map or Parallel one shared previousEventId (the failure's), so else it
    /// is an open state of its kind in the iteration a `MapIterationAborted` names after
    /// it, else the first open one near the chain: in the scope of its previous event,
    /// then outwards. A state that failed is never one of them.
    fn aborted_state(&self, event: &Event, parent_scope: usize) -> Option<(usize, usize)> {
        let wanted = state_kind(&event.kind)?;
        let chained = event
            .parent_number()
            .and_then(|p| self.node_of_event.get(&p).copied())
            .filter(|&node| self.is_open_leaf(node, wanted));
        if let Some(node) = chained {
            return Some((node, self.scope_of_node(node)?));
        }
        if let Some(&(iteration, _)) = self
            .abort_hints
            .get(&event.sequence())
            .and_then(|key| self.iterations.get(key))
        {
            if let Some(node) = self.first_open(iteration, wanted) {
                return Some((node, self.scope_of_node(node)?));
            }
        }
        let mut scope = parent_scope;
        loop {
            if let Some(node) = self.first_open(self.scopes[scope].container, wanted) {
                return Some((node, self.scope_of_node(node)?));
            }
            scope = self.scopes[scope].parent?;
        }
    }

    /// The scope whose states `node` is one of.
    fn scope_of_node(&self, node: usize) -> Option<usize> {
        self.scopes
            .iter()
            .rposition(|scope| scope.open == Some(node))
            .or_else(|| {
                let container = self.parent_of(node)?;
                self.scopes
                    .iter()
                    .rposition(|scope| scope.container == container)
            })
    }

    fn parent_of(&self, node: usize) -> Option<usize> {
        self.children
            .iter()
            .position(|children| children.contains(&node))
    }

    /// Below `under`, in the order they were entered, the first open state of type
    /// `wanted` with nothing open inside it.
    fn first_open(&self, under: usize, wanted: &str) -> Option<usize> {
        self.children[under].iter().find_map(|&child| {
            self.first_open(child, wanted)
                .or_else(|| self.is_open_leaf(child, wanted).then_some(child))
        })
    }

    /// A state that has not ended (entered, maybe done with its work, not exited, not
    /// failed or stopped), of type `wanted`, with no open state inside it.
    fn is_open_leaf(&self, node: usize, wanted: &str) -> bool {
        self.is_open_state(node)
            && self.nodes[node].type_label.as_deref() == Some(wanted)
            && !self.has_open_state_below(node)
    }

    fn is_open_state(&self, node: usize) -> bool {
        self.nodes[node].kind == NodeKind::State
            && !self.progress[node].exited
            && !self.nodes[node].status.is_some_and(Status::is_failure)
    }

    fn has_open_state_below(&self, node: usize) -> bool {
        self.children[node]
            .iter()
            .any(|&child| self.is_open_state(child) || self.has_open_state_below(child))
    }

    /// A run that failed, was aborted or timed out stops every state still open. Those
    /// show how the run ended (aborted, timed out); when it failed without a state
    /// failure (a States.Runtime error), the open states failed, and the state the run
    /// stopped in carries the run's error. Open states besides a state's failure were
    /// stopped by it: aborted.
    fn close_open_states(&mut self, end: &Event) {
        let behind = behind(&Chain::new(&self.events, 1), end);
        let status = match (end.status, &behind) {
            (Status::Failed, Behind::Failure(_)) => Status::Aborted,
            (status, _) => status,
        };
        let mut culprit = match behind {
            Behind::Stopped(event) if end.status == Status::Failed => self
                .node_of_event
                .get(&event.sequence())
                .copied()
                .filter(|&node| self.is_open_state(node)),
            _ => None,
        };
        let mut last_entered = None;
        for node in 0..self.nodes.len() {
            let open = match self.nodes[node].kind {
                NodeKind::State => self.is_open_state(node),
                NodeKind::Iteration { .. } | NodeKind::Attempt { .. } => {
                    !self.nodes[node].status.is_some_and(Status::is_final)
                }
                _ => false,
            };
            if !open {
                continue;
            }
            if self.nodes[node].kind == NodeKind::State {
                if !self.has_open_state_below(node) {
                    last_entered = Some(node);
                }
                self.progress[node].outcome = Some(status);
            }
            let node = &mut self.nodes[node];
            node.status = Some(status);
            node.end = node.end.max(end.time);
        }
        if end.status == Status::Failed && matches!(behind, Behind::Stopped(_) | Behind::Unknown) {
            culprit = culprit.or(last_entered);
            if let Some(node) = culprit {
                let node = &mut self.nodes[node];
                node.error = end.error.clone();
                node.cause = end.cause.clone();
            }
        }
    }

    /// The scope a state is entered in: a new branch after ParallelStateStarted, the
    /// iteration after MapIterationStarted, else where its previous event was.
    fn scope_for_entered(&mut self, event: &Event, parent_scope: usize) -> usize {
        let parent_node = event
            .parent_number()
            .and_then(|p| self.node_of_event.get(&p).copied());
        match parent_node {
            Some(parallel)
                if self.is_state_of_type(parallel, "Parallel")
                    && self.scopes[parent_scope].open == Some(parallel)
                    && !self.progress[parallel].exited =>
            {
                self.progress[parallel].branches += 1;
                let number = self.progress[parallel].branches;
                let branch = self.add_node(
                    Some(parallel),
                    Node {
                        kind: NodeKind::Branch { number },
                        ..Node::default()
                    },
                );
                self.add_scope(branch, parent_scope)
            }
            _ => parent_scope,
        }
    }

    /// The iteration `key` (Map name, index) that `scope` is in or below, with the scope
    /// of its Map state: an iteration's closing event follows the iteration's last event.
    /// Found by scope rather than by key alone, because the same Map nested in another
    /// Map runs an iteration of each index in every outer iteration.
    fn iteration_around(&self, mut scope: usize, key: &(String, i64)) -> Option<(usize, usize)> {
        loop {
            let current = &self.scopes[scope];
            if current.iteration.as_ref() == Some(key) {
                return Some((current.container, current.parent?));
            }
            scope = current.parent?;
        }
    }

    /// From `scope` outwards, the first scope whose open state is a `family` state that
    /// has not exited.
    fn enclosing(&self, mut scope: usize, family: &str) -> usize {
        loop {
            if let Some(open) = self.scopes[scope].open {
                if self.is_state_of_type(open, family) && !self.progress[open].exited {
                    return scope;
                }
            }
            match self.scopes[scope].parent {
                Some(parent) => scope = parent,
                None => return scope,
            }
        }
    }

    /// A state that failed and then exited was caught: name where the Catch led.
    fn note_catch(&mut self, entered: &Event, next_state: String) {
        let Some(previous) = entered
            .parent_number()
            .and_then(|p| self.node_of_event.get(&p).copied())
        else {
            return;
        };
        let progress = &self.progress[previous];
        if progress.exited && progress.outcome.is_some_and(Status::is_failure) {
            self.nodes[previous].annotations.caught_to = Some(next_state);
        }
    }

    fn update_state(&mut self, state: usize, id: i64, event: &Event) {
        let kind = event.kind.as_str();
        self.nodes[state].events.push(EventId::Number(id));
        // The events of one try at a Task's work; TaskState* events are the state's own.
        let task_like = (kind.starts_with("Task") && !kind.starts_with("TaskState"))
            || kind.starts_with("Activity")
            || kind.starts_with("LambdaFunction");
        if task_like
            && (kind.ends_with("Scheduled")
                || (kind.ends_with("Started") && self.progress[state].attempts.is_empty()))
        {
            let number = self.progress[state].attempts.len() + 1;
            let attempt = self.add_node(
                Some(state),
                Node {
                    kind: NodeKind::Attempt { number },
                    status: Some(event.status),
                    start: event.time,
                    events: vec![EventId::Number(id)],
                    ..Node::default()
                },
            );
            self.nodes[attempt].annotations.resource = event.resource.clone();
            self.progress[state].attempts.push(attempt);
            let state = &mut self.nodes[state].annotations;
            if state.resource.is_none() {
                state.resource = event.resource.clone();
            }
            return;
        }
        if task_like {
            if let Some(&attempt) = self.progress[state].attempts.last() {
                let node = &mut self.nodes[attempt];
                node.events.push(EventId::Number(id));
                node.status = Some(event.status);
                if event.status != Status::Started && event.status != Status::Running {
                    node.end = event.time;
                } else if kind.ends_with("Started") && node.waiting_until.is_none() {
                    // Scheduled until a worker (an activity's, Lambda's) started it.
                    node.waiting_until = event.time;
                }
                if event.error.is_some() || event.cause.is_some() {
                    node.error = event.error.clone();
                    node.cause = event.cause.clone();
                }
            }
        }
        let progress = &mut self.progress[state];
        let node = &mut self.nodes[state];
        if event.status == Status::Aborted && progress.outcome.is_some_and(Status::is_failure) {
            // Stopping a state that already failed does not hide its failure.
        } else if event.status.is_failure() {
            progress.outcome = Some(event.status);
            node.status = Some(event.status);
            node.end = event.time;
            if event.error.is_some() || event.cause.is_some() {
                node.error = event.error.clone();
                node.cause = event.cause.clone();
            }
        } else if event.status == Status::Succeeded && !kind.ends_with("Exited") {
            // A retry that succeeded: the earlier failures stay on their attempts.
            progress.outcome = Some(Status::Succeeded);
            node.status = Some(Status::Succeeded);
            node.error = None;
            node.cause = None;
        } else if event.status == Status::Running {
            node.status = Some(Status::Running);
        }
        if kind.starts_with("MapRun") {
            if let Some(arn) = event.details.text("mapRunArn") {
                node.annotations.map_run = Some(arn);
            }
        }
        if kind.ends_with("Exited") {
            progress.exited = true;
            node.end = event.time;
            if kind == "WaitStateExited" {
                node.waiting_until = node.end;
            }
            if !progress.outcome.is_some_and(Status::is_failure) {
                node.status = Some(Status::Succeeded);
            }
        }
    }

    /// An event whose state could not be found (a partial history): shown on its own.
    /// A state's event is shown as that state, of its kind (`Pass`, `Task`), and the
    /// state's next events in the history join it.
    fn attach_loose(&mut self, scope: usize, id: i64, event: &Event) {
        let container = self.scopes[scope].container;
        let mut loose = flat_node(event);
        let kind = state_kind(&event.kind).map(str::to_string);
        if let Some(kind) = &kind {
            // When it was entered is not in the history: no start, hence no duration.
            loose.kind = NodeKind::State;
            loose.type_label = Some(kind.clone());
            loose.start = None;
            loose.end = event.time.filter(|_| event.status.is_final());
        }
        let node = self.add_node(Some(container), loose);
        if kind.is_some() {
            self.progress[node].exited = is_exited(&event.kind);
            if event.status.is_failure() {
                self.progress[node].outcome = Some(event.status);
            }
            self.scopes[scope].open = Some(node);
        }
        self.scope_of_event.insert(id, scope);
        self.node_of_event.insert(id, node);
    }

    fn attach(&mut self, node: usize, id: i64) {
        self.nodes[node].events.push(EventId::Number(id));
        self.node_of_event.insert(id, node);
    }

    /// The name of a state's node: the state's name, else its type.
    fn state_name(&self, node: usize) -> String {
        let node = &self.nodes[node];
        node.name
            .clone()
            .or_else(|| node.type_label.clone())
            .unwrap_or_default()
    }

    /// True when `node` is a state of type `state_type` (`Parallel`, `Map`).
    fn is_state_of_type(&self, node: usize, state_type: &str) -> bool {
        let node = &self.nodes[node];
        node.kind == NodeKind::State && node.type_label.as_deref() == Some(state_type)
    }

    /// The finished tree. A Task tried once shows no attempt lines: its state says all.
    /// The node at `index` with what ran inside it, moved out of the builder (each node
    /// is below one parent: assembled once).
    fn assemble(&mut self, index: usize) -> Node {
        let mut node = std::mem::take(&mut self.nodes[index]);
        let attempts = std::mem::take(&mut self.progress[index].attempts);
        let children: Vec<usize> = std::mem::take(&mut self.children[index])
            .into_iter()
            .filter(|child| attempts.len() > 1 || !attempts.contains(child))
            .collect();
        node.children = children
            .into_iter()
            .map(|child| self.assemble(child))
            .collect();
        if node.status.is_none()
            && matches!(node.kind, NodeKind::Branch { .. })
            && !node.children.is_empty()
        {
            // A branch: failed if a state in it failed, else as its last state ended.
            node.status = node
                .children
                .iter()
                .filter_map(|c| c.status)
                .find(|s| s.is_failure())
                .or_else(|| node.children.last().and_then(|c| c.status));
            node.start = node.children.first().and_then(|c| c.start);
            node.end = node.children.iter().filter_map(|c| c.end).max();
        }
        // What ran inside a node ended before it did: a state that ended spans the
        // events of its branches and iterations, aborted ones included.
        if node.end.is_some() && node.kind != NodeKind::Execution {
            node.end = node
                .children
                .iter()
                .filter_map(|c| c.end)
                .fold(node.end, |end, child| end.max(Some(child)));
        }
        node
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;
    use crate::services::Normalizer;
    use serde_json::json;

    /// The summary of these wire events, with the retries of its failure, as the
    /// engine makes it of a whole history.
    fn whole_summary(events: &[Event]) -> RunSummary {
        let mut summary = summary(events);
        if let Some(failure) = &mut summary.failure {
            failure.retries = failure
                .id
                .as_ref()
                .and_then(|id| crate::model::fold::retries_before(id, events));
        }
        summary
    }

    /// Every newest part of every fixture history (ids `oldest..=N`, for each `oldest`
    /// from 2): whatever a cheap summary makes of it is exactly the whole history's
    /// summary; and for each run that ended, some part short of the whole does.
    #[test]
    fn a_summary_of_the_newest_events_is_the_whole_historys_or_none() {
        let fixtures = [
            include_str!("../../../tests/fixtures/sfn/aborted-wait.json"),
            include_str!("../../../tests/fixtures/sfn/catch-handler-to-fail.json"),
            include_str!("../../../tests/fixtures/sfn/catch-to-fail.json"),
            include_str!("../../../tests/fixtures/sfn/caught-parallel.json"),
            include_str!("../../../tests/fixtures/sfn/every-event-type.json"),
            include_str!("../../../tests/fixtures/sfn/failed-map-in-parallel.json"),
            include_str!("../../../tests/fixtures/sfn/lambda-error-retried-caught.json"),
            include_str!("../../../tests/fixtures/sfn/map-300-one-failed.json"),
            include_str!("../../../tests/fixtures/sfn/map-exited-after-last-iteration.json"),
            include_str!("../../../tests/fixtures/sfn/map-iterations-aborted.json"),
            include_str!("../../../tests/fixtures/sfn/parallel-branch-aborted.json"),
            include_str!("../../../tests/fixtures/sfn/runtime-failure-in-parallel.json"),
            include_str!("../../../tests/fixtures/sfn/runtime-failure.json"),
            include_str!("../../../tests/fixtures/sfn/timed-out-activity.json"),
        ];
        for (n, text) in fixtures.iter().enumerate() {
            let saved: serde_json::Value = serde_json::from_str(text).unwrap();
            let wire = saved["events"].as_array().unwrap().clone();
            let events = super::super::SfnNormalizer::new(None, true).normalize(wire.clone());
            let whole = whole_summary(&events);
            let state = crate::services::RunState {
                status: whole.status.unwrap_or(Status::Running),
                start: events[0].time,
                end: whole.end,
                redrives: Some(
                    events
                        .iter()
                        .filter(|e| e.kind == "ExecutionRedriven")
                        .count() as i64,
                ),
            };
            let step = if wire.len() > 500 { 19 } else { 1 };
            let mut told = 0;
            for oldest in (1..wire.len()).step_by(step) {
                let newest =
                    super::super::SfnNormalizer::new(None, true).normalize(wire[oldest..].to_vec());
                let Some(mut cheap) = summary_of_newest(&newest, &state) else {
                    continue;
                };
                told += 1;
                if let Some(failure) = &mut cheap.failure {
                    failure.retries = failure
                        .id
                        .as_ref()
                        .and_then(|id| crate::model::fold::retries_before(id, &newest));
                }
                assert_eq!(cheap, whole, "fixture {n}, events {}..", oldest + 1);
            }
            assert!(told > 0, "fixture {n}: no newest part told its summary");
        }
    }

    /// An event of a history in order: id `id`, caused by `previous`.
    fn event(id: i64, previous: i64, kind: &str, name: Option<&str>, index: Option<i64>) -> Event {
        let mut e = Event::new(
            super::super::SERVICE,
            kind,
            crate::services::sfn::status_of(kind),
        );
        e.id = Some(EventId::Number(id));
        e.parent_id = (previous > 0).then_some(EventId::Number(previous));
        e.time = Some(Timestamp(id * 10));
        e.name = name.map(str::to_string);
        if let Some(index) = index {
            e.details.insert("index".into(), json!(index));
        }
        e
    }

    #[test]
    fn aborted_tasks_with_one_shared_previous_event_go_to_their_own_iterations() {
        // Iteration 1 fails; the tasks of iterations 0 and 2 abort, both caused by the
        // MapIterationFailed (as real AWS writes it), iteration 2's first; each
        // MapIterationAborted follows its own TaskStateAborted.
        let (map, task) = (Some("Map"), Some("Task"));
        let events = vec![
            event(1, 0, "ExecutionStarted", None, None),
            event(2, 0, "MapStateEntered", map, None),
            event(3, 2, "MapStateStarted", map, None),
            event(4, 3, "MapIterationStarted", map, Some(0)),
            event(5, 3, "MapIterationStarted", map, Some(1)),
            event(6, 3, "MapIterationStarted", map, Some(2)),
            event(7, 4, "TaskStateEntered", task, None),
            event(8, 5, "TaskStateEntered", task, None),
            event(9, 6, "TaskStateEntered", task, None),
            event(10, 8, "TaskFailed", task, None),
            event(11, 10, "MapIterationFailed", map, Some(1)),
            event(12, 11, "TaskStateAborted", None, None),
            event(13, 11, "TaskStateAborted", None, None),
            event(14, 12, "MapIterationAborted", map, Some(2)),
            event(15, 13, "MapIterationAborted", map, Some(0)),
            event(16, 15, "MapStateFailed", map, None),
            event(17, 16, "ExecutionFailed", None, None),
        ];
        let tree = tree(&events, Some("run"), &summary(&events));
        let tasks: Vec<(Option<&str>, Vec<EventId>)> = tree[0].children[0]
            .children
            .iter()
            .map(|iteration| {
                let task = &iteration.children[0];
                (task.status.map(Status::as_str), task.events.clone())
            })
            .collect();
        let ids = |ids: &[i64]| ids.iter().map(|&id| EventId::Number(id)).collect();
        assert_eq!(
            tasks,
            [
                (Some("aborted"), ids(&[7, 13])),
                (Some("failed"), ids(&[8, 10])),
                (Some("aborted"), ids(&[9, 12])),
            ]
        );
    }

    /// The failure the summary of `events` names: its event id and type.
    fn failure_of(events: Vec<Event>) -> Option<(Option<EventId>, String)> {
        let run = summary(&events);
        run.failure.map(|failure| (failure.id, failure.kind))
    }

    #[test]
    fn a_fail_state_no_caught_failure_led_to_is_the_failure() {
        // A Choice leads to the Fail state; an earlier Task's retried failure is not it.
        let (task, choice, fail) = (Some("Check"), Some("Route"), Some("Reject"));
        let mut failed = event(5, 4, "TaskFailed", task, None);
        failed.error = Some("Lambda.ServiceException".into());
        let events = vec![
            event(1, 0, "ExecutionStarted", None, None),
            event(2, 0, "TaskStateEntered", task, None),
            event(3, 2, "TaskScheduled", task, None),
            event(4, 3, "TaskStarted", task, None),
            failed,
            event(6, 5, "TaskScheduled", task, None),
            event(7, 6, "TaskStarted", task, None),
            event(8, 7, "TaskSucceeded", task, None),
            event(9, 8, "TaskStateExited", task, None),
            event(10, 9, "ChoiceStateEntered", choice, None),
            event(11, 10, "ChoiceStateExited", choice, None),
            event(12, 11, "FailStateEntered", fail, None),
            event(13, 12, "ExecutionFailed", None, None),
        ];
        assert_eq!(
            failure_of(events),
            Some((Some(EventId::Number(12)), "FailStateEntered".into()))
        );
    }

    #[test]
    fn a_failure_caught_inside_a_handler_map_that_succeeded_is_not_the_root_cause() {
        // Charge fails and is caught; the handler Map's one iteration catches a failure
        // of its own (Notify → Fallback) and succeeds; then the Fail state.
        let (charge, map, notify, fallback) = (
            Some("Charge"),
            Some("Undo"),
            Some("Notify"),
            Some("Fallback"),
        );
        let mut declined = event(5, 4, "TaskFailed", charge, None);
        declined.error = Some("PaymentDeclined".into());
        let mut throttled = event(13, 12, "TaskFailed", notify, None);
        throttled.error = Some("SNS.Throttled".into());
        let mut caught_in_map = event(14, 13, "TaskStateExited", notify, None);
        caught_in_map.status = Status::Failed;
        let mut caught = event(6, 5, "TaskStateExited", charge, None);
        caught.status = Status::Failed;
        let events = vec![
            event(1, 0, "ExecutionStarted", None, None),
            event(2, 0, "TaskStateEntered", charge, None),
            event(3, 2, "TaskScheduled", charge, None),
            event(4, 3, "TaskStarted", charge, None),
            declined,
            caught,
            event(7, 6, "MapStateEntered", map, None),
            event(8, 7, "MapStateStarted", map, None),
            event(9, 8, "MapIterationStarted", map, Some(0)),
            event(10, 9, "TaskStateEntered", notify, None),
            event(11, 10, "TaskScheduled", notify, None),
            event(12, 11, "TaskStarted", notify, None),
            throttled,
            caught_in_map,
            event(15, 14, "PassStateEntered", fallback, None),
            event(16, 15, "PassStateExited", fallback, None),
            event(17, 16, "MapIterationSucceeded", map, Some(0)),
            event(18, 17, "MapStateSucceeded", map, None),
            event(19, 18, "MapStateExited", map, None),
            event(20, 19, "FailStateEntered", Some("Failed"), None),
            event(21, 20, "ExecutionFailed", None, None),
        ];
        assert_eq!(
            failure_of(events),
            Some((Some(EventId::Number(5)), "TaskFailed".into()))
        );
    }

    #[test]
    fn a_map_nested_in_a_map_closes_the_iteration_it_ran_in() {
        // Outer iterations 0 and 1 each run the Inner Map, whose iteration 0 succeeds in
        // outer iteration 0 and fails in outer iteration 1, interleaved.
        let (outer, inner, leaf) = (Some("Outer"), Some("Inner"), Some("Leaf"));
        let events = vec![
            event(1, 0, "ExecutionStarted", None, None),
            event(2, 1, "MapStateEntered", outer, None),
            event(3, 2, "MapStateStarted", outer, None),
            event(4, 3, "MapIterationStarted", outer, Some(0)),
            event(5, 3, "MapIterationStarted", outer, Some(1)),
            event(6, 4, "MapStateEntered", inner, None),
            event(7, 5, "MapStateEntered", inner, None),
            event(8, 6, "MapStateStarted", inner, None),
            event(9, 7, "MapStateStarted", inner, None),
            event(10, 8, "MapIterationStarted", inner, Some(0)),
            event(11, 9, "MapIterationStarted", inner, Some(0)),
            event(12, 10, "PassStateEntered", leaf, None),
            event(13, 11, "PassStateEntered", leaf, None),
            event(14, 12, "PassStateExited", leaf, None),
            event(15, 14, "MapIterationSucceeded", inner, Some(0)),
            event(16, 13, "PassStateExited", leaf, None),
            event(17, 16, "MapIterationFailed", inner, Some(0)),
            event(18, 15, "MapStateSucceeded", inner, None),
            event(19, 18, "MapStateExited", inner, None),
            event(20, 19, "MapIterationSucceeded", outer, Some(0)),
            event(21, 17, "MapStateFailed", inner, None),
            event(22, 21, "MapIterationFailed", outer, Some(1)),
            event(23, 22, "MapStateFailed", outer, None),
            event(24, 23, "ExecutionFailed", None, None),
        ];
        let tree = tree(&events, Some("run"), &summary(&events));
        let outer = &tree[0].children[0];
        let status_of = |node: &Node| node.status.map(Status::as_str);
        let label = |node: &Node| match node.kind {
            NodeKind::Iteration { index } => format!("iteration {index}"),
            _ => node.name.clone().unwrap_or_default(),
        };
        let lines: Vec<(String, Option<&str>)> = outer
            .children
            .iter()
            .flat_map(|iteration| {
                let inner = &iteration.children[0];
                [
                    (label(iteration), status_of(iteration)),
                    (
                        format!("{} {}", label(inner), label(iteration)),
                        status_of(inner),
                    ),
                    (
                        format!("{} of {}", label(&inner.children[0]), label(iteration)),
                        status_of(&inner.children[0]),
                    ),
                ]
            })
            .collect();
        assert_eq!(
            lines,
            [
                ("iteration 0".to_string(), Some("succeeded")),
                ("Inner iteration 0".to_string(), Some("succeeded")),
                ("iteration 0 of iteration 0".to_string(), Some("succeeded")),
                ("iteration 1".to_string(), Some("failed")),
                ("Inner iteration 1".to_string(), Some("failed")),
                ("iteration 0 of iteration 1".to_string(), Some("failed")),
            ]
        );
    }
}

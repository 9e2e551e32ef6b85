//! `--depth N`: the runs a run started, read through the same engine as any run, each
//! with its own service. A Distributed Map's child executions, a nested execution, an
//! SWF child workflow, an automation an SSM step started, the Step Functions execution
//! of an SSM step or a CodePipeline action: the parent's service names them
//! ([`Service::children`], no request) and finds the runs behind a group
//! ([`Service::find_children`]); this module reads them, level after level, at most
//! [`AT_ONCE`] at a time, each run once (a repeat or a cycle is cut), and puts what it
//! read where the output wants it: after the record that started it (streams), under
//! the node that started it (`-o tree`), after the run's table (`-o table`), and the
//! failure followed down to its root cause (the summary).
//!
//! A child that cannot be read (access denied in another account, deleted) is said in
//! one line and the rest goes on; the exit status stays the parent's outcome.

use crate::aws::Connection;
use crate::engine::{self, View};
use crate::model::{ChildCause, ChildrenRead, Event, EventId, Node, NodeKind, RunSummary, Status};
use crate::render::{ChildSection, Needs, RunReport};
use crate::services::codepipeline::{self, CodePipeline};
use crate::services::sfn::{self, Sfn};
use crate::services::ssm::{self, Ssm};
use crate::services::swf::{self, Swf};
use crate::services::{ChildGroup, ChildKind, ChildRun, Service};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde_json::Value;
use std::collections::HashSet;
use std::io::Write;

/// Runs read at the same time, at most.
pub const AT_ONCE: usize = 8;

/// How far down to read, and how to read each run (the command line's).
#[derive(Debug, Clone, Default)]
pub struct Descent {
    /// Levels below the run; 0: none (no request); `usize::MAX`: every level.
    pub depth: usize,
    /// Every child of a Map Run, not only the unsuccessful ones.
    pub all_children: bool,
    pub reverse: bool,
    pub view: View,
    pub needs: Needs,
    pub keep_wire: bool,
}

/// A run read whole, with its wire records when kept.
struct Whole {
    report: RunReport,
    wire: Vec<Value>,
    /// The run's own `execution`, whatever the filters kept of its records.
    execution: String,
}

/// One child, as read (or why not), and the groups of runs it started in turn.
struct Slot {
    run: ChildRun,
    parent_execution: String,
    outcome: Result<Whole, String>,
    groups: Vec<Group>,
}

/// One group of runs a run started: its description, why it could not be listed, and
/// its runs (indexes into the arena of [`Slot`]s), repeats cut.
struct Group {
    info: ChildGroup,
    error: Option<String>,
    members: Vec<usize>,
}

/// Everything read below one run.
struct Read {
    arena: Vec<Slot>,
    top: Vec<Group>,
    /// The deepest level read.
    levels: usize,
}

/// What reading one child brought: the run, and the groups it started (found when
/// there is a level further down to read).
struct Fetched {
    outcome: Result<Whole, String>,
    groups: Vec<(ChildGroup, Option<String>)>,
}

impl Fetched {
    fn unreadable(why: String) -> Self {
        Fetched {
            outcome: Err(why),
            groups: Vec::new(),
        }
    }
}

/// For a report: the children read into `report` (its tree, its table sections, its
/// summary's root cause); with `--depth 0`, only the summary's count of them.
pub async fn into_report<S: Service>(
    service: &mut S,
    report: &mut RunReport,
    (named, top_execution): (Vec<ChildRun>, String),
    descent: &Descent,
    connection: &Connection,
) {
    if named.is_empty() {
        return;
    }
    report.summary.children = Some(ChildrenRead::of(&named, 0));
    if descent.depth == 0 {
        return;
    }
    let groups = find_groups(service, connection, named, descent.all_children).await;
    let mut read = descend(top_execution.clone(), groups, descent, connection).await;
    if let Some(children) = &mut report.summary.children {
        // The level below was listed, even when no child was found to read in it.
        children.depth_read = read.levels.max(1);
    }
    report.summary.root_cause = root_cause(&report.summary, &read.top, &read.arena);
    let top = std::mem::take(&mut read.top);
    if descent.needs.tree || !report.tree.is_empty() {
        attach(&mut report.tree, &top, &mut read.arena);
    }
    sections(&top, &mut read.arena, &mut report.children);
}

/// For a stream: the run's events (and wire records, when kept) with each child's
/// after the record that started it, depth first; a child's records carry
/// `parent_execution`. `named`: the runs the run's records name, and the run's own
/// `execution` (as all of its records give it, whatever the filters keep).
pub async fn into_stream<S: Service>(
    service: &mut S,
    events: Vec<Event>,
    wire: Vec<Value>,
    (named, top_execution): (Vec<ChildRun>, String),
    descent: &Descent,
    connection: &Connection,
) -> (Vec<Event>, Vec<Value>) {
    if named.is_empty() || descent.depth == 0 {
        return (events, wire);
    }
    let groups = find_groups(service, connection, named, descent.all_children).await;
    let mut read = descend(top_execution, groups, descent, connection).await;
    let top = std::mem::take(&mut read.top);
    let mut out = (Vec::new(), Vec::new());
    flatten(events, wire, None, &top, &mut read.arena, &mut out);
    out
}

impl ChildrenRead {
    fn of(named: &[ChildRun], depth_read: usize) -> Self {
        ChildrenRead {
            read_with_depth: 1,
            started: Some(named.len()),
            map_runs: named.iter().filter(|c| c.kind == ChildKind::MapRun).count(),
            depth_read,
        }
    }
}

/// The runs behind each run named: a group each, or, when it cannot be listed, the
/// group with the reason. Found at most [`AT_ONCE`] at a time (a run's Map Runs are
/// listed at once), in the order named.
async fn find_groups<S: Service>(
    service: &S,
    connection: &Connection,
    named: Vec<ChildRun>,
    all: bool,
) -> Vec<(ChildGroup, Option<String>)> {
    let found: Vec<_> = futures_util::stream::iter(named)
        .map(|child| async move {
            let found = service.find_children(connection, &child, all).await;
            (child, found)
        })
        .buffered(AT_ONCE)
        .collect()
        .await;
    let mut groups = Vec::with_capacity(found.len());
    for (child, found) in found {
        match found {
            Ok(mut group) => {
                group.started_in = group.started_in.or_else(|| child.started_in.clone());
                groups.push((group, None))
            }
            Err(error) => {
                let what = match child.kind {
                    ChildKind::MapRun => {
                        format!("the child executions of Map Run {}", child.execution)
                    }
                    ChildKind::Listed => format!("the runs {} started", child.execution),
                    ChildKind::Run => child.execution.clone(),
                };
                say(&format!("histx: {what} could not be listed: {error:#}"));
                groups.push((
                    ChildGroup {
                        started_by: child.started_by.clone(),
                        started_in: child.started_in.clone(),
                        map_run: (child.kind == ChildKind::MapRun).then(|| child.execution.clone()),
                        failed_only: !all,
                        ..ChildGroup::default()
                    },
                    Some(format!("{error:#}")),
                ))
            }
        }
    }
    groups
}

/// Reads the runs of `groups` and, level after level, the runs they started, at most
/// [`AT_ONCE`] at a time, each once.
async fn descend(
    top_execution: String,
    groups: Vec<(ChildGroup, Option<String>)>,
    descent: &Descent,
    connection: &Connection,
) -> Read {
    // The children share the run's configuration (credentials, HTTP client); a child's
    // own region, from its ARN, is the one it is read in.
    let connection = &Connection {
        children: true,
        ..connection.clone()
    };
    let mut seen: HashSet<String> = HashSet::from([top_execution.clone()]);
    let mut read = Read {
        arena: Vec::new(),
        top: Vec::new(),
        levels: 0,
    };
    let mut queue: Vec<(usize, usize)> = Vec::new();
    let top = register(
        groups,
        &top_execution,
        1,
        &mut seen,
        &mut read.arena,
        &mut queue,
    );
    read.top = top;
    while !queue.is_empty() {
        let batch = std::mem::take(&mut queue);
        let level = batch.iter().map(|(_, level)| *level).max().unwrap_or(1);
        read.levels = read.levels.max(level);
        let reads: Vec<LocalBoxFuture<'_, (usize, usize, Fetched)>> = batch
            .into_iter()
            .map(|(slot, level)| {
                let run = read.arena[slot].run.clone();
                let deeper = level < descent.depth;
                let future: LocalBoxFuture<'_, (usize, usize, Fetched)> = Box::pin(async move {
                    (slot, level, fetch(run, descent, connection, deeper).await)
                });
                future
            })
            .collect();
        let mut results: Vec<(usize, usize, Fetched)> = futures_util::stream::iter(reads)
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        results.sort_by_key(|(slot, _, _)| *slot);
        for (slot, level, fetched) in results {
            if let Err(why) = &fetched.outcome {
                let run = &read.arena[slot];
                // A saved history without its run's name has no parent to name.
                let by = match run.parent_execution.as_str() {
                    "" => String::new(),
                    parent => format!(" (started by {parent})"),
                };
                say(&format!(
                    "histx: {}{by} could not be read: {why}",
                    run.run.execution
                ));
            }
            let parent_execution = match &fetched.outcome {
                Ok(whole) => whole.execution.clone(),
                Err(_) => read.arena[slot].run.execution.clone(),
            };
            let groups = register(
                fetched.groups,
                &parent_execution,
                level + 1,
                &mut seen,
                &mut read.arena,
                &mut queue,
            );
            let entry = &mut read.arena[slot];
            entry.outcome = fetched.outcome;
            entry.groups = groups;
        }
    }
    read
}

/// Gives each new run of `groups` a slot and a place in the queue; a run seen before
/// (a repeat, a cycle) is cut.
fn register(
    groups: Vec<(ChildGroup, Option<String>)>,
    parent_execution: &str,
    level: usize,
    seen: &mut HashSet<String>,
    arena: &mut Vec<Slot>,
    queue: &mut Vec<(usize, usize)>,
) -> Vec<Group> {
    groups
        .into_iter()
        .map(|(mut info, error)| {
            let runs = std::mem::take(&mut info.runs);
            let mut members = Vec::new();
            for mut run in runs {
                run.started_in = run.started_in.or_else(|| info.started_in.clone());
                if !seen.insert(run.execution.clone()) {
                    continue;
                }
                members.push(arena.len());
                queue.push((arena.len(), level));
                arena.push(Slot {
                    run,
                    parent_execution: parent_execution.to_string(),
                    outcome: Err("not read".to_string()),
                    groups: Vec::new(),
                });
            }
            Group {
                info,
                error,
                members,
            }
        })
        .collect()
}

/// Reads one child through its own service: the registry of services a run can start.
fn fetch<'a>(
    run: ChildRun,
    descent: &'a Descent,
    connection: &'a Connection,
    deeper: bool,
) -> LocalBoxFuture<'a, Fetched> {
    Box::pin(async move {
        match run.service {
            sfn::SERVICE => fetch_as::<Sfn>(&run, descent, connection, deeper).await,
            swf::SERVICE => fetch_as::<Swf>(&run, descent, connection, deeper).await,
            ssm::SERVICE => fetch_as::<Ssm>(&run, descent, connection, deeper).await,
            codepipeline::SERVICE => {
                fetch_as::<CodePipeline>(&run, descent, connection, deeper).await
            }
            other => Fetched::unreadable(format!("histx cannot read runs of '{other}'")),
        }
    })
}

/// The command line of a child: exactly what `histx <service> show` takes. The history
/// options are part of it (the service's own options refer to them, e.g. a conflict
/// with `--from`), but a child is read with its parent's.
#[derive(clap::Parser)]
#[command(no_binary_name = true)]
struct Target<A: clap::Args> {
    #[command(flatten)]
    args: A,
    #[command(flatten)]
    _history: crate::cli::HistoryArgs,
}

async fn fetch_as<S: Service>(
    run: &ChildRun,
    descent: &Descent,
    connection: &Connection,
    deeper: bool,
) -> Fetched {
    use clap::Parser;
    let args = match Target::<S::Args>::try_parse_from(&run.target) {
        Ok(target) => target.args,
        Err(error) => {
            let first = error.to_string();
            let first = first.lines().next().unwrap_or_default().to_string();
            return Fetched::unreadable(format!("not a {} run: {first}", S::NAME));
        }
    };
    let mut service = match S::new(args) {
        Ok(service) => service,
        Err(error) => return Fetched::unreadable(format!("{error:#}")),
    };
    let whole = engine::read_child(
        &mut service,
        connection,
        &descent.view,
        descent.needs,
        descent.keep_wire,
        descent.reverse,
    )
    .await;
    let mut whole = match whole {
        Ok(whole) => whole,
        Err(error) => return Fetched::unreadable(format!("{error:#}")),
    };
    let cut_short = whole.failed.take();
    if let Some(error) = &cut_short {
        say(&format!("histx: {}: {error:#}", run.execution));
    }
    // A child's run line has its status: from the status call when its records do not
    // say (SSM step pages), as `--exit-status` asks it for the run itself.
    if whole.report.summary.status.is_none() && cut_short.is_none() {
        if let Ok(state) = service.status(connection).await {
            let summary = &mut whole.report.summary;
            summary.status = Some(state.status);
            summary.start = summary.start.or(state.start);
            summary.end = state.end.or(summary.end);
            summary.duration_ms = match (summary.start, summary.end) {
                (Some(start), Some(end)) => Some(end.millis() - start.millis()),
                _ => summary.duration_ms,
            };
        }
    }
    let named = std::mem::take(&mut whole.named);
    if !named.is_empty() {
        whole.report.summary.children = Some(ChildrenRead {
            // A child at the last level read: one level more reads its children.
            read_with_depth: descent.depth.saturating_add(1),
            ..ChildrenRead::of(&named, usize::from(deeper))
        });
    }
    let groups = if deeper {
        find_groups(&service, connection, named, descent.all_children).await
    } else {
        Vec::new()
    };
    Fetched {
        outcome: Ok(Whole {
            report: whole.report,
            wire: whole.wire,
            execution: whole.execution,
        }),
        groups,
    }
}

/// Writes a line on stderr, escaped.
fn say(line: &str) {
    crate::terminal::progress::before_stderr_line();
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", crate::escape::terminal_safe(line));
}

/// The name people know a run by: an execution's name, a workflowId, an id.
fn short_name(run: &ChildRun) -> String {
    let execution = run.execution.as_str();
    let short = match run.service {
        sfn::SERVICE => execution.rsplit(':').next(),
        swf::SERVICE => execution.split('/').nth(1),
        _ => None,
    };
    short.unwrap_or(execution).to_string()
}

fn run_failed(slot: &Slot) -> bool {
    match &slot.outcome {
        Ok(whole) => {
            whole.report.summary.status.is_some_and(Status::is_failure)
                || (whole.report.summary.status.is_none() && whole.report.summary.failure.is_some())
        }
        Err(_) => true,
    }
}

/// Where a failed run's failure leads in the runs it started: the first group with an
/// unsuccessful run, its first failed run, and so on down.
fn root_cause(summary: &RunSummary, groups: &[Group], arena: &[Slot]) -> Option<ChildCause> {
    let failed = summary.status.is_some_and(Status::is_failure)
        || (summary.status.is_none() && summary.failure.is_some());
    if !failed {
        return None;
    }
    failing_group(summary, groups, arena).map(|group| group_cause(group, arena))
}

/// Of the groups a run started, the one its failure came from: the group the failing
/// state, step or action started (not one a caught failure started), else the first
/// that failed. The same rule at every level.
fn failing_group<'a>(
    summary: &RunSummary,
    groups: &'a [Group],
    arena: &[Slot],
) -> Option<&'a Group> {
    let failure = summary.failure.as_ref();
    let started_there = |group: &&&Group| {
        failure.is_some_and(|f| {
            (f.id.is_some() && f.id == group.info.started_by)
                || (f.name.is_some() && f.name == group.info.started_in)
        })
    };
    let failing: Vec<&Group> = groups
        .iter()
        .filter(|group| is_failing(group, arena))
        .collect();
    failing
        .iter()
        .find(started_there)
        .or(failing.first())
        .copied()
}

fn is_failing(group: &Group, arena: &[Slot]) -> bool {
    group.error.is_some()
        || group.info.counts.is_some_and(|c| c.unsuccessful() > 0)
        || group.members.iter().any(|&m| run_failed(&arena[m]))
}

fn group_cause(group: &Group, arena: &[Slot]) -> ChildCause {
    // The first to fail: the earliest started of those read, then those unreadable.
    let first = group
        .members
        .iter()
        .copied()
        .filter(|&m| run_failed(&arena[m]))
        .min_by_key(|&m| match &arena[m].outcome {
            Ok(whole) => (
                0,
                whole.report.summary.start.map_or(i64::MAX, |t| t.millis()),
            ),
            Err(_) => (1, 0),
        })
        .map(|m| run_cause(m, arena));
    match &group.info.map_run {
        Some(map_run) => {
            let failed_read = group
                .members
                .iter()
                .filter(|&&m| run_failed(&arena[m]))
                .count() as i64;
            // Neither counted nor listed: nothing to count.
            let counted = group.info.counts.is_some() || !group.members.is_empty();
            ChildCause {
                service: sfn::SERVICE,
                execution: map_run.clone(),
                name: map_run.rsplit(':').next().map(|id| format!("Map Run {id}")),
                status: Some(Status::Failed),
                unsuccessful_children: counted
                    .then(|| group.info.counts.map_or(failed_read, |c| c.unsuccessful())),
                total_children: counted.then(|| {
                    group
                        .info
                        .counts
                        .map_or(group.members.len() as i64, |c| c.total)
                }),
                unreadable: group.error.clone(),
                within: first.map(Box::new),
                ..ChildCause::default()
            }
        }
        None => first.unwrap_or_else(|| ChildCause {
            unreadable: group.error.clone(),
            ..ChildCause::default()
        }),
    }
}

fn run_cause(slot: usize, arena: &[Slot]) -> ChildCause {
    let entry = &arena[slot];
    let mut cause = ChildCause {
        service: entry.run.service,
        execution: entry.run.execution.clone(),
        name: Some(short_name(&entry.run)),
        ..ChildCause::default()
    };
    match &entry.outcome {
        Err(why) => cause.unreadable = Some(why.clone()),
        Ok(whole) => {
            let summary = &whole.report.summary;
            cause.status = summary.status;
            let failure = summary.failure.clone();
            cause.error = failure
                .as_ref()
                .and_then(|f| f.error.clone())
                .or_else(|| summary.error.clone());
            cause.cause = failure
                .as_ref()
                .and_then(|f| f.cause.clone())
                .or_else(|| summary.cause.clone());
            cause.failure = failure;
            cause.within = failing_group(summary, &entry.groups, arena)
                .map(|group| Box::new(group_cause(group, arena)));
        }
    }
    cause
}

/// Puts each group's runs under the node of `nodes` that started them (the deepest one
/// holding the starting event), else under the run's own node.
fn attach(nodes: &mut Vec<Node>, groups: &[Group], arena: &mut [Slot]) {
    for group in groups {
        let mut runs: Vec<Node> = group.members.iter().map(|&m| run_node(m, arena)).collect();
        if let Some(why) = &group.error {
            runs.push(Node {
                kind: NodeKind::ChildRun,
                name: group.info.map_run.clone(),
                annotations: crate::model::Annotations {
                    unreadable: Some(why.clone()),
                    ..Default::default()
                }
                .into(),
                ..Node::default()
            });
        }
        let placed: Vec<Node> = match &group.info.map_run {
            Some(map_run) => {
                let status = match group.info.counts {
                    Some(c) if c.unsuccessful() > 0 => Some(Status::Failed),
                    Some(c) if c.running + c.pending > 0 => Some(Status::Running),
                    Some(_) => Some(Status::Succeeded),
                    None => crate::model::group_node(NodeKind::MapRun, None, runs.clone()).status,
                };
                vec![Node {
                    kind: NodeKind::MapRun,
                    name: map_run.rsplit(':').next().map(str::to_string),
                    status,
                    annotations: crate::model::Annotations {
                        child_counts: group.info.counts.map(|c| (c, group.info.failed_only)),
                        ..Default::default()
                    }
                    .into(),
                    children: runs,
                    ..Node::default()
                }]
            }
            None => runs,
        };
        let target = group
            .info
            .started_by
            .as_ref()
            .and_then(|id| deepest_with(nodes, id));
        match target {
            Some(node) => node.children.extend(placed),
            None => match nodes.as_mut_slice() {
                [root] => root.children.extend(placed),
                _ => nodes.extend(placed),
            },
        }
    }
}

/// The deepest node that stands for event `id`.
fn deepest_with<'a>(nodes: &'a mut [Node], id: &EventId) -> Option<&'a mut Node> {
    for node in nodes.iter_mut() {
        let here = node.events.contains(id);
        let below = node.children.iter().any(|child| holds(child, id));
        if below {
            return deepest_with(&mut node.children, id);
        }
        if here {
            return Some(node);
        }
    }
    None
}

fn holds(node: &Node, id: &EventId) -> bool {
    node.events.contains(id) || node.children.iter().any(|child| holds(child, id))
}

/// A child's own tree under one run line (its status and duration), with what it
/// started under it in turn.
fn run_node(slot: usize, arena: &mut [Slot]) -> Node {
    let name = short_name(&arena[slot].run);
    let service = arena[slot].run.service;
    let mut node = match &mut arena[slot].outcome {
        Err(why) => Node {
            kind: NodeKind::ChildRun,
            name: Some(name),
            annotations: crate::model::Annotations {
                unreadable: Some(why.clone()),
                ..Default::default()
            }
            .into(),
            ..Node::default()
        },
        Ok(whole) => {
            let mut tree = std::mem::take(&mut whole.report.tree);
            let rooted = tree.len() == 1
                && matches!(
                    tree[0].kind,
                    NodeKind::Execution | NodeKind::Workflow | NodeKind::PipelineExecution
                );
            if rooted {
                let mut root = tree.pop().expect("one node");
                root.name = root.name.or(Some(name));
                root
            } else {
                let summary = &whole.report.summary;
                Node {
                    kind: NodeKind::ChildRun,
                    name: Some(name),
                    type_label: Some(service.to_string()),
                    status: summary.status,
                    start: summary.start,
                    end: summary.end,
                    error: summary.error.clone(),
                    cause: summary.cause.clone(),
                    children: tree,
                    ..Node::default()
                }
            }
        }
    };
    let groups = std::mem::take(&mut arena[slot].groups);
    let mut nodes = vec![node];
    attach(&mut nodes, &groups, arena);
    arena[slot].groups = groups;
    node = nodes.pop().expect("one node");
    node
}

/// The children as table sections, depth first, each after its parent.
fn sections(groups: &[Group], arena: &mut [Slot], out: &mut Vec<ChildSection>) {
    for group in groups {
        for &member in &group.members {
            let outcome = std::mem::replace(&mut arena[member].outcome, Err(String::new()));
            let entry = &arena[member];
            out.push(ChildSection {
                execution: entry.run.execution.clone(),
                parent_execution: entry.parent_execution.clone(),
                started_by: entry.run.started_by.clone(),
                started_in: entry.run.started_in.clone(),
                report: outcome.map(|whole| whole.report),
            });
            let below = std::mem::take(&mut arena[member].groups);
            sections(&below, arena, out);
        }
    }
}

/// Writes `events` (and `wire`, aligned with them when kept) into `out`, each group's
/// runs after the record that started it; the rest of the groups at the end.
fn flatten(
    events: Vec<Event>,
    wire: Vec<Value>,
    parent_execution: Option<&str>,
    groups: &[Group],
    arena: &mut [Slot],
    out: &mut (Vec<Event>, Vec<Value>),
) {
    let mut emitted = vec![false; groups.len()];
    let mut wire = wire.into_iter();
    for mut event in events {
        event.parent_execution = parent_execution
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        let id = event.id.clone();
        out.0.push(event);
        out.1.extend(wire.next());
        for (at, group) in groups.iter().enumerate() {
            if !emitted[at] && id.is_some() && group.info.started_by == id {
                emitted[at] = true;
                emit(group, arena, out);
            }
        }
    }
    for (at, group) in groups.iter().enumerate() {
        if !emitted[at] {
            emit(group, arena, out);
        }
    }
}

fn emit(group: &Group, arena: &mut [Slot], out: &mut (Vec<Event>, Vec<Value>)) {
    for &member in &group.members {
        let outcome = std::mem::replace(&mut arena[member].outcome, Err(String::new()));
        let Ok(whole) = outcome else { continue };
        let parent = arena[member].parent_execution.clone();
        let below = std::mem::take(&mut arena[member].groups);
        flatten(
            whole.report.events,
            whole.wire,
            Some(&parent),
            &below,
            arena,
            out,
        );
    }
}

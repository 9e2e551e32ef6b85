//! The tree node: one line of `-o tree` as data. Each service builds its run's nodes
//! (`services/*/tree.rs`); `render::tree` draws them and makes all of their text. A node
//! says what it is ([`NodeKind`]), its name and the service's type label, and carries its
//! annotations as values (where a Catch led, which attempt it is), never as prose.

use super::{Event, EventId, Status, Timestamp};
use serde_json::Value;

/// One line of `-o tree`: a run, a state, step, activity, action, branch or iteration,
/// with what ran inside it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// The node's own name (a state, step, stage or action name, a workflowId); `None`
    /// for the nodes known by their number (a branch, an iteration) or by their type.
    pub name: Option<String>,
    /// The service's own word for what ran: a state type (`Task`, `Map`), an event type,
    /// a step action (`aws:executeScript`), an action's `category/provider`.
    pub type_label: Option<String>,
    pub status: Option<Status>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// From `start` until this time the span waited rather than worked (`-o timeline`
    /// draws that part apart): an SWF task or a Step Functions activity queued until a
    /// worker took it, a Wait state, a timer, a manual approval (the whole span). `None`:
    /// it worked from its start.
    pub waiting_until: Option<Timestamp>,
    /// Most nodes have none: held apart, only when one is set (see [`Annotated`]).
    pub annotations: Annotated,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// The events this node stands for (for filters and `--failed`).
    pub events: Vec<EventId>,
    pub children: Vec<Node>,
}

/// What a node stands for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NodeKind {
    /// A Step Functions execution, or an SSM automation whose own record was read: the
    /// root of its tree.
    Execution,
    /// An SWF workflow run: the root of its tree.
    Workflow,
    /// A Step Functions state.
    State,
    /// A Parallel state's branch, numbered from 1.
    Branch { number: usize },
    /// A Map state's or an SSM loop's iteration, by the index the service gives it.
    Iteration { index: i64 },
    /// One try at a Task's work or a CodePipeline action, numbered from 1.
    Attempt { number: usize },
    /// An SWF decision task, numbered from 1.
    Decision { number: usize },
    /// Something an SWF decision started, with its events folded in.
    Work(Work),
    /// A signal sent to an SWF run.
    Signal,
    /// An SSM Automation step.
    Step,
    /// A CodePipeline pipeline execution.
    PipelineExecution,
    /// A CodePipeline stage.
    Stage,
    /// A CodePipeline action.
    Action,
    /// A Distributed Map's Map Run: the child executions it started (`--depth`).
    MapRun,
    /// A run another run started, read with `--depth`, whose tree is not rooted in a run
    /// node of its own (SSM steps).
    ChildRun,
    /// One event on its own.
    #[default]
    Event,
}

/// What an SWF decision started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    Activity,
    Timer,
    Marker,
    Lambda,
    ChildWorkflow,
    /// A signal to another workflow.
    Signal,
    /// A request to cancel another workflow.
    CancelRequest,
}

/// What a tree line says after a node's status and duration. Each is shown when set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annotations {
    /// An SWF run's workflow type, `name/version`, when it is not already its name.
    pub workflow_type: Option<String>,
    /// The value an SSM loop iteration ran for (its IteratorValue).
    pub item: Option<String>,
    /// The Distributed Map run a Map state started (its mapRunArn).
    pub map_run: Option<String>,
    /// The service's own one-line account of the outcome (shown instead of `resource`).
    pub summary: Option<String>,
    /// What the node called: a Lambda function, an activity, a step action, a provider.
    pub resource: Option<String>,
    /// The id the SWF work goes by, or the workflow at the other end of it.
    pub reference: Option<Reference>,
    /// An SWF marker's details.
    pub payload: Option<Value>,
    /// An SWF activity whose cancellation the decider asked for.
    pub cancel_requested: bool,
    /// Which schedule of the same SWF activityId this is: (number, of how many).
    pub attempt: Option<(usize, usize)>,
    /// How many times a retried CodePipeline action ran.
    pub attempts: Option<usize>,
    /// The state a Step Functions Catch led to, after this state failed.
    pub caught_to: Option<String>,
    /// The run an SWF run continued as (its newExecutionRunId).
    pub continued_as: Option<String>,
    /// A Map Run's child executions by status, and whether only the unsuccessful ones
    /// were read (`--depth`).
    pub child_counts: Option<(super::ChildCounts, bool)>,
    /// Why a run this run started could not be read (`--depth`).
    pub unreadable: Option<String>,
    /// Identical failures folded into this node (`model::fold`): how many, and the
    /// gaps between them.
    pub repeats: Option<super::fold::Repeats>,
    /// The end of the last of the folded attempts.
    pub last_end: Option<Timestamp>,
    /// This line stands for a folded loop's other iterations (`model::fold`).
    pub rest: Option<super::fold::Rest>,
    /// A node below this one failed as this one did: the failure's details are shown
    /// there, where it happened.
    pub failure_below: bool,
}

/// A node's [`Annotations`], allocated only once one is set: most nodes of a big run (a
/// Pass state, an iteration) have none, and the annotations take twice what the rest of
/// a node does. Reads see the empty annotations when there are none.
#[derive(Debug, Clone, Default)]
pub struct Annotated(Option<Box<Annotations>>);

/// None and the empty annotations are the same.
impl PartialEq for Annotated {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// What a node without annotations reads.
static NO_ANNOTATIONS: Annotations = Annotations {
    workflow_type: None,
    item: None,
    map_run: None,
    summary: None,
    resource: None,
    reference: None,
    payload: None,
    cancel_requested: false,
    attempt: None,
    attempts: None,
    caught_to: None,
    continued_as: None,
    child_counts: None,
    unreadable: None,
    repeats: None,
    last_end: None,
    rest: None,
    failure_below: false,
};

impl std::ops::Deref for Annotated {
    type Target = Annotations;

    fn deref(&self) -> &Annotations {
        self.0.as_deref().unwrap_or(&NO_ANNOTATIONS)
    }
}

impl std::ops::DerefMut for Annotated {
    fn deref_mut(&mut self) -> &mut Annotations {
        self.0.get_or_insert_with(Box::default)
    }
}

impl From<Annotations> for Annotated {
    fn from(annotations: Annotations) -> Self {
        Annotated((annotations != NO_ANNOTATIONS).then(|| Box::new(annotations)))
    }
}

/// The id SWF work goes by, or the other workflow it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    ActivityId(String),
    LambdaId(String),
    /// The child workflow's workflowId.
    ChildWorkflowId(String),
    /// The workflowId a signal was sent to.
    SignalTo(String),
    /// The workflowId a signal came from.
    SignalFrom(String),
}

impl Node {
    pub fn duration_ms(&self) -> Option<i64> {
        Some(self.end?.millis() - self.start?.millis())
    }

    /// True when this node or one below it failed.
    pub fn has_failure(&self) -> bool {
        self.status.is_some_and(Status::is_failure) || self.children.iter().any(Node::has_failure)
    }
}

/// A node that stands for a group of nodes (a loop iteration, a stage, a pipeline
/// execution): it spans its children, failed if one of them did, running while one is.
pub fn group_node(kind: NodeKind, name: Option<String>, children: Vec<Node>) -> Node {
    let failed = children
        .iter()
        .find(|child| child.has_failure())
        .map(|child| {
            child
                .status
                .filter(|s| s.is_failure())
                .unwrap_or(Status::Failed)
        });
    let unfinished = children.iter().any(|child| {
        matches!(
            child.status,
            Some(Status::Running | Status::Started | Status::Scheduled | Status::Pending)
        )
    });
    let status = match (failed, unfinished) {
        (Some(failed), _) => Some(failed),
        (None, true) => Some(Status::Running),
        (None, false) => children.last().and_then(|child| child.status),
    };
    Node {
        kind,
        name,
        status,
        start: children.iter().filter_map(|c| c.start).min(),
        end: children.iter().filter_map(|c| c.end).max(),
        children,
        ..Node::default()
    }
}

/// A node that stands for one event: named after it, typed with its type, annotated
/// with its summary and resource.
pub fn flat_node(event: &Event) -> Node {
    Node {
        kind: NodeKind::Event,
        name: event.name.clone(),
        type_label: Some(event.kind.clone()).filter(|kind| !kind.is_empty()),
        status: Some(event.status),
        start: event.time,
        end: event.end_time,
        waiting_until: None,
        annotations: Annotations {
            summary: event.summary.clone(),
            resource: event.resource.clone(),
            ..Annotations::default()
        }
        .into(),
        error: event.error.clone(),
        cause: event.cause.clone(),
        events: event.id.iter().cloned().collect(),
        children: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node without annotations holds no room for them: a tree of 12,500 states is
    /// held twice while it is assembled (issue 17's memory goal).
    #[test]
    fn a_node_without_annotations_is_small() {
        assert!(
            std::mem::size_of::<Node>() <= 240,
            "{}",
            std::mem::size_of::<Node>()
        );
        let mut node = Node::default();
        assert_eq!(node.annotations.map_run, None, "reads as empty");
        assert!(node.annotations.0.is_none());
        node.annotations.map_run = Some("m".into());
        assert_eq!(node.annotations.map_run.as_deref(), Some("m"));
        let empty: Annotated = Annotations::default().into();
        assert!(empty.0.is_none(), "the empty annotations take no room");
        assert_eq!(empty, Annotated(Some(Box::default())));
    }
}

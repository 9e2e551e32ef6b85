//! Simple Workflow Service: `histx swf --domain D <workflow-id> [--run-id R]`, from
//! `GetWorkflowExecutionHistory`.
//!
//! **Which run.** With `--run-id` that run; without it the workflow's open run, else its
//! most recently started closed one (ListOpenWorkflowExecutions and
//! ListClosedWorkflowExecutions, filtered by workflowId, from the epoch to now, since SWF
//! keeps closed runs for the domain's retention period). Among several candidates the one
//! with the latest startTimestamp wins, then the greatest runId; the choice is printed on
//! stderr as one line.
//!
//! **Pages.** `maximumPageSize` is left unset, so the service returns 1000 events a page:
//! a set value is capped at 100 by the API. It is only sent when the user chose
//! `--page-size`, or when the engine's pager ([`TokenPager`]) asks for 100 events or fewer
//! (the last page of a small `--limit`): see [`maximum_page_size`]. Pages are read from the wire JSON (through
//! [`WireTap`]), so event types and fields newer than the SDK survive into `-o raw` and
//! `details`.
//!
//! **Normalized events** (the JSON lines contract for SWF):
//! - `id` eventId, `time` eventTimestamp, `type` eventType, `execution`
//!   `domain/workflowId/runId`.
//! - `status` from the type, by suffix so newer types are mapped too (see [`status_of`]):
//!   `*Scheduled` and `*Initiated` scheduled, `*Started` started, `*Completed`, `TimerFired`,
//!   `External*Signaled`, `ExternalWorkflowExecutionCancelRequested` and
//!   `WorkflowExecutionContinuedAsNew` (the run closed normally, handing over to a new run)
//!   succeeded, `*Failed` failed, `*TimedOut` timed_out, `*Canceled`/`*Cancelled` cancelled,
//!   `*Terminated` aborted; `*CancelRequested` (a request the decider may act on; the outcome
//!   is a later `*Canceled` event), `WorkflowExecutionSignaled`, `MarkerRecorded` and
//!   unknown types info.
//! - `name` is a label built from the event's own fields, which stay in `details` too:
//!   `Type/version (activityId id)` for activities, `Type/version (workflowId id)` for child
//!   workflows, the workflow type for the run's own start and continue-as-new, `signal
//!   (workflowId id)` or the signal name, `function (id id)` for Lambda functions, the marker
//!   name, the timer id. An event that only refers to another (ActivityTaskCompleted to its
//!   ActivityTaskScheduled, through scheduledEventId, initiatedEventId or startedEventId)
//!   takes that event's name when it has been seen (the same page, or an earlier one); a
//!   bare activityId or workflowId is the last resort.
//! - `parent_id`, the most direct cause: the first non-zero of startedEventId,
//!   scheduledEventId, initiatedEventId, decisionTaskCompletedEventId (the others stay in
//!   `details`). externalInitiatedEventId and parentInitiatedEventId are ids in another
//!   execution's history, so they stay in `details`.
//! - `error`, `cause` on failed, timed-out and terminated events: `error` is the service's
//!   code (`cause`, else `timeoutType`, else `reason`), `cause` the explanation (`reason`,
//!   else `message`, else `details`).
//! - `input` is `input`; `output` is `result`, or `details` on other events (a marker's
//!   data, a cancellation's details); strings holding JSON are decoded.
//! - `details`: every other field of the event and of its `*EventAttributes` object,
//!   flattened, with the service's own names.

mod api;
mod list;
mod normalize;
mod tree;

pub use api::*;
pub use list::ListArgs;
pub use normalize::*;

use crate::aws::{self, Connection};
use crate::exit::UsageError;
use crate::model::Status;
use crate::model::{Event, Node, RunSummary};
use crate::services::{
    ChildRun, FromNewest, Notices, ReadPlan, RunListing, RunQuery, RunState, Service, Turn, Watch,
};
use crate::source::pager::TokenPager;
use crate::source::saved::SavedShape;
use crate::source::two_chains::TwoChains;
use crate::source::BoxedSource;
use crate::wire::as_i64;
use anyhow::Result;
use serde_json::Value;

pub const SERVICE: &str = "swf";

/// A `maximumPageSize` that is set is capped at this (the API reference says so).
pub const SET_PAGE_SIZE_CAP: usize = 100;

/// `histx swf show` arguments of its own.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Without --run-id, histx shows the workflow's open run, else its most recently \
started closed run, and says on stderr which run it chose.\n\n\
Page size: SWF returns 1000 events a page when no page size is sent, but caps a page size \
that is set at 100. histx sends none unless --page-size is given (1 to 1000, served as at \
most 100) or --limit needs 100 events or fewer."
)]
pub struct Args {
    /// The workflow execution's workflowId, or DOMAIN/WORKFLOW_ID/RUN_ID (a listing
    /// record's `execution`) for one run. With --from it is optional and only labels the
    /// events.
    #[arg(value_name = "WORKFLOW_ID")]
    pub workflow_id: Option<String>,

    /// The SWF domain the workflow runs in.
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,

    /// The run to show [default: the workflow's open run, else its most recently started
    /// closed run].
    #[arg(long, value_name = "RUN_ID")]
    pub run_id: Option<String>,

    #[command(flatten)]
    pub run: crate::cli::RunChoice,
}

impl Args {
    /// DOMAIN/WORKFLOW_ID/RUN_ID, as a listing names a run, split into its parts (a
    /// workflowId and a domain cannot hold `/`).
    fn split_execution(&mut self) -> Result<(), UsageError> {
        let Some(given) = self.workflow_id.clone() else {
            return Ok(());
        };
        if !given.contains('/') {
            return Ok(());
        }
        let parts: Vec<&str> = given.splitn(3, '/').collect();
        let [domain, workflow_id, run_id] = parts[..] else {
            return Err(UsageError::new(format!(
                "'{}': a workflowId holds no '/'; expected WORKFLOW_ID or DOMAIN/WORKFLOW_ID/RUN_ID",
                crate::escape::echo(&given)
            )));
        };
        if self.run_id.is_some() || self.domain.as_deref().is_some_and(|d| d != domain) {
            return Err(UsageError::new(
                "DOMAIN/WORKFLOW_ID/RUN_ID names one run: leave out --run-id (and --domain, or give the same one)",
            ));
        }
        self.domain = Some(domain.to_string());
        self.workflow_id = Some(workflow_id.to_string());
        self.run_id = Some(run_id.to_string());
        Ok(())
    }

    /// Rejects empty names before any request.
    fn check(&self) -> Result<(), UsageError> {
        let fields = [
            ("--domain", &self.domain),
            ("the workflow id", &self.workflow_id),
            ("--run-id", &self.run_id),
        ];
        for (what, value) in fields {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(UsageError::new(format!("{what} is empty")));
            }
        }
        if self.run_id.is_some() && self.workflow_id.is_none() {
            return Err(UsageError::new(
                "--run-id needs the WORKFLOW_ID it is a run of",
            ));
        }
        if self.run_id.is_some() && !self.run.run_statuses.is_empty() {
            return Err(UsageError::new(
                "--run-status picks the newest run with that status: not with a run id",
            ));
        }
        Ok(())
    }

    /// The `execution` label for events read from a file: as much of
    /// `domain/workflowId/runId` as was given, if at least the domain and workflow are.
    fn saved_label(&self) -> Option<String> {
        let (domain, workflow_id) = (self.domain.as_ref()?, self.workflow_id.as_ref()?);
        Some(match &self.run_id {
            Some(run_id) => format!("{domain}/{workflow_id}/{run_id}"),
            None => format!("{domain}/{workflow_id}"),
        })
    }
}

/// A running workflow run, as follow mode polls it.
struct Watched {
    client: aws_sdk_swf::Client,
    execution: Execution,
    run_id_given: bool,
    /// The run followed, for the normalizer's labels.
    followed: RunLabel,
}

impl Watch for Watched {
    fn status(
        &mut self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<RunState>> + '_>> {
        Box::pin(describe_workflow_execution(&self.client, &self.execution))
    }

    /// Pages of 1000 events: no page size is sent (a set one is capped at 100).
    fn newest_first(&mut self) -> BoxedSource {
        let api = LiveHistory {
            client: self.client.clone(),
            execution: self.execution.clone(),
            reverse: true,
            page_size_chosen: false,
            run_id_given: self.run_id_given,
        };
        Box::new(TokenPager::new(api, <Swf as Service>::MAX_PAGE_SIZE))
    }

    /// The run's closing events; `WorkflowExecutionContinuedAsNew` hands over to the
    /// run in its `newExecutionRunId`.
    fn turn(&self, record: &Value) -> Option<Turn> {
        match record.get("eventType")?.as_str()? {
            "WorkflowExecutionContinuedAsNew" => {
                let successor = record
                    .get("workflowExecutionContinuedAsNewEventAttributes")?
                    .get("newExecutionRunId")?
                    .as_str()?;
                Some(Turn::ContinuedAs(successor.to_string()))
            }
            "WorkflowExecutionCompleted"
            | "WorkflowExecutionFailed"
            | "WorkflowExecutionTimedOut"
            | "WorkflowExecutionTerminated"
            | "WorkflowExecutionCanceled" => Some(Turn::Ended),
            _ => None,
        }
    }

    /// The history ends with one of the records [`Watch::turn`] reads.
    fn closes(&self) -> bool {
        true
    }

    /// The same workflow's new run (same domain and workflowId).
    fn follow_into(&mut self, successor: &str) -> Result<String> {
        let line = format!(
            "histx: run {} continued as new run {successor}; following it",
            self.execution.run_id
        );
        self.execution.run_id = successor.to_string();
        *self.followed.borrow_mut() = Some(self.execution.label());
        Ok(crate::escape::terminal_safe(&line).into_owned())
    }
}

/// SWF, for one workflow run.
pub struct Swf {
    args: Args,
    /// The run shown, once found (live), or as much of it as the command line names.
    label: Option<String>,
    /// The run and a client, once found, for the requests that follow.
    found: Option<(aws_sdk_swf::Client, Execution)>,
    /// Which run was chosen, for the engine to say.
    notices: Notices,
    /// The run followed (it moves on when a run continues as new).
    followed: RunLabel,
}

impl Swf {
    /// The run to read and a client: with `--run-id` that run, else the one
    /// [`find_run`] chooses (said once on stderr).
    async fn found(&mut self, connection: &Connection) -> Result<(aws_sdk_swf::Client, Execution)> {
        if let Some(found) = &self.found {
            return Ok(found.clone());
        }
        let args = &self.args;
        let (Some(domain), Some(workflow_id)) = (args.domain.clone(), args.workflow_id.clone())
        else {
            return Err(UsageError::new(
                "`histx swf` needs --domain DOMAIN and a WORKFLOW_ID, or --from FILE",
            )
            .into());
        };
        let config = aws::load_config(connection, None).await?;
        let client = crate::reader_client!(aws_sdk_swf, &config);
        let run_id = match &args.run_id {
            Some(run_id) => run_id.clone(),
            None if !args.run.run_statuses.is_empty() => {
                let statuses: Vec<Status> = args.run.run_statuses.clone();
                let (run_id, line) =
                    list::newest_with_status(&client, &domain, &workflow_id, &statuses).await?;
                self.notices.say(line);
                run_id
            }
            None => {
                let choice = find_run(&client, &domain, &workflow_id).await?;
                self.notices.say(choice.describe());
                choice.run.run_id
            }
        };
        let execution = Execution {
            domain,
            workflow_id,
            run_id,
        };
        self.label = Some(execution.label());
        *self.followed.borrow_mut() = self.label.clone();
        self.found = Some((client.clone(), execution.clone()));
        Ok((client, execution))
    }
}

impl Service for Swf {
    const NAME: &'static str = SERVICE;
    /// The largest `maximumPageSize` the API accepts, and what it returns when none is set.
    const MAX_PAGE_SIZE: usize = 1000;
    /// What saved GetWorkflowExecutionHistory output looks like (the API's and
    /// `aws swf get-workflow-execution-history`'s).
    const SAVED_SHAPE: SavedShape = SavedShape {
        service: SERVICE,
        history: "SWF history",
        events_key: "events",
        event_marker: "eventType",
        run_key: None,
        what: "GetWorkflowExecutionHistory output (an object with \"events\")",
    };

    type Args = Args;
    type ListArgs = ListArgs;
    type Normalizer = SwfNormalizer;

    fn new(mut args: Args) -> Result<Self> {
        args.split_execution()?;
        args.check()?;
        let label = args.saved_label();
        Ok(Swf {
            args,
            label,
            found: None,
            notices: Notices::default(),
            followed: RunLabel::default(),
        })
    }

    fn notices(&self) -> Notices {
        self.notices.clone()
    }

    /// ListOpenWorkflowExecutions and ListClosedWorkflowExecutions, merged.
    async fn list_runs(
        args: ListArgs,
        connection: &Connection,
        query: &RunQuery,
    ) -> Result<RunListing> {
        list::check_names(&args)?;
        let config = aws::load_config(connection, None).await?;
        let client = crate::reader_client!(aws_sdk_swf, &config);
        Ok(list::runs(
            &client,
            &args.domain,
            args.workflow_id.as_deref(),
            query,
        ))
    }

    fn normalizer(&self) -> SwfNormalizer {
        SwfNormalizer::new(self.label.clone()).following(self.followed.clone())
    }

    /// Finds the run when `--run-id` is not given (and says on stderr which it chose),
    /// then reads its history.
    async fn live(&mut self, connection: &Connection, read: ReadPlan) -> Result<BoxedSource> {
        let (client, execution) = self.found(connection).await?;
        let run_id_given = self.args.run_id.is_some();
        let api = |reverse| LiveHistory {
            client: client.clone(),
            execution: execution.clone(),
            reverse,
            page_size_chosen: read.page_size_chosen,
            run_id_given,
        };
        if read.whole {
            return Ok(Box::new(TwoChains::new(
                api(read.reverse),
                api(!read.reverse),
                read.page_size,
                Self::history_order,
                read.reverse,
            )));
        }
        Ok(Box::new(TokenPager::new(api(read.reverse), read.page_size)))
    }

    const FOLLOWS: bool = true;

    /// DescribeWorkflowExecution, and GetWorkflowExecutionHistory newest first. A run
    /// that continued as new is followed into the new run (newExecutionRunId), and so on
    /// until one closes otherwise.
    async fn watch(&mut self, connection: &Connection) -> Result<Box<dyn Watch>> {
        let (client, execution) = self.found(connection).await?;
        Ok(Box::new(Watched {
            client,
            execution,
            run_id_given: self.args.run_id.is_some(),
            followed: self.followed.clone(),
        }))
    }

    /// DescribeWorkflowExecution.
    async fn status(&mut self, connection: &Connection) -> Result<RunState> {
        let (client, execution) = self.found(connection).await?;
        describe_workflow_execution(&client, &execution).await
    }

    /// Event ids, contiguous from 1.
    fn history_order(record: &Value) -> Option<i64> {
        record.get("eventId").and_then(as_i64)
    }

    fn summary(&self, events: &[Event]) -> RunSummary {
        tree::summary(events)
    }

    /// GetWorkflowExecutionHistory newest first, for a cheap `--summary` (pages as the
    /// read asks for them).
    async fn newest_first(
        &mut self,
        connection: &Connection,
        read: ReadPlan,
    ) -> Result<Option<BoxedSource>> {
        let (client, execution) = self.found(connection).await?;
        let api = LiveHistory {
            client: client.clone(),
            execution: execution.clone(),
            reverse: true,
            page_size_chosen: read.page_size_chosen,
            run_id_given: self.args.run_id.is_some(),
        };
        Ok(Some(Box::new(TokenPager::new(api, read.page_size))))
    }

    /// See [`tree::summary_of_newest`].
    fn summary_of_newest(&self, newest: &[Event], state: &RunState) -> FromNewest {
        tree::summary_of_newest(newest, state)
    }

    /// The run, its decision tasks, and the work each decision started (see [`tree`]),
    /// labelled with the workflowId when it is known.
    fn tree(&self, events: &[Event], summary: &RunSummary) -> Vec<Node> {
        let workflow_id = self
            .label
            .as_deref()
            .and_then(|label| label.split('/').nth(1));
        tree::tree(events, workflow_id, summary)
    }

    /// Child workflows: each `ChildWorkflowExecutionStarted`'s workflowExecution, in
    /// this run's domain.
    fn children(&self, events: &[Event]) -> Vec<ChildRun> {
        let domain = self
            .found
            .as_ref()
            .map(|(_, execution)| execution.domain.clone())
            .or_else(|| self.args.domain.clone());
        let Some(domain) = domain else {
            return Vec::new();
        };
        let mut found: Vec<ChildRun> = Vec::new();
        for event in events
            .iter()
            .filter(|e| e.kind == "ChildWorkflowExecutionStarted")
        {
            let Some(execution) = event.details.get("workflowExecution") else {
                continue;
            };
            let text = |key: &str| execution.get(key)?.as_str().map(str::to_string);
            let (Some(workflow_id), Some(run_id)) = (text("workflowId"), text("runId")) else {
                continue;
            };
            let label = format!("{domain}/{workflow_id}/{run_id}");
            if found.iter().any(|c| c.execution == label) {
                continue;
            }
            let target = ["--domain", &domain, "--run-id", &run_id, "--", &workflow_id]
                .map(str::to_string)
                .to_vec();
            found.push(ChildRun::run(SERVICE, label, target, event.id.clone()));
        }
        found
    }
}

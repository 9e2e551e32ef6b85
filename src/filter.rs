//! The filters every service and every output format share: `--type`, `--name`,
//! `--status`, `--since`, `--until` and `--failed`. They apply to normalized events (and
//! to the tree built from them), in this one place, after normalization.

use crate::model::{Event, EventId, Node, Status, Timestamp};
use std::collections::HashSet;

/// What to keep, from the command line. Empty lists keep everything.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Event types, as shell globs (`Task*`, `*Failed`); any may match.
    pub types: Vec<glob::Pattern>,
    /// State, step or action names, as shell globs; any may match.
    pub names: Vec<glob::Pattern>,
    pub statuses: Vec<Status>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl EventFilter {
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
            && self.names.is_empty()
            && self.statuses.is_empty()
            && self.since.is_none()
            && self.until.is_none()
    }

    /// The filters as the command line gave them, for the line that says they matched
    /// nothing: `--name 'charge*' --status failed`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(
            self.types
                .iter()
                .map(|p| format!("--type '{}'", p.as_str())),
        );
        parts.extend(
            self.names
                .iter()
                .map(|p| format!("--name '{}'", p.as_str())),
        );
        parts.extend(
            self.statuses
                .iter()
                .map(|s| format!("--status {}", s.as_str())),
        );
        parts.extend(self.since.map(|t| format!("--since {}", t.to_rfc3339())));
        parts.extend(self.until.map(|t| format!("--until {}", t.to_rfc3339())));
        parts.join(" ")
    }

    pub fn matches(&self, event: &Event) -> bool {
        (self.types.is_empty() || self.types.iter().any(|p| p.matches(&event.kind)))
            && (self.names.is_empty()
                || event
                    .name
                    .as_deref()
                    .is_some_and(|n| self.names.iter().any(|p| p.matches(n))))
            && (self.statuses.is_empty() || self.statuses.contains(&event.status))
            && self
                .since
                .is_none_or(|since| event.time.is_some_and(|t| t >= since))
            && self
                .until
                .is_none_or(|until| event.time.is_some_and(|t| t <= until))
    }
}

/// Keeps the nodes that hold a kept event, and their ancestors.
pub fn prune_tree(nodes: Vec<Node>, keep: &dyn Fn(&Node) -> bool) -> Vec<Node> {
    nodes
        .into_iter()
        .filter_map(|mut node| {
            node.children = prune_tree(std::mem::take(&mut node.children), keep);
            (keep(&node) || !node.children.is_empty()).then_some(node)
        })
        .collect()
}

/// The failing path: failed nodes and their ancestors. A try that a retry made good is
/// on it too: a node that succeeded does not mean all below it did (an SWF decision task
/// completes though the activity it started fails), and flaky retries are worth seeing.
pub fn failing_path(nodes: Vec<Node>) -> Vec<Node> {
    prune_tree(nodes, &|node| node.status.is_some_and(Status::is_failure))
}

/// The ids of every event a tree stands for.
pub fn event_ids(nodes: &[Node]) -> HashSet<EventId> {
    let mut ids = HashSet::new();
    let mut stack: Vec<&Node> = nodes.iter().collect();
    while let Some(node) = stack.pop() {
        ids.extend(node.events.iter().cloned());
        stack.extend(node.children.iter());
    }
    ids
}

/// Parses `--since`/`--until`: RFC 3339 (`2026-03-14T09:00:00Z`, offsets allowed) or a
/// time relative to now (`90s`, `10m`, `2h`, `3d`, `1w`).
pub fn parse_time(text: &str) -> Result<Timestamp, String> {
    parse_time_at(text, jiff::Timestamp::now().as_millisecond())
}

fn parse_time_at(text: &str, now_millis: i64) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Some(ago) = relative_millis(text) {
        return Ok(Timestamp(now_millis - ago));
    }
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(Timestamp(t.as_millisecond()));
    }
    Err(format!(
        "'{text}' is neither an RFC 3339 time (2026-03-14T09:00:00Z) nor a time ago (90s, 10m, 2h, 3d, 1w)"
    ))
}

/// `90s`, `10m`, `2h`, `3d`, `1w`, `500ms`: milliseconds. Also the durations of the
/// command line (`--read-timeout 30s`).
pub(crate) fn relative_millis(text: &str) -> Option<i64> {
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(unit_at);
    let number: i64 = number.parse().ok()?;
    let unit_millis = match unit {
        "ms" => 1,
        "s" | "sec" | "secs" => 1_000,
        "m" | "min" | "mins" => 60_000,
        "h" | "hour" | "hours" => 3_600_000,
        "d" | "day" | "days" => 86_400_000,
        "w" | "week" | "weeks" => 604_800_000,
        _ => return None,
    };
    number.checked_mul(unit_millis)
}

/// Parses a `--type`/`--name` glob.
pub fn parse_glob(text: &str) -> Result<glob::Pattern, String> {
    glob::Pattern::new(text).map_err(|e| format!("'{text}' is not a valid pattern: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NodeKind;

    fn event(kind: &str, name: Option<&str>, status: Status, millis: i64) -> Event {
        let mut e = Event::new("sfn", kind, status);
        e.name = name.map(str::to_string);
        e.time = Some(Timestamp(millis));
        e
    }

    #[test]
    fn every_criterion_must_match() {
        let failed = event("TaskFailed", Some("ChargeCard"), Status::Failed, 5_000);
        let entered = event(
            "TaskStateEntered",
            Some("ChargeCard"),
            Status::Started,
            1_000,
        );
        let filter = EventFilter {
            types: vec![parse_glob("Task*").unwrap()],
            names: vec![parse_glob("Charge*").unwrap()],
            statuses: vec![Status::Failed],
            since: Some(Timestamp(2_000)),
            until: None,
        };
        assert!(filter.matches(&failed));
        assert!(!filter.matches(&entered));
        assert!(EventFilter::default().matches(&entered));
        let unnamed = EventFilter {
            names: vec![parse_glob("*").unwrap()],
            ..EventFilter::default()
        };
        assert!(!unnamed.matches(&event("ExecutionStarted", None, Status::Started, 0)));
    }

    #[test]
    fn times_are_absolute_or_ago() {
        let now = 1_000_000_000;
        assert_eq!(parse_time_at("10m", now), Ok(Timestamp(now - 600_000)));
        assert_eq!(parse_time_at("2h", now), Ok(Timestamp(now - 7_200_000)));
        assert_eq!(
            parse_time_at("2026-03-14T09:00:00-07:00", now),
            Ok(Timestamp(1_773_504_000_000))
        );
        assert!(parse_time_at("yesterday", now).is_err());
        assert!(parse_time_at("10x", now).is_err());
    }

    #[test]
    fn the_failing_path_keeps_failed_nodes_and_their_ancestors() {
        let leaf = |name: &str, status| Node {
            name: Some(name.into()),
            status: Some(status),
            ..Node::default()
        };
        let tree = vec![
            leaf("ok", Status::Succeeded),
            Node {
                name: Some("parallel".into()),
                status: Some(Status::Failed),
                children: vec![
                    Node {
                        kind: NodeKind::Branch { number: 1 },
                        children: vec![Node {
                            name: Some("retried".into()),
                            status: Some(Status::Succeeded),
                            children: vec![Node {
                                kind: NodeKind::Attempt { number: 1 },
                                status: Some(Status::Failed),
                                ..Node::default()
                            }],
                            ..Node::default()
                        }],
                        ..Node::default()
                    },
                    Node {
                        kind: NodeKind::Branch { number: 2 },
                        children: vec![leaf("broken", Status::Failed)],
                        ..Node::default()
                    },
                ],
                ..Node::default()
            },
        ];
        let path = failing_path(tree);
        assert_eq!(
            path.len(),
            1,
            "the node with no failure below it is not on the path"
        );
        assert_eq!(path[0].name.as_deref(), Some("parallel"));
        assert_eq!(path[0].children.len(), 2, "both branches hold a failure");
        assert_eq!(
            path[0].children[0].children[0].children[0].kind,
            NodeKind::Attempt { number: 1 }
        );
        assert_eq!(
            path[0].children[1].children[0].name.as_deref(),
            Some("broken")
        );
    }
}

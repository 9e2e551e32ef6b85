//! `-o tree`: a run as it nested: states within branches and iterations, a task's
//! attempts, the work a decision started. Each line: status mark, name, kind, status,
//! duration, the node's annotations (resource, summary, where a Catch led) and, on
//! failure, error and cause. All of a line's words are made here, from typed nodes.
//! Box drawing by default, ASCII with `--ascii` or a non-UTF-8 locale.

use super::style;
use super::table::format_duration;
use super::{cut, terminal_safe, width, Presentation};
use crate::model::fold::Rest;
use crate::model::{Annotations, Event, EventId, Node, NodeKind, Reference, Work};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

struct Glyphs {
    branch: &'static str,
    last: &'static str,
    pipe: &'static str,
    space: &'static str,
    ellipsis: &'static str,
}

const UNICODE: Glyphs = Glyphs {
    branch: "├─ ",
    last: "└─ ",
    pipe: "│  ",
    space: "   ",
    ellipsis: "…",
};

const ASCII: Glyphs = Glyphs {
    branch: "|- ",
    last: "`- ",
    pipe: "|  ",
    space: "   ",
    ellipsis: "...",
};

pub struct TreeWriter<'a> {
    presentation: &'a Presentation,
    glyphs: &'static Glyphs,
    /// Error and cause in full (with `--failed`), else cut to the width.
    full_errors: bool,
    /// `--io`: the events shown, by id, whose input and output go under their lines.
    io: Option<HashMap<&'a EventId, &'a Event>>,
}

impl<'a> TreeWriter<'a> {
    pub fn new(presentation: &'a Presentation, full_errors: bool) -> Self {
        TreeWriter {
            presentation,
            glyphs: if presentation.ascii { &ASCII } else { &UNICODE },
            full_errors,
            io: None,
        }
    }

    /// `--io`: under each line, the input and output of the events of `events` it
    /// stands for (the first input, the last output: a state's as it entered and left).
    pub fn with_io(mut self, events: &'a [Event]) -> Self {
        self.io = Some(
            events
                .iter()
                .filter_map(|event| Some((event.id.as_ref()?, event)))
                .collect(),
        );
        self
    }

    /// The `--io` lines of `node`, each after `prefix`: of its own events, not those of
    /// the lines under it.
    fn write_io(&self, out: &mut dyn Write, node: &Node, prefix: &str) -> io::Result<()> {
        let Some(by_id) = &self.io else {
            return Ok(());
        };
        let below: HashSet<&EventId> = node
            .children
            .iter()
            .flat_map(|child| child.events.iter())
            .collect();
        let own: Vec<&Event> = node
            .events
            .iter()
            .filter(|id| !below.contains(id))
            .filter_map(|id| by_id.get(id).copied())
            .collect();
        let (input, output) = super::payload::of_events(&own);
        for line in super::payload::event_lines(
            input.as_ref(),
            output.as_ref(),
            width(prefix),
            self.presentation,
        ) {
            writeln!(out, "{prefix}{line}")?;
        }
        Ok(())
    }

    pub fn write(&self, out: &mut dyn Write, nodes: &[Node]) -> io::Result<()> {
        for (i, node) in nodes.iter().enumerate() {
            self.write_node(out, node, "", i + 1 == nodes.len(), 0)?;
        }
        Ok(())
    }

    fn write_node(
        &self,
        out: &mut dyn Write,
        node: &Node,
        prefix: &str,
        last: bool,
        depth: usize,
    ) -> io::Result<()> {
        let connector = match (depth, last) {
            (0, _) => String::new(),
            (_, true) => self.glyphs.last.to_string(),
            (_, false) => self.glyphs.branch.to_string(),
        };
        // Past a depth no screen shows, the drawing stops growing: each line says its
        // depth instead, so that a tree thousands of levels deep prints in linear space.
        let connector = if depth > DEEPEST_DRAWN {
            format!("{}[{depth}] ", connector.trim_end())
        } else {
            connector
        };
        let (line, wrapped) = self.line(node, width(prefix) + width(&connector));
        writeln!(out, "{prefix}{connector}{line}")?;
        let child_prefix = match (depth, last) {
            (0, _) => prefix.to_string(),
            (d, _) if d >= DEEPEST_DRAWN => prefix.to_string(),
            (_, true) => format!("{prefix}{}", self.glyphs.space),
            (_, false) => format!("{prefix}{}", self.glyphs.pipe),
        };
        // A failure with no room left on its line goes on the next, cut to the width.
        if let Some(text) = wrapped {
            let beneath = if node.children.is_empty() {
                self.glyphs.space
            } else {
                self.glyphs.pipe
            };
            let indent = width(&child_prefix) + width(beneath) + 2;
            let room = self
                .presentation
                .width
                .map_or(usize::MAX, |w| (w as usize).saturating_sub(indent));
            let text = cut(&text, room, self.glyphs.ellipsis);
            let text = style::failure(&text, self.presentation.color);
            writeln!(out, "{child_prefix}{beneath}  {text}")?;
        }
        // With --failed, a failure's stack frames beneath its line, where it happened.
        if self.full_errors && !node.annotations.failure_below {
            let more = super::failure::worded(
                node.error.as_deref(),
                node.cause.as_deref(),
                None,
                self.presentation.ascii,
            )
            .map(|worded| worded.more)
            .unwrap_or_default();
            let beneath = if node.children.is_empty() {
                self.glyphs.space
            } else {
                self.glyphs.pipe
            };
            for text in more {
                let text = style::failure(&terminal_safe(&text), self.presentation.color);
                writeln!(out, "{child_prefix}{beneath}  {text}")?;
            }
        }
        if self.io.is_some() {
            // Under the line's mark, the line down to its children goes on past the block.
            let down = if node.children.is_empty() {
                self.glyphs.space
            } else {
                self.glyphs.pipe
            };
            self.write_io(out, node, &format!("{child_prefix}{down}"))?;
        }
        for (i, child) in node.children.iter().enumerate() {
            self.write_node(
                out,
                child,
                &child_prefix,
                i + 1 == node.children.len(),
                depth + 1,
            )?;
        }
        Ok(())
    }

    /// One node's line, without the tree drawing in front of it (`indent` columns), fitted
    /// to the width in display columns.
    fn line(&self, node: &Node, indent: usize) -> (String, Option<String>) {
        let color = self.presentation.color;
        let mark = style::mark(node.status, self.presentation.ascii);
        if let Some(rest) = &node.annotations.rest {
            let mut text = rest_text(rest);
            if let Some(width) = self.presentation.width {
                let room = (width as usize).saturating_sub(indent + super::width(mark) + 1);
                text = cut(&text, room, self.glyphs.ellipsis);
            }
            let mark = match node.status {
                Some(status) => style::status(status, color, mark),
                None => mark.to_string(),
            };
            return (format!("{mark} {text}"), None);
        }
        let title = title(node);
        let mut parts = vec![terminal_safe(&title).into_owned()];
        if let Some(kind) = kind_text(node).filter(|kind| *kind != title) {
            parts.push(terminal_safe(kind).into_owned());
        }
        if let Some(status) = node.status {
            parts.push(status.as_str().to_string());
        }
        if let Some(duration) = node.duration_ms() {
            parts.push(format_duration(duration));
        }
        let arrow = if self.presentation.ascii { "->" } else { "→" };
        parts.extend(
            annotations(&node.annotations, arrow)
                .iter()
                .map(|text| terminal_safe(text).into_owned()),
        );
        let mut head = parts.join("  ");
        let mut failure = super::failure::worded(
            node.error.as_deref(),
            node.cause.as_deref(),
            node.annotations.repeats.as_ref(),
            self.presentation.ascii,
        )
        .map(|worded| terminal_safe(&worded.headline).into_owned());
        // Fit the line to the width (unless --failed asked for errors in full): the head
        // first, then the error in what room is left, else on a line of its own.
        let mut wrapped = None;
        if let Some(width) = self.presentation.width.filter(|_| !self.full_errors) {
            let room = (width as usize).saturating_sub(indent + super::width(mark) + 1);
            head = cut(&head, room, self.glyphs.ellipsis);
            let left = room.saturating_sub(super::width(&head) + 2);
            // With no room on its line, or when the cut would hide how often it was
            // retried, the failure goes on the next line.
            let repeats_hidden = node.annotations.repeats.is_some()
                && failure.as_ref().is_some_and(|text| {
                    let upto = text.find(": ").unwrap_or(text.len());
                    super::width(&text[..upto]) + 1 > left
                });
            if left < MIN_ERROR_COLUMNS || repeats_hidden {
                wrapped = failure.take();
            }
            failure = failure.map(|text| cut(&text, left, self.glyphs.ellipsis));
        }
        let mark = match node.status {
            Some(status) => style::status(status, color, mark),
            None => mark.to_string(),
        };
        let line = match failure {
            Some(text) => format!("{mark} {head}  {}", style::failure(&text, color)),
            None => format!("{mark} {head}"),
        };
        (line, wrapped)
    }
}

/// The name a node is shown by: its number for the numbered kinds, else its name, else
/// its type, else what it is.
fn title(node: &Node) -> String {
    match node.kind {
        NodeKind::Branch { number } => return format!("branch {number}"),
        NodeKind::Iteration { index } => return format!("iteration {index}"),
        NodeKind::Attempt { number } => {
            return match &node.annotations.repeats {
                Some(repeats) => format!("attempts {number}-{}", number + repeats.count - 1),
                None => format!("attempt {number}"),
            }
        }
        NodeKind::Decision { number } => return format!("decision {number}"),
        _ => {}
    }
    if let Some(name) = node.name.as_ref().or(node.type_label.as_ref()) {
        return name.clone();
    }
    match node.kind {
        NodeKind::Stage => "(no stage)",
        NodeKind::PipelineExecution => "(no execution)",
        _ => kind_text(node).unwrap_or_default(),
    }
    .to_string()
}

/// What a node is, as its line says it: the service's type label, or a word for the
/// kinds that have no type of their own.
fn kind_text(node: &Node) -> Option<&str> {
    let word = match node.kind {
        NodeKind::Execution => "execution",
        NodeKind::Workflow => "workflow",
        NodeKind::PipelineExecution => "pipeline execution",
        NodeKind::Stage => "stage",
        NodeKind::Signal => "signal",
        NodeKind::MapRun => "map run",
        NodeKind::ChildRun => "run",
        NodeKind::Work(work) => match work {
            Work::Activity => "activity",
            Work::Timer => "timer",
            Work::Marker => "marker",
            Work::Lambda => "lambda",
            Work::ChildWorkflow => "child workflow",
            Work::Signal => "signal",
            Work::CancelRequest => "cancel request",
        },
        _ => return node.type_label.as_deref(),
    };
    Some(word)
}

/// The notes after a node's status and duration, in the order a line shows them;
/// `arrow` points from a state to where its Catch led, from a run to the next.
fn annotations(annotations: &Annotations, arrow: &str) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    notes.extend(annotations.workflow_type.clone());
    notes.extend(annotations.item.clone());
    notes.extend(
        annotations
            .map_run
            .as_ref()
            .map(|arn| format!("map run {arn}")),
    );
    notes.extend(
        annotations
            .summary
            .as_ref()
            .or(annotations.resource.as_ref())
            .cloned(),
    );
    let mut work: Vec<String> = Vec::new();
    work.extend(
        annotations
            .reference
            .as_ref()
            .map(|reference| match reference {
                Reference::ActivityId(id) => format!("activityId {id}"),
                Reference::LambdaId(id) => format!("id {id}"),
                Reference::ChildWorkflowId(id) => format!("workflowId {id}"),
                Reference::SignalTo(id) => format!("to workflowId {id}"),
                Reference::SignalFrom(id) => format!("from workflowId {id}"),
            }),
    );
    work.extend(annotations.payload.as_ref().map(short_payload));
    if annotations.cancel_requested {
        work.push("cancel requested".to_string());
    }
    work.extend(
        annotations
            .attempt
            .map(|(number, of)| format!("attempt {number} of {of}")),
    );
    if !work.is_empty() {
        notes.push(work.join(", "));
    }
    if let Some(attempts) = annotations.attempts {
        notes.push(if notes.is_empty() {
            format!("{attempts} attempts")
        } else {
            format!("({attempts} attempts)")
        });
    }
    notes.extend(
        annotations
            .caught_to
            .as_ref()
            .map(|state| format!("caught {arrow} {state}")),
    );
    notes.extend(
        annotations
            .continued_as
            .as_ref()
            .map(|run| format!("continued as new {arrow} run {run}")),
    );
    if let Some((counts, failed_only)) = &annotations.child_counts {
        let mut text = format!(
            "{} of {} child executions did not succeed",
            counts.unsuccessful(),
            counts.total
        );
        if *failed_only && counts.succeeded + counts.running + counts.pending > 0 {
            text.push_str(" (only those shown: --all-children for all)");
        }
        notes.push(text);
    }
    notes.extend(
        annotations
            .unreadable
            .as_ref()
            .map(|why| format!("could not be read: {why}")),
    );
    notes
}

/// The line that stands for a folded loop's other iterations: `296 more iterations
/// succeeded, p50 12ms, max 40ms`.
fn rest_text(rest: &Rest) -> String {
    let noun = if rest.count == 1 {
        "iteration"
    } else {
        "iterations"
    };
    let mut text = format!("{} more {noun}", rest.count);
    if let Some(status) = rest.status {
        text.push(' ');
        text.push_str(status.as_str());
    }
    if let Some(p50) = rest.p50_ms {
        text.push_str(&format!(", p50 {}", format_duration(p50)));
    }
    if let Some(max) = rest.max_ms {
        text.push_str(&format!(", max {}", format_duration(max)));
    }
    text.push_str(" (--expand shows them)");
    text
}

/// A payload as one short line: a marker's details, say.
fn short_payload(value: &Value) -> String {
    const MAX: usize = 60;
    let text = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

/// Levels drawn with the tree's lines; deeper ones are numbered instead.
const DEEPEST_DRAWN: usize = 40;

/// Below this many columns an error is left off a fitted line (the summary and
/// `--failed` show it in full).
const MIN_ERROR_COLUMNS: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Status, Timestamp};

    fn node(label: &str, status: Status, children: Vec<Node>) -> Node {
        Node {
            kind: NodeKind::State,
            name: Some(label.into()),
            type_label: Some("Task".into()),
            status: Some(status),
            start: Some(Timestamp(0)),
            end: Some(Timestamp(1500)),
            children,
            ..Node::default()
        }
    }

    fn draw(nodes: &[Node], ascii: bool) -> String {
        let presentation = Presentation {
            color: false,
            width: None,
            ascii,
        };
        let mut out = Vec::new();
        TreeWriter::new(&presentation, false)
            .write(&mut out, nodes)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fitted_lines_never_pass_the_width() {
        let mut failed = node("a-rather-long-state-name", Status::Failed, vec![]);
        failed.annotations.summary = Some("https://example.com/".repeat(5));
        failed.error = Some("States.TaskFailed".into());
        failed.cause = Some("x".repeat(300));
        let tree = vec![node("run", Status::Failed, vec![failed.clone(), failed])];
        for width in [40u16, 80, 100, 132] {
            let presentation = Presentation {
                color: false,
                width: Some(width),
                ascii: false,
            };
            let mut out = Vec::new();
            TreeWriter::new(&presentation, false)
                .write(&mut out, &tree)
                .unwrap();
            for line in String::from_utf8(out).unwrap().lines() {
                assert!(line.chars().count() <= width as usize, "{width}: {line}");
            }
        }
        assert_eq!(cut("abcdef", 6, "…"), "abcdef");
        assert_eq!(cut("abcdefg", 6, "…"), "abcde…");
        assert_eq!(cut("abcdefg", 6, "..."), "abc...");
    }

    #[test]
    fn nesting_is_drawn() {
        let mut failed = node("b", Status::Failed, vec![]);
        failed.error = Some("Oops".into());
        failed.cause = Some("line\u{1b}[2J".into());
        let tree = vec![node(
            "run",
            Status::Failed,
            vec![node("a", Status::Succeeded, vec![]), failed],
        )];
        assert_eq!(
            draw(&tree, false),
            "✗ run  Task  failed  1.5s\n├─ ✓ a  Task  succeeded  1.5s\n└─ ✗ b  Task  failed  1.5s  Oops: line\\x1b[2J\n"
        );
        assert_eq!(
            draw(&tree, true),
            "x run  Task  failed  1.5s\n|- + a  Task  succeeded  1.5s\n`- x b  Task  failed  1.5s  Oops: line\\x1b[2J\n"
        );
    }

    #[test]
    fn annotations_are_worded_here_with_arrows_for_the_charset() {
        let mut caught = node("Charge", Status::Failed, vec![]);
        caught.annotations.resource = Some("lambda:invoke".into());
        caught.annotations.caught_to = Some("Refund".into());
        let mut activity = Node {
            kind: NodeKind::Work(Work::Activity),
            name: Some("Render/1".into()),
            annotations: Annotations {
                reference: Some(Reference::ActivityId("render".into())),
                cancel_requested: true,
                attempt: Some((2, 3)),
                ..Annotations::default()
            }
            .into(),
            ..Node::default()
        };
        activity.status = Some(Status::Cancelled);
        let tree = [caught, activity];
        assert_eq!(
            draw(&tree, false),
            "✗ Charge  Task  failed  1.5s  lambda:invoke  caught → Refund\n\
             ⊗ Render/1  activity  cancelled  activityId render, cancel requested, attempt 2 of 3\n"
        );
        assert!(draw(&tree, true).contains("caught -> Refund"));
    }

    #[test]
    fn wide_names_fit_the_width_in_display_columns() {
        let mut failed = node("画像のサイズを変更する状態の名前", Status::Failed, vec![]);
        failed.annotations.resource = Some("arn:aws:lambda:🚀🚀🚀:関数".into());
        failed.error = Some("エラー".into());
        failed.cause = Some("原因".repeat(100));
        let wide = node(
            "🎉🎉🎉 デプロイ 🎉🎉🎉 完了しました",
            Status::Succeeded,
            vec![],
        );
        let tree = vec![node(
            "実行",
            Status::Failed,
            vec![failed, wide, node("ascii-only", Status::Succeeded, vec![])],
        )];
        for width in [20u16, 40, 41, 80, 132] {
            let presentation = Presentation {
                color: false,
                width: Some(width),
                ascii: false,
            };
            let mut out = Vec::new();
            TreeWriter::new(&presentation, false)
                .write(&mut out, &tree)
                .unwrap();
            for line in String::from_utf8(out).unwrap().lines() {
                assert!(
                    super::super::width(line) <= width as usize,
                    "{width}: {line} is {} columns",
                    super::super::width(line)
                );
            }
        }
        assert_eq!(cut("画像を変換", 10, "…"), "画像を変換");
        assert_eq!(cut("画像を変換する", 10, "…"), "画像を変…");
        assert_eq!(cut("画像を変換する", 9, "..."), "画像を...");
    }
}

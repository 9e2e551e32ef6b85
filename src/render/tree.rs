//! `-o tree`: a run as it nested: states within branches and iterations, a task's
//! attempts, the work a decision started. Each line: status mark, name, kind, status,
//! duration, a note (resource, link, where a Catch led) and, on failure, error and cause.
//! Box drawing by default, ASCII with `--ascii` or a non-UTF-8 locale.

use super::style;
use super::table::format_duration;
use super::{cut, terminal_safe, Presentation};
use crate::model::Node;
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
}

impl<'a> TreeWriter<'a> {
    pub fn new(presentation: &'a Presentation, full_errors: bool) -> Self {
        TreeWriter {
            presentation,
            glyphs: if presentation.ascii { &ASCII } else { &UNICODE },
            full_errors,
        }
    }

    pub fn write(&self, out: &mut dyn Write, nodes: &[Node]) -> io::Result<()> {
        for (i, node) in nodes.iter().enumerate() {
            self.write_node(out, node, "", i + 1 == nodes.len(), true)?;
        }
        Ok(())
    }

    fn write_node(
        &self,
        out: &mut dyn Write,
        node: &Node,
        prefix: &str,
        last: bool,
        top: bool,
    ) -> io::Result<()> {
        let connector = match (top, last) {
            (true, _) => "",
            (false, true) => self.glyphs.last,
            (false, false) => self.glyphs.branch,
        };
        let line = self.line(node, prefix.chars().count() + connector.chars().count());
        writeln!(out, "{prefix}{connector}{line}")?;
        let child_prefix = match (top, last) {
            (true, _) => prefix.to_string(),
            (false, true) => format!("{prefix}{}", self.glyphs.space),
            (false, false) => format!("{prefix}{}", self.glyphs.pipe),
        };
        for (i, child) in node.children.iter().enumerate() {
            self.write_node(
                out,
                child,
                &child_prefix,
                i + 1 == node.children.len(),
                false,
            )?;
        }
        Ok(())
    }

    /// One node's line, without the tree drawing in front of it (`indent` columns).
    fn line(&self, node: &Node, indent: usize) -> String {
        let color = self.presentation.color;
        let mark = style::mark(node.status, self.presentation.ascii);
        let mut parts = vec![terminal_safe(&node.label).into_owned()];
        if !node.kind.is_empty() && node.kind != node.label {
            parts.push(terminal_safe(&node.kind).into_owned());
        }
        if let Some(status) = node.status {
            parts.push(status.as_str().to_string());
        }
        if let Some(duration) = node.duration_ms() {
            parts.push(format_duration(duration));
        }
        if let Some(note) = &node.note {
            let note = terminal_safe(note);
            parts.push(if self.presentation.ascii {
                note.replace('→', "->")
            } else {
                note.into_owned()
            });
        }
        let mut head = parts.join("  ");
        let mut failure = match (&node.error, &node.cause) {
            (Some(error), Some(cause)) => Some(format!("{error}: {cause}")),
            (Some(error), None) => Some(error.clone()),
            (None, Some(cause)) => Some(cause.clone()),
            (None, None) => None,
        }
        .map(|text| terminal_safe(&text).into_owned());
        // Fit the line to the width (unless --failed asked for errors in full): the head
        // first, then the error in what room is left.
        if let Some(width) = self.presentation.width.filter(|_| !self.full_errors) {
            let room = (width as usize).saturating_sub(indent + mark.chars().count() + 1);
            head = cut(&head, room, self.glyphs.ellipsis);
            let left = room.saturating_sub(head.chars().count() + 2);
            failure = failure
                .filter(|_| left >= MIN_ERROR_CHARS)
                .map(|text| cut(&text, left, self.glyphs.ellipsis));
        }
        let mark = match node.status {
            Some(status) => style::status(status, color, mark),
            None => mark.to_string(),
        };
        match failure {
            Some(text) => format!("{mark} {head}  {}", style::failure(&text, color)),
            None => format!("{mark} {head}"),
        }
    }
}

/// Below this many columns an error is left off a fitted line (the summary and
/// `--failed` show it in full).
const MIN_ERROR_CHARS: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Status, Timestamp};

    fn node(label: &str, status: Status, children: Vec<Node>) -> Node {
        Node {
            label: label.into(),
            kind: "Task".into(),
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
        failed.note = Some("https://example.com/".repeat(5));
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
}

//! `-o tree`: a run as it nested: states within branches and iterations, a task's
//! attempts, the work a decision started. Each line: status mark, name, kind, status,
//! duration, a note (resource, link, where a Catch led) and, on failure, error and cause.
//! Box drawing by default, ASCII with `--ascii` or a non-UTF-8 locale.

use super::style;
use super::table::format_duration;
use super::{terminal_safe, Presentation};
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
        let plain_head = format!("{mark} {}", parts.join("  "));
        let failure = match (&node.error, &node.cause) {
            (Some(error), Some(cause)) => Some(format!("{error}: {cause}")),
            (Some(error), None) => Some(error.clone()),
            (None, Some(cause)) => Some(cause.clone()),
            (None, None) => None,
        }
        .map(|text| terminal_safe(&text).into_owned());
        let failure = failure.map(|text| match self.presentation.width {
            Some(width) if !self.full_errors => {
                let used = indent + plain_head.chars().count() + 2;
                cut(
                    &text,
                    (width as usize).saturating_sub(used).max(20),
                    self.glyphs.ellipsis,
                )
            }
            _ => text,
        });
        let head = match node.status {
            Some(status) => {
                let coloured_mark = style::status(status, color, mark);
                format!("{coloured_mark}{}", &plain_head[mark.len()..])
            }
            None => plain_head,
        };
        match failure {
            Some(text) => format!("{head}  {}", style::failure(&text, color)),
            None => head,
        }
    }
}

fn cut(text: &str, max: usize, ellipsis: &str) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}{ellipsis}", &text[..at]),
        None => text.to_string(),
    }
}

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

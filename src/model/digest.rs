//! Error digests: a failure's cause that holds an error object (what Lambda's runtimes
//! return, which Step Functions puts in `cause` as JSON text) read as a person reads a
//! traceback: the message on one line, then the stack frames one per line, then the
//! error that caused it. Pure functions of the cause text, so every renderer says the
//! same, and so retries can be compared by what failed rather than by the request id.

use serde_json::{Map, Value};

/// Frames shown of one error's stack before the rest is counted instead.
pub const MAX_FRAMES: usize = 12;

/// How deep nested causes (Java's `cause`) are followed.
const MAX_CAUSES: usize = 8;

/// An error object, decoded from a cause.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digest {
    /// `errorType` (the exception's class).
    pub error_type: Option<String>,
    /// `errorMessage`, on one line.
    pub message: Option<String>,
    /// The stack, one frame each; a frame may span lines (Python's file line, then its
    /// source line).
    pub frames: Vec<String>,
    /// The error that caused this one (Java's and .NET's `cause`).
    pub caused_by: Option<Box<Digest>>,
}

/// The JSON object a cause holds: the cause text parsed, and once more when it holds a
/// string (JSON inside a string). `None` when it holds no object.
pub fn decode_cause(cause: &str) -> Option<Map<String, Value>> {
    let trimmed = cause.trim_start();
    if !trimmed.starts_with('{') && !trimmed.starts_with('"') {
        return None;
    }
    match serde_json::from_str::<Value>(cause).ok()? {
        Value::Object(object) => Some(object),
        Value::String(inner) => match serde_json::from_str::<Value>(&inner).ok()? {
            Value::Object(object) => Some(object),
            _ => None,
        },
        _ => None,
    }
}

impl Digest {
    /// The digest of a cause that holds an error object (`errorMessage`, `errorType`,
    /// a stack); `None` for any other cause (plain text, other JSON), shown as it is.
    pub fn of_cause(cause: &str) -> Option<Digest> {
        Digest::of_object(&decode_cause(cause)?, 0)
    }

    fn of_object(object: &Map<String, Value>, depth: usize) -> Option<Digest> {
        let text = |key: &str| match object.get(key)? {
            Value::String(text) => Some(text.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        };
        let error_type = text("errorType");
        let message = text("errorMessage").map(|m| one_line(&m));
        let has_stack = object.contains_key("stackTrace") || object.contains_key("trace");
        if error_type.is_none() && message.is_none() && !has_stack {
            return None;
        }
        let mut frames = object.get("stackTrace").map(frames_of).unwrap_or_default();
        if frames.is_empty() {
            frames = object.get("trace").map(frames_of).unwrap_or_default();
            // Node's `trace` starts with the error's own line (`Error: boom`).
            if let Some(first) = frames.first() {
                let message = message.as_deref().filter(|m| !m.is_empty());
                let own = error_type.as_deref() == Some(first.as_str())
                    || message.is_some_and(|m| first.ends_with(m));
                if own {
                    frames.remove(0);
                }
            }
        }
        let caused_by = match object.get("cause") {
            Some(Value::Object(inner)) if depth < MAX_CAUSES => {
                Digest::of_object(inner, depth + 1).map(Box::new)
            }
            Some(Value::String(inner)) if depth < MAX_CAUSES => decode_cause(inner)
                .and_then(|inner| Digest::of_object(&inner, depth + 1))
                .map(Box::new),
            _ => None,
        };
        Some(Digest {
            error_type,
            message,
            frames,
            caused_by,
        })
    }

    /// `Type: message`, or whichever of the two there is.
    pub fn headline(&self) -> String {
        match (&self.error_type, &self.message) {
            (Some(kind), Some(message)) if !message.is_empty() => format!("{kind}: {message}"),
            (Some(kind), _) => kind.clone(),
            (None, Some(message)) => message.clone(),
            (None, None) => "(no message)".to_string(),
        }
    }

    /// The message as a failure line gives it after the failure's `error`: the message
    /// alone when the error already names the type.
    pub fn message_after(&self, error: Option<&str>) -> String {
        match (&self.message, error) {
            (Some(message), Some(error)) if self.error_type.as_deref() == Some(error) => {
                message.clone()
            }
            _ => self.headline(),
        }
    }

    /// The lines beneath the message: each frame's lines indented by two, at most
    /// `max_frames` frames of each error (the rest counted), then each cause's headline
    /// (`Caused by: ...`) and frames.
    pub fn frame_lines(&self, max_frames: usize) -> Vec<String> {
        let mut lines = Vec::new();
        let mut digest = self;
        loop {
            for frame in digest.frames.iter().take(max_frames) {
                for (i, line) in frame.lines().enumerate() {
                    let indent = if i == 0 { "  " } else { "    " };
                    lines.push(format!("{indent}{}", line.trim()));
                }
            }
            let more = digest.frames.len().saturating_sub(max_frames);
            if more > 0 {
                lines.push(format!(
                    "  ({more} more frame{})",
                    if more == 1 { "" } else { "s" }
                ));
            }
            match &digest.caused_by {
                Some(cause) => {
                    lines.push(format!("Caused by: {}", cause.headline()));
                    digest = cause;
                }
                None => break,
            }
        }
        lines
    }

    /// The top frame, on one line: where it failed, for a one-line view (a table cell).
    pub fn top_frame(&self) -> Option<String> {
        let frame = self.frames.first()?;
        let mut parts = frame.lines().map(str::trim).filter(|l| !l.is_empty());
        let first = parts.next()?.to_string();
        Some(first)
    }
}

/// Whether two failures are the same failure (a retry's): the same error, and causes
/// that are the same error object apart from the request id, or the same text.
pub fn same_failure(
    error: Option<&str>,
    cause: Option<&str>,
    other_error: Option<&str>,
    other_cause: Option<&str>,
) -> bool {
    if error != other_error {
        return false;
    }
    match (cause, other_cause) {
        (Some(a), Some(b)) => {
            a == b
                || match (Digest::of_cause(a), Digest::of_cause(b)) {
                    (Some(a), Some(b)) => a == b,
                    _ => false,
                }
        }
        (None, None) => true,
        _ => false,
    }
}

/// A stack as frames: a list of strings, a list of `[file, line, function, code]`
/// lists (Python 2.7 and 3.6 runtimes), a list of objects (Go's `path`, `line`,
/// `label`), or one string of lines.
fn frames_of(stack: &Value) -> Vec<String> {
    match stack {
        Value::String(text) => text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_string)
            .collect(),
        Value::Array(items) => items.iter().filter_map(frame_of).collect(),
        _ => Vec::new(),
    }
}

fn frame_of(item: &Value) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let frame = match item {
        Value::String(s) => s
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Array(parts) if parts.len() == 4 => {
            let code = text(&parts[3]);
            let head = format!(
                "File \"{}\", line {}, in {}",
                text(&parts[0]),
                text(&parts[1]),
                text(&parts[2])
            );
            if code.trim().is_empty() {
                head
            } else {
                format!("{head}\n{}", code.trim())
            }
        }
        Value::Array(parts) => parts.iter().map(text).collect::<Vec<_>>().join(" "),
        Value::Object(fields) => {
            let get = |k: &str| fields.get(k).map(text);
            match (get("path"), get("line"), get("label")) {
                (Some(path), Some(line), Some(label)) => format!("{path}:{line} {label}"),
                (Some(path), Some(line), None) => format!("{path}:{line}"),
                _ => item.to_string(),
            }
        }
        Value::Null => return None,
        other => other.to_string(),
    };
    let frame = frame.trim().to_string();
    (!frame.is_empty()).then_some(frame)
}

/// Text on one line: line breaks become spaces.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn python(request: &str) -> String {
        json!({
            "errorMessage": "card declined",
            "errorType": "PaymentDeclined",
            "requestId": request,
            "stackTrace": [
                "  File \"/var/task/app.py\", line 64, in handler\n    receipt = gateway.charge(event[\"cardToken\"])\n",
                "  File \"/var/task/payments/gateway.py\", line 118, in charge\n    raise PaymentDeclined(\"card declined\")\n"
            ]
        })
        .to_string()
    }

    #[test]
    fn python_frames_are_one_per_line_with_their_source() {
        let digest = Digest::of_cause(&python("7d9a")).unwrap();
        assert_eq!(digest.headline(), "PaymentDeclined: card declined");
        assert_eq!(
            digest.message_after(Some("PaymentDeclined")),
            "card declined"
        );
        assert_eq!(
            digest.message_after(Some("States.TaskFailed")),
            "PaymentDeclined: card declined"
        );
        assert_eq!(
            digest.frame_lines(MAX_FRAMES),
            [
                "  File \"/var/task/app.py\", line 64, in handler",
                "    receipt = gateway.charge(event[\"cardToken\"])",
                "  File \"/var/task/payments/gateway.py\", line 118, in charge",
                "    raise PaymentDeclined(\"card declined\")",
            ]
        );
        assert!(digest
            .frame_lines(MAX_FRAMES)
            .iter()
            .all(|l| !l.contains('\n')));
        assert_eq!(
            digest.top_frame().unwrap(),
            "File \"/var/task/app.py\", line 64, in handler"
        );
    }

    #[test]
    fn python_lists_of_file_line_function_code() {
        let cause = json!({
            "errorMessage": "division by zero",
            "errorType": "ZeroDivisionError",
            "stackTrace": [["/var/task/lambda_function.py", 3, "lambda_handler", "return 1 / 0"]]
        })
        .to_string();
        let digest = Digest::of_cause(&cause).unwrap();
        assert_eq!(
            digest.frame_lines(MAX_FRAMES),
            [
                "  File \"/var/task/lambda_function.py\", line 3, in lambda_handler",
                "    return 1 / 0"
            ]
        );
    }

    #[test]
    fn node_trace_drops_its_own_headline() {
        let cause = json!({
            "errorType": "Error",
            "errorMessage": "inventory service unavailable",
            "trace": [
                "Error: inventory service unavailable",
                "    at Runtime.handler (file:///var/task/index.mjs:12:11)",
                "    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"
            ]
        })
        .to_string();
        let digest = Digest::of_cause(&cause).unwrap();
        assert_eq!(digest.headline(), "Error: inventory service unavailable");
        assert_eq!(
            digest.frame_lines(MAX_FRAMES),
            [
                "  at Runtime.handler (file:///var/task/index.mjs:12:11)",
                "  at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"
            ]
        );
    }

    #[test]
    fn java_nested_causes_follow() {
        let cause = json!({
            "errorMessage": "Order could not be saved",
            "errorType": "com.example.OrderException",
            "stackTrace": [
                "com.example.Handler.handleRequest(Handler.java:42)",
                "java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(Unknown Source)"
            ],
            "cause": {
                "errorMessage": "Connection refused",
                "errorType": "java.net.ConnectException",
                "stackTrace": ["java.base/sun.nio.ch.Net.connect0(Native Method)"]
            }
        })
        .to_string();
        let digest = Digest::of_cause(&cause).unwrap();
        assert_eq!(
            digest.frame_lines(MAX_FRAMES),
            [
                "  com.example.Handler.handleRequest(Handler.java:42)",
                "  java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(Unknown Source)",
                "Caused by: java.net.ConnectException: Connection refused",
                "  java.base/sun.nio.ch.Net.connect0(Native Method)"
            ]
        );
    }

    #[test]
    fn a_stack_as_one_string_and_json_inside_a_string() {
        let inner = json!({
            "errorType": "Timeout",
            "errorMessage": "took\ntoo long",
            "stackTrace": "at a (x.js:1)\n  at b (x.js:2)\n"
        })
        .to_string();
        let outer = serde_json::to_string(&inner).unwrap();
        let digest = Digest::of_cause(&outer).unwrap();
        assert_eq!(digest.headline(), "Timeout: took too long");
        assert_eq!(
            digest.frame_lines(5),
            ["  at a (x.js:1)", "  at b (x.js:2)"]
        );
    }

    #[test]
    fn plain_text_and_other_json_have_no_digest() {
        assert_eq!(
            Digest::of_cause("Rate Exceeded. (Service: AWSLambda)"),
            None
        );
        assert_eq!(Digest::of_cause("{\"errorMessage\": \"cut off"), None);
        assert_eq!(Digest::of_cause("{\"orderId\": 7}"), None);
        assert_eq!(Digest::of_cause("[1, 2]"), None);
        assert!(decode_cause("{\"orderId\": 7}").is_some());
        assert_eq!(decode_cause("\"just text\""), None);
    }

    #[test]
    fn huge_stacks_are_capped_and_counted() {
        let frames: Vec<String> = (0..500).map(|i| format!("at f{i} (x.js:{i})")).collect();
        let cause =
            json!({"errorType": "RangeError", "errorMessage": "deep", "stackTrace": frames})
                .to_string();
        let lines = Digest::of_cause(&cause).unwrap().frame_lines(MAX_FRAMES);
        assert_eq!(lines.len(), MAX_FRAMES + 1);
        assert_eq!(lines.last().unwrap(), "  (488 more frames)");
    }

    #[test]
    fn retries_differ_only_in_the_request_id() {
        let error = Some("PaymentDeclined");
        assert!(same_failure(
            error,
            Some(&python("a")),
            error,
            Some(&python("b"))
        ));
        assert!(!same_failure(
            error,
            Some(&python("a")),
            Some("Other"),
            Some(&python("a"))
        ));
        let other = python("a").replace("card declined", "insufficient funds");
        assert!(!same_failure(
            error,
            Some(&python("a")),
            error,
            Some(&other)
        ));
        assert!(same_failure(error, Some("x"), error, Some("x")));
        assert!(!same_failure(error, Some("x"), error, Some("y")));
    }
}

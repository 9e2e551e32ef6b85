//! What every service shares about talking to AWS: loading configuration as the AWS CLI
//! does (`--profile`, `--region`, `--endpoint-url`, the `AWS_*` variables, SSO and
//! credential_process profiles), capturing the wire JSON of each response, and turning
//! SDK errors into one readable line (`ExecutionDoesNotExist: ...`).

use crate::source::pager::Page;
use anyhow::{anyhow, Context, Result};
use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, Error as OperationError,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, OrchestratorError};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::client::runtime_plugin::RuntimePlugin;
use aws_smithy_runtime_api::client::ser_de::{DeserializeResponse, SharedResponseDeserializer};
use aws_smithy_types::config_bag::{ConfigBag, FrozenLayer, Layer};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::Value;
use std::error::Error as StdError;
use std::fmt;
use std::sync::{Arc, Mutex};

pub mod config;

pub use aws_smithy_runtime_api::client::interceptors::context::Output;
pub use config::{load_config, profile_names, region_used, Connection};
pub use retry::{RetryNotice, TimeoutsTwice};

/// A client of an SDK crate for histx's reads, from the shared configuration: timed-out
/// requests tried twice at most ([`TimeoutsTwice`]), retries said on a terminal
/// ([`RetryNotice`]). `reader_client!(aws_sdk_sfn, &config)`.
#[macro_export]
macro_rules! reader_client {
    ($sdk:ident, $config:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($config)
                .retry_classifier($crate::aws::TimeoutsTwice::default())
                .interceptor($crate::aws::RetryNotice::default())
                .build(),
        )
    };
}

mod retry;

/// An SDK time as a [`Timestamp`], to the nearest millisecond (as the wire JSON's epoch
/// seconds are read).
pub fn timestamp(t: &aws_smithy_types::DateTime) -> crate::model::Timestamp {
    crate::model::Timestamp(t.secs() * 1000 + (i64::from(t.subsec_nanos()) + 500_000) / 1_000_000)
}

/// Checks `--endpoint-url` before anything is sent.
pub fn check_endpoint_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| {
            format!("--endpoint-url must start with http:// or https://, got '{url}'")
        })?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("--endpoint-url has no host: '{url}'"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "--endpoint-url '{}' holds a space or a control character",
            crate::escape::terminal_safe(url)
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_chars = |c: char| c.is_ascii_alphanumeric() || "-.:[]_@%".contains(c);
    if !host.chars().all(host_chars) {
        return Err(format!(
            "--endpoint-url '{}' has no valid host",
            crate::escape::terminal_safe(url)
        ));
    }
    Ok(())
}

/// Checks a region name (`--region`, or one inside an ARN) before anything is sent:
/// lower-case letters, digits and dashes, as every AWS region is named.
pub fn check_region(region: &str) -> Result<(), String> {
    let valid = !region.is_empty()
        && region.len() <= 40
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "'{}' is not a region name (like us-east-1)",
            crate::escape::terminal_safe(region)
        ))
    }
}

/// Captures the body of a successful response, exactly as the service sent it.
///
/// Attached to one call (`.customize().interceptor(tap.clone())`), so the body it holds
/// belongs to that call. `read_after_execution` runs once per operation, after retries,
/// so a retried page is captured once. Bodies can hold secrets: never log them.
///
/// Made with [`WireTap::parsing`], the tap reads a successful response itself, in place
/// of the SDK's typed deserializer (whose output histx would throw away): the body is
/// parsed once, into the page, and the SDK is handed an empty output. Everything else
/// stays the SDK's: the request, its retries, and every error response, which the SDK's
/// own deserializer still reads (as it does a 2xx body that is not a page).
#[derive(Clone, Default)]
pub struct WireTap {
    body: Arc<Mutex<Option<Vec<u8>>>>,
    parsing: Option<Parsing>,
}

/// What a parsing tap reads out of a response, and what it hands the SDK instead.
#[derive(Clone)]
struct Parsing {
    events_key: &'static str,
    token_key: &'static str,
    empty: EmptyOutput,
    /// The operation's own configuration, which holds the SDK's deserializer.
    sdk: FrozenLayer,
    page: Arc<Mutex<Option<Result<Page>>>>,
}

/// The operation's output with nothing in it (`None` if it cannot be built): what the
/// SDK gets when histx reads the page itself.
pub type EmptyOutput = fn() -> Option<Output>;

impl fmt::Debug for WireTap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WireTap")
    }
}

impl Intercept for WireTap {
    fn name(&self) -> &'static str {
        "histx::WireTap"
    }

    /// A parsing tap puts its deserializer in front of the SDK's, for this call only.
    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(parsing) = &self.parsing {
            if parsing.sdk.load::<SharedResponseDeserializer>().is_some() {
                cfg.interceptor_state()
                    .store_put(SharedResponseDeserializer::new(OwnDeserializer(
                        parsing.clone(),
                    )));
            }
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if self.parsing.is_some() {
            return Ok(());
        }
        if let (Some(Ok(_)), Some(response)) = (context.output_or_error(), context.response()) {
            if let Some(bytes) = response.body().bytes() {
                *self.body.lock().expect("wire tap lock") = Some(bytes.to_vec());
            }
        }
        Ok(())
    }
}

/// A successful response's body read as a page; anything else left to the SDK.
struct OwnDeserializer(Parsing);

impl fmt::Debug for OwnDeserializer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("histx::OwnDeserializer")
    }
}

impl DeserializeResponse for OwnDeserializer {
    fn deserialize_nonstreaming_with_config(
        &self,
        response: &HttpResponse,
        cfg: &ConfigBag,
    ) -> Result<Output, OrchestratorError<OperationError>> {
        let parsing = &self.0;
        if response.status().is_success() {
            if let Some(body) = response.body().bytes() {
                let page = page_from_body(body, parsing.events_key, parsing.token_key);
                let read = page.is_ok();
                // The last attempt's page is the one kept (an attempt only ends in a
                // page when it succeeded).
                *parsing.page.lock().expect("wire tap lock") = Some(page);
                if read {
                    if let Some(empty) = (parsing.empty)() {
                        return Ok(empty);
                    }
                }
            }
        }
        // An error response, or a body that is not a page: as the SDK reads it.
        match parsing.sdk.load::<SharedResponseDeserializer>() {
            Some(sdk) => sdk.deserialize_nonstreaming_with_config(response, cfg),
            None => Err(OrchestratorError::other("no response deserializer")),
        }
    }
}

impl WireTap {
    /// A tap that reads each successful response of `operation` (the SDK's operation,
    /// `GetExecutionHistory::new()`, whose configuration holds the SDK's deserializer)
    /// as a page itself (`events_key` its records, `token_key` its next-page token),
    /// handing the SDK `empty` in place of the typed output: take the page with
    /// [`WireTap::parsed_page`]. An operation without a deserializer of its own is left
    /// to the SDK (the tap then captures nothing).
    pub fn parsing(
        operation: impl RuntimePlugin,
        events_key: &'static str,
        token_key: &'static str,
        empty: EmptyOutput,
    ) -> Self {
        WireTap {
            body: Arc::default(),
            parsing: Some(Parsing {
                events_key,
                token_key,
                empty,
                sdk: operation
                    .config()
                    .unwrap_or_else(|| Layer::new("none").freeze()),
                page: Arc::default(),
            }),
        }
    }

    /// The page a parsing tap read, once the call succeeded.
    pub fn parsed_page(&self) -> Result<Page> {
        self.parsing
            .as_ref()
            .and_then(|parsing| parsing.page.lock().expect("wire tap lock").take())
            .context("the response body was not captured")?
    }

    /// The captured response as a page: the array under `events_key` and the token under
    /// `token_key`.
    pub fn page(&self, events_key: &str, token_key: &str) -> Result<Page> {
        let body = self
            .body
            .lock()
            .expect("wire tap lock")
            .take()
            .context("the response body was not captured")?;
        page_from_body(&body, events_key, token_key)
    }
}

/// Splits a response document into its events and its next-page token.
pub fn page_from_body(body: &[u8], events_key: &str, token_key: &str) -> Result<Page> {
    let mut document: serde_json::Map<String, Value> =
        serde_json::from_slice(body).context("the service sent a response that is not JSON")?;
    let events = match document.remove(events_key) {
        Some(Value::Array(events)) => events,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err(anyhow!("the service's `{events_key}` is not a list")),
    };
    let next_token = match document.remove(token_key) {
        Some(Value::String(token)) => Some(token),
        _ => None,
    };
    Ok(Page { events, next_token })
}

/// A failure the service reported, shown as `Code: message`.
#[derive(Debug)]
pub struct ServiceFailure {
    pub code: String,
    pub message: Option<String>,
}

impl fmt::Display for ServiceFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(message) if !message.is_empty() => write!(f, "{}: {}", self.code, message),
            _ => f.write_str(&self.code),
        }
    }
}

impl StdError for ServiceFailure {}

/// No credentials could be found or loaded (the user must log in or configure some).
#[derive(Debug)]
pub struct CredentialsUnavailable(pub String);

impl fmt::Display for CredentialsUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for CredentialsUnavailable {}

/// The endpoint did not answer (connection refused, DNS, TLS, timeout).
#[derive(Debug)]
pub struct EndpointUnreachable(pub String);

impl fmt::Display for EndpointUnreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not reach the service endpoint: {}", self.0)
    }
}

impl StdError for EndpointUnreachable {}

/// Adds what the user asked for to errors that need it: which endpoint did not answer,
/// which profile has no credentials.
pub fn with_connection_hints(error: anyhow::Error, connection: &Connection) -> anyhow::Error {
    if let (Some(unreachable), Some(url)) = (
        error.downcast_ref::<EndpointUnreachable>(),
        &connection.endpoint_url,
    ) {
        return anyhow!("could not reach {url}: {}", unreachable.0);
    }
    if let (Some(_), Some(profile)) = (
        error.downcast_ref::<CredentialsUnavailable>(),
        &connection.profile,
    ) {
        return error.context(format!("profile '{profile}'"));
    }
    error
}

/// What a timeout says: how long histx waited, how often, and what to change.
fn no_answer() -> String {
    let limits = config::limits();
    format!(
        "no answer within {}s (tried twice; --read-timeout and --connect-timeout change the wait)",
        limits.read_timeout.as_secs_f64()
    )
}

/// True when `error` is the service throttling (after the SDK's own retries).
pub fn is_throttled(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<ServiceFailure>())
        .any(|failure| is_throttling(&failure.code))
}

/// The error codes AWS services throttle with.
fn is_throttling(code: &str) -> bool {
    const CODES: &[&str] = &[
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    ];
    CODES.contains(&code)
}

/// Turns an SDK error into one line a person can act on.
pub fn describe_error<E>(error: SdkError<E, HttpResponse>) -> anyhow::Error
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match &error {
        SdkError::ServiceError(context) => {
            let err = context.err();
            let status = context.raw().status().as_u16();
            if (200..300).contains(&status) {
                // Only an answer the SDK could not read is an error with a 2xx status.
                return anyhow!("the service answered something that is not JSON (HTTP {status})");
            }
            let code = err
                .code()
                .map(str::to_string)
                .unwrap_or_else(|| format!("HTTP {status}"));
            let message = err.message().map(str::to_string).or_else(|| {
                (err.code().is_none())
                    .then(|| {
                        String::from_utf8_lossy(context.raw().body().bytes().unwrap_or_default())
                            .trim()
                            .chars()
                            .take(200)
                            .collect()
                    })
                    .filter(|m: &String| !m.is_empty())
            });
            // The SDK retried these already: say how to have it retry more.
            let message = if status >= 500 || is_throttling(&code) {
                let attempts = config::limits().max_attempts;
                Some(format!(
                    "{} (gave up after {attempts} attempts; set AWS_MAX_ATTEMPTS to retry more)",
                    message.as_deref().unwrap_or("the service is unavailable")
                ))
            } else {
                message
            };
            anyhow!(ServiceFailure { code, message })
        }
        SdkError::TimeoutError(_) => anyhow!(EndpointUnreachable(no_answer())),
        _ if credentials_error(&error).is_some() => {
            credentials_failure(credentials_error(&error).unwrap())
        }
        SdkError::DispatchFailure(failure) => {
            let reason = source_chain(&error);
            if failure.is_timeout() {
                anyhow!(EndpointUnreachable(no_answer()))
            } else if failure.is_io() {
                anyhow!(EndpointUnreachable(reason))
            } else {
                anyhow!("the request could not be sent: {reason}")
            }
        }
        SdkError::ConstructionFailure(_) => anyhow!("{}", source_chain(&error)),
        SdkError::ResponseError(_) => {
            anyhow!(
                "the service's response could not be read: {}",
                source_chain(&error)
            )
        }
        _ => anyhow!("{}", source_chain(&error)),
    }
}

fn credentials_error<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a CredentialsError> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<CredentialsError>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

fn credentials_failure(error: &CredentialsError) -> anyhow::Error {
    let text = match error {
        CredentialsError::CredentialsNotLoaded(_) => {
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
             pass --profile, or log in with `aws sso login`"
                .to_string()
        }
        other => format!("cannot load AWS credentials: {}", source_chain(other)),
    };
    anyhow!(CredentialsUnavailable(text))
}

/// The innermost useful messages of an error chain, joined by `: `, without the SDK's
/// generic wrappers ("dispatch failure", "io error", ...) and without repeats.
fn source_chain(error: &(dyn StdError + 'static)) -> String {
    const GENERIC: &[&str] = &[
        "dispatch failure",
        "io error",
        "failed to construct request",
        "response error",
        "other",
        "service error",
        "unhandled error",
    ];
    let mut parts: Vec<String> = Vec::new();
    let mut current = error.source().or(Some(error));
    while let Some(e) = current {
        let text = e.to_string();
        if !GENERIC.contains(&text.as_str()) && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    if parts.is_empty() {
        error.to_string()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_are_checked() {
        assert!(check_endpoint_url("http://127.0.0.1:5000").is_ok());
        assert!(check_endpoint_url("https://states.us-east-1.amazonaws.com").is_ok());
        assert!(check_endpoint_url("127.0.0.1:5000").is_err());
        assert!(check_endpoint_url("http://").is_err());
        assert!(check_endpoint_url("http://a b").is_err());
        assert!(check_endpoint_url("http://[::1]:4566/").is_ok());
        assert!(check_region("us-east-1").is_ok());
        assert!(check_region("us east 1").is_err());
        assert!(check_region("").is_err());
    }

    #[test]
    fn pages_split_into_events_and_token() {
        let page = page_from_body(
            br#"{"events":[{"id":1}],"nextToken":"abc"}"#,
            "events",
            "nextToken",
        )
        .unwrap();
        assert_eq!(page.events.len(), 1);
        assert_eq!(page.next_token.as_deref(), Some("abc"));
        let empty = page_from_body(br#"{}"#, "events", "nextToken").unwrap();
        assert!(empty.events.is_empty() && empty.next_token.is_none());
        assert!(page_from_body(b"<html>", "events", "nextToken").is_err());
    }
}

//! Retries that fit a reader: the SDK retries a request that timed out like any
//! transient failure, up to every attempt allowed, so a server that accepts connections
//! and never answers would keep histx waiting `attempts × read timeout`. A request that
//! timed out is tried twice at most here: a dead endpoint fails in about twice the read
//! timeout. Throttling and 5xx answers keep every attempt, and on a terminal histx says
//! once that it is retrying.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef, InterceptorContext,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Forbids a third try after two timeouts in a row. One per client: histx sends one
/// request at a time on a client, so "in a row" is the attempts of one request.
#[derive(Debug, Default)]
pub struct TimeoutsTwice {
    consecutive: AtomicU32,
}

/// Tries a timed-out request gets.
const TIMED_OUT_TRIES: u32 = 2;

impl ClassifyRetry for TimeoutsTwice {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let timed_out = matches!(ctx.output_or_error(), Some(Err(error)) if error.is_timeout_error()
            || error.as_connector_error().is_some_and(|e| e.is_timeout()));
        if !timed_out {
            self.consecutive.store(0, Ordering::Relaxed);
            return RetryAction::NoActionIndicated;
        }
        if self.consecutive.fetch_add(1, Ordering::Relaxed) + 1 >= TIMED_OUT_TRIES {
            self.consecutive.store(0, Ordering::Relaxed);
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "histx::TimeoutsTwice"
    }

    /// After the SDK's own classifiers, so that its verdict is the one refined.
    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// Says once, on a terminal, that histx is retrying and why: a long read that pauses on
/// throttling is not a hang. Scripts (stderr not a terminal) hear nothing unless the
/// retries run out.
#[derive(Debug, Default)]
pub struct RetryNotice {
    /// The HTTP status of the latest failed attempt (0: no answer).
    last_status: AtomicU32,
}

/// Whether the notice was given: once per process, however many clients.
static NOTICE_GIVEN: AtomicBool = AtomicBool::new(false);

impl Intercept for RetryNotice {
    fn name(&self) -> &'static str {
        "histx::RetryNotice"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(Err(_)) = context.output_or_error() {
            let status = context.response().map_or(0, |r| r.status().as_u16());
            self.last_status.store(u32::from(status), Ordering::Relaxed);
        }
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let retrying = cfg
            .load::<RequestAttempts>()
            .is_some_and(|a| a.attempts() > 1);
        if retrying
            && std::io::stderr().is_terminal()
            && !NOTICE_GIVEN.swap(true, Ordering::Relaxed)
        {
            let why = match self.last_status.load(Ordering::Relaxed) {
                0 => "no answer".to_string(),
                400 | 429 => "throttled".to_string(),
                status => format!("the service answered HTTP {status}"),
            };
            crate::terminal::progress::before_stderr_line();
            // Diagnostics only: a closed stderr must not stop the history.
            let _ = writeln!(std::io::stderr(), "histx: {why}, retrying…");
        }
        Ok(())
    }
}

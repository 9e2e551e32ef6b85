//! Retries that fit a reader: the SDK retries a request that timed out like any
//! transient failure, up to every attempt allowed, so a server that accepts connections
//! and never answers would keep histx waiting `attempts × read timeout`. A request that
//! timed out is tried twice at most here: a dead endpoint fails in about twice the read
//! timeout. Throttling and 5xx answers keep every attempt.

use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use std::sync::atomic::{AtomicU32, Ordering};

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

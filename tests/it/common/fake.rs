//! A fake of the AWS JSON APIs on 127.0.0.1 that pages exactly as the real services
//! document: a default and a maximum page size (and SWF's cap when a size is set),
//! opaque tokens bound to the request that issued them (any other token is refused
//! with the service's own error), reverse order where the API has it, the services'
//! error shapes, and injectable throttling and 5xx faults that the SDK must retry.
//!
//! One [`Api`] describes one operation's paging rules; the test supplies a `select`
//! function that returns the full, ordered list of records a request asks for (or the
//! service's error), and the fake cuts it into pages. An operation that is not paged
//! (a status call) is an [`Answer`]: a function from the request to the whole response.

use serde_json::{json, Map, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use wiremock::matchers::{header_exists, method};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// An error as the service returns it: HTTP status, `__type` code and message.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// A fault to answer the next request of an operation with, before paging resumes.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer this request normally (to place a fault on a later page).
    Answer,
    /// 400 ThrottlingException (retried by the SDK).
    Throttle,
    /// HTTP 500 InternalFailure (retried by the SDK).
    ServerError,
    /// HTTP 503 ServiceUnavailable (retried by the SDK).
    Unavailable,
    /// Any error response.
    Error(ApiError),
    /// HTTP 200 with a body that is not JSON (a proxy's page, a truncated answer).
    NotJson,
}

/// Returns the full, ordered records a request asks for, or the service's error.
pub type Select = Box<dyn Fn(&Value) -> Result<Vec<Value>, ApiError> + Send + Sync>;

/// The whole response to a request, or the service's error.
pub type Reply = Box<dyn Fn(&Value) -> Result<Value, ApiError> + Send + Sync>;

/// An operation that is not paged: its response (or the service's error) to a request.
pub struct Answer {
    pub target: &'static str,
    pub json_version: &'static str,
    pub answer: Reply,
}

/// How one paginated operation pages.
pub struct Api {
    /// The X-Amz-Target of the operation, e.g. `AWSStepFunctions.GetExecutionHistory`.
    pub target: &'static str,
    /// `1.0` or `1.1`.
    pub json_version: &'static str,
    /// The request's page size field, its default and its maximum.
    pub page_size_key: &'static str,
    pub default_page_size: usize,
    pub max_page_size: usize,
    /// SWF: a page size the caller sets is capped at this (the default is not).
    pub cap_when_set: Option<usize>,
    /// `0` means "the default" (Step Functions and SWF document this).
    pub zero_means_default: bool,
    /// Token fields in the request and in the response.
    pub request_token_key: &'static str,
    pub response_token_key: &'static str,
    /// The records array in the response.
    pub records_key: &'static str,
    /// The error for a token the fake did not issue for this request.
    pub invalid_token: ApiError,
    /// The error for a page size out of range.
    pub invalid_page_size: ApiError,
    /// The records a request asks for (the token is bound to every other request field).
    pub select: Select,
}

struct Issued {
    binding: String,
    offset: usize,
}

/// Ways of paging that the API references allow and a client must not trip over.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quirks {
    /// Every other page holds half what was asked for, and still a token ("the actual
    /// number of results returned per call might be fewer than the specified maximum").
    pub short_pages: bool,
    /// The last page carries an empty token instead of none (SSM documents `""`).
    pub empty_final_token: bool,
    /// The page that holds the last record still carries a token, and the page it
    /// names is empty (the services do not promise that a token leads to records).
    pub empty_last_page: bool,
}

struct ApiState {
    api: Api,
    quirks: Quirks,
    tokens: HashMap<String, Issued>,
    faults: VecDeque<Fault>,
    token_counter: u64,
}

pub struct FakeAws {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    apis: Arc<Mutex<HashMap<&'static str, ApiState>>>,
    answers: Answers,
    slow: Slow,
}

/// Operations answered after a delay, and when each of their requests arrived.
type Slow = Arc<Mutex<HashMap<String, (std::time::Duration, Vec<std::time::Instant>)>>>;

type Answers = Arc<Mutex<HashMap<&'static str, (Answer, VecDeque<Fault>)>>>;

impl FakeAws {
    /// Starts an empty fake on a free loopback port.
    pub fn start() -> FakeAws {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the fake");
        let server = runtime.block_on(MockServer::start());
        let apis: Arc<Mutex<HashMap<&'static str, ApiState>>> = Arc::default();
        let answers: Answers = Arc::default();
        let slow: Slow = Arc::default();
        runtime.block_on(
            Mock::given(method("POST"))
                .and(header_exists("x-amz-target"))
                .respond_with(Dispatcher {
                    apis: apis.clone(),
                    answers: answers.clone(),
                    slow: slow.clone(),
                })
                .mount(&server),
        );
        FakeAws {
            runtime,
            server,
            apis,
            answers,
            slow,
        }
    }

    /// Answers every request to `target` after `delay` from now on, and records when
    /// each arrived (for [`FakeAws::most_in_flight`]).
    pub fn slow_down(&self, target: &str, delay: std::time::Duration) {
        self.slow
            .lock()
            .unwrap()
            .insert(target.to_string(), (delay, Vec::new()));
    }

    /// The most requests to `target` (slowed down) that were in flight at once: each
    /// is in flight from its arrival for the delay it is answered after.
    pub fn most_in_flight(&self, target: &str) -> usize {
        let slow = self.slow.lock().unwrap();
        let Some((delay, arrivals)) = slow.get(target) else {
            return 0;
        };
        arrivals
            .iter()
            .map(|&start| {
                arrivals
                    .iter()
                    .filter(|&&other| other <= start && start < other + *delay)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    pub fn endpoint(&self) -> String {
        self.server.uri()
    }

    /// Serves `api` from now on.
    pub fn serve(&self, api: Api) {
        self.apis.lock().unwrap().insert(
            api.target,
            ApiState {
                api,
                quirks: Quirks::default(),
                tokens: HashMap::new(),
                faults: VecDeque::new(),
                token_counter: 0,
            },
        );
    }

    /// Pages `target` with these quirks from now on.
    pub fn quirks(&self, target: &str, quirks: Quirks) {
        self.apis
            .lock()
            .unwrap()
            .get_mut(target)
            .expect("a served API")
            .quirks = quirks;
    }

    /// Answers the next requests to `target` with these faults, in order.
    /// Serves an operation that is not paged.
    pub fn answer(&self, answer: Answer) {
        self.answers
            .lock()
            .unwrap()
            .insert(answer.target, (answer, VecDeque::new()));
    }

    pub fn inject(&self, target: &str, faults: Vec<Fault>) {
        if let Some((_, queue)) = self.answers.lock().unwrap().get_mut(target) {
            queue.extend(faults);
            return;
        }
        let mut apis = self.apis.lock().unwrap();
        let state = apis.get_mut(target).expect("a served API");
        state.faults.extend(faults);
    }

    /// The JSON bodies of every request made to `target`, in order.
    pub fn requests(&self, target: &str) -> Vec<Value> {
        let requests = self
            .runtime
            .block_on(self.server.received_requests())
            .unwrap_or_default();
        requests
            .iter()
            .filter(|r| r.headers.get("x-amz-target").and_then(|v| v.to_str().ok()) == Some(target))
            .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
            .collect()
    }

    /// The region each request to `target` was signed for (the third part of its
    /// Authorization header's credential scope, KEY/DATE/REGION/SERVICE), in order.
    pub fn regions(&self, target: &str) -> Vec<String> {
        self.scope_parts(target, 2)
    }

    /// The access key id each request to `target` was signed with (from its
    /// Authorization header's credential scope), in order.
    pub fn access_keys(&self, target: &str) -> Vec<String> {
        self.scope_parts(target, 0)
    }

    /// Part `n` of the credential scope (KEY/DATE/REGION/SERVICE/aws4_request) of each
    /// request to `target`, in order.
    fn scope_parts(&self, target: &str, n: usize) -> Vec<String> {
        let requests = self
            .runtime
            .block_on(self.server.received_requests())
            .unwrap_or_default();
        requests
            .iter()
            .filter(|r| r.headers.get("x-amz-target").and_then(|v| v.to_str().ok()) == Some(target))
            .map(|r| {
                let authorization = r
                    .headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                authorization
                    .split("Credential=")
                    .nth(1)
                    .and_then(|scope| scope.split(',').next())
                    .and_then(|scope| scope.split('/').nth(n))
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }
}

struct Dispatcher {
    apis: Arc<Mutex<HashMap<&'static str, ApiState>>>,
    answers: Answers,
    slow: Slow,
}

/// The service's error for an injected fault; `None` for a body that is not JSON.
fn fault_error(fault: Fault) -> Option<ApiError> {
    Some(match fault {
        Fault::Answer | Fault::NotJson => return None,
        Fault::Throttle => ApiError::new(400, "ThrottlingException", "Rate exceeded"),
        Fault::ServerError => ApiError::new(500, "InternalFailure", "An internal error occurred"),
        Fault::Unavailable => ApiError::new(503, "ServiceUnavailable", "Service unavailable"),
        Fault::Error(error) => error,
    })
}

fn json_response(version: &str, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header(
            "content-type",
            format!("application/x-amz-json-{version}").as_str(),
        )
        .set_body_string(body.to_string())
}

impl Respond for Dispatcher {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let target = request
            .headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let delay = self
            .slow
            .lock()
            .unwrap()
            .get_mut(&target)
            .map(|(delay, arrivals)| {
                arrivals.push(std::time::Instant::now());
                *delay
            });
        let response = self.answer(request);
        match delay {
            Some(delay) => response.set_delay(delay),
            None => response,
        }
    }
}

impl Dispatcher {
    fn answer(&self, request: &Request) -> ResponseTemplate {
        let target = request
            .headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if let Some((answer, faults)) = self.answers.lock().unwrap().get_mut(target.as_str()) {
            let version = answer.json_version;
            if let Some(fault) = faults.pop_front().filter(|f| !matches!(f, Fault::Answer)) {
                return match fault_error(fault) {
                    Some(error) => error_response(version, &error),
                    None => ResponseTemplate::new(200).set_body_string("this is not json{"),
                };
            }
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            return match (answer.answer)(&body) {
                Ok(response) => json_response(version, &response),
                Err(error) => error_response(version, &error),
            };
        }
        let mut apis = self.apis.lock().unwrap();
        let Some(state) = apis.get_mut(target.as_str()) else {
            return error_response(
                "1.0",
                &ApiError::new(
                    400,
                    "UnknownOperationException",
                    format!("no fake for {target}"),
                ),
            );
        };
        let version = state.api.json_version;
        if let Some(fault) = state
            .faults
            .pop_front()
            .filter(|f| !matches!(f, Fault::Answer))
        {
            if matches!(fault, Fault::NotJson) {
                return ResponseTemplate::new(200)
                    .insert_header("content-type", "application/x-amz-json-1.0")
                    .set_body_string("this is not json{");
            }
            let error = match fault {
                Fault::Answer | Fault::NotJson => unreachable!("answered above"),
                Fault::Throttle => ApiError::new(400, "ThrottlingException", "Rate exceeded"),
                Fault::ServerError => {
                    ApiError::new(500, "InternalFailure", "An internal error occurred")
                }
                Fault::Unavailable => {
                    ApiError::new(503, "ServiceUnavailable", "Service unavailable")
                }
                Fault::Error(error) => error,
            };
            return error_response(version, &error);
        }
        let body: Value = match serde_json::from_slice(&request.body) {
            Ok(body) => body,
            Err(_) => {
                return error_response(
                    version,
                    &ApiError::new(400, "SerializationException", "not JSON"),
                )
            }
        };
        match state.page(&body) {
            Ok(page) => ResponseTemplate::new(200)
                .insert_header(
                    "content-type",
                    format!("application/x-amz-json-{version}").as_str(),
                )
                .set_body_string(page.to_string()),
            Err(error) => error_response(version, &error),
        }
    }
}

impl ApiState {
    fn page(&mut self, body: &Value) -> Result<Value, ApiError> {
        let api = &self.api;
        let requested = body
            .get(api.page_size_key)
            .and_then(Value::as_u64)
            .map(|n| n as usize);
        let page_size = match requested {
            None => api.default_page_size,
            Some(0) if api.zero_means_default => api.default_page_size,
            Some(n) if n == 0 || n > api.max_page_size => {
                return Err(api.invalid_page_size.clone())
            }
            Some(n) => api.cap_when_set.map_or(n, |cap| n.min(cap)),
        };
        // The token is bound to everything in the request but the token and page size.
        let mut binding_fields: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
        binding_fields.remove(api.page_size_key);
        let token = binding_fields.remove(api.request_token_key);
        let binding = Value::Object(binding_fields).to_string();
        let offset = match token.as_ref().and_then(Value::as_str) {
            None => 0,
            Some(token) => match self.tokens.get(token) {
                Some(issued) if issued.binding == binding => issued.offset,
                _ => return Err(api.invalid_token.clone()),
            },
        };
        let page_size = if self.quirks.short_pages && self.token_counter % 2 == 1 {
            (page_size / 2).max(1)
        } else {
            page_size
        };
        let records = (api.select)(body)?;
        let end = (offset + page_size).min(records.len());
        let mut page = Map::new();
        page.insert(
            api.records_key.to_string(),
            Value::Array(records[offset.min(end)..end].to_vec()),
        );
        if end >= records.len() && self.quirks.empty_final_token {
            page.insert(api.response_token_key.to_string(), json!(""));
        }
        let empty_next = self.quirks.empty_last_page && offset < end && end == records.len();
        if end < records.len() || empty_next {
            self.token_counter += 1;
            // Opaque, long and unguessable-looking, like the real services' tokens.
            let token = format!(
                "AAAA{:016x}{:08x}fake",
                self.token_counter.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                end
            );
            self.tokens.insert(
                token.clone(),
                Issued {
                    binding,
                    offset: end,
                },
            );
            page.insert(api.response_token_key.to_string(), json!(token));
        }
        Ok(Value::Object(page))
    }
}

fn error_response(version: &str, error: &ApiError) -> ResponseTemplate {
    ResponseTemplate::new(error.status)
        .insert_header(
            "content-type",
            format!("application/x-amz-json-{version}").as_str(),
        )
        .insert_header("x-amzn-errortype", error.code.as_str())
        .set_body_string(json!({"__type": error.code, "message": error.message}).to_string())
}

//! A server that accepts connections and never answers does not hang histx: the read
//! timeout fires, a request that timed out is tried twice at most, and one line names
//! the endpoint and what to change.

use crate::common::{histx, one_error_line};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Accepts connections on 127.0.0.1 and holds them, answering nothing; stops when
/// dropped (or after a minute, whatever happens to the test).
struct Hanging {
    port: u16,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Hanging {
    fn start() -> Hanging {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (accepted, stop) = (accepted.clone(), stop.clone());
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(60);
                let mut held = Vec::new();
                while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            held.push(stream);
                            accepted.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
            })
        };
        Hanging {
            port,
            accepted,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Hanging {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn a_server_that_never_answers_times_out_after_two_tries() {
    let server = Hanging::start();
    let endpoint = format!("http://127.0.0.1:{}", server.port);
    let out = histx()
        .args(["sfn", "arn:aws:states:us-east-1:123456789012:execution:a:b"])
        .args(["--endpoint-url", &endpoint, "--read-timeout", "1s"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let line = one_error_line(&out.stderr);
    assert!(line.contains(&endpoint), "{line}");
    assert!(line.contains("no answer within 1s"), "{line}");
    assert_eq!(
        server.accepted.load(Ordering::Relaxed),
        2,
        "tried twice, not 8 times"
    );
}

#[test]
fn timeouts_take_durations() {
    for bad in ["0s", "soon", "-1"] {
        let out = histx()
            .args(["sfn", "--from", "-", "--read-timeout", bad])
            .assert()
            .code(2)
            .get_output()
            .clone();
        assert!(
            one_error_line(&out.stderr).contains("is not a duration"),
            "{bad}"
        );
    }
}

/// On a terminal, a retry is said once; to a script, nothing unless retries run out.
#[test]
fn a_retry_is_said_once_on_a_terminal_only() {
    use crate::common::fake::{FakeAws, Fault};
    use crate::common::fake_sfn::{self, synthetic_history, TARGET};
    let arn = "arn:aws:states:us-east-1:123456789012:execution:Synthetic:run-1";
    let fake = || {
        let fake = FakeAws::start();
        fake.serve(fake_sfn::get_execution_history(
            std::collections::HashMap::from([(arn.to_string(), synthetic_history(3))]),
        ));
        fake.inject(TARGET, vec![Fault::Throttle, Fault::Throttle]);
        fake
    };
    let piped = fake();
    let out = histx()
        .args([
            "sfn",
            arn,
            "--endpoint-url",
            &piped.endpoint(),
            "-o",
            "jsonl",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // `script` (util-linux) gives histx a terminal for its standard error.
    let on_terminal = fake();
    let binary = assert_cmd::cargo::cargo_bin("histx");
    let line = format!(
        "{} sfn {arn} --endpoint-url {} -o jsonl > /dev/null",
        binary.display(),
        on_terminal.endpoint()
    );
    let transcript = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", crate::common::empty_home())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("SHELL", "/bin/sh")
        .output()
        .expect("script from util-linux");
    let said = String::from_utf8_lossy(&transcript.stdout);
    assert!(transcript.status.success(), "{said}");
    assert_eq!(
        said.matches("histx: throttled, retrying…").count(),
        1,
        "{said}"
    );
}

//! moto, a real AWS emulator, started by the test that needs it on a free loopback port
//! and stopped when that test ends. The README's test command installs it into
//! `.venv`; without it these tests fail (they do not skip).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    /// Starts moto_server and switches Step Functions to executing state machines.
    pub fn start() -> Moto {
        let binary = moto_binary();
        // A free port can be taken between finding it and moto binding it (by another
        // test's moto): then moto exits, and another port is tried.
        let mut moto = None;
        for attempt in 1..=3 {
            let port = free_port();
            let log = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("moto-{port}.log"));
            let log_file = std::fs::File::create(&log).expect("create the moto log");
            let child = Command::new(&binary)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .env("HOME", super::empty_home())
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env("AWS_DEFAULT_REGION", "us-east-1")
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("log file"))
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
            let mut started = Moto { child, port };
            match started.wait_until_ready(&log) {
                Ok(()) => {
                    moto = Some(started);
                    break;
                }
                Err(why) if attempt < 3 => {
                    eprintln!("moto on port {port}: {why}; trying another port")
                }
                Err(why) => panic!("{why}"),
            }
        }
        let moto = moto.expect("moto started");
        let port = moto.port;
        let config = super::http::post(
            port,
            "/moto-api/config",
            &[("Content-Type", "application/json")],
            r#"{"stepfunctions":{"execute_state_machine":true}}"#,
        )
        .expect("configure moto");
        assert!(
            (200..300).contains(&config.status),
            "moto config: {} {}",
            config.status,
            config.body
        );
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits until this moto says it serves our port (the log line werkzeug prints once
    /// it has bound it: a connection alone could reach another test's server).
    fn wait_until_ready(&mut self, log: &PathBuf) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let serving = format!("Running on http://127.0.0.1:{}", self.port);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "moto_server exited ({status}) before it was ready:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                ));
            }
            let said = std::fs::read_to_string(log).unwrap_or_default();
            if said.contains(&serving)
                && std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err("moto_server did not start within 60 s".to_string());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `HISTX_MOTO_SERVER`, else `.venv/bin/moto_server` in the repository.
fn moto_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("HISTX_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    assert!(
        local.exists(),
        "moto_server not found at {}: run scripts/test, which installs moto into .venv (or set HISTX_MOTO_SERVER)",
        local.display()
    );
    local
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

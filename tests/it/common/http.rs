//! A minimal HTTP/1.0 client over a TCP socket, for test set-up and for reading the raw
//! wire JSON of an API independently of the SDK histx uses. Loopback only.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct Response {
    pub status: u16,
    pub body: String,
}

/// POSTs `body` to `http://127.0.0.1:port/path` with the given headers.
pub fn post(
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request = format!(
        "POST {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok(Response {
        status,
        body: body.to_string(),
    })
}

/// An AWS JSON-protocol call (`X-Amz-Target`), signed only as far as moto needs: the
/// credential scope names the service and region, the signature is not checked.
pub fn aws_json_call(
    port: u16,
    service: &str,
    target: &str,
    json_version: &str,
    body: &serde_json::Value,
) -> Response {
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
    );
    let content_type = format!("application/x-amz-json-{json_version}");
    post(
        port,
        "/",
        &[
            ("Content-Type", &content_type),
            ("X-Amz-Target", target),
            ("Authorization", &authorization),
        ],
        &body.to_string(),
    )
    .expect("call the local server")
}

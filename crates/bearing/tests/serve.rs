//! `bearing serve` as a process: it answers, and stops cleanly on SIGTERM and SIGINT.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Running as Server, serve as start};

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

fn stop(mut server: Server, signal: &str) -> i32 {
    let pid = server.0.id().to_string();
    assert!(
        Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop after SIG{signal}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_answers_health_and_readiness_then_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr) = start(dir.path(), &["serve", "--addr", "127.0.0.1:0"]);
    let (status, body) = get(&addr, "/healthz");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.to_ascii_lowercase().contains("x-request-id:"),
        "{body}"
    );
    let (status, body) = get(&addr, "/readyz");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"ready\""), "{body}");
    assert_eq!(stop(server, "TERM"), 0);
    assert!(
        dir.path().join("bearing.db").is_file(),
        "SQLite is created on first use"
    );
}

#[test]
fn serve_demo_uses_a_fresh_temporary_database_and_stops_on_sigint() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr) = start(dir.path(), &["serve", "--demo", "--addr", "127.0.0.1:0"]);
    assert_eq!(get(&addr, "/readyz").0, 200);
    assert_eq!(stop(server, "INT"), 0);
    assert!(
        !dir.path().join("bearing.db").exists(),
        "the configured database is not touched"
    );
}

#[test]
fn serve_refuses_an_address_in_use_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_bearing"))
        .current_dir(dir.path())
        .args(["serve", "--addr", &addr])
        .env("BEARING_LOG", "error")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
}

//! Standard output, for what commands print.
//!
//! A reader may stop early: `bearing deal list | head -1` closes the pipe after one line. Rust
//! ignores SIGPIPE, so the next write fails with `BrokenPipe` (and `println!` would panic).
//! Commands therefore print through [`stdout`] and the [`outln!`] and [`out!`] macros, whose
//! writes return errors; a write that finds the pipe closed fails with [`Closed`], the command
//! stops there, and `main` exits quietly with status 0: the reader had what it wanted.
//!
//! Only writes to standard output through this module count: a broken pipe anywhere else (a
//! database connection, Prometheus) stays an error.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// The reader of standard output has gone away.
#[derive(Debug)]
pub struct Closed;

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for Closed {}

/// Set once a write to standard output has found the pipe closed.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Standard output (locked while this value lives); a closed pipe is reported as [`Closed`].
pub struct Stdout(io::StdoutLock<'static>);

impl fmt::Debug for Stdout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Stdout")
    }
}

pub fn stdout() -> Stdout {
    Stdout(io::stdout().lock())
}

impl Stdout {
    pub fn is_terminal(&self) -> bool {
        io::IsTerminal::is_terminal(&self.0)
    }
}

fn checked<T>(result: io::Result<T>) -> io::Result<T> {
    result.map_err(|error| {
        if error.kind() == io::ErrorKind::BrokenPipe {
            CLOSED.store(true, Ordering::SeqCst);
            io::Error::new(io::ErrorKind::BrokenPipe, Closed)
        } else {
            error
        }
    })
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        checked(self.0.write(buf))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        checked(self.0.write_all(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        checked(self.0.flush())
    }
}

/// Whether a write to standard output has found the pipe closed; for errors of writers that
/// do not keep the `io::Error` as their source (serde_json's, inside `Table::write`).
pub fn was_closed() -> bool {
    CLOSED.load(Ordering::SeqCst)
}

/// Whether `error` is standard output's reader having gone away: [`Closed`], alone or as the
/// payload of an `io::Error`, anywhere in its chain.
pub fn closed(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.is::<Closed>()
            || cause
                .downcast_ref::<io::Error>()
                .and_then(io::Error::get_ref)
                .is_some_and(|inner| inner.is::<Closed>())
    })
}

/// `writeln!` to standard output through [`stdout`]; returns `io::Result<()>`.
macro_rules! outln {
    () => {
        $crate::output::write_fmt(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `write!` to standard output through [`stdout`]; returns `io::Result<()>`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_fmt(format_args!($($arg)*))
    };
}

pub(crate) use {out, outln};

/// Writes formatted text to standard output.
pub fn write_fmt(args: fmt::Arguments<'_>) -> io::Result<()> {
    stdout().write_fmt(args)
}

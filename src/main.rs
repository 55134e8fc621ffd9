//! The `seedsoil` command line; all logic lives in the library and [`cli`].

mod cli;

fn main() {
    restore_sigpipe();
    // A panic is a bug: it is reported as a failure (exit 1) rather than with Rust's own
    // exit code. `seedsoil run` records it in the run's manifest before it gets here.
    match std::panic::catch_unwind(cli::run) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("error: {e:#}");
            std::process::exit(cli::exit_code(&e));
        }
        Err(payload) => {
            eprintln!(
                "error: seedsoil panicked (a bug; please report it with the command): {}",
                seedsoil::run::panic_message(payload.as_ref())
            );
            std::process::exit(1);
        }
    }
}

/// Rust ignores SIGPIPE, so that printing into a closed pipe (`seedsoil params | head`)
/// fails with an error (a panic in `println!`); a command-line tool is expected to stop
/// quietly instead, as the default action of the signal does.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: sets the default disposition of one signal, before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}

//! The `seedsoil` command line; all logic lives in the library and [`cli`].

mod cli;

fn main() {
    if let Err(e) = cli::run() {
        eprintln!("error: {e:#}");
        std::process::exit(cli::exit_code(&e));
    }
}

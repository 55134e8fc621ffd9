//! Running many simulations at once, shared by `seedsoil compare` and `seedsoil sweep`:
//! a pool that runs one simulation per worker ([`each_on_pool`]), a single-threaded run
//! of a config in memory ([`simulate`], on the [`crate::run`] driver; [`simulate_record`]
//! for a run's record), panics turned into errors ([`catch`]), and the concatenation of many runs' tables into one tidy table with
//! leading identification columns ([`write_concatenated`]).

use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::config::Config;
use crate::error::RunError;
use crate::run::{Driver, DriverError, Outcome};
use crate::sim::StopReason;

/// Largest number of replicates (per sweep point, or per compare scenario).
pub const MAX_REPLICATES: u32 = 1_000_000;

/// A rayon pool of `threads` workers (0 = all cores).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Other(format!("cannot start {threads} worker threads: {e}")))
}

/// `f(0), …, f(n − 1)`, computed on every worker of `pool`, returned in index order.
///
/// Each worker takes the next index from a shared counter until none is left. Unlike
/// `par_iter`, a worker never starts a second job while it waits: each simulation runs
/// inside its own one-thread pool, and a rayon worker waiting on another pool steals
/// queued jobs, which would stack runs on one thread (all of them alive in memory at
/// once, and wall times that include the stolen runs). Here the only jobs are one per
/// worker, so there is nothing to steal.
pub fn each_on_pool<T: Send>(
    pool: &rayon::ThreadPool,
    n: usize,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    pool.broadcast(|_| {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            let value = f(i);
            *slots[i].lock().expect("no job panics while holding a slot") = Some(value);
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("no job panics while holding a slot")
                .expect("every index was computed")
        })
        .collect()
}

/// Runs `f`, turning a panic into an error message.
pub fn catch<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        Err(format!(
            "the simulation panicked: {}",
            crate::run::panic_message(panic.as_ref())
        ))
    })
}

/// Simulates `config` with `seed` and one thread, in memory ([`Driver`]).
pub fn simulate(mut config: Config, seed: u64) -> Result<Outcome, DriverError> {
    config.run.seed = Some(seed);
    config.run.threads = 1;
    Driver::new(&config).run(&mut ())
}

/// The message a batch run that failed with `e` records (`runs.csv`, `status.json`).
pub fn failure(e: &DriverError) -> String {
    match e {
        DriverError::Output(e) => format!("cannot record the run: {e}"),
        other => other.to_string(),
    }
}

/// [`simulate`] for a batch record: the stop reason and the `[timeseries, events,
/// summary]` CSV texts (with headers), or the message of the failure or panic.
pub fn simulate_record(config: Config, seed: u64) -> Result<(StopReason, [String; 3]), String> {
    catch(move || {
        simulate(config, seed)
            .map(|outcome| (outcome.reason, outcome.tables))
            .map_err(|e| failure(&e))
    })
}

/// Multi-line messages (config problems) joined with "; " for one CSV field.
pub fn one_line(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            // A header ending in a colon ("invalid configuration (2 problems):") runs on
            // into its first item.
            out.push_str(if out.ends_with(':') { " " } else { "; " });
        }
        out.push_str(line);
    }
    out
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// One run's part of a concatenated table: its leading values (one per leading column)
/// and its own table (CSV text with a header).
pub type Part = (Vec<String>, String);

/// Writes the tables of `n` runs concatenated in index order under one header: the
/// `leading` columns, then the union of the runs' own columns in order of first
/// appearance (a run's own column named like a leading one, such as the summary's
/// `seed`, is not repeated); cells a run lacks are empty.
///
/// `part(i)` gives run `i`'s leading values and table, or `None` to leave the run out
/// (it failed, or has no record). It is called twice per run (a pass for the header, a
/// pass for the rows), so that only one run's table is in memory at a time.
pub fn write_concatenated(
    leading: &[String],
    n: usize,
    mut part: impl FnMut(usize) -> io::Result<Option<Part>>,
    w: impl Write,
) -> io::Result<()> {
    let reader = |text: &str| {
        csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(std::io::Cursor::new(text.as_bytes().to_vec()))
    };
    let mut columns: Vec<String> = Vec::new();
    for i in 0..n {
        let Some((_, text)) = part(i)? else { continue };
        for c in reader(&text).headers().map_err(csv_err)?.iter() {
            if !leading.iter().any(|l| l == c) && !columns.iter().any(|k| k == c) {
                columns.push(c.to_string());
            }
        }
    }
    // The columns depend on the runs' own headers: the header is a record, not a struct.
    let mut out = csv::WriterBuilder::new().has_headers(false).from_writer(w);
    out.write_record(leading.iter().chain(&columns))
        .map_err(csv_err)?;
    for i in 0..n {
        let Some((lead, text)) = part(i)? else {
            continue;
        };
        let mut reader = reader(&text);
        let own: Vec<String> = reader
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(str::to_string)
            .collect();
        let positions: Vec<Option<usize>> = columns
            .iter()
            .map(|c| own.iter().position(|h| h == c))
            .collect();
        for row in reader.records() {
            let row = row.map_err(csv_err)?;
            let cells = positions
                .iter()
                .map(|p| p.and_then(|i| row.get(i)).unwrap_or(""));
            out.write_record(lead.iter().map(String::as_str).chain(cells))
                .map_err(csv_err)?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenation_unions_columns_and_skips_leading_duplicates() {
        let parts = [
            Some((
                vec!["a".to_string(), "1".to_string()],
                "seed,x\n1,10\n".to_string(),
            )),
            None,
            Some((
                vec!["b".to_string(), "2".to_string()],
                "seed,y,x\n2,5,20\n2,6,\"3,4\"\n".to_string(),
            )),
        ];
        let mut out = Vec::new();
        write_concatenated(
            &["name".to_string(), "seed".to_string()],
            parts.len(),
            |i| Ok(parts[i].clone()),
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name,seed,x,y\na,1,10,\nb,2,20,5\nb,2,\"3,4\",6\n"
        );
    }
}

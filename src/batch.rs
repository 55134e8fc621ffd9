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

/// `f(0), …, f(n − 1)`, computed on every worker of `pool`, returned in index order
/// ([`scheduled_on_pool`] in index order, every job on one thread).
pub fn each_on_pool<T: Send>(
    pool: &rayon::ThreadPool,
    n: usize,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let order: Vec<usize> = (0..n).collect();
    scheduled_on_pool(pool, &order, false, |i, _| f(i))
}

/// The indices `0..costs.len()` by decreasing cost, equal costs in index order.
pub fn longest_first(costs: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[b].total_cmp(&costs[a]).then(a.cmp(&b)));
    order
}

/// The threads of the job started at position `q` of `n` on `workers` workers, when the
/// tail is widened: the jobs started while fewer than `workers` others wait get the
/// workers that will fall idle, the last one all of them (`workers − left`, at least 1,
/// where `left` jobs start after it).
pub fn tail_threads(q: usize, n: usize, workers: usize) -> usize {
    let left = n - 1 - q;
    workers.saturating_sub(left).max(1)
}

/// `f(i, threads)` for every job `i` of `order` (a permutation of `0..order.len()`),
/// started in that order on every worker of `pool`, returned in index order. `threads`
/// is 1, or with `widen_tail` [`tail_threads`]: the last jobs use the cores that would
/// otherwise idle while they finish (a simulation's outputs do not depend on its thread
/// count, so this changes only when it ends).
///
/// Each worker takes the next job from a shared counter until none is left. Unlike
/// `par_iter`, a worker never starts a second job while it waits: each simulation runs
/// inside its own pool, and a rayon worker waiting on another pool steals queued jobs,
/// which would stack runs on one thread (all of them alive in memory at once, and wall
/// times that include the stolen runs). Here the only jobs are one per worker, so there
/// is nothing to steal.
pub fn scheduled_on_pool<T: Send>(
    pool: &rayon::ThreadPool,
    order: &[usize],
    widen_tail: bool,
    f: impl Fn(usize, usize) -> T + Sync,
) -> Vec<T> {
    let n = order.len();
    let workers = pool.current_num_threads();
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    pool.broadcast(|_| {
        loop {
            let q = next.fetch_add(1, Ordering::Relaxed);
            if q >= n {
                break;
            }
            let threads = if widen_tail {
                tail_threads(q, n, workers)
            } else {
                1
            };
            let i = order[q];
            let value = f(i, threads);
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

/// Simulates `config` with `seed` on `threads` threads, in memory ([`Driver`]).
pub fn simulate(mut config: Config, seed: u64, threads: usize) -> Result<Outcome, DriverError> {
    config.run.seed = Some(seed);
    config.run.threads = threads;
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
pub fn simulate_record(
    config: Config,
    seed: u64,
    threads: usize,
) -> Result<(StopReason, [String; 3]), String> {
    catch(move || {
        simulate(config, seed, threads)
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
    fn the_longest_jobs_start_first_and_ties_keep_their_order() {
        assert_eq!(longest_first(&[3.0, 9.0, 3.0, 1.0, 9.0]), [1, 4, 0, 2, 3]);
        assert_eq!(longest_first(&[0.0; 4]), [0, 1, 2, 3]);
    }

    #[test]
    fn only_the_tail_is_widened_and_the_last_job_gets_every_worker() {
        // 2 workers, 5 jobs: the last job gets 2 threads, the others 1.
        let t: Vec<usize> = (0..5).map(|q| tail_threads(q, 5, 2)).collect();
        assert_eq!(t, [1, 1, 1, 1, 2]);
        // 4 workers: the jobs started while 2, 1, 0 others wait get 2, 3, 4 threads.
        let t: Vec<usize> = (0..6).map(|q| tail_threads(q, 6, 4)).collect();
        assert_eq!(t, [1, 1, 1, 2, 3, 4]);
        // One worker: always 1.
        assert!((0..3).all(|q| tail_threads(q, 3, 1) == 1));
    }

    #[test]
    fn scheduled_jobs_run_once_each_in_the_given_order_and_return_by_index() {
        let pool = pool(1).unwrap();
        let started = Mutex::new(Vec::new());
        let order = [2, 0, 3, 1];
        let out = scheduled_on_pool(&pool, &order, true, |i, threads| {
            started.lock().unwrap().push((i, threads));
            i * 10
        });
        assert_eq!(out, [0, 10, 20, 30]);
        // One worker runs them in order; with one worker nothing is widened.
        assert_eq!(
            started.into_inner().unwrap(),
            [(2, 1), (0, 1), (3, 1), (1, 1)]
        );
        let two = super::pool(2).unwrap();
        let threads = scheduled_on_pool(&two, &[0, 1, 2], true, |_, t| t);
        assert_eq!(threads, [1, 1, 2]);
        assert_eq!(
            scheduled_on_pool(&two, &[0, 1, 2], false, |_, t| t),
            [1, 1, 1]
        );
    }

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

#!/usr/bin/env bash
# Run a seedsoil fit (ABC-SMC) on SLURM, one job array per round (scripts/slurm/fit.sbatch).
#
#   scripts/slurm/fit.sh [--poll SECS] [--throttle K] [--force] FIT.toml OUT [sbatch args...]
#
#   1. runs `seedsoil fit FIT.toml -o OUT --plan -q` here: it replays the fit over OUT's
#      records, writes the next batch of candidates without a record to OUT/plan.csv and
#      prints their number N (the first time, it also writes OUT's setup files; it refuses
#      an OUT that holds a different fit);
#   2. if N > 0, submits `sbatch --wait --array=0-$((N-1)) [sbatch args...] fit.sbatch FIT
#      OUT` (several arrays with an index offset if N exceeds the cluster's MaxArraySize),
#      waits for every task, checks that every row of the plan has its record, and goes
#      back to 1. Each round is at most `batch` candidates (the fit file's key);
#   3. once N = 0, runs `seedsoil fit FIT.toml -o OUT --resume` here, which writes
#      posterior.csv, generations.csv, predictive.csv and manifest.json (it simulates the
#      posterior predictive runs here): the bytes of a local `seedsoil fit FIT.toml`, but
#      the manifest's wall time and command line.
#   It stops with an error (exit 1) if a round's array fails, if a task leaves no record,
#   or if a plan comes back unchanged after its round. Run it again (without --force) to
#   go on: the records made are kept. On a complete OUT it submits nothing.
#
#   --poll SECS     wait for each round by polling squeue every SECS seconds instead of
#                   sbatch --wait (which backs off to 10 s between polls: --poll 0.5 suits
#                   short test fits); failed tasks are then found by their missing records
#   --throttle K    at most K tasks of an array at a time (--array=0-M%K; a round split
#                   into several arrays runs up to K tasks of each)
#   --force         start OUT again: delete its records (the first --plan gets --force)
#
# The driver runs for the whole fit. Run it on a login node in tmux, screen or nohup, or
# submit it as a job of its own, with a time limit for the whole fit and a few CPUs for
# the predictive runs (the cluster must let jobs submit jobs):
#   sbatch --time=3-00:00:00 --cpus-per-task=4 --wrap "$PWD/scripts/slurm/fit.sh FIT OUT"
# (--wrap, not `sbatch fit.sh`: SLURM runs a copy of a submitted script, away from
# fit.sbatch). Stopped fit.sh leaves the current round's array running; scancel it, or let
# it finish, before running fit.sh again.
#
# Environment: SEEDSOIL, the seedsoil binary (default `seedsoil` on PATH), used here and,
# exported through sbatch, in the tasks: it must be reachable from the compute nodes.
# FIT and OUT are made absolute, so the tasks do not depend on their working directory.
# Prints each round's number, size, generation(s) and job id(s) on stderr, and the fit's
# summary (from --resume) on stdout.
set -euo pipefail

usage() { sed -n '2,41p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

throttle='' poll='' force=()
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --poll) poll=${2:?--poll needs seconds}; shift ;;
    --poll=*) poll=${1#--poll=} ;;
    --throttle) throttle=${2:?--throttle needs a number}; shift ;;
    --throttle=*) throttle=${1#--throttle=} ;;
    --force) force=(--force) ;;
    -h|--help) usage ;;
    *) args+=("$1") ;;
  esac
  shift
done
[ ${#args[@]} -ge 2 ] || usage
fit=${args[0]} out=${args[1]}
extra=("${args[@]:2}")

here=$(cd "$(dirname "$0")" && pwd)
[ -f "$here/fit.sbatch" ] || {
  echo "fit.sh: no fit.sbatch beside $0 (to run fit.sh as a job, submit it with" \
    "sbatch --wrap \"/path/to/scripts/slurm/fit.sh ...\", not as the batch script)" >&2
  exit 2
}
# Sourced after that check: a copy of fit.sh run by sbatch, with no lib.sh beside it
# either, must still get its message.
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"
SEEDSOIL=${SEEDSOIL:-seedsoil}
# A relative binary path (target/release/seedsoil) must survive the tasks' other cwd.
case $SEEDSOIL in */*) SEEDSOIL=$(cd "$(dirname "$SEEDSOIL")" && pwd)/$(basename "$SEEDSOIL") ;; esac
export SEEDSOIL
[ -f "$fit" ] || { echo "fit.sh: no fit file $fit" >&2; exit 2; }
fit=$(cd "$(dirname "$fit")" && pwd)/$(basename "$fit")
mkdir -p "$out"
out=$(cd "$out" && pwd)

max=$(slurm_max_array_size)
# Each round's arrays: background sbatch --wait, or (--poll) plain sbatch and squeue.
sbatch_wait=1
[ -z "$poll" ] || sbatch_wait=0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The candidates of OUT/plan.csv without a record (records/gTTT/IIIIII.csv), as "row R
# (generation T, candidate I)" lines.
unrecorded() {
  awk -F, -v dir="$out/records" '
    NR == 1 { for (c = 1; c <= NF; c++) col[$c] = c; next }
    {
      g = $col["generation"]; i = $col["index"]
      f = sprintf("%s/g%03d/%06d.csv", dir, g, i)
      if ((getline line < f) < 0) printf "row %s (generation %s, candidate %s)\n", $col["row"], g, i
      else close(f)
    }' "$out/plan.csv"
}

# Submit OUT/plan.csv's N rows as arrays of at most MaxArraySize tasks; wait for them all.
# Returns non-zero if sbatch --wait reports a failed task.
run_round() {
  local n=$1 round=$2
  slurm_submit_arrays "$n" "$max" "$throttle" "$sbatch_wait" "$tmp/id" report_array \
    "${extra[@]}" "$here/fit.sbatch" "$fit" "$out" || { echo "fit.sh: sbatch failed" >&2; return 1; }
  slurm_wait_arrays "$poll"
}

# Called by slurm_submit_arrays (as ID SPEC OFFSET) for each array of round $round.
report_array() { echo "fit.sh: round $round: job ${1:-?} (--array=$2, rows from $3)" >&2; }

plural() { if [ "$1" = 1 ]; then echo "$2"; else echo "$2s"; fi; }

round=0 total=0
t0=$(date +%s)
while :; do
  n=$("$SEEDSOIL" fit "$fit" -o "$out" --plan -q "${force[@]}") || {
    status=$?
    echo "fit.sh: seedsoil fit --plan failed (exit $status)" >&2
    exit $status
  }
  force=()
  n=$(printf '%s' "$n" | tail -n 1 | tr -d '[:space:]')
  case $n in ''|*[!0-9]*) echo "fit.sh: --plan printed '$n', not a candidate count" >&2; exit 1 ;; esac
  [ "$n" -gt 0 ] || break
  if [ $round -gt 0 ] && cmp -s "$tmp/plan.csv" "$out/plan.csv"; then
    echo "fit.sh: round $round made no progress: the next plan is its plan again ($n" \
      "$(plural "$n" candidate) with missing or unreadable records; see the tasks' slurm-*.out)" >&2
    exit 1
  fi
  round=$((round + 1))
  gens=$(awk -F, 'NR == 1 { for (c = 1; c <= NF; c++) if ($c == "generation") g = c; next }
    !seen[$g]++ { printf "%s%s", (n++ ? "," : ""), $g }' "$out/plan.csv")
  echo "fit.sh: round $round: $n $(plural "$n" candidate) of generation $gens (MaxArraySize $max)" >&2
  cp "$out/plan.csv" "$tmp/plan.csv"
  array_ok=1
  run_round "$n" "$round" || array_ok=0
  missing=$(unrecorded)
  if [ -n "$missing" ]; then
    echo "fit.sh: round $round: no record for $(printf '%s\n' "$missing" | wc -l) of its $n" \
      "$(plural "$n" candidate) (failed or killed tasks, see their slurm-*.out); run fit.sh" \
      "again to retry them:" >&2
    printf '%s\n' "$missing" | head -n 10 | sed 's/^/  /' >&2
    exit 1
  fi
  if [ $array_ok = 0 ]; then
    echo "fit.sh: round $round: some array tasks failed (see their slurm-*.out)" >&2
    exit 1
  fi
  total=$((total + n))
done

if [ $round = 0 ]; then
  echo "fit.sh: no candidate left to simulate in $out; writing the tables" >&2
else
  echo "fit.sh: $round $(plural $round round), $total $(plural $total candidate) in $(( $(date +%s) - t0 )) s; writing the tables" >&2
fi
"$SEEDSOIL" fit "$fit" -o "$out" --resume

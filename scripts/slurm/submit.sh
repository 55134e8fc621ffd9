#!/usr/bin/env bash
# Plan a seedsoil sweep and submit it to SLURM as a job array (scripts/slurm/sweep.sbatch).
#
#   scripts/slurm/submit.sh [--wait | --poll SECS | --collect-job] [--throttle K] [--force]
#                           SWEEP.toml OUT [sbatch args...]
#
#   1. runs `seedsoil sweep SWEEP.toml --plan --resume -o OUT` (validates, writes
#      OUT/sweep.toml, base.toml and plan.csv; refuses an OUT that holds a different sweep)
#      and reads the number of runs N it prints. OUT may already hold this sweep's records:
#      resubmitting reruns only the runs without a complete record;
#   2. submits `sbatch --array=0-$((N-1)) [sbatch args...] sweep.sbatch SWEEP OUT`
#      (several arrays with an index offset if N exceeds the cluster's MaxArraySize);
#   3. with --wait, waits for every task (sbatch --wait), then runs `seedsoil collect OUT`
#      here, and exits non-zero if a task failed or collect did.
#
#   --poll SECS     like --wait, but polls squeue every SECS seconds (sbatch --wait backs
#                   off to 10 s between polls: --poll 0.5 suits short test sweeps); success
#                   is then collect's verdict alone (every run complete)
#   --collect-job   instead of waiting, also submit `seedsoil collect OUT` as a job that
#                   starts once every task has succeeded (--dependency=afterok)
#   --throttle K    at most K tasks of the array at a time (--array=0-M%K)
#   --force         start OUT again: delete its records (--plan --force)
#
# Environment: SEEDSOIL, the seedsoil binary (default `seedsoil` on PATH), used here and,
# exported through sbatch, in the tasks: it must be reachable from the compute nodes.
# SWEEP and OUT are made absolute, so the tasks do not depend on their working directory.
# Prints the job id(s) on stdout (one line per array, then the collect job's, if any).
set -euo pipefail

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

wait_=0 collect_job=0 throttle='' poll='' reuse=--resume
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --wait) wait_=1 ;;
    --collect-job) collect_job=1 ;;
    --poll) poll=${2:?--poll needs seconds}; wait_=1; shift ;;
    --poll=*) poll=${1#--poll=}; wait_=1 ;;
    --throttle) throttle=${2:?--throttle needs a number}; shift ;;
    --throttle=*) throttle=${1#--throttle=} ;;
    --force) reuse=--force ;;
    -h|--help) usage ;;
    *) args+=("$1") ;;
  esac
  shift
done
[ ${#args[@]} -ge 2 ] || usage
[ $wait_ = 1 ] && [ $collect_job = 1 ] && { echo "submit.sh: --wait or --collect-job, not both" >&2; exit 2; }
sweep=${args[0]} out=${args[1]}
extra=("${args[@]:2}")

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"
SEEDSOIL=${SEEDSOIL:-seedsoil}
# A relative binary path (target/release/seedsoil) must survive the tasks' other cwd.
case $SEEDSOIL in */*) SEEDSOIL=$(cd "$(dirname "$SEEDSOIL")" && pwd)/$(basename "$SEEDSOIL") ;; esac
export SEEDSOIL
[ -f "$sweep" ] || { echo "submit.sh: no sweep file $sweep" >&2; exit 2; }
sweep=$(cd "$(dirname "$sweep")" && pwd)/$(basename "$sweep")
mkdir -p "$out"
out=$(cd "$out" && pwd)

n=$("$SEEDSOIL" sweep "$sweep" --plan "$reuse" -o "$out")
n=$(printf '%s' "$n" | tail -n 1 | tr -d '[:space:]')
case $n in ''|*[!0-9]*) echo "submit.sh: --plan printed '$n', not a run count" >&2; exit 1 ;; esac
[ "$n" -gt 0 ] || { echo "submit.sh: the sweep has no runs" >&2; exit 1; }

max=$(slurm_max_array_size)
echo "submit.sh: $n runs of $sweep into $out (MaxArraySize $max)" >&2

status=0
idfile=$(mktemp)
trap 'rm -f "$idfile"*' EXIT
# With --wait (not --poll), each array is a background sbatch --wait, and the job ids are
# printed once they have all ended; else each id is printed as soon as it is submitted.
print_id() { echo "$1"; }
sbatch_wait=0 report=print_id
if [ $wait_ = 1 ] && [ -z "$poll" ]; then sbatch_wait=1 report=''; fi
slurm_submit_arrays "$n" "$max" "$throttle" "$sbatch_wait" "$idfile" "$report" \
  "${extra[@]}" "$here/sweep.sbatch" "$sweep" "$out"

if [ $wait_ = 1 ]; then
  slurm_wait_arrays "$poll" || status=1
  if [ -z "$poll" ]; then cat "$idfile".* | cut -d';' -f1; fi
  [ $status = 0 ] || echo "submit.sh: some array tasks failed (see their slurm-*.out)" >&2
  "$SEEDSOIL" collect "$out" || status=1
  exit $status
fi

if [ $collect_job = 1 ]; then
  dep=afterok$(printf ':%s' "${slurm_ids[@]}")
  sbatch --parsable --job-name=seedsoil-collect --dependency="$dep" "${extra[@]}" \
    --wrap "$(printf '%q collect %q' "$SEEDSOIL" "$out")" | cut -d';' -f1
fi

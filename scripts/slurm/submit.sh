#!/usr/bin/env bash
# Plan a seedsoil sweep or comparison and submit it to SLURM as a job array, one task per
# run (scripts/slurm/sweep.sbatch or scripts/slurm/compare.sbatch).
#
#   scripts/slurm/submit.sh [--wait | --poll SECS | --collect-job] [--throttle K] [--force]
#                           [--kind auto|sweep|compare] FILE OUT [sbatch args...]
#
#   FILE is a sweep file (`seedsoil sweep`, [[axis]] tables) or a compare file (`seedsoil
#   compare`, [scenario.<name>] tables). --kind auto (the default) reads which from FILE:
#   a sweep if a table header or top-level key is named `axis` ([[axis]], axis = [...]),
#   a comparison if one is named `scenario` ([scenario.<name>], [scenario],
#   scenario.<name> = {...}); comment lines are ignored. Neither or both: exit 2, give
#   --kind sweep or --kind compare.
#   1. plans here and reads the number of runs N printed:
#      sweep: `seedsoil sweep FILE --plan --resume -o OUT` (validates, writes
#      OUT/sweep.toml, base.toml and plan.csv; refuses an OUT that holds a different sweep);
#      comparison: `seedsoil compare FILE --plan -q -o OUT` (validates, writes
#      OUT/compare.toml, configs/, a running manifest.json and plan.csv; an OUT holding
#      the same comparison is reused, one holding another is refused).
#      OUT may already hold this sweep's or comparison's records: resubmitting reruns only
#      the runs without a complete record;
#   2. submits `sbatch --array=0-$((N-1)) [sbatch args...] sweep.sbatch FILE OUT` (or
#      compare.sbatch: task I runs row I of OUT/plan.csv, `--index I`) (several arrays
#      with an index offset if N exceeds the cluster's MaxArraySize);
#   3. with --wait, waits for every task (sbatch --wait), then merges here and exits
#      non-zero if a task failed or the merge did. The merge of a sweep is `seedsoil
#      collect OUT`; that of a comparison `seedsoil compare FILE -o OUT --resume`, run only
#      if every row of OUT/plan.csv has its record (--resume would simulate the missing
#      runs here): else it lists them and exits 1 (submit again to rerun them).
#
#   --poll SECS     like --wait, but polls squeue every SECS seconds (sbatch --wait backs
#                   off to 10 s between polls: --poll 0.5 suits short test sweeps); success
#                   is then the merge's verdict alone (every run complete)
#   --collect-job   instead of waiting, also submit the merge (`seedsoil collect OUT`, or
#                   `seedsoil compare FILE -o OUT --resume`) as a job that starts once
#                   every task has succeeded (--dependency=afterok)
#   --throttle K    at most K tasks of the array at a time (--array=0-M%K)
#   --force         start OUT again: delete its records (--plan --force)
#   --kind KIND     auto (default), sweep or compare: what FILE is (see above)
#
# Environment: SEEDSOIL, the seedsoil binary (default `seedsoil` on PATH), used here and,
# exported through sbatch, in the tasks: it must be reachable from the compute nodes.
# FILE and OUT are made absolute, so the tasks do not depend on their working directory.
# Prints the job id(s) on stdout (one line per array, then the collect job's, if any).
set -euo pipefail

usage() { sed -n '2,44p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

wait_=0 collect_job=0 throttle='' poll='' reuse=--resume kind=auto
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
    --kind) kind=${2:?--kind needs auto, sweep or compare}; shift ;;
    --kind=*) kind=${1#--kind=} ;;
    -h|--help) usage ;;
    *) args+=("$1") ;;
  esac
  shift
done
[ ${#args[@]} -ge 2 ] || usage
[ $wait_ = 1 ] && [ $collect_job = 1 ] && { echo "submit.sh: --wait or --collect-job, not both" >&2; exit 2; }
case $kind in
  auto|sweep|compare) ;;
  *) echo "submit.sh: --kind $kind: give auto, sweep or compare" >&2; exit 2 ;;
esac
file=${args[0]} out=${args[1]}
extra=("${args[@]:2}")

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"
SEEDSOIL=${SEEDSOIL:-seedsoil}
# A relative binary path (target/release/seedsoil) must survive the tasks' other cwd.
case $SEEDSOIL in */*) SEEDSOIL=$(cd "$(dirname "$SEEDSOIL")" && pwd)/$(basename "$SEEDSOIL") ;; esac
export SEEDSOIL
case $kind in
  sweep) what='sweep file' ;;
  compare) what='compare file' ;;
  *) what='sweep or compare file' ;;
esac
[ -f "$file" ] || { echo "submit.sh: no $what $file" >&2; exit 2; }

# detect_kind FILE: prints sweep or compare, from the names of FILE's table headers and
# top-level keys (see the header above); prints nothing if neither or both are found.
detect_kind() {
  awk '
    # The first part of a dotted TOML key, quotes and blanks removed.
    function first(key) {
      gsub(/[ \t"'\'']/, "", key)
      sub(/\..*/, "", key)
      return key
    }
    function saw(key) {
      if (key == "axis") sweep = 1
      else if (key == "scenario") compare = 1
    }
    NR == 1 { sub(/^\357\273\277/, "") }  # a UTF-8 byte order mark
    { sub(/^[ \t\r]+/, "") }
    /^(#|$)/ { next }
    /^\[\[/ {
      key = $0; sub(/^\[\[/, "", key); sub(/\]\].*/, "", key)
      saw(first(key)); tables = 1; next
    }
    # A table header, not a line of a multi-line array ([0.1, 0.2],).
    /^\[[ \t]*[A-Za-z_"'\''][^]=,]*\]/ {
      key = $0; sub(/^\[/, "", key); sub(/\].*/, "", key)
      saw(first(key)); tables = 1; next
    }
    !tables && /^[A-Za-z_"'\''][^=]*=/ { key = $0; sub(/=.*/, "", key); saw(first(key)) }
    END {
      if (sweep && !compare) print "sweep"
      else if (compare && !sweep) print "compare"
    }' "$1"
}

if [ "$kind" = auto ]; then
  kind=$(detect_kind "$file")
  [ -n "$kind" ] || {
    echo "submit.sh: cannot tell whether $file is a sweep ([[axis]] tables) or a comparison" \
      "([scenario.<name>] tables); give --kind sweep or --kind compare" >&2
    exit 2
  }
fi
file=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ "$kind" = sweep ]; then
  n=$("$SEEDSOIL" sweep "$file" --plan "$reuse" -o "$out")
  of=$file task=sweep.sbatch
else
  # compare --plan reuses a folder of the same comparison by itself (no --resume with it).
  plan=(--plan -q)
  [ "$reuse" = --force ] && plan+=(--force)
  n=$("$SEEDSOIL" compare "$file" "${plan[@]}" -o "$out")
  of="comparison $file" task=compare.sbatch
fi
n=$(printf '%s' "$n" | tail -n 1 | tr -d '[:space:]')
case $n in ''|*[!0-9]*) echo "submit.sh: --plan printed '$n', not a run count" >&2; exit 1 ;; esac
if [ "$n" -le 0 ]; then
  if [ "$kind" = sweep ]; then echo "submit.sh: the sweep has no runs" >&2
  else echo "submit.sh: the comparison has no runs" >&2; fi
  exit 1
fi

max=$(slurm_max_array_size)
echo "submit.sh: $n runs of $of into $out (MaxArraySize $max)" >&2

status=0
idfile=$(mktemp)
trap 'rm -f "$idfile"*' EXIT
# With --wait (not --poll), each array is a background sbatch --wait, and the job ids are
# printed once they have all ended; else each id is printed as soon as it is submitted.
print_id() { echo "$1"; }
sbatch_wait=0 report=print_id
if [ $wait_ = 1 ] && [ -z "$poll" ]; then sbatch_wait=1 report=''; fi
slurm_submit_arrays "$n" "$max" "$throttle" "$sbatch_wait" "$idfile" "$report" \
  "${extra[@]}" "$here/$task" "$file" "$out"

# The merge: the command, and the same as one string for sbatch --wrap.
if [ "$kind" = sweep ]; then
  merge=("$SEEDSOIL" collect "$out")
else
  merge=("$SEEDSOIL" compare "$file" -o "$out" --resume)
fi

# The rows of OUT/plan.csv of a comparison without a record (runs/<scenario>/<replicate
# as 6 digits>/status.json, which a task writes last and renames into place), as
# "row R (SCENARIO replicate I)" lines.
unrecorded() {
  awk -F, -v dir="$out/runs" '
    NR == 1 { for (c = 1; c <= NF; c++) col[$c] = c; next }
    {
      s = $col["scenario"]; r = $col["replicate"]
      f = sprintf("%s/%s/%06d/status.json", dir, s, r)
      if ((getline line < f) < 0) printf "row %s (%s replicate %s)\n", $col["row"], s, r
      else close(f)
    }' "$out/plan.csv"
}

if [ $wait_ = 1 ]; then
  slurm_wait_arrays "$poll" || status=1
  if [ -z "$poll" ]; then cat "$idfile".* | cut -d';' -f1; fi
  [ $status = 0 ] || echo "submit.sh: some array tasks failed (see their slurm-*.out)" >&2
  if [ "$kind" = compare ]; then
    missing=$(unrecorded)
    if [ -n "$missing" ]; then
      echo "submit.sh: no record for $(printf '%s\n' "$missing" | wc -l) of the $n runs" \
        "(failed or killed tasks, see their slurm-*.out); not merging (compare --resume" \
        "would simulate them here): submit again to rerun them:" >&2
      printf '%s\n' "$missing" | head -n 10 | sed 's/^/  /' >&2
      exit 1
    fi
  fi
  "${merge[@]}" || status=1
  exit $status
fi

if [ $collect_job = 1 ]; then
  dep=afterok$(printf ':%s' "${slurm_ids[@]}")
  wrap=$(printf '%q ' "${merge[@]}")
  sbatch --parsable --job-name=seedsoil-collect --dependency="$dep" "${extra[@]}" \
    --wrap "${wrap% }" | cut -d';' -f1
fi

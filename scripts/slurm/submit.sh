#!/usr/bin/env bash
# Plan a seedsoil sweep, comparison or validation and submit it to SLURM as a job array,
# one task per run (scripts/slurm/sweep.sbatch, compare.sbatch or validate.sbatch).
#
#   scripts/slurm/submit.sh [--wait | --poll SECS | --collect-job] [--throttle K] [--force]
#                           [--kind auto|sweep|compare] FILE OUT [sbatch args...]
#   scripts/slurm/submit.sh [--wait | --poll SECS | --collect-job] [--throttle K] [--force]
#                           --kind validate OUT [sbatch args...] [-- SELECTION...]
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
#      the same comparison is reused, one holding another is refused);
#      validation: `seedsoil validate SELECTION --plan -q -o OUT` (same reuse and refusal).
#      OUT may already hold this sweep's or comparison's records: resubmitting reruns only
#      the runs without a complete record;
#   2. submits `sbatch --array=0-$((N-1)) [sbatch args...] sweep.sbatch FILE OUT` (or
#      compare.sbatch, or `validate.sbatch OUT SELECTION...`: task I runs row I of
#      OUT/plan.csv, `--index I`) (several arrays with an index offset if N exceeds the
#      cluster's MaxArraySize);
#   3. with --wait, waits for every task (sbatch --wait), then merges here and exits
#      non-zero if a task failed or the merge did. The merge of a sweep is `seedsoil
#      collect OUT`; that of a comparison `seedsoil compare FILE -o OUT --resume` (of a
#      validation `seedsoil validate SELECTION -o OUT --resume`: exit 1 if a check fails,
#      its tables still written), run only if every row of OUT/plan.csv has its record
#      (--resume would simulate the missing runs here): else it lists them and exits 1
#      (submit again to rerun them).
#
#   --poll SECS     like --wait, but polls squeue every SECS seconds (sbatch --wait backs
#                   off to 10 s between polls: --poll 0.5 suits short test sweeps); success
#                   is then the merge's verdict alone (every run complete)
#   --collect-job   instead of waiting, also submit the merge (`seedsoil collect OUT`, or
#                   `seedsoil compare FILE -o OUT --resume`) as a job that starts once
#                   every task has succeeded (--dependency=afterok)
#   --throttle K    at most K tasks of the array at a time (--array=0-M%K)
#   --force         start OUT again: delete its records (--plan --force)
#   --kind KIND     auto (default), sweep or compare: what FILE is (see above); validate:
#                   a validation (`seedsoil validate`), which has no FILE: its selection
#                   options (--only NAME..., --quick, --seeds N, --seed S, --blocks K,
#                   --config FILE) follow a `--` at the end, and are passed identically to
#                   the plan, every task and the merge (none: the whole suite)
#
# Environment: SEEDSOIL, the seedsoil binary (default `seedsoil` on PATH), used here and,
# exported through sbatch, in the tasks: it must be reachable from the compute nodes.
# FILE, OUT and a validation's --config FILE are made absolute, so the tasks do not depend
# on their working directory.
# Prints the job id(s) on stdout (one line per array, then the collect job's, if any).
set -euo pipefail

usage() { sed -n '2,55p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

wait_=0 collect_job=0 throttle='' poll='' reuse=--resume kind=auto
args=() selection=()
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; selection=("$@"); break ;;
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
[ $wait_ = 1 ] && [ $collect_job = 1 ] && { echo "submit.sh: --wait or --collect-job, not both" >&2; exit 2; }
case $kind in
  auto|sweep|compare) [ ${#args[@]} -ge 2 ] || usage ;;
  validate) [ ${#args[@]} -ge 1 ] || usage ;;
  *) echo "submit.sh: --kind $kind: give auto, sweep, compare or validate" >&2; exit 2 ;;
esac
if [ "$kind" = validate ]; then
  file='' out=${args[0]}
  extra=("${args[@]:1}")
else
  [ ${#selection[@]} = 0 ] || {
    echo "submit.sh: options after -- are a validation's selection: give --kind validate" >&2
    exit 2
  }
  file=${args[0]} out=${args[1]}
  extra=("${args[@]:2}")
fi

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
if [ "$kind" = validate ]; then
  # The selection goes unchanged to every step; only --config FILE is made absolute (the
  # tasks run elsewhere). Options that are submit.sh's or the tasks' own are refused.
  sel=()
  for ((i = 0; i < ${#selection[@]}; i++)); do
    a=${selection[i]}
    case $a in
      --config=*)
        c=${a#--config=}
        [ -f "$c" ] || { echo "submit.sh: --config: no config file '$c'" >&2; exit 2; }
        sel+=("--config=$(cd "$(dirname "$c")" && pwd)/$(basename "$c")") ;;
      --config)
        c=${selection[i + 1]:-}
        [ -f "$c" ] || { echo "submit.sh: --config: no config file '$c'" >&2; exit 2; }
        sel+=(--config "$(cd "$(dirname "$c")" && pwd)/$(basename "$c")"); i=$((i + 1)) ;;
      -o|--output|--output=*|-o?*|--plan|--resume|--force|--index|--index=*|--shard|--shard=*|--threads|--threads=*|--list|-q|--quiet)
        echo "submit.sh: $a: not a selection option (submit.sh gives it where needed)" >&2; exit 2 ;;
      *) sel+=("$a") ;;
    esac
  done
  selection=("${sel[@]}")
else
  [ -f "$file" ] || { echo "submit.sh: no $what $file" >&2; exit 2; }
fi

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
[ -z "$file" ] || file=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ "$kind" = sweep ]; then
  n=$("$SEEDSOIL" sweep "$file" --plan "$reuse" -o "$out")
  of=$file task=sweep.sbatch
elif [ "$kind" = validate ]; then
  plan=(--plan -q)
  [ "$reuse" = --force ] && plan+=(--force)
  n=$("$SEEDSOIL" validate "${selection[@]}" "${plan[@]}" -o "$out")
  of="validation (${selection[*]:-the whole suite})" task=validate.sbatch
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
  case $kind in
    sweep) echo "submit.sh: the sweep has no runs" >&2 ;;
    validate) echo "submit.sh: the validation has no simulations" >&2 ;;
    *) echo "submit.sh: the comparison has no runs" >&2 ;;
  esac
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
if [ "$kind" = validate ]; then
  task_args=("$out" "${selection[@]}")
else
  task_args=("$file" "$out")
fi
slurm_submit_arrays "$n" "$max" "$throttle" "$sbatch_wait" "$idfile" "$report" \
  "${extra[@]}" "$here/$task" "${task_args[@]}"

# The merge: the command, and the same as one string for sbatch --wrap.
if [ "$kind" = sweep ]; then
  merge=("$SEEDSOIL" collect "$out")
elif [ "$kind" = validate ]; then
  merge=("$SEEDSOIL" validate "${selection[@]}" -o "$out" --resume)
else
  merge=("$SEEDSOIL" compare "$file" -o "$out" --resume)
fi

# The rows of OUT/plan.csv of a comparison or validation without a record
# (runs/<scenario>/<replicate as 6 digits>/status.json, a validation's
# runs/<scenario>/seed-<seed>/status.json, which a task writes last and renames into
# place), as "row R (SCENARIO replicate I)" lines.
unrecorded() {
  awk -F, -v dir="$out/runs" -v kind="$kind" '
    NR == 1 { for (c = 1; c <= NF; c++) col[$c] = c; next }
    {
      s = $col["scenario"]; r = $col["replicate"]
      if (kind == "validate") f = sprintf("%s/%s/seed-%s/status.json", dir, s, $col["seed"])
      else f = sprintf("%s/%s/%06d/status.json", dir, s, r)
      if ((getline line < f) < 0) printf "row %s (%s replicate %s)\n", $col["row"], s, r
      else close(f)
    }' "$out/plan.csv"
}

if [ $wait_ = 1 ]; then
  slurm_wait_arrays "$poll" || status=1
  if [ -z "$poll" ]; then cat "$idfile".* | cut -d';' -f1; fi
  [ $status = 0 ] || echo "submit.sh: some array tasks failed (see their slurm-*.out)" >&2
  if [ "$kind" != sweep ]; then
    missing=$(unrecorded)
    if [ -n "$missing" ]; then
      echo "submit.sh: no record for $(printf '%s\n' "$missing" | wc -l) of the $n runs" \
        "(failed or killed tasks, see their slurm-*.out); not merging ($kind --resume" \
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

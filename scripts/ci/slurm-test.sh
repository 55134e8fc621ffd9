#!/usr/bin/env bash
# End-to-end test of the SLURM job array (scripts/slurm/) on one machine, for CI.
#
#   scripts/ci/slurm-test.sh            (as root, from anywhere; exits non-zero on failure)
#
# Installs slurm-wlm and munge from Debian (skipped when already installed; set
# SLURM_TEST_APT=always to run apt-get anyway), starts munged and a single-node SLURM
# cluster (slurmctld + slurmd, no cgroups, no systemd, state in a temporary folder), runs
# the small sweep tests/data/sweep/slurm-small.toml through scripts/slurm/submit.sh --wait
# (one array task per run, then `seedsoil collect`), resubmits it (complete runs must be
# skipped), runs the same sweep locally, and compares runs.csv, summary.csv and
# timeseries.csv byte for byte. It then runs a small branched comparison (a compare file
# written into the temporary folder) through scripts/slurm/submit.sh --poll 0.5 (one
# array task per run, then `seedsoil compare --resume`), resubmits it (every task must skip
# its run and the tables stay), runs it locally, and compares its nine tables (runs.csv,
# timeseries.csv, events.csv, summary.csv, organs.csv, comparison.csv, time_to_event.csv,
# kaplan_meier.csv, compare.toml) byte for byte. It then runs a tiny fit (ABC-SMC, a few
# rounds of job arrays) through scripts/slurm/fit.sh --poll 0.5, runs fit.sh again on the
# complete folder (it must submit nothing), fits the same file locally, and compares
# posterior.csv, generations.csv, predictive.csv, observed.csv, base.toml and seed.txt
# byte for byte. Last, it runs the liu2011 validation check with 3 seeds per arm through
# scripts/slurm/submit.sh --kind validate --poll 0.5 (one array task per simulation, then
# `seedsoil validate --resume`), validates the same locally, and compares validation.csv,
# values.csv, checks.csv, runs.csv byte for byte and the exit codes (1 if a check fails).
# The daemons it started are stopped on exit.
#
# Environment:
#   SEEDSOIL         a seedsoil binary to test (default: cargo build --release --locked)
#   SLURM_TEST_KEEP  1: keep the temporary folder (its path is printed)
#   SLURMCTLD_PORT, SLURMD_PORT   the daemons' ports (default 6817, 6818)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
export DEBIAN_FRONTEND=noninteractive

t0=$(date +%s.%N)
phase_start=$t0
phase_name=
timings=()
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
phase() {
  local now
  now=$(date +%s.%N)
  if [ -n "$phase_name" ]; then
    timings+=("$(printf '%-20s %6s s' "$phase_name" "$(secs "$phase_start" "$now")")")
    echo "slurm-test: $phase_name: $(secs "$phase_start" "$now") s"
  fi
  phase_name=$1 phase_start=$now
  [ -n "$phase_name" ] && echo "slurm-test: == $phase_name"
  return 0
}

work=$(mktemp -d /tmp/seedsoil-slurm.XXXXXX)
chmod 755 "$work"
ctld_pid='' slurmd_pid='' munged_started=0
ok=0

dump_logs() {
  for f in "$work"/log/*.log "$work"/jobs/*.out /var/log/munge/munged.log; do
    [ -s "$f" ] || continue
    echo "---- $f (last 40 lines)"
    tail -n 40 "$f"
  done
}

cleanup() {
  local rc=$?
  [ $ok = 1 ] || { echo "slurm-test: logs:"; dump_logs; } >&2
  for pid in $slurmd_pid $ctld_pid; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $slurmd_pid $ctld_pid; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ $munged_started = 1 ] && [ -s /run/munge/munged.pid ]; then
    kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
  fi
  if [ "${SLURM_TEST_KEEP:-0}" = 1 ]; then
    echo "slurm-test: kept $work"
  else
    rm -rf "$work"
  fi
  if [ $ok = 1 ] && [ $rc = 0 ]; then
    echo "slurm-test: PASS"
  else
    echo "slurm-test: FAIL" >&2
    [ $rc = 0 ] && rc=1
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "slurm-test: FAIL: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------
phase "install packages"
if [ "${SLURM_TEST_APT:-}" != always ] &&
  dpkg-query -W -f='${Status}\n' slurmd slurmctld slurm-client munge 2>/dev/null |
  grep -c '^install ok installed' | grep -qx 4; then
  echo "slurm-test: slurmd, slurmctld, slurm-client and munge are installed"
else
  apt-get -o Acquire::Retries=3 update -qq
  apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
command -v sbatch slurmctld slurmd munged >/dev/null || fail "slurm or munge missing after install"

# ---------------------------------------------------------------------------------------
phase "start munged"
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  echo "slurm-test: a munged is already running; using it"
else
  mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    # The package's postinst normally creates the key; make one if it did not.
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key /var/lib/munge /var/log/munge /run/munge
  chmod 700 /etc/munge /var/log/munge
  chmod 400 /etc/munge/munge.key
  chmod 711 /var/lib/munge
  chmod 755 /run/munge
  # munged daemonizes; as the munge user if possible, else as root (--force).
  if runuser -u munge -- /usr/sbin/munged 2>"$work/munged.err"; then
    :
  else
    cat "$work/munged.err" >&2
    /usr/sbin/munged --force || fail "munged did not start"
  fi
  munged_started=1
  for _ in $(seq 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
    sleep 0.1
  done
  munge -n | unmunge >/dev/null || fail "munge credentials do not round-trip"
fi

# ---------------------------------------------------------------------------------------
phase "start slurm"
host=$(hostname -s 2>/dev/null || uname -n)
host=${host%%.*}
cpus=$(nproc)
mkdir -p "$work"/{state,spool,log,jobs}
conf=$work/slurm.conf
cat >"$conf" <<EOF
# A single-node cluster for CI: root daemons, no cgroups, no accounting, no systemd.
ClusterName=seedsoil-ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=${SLURMCTLD_PORT:-6817}
SlurmdPort=${SLURMD_PORT:-6818}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Start array tasks as soon as CPUs free up (defaults: batch jobs wait up to 3 s, and the
# scheduler runs at most every 2 s).
SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$conf
slurmctld -D -f "$conf" >"$work/log/slurmctld.stdout" 2>&1 &
ctld_pid=$!
slurmd -D -f "$conf" -N "$host" >"$work/log/slurmd.stdout" 2>&1 &
slurmd_pid=$!
state=
for _ in $(seq 300); do
  kill -0 "$ctld_pid" 2>/dev/null || fail "slurmctld exited"
  kill -0 "$slurmd_pid" 2>/dev/null || fail "slurmd exited"
  state=$(sinfo -h -N -n "$host" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || {
  sinfo -N -l >&2 || true
  scontrol show node "$host" >&2 || true
  fail "node $host not idle after 60 s (state '$state')"
}
sinfo

phase "smoke job"
# sbatch --wrap, polled with squeue (sbatch --wait sleeps 2 s, 4 s, ... between polls).
# shellcheck disable=SC2016 # $(hostname) is for the job's shell
id=$(sbatch --parsable --chdir="$work/jobs" --output="$work/jobs/smoke.out" \
  --wrap 'echo "ran on $(hostname)"') || fail "sbatch --wrap failed: $id"
for _ in $(seq 300); do
  [ -z "$(squeue -h -j "$id" -o %i 2>/dev/null)" ] && break
  sleep 0.2
done
[ -z "$(squeue -h -j "$id" -o %i 2>/dev/null)" ] || fail "the smoke job did not finish in 60 s"
grep -q '^ran on ' "$work/jobs/smoke.out" || fail "the smoke job wrote no output"
cat "$work/jobs/smoke.out"

# ---------------------------------------------------------------------------------------
phase "build seedsoil"
if [ -n "${SEEDSOIL:-}" ]; then
  echo "slurm-test: using SEEDSOIL=$SEEDSOIL"
else
  cargo build --release --locked --quiet
  SEEDSOIL=${CARGO_TARGET_DIR:-$root/target}/release/seedsoil
fi
case $SEEDSOIL in */*) SEEDSOIL=$(cd "$(dirname "$SEEDSOIL")" && pwd)/$(basename "$SEEDSOIL") ;; esac
export SEEDSOIL
"$SEEDSOIL" sweep --help >/dev/null || fail "$SEEDSOIL has no sweep command"
"$SEEDSOIL" fit --help >/dev/null || fail "$SEEDSOIL has no fit command"
# (no `| grep -q`: with pipefail, the help's writer killed by SIGPIPE would fail it)
compare_help=$("$SEEDSOIL" compare --help) || fail "$SEEDSOIL has no compare command"
case $compare_help in *--plan*) ;; *) fail "$SEEDSOIL has no compare --plan" ;; esac
validate_help=$("$SEEDSOIL" validate --help) || fail "$SEEDSOIL has no validate command"
case $validate_help in *--plan*) ;; *) fail "$SEEDSOIL has no validate --plan" ;; esac

sweep=$root/tests/data/sweep/slurm-small.toml
files=(runs.csv summary.csv timeseries.csv)

phase "sweep on slurm"
slurm_out=$work/slurm
scripts/slurm/submit.sh --wait "$sweep" "$slurm_out" \
  --chdir="$work/jobs" --output="$work/jobs/slurm-%A_%a.out" ||
  fail "the job array or collect failed"
n=$(wc -l <"$slurm_out/plan.csv")
n=$((n - 1))
tasks=$(find "$work/jobs" -name 'slurm-*_*.out' | wc -l)
echo "slurm-test: $n runs, $tasks array task logs"
[ "$tasks" = "$n" ] || fail "expected $n array task logs, found $tasks"
for f in "${files[@]}"; do [ -s "$slurm_out/$f" ] || fail "no $f in $slurm_out"; done
mkdir -p "$work/first"
for f in "${files[@]}"; do cp "$slurm_out/$f" "$work/first/"; done

phase "resubmit (skips)"
# The whole array again, polling squeue instead of sbatch --wait: complete runs are skipped.
rm -f "$work"/jobs/slurm-*_*.out
scripts/slurm/submit.sh --poll 0.5 "$sweep" "$slurm_out" \
  --chdir="$work/jobs" --output="$work/jobs/slurm-%A_%a.out" ||
  fail "resubmitting the complete sweep failed"
for f in "${files[@]}"; do
  cmp "$work/first/$f" "$slurm_out/$f" || fail "$f changed when the complete sweep was resubmitted"
done

phase "sweep locally"
local_out=$work/local
(cd "$work" && "$SEEDSOIL" sweep "$sweep" -o "$local_out" >/dev/null) ||
  fail "the local sweep failed"

phase "compare"
for f in "${files[@]}"; do
  cmp "$slurm_out/$f" "$local_out/$f" || fail "$f differs between the job array and the local sweep"
  echo "slurm-test: $f identical ($(wc -l <"$local_out/$f") lines)"
done

phase "compare on slurm"
# A branched comparison (2 scenarios x 3 replicates, 12 days, branch at day 4) through
# submit.sh --poll 0.5 (kind read from the file): plan, one array task per run (each
# regrows its replicate's trunk), then `compare --resume` here. Resubmitted (with --kind
# compare): every task skips its run, the tables stay. Same bytes as a local comparison.
mkdir -p "$work/compare"
cmpfile=$work/compare/small.toml
cat >"$cmpfile" <<EOF
base = "$root/tests/data/compare/base.toml"
replicates = 3
seed = 11
branch_at_day = 4

[scenario.control]
set = { "run.days" = 12.0 }

[scenario.fast]
include = ["$root/tests/data/compare/faster.toml"]
set = { "run.days" = 12.0 }
EOF
cmp_files=(runs.csv timeseries.csv events.csv summary.csv organs.csv comparison.csv
  time_to_event.csv kaplan_meier.csv compare.toml)
cmp_slurm=$work/compare/slurm
scripts/slurm/submit.sh --poll 0.5 "$cmpfile" "$cmp_slurm" \
  --chdir="$work/jobs" --output="$work/jobs/compare-%A_%a.out" \
  >"$work/compare/submit.out" 2>"$work/compare/submit.err" || {
  cat "$work/compare/submit.err" >&2
  fail "the comparison's job array or its --resume failed"
}
cat "$work/compare/submit.err"
grep -q '^submit.sh: 6 runs of comparison ' "$work/compare/submit.err" ||
  fail "submit.sh did not plan the file as a comparison of 6 runs"
n=$(($(wc -l <"$cmp_slurm/plan.csv") - 1))
tasks=$(find "$work/jobs" -name 'compare-*_*.out' | wc -l)
echo "slurm-test: $n runs, $tasks array task logs"
[ "$n" = 6 ] || fail "expected 6 rows in $cmp_slurm/plan.csv, found $n"
[ "$tasks" = "$n" ] || fail "expected $n array task logs, found $tasks"
grep -q '"status": "completed"' "$cmp_slurm/manifest.json" ||
  fail "the comparison's manifest.json is not completed"
grep -q '"runs_executed_now": 0,' "$cmp_slurm/manifest.json" ||
  fail "compare --resume simulated runs that the array tasks should have run"
for f in "${cmp_files[@]}"; do [ -s "$cmp_slurm/$f" ] || fail "no $f in $cmp_slurm"; done
mkdir -p "$work/compare/first"
for f in "${cmp_files[@]}"; do cp "$cmp_slurm/$f" "$work/compare/first/"; done
# The complete comparison again: each task finds its run's record and skips it.
rm -f "$work"/jobs/compare-*_*.out
scripts/slurm/submit.sh --poll 0.5 --kind compare "$cmpfile" "$cmp_slurm" \
  --chdir="$work/jobs" --output="$work/jobs/compare-%A_%a.out" \
  >/dev/null 2>"$work/compare/resubmit.err" || {
  cat "$work/compare/resubmit.err" >&2
  fail "resubmitting the complete comparison failed"
}
skipped=$(grep -l 'ran 0 of 1 selected runs (1 already recorded)' "$work"/jobs/compare-*_*.out | wc -l)
echo "slurm-test: resubmitted: $skipped of $n array tasks skipped their recorded run"
[ "$skipped" = "$n" ] || fail "expected $n array tasks to skip their recorded run, $skipped did"
for f in "${cmp_files[@]}"; do
  cmp "$work/compare/first/$f" "$cmp_slurm/$f" ||
    fail "$f changed when the complete comparison was resubmitted"
done
cmp_local=$work/compare/local
(cd "$work" && "$SEEDSOIL" compare "$cmpfile" -o "$cmp_local" -q) || fail "the local comparison failed"
for f in "${cmp_files[@]}"; do
  cmp "$cmp_slurm/$f" "$cmp_local/$f" || fail "$f differs between the job array and the local comparison"
  echo "slurm-test: compare $f identical ($(wc -l <"$cmp_local/$f") lines)"
done

phase "fit on slurm"
# A tiny ABC-SMC fit (12 particles, 2 generations, rounds of at most 24 candidates) through
# fit.sh: plan, job array, plan again ... then --resume here. Same bytes as a local fit.
mkdir -p "$work/fit"
awk -F, 'NR == 1 || $1 <= 4' configs/fit/growth.csv >"$work/fit/growth-day4.csv"
fit=$work/fit/tiny.toml
cat >"$fit" <<EOF
base = "$root/configs/reference-r0.toml"
set = { "init.kind" = "disc", "init.radius" = 5.0, "init.csc_fraction" = 0.1, "cells.p_symmetric_max" = 1.0 }
seed = 3
observed = "growth-day4.csv"
population = 12
max_generations = 2
batch = 24
predictive = 2

[[param]]
key = "cells.p_symmetric"
prior = "uniform"
range = [0.05, 0.8]
EOF
fit_files=(posterior.csv generations.csv predictive.csv observed.csv base.toml seed.txt)
fit_slurm=$work/fit/slurm
scripts/slurm/fit.sh --poll 0.5 "$fit" "$fit_slurm" \
  --chdir="$work/jobs" --output="$work/jobs/fit-%A_%a.out" \
  >"$work/fit/driver.out" 2>"$work/fit/driver.err" || {
  cat "$work/fit/driver.err" >&2
  fail "fit.sh failed"
}
cat "$work/fit/driver.err"
rounds=$(grep -c '^fit.sh: round [0-9]*: [0-9]* candidate' "$work/fit/driver.err" || true)
planned=$(sed -n 's/^fit.sh: round [0-9]*: \([0-9]*\) candidate.*/\1/p' "$work/fit/driver.err" |
  awk '{ s += $1 } END { print s + 0 }')
tasks=$(find "$work/jobs" -name 'fit-*_*.out' | wc -l)
echo "slurm-test: $rounds rounds, $planned candidates, $tasks array task logs"
[ "$rounds" -ge 2 ] || fail "expected at least 2 rounds (2 generations), saw $rounds"
[ "$tasks" = "$planned" ] || fail "expected $planned array task logs, found $tasks"
[ ! -e "$fit_slurm/plan.csv" ] || fail "plan.csv left in $fit_slurm after the fit"
for f in "${fit_files[@]}" manifest.json; do [ -s "$fit_slurm/$f" ] || fail "no $f in $fit_slurm"; done
mkdir -p "$work/fit/first"
for f in "${fit_files[@]}"; do cp "$fit_slurm/$f" "$work/fit/first/"; done
# Rerun on the complete folder: no round, no job, the same tables.
rm -f "$work"/jobs/fit-*_*.out
scripts/slurm/fit.sh --poll 0.5 "$fit" "$fit_slurm" \
  --chdir="$work/jobs" --output="$work/jobs/fit-%A_%a.out" \
  >/dev/null 2>"$work/fit/rerun.err" || {
  cat "$work/fit/rerun.err" >&2
  fail "fit.sh failed on the complete fit"
}
cat "$work/fit/rerun.err"
! grep -q '^fit.sh: round' "$work/fit/rerun.err" || fail "fit.sh submitted a round for the complete fit"
[ -z "$(find "$work/jobs" -name 'fit-*_*.out')" ] || fail "array tasks ran for the complete fit"
for f in "${fit_files[@]}"; do
  cmp "$work/fit/first/$f" "$fit_slurm/$f" || fail "$f changed when fit.sh was run on the complete fit"
done
fit_local=$work/fit/local
(cd "$work" && "$SEEDSOIL" fit "$fit" -o "$fit_local" -q) || fail "the local fit failed"
for f in "${fit_files[@]}"; do
  cmp "$fit_slurm/$f" "$fit_local/$f" || fail "$f differs between fit.sh and the local fit"
  echo "slurm-test: fit $f identical ($(wc -l <"$fit_local/$f") lines)"
done

phase "validate on slurm"
# The liu2011 check with 3 seeds per arm (12 simulations) through submit.sh --kind validate
# --poll 0.5: plan, one array task per simulation, then `validate --resume` here. Its four
# tables and exit code (1 if a check fails) must be those of a local validation.
mkdir -p "$work/validate"
val_sel=(--only liu2011 --seeds 3)
val_files=(validation.csv values.csv checks.csv runs.csv)
val_slurm=$work/validate/slurm
val_rc=0
scripts/slurm/submit.sh --poll 0.5 --kind validate "$val_slurm" \
  --chdir="$work/jobs" --output="$work/jobs/validate-%A_%a.out" -- "${val_sel[@]}" \
  >"$work/validate/submit.out" 2>"$work/validate/submit.err" || val_rc=$?
cat "$work/validate/submit.err"
grep -q '^submit.sh: [0-9]* runs of validation ' "$work/validate/submit.err" ||
  fail "submit.sh did not plan a validation"
n=$(($(wc -l <"$val_slurm/plan.csv") - 1))
tasks=$(find "$work/jobs" -name 'validate-*_*.out' | wc -l)
echo "slurm-test: $n simulations, $tasks array task logs, submit.sh exit $val_rc"
[ "$tasks" = "$n" ] || fail "expected $n array task logs, found $tasks"
for f in "${val_files[@]}"; do [ -s "$val_slurm/$f" ] || fail "no $f in $val_slurm"; done
val_local=$work/validate/local
local_rc=0
(cd "$work" && "$SEEDSOIL" validate "${val_sel[@]}" -o "$val_local" -q) || local_rc=$?
echo "slurm-test: local validation exit $local_rc"
case $local_rc in 0|1) ;; *) fail "the local validation failed (exit $local_rc)" ;; esac
[ "$val_rc" = "$local_rc" ] ||
  fail "submit.sh exited $val_rc, the local validation $local_rc"
for f in "${val_files[@]}"; do
  cmp "$val_slurm/$f" "$val_local/$f" || fail "$f differs between the job array and the local validation"
  echo "slurm-test: validate $f identical ($(wc -l <"$val_local/$f") lines)"
done
phase ""

echo "slurm-test: timings"
printf '  %s\n' "${timings[@]}"
printf '  %-20s %6s s\n' total "$(secs "$t0" "$(date +%s.%N)")"
ok=1

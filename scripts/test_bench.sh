#!/usr/bin/env bash
# Test of the memory check of `scripts/bench.sh --quick` on its cheapest workload
# (`compare`: a branched R0 comparison of tests/data/compare, 3 arms x 2 replicates of
# 8 days), with memory files written here (BENCH_MEMORY):
#   - recorded figure 10 KiB: exit status 1 and a message naming the workload, its peak
#     RSS and the recorded figure;
#   - recorded figure 100 GiB: exit status 0, "ok";
#   - no row for the workload: exit status 0, reported as not checked;
#   - `--quick --write-docs`: writes the measured peak RSS into the memory file and keeps
#     the rows of other workloads.
# Times are not checked (they depend on the machine).
#
# Environment:
#   SEEDSOIL  seedsoil binary (default target/debug/seedsoil)
#   WORK      scratch folder (default a fresh mktemp -d, removed on success)
set -euo pipefail

start=$(date +%s)
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

fail() { echo "test_bench: FAIL: $*" >&2; exit 1; }

export SEEDSOIL=${SEEDSOIL:-target/debug/seedsoil}
[ -x "$SEEDSOIL" ] || fail "no seedsoil binary at $SEEDSOIL (run cargo build first)"
if [ -n "${WORK:-}" ]; then
  mkdir -p "$WORK"; keep=1
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/seedsoil-test-bench.XXXXXX"); keep=0
fi

# bench NAME MEMORY_FILE [ARGS...]: runs the quick compare workload against MEMORY_FILE;
# stdout, stderr and the exit status go to $WORK/NAME.{out,err,status}.
bench() {
  local name=$1 memory=$2
  shift 2
  local status=0
  BENCH_MEMORY=$memory scripts/bench.sh --quick --only compare "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" || status=$?
  echo "$status" >"$WORK/$name.status"
}

# Recorded figure far below any process's peak RSS: the check must fail.
printf 'workload,peak_rss_kib,recorded\ncompare,10,test\n' >"$WORK/tiny.csv"
bench tiny "$WORK/tiny.csv"
[ "$(cat "$WORK/tiny.status")" = 1 ] ||
  fail "a recorded figure of 10 KiB: exit status $(cat "$WORK/tiny.status"), expected 1; stderr: $(cat "$WORK/tiny.err")"
grep -Eq '^compare: FAIL: peak RSS [0-9]+ KiB, more than 2× the recorded 10 KiB$' "$WORK/tiny.err" ||
  fail "the failure message lacks the workload, its peak RSS or the recorded figure: $(cat "$WORK/tiny.err")"

# Recorded figure far above: passes.
printf 'workload,peak_rss_kib,recorded\ncompare,100000000,test\n' >"$WORK/huge.csv"
bench huge "$WORK/huge.csv"
[ "$(cat "$WORK/huge.status")" = 0 ] ||
  fail "a recorded figure of 100 GiB: exit status $(cat "$WORK/huge.status"), expected 0: $(cat "$WORK/huge.err")"
grep -Eq '^  compare: [0-9]+ KiB, recorded 100000000 KiB: ok$' "$WORK/huge.out" ||
  fail "a passing check is not reported as ok: $(cat "$WORK/huge.out")"

# No row for the workload: reported, not failed.
printf 'workload,peak_rss_kib,recorded\nsweep,10,test\n' >"$WORK/absent.csv"
bench absent "$WORK/absent.csv"
[ "$(cat "$WORK/absent.status")" = 0 ] ||
  fail "a workload without a recorded figure: exit status $(cat "$WORK/absent.status"), expected 0: $(cat "$WORK/absent.err")"
grep -Eq '^  compare: [0-9]+ KiB, no recorded figure \(not checked\)$' "$WORK/absent.out" ||
  fail "a workload without a recorded figure is not reported: $(cat "$WORK/absent.out")"

# --write-docs with --quick: the compare row gets the measured figure, the sweep row stays.
cp "$WORK/tiny.csv" "$WORK/written.csv"
printf 'sweep,1234,kept\n' >>"$WORK/written.csv"
bench written "$WORK/written.csv" --write-docs
[ "$(cat "$WORK/written.status")" = 0 ] || fail "--quick --write-docs failed: $(cat "$WORK/written.err")"
measured=$(sed -n 's/^  rep 1\/1  compare  *[0-9.]* s wall .*//p' "$WORK/written.out" | wc -l)
[ "$measured" = 1 ] || fail "--quick --write-docs did not run the workload once: $(cat "$WORK/written.out")"
grep -Eq '^compare,[0-9]{3,},[0-9]{4}-[0-9]{2}-[0-9]{2} ' "$WORK/written.csv" ||
  fail "the memory file lacks the measured figure of compare: $(cat "$WORK/written.csv")"
grep -qx 'sweep,1234,kept' "$WORK/written.csv" || fail "the memory file lost the row of sweep: $(cat "$WORK/written.csv")"
[ "$(grep -c '^compare,' "$WORK/written.csv")" = 1 ] || fail "the memory file holds compare twice: $(cat "$WORK/written.csv")"

[ "$keep" = 1 ] || rm -rf "$WORK"
echo "test_bench: ok ($(($(date +%s) - start)) s)"

#!/usr/bin/env bash
# The full validation suite and its committed report: docs/validation.md, with one figure
# per check in docs/validation-figures/.
#
#   scripts/validate.sh            # the suite, then the power runs, then the report
#   POWER=0 scripts/validate.sh    # the suite and the report only
#
# 1. `seedsoil validate` (every check, default seeds, master seed $SEED) -> $OUT/suite
# 2. the empirical power of every check over independent seed blocks (fresh seeds):
#    the quick checks over $QUICK_BLOCKS blocks (seed $POWER_SEED) -> $OUT/power-quick,
#    the expensive ones (default config, therapy; minutes per seed) over $SLOW_BLOCKS
#    blocks -> $OUT/power-slow
# 3. scripts/validation_report.py $OUT/suite -o docs --figures validation-figures
#    --power $OUT/power-quick --power $OUT/power-slow
#
# Environment: SEEDSOIL (default target/release/seedsoil, built if missing), OUT (default
# runs/validation), SEED (20261201), POWER_SEED (777), QUICK_BLOCKS (10), SLOW_BLOCKS (10),
# THREADS (0 = all cores), PYTHON / VENV (as scripts/test_plots.sh; default .venv-plots).
# Whole suite on 2 cores: about 5 minutes; with the power runs (10 blocks each) about an
# hour (2026-12-02: 5.4 + 14.1 + 32.6 min).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

SEEDSOIL=${SEEDSOIL:-target/release/seedsoil}
OUT=${OUT:-runs/validation}
SEED=${SEED:-20261201}
POWER=${POWER:-1}
POWER_SEED=${POWER_SEED:-777}
QUICK_BLOCKS=${QUICK_BLOCKS:-10}
SLOW_BLOCKS=${SLOW_BLOCKS:-10}
THREADS=${THREADS:-0}
PYTHON=${PYTHON:-python3}
VENV=${VENV:-$repo/.venv-plots}

if [ ! -x "$SEEDSOIL" ]; then
    cargo build --release --locked
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/requirements.txt

# seedsoil validate exits 1 when a check fails: that is a result, not an error here.
validate() {
    local status=0
    "$SEEDSOIL" validate --threads "$THREADS" --force "$@" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "validate.sh: seedsoil validate $* exited $status" >&2
        exit "$status"
    fi
}

mkdir -p "$OUT"
validate --seed "$SEED" -o "$OUT/suite"
power_args=()
if [ "$POWER" != 0 ]; then
    validate --quick --blocks "$QUICK_BLOCKS" --seed "$POWER_SEED" -q -o "$OUT/power-quick"
    slow=()
    while read -r name; do slow+=(--only "$name"); done < <(
        "$SEEDSOIL" validate --list | awk '/ seeds/ && !/quick/ {print $1}')
    validate "${slow[@]}" --blocks "$SLOW_BLOCKS" --seed "$POWER_SEED" -q -o "$OUT/power-slow"
    power_args=(--power "$OUT/power-quick" --power "$OUT/power-slow")
fi
"$VENV/bin/python" scripts/validation_report.py "$OUT/suite" -o docs \
    --figures validation-figures "${power_args[@]}"
echo "validate.sh: docs/validation.md written from $OUT/suite"

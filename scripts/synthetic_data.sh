#!/usr/bin/env bash
# Synthetic observations made by the simulator itself, in the tidy format `seedsoil fit`
# reads (`day,<output>,...`, one row per replicate and day): the primary tumour's outputs
# on the given days of one run per seed, with the given run arguments.
#
#   scripts/synthetic_data.sh --days "2 4 6" --outputs total,csc --seeds "101 102" \
#       -- configs/reference-r0.toml --set cells.p_symmetric=0.3 > data.csv
#
# Every run lasts to the last day. SEEDSOIL names the binary (default: build and use
# target/release/seedsoil). Exit 2 on bad arguments.
set -euo pipefail
usage() {
    echo "usage: $0 --days \"D1 D2 ...\" --outputs COL[,COL...] --seeds \"S1 S2 ...\" -- [seedsoil run arguments]" >&2
    exit 2
}
days="" outputs="" seeds=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --days) days=${2:-}; shift 2 || usage ;;
        --outputs) outputs=${2:-}; shift 2 || usage ;;
        --seeds) seeds=${2:-}; shift 2 || usage ;;
        --) shift; break ;;
        *) usage ;;
    esac
done
[[ -n "$days" && -n "$outputs" && -n "$seeds" ]] || usage
for d in $days; do
    [[ "$d" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "error: --days: \"$d\" is not a day (a number ≥ 0)" >&2; exit 2; }
done
for s in $seeds; do
    [[ "$s" =~ ^[0-9]+$ ]] || { echo "error: --seeds: \"$s\" is not a seed (an integer ≥ 0)" >&2; exit 2; }
done
if [[ -z "${SEEDSOIL:-}" ]]; then
    (cd "$(dirname "$0")/.." && cargo build --release --quiet)
    SEEDSOIL="$(cd "$(dirname "$0")/.." && pwd)/target/release/seedsoil"
fi
last=$(printf '%s\n' $days | sort -g | tail -1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "day,$outputs"
for s in $seeds; do
    "$SEEDSOIL" run "$@" --seed "$s" --days "$last" --set output.timeseries_every_h=1 \
        -o "$tmp/run$s" --quiet
    awk -F, -v OFS=, -v days="$days" -v outputs="$outputs" '
        NR == 1 {
            for (i = 1; i <= NF; i++) col[$i] = i
            n = split(outputs, want, ",")
            for (k = 1; k <= n; k++)
                if (!(want[k] in col)) { print "error: --outputs: no column " want[k] > "/dev/stderr"; exit 2 }
            split(days, d, " ")
            for (k in d) hour[d[k] * 24] = d[k]
            next
        }
        $col["compartment"] == "primary" && ($col["time_h"] + 0) in hour {
            line = hour[$col["time_h"] + 0]
            for (k = 1; k <= n; k++) line = line OFS $col[want[k]]
            print line
        }' "$tmp/run$s/timeseries.csv"
done

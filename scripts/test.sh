#!/usr/bin/env bash
# All tests (the README's test command; CI runs it): the Rust suite (unit, statistical,
# CLI, scenario tests), then the plotting scripts on outputs of a small real run, sweep
# and comparison (scripts/test_plots.sh: creates the venv .venv-plots, installs
# scripts/requirements.txt, checks every PNG), and the validation report
# (scripts/test_validation_report.sh), the memory check of the benchmark suite
# (scripts/test_bench.sh), then every command of the README and docs/
# (scripts/check_docs.py). Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked "$@"
SEEDSOIL=target/debug/seedsoil bash scripts/test_plots.sh
SEEDSOIL=target/debug/seedsoil bash scripts/test_validation_report.sh
SEEDSOIL=target/debug/seedsoil bash scripts/test_bench.sh
python3 scripts/check_docs.py

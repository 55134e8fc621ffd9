# Shared by the scenario scripts (liu2011.sh, kaplan2005.sh); source it, do not run it,
# from the project root. Sourcing sets `bin` (the release binary, built if missing) and
# `out` (a temporary folder removed on exit).
#
# run_arms CONFIG OUT REPS [extra seedsoil run flags...]
#   runs every arm of the array `arms` (flags per arm in the associative array `flags`)
#   for seeds 1..REPS with CONFIG, one thread each, JOBS (default 2) at a time, into
#   OUT/<arm>-<seed>.
# summary_col FILE NAME
#   the 1-based column of NAME in the header of the CSV FILE.

bin=target/release/seedsoil
[ -x "$bin" ] || cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run_arms() {
  local config=$1 out=$2 reps=$3
  shift 3
  for arm in "${arms[@]}"; do
    for seed in $(seq 1 "$reps"); do
      echo "$arm $seed ${flags[$arm]} $*"
    done
  done | sed "s/ *$//" | xargs -P "${JOBS:-2}" -L 1 bash -c '
    arm=$1; seed=$2; shift 2
    '"$bin"' run '"$config"' --quiet --threads 1 --seed "$seed" -o '"$out"'/$arm-$seed "$@" >/dev/null
  ' _
}

summary_col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }

# shellcheck shell=bash
# Shell functions shared by submit.sh and fit.sh: submitting N array tasks as job arrays
# no larger than the cluster's MaxArraySize, and waiting for them. Sourced, not run:
#   here=$(cd "$(dirname "$0")" && pwd)
#   . "$here/lib.sh"
# The functions print no messages of their own; the callers report in their own name.
# They set the globals slurm_ids (the job ids submitted) and slurm_pids (the background
# sbatch --wait processes).

# slurm_max_array_size: prints the cluster's MaxArraySize. Array indices must stay below
# it (1001 unless `scontrol show config` says otherwise). Fails if scontrol fails.
slurm_max_array_size() {
  local max
  max=$(scontrol show config 2>/dev/null | awk '$1 == "MaxArraySize" {print $3}') || return
  case $max in ''|*[!0-9]*) max=1001 ;; esac
  echo "$max"
}

# slurm_submit_arrays N MAX THROTTLE WAIT PREFIX REPORT SBATCH_ARGS...
# Submits tasks 0 … N-1 as arrays of at most MAX tasks each:
#   INDEX_OFFSET=OFFSET sbatch --parsable [--wait] --array=0-M[%THROTTLE] SBATCH_ARGS...
# where OFFSET is the array's first task (the batch script adds it to its task id).
# WAIT=1: each sbatch gets --wait and runs in the background (its pid in slurm_pids), its
# output in PREFIX.OFFSET (old PREFIX.* files are removed first); else the job ids go to
# slurm_ids. REPORT, unless empty, is a function called as REPORT ID SPEC OFFSET after each
# submission (with WAIT=1, once sbatch has printed the id; ID is empty if it printed none).
# Returns sbatch's status, at once, if an sbatch without --wait fails.
slurm_submit_arrays() {
  local n=$1 max=$2 throttle=$3 wait=$4 prefix=$5 report=$6 offset=0 count spec id
  shift 6
  slurm_ids=() slurm_pids=()
  rm -f "$prefix".*
  while [ $offset -lt "$n" ]; do
    count=$((n - offset))
    [ $count -gt "$max" ] && count=$max
    spec=0-$((count - 1))${throttle:+%$throttle}
    id=
    if [ "$wait" = 1 ]; then
      # sbatch --wait blocks until the array ends; run the arrays side by side.
      INDEX_OFFSET=$offset sbatch --parsable --wait --array="$spec" "$@" >"$prefix.$offset" &
      slurm_pids+=("$!")
      if [ -n "$report" ]; then
        # Report the job id as soon as sbatch prints it.
        while [ ! -s "$prefix.$offset" ] && kill -0 "${slurm_pids[-1]}" 2>/dev/null; do sleep 0.1; done
        id=$(head -n 1 "$prefix.$offset" | cut -d';' -f1)
      fi
    else
      id=$(INDEX_OFFSET=$offset sbatch --parsable --array="$spec" "$@") || return
      id=${id%%;*}
      slurm_ids+=("$id")
    fi
    [ -z "$report" ] || "$report" "$id" "$spec" "$offset"
    offset=$((offset + count))
  done
}

# slurm_wait_arrays POLL: waits for the arrays of the last slurm_submit_arrays. POLL empty:
# waits for its background sbatch --wait processes, and returns 1 if one failed (a failed
# task). Else polls squeue every POLL seconds until no job of slurm_ids is left.
slurm_wait_arrays() {
  local poll=$1 pid status=0 joined queued
  if [ -z "$poll" ]; then
    for pid in "${slurm_pids[@]}"; do wait "$pid" || status=1; done
  else
    joined=$(IFS=,; echo "${slurm_ids[*]}")
    while :; do
      if queued=$(squeue -h -j "$joined" -o %i 2>&1); then
        [ -z "$queued" ] && break
      else
        # Jobs already purged from the controller are finished; other errors: retry.
        case $queued in *"Invalid job id"*) break ;; esac
      fi
      sleep "$poll"
    done
  fi
  return $status
}

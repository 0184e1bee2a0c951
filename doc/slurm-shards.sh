#!/bin/sh
# slurm-shards.sh - run a Clusim study as a Slurm array job: each array task
# computes one shard of the runs of every scenario with runs (clusim --shard),
# and a last job, started when every task has ended well, merges them into
# exactly what `clusim SCRIPT ARGS...` prints in one process.
#
# Usage (from the directory of the script, which the nodes share):
#
#   sbatch --array=1-8 slurm-shards.sh study.clu [ARGS...]
#
# The array's size is the number of shards.  The merged output goes to
# SCRIPT.merged.out here (and the files the script writes, such as its exports,
# are written by the merge), Slurm's own logs to clusim-JOB_TASK.log.
# CLUSIM names the clusim program if it is not on the PATH of the nodes.
#
#SBATCH --job-name=clusim-shards
#SBATCH --output=clusim-%A_%a.log
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1

set -eu
clusim=${CLUSIM:-clusim}
if [ $# -lt 1 ] || [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
    echo "usage: sbatch --array=1-N slurm-shards.sh SCRIPT [ARGS...]" >&2
    exit 2
fi
script=$1
shift
base=$(basename "$script") # the part files are FILE.part-K-of-N here
k=$SLURM_ARRAY_TASK_ID
n=$SLURM_ARRAY_TASK_COUNT
first=$SLURM_ARRAY_TASK_MIN
if [ "$first" -ne 1 ] || [ "$SLURM_ARRAY_TASK_MAX" -ne "$n" ]; then
    echo "slurm-shards.sh: give the array as 1-N (--array=1-$n), not starting at $first" >&2
    exit 2
fi

# The first task submits the merge, to start once every task has ended well.
if [ "$k" -eq 1 ]; then
    sbatch --quiet --job-name=clusim-merge --dependency="afterok:$SLURM_ARRAY_JOB_ID" \
        --output="clusim-$SLURM_ARRAY_JOB_ID-merge.log" \
        --wrap="'$clusim' merge '$base'.part-*-of-$n > '$base.merged.out'"
fi

exec "$clusim" --shard "$k/$n" "$script" "$@"

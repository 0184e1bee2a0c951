#!/bin/sh
# run_slurm_test.sh - a sharded study through Slurm merges to one process's
# output (make check-slurm).
#
# Usage: sh tests/slurm/run_slurm_test.sh CLUSIM_BINARY
#
# Brings up a one-machine Slurm cluster of its own in a temporary directory:
# munged with its own key and socket, slurmctld and slurmd on ports of their
# own, this machine as the only node.  Then submits doc/slurm-shards.sh as an
# array job of 3 shards of tests/shard/shard_mc.clu, waits for the array and
# for the merge job it submits, and compares the merged output and export
# with those of one process.  Everything is stopped and removed at the end.
# Needs Debian's slurm-wlm and munge (installed when missing, through
# scripts/install-deps.sh) and root, as slurmd runs jobs as their user;
# where either is missing it says so and exits 77 (skipped).

set -u
me=run_slurm_test
[ $# -eq 1 ] || { echo "usage: sh tests/slurm/run_slurm_test.sh CLUSIM_BINARY" >&2; exit 2; }
case $1 in
    /*) bin=$1 ;;
    *) bin=$(pwd)/$1 ;;
esac
[ -x "$bin" ] || { echo "$me: $1: no such executable (build it with make)" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)

skip() { echo "$me: skipped: $*"; exit 77; }
for tool in sbatch slurmctld slurmd munged mungekey; do
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
        (cd "$top" && sh scripts/install-deps.sh slurm-wlm munge) >/dev/null 2>&1 || true
        break
    fi
done
PATH=$PATH:/usr/sbin
for tool in sbatch squeue scontrol slurmctld slurmd munged mungekey; do
    command -v "$tool" >/dev/null 2>&1 || skip "no $tool (install slurm-wlm and munge: sudo apt-get install slurm-wlm munge)"
done
[ "$(id -u)" -eq 0 ] || skip "slurmd needs root to run jobs (run make check-slurm as root)"

d=$(mktemp -d "${TMPDIR:-/tmp}/clusim-slurm.XXXXXX") || exit 2
chmod 700 "$d"
stop() {
    [ -f "$d/slurm.conf" ] && SLURM_CONF=$d/slurm.conf scontrol shutdown >/dev/null 2>&1
    for pidfile in "$d/slurmd.pid" "$d/slurmctld.pid" "$d/munge/munged.pid"; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
    done
    sleep 1
    rm -rf "$d"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail() {
    echo "$me: FAIL: $*"
    for log in "$d"/slurmctld.log "$d"/slurmd.log "$d"/work/clusim-*.log; do
        [ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }
    done
    exit 1
}

# munge, with its own key and socket
mkdir -m 700 "$d/munge"
mungekey --create --keyfile="$d/munge/munge.key" >/dev/null 2>&1 || fail "mungekey could not create a key"
munged --force --key-file="$d/munge/munge.key" --socket="$d/munge/socket" --log-file="$d/munge/munged.log" \
    --pid-file="$d/munge/munged.pid" --seed-file="$d/munge/seed" >/dev/null 2>&1 || fail "munged did not start"

# Slurm: this machine is the controller and the only node
host=$(hostname -s)
port=$((20000 + $$ % 20000))
mkdir -p "$d/state" "$d/spool" "$d/work"
cat >"$d/slurm.conf" <<CONF
ClusterName=clusimtest
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$d/munge/socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=clusimtest Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$d/slurm.conf"
slurmctld -f "$SLURM_CONF" >/dev/null 2>&1 || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" >/dev/null 2>&1 || fail "slurmd did not start"
up=no
for i in $(seq 30); do
    if sinfo -h -o '%t' 2>/dev/null | grep -q idle; then up=yes; break; fi
    sleep 1
done
[ $up = yes ] || fail "the node did not come up"

# one process, then the array job and its merge
cd "$d/work" || exit 2
cp "$top/tests/shard/shard_mc.clu" .
export LC_ALL=C NO_COLOR=1
"$bin" shard_mc.clu x y >one.out 2>&1 || fail "the study failed in one process"
mv spread.csv one.csv
CLUSIM=$bin sbatch --quiet --wait --array=1-3 --chdir="$d/work" "$top/doc/slurm-shards.sh" shard_mc.clu x y ||
    fail "the array job failed"
for i in $(seq 60); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 1
done
[ -z "$(squeue -h 2>/dev/null)" ] || fail "the merge job did not end"
[ -f shard_mc.clu.merged.out ] || fail "no merged output"
cmp -s one.out shard_mc.clu.merged.out || { diff one.out shard_mc.clu.merged.out; fail "the merged output differs from one process's"; }
cmp -s one.csv spread.csv || fail "the merged export differs from one process's"
echo "slurm: 3 shards as an array job, merged by a dependent job: the output and export of one process"

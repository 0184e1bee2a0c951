#!/bin/sh
# run.sh - run the fuzzer for a fixed time (`make fuzz`; doc/internals.md,
# "Fuzzing").
#
# Usage: sh tests/fuzz/run.sh FUZZER DIR SECONDS [LIBFUZZER-OPTION...]
#
# FUZZER is build-fuzz/fuzz_clusim; DIR is build-fuzz, which holds the seeds
# (DIR/seeds, copied from the script tests and examples by make), the
# corpus the fuzzer grows (DIR/corpus, kept from run to run), the inputs
# that failed (DIR/artifacts) and the log of the last run (DIR/fuzz.log).
# Exits 0 when the fuzzer found nothing; otherwise prints the end of the
# sanitizer's report, the path of the reproducer and how to replay it, and
# exits 1.
set -u
fuzzer=$1 dir=$2 seconds=$3
shift 3
mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/work"
# Absolute paths: the fuzzer runs inside $dir/work, so that the files its
# inputs write (write_csv, export ... to a mutated name) land there and never
# in the source tree.
abs() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$(pwd)" "$1" ;; esac; }
fuzzer=$(abs "$fuzzer") dir=$(abs "$dir") dict=$(abs tests/fuzz/clusim.dict)
log=$dir/fuzz.log

echo "== fuzzing for ${seconds}s ($fuzzer, log in $log)"
# -timeout: an input that runs this long hangs somewhere the step budget
# cannot reach (a loop in C): a finding.  -rss_limit_mb is libFuzzer's
# default, said here because the out-of-memory path depends on it.
(cd "$dir/work" && exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict="$dict" -artifact_prefix="$dir/artifacts/" \
    -print_final_stats=1 "$@" "$dir/corpus" "$dir/seeds") >"$log" 2>&1 </dev/null
status=$?

# The last status line and the final statistics.
grep -E '^#[0-9]+' "$log" | tail -n 1
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log"

if [ "$status" -eq 0 ]; then
    echo "== fuzzing found nothing"
    exit 0
fi

echo "== fuzzing FAILED (status $status); the report (all of it in $log):"
# The sanitizer's first lines (a stack overflow's trace has hundreds of
# frames), then its summary.
awk '/ERROR: |runtime error:/ { p = 1 } p && n < 30 { print; n++ }' "$log"
grep '^SUMMARY' "$log"
artifacts=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
if [ -z "$artifacts" ]; then
    echo "== no reproducer was written (see $log)"
    exit 1
fi
for a in $artifacts; do
    echo "== reproducer: $a"
    echo "   replay:     $fuzzer $a"
    echo "   minimize:   $fuzzer -minimize_crash=1 -runs=10000 $a"
    echo "   its text (first 40 lines):"
    head -n 40 "$a" | cat -v | sed 's/^/   | /'
done
exit 1

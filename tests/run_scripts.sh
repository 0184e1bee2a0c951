#!/bin/sh
# run_scripts.sh - runs the script tests in tests/scripts and compares their
# standard output, standard error and exit status with the expected ones.
#
# Usage: sh tests/run_scripts.sh CLUSIM_BINARY [FILTER]
#        sh tests/run_scripts.sh --update CLUSIM_BINARY [FILTER]
#
# A test is any tests/scripts/**/NAME.clu.  The runner changes into its
# directory and runs `CLUSIM NAME.clu ARGS </dev/null`, so messages name the
# file as `NAME.clu:LINE:COL`.  Beside it:
#
#   NAME.out          expected standard output (absent: must be empty)
#   NAME.err          expected standard error  (absent: must be empty)
#   # args: A B C     a line in NAME.clu: arguments after the file name
#                     (split at white space, no quoting, no globbing); the
#                     word @TMP@ stands for an empty directory of the
#                     test's own, removed after it (for files it writes)
#   # options: -X Y   a line in NAME.clu: options for clusim itself, before
#                     the file name (such as --jobs 2)
#   # env: V=X W=Y    a line in NAME.clu: variables set in clusim's
#                     environment (split at white space; a relative path in
#                     a value is taken from the test's directory)
#   # exit: N         a line in NAME.clu: expected exit status (default 0)
#   ... # expect: T   lines in NAME.clu giving the expected output line by
#                     line, instead of a NAME.out (NAME.out wins if present)
#
# Everything is compared exactly (byte for byte); a mismatch prints a unified
# diff.  The environment is made deterministic: LC_ALL=C, NO_COLOR=1, no COLUMNS, and a
# fresh HOME and XDG_STATE_HOME for each test.  A test running longer than
# CLUSIM_TEST_TIMEOUT seconds (default 60) is killed and fails.
# CLUSIM_TEST_FILTER (or FILTER) keeps only the tests whose path under
# tests/scripts contains it, e.g. `basics/` or `divzero`.
#
# --update rewrites NAME.out and NAME.err from what the binary prints now
# (deleting them when the output is empty).  Read the diff before
# committing: it accepts whatever the interpreter does, bugs included.
# It never edits the .clu files: a changed exit status is only reported.
#
# The last line is always `N passed, N failed`; the exit status is non-zero
# if a test failed or if no test ran.

set -u

me=run_scripts
usage() {
    echo "usage: sh tests/run_scripts.sh [--update] CLUSIM_BINARY [FILTER]" >&2
    exit 2
}

update=no
if [ "${1:-}" = "--update" ]; then
    update=yes
    shift
fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
bin=$1
filter=${2:-${CLUSIM_TEST_FILTER:-}}

# The binary as an absolute path: each test runs in its own directory.
case $bin in
    */*) ;;
    *) bin=$(command -v "$bin") || { echo "$me: $1: not found" >&2; exit 2; } ;;
esac
if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
    echo "$me: $bin: no such executable (build it with make)" >&2
    exit 2
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

root=$(cd "$(dirname "$0")" && pwd)/scripts
if [ ! -d "$root" ]; then
    echo "$me: no directory $root" >&2
    exit 2
fi

timeout_s=${CLUSIM_TEST_TIMEOUT:-60}
if command -v timeout >/dev/null 2>&1; then
    limit="timeout -k 5 $timeout_s"
else
    limit=""
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clusim-scripts.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export LC_ALL=C NO_COLOR=1
unset CLUSIM_TEST_FILTER COLUMNS

# directive FILE KEY: the value of the first `# KEY: value` line of FILE.
directive() {
    sed -n "s/^#[[:space:]]*$2:[[:space:]]*//p" "$1" | head -n 1 | sed 's/[[:space:]]*$//'
}

# run_one FILE: runs the test; sets $status, $tmp/out and $tmp/err.
run_one() {
    rm -rf "${tmp:?}/home"
    mkdir -p "$tmp/home/state" "$tmp/home/files"
    args=$(directive "$1" args | sed "s|@TMP@|$tmp/home/files|g")
    options=$(directive "$1" options)
    envs=$(directive "$1" env)
    (
        cd "$(dirname "$1")" || exit 125
        set -f  # $args splits at white space but never globs
        # shellcheck disable=SC2086
        HOME=$tmp/home XDG_STATE_HOME=$tmp/home/state exec env $envs $limit "$bin" $options "$(basename "$1")" $args
    ) </dev/null >"$tmp/out" 2>"$tmp/err"
    status=$?
    timed_out=no
    if [ -n "$limit" ] && { [ $status -eq 124 ] || [ $status -eq 137 ]; }; then
        timed_out=yes
    fi
}

# expected_stdout FILE STEM: the file holding the expected standard output.
expected_stdout() {
    if [ -f "$2.out" ]; then
        echo "$2.out"
    elif grep -q '# expect:' "$1"; then
        sed -n 's/^.*# expect: \{0,1\}//p' "$1" >"$tmp/expect"
        echo "$tmp/expect"
    else
        echo /dev/null
    fi
}

# show_diff EXPECTED ACTUAL LABEL: prints a unified diff, indented.
show_diff() {
    diff -u -L "$3 (expected)" -L "$3 (actual)" "$1" "$2" | sed 's/^/    /'
}

find "$root" -type f -name '*.clu' | LC_ALL=C sort >"$tmp/list"

passed=0
failed=0
updated=0
while IFS= read -r file; do
    rel=${file#"$root"/}
    case $rel in *"$filter"*) ;; *) continue ;; esac
    name=${rel%.clu}
    stem=${file%.clu}

    want_status=$(directive "$file" exit)
    case $want_status in
        '') want_status=0 ;;
        *[!0-9]*) echo "FAIL $name: bad '# exit:' line: $want_status"; failed=$((failed + 1)); continue ;;
    esac

    run_one "$file"

    if [ $update = yes ]; then
        if [ $timed_out = yes ]; then
            echo "SKIP $name: timed out after ${timeout_s} s; nothing written"
            failed=$((failed + 1))
            continue
        fi
        out_file=$(expected_stdout "$file" "$stem")
        if [ "$out_file" = "$tmp/expect" ]; then
            cmp -s "$out_file" "$tmp/out" ||
                echo "NOTE $name: stdout differs from its '# expect:' lines (edit them by hand)"
        elif [ -s "$tmp/out" ]; then
            cmp -s "$tmp/out" "$stem.out" 2>/dev/null || { cp "$tmp/out" "$stem.out"; echo "wrote $name.out"; updated=$((updated + 1)); }
        elif [ -f "$stem.out" ]; then
            rm -f "$stem.out"; echo "removed ${name}.out (output now empty)"; updated=$((updated + 1))
        fi
        if [ -s "$tmp/err" ]; then
            cmp -s "$tmp/err" "$stem.err" 2>/dev/null || { cp "$tmp/err" "$stem.err"; echo "wrote $name.err"; updated=$((updated + 1)); }
        elif [ -f "$stem.err" ]; then
            rm -f "$stem.err"; echo "removed ${name}.err (error output now empty)"; updated=$((updated + 1))
        fi
        [ "$status" -eq "$want_status" ] ||
            echo "NOTE $name: exit status is $status, the test says $want_status (edit its '# exit:' line)"
        passed=$((passed + 1))
        continue
    fi

    out_file=$(expected_stdout "$file" "$stem")
    err_file=/dev/null
    [ -f "$stem.err" ] && err_file=$stem.err

    ok=yes
    cmp -s "$out_file" "$tmp/out" || ok=no
    cmp -s "$err_file" "$tmp/err" || ok=no
    [ "$status" -eq "$want_status" ] || ok=no
    [ $timed_out = no ] || ok=no

    if [ $ok = yes ]; then
        echo "ok   $name"
        passed=$((passed + 1))
        continue
    fi
    failed=$((failed + 1))
    echo "FAIL $name"
    if [ $timed_out = yes ]; then
        echo "  timed out after ${timeout_s} s (killed)"
    elif [ "$status" -ne "$want_status" ]; then
        echo "  exit status: expected $want_status, got $status"
    fi
    cmp -s "$out_file" "$tmp/out" || show_diff "$out_file" "$tmp/out" stdout
    cmp -s "$err_file" "$tmp/err" || show_diff "$err_file" "$tmp/err" stderr
done <"$tmp/list"

if [ $update = yes ]; then
    echo "$updated expected files written or removed; review them with git diff"
fi
if [ $((passed + failed)) -eq 0 ]; then
    echo "$me: no test matched${filter:+ the filter '$filter'} under $root"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $((passed + failed)) -gt 0 ]

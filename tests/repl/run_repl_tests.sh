#!/bin/sh
# run_repl_tests.sh - runs the prompt tests tests/repl/*.pty through a
# pseudo-terminal (tests/repl/pty_driver.c) against a Clusim binary, and
# the tests tests/repl/*.in of the prompt reading piped input.
#
# Usage: sh tests/repl/run_repl_tests.sh CLUSIM_BINARY PTY_DRIVER
#
# Each NAME.pty is a pty_driver script (see the comment at the top of
# pty_driver.c).  Every test starts `CLUSIM` with no arguments, in a fresh
# temporary directory holding a copy of this directory's .clu files (so
# that files a test writes, :save and :transcript, stay out of the source
# tree), with a fresh temporary HOME and XDG_STATE_HOME (so the history
# file is $XDG_STATE_HOME/clusim/history), INPUTRC pointing at an empty file
# (no /etc/inputrc), LC_ALL=C and NO_COLOR=1.  Lines in the .pty file:
#
#   # args: A B C               arguments for clusim (split at white space)
#   # env: V=X W=Y              variables set in clusim's environment
#   # history-contains: TEXT    after the run, the history file must contain
#                               TEXT (a fixed string; several lines allowed)
#   # file-contains: FILE TEXT  after the run, FILE (in the test's directory)
#                               must contain the line TEXT, whole
#   # file-lacks: FILE TEXT     ... and must not contain TEXT anywhere
#
# Each NAME.in is the standard input of `CLUSIM ARGS` (ARGS from its line
# `# args: ...`, such as -i start.clu), given twice, redirected from the
# file and through a pipe, in the same environment and directory as a .pty
# test.  Both times, standard output and standard error together (one
# file, in the order they were written) must be NAME.out, with the version
# in the banner read as VERSION, and the exit status that of the line
# `# exit: N` in NAME.in (0 without one); and piped input must leave the
# history alone (no history file afterwards).  The `#` lines are comments
# to Clusim, so they are input too, shown after the prompt.
#
# CLUSIM_TEST_FILTER keeps the tests whose file name contains it.
# CLUSIM_TEST_TIMEOUT (default 60) bounds each whole test in seconds.
# The last line is `N passed, N failed`; the exit status is non-zero if a
# test failed or if none ran.

set -u

me=run_repl_tests
if [ $# -ne 2 ]; then
    echo "usage: sh tests/repl/run_repl_tests.sh CLUSIM_BINARY PTY_DRIVER" >&2
    exit 2
fi

# abspath PROGRAM: the program as an absolute path, or empty if missing.
abspath() {
    case $1 in
        */*) p=$1 ;;
        *) p=$(command -v "$1") || return 1 ;;
    esac
    [ -f "$p" ] && [ -x "$p" ] || return 1
    echo "$(cd "$(dirname "$p")" && pwd)/$(basename "$p")"
}
bin=$(abspath "$1") || { echo "$me: $1: no such executable (build it with make)" >&2; exit 2; }
driver=$(abspath "$2") || { echo "$me: $2: no such executable (build it with make)" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
filter=${CLUSIM_TEST_FILTER:-}
timeout_s=${CLUSIM_TEST_TIMEOUT:-60}
if command -v timeout >/dev/null 2>&1; then
    limit="timeout -k 5 $timeout_s"
else
    limit=""
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clusim-repl.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export LC_ALL=C NO_COLOR=1
unset CLUSIM_TEST_FILTER
: >"$tmp/inputrc"

passed=0
failed=0

# report: the test $name passed, or failed with $problem (and $tmp/log).
report() {
    if [ -z "$problem" ]; then
        echo "ok   $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: $problem"
        sed 's/^/    /' "$tmp/log"
        failed=$((failed + 1))
    fi
}

for test in "$here"/*.pty; do
    [ -f "$test" ] || continue
    name=$(basename "$test" .pty)
    case $name in *"$filter"*) ;; *) continue ;; esac

    rm -rf "${tmp:?}/home" "${tmp:?}/work"
    mkdir -p "$tmp/home/state" "$tmp/work"
    cp "$here"/*.clu "$tmp/work/" 2>/dev/null
    args=$(sed -n 's/^#[[:space:]]*args:[[:space:]]*//p' "$test" | head -n 1)
    envs=$(sed -n 's/^#[[:space:]]*env:[[:space:]]*//p' "$test" | head -n 1)
    (
        cd "$tmp/work" || exit 125
        set -f
        # shellcheck disable=SC2086  # $args and $envs split at white space
        HOME=$tmp/home XDG_STATE_HOME=$tmp/home/state INPUTRC=$tmp/inputrc \
            exec env $envs $limit "$driver" "$test" -- "$bin" $args
    ) </dev/null >"$tmp/log" 2>&1
    status=$?

    problem=""
    if [ -n "$limit" ] && { [ $status -eq 124 ] || [ $status -eq 137 ]; }; then
        problem="timed out after $timeout_s s (killed)"
    elif [ $status -ne 0 ]; then
        problem="pty_driver exited with status $status"
    fi
    if [ -z "$problem" ]; then
        history=$tmp/home/state/clusim/history
        sed -n 's/^#[[:space:]]*history-contains:[[:space:]]*//p' "$test" >"$tmp/wanted"
        while IFS= read -r text; do
            if [ ! -f "$history" ]; then
                problem="no history file $history"
                break
            fi
            if ! grep -qF -- "$text" "$history"; then
                problem="the history file does not contain: $text"
                {
                    echo "--- history file ---"
                    cat "$history"
                    echo "--- end of history file ---"
                } >>"$tmp/log"
                break
            fi
        done <"$tmp/wanted"
    fi
    if [ -z "$problem" ]; then
        sed -n 's/^#[[:space:]]*file-contains:[[:space:]]*//p' "$test" >"$tmp/wanted"
        while IFS= read -r spec; do
            file=${spec%% *}
            text=${spec#* }
            if ! grep -qxF -- "$text" "$tmp/work/$file" 2>/dev/null; then
                problem="$file does not contain the line: $text"
                {
                    echo "--- $file ---"
                    cat "$tmp/work/$file" 2>&1
                    echo "--- end of $file ---"
                } >>"$tmp/log"
                break
            fi
        done <"$tmp/wanted"
    fi
    if [ -z "$problem" ]; then
        sed -n 's/^#[[:space:]]*file-lacks:[[:space:]]*//p' "$test" >"$tmp/wanted"
        while IFS= read -r spec; do
            file=${spec%% *}
            text=${spec#* }
            if [ ! -f "$tmp/work/$file" ] || grep -qF -- "$text" "$tmp/work/$file"; then
                problem="$file is missing or contains: $text"
                break
            fi
        done <"$tmp/wanted"
    fi

    report
done

for test in "$here"/*.in; do
    [ -f "$test" ] || continue
    name=$(basename "$test" .in)
    case $name in *"$filter"*) ;; *) continue ;; esac

    args=$(sed -n 's/^#[[:space:]]*args:[[:space:]]*//p' "$test" | head -n 1)
    want=$(sed -n 's/^#[[:space:]]*exit:[[:space:]]*//p' "$test" | head -n 1)
    want=${want:-0}
    problem=""
    : >"$tmp/log"
    for how in file pipe; do
        rm -rf "${tmp:?}/home" "${tmp:?}/work"
        mkdir -p "$tmp/home/state" "$tmp/work"
        cp "$here"/*.clu "$tmp/work/" 2>/dev/null
        (
            cd "$tmp/work" || exit 125
            set -f
            # shellcheck disable=SC2086  # $args and $limit split at white space
            if [ $how = file ]; then
                HOME=$tmp/home XDG_STATE_HOME=$tmp/home/state INPUTRC=$tmp/inputrc \
                    exec $limit "$bin" $args <"$test"
            else
                cat "$test" | HOME=$tmp/home XDG_STATE_HOME=$tmp/home/state INPUTRC=$tmp/inputrc \
                    $limit "$bin" $args
            fi
        ) >"$tmp/got" 2>&1
        status=$?
        sed 's/^Clusim [0-9][0-9.]* - /Clusim VERSION - /' "$tmp/got" >"$tmp/got.out"
        if [ -n "$limit" ] && { [ $status -eq 124 ] || [ $status -eq 137 ]; }; then
            problem="input from a $how: timed out after $timeout_s s (killed)"
        elif ! diff -u "$here/$name.out" "$tmp/got.out" >"$tmp/log" 2>&1; then
            problem="input from a $how: the output differs from $name.out"
        elif [ "$status" != "$want" ]; then
            problem="input from a $how: exit status $status, not $want"
            cp "$tmp/got.out" "$tmp/log"
        elif [ -e "$tmp/home/state/clusim/history" ]; then
            problem="input from a $how: piped lines were written to the history file"
            cp "$tmp/home/state/clusim/history" "$tmp/log"
        fi
        [ -z "$problem" ] || break
    done

    report
done

if [ $((passed + failed)) -eq 0 ]; then
    echo "$me: no test matched${filter:+ the filter '$filter'} in $here"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $((passed + failed)) -gt 0 ]

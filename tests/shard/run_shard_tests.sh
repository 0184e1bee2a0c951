#!/bin/sh
# run_shard_tests.sh - runs beyond one process: `clusim --shard K/N` and
# `clusim merge` give byte for byte the output and files of one process;
# the merge refuses parts that do not fit; GNU parallel runs the shards,
# locally and through --sshlogin (with a stand-in for ssh that runs the
# command here, so no ssh server is needed).
#
# Usage: sh tests/shard/run_shard_tests.sh CLUSIM_BINARY
# GNU parallel is installed when missing (scripts/install-deps.sh); where it
# cannot be, its two tests are skipped with a message, the others run.
# The last line is `N passed, N failed`.

set -u
me=run_shard_tests
[ $# -eq 1 ] || { echo "usage: sh tests/shard/run_shard_tests.sh CLUSIM_BINARY" >&2; exit 2; }
case $1 in
    /*) bin=$1 ;;
    *) bin=$(pwd)/$1 ;;
esac
[ -x "$bin" ] || { echo "$me: $1: no such executable (build it with make)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clusim-shard.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C NO_COLOR=1
unset COLUMNS

passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() {
    echo "FAIL $1: $2"
    [ -f "$tmp/log" ] && sed 's/^/    /' "$tmp/log"
    failed=$((failed + 1))
}

# fresh: an empty work directory with the test scripts
fresh() {
    rm -rf "$tmp/w"
    mkdir -p "$tmp/w"
    cp "$here"/*.clu "$tmp/w/"
    cd "$tmp/w" || exit 2
}

# the reference: one process, its output and its export
reference() {
    "$bin" shard_mc.clu x y >ref.out 2>ref.err
    echo "status $?" >>ref.out
    mv spread.csv ref.csv
}

# same NAME: the merged output and export equal the reference
same() {
    if cmp -s ref.out merged.out && cmp -s ref.err merged.err && cmp -s ref.csv spread.csv; then
        ok "$1"
    else
        diff ref.out merged.out >"$tmp/log" 2>&1
        diff ref.err merged.err >>"$tmp/log" 2>&1
        cmp ref.csv spread.csv >>"$tmp/log" 2>&1
        bad "$1" "the merged results differ from one process's"
    fi
}

# parts_made N NAME: GNU parallel left the N part files; if not, NAME
# fails with what parallel printed (it can end with status 0 when a
# remote job could not even start)
parts_made() {
    k=1
    while [ $k -le "$1" ]; do
        if [ ! -f "shard_mc.clu.part-$k-of-$1" ]; then
            { echo "no part file shard_mc.clu.part-$k-of-$1; GNU parallel printed:"
              cat parallel.log; } >"$tmp/log"
            bad "$2" "a shard did not run"
            return 1
        fi
        k=$((k + 1))
    done
    return 0
}

merge() {
    "$bin" merge "$@" >merged.out 2>merged.err
    echo "status $?" >>merged.out
}

# 1. three shards, one with workers and a part file named by --part
fresh
reference
"$bin" --shard 1/3 shard_mc.clu x y >s1.out 2>&1 &&
    "$bin" --shard 2/3 shard_mc.clu x y >s2.out 2>&1 &&
    mkdir parts && "$bin" --jobs 2 --shard 3/3 --part parts/third shard_mc.clu x y >s3.out 2>&1
status=$?
if [ $status -ne 0 ]; then
    cat s1.out s2.out s3.out >"$tmp/log" 2>/dev/null
    bad "three shards" "a shard failed (status $status)"
elif [ -s s1.out ] || [ -s s2.out ] || [ -s s3.out ] || [ -e spread.csv ]; then
    cat s1.out s2.out s3.out >"$tmp/log"
    bad "three shards" "a shard printed something or wrote the export"
else
    merge shard_mc.clu.part-1-of-3 parts/third shard_mc.clu.part-2-of-3
    same "three shards, merged in any order"
fi
[ -z "$(ls -a parts | grep tmp)" ] || bad "three shards" "a temporary part file was left behind"

# 1b. a part file has the mode of any new file (0666 less the umask), not
# the temporary file's 0600: another user may merge it
fresh
(umask 022 && "$bin" --shard 1/2 shard_mc.clu x y) >"$tmp/log" 2>&1
(umask 077 && "$bin" --shard 2/2 shard_mc.clu x y) >>"$tmp/log" 2>&1
m1=$(stat -c %a shard_mc.clu.part-1-of-2 2>/dev/null)
m2=$(stat -c %a shard_mc.clu.part-2-of-2 2>/dev/null)
if [ "$m1" = 644 ] && [ "$m2" = 600 ]; then
    ok "a part file's mode follows the umask"
else
    echo "modes $m1 and $m2, not 644 and 600" >>"$tmp/log"
    bad "a part file's mode follows the umask" "wrong mode"
fi

# 2. more shards than runs: some shards have none of a scenario's runs
fresh
reference
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40; do
    "$bin" --shard "$k/40" shard_mc.clu x y || break
done >"$tmp/log" 2>&1
merge shard_mc.clu.part-*-of-40
same "40 shards for 37 runs"

# 3. one shard of one is the whole
fresh
reference
"$bin" --shard 1/1 shard_mc.clu x y >"$tmp/log" 2>&1
merge shard_mc.clu.part-1-of-1
same "one shard"

# 4. the merge refuses what does not fit, saying why
fresh
for k in 1 2 3; do "$bin" --shard "$k/3" shard_mc.clu x y; done >/dev/null 2>&1
"$bin" --shard 1/2 shard_mc.clu x y >/dev/null 2>&1
"$bin" --shard 2/3 shard_mc.clu other args >/dev/null 2>&1 # shard_mc.clu.part-2-of-3 again, other arguments
mv shard_mc.clu.part-2-of-3 other-args.part
"$bin" --shard 2/3 shard_mc.clu x y >/dev/null 2>&1
head -c 300 shard_mc.clu.part-3-of-3 >cut.part
refuses() { # NAME EXPECTED-MESSAGE PARTS...
    name=$1 want=$2
    shift 2
    "$bin" merge "$@" >"$tmp/out" 2>"$tmp/log"
    status=$?
    if [ $status -eq 1 ] && grep -qF -- "$want" "$tmp/log" && [ ! -s "$tmp/out" ]; then
        ok "merge refuses $name"
    else
        echo "(status $status, wanted 1 and: $want)" >>"$tmp/log"
        bad "merge refuses $name" "wrong refusal"
    fi
}
refuses "a missing shard" "needs the part files of all 3 shards; 2 given" shard_mc.clu.part-1-of-3 shard_mc.clu.part-2-of-3
refuses "a shard twice" "are both shard 1 of 3" shard_mc.clu.part-1-of-3 shard_mc.clu.part-1-of-3 shard_mc.clu.part-3-of-3
refuses "shards of another split" "is shard 1 of 2" shard_mc.clu.part-1-of-3 shard_mc.clu.part-1-of-2 shard_mc.clu.part-3-of-3
refuses "other arguments" "made from another script, or the same one with other arguments" shard_mc.clu.part-1-of-3 other-args.part shard_mc.clu.part-3-of-3
refuses "a cut file" "'cut.part' is damaged or incomplete" shard_mc.clu.part-1-of-3 shard_mc.clu.part-2-of-3 cut.part
refuses "a file that is not a part" "'shard_flow.clu' is not a part file" shard_mc.clu.part-1-of-3 shard_mc.clu.part-2-of-3 shard_flow.clu
# part files of another format: refused, never read (format 1 held its
# numbers in the byte order of the machine that wrote it)
{ printf 'CLUSIM-PART 1\n'; tail -c +15 shard_mc.clu.part-3-of-3; } >format1.part
{ printf 'CLUSIM-PART 4\n'; tail -c +15 shard_mc.clu.part-3-of-3; } >format4.part
refuses "a part of the old format" "'format1.part' is a part file of an older clusim (format 1, whose numbers are in the byte order" format1.part shard_mc.clu.part-1-of-3 shard_mc.clu.part-2-of-3
refuses "a part of the old format, given last" "'format1.part' is a part file of an older clusim" shard_mc.clu.part-1-of-3 shard_mc.clu.part-2-of-3 format1.part
refuses "a part of a newer format" "'format4.part' is a part file of another version of clusim (format 4; this one reads format 3)" shard_mc.clu.part-1-of-3 shard_mc.clu.part-2-of-3 format4.part
echo "# changed" >>shard_mc.clu
refuses "a changed script" "or changed since" shard_mc.clu.part-1-of-3 shard_mc.clu.part-2-of-3 shard_mc.clu.part-3-of-3
refuses "no such file" "cannot read the part file 'nothing.part'" nothing.part

# 4b. the files the script reads (an import, a data file, the standard
# library) must be those the shards read: a merge refuses parts made from
# others before it uses their runs, and prints nothing
fresh
cp "$here/shard_inputs.csv" .
"$bin" shard_inputs.clu >inputs.ref 2>&1
for k in 1 2; do "$bin" --shard "$k/2" shard_inputs.clu; done >"$tmp/log" 2>&1
if "$bin" merge shard_inputs.clu.part-1-of-2 shard_inputs.clu.part-2-of-2 >inputs.out 2>&1 && cmp -s inputs.ref inputs.out; then
    ok "the same files: merged as one process"
else
    cat inputs.out >"$tmp/log"
    bad "the same files" "the merge differs from one process"
fi
cp shard_inputs_lib.clu lib.saved
echo "# changed" >>shard_inputs_lib.clu
refuses "an imported file changed since" "shard 1 ('shard_inputs.clu.part-1-of-2') had read other files than this merge" shard_inputs.clu.part-1-of-2 shard_inputs.clu.part-2-of-2
cp lib.saved shard_inputs_lib.clu
printf 'start\n100\n\n' >shard_inputs.csv
refuses "a data file changed since" "had read other files than this merge" shard_inputs.clu.part-1-of-2 shard_inputs.clu.part-2-of-2

# 4c. the analyst's study of examples/study.clu (spreadsheet data, a sweep
# of many-run cases, sensitivity), in two shards: the output of one process
fresh
cp "$top/examples/study.clu" . && cp -r "$top/examples/data" .
"$bin" study.clu data >study.ref 2>&1
echo "status $?" >>study.ref
for k in 1 2; do "$bin" --shard "$k/2" study.clu data; done >"$tmp/log" 2>&1
"$bin" merge study.clu.part-1-of-2 study.clu.part-2-of-2 >study.out 2>&1
echo "status $?" >>study.out
if cmp -s study.ref study.out; then
    ok "examples/study.clu in two shards"
else
    diff study.ref study.out >"$tmp/log" 2>&1
    bad "examples/study.clu in two shards" "the merged output differs from one process's"
fi

# 5. a script that goes another way when merged
fresh
printf 'a\n1\n2\n' >flow.csv
"$bin" --shard 1/2 shard_flow.clu >/dev/null 2>&1
"$bin" --shard 2/2 shard_flow.clu >/dev/null 2>&1
printf 'a\n1\n' >flow.csv
# this is found at the end, after the script printed what it computed
"$bin" merge shard_flow.clu.part-1-of-2 shard_flow.clu.part-2-of-2 >"$tmp/out" 2>"$tmp/log"
if [ $? -eq 1 ] && grep -qF "the parts hold the runs of 2 scenarios but this script used only 1: it did not go the same way" "$tmp/log"; then
    ok "merge refuses a script that runs fewer scenarios"
else
    bad "merge refuses a script that runs fewer scenarios" "wrong refusal"
fi
printf 'a\n1\n' >flow.csv
"$bin" --shard 1/2 shard_flow.clu >/dev/null 2>&1
"$bin" --shard 2/2 shard_flow.clu >/dev/null 2>&1
printf 'a\n1\n2\n' >flow.csv
"$bin" merge shard_flow.clu.part-1-of-2 shard_flow.clu.part-2-of-2 >"$tmp/out" 2>"$tmp/log"
if [ $? -eq 1 ] && grep -qF "the parts hold only 1 such runs: the script must go the same way" "$tmp/log"; then
    ok "merge refuses a script that runs more scenarios"
else
    bad "merge refuses a script that runs more scenarios" "wrong refusal"
fi

# 6. a shard that meets an error leaves no part file, not even a temporary one
fresh
"$bin" --shard 2/3 shard_error.clu >"$tmp/out" 2>"$tmp/log"
status=$?
if [ $status -eq 1 ] && grep -qF "assertion failed: run failed" "$tmp/log" && [ -z "$(ls | grep part)" ]; then
    ok "a failed shard has no part file"
else
    ls >>"$tmp/log"
    bad "a failed shard has no part file" "status $status"
fi

# 7. a shard stopped by a signal, outside its runs (before them, or after
# them blocked in a read) or inside them, leaves no part file, not even a
# temporary one, and ends by that signal
# appears CONDITION: whether the shell command CONDITION holds within 10 s
appears() {
    n=0
    until eval "$1"; do
        [ $n -ge 100 ] && return 1
        sleep 0.1
        n=$((n + 1))
    done
}
# A background job of a script ignores SIGINT: give the shard the default
# back where env can (coreutils 8.31), or else stop it with SIGTERM.
if env --default-signal=INT true 2>/dev/null; then
    as_job="env --default-signal=INT" int="INT 2"
else
    as_job="" int="TERM 15"
fi
stopped() { # WHERE SIGNAL NUMBER
    where=$1 sig=$2 num=$3 name="a shard stopped by SIG$2 $1 its runs"
    fresh
    mkfifo gate.fifo
    ( $as_job "$bin" --shard 1/2 shard_wait.clu "$where" >/dev/null 2>"$tmp/log" &
      echo $! >pid
      wait $!
      echo $? >status ) 2>/dev/null &
    appears 'test -s pid'
    pid=$(cat pid)
    gate=
    if [ "$where" = after ]; then
        # this opens the FIFO once the shard opened it to read, past its runs
        sh -c 'exec 3>gate.fifo; : >gate.open; exec sleep 60' &
        gate=$!
        appears 'test -e gate.open'
    else
        appears 'ls | grep -q "[.]tmp-"' && sleep 0.3
    fi
    reached=$?
    kill -"$sig" "$pid"
    appears 'test -s status' || { kill -KILL "$pid"; appears 'test -s status'; }
    status=$(cat status)
    [ -n "$gate" ] && kill $gate && wait $gate 2>/dev/null
    left=$(ls | grep part)
    if [ $reached -ne 0 ]; then
        bad "$name" "it did not get there"
    elif [ "$status" -ne $((128 + num)) ]; then
        bad "$name" "status $status, not $((128 + num))"
    elif [ -n "$left" ]; then
        bad "$name" "it left $left"
    elif ! grep -qF "stopped by signal $num" "$tmp/log"; then
        bad "$name" "it did not say it was stopped"
    else
        ok "$name"
    fi
}
stopped before HUP 1
stopped after TERM 15
stopped in $int

# 8. GNU parallel, here and through --sshlogin
if ! command -v parallel >/dev/null 2>&1; then
    (cd "$top" && sh scripts/install-deps.sh parallel) >/dev/null 2>&1
fi
if command -v parallel >/dev/null 2>&1 && parallel --version 2>/dev/null | grep -q "GNU parallel"; then
    fresh
    reference
    parallel --will-cite "$bin" --shard {}/4 shard_mc.clu x y ::: 1 2 3 4 >parallel.log 2>&1
    if parts_made 4 "GNU parallel, 4 shards"; then
        merge shard_mc.clu.part-*-of-4
        same "GNU parallel, 4 shards"
    fi
    # A stand-in for ssh: `ssh [options] HOST [--] COMMAND` runs COMMAND
    # here.  Like a login through sshd, it gives the command a SHELL and a
    # HOME when the caller has none (CI runs with neither), because GNU
    # parallel's remote wrapper runs each job with the login's $SHELL.
    cat >fake-ssh <<'SH'
#!/bin/sh
: "${SHELL:=/bin/sh}" "${HOME:=/tmp}"
export SHELL HOME
while [ $# -gt 0 ]; do
    case $1 in
        -*) shift ;;
        *) shift; break ;;
    esac
done
[ "${1:-}" = "--" ] && shift
exec sh -c "$*"
SH
    chmod +x fake-ssh
    rm -f shard_mc.clu.part-*
    parallel --will-cite --ssh "$PWD/fake-ssh" --sshlogin 2/nodeA,2/nodeB --workdir "$PWD" \
        "$bin" --shard {}/3 shard_mc.clu x y ::: 1 2 3 >parallel.log 2>&1
    if parts_made 3 "GNU parallel --sshlogin, 3 shards"; then
        merge shard_mc.clu.part-*-of-3
        same "GNU parallel --sshlogin, 3 shards"
    fi
else
    echo "skip GNU parallel: not installed and cannot be installed here (sudo apt-get install parallel)"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]

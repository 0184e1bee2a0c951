#!/bin/sh
# bench/run.sh - Clusim benchmark suite: the same small programs in Clusim,
# Lua 5.4 and Python 3, timed side by side.  Not part of the tests.
#
# usage: sh bench/run.sh [CLUSIM_BINARY] [PROGRAM...]
#        make bench                      (builds, then runs this with ./build/clusim)
#
#   CLUSIM_BINARY  default ./build/clusim
#   PROGRAM        any of: startup fib loop calls fields strings harmonic world
#                  (default: all of them; `world` alone: sh bench/run.sh ./build/clusim world)
#
# Environment:
#   RUNS=5              timed runs per program (after WARMUP runs)
#   WARMUP=1            untimed warm-up runs
#   STARTUP_RUNS=20     timed runs for the start-up benchmark (it is ~1-30 ms)
#   LUA=lua5.4          Lua 5.4 interpreter
#   PYTHON=...          Python 3 interpreter; default: the real executable behind
#                       `python3` (a pyenv shim adds ~50 ms per start)
#   BENCH_TIMEOUT=120   seconds before one program run is abandoned (needs timeout(1))
#   NO_HYPERFINE=1      use the built-in timing loop even if hyperfine is installed
#   NO_INSTALL=1        do not call scripts/install-deps.sh lua5.4 (it is run
#                       first otherwise, to make sure Lua 5.4 is installed)
#
# The `world` benchmark (bench/world/, see bench/README.md) is timed apart:
#   WORLD_REPEAT=1      timed runs per implementation (best wall-clock kept); no warm-up
#   WORLD_TIMEOUT=900   seconds before one world run is abandoned
#   WORLD_CLUSTERS=1000 size of the generated world (other sizes go to bench/results/)
#   WORLD_RUNS=100      runs: of the scenario (Monte Carlo runs)
#   WORLD_JOBS=         also time `clusim --jobs N` (default: the number of CPUs
#                       when there are several; 0 or 1 = do not)
#
# Prints a table (best-of-RUNS wall-clock times) and writes it, with the
# versions used, to bench/results/latest.txt (bench/results/ is git-ignored).
# Exit status: 0 all ran and printed the expected output; 1 some program failed,
# timed out or printed something else (the table is still printed); 2 usage.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
progs="$here/programs"
results="$here/results"

ALL="startup fib loop forloop calls fields strings floats money moneyfrac harmonic world"

clusim=${1:-./build/clusim}
[ $# -gt 0 ] && shift
selected=${*:-$ALL}
for p in $selected; do
    case " $ALL " in
        *" $p "*) ;;
        *) echo "bench/run.sh: unknown program '$p' (know: $ALL)" >&2; exit 2 ;;
    esac
done

RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
STARTUP_RUNS=${STARTUP_RUNS:-20}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-120}
LUA=${LUA:-lua5.4}

# Resolve the Clusim binary to an absolute path (we cd to the repo root).
case "$clusim" in
    /*) ;;
    */*) clusim="$(cd "$(dirname "$clusim")" 2>/dev/null && pwd)/$(basename "$clusim")" ;;
    *) clusim=$(command -v "$clusim" 2>/dev/null || echo "$clusim") ;;
esac
if [ ! -x "$clusim" ]; then
    echo "bench/run.sh: Clusim binary '$clusim' not found or not executable." >&2
    echo "  build it first (make), or use: make bench" >&2
    exit 2
fi

cd "$root" || exit 2
mkdir -p "$results"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clusim-bench.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

warn() { printf '%s\n' "$*" >&2; }
# Single-quote a word for a command string (hyperfine -N and eval both honour it).
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# ---------------------------------------------------------------- Lua 5.4
# install-deps.sh is quick and silent when nothing is missing.
if [ -z "${NO_INSTALL:-}" ]; then
    if [ -f scripts/install-deps.sh ]; then
        sh scripts/install-deps.sh lua5.4 >&2 || warn "== scripts/install-deps.sh lua5.4 failed (see above)"
    elif ! command -v "$LUA" >/dev/null 2>&1; then
        warn "== scripts/install-deps.sh not found; cannot install lua5.4 automatically"
    fi
fi
if command -v "$LUA" >/dev/null 2>&1; then
    have_lua=1
    LUA=$(command -v "$LUA")
else
    have_lua=
    warn "!!"
    warn "!! $LUA (Lua 5.4) not found: the Lua column will read 'missing'."
    warn "!! Install it (Debian/Ubuntu: apt-get install lua5.4; macOS: brew install lua)"
    warn "!! or point LUA= at a Lua 5.4 interpreter.  The Clusim targets are relative to Lua."
    warn "!!"
fi

# ---------------------------------------------------------------- Python 3
if [ -z "${PYTHON:-}" ]; then
    PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PYTHON=
fi
if [ -n "$PYTHON" ] && "$PYTHON" -c 'import sys; assert sys.version_info[0] == 3' 2>/dev/null; then
    have_py=1
else
    have_py=
    warn "!! python3 not found: the Python column will read 'missing'."
fi

# ---------------------------------------------------------------- timer
use_hf=
if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then
    use_hf=1
    hf_shell=
    # -N (no intermediate shell) exists from hyperfine 1.13 on.
    hyperfine --help 2>/dev/null | grep -q -- "--shell=none" && hf_shell=--shell=none
    timer="hyperfine $(hyperfine --version 2>/dev/null | awk '{print $2}') (--warmup $WARMUP, best of the timed runs)"
else
    timer="built-in loop ($WARMUP warm-up, best of the timed runs)"
fi
now_cmd=
if [ -z "$use_hf" ]; then
    case $(date +%N 2>/dev/null) in
        [0-9]*[0-9]) now_cmd='date +%s.%N' ;;
        *) if [ -n "$have_py" ]; then now_cmd="$(q "$PYTHON") -S -c 'import time; print(time.time())'"
           else warn "bench/run.sh: need hyperfine, GNU date (+%N) or python3 to time anything"; exit 2; fi ;;
    esac
fi
have_timeout=
command -v timeout >/dev/null 2>&1 && have_timeout=1

# time_cmd NAME RUNS CMDSTRING -> prints the best time in seconds (or nothing on failure)
time_cmd() {
    _name=$1 _runs=$2 _cmd=$3
    if [ -n "$use_hf" ]; then
        _json="$results/$_name.json"
        # shellcheck disable=SC2086  # $hf_shell is empty or one word
        if hyperfine $hf_shell --warmup "$WARMUP" --runs "$_runs" --style none \
               --export-json "$_json" "$_cmd" >"$tmp/hf.log" 2>&1; then
            # results[0].min from the exported JSON, without needing a JSON tool.
            tr -d ' \n' <"$_json" | sed -n 's/.*"min":\([0-9.eE+-]*\).*/\1/p'
        else
            sed 's/^/   hyperfine: /' "$tmp/hf.log" >&2
        fi
        return
    fi
    _i=0
    while [ "$_i" -lt "$WARMUP" ]; do eval "$_cmd" >/dev/null 2>&1; _i=$((_i + 1)); done
    _best='' _i=0
    while [ "$_i" -lt "$_runs" ]; do
        _t0=$(eval "$now_cmd")
        eval "$_cmd" >/dev/null 2>&1 || return
        _t1=$(eval "$now_cmd")
        _best=$(awk -v a="$_t0" -v b="$_t1" -v best="$_best" \
            'BEGIN { d = b - a; if (best == "" || d < best + 0) print d; else print best }')
        _i=$((_i + 1))
    done
    echo "$_best"
}

# run_once CMDSTRING OUTFILE -> runs once with a timeout, stdout to OUTFILE;
# prints "ok", "fail N" or "timeout".
run_once() {
    if [ -n "$have_timeout" ]; then
        eval "timeout $BENCH_TIMEOUT $1" >"$2" 2>"$2.err" </dev/null
    else
        eval "$1" >"$2" 2>"$2.err" </dev/null
    fi
    _rc=$?
    if [ "$_rc" -eq 0 ]; then echo ok
    elif [ "$_rc" -eq 124 ] && [ -n "$have_timeout" ]; then echo timeout
    else echo "fail $_rc"
    fi
}

# ---------------------------------------------------------------- formatting
fmt_ms() {   # seconds -> "123.4 ms" (or "12.3 s" from 10 s on); non-numbers pass through
    case "$1" in
        ''|*[!0-9.eE+-]*) printf '%s' "${1:--}" ;;
        *) awk -v s="$1" 'BEGIN { ms = s * 1000; if (ms < 100) printf "%.1f ms", ms; else if (ms < 10000) printf "%.0f ms", ms; else printf "%.1f s", s }' ;;
    esac
}
is_num() { case "$1" in ''|*[!0-9.eE+-]*) return 1 ;; *) return 0 ;; esac; }
ratio() {    # a/b as "1.23x", or "-"
    if is_num "$1" && is_num "$2"; then awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "-" }'
    else printf '%s' -; fi
}

out="$results/latest.txt.tmp"
: >"$out"
say() { printf '%s\n' "$*"; printf '%s\n' "$*" >>"$out"; }

clusim_version=$("$clusim" --version 2>/dev/null </dev/null | head -n 1)
lua_version=$([ -n "$have_lua" ] && "$LUA" -v 2>&1 | head -n 1)
py_version=$([ -n "$have_py" ] && "$PYTHON" --version 2>&1 | head -n 1)
git_rev=$(git rev-parse --short HEAD 2>/dev/null || echo "no commit")
git_dirty=$(git status --porcelain 2>/dev/null | head -n 1)
[ -n "$git_dirty" ] && git_rev="$git_rev (+ uncommitted changes)"

say "Clusim benchmarks  $(date '+%Y-%m-%d %H:%M:%S')"
say "  clusim : $clusim  ${clusim_version:-(no --version)}"
if [ -n "$have_lua" ]; then say "  lua    : $LUA  $lua_version"; else say "  lua    : missing"; fi
if [ -n "$have_py" ]; then say "  python : $PYTHON  $py_version"; else say "  python : missing"; fi
say "  tree   : $git_rev"
say "  host   : $(uname -srm), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') CPUs"
say "  timer  : $timer; wall-clock incl. process start"
say ""

problems=0
rows="$tmp/rows"
: >"$rows"

# The `world` entry (a simulation, timed apart with /usr/bin/time): bench/world/world.sh
. "$here/world/world.sh"

for name in $selected; do
    if [ "$name" = world ]; then
        world_bench
        continue
    fi
    runs=$RUNS
    if [ "$name" = startup ]; then
        runs=$STARTUP_RUNS
        c_cmd="$(q "$clusim") -e 'print 1'"
        l_cmd="$(q "$LUA") -e 'print(1)'"
        p_cmd="$(q "${PYTHON:-python3}") -c 'print(1)'"
        printf '1\n' >"$tmp/expected"
    else
        c_cmd="$(q "$clusim") $(q "$progs/$name.clu")"
        l_cmd="$(q "$LUA") $(q "$progs/$name.lua")"
        p_cmd="$(q "${PYTHON:-python3}") $(q "$progs/$name.py")"
        cp "$progs/$name.expected" "$tmp/expected"
    fi
    [ -f "$progs/$name.lua" ] || [ "$name" = startup ] || l_cmd=
    ct='' lt='' pt=''
    for impl in clusim lua python; do
        case $impl in
            clusim) cmd=$c_cmd; avail=1 ;;
            lua)    cmd=$l_cmd; avail=$have_lua ;;
            python) cmd=$p_cmd; avail=$have_py ;;
        esac
        if [ -z "$cmd" ]; then t="n/a"
        elif [ -z "$avail" ]; then t="missing"
        else
            printf '   %-8s %-7s ' "$name" "$impl" >&2
            status=$(run_once "$cmd" "$tmp/out.$impl")
            case $status in
                ok)
                    if cmp -s "$tmp/out.$impl" "$tmp/expected"; then
                        t=$(time_cmd "$name.$impl" "$runs" "$cmd")
                        if [ -z "$t" ]; then t="FAIL"; problems=$((problems + 1)); fi
                        printf '%s\n' "$(fmt_ms "$t")" >&2
                    else
                        t="WRONG"; problems=$((problems + 1))
                        printf 'WRONG OUTPUT\n' >&2
                        {
                            echo "!! $name ($impl) printed something else than expected."
                            echo "!!   expected: $(head -c 200 "$tmp/expected" | tr '\n' '|')"
                            echo "!!   got     : $(head -c 200 "$tmp/out.$impl" | tr '\n' '|')"
                            [ -s "$tmp/out.$impl.err" ] && echo "!!   stderr  : $(head -c 300 "$tmp/out.$impl.err" | tr '\n' '|')"
                        } >>"$tmp/warnings"
                    fi ;;
                timeout)
                    t="TIMEOUT"; problems=$((problems + 1)); printf 'TIMEOUT (%ss)\n' "$BENCH_TIMEOUT" >&2
                    echo "!! $name ($impl) did not finish within ${BENCH_TIMEOUT}s (BENCH_TIMEOUT)." >>"$tmp/warnings" ;;
                *)
                    t="FAIL"; problems=$((problems + 1)); printf 'FAILED (exit %s)\n' "${status#fail }" >&2
                    {
                        echo "!! $name ($impl) exited with status ${status#fail }."
                        [ -s "$tmp/out.$impl.err" ] && echo "!!   stderr: $(head -c 400 "$tmp/out.$impl.err" | tr '\n' '|')"
                    } >>"$tmp/warnings" ;;
            esac
        fi
        case $impl in clusim) ct=$t ;; lua) lt=$t ;; python) pt=$t ;; esac
    done
    case $name in
        startup)  st_c=$ct st_p=$pt ;;
        harmonic) h_c=$ct h_p=$pt ;;
    esac

    # Target and verdict (see bench/README.md).
    case $name in
        fib|loop|forloop|calls|fields|strings|floats)
            target="<= Lua"
            if is_num "$ct" && is_num "$lt"; then
                verdict=$(awk -v c="$ct" -v l="$lt" 'BEGIN { r = c / l; if (r <= 1.0) print "met"; else if (r <= 1.5) print "MISSED (<1.5x)"; else print "MISSED" }')
            else verdict="?"; fi ;;
        money)
            target=">= 3x Python"      # Python's decimal.Decimal
            if is_num "$ct" && is_num "$pt"; then
                verdict=$(awk -v c="$ct" -v p="$pt" 'BEGIN { if (p / c >= 3) print "met"; else print "MISSED" }')
            else verdict="?"; fi ;;
        moneyfrac|harmonic)
            target=">= 10x Python"     # Python's fractions.Fraction
            if is_num "$ct" && is_num "$pt"; then
                verdict=$(awk -v c="$ct" -v p="$pt" 'BEGIN { if (p / c >= 10) print "met"; else print "MISSED" }')
            else verdict="?"; fi ;;
        startup)
            target="< 5 ms"
            if is_num "$ct"; then
                verdict=$(awk -v c="$ct" 'BEGIN { if (c < 0.005) print "met"; else print "MISSED" }')
            else verdict="?"; fi ;;
        *) target="(none)"; verdict="-" ;;
    esac
    printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "$name" "$(fmt_ms "$ct")" "$(fmt_ms "$lt")" "$(fmt_ms "$pt")" \
        "$(ratio "$ct" "$lt")" "$(ratio "$pt" "$ct")" "$target" "$verdict" >>"$rows"
done

echo >&2
line() { say "$(printf '%-9s %11s %11s %11s %11s %13s   %-19s %s' "$@")"; }
line program Clusim "Lua 5.4" "Python 3" Clusim/Lua Python/Clusim target verdict
line --------- ----------- ----------- ----------- ----------- ------------- ------------------- -----------
while IFS='|' read -r n c l p r1 r2 tg v; do
    line "$n" "$c" "$l" "$p" "$r1" "$r2" "$tg" "$v"
done <"$rows"
# H(5000) takes only a few ms of arithmetic, so start-up weighs heavily in its
# wall-clock time: also show it net of each interpreter's start-up time.
if is_num "${h_c:-}" && is_num "${h_p:-}"; then
    if ! is_num "${st_c:-}" || ! is_num "${st_p:-}"; then
        printf '   %-8s %-7s ' startup "(for harmonic net times)" >&2
        st_c=$(time_cmd startup.clusim "$STARTUP_RUNS" "$(q "$clusim") -e 'print 1'")
        st_p=$(time_cmd startup.python "$STARTUP_RUNS" "$(q "$PYTHON") -c 'print(1)'")
        printf '%s, %s\n' "$(fmt_ms "$st_c")" "$(fmt_ms "$st_p")" >&2
    fi
    if is_num "$st_c" && is_num "$st_p"; then
        hn_c=$(awk -v a="$h_c" -v b="$st_c" 'BEGIN { d = a - b; if (d < 0.0001) d = 0.0001; print d }')
        hn_p=$(awk -v a="$h_p" -v b="$st_p" 'BEGIN { d = a - b; if (d < 0.0001) d = 0.0001; print d }')
        say ""
        say "harmonic net of start-up (minus '-e print 1' time): Clusim $(fmt_ms "$hn_c"), Python $(fmt_ms "$hn_p"), Python/Clusim $(ratio "$hn_p" "$hn_c")"
    fi
fi
if [ -s "$tmp/world_block" ]; then
    say ""
    while IFS= read -r w; do say "$w"; done <"$tmp/world_block"
fi
say ""
say "Clusim/Lua: lower is better (1.00x = as fast as Lua).  Python/Clusim: higher is better."
say "startup = clusim -e 'print 1' vs lua5.4 -e 'print(1)' vs python3 -c 'print(1)'."

if [ -s "$tmp/warnings" ]; then
    say ""
    say "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    say "!! WARNING: $problems run(s) failed or printed the wrong output:"
    while IFS= read -r w; do say "$w"; done <"$tmp/warnings"
    say "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
fi

mv "$out" "$results/latest.txt"
echo "(written to bench/results/latest.txt)" >&2
[ "$problems" -eq 0 ] || exit 1
exit 0

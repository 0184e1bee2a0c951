# bench/world/world.sh - the `world` entry of bench/run.sh (sourced by it, not run
# on its own): the stdlib cluster model on a generated world of 1,000 clusters,
# 1995..2025, 100 runs, in Clusim, Lua 5.4 (model.lua) and Python 3 (model.py).
#
# Uses run.sh's variables and helpers: clusim LUA PYTHON have_lua have_py
# have_timeout tmp results here q run_once fmt_ms is_num ratio warn, and
# appends to $rows, $tmp/warnings and `problems`.  Writes the detailed block
# (wall, user, sys, peak memory) to $tmp/world_block for run.sh to print.
#
# Each implementation runs WORLD_REPEAT times (default 1; no warm-up: one run
# takes tens of seconds) under /usr/bin/time -f '%e %U %S %M'; the best
# wall-clock run is kept.  Before timing, one deterministic run of each
# (check.clu, model.lua --check, model.py --check) must agree to 1e-9.

# world_time CMD OUT -> prints "WALL USER SYS MAXRSS_KB" of the fastest of
# WORLD_REPEAT runs, "timeout" or "fail N"; the last run's stdout is in OUT.
world_time() {
    _cmd=$1 _out=$2 _best='' _i=0
    _to=
    [ -n "$have_timeout" ] && _to="timeout $WORLD_TIMEOUT"
    while [ "$_i" -lt "$WORLD_REPEAT" ]; do
        if [ -n "$have_gnu_time" ]; then
            rm -f "$tmp/world.tm"
            eval "$_to /usr/bin/time -o $(q "$tmp/world.tm") -f '%e %U %S %M' $_cmd" >"$_out" 2>"$_out.err" </dev/null
            _rc=$?
            _line=$(tail -n 1 "$tmp/world.tm" 2>/dev/null)
        else
            _t0=$(date +%s.%N)
            eval "$_to $_cmd" >"$_out" 2>"$_out.err" </dev/null
            _rc=$?
            _t1=$(date +%s.%N)
            _line="$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { print b - a }') ? ? ?"
        fi
        if [ "$_rc" -eq 124 ] && [ -n "$have_timeout" ]; then echo timeout; return; fi
        if [ "$_rc" -ne 0 ]; then echo "fail $_rc"; return; fi
        _best=$(printf '%s\n%s\n' "$_best" "$_line" | awk 'NF == 4 && (best == "" || $1 + 0 < best + 0) { best = $1; line = $0 } END { print line }')
        _i=$((_i + 1))
    done
    echo "$_best"
}

# world_norm FILE -> "FIELD MEAN P5 P95" lines from a bench output (units dropped)
world_norm() {
    sed -n 's/ EUR\/year//g; s/^total \([^ ]*\) [0-9]* mean p5 p95: \([^ ]*\) \([^ ]*\) \([^ ]*\)$/\1 \2 \3 \4/p' "$1"
}

# world_agree REF OUT -> prints what is wrong with OUT (nothing when it agrees):
# the same 7 totals; those that do not depend on the random growth rate
# (export_share, income.public; in model v2 excellence depends on the draw) equal to 1e-6; for the others (other
# random generators) OUT's mean must lie in REF's p5..p95 widened by half its
# width on each side.
world_agree() {
    awk 'NR == FNR { ref[$1] = $0; n++; next }
         { seen++
           if (!($1 in ref)) { print "unexpected line: " $0; bad = 1; next }
           split(ref[$1], r, " ")
           if ($1 == "export_share" || $1 == "income.public") {
               for (i = 2; i <= 4; i++) {
                   d = $i - r[i]; if (d < 0) d = -d
                   m = r[i] < 0 ? -r[i] : r[i]
                   if (d > 1e-6 * (m > 1 ? m : 1)) { printf "%s: %s where the reference has %s\n", $1, $i, r[i]; break } }
           } else {
               w = (r[4] - r[3]) / 2
               if ($2 < r[3] - w || $2 > r[4] + w)
                   printf "%s: mean %s outside the reference p5..p95 %s..%s (widened by half)\n", $1, $2, r[3], r[4] } }
         END { if (seen != n || n != 7) print "expected 7 totals, got " seen " (reference " n ")" }' "$1" "$2"
}

fmt_mb() {   # KB -> "123 MB"
    if is_num "$1"; then awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; else printf '%s' "${1:--}"; fi
}
fmt_s() {    # seconds -> "12.3 s" (from 10 s on), "123 ms" below
    if is_num "$1"; then fmt_ms "$1"; else printf '%s' "${1:--}"; fi
}

world_bench() {
    WORLD_REPEAT=${WORLD_REPEAT:-1}
    WORLD_TIMEOUT=${WORLD_TIMEOUT:-900}
    _wc=${WORLD_CLUSTERS:-1000}
    _wr=${WORLD_RUNS:-100}
    _ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
    if [ -z "${WORLD_JOBS+set}" ]; then
        WORLD_JOBS=$_ncpu
    fi
    have_gnu_time=
    /usr/bin/time -f '%M' true >/dev/null 2>&1 && have_gnu_time=1
    _w="$here/world"
    if [ "$_wc" = 1000 ] && [ "$_wr" = 100 ]; then _d="$_w"; else _d="$results/world-$_wc-$_wr"; fi

    ct=FAIL lt=missing pt=missing
    : >"$tmp/world_block"
    _block() { printf '%s\n' "$*" >>"$tmp/world_block"; }
    _warn() { printf '%s\n' "$*" >>"$tmp/warnings"; }

    # -- generate the world when missing (or when gen.py changed)
    if [ ! -f "$_d/world.clu" ] || [ ! -f "$_d/world.lua" ] || [ ! -f "$_d/world.json" ] ||
       [ ! -f "$_d/bench.clu" ] || [ ! -f "$_d/check.clu" ] || [ -n "$(find "$_w/gen.py" -newer "$_d/world.clu" 2>/dev/null)" ]; then
        if [ -z "$have_py" ]; then
            _warn "!! world: python3 is needed to generate the world (bench/world/gen.py); not run."
            problems=$((problems + 1))
            printf '%s|%s|%s|%s|%s|%s|%s|%s\n' world FAIL missing missing - - "<= Lua" "?" >>"$rows"
            return
        fi
        printf '   %-8s %-7s ' world gen.py >&2
        if ! "$PYTHON" "$_w/gen.py" --clusters "$_wc" --runs "$_wr" --out "$_d" >"$tmp/gen.log" 2>&1; then
            printf 'FAILED\n' >&2
            _warn "!! world: bench/world/gen.py failed: $(head -c 400 "$tmp/gen.log" | tr '\n' '|')"
            problems=$((problems + 1))
            printf '%s|%s|%s|%s|%s|%s|%s|%s\n' world FAIL FAIL FAIL - - "<= Lua" "?" >>"$rows"
            return
        fi
        printf 'generated %s\n' "$_d" >&2
    fi

    _c_cmd="$(q "$clusim") --jobs 1 $(q "$_d/bench.clu")"
    _l_cmd="$(q "$LUA") $(q "$_w/model.lua") $(q "$_d/world.lua") $_wr"
    _p_cmd="$(q "${PYTHON:-python3}") $(q "$_w/model.py") $(q "$_d/world.json") $_wr"

    # -- the check: one deterministic run each, compared with Clusim's
    _chk_ok=1
    _chk_who=Clusim
    _st=$(run_once "$(q "$clusim") --jobs 1 $(q "$_d/check.clu")" "$tmp/chk.clusim")
    _c_ok=1
    if [ "$_st" != ok ]; then
        _c_ok=
        _chk_ok=
        _warn "!! world: Clusim's check run (check.clu) failed ($_st); Clusim not timed."
        [ -s "$tmp/chk.clusim.err" ] && _warn "!!   stderr: $(grep -v '^note: ' "$tmp/chk.clusim.err" | head -c 600 | tr '\n' '|')"
        problems=$((problems + 1))
    fi
    sed -n 's/ EUR\/year//; s/^total \([^ ]*\) [0-9]*: \([^ ]*\)$/\1 \2/p' "$tmp/chk.clusim" >"$tmp/chk.clusim.n"
    for _impl in lua python; do
        case $_impl in
            lua) _cmd="$(q "$LUA") $(q "$_w/model.lua") $(q "$_d/world.lua") --check"; _av=$have_lua ;;
            python) _cmd="$(q "${PYTHON:-python3}") $(q "$_w/model.py") $(q "$_d/world.json") --check"; _av=$have_py ;;
        esac
        [ -n "$_av" ] || continue
        _st=$(run_once "$_cmd" "$tmp/chk.$_impl")
        if [ "$_st" != ok ]; then
            _chk_ok=
            _warn "!! world: model.$([ $_impl = lua ] && echo lua || echo py) --check failed ($_st): $(head -c 400 "$tmp/chk.$_impl.err" | tr '\n' '|')"
            problems=$((problems + 1))
            continue
        fi
        sed -n 's/^total \([^ ]*\) [0-9]*: \([^ ]*\)$/\1 \2/p' "$tmp/chk.$_impl" >"$tmp/chk.$_impl.n"
        [ -n "$_c_ok" ] || continue
        case $_impl in lua) _chk_who="$_chk_who, Lua" ;; python) _chk_who="$_chk_who, Python" ;; esac
        _diff=$(awk 'NR == FNR { v[$1] = $2; n++; next }
                     { seen++; d = $2 - v[$1]; if (d < 0) d = -d; m = v[$1] < 0 ? -v[$1] : v[$1]
                       if (!($1 in v) || d > 1e-9 * (m > 1 ? m : 1)) printf "%s: %s vs Clusim %s; ", $1, $2, v[$1] }
                     END { if (seen != n || n != 7) printf "expected 7 totals, got %d (Clusim %d)", seen, n }' \
                 "$tmp/chk.clusim.n" "$tmp/chk.$_impl.n")
        if [ -n "$_diff" ]; then
            _chk_ok=
            _warn "!! world: one deterministic run of model.$([ $_impl = lua ] && echo lua || echo py) does not compute what Clusim's model does: $_diff"
            problems=$((problems + 1))
        fi
    done

    # -- the timed runs
    _res_c='' _res_l='' _res_p='' _res_j=''
    for _impl in clusim lua python; do
        case $_impl in
            clusim) _cmd=$_c_cmd; _av=$_c_ok ;;
            lua)    _cmd=$_l_cmd; _av=$have_lua ;;
            python) _cmd=$_p_cmd; _av=$have_py ;;
        esac
        if [ -z "$_av" ]; then
            [ $_impl = clusim ] && _t=FAIL || _t=missing
        else
            printf '   %-8s %-7s ' world "$_impl" >&2
            _r=$(world_time "$_cmd" "$tmp/world.$_impl")
            case $_r in
                timeout)
                    _t=TIMEOUT; problems=$((problems + 1)); printf 'TIMEOUT (%ss)\n' "$WORLD_TIMEOUT" >&2
                    _warn "!! world ($_impl) did not finish within ${WORLD_TIMEOUT}s (WORLD_TIMEOUT)." ;;
                fail*|'')
                    _t=FAIL; problems=$((problems + 1)); printf 'FAILED (%s)\n' "$_r" >&2
                    _warn "!! world ($_impl) failed ($_r)."
                    [ -s "$tmp/world.$_impl.err" ] && _warn "!!   stderr: $(grep -v '^note: ' "$tmp/world.$_impl.err" | head -c 600 | tr '\n' '|')" ;;
                *)
                    _t=${_r%% *}
                    printf '%s, %s\n' "$(fmt_s "$_t")" "$(fmt_mb "$(echo "$_r" | awk '{print $4}')")" >&2 ;;
            esac
            case $_impl in clusim) _res_c=$_r ;; lua) _res_l=$_r ;; python) _res_p=$_r ;; esac
            world_norm "$tmp/world.$_impl" >"$tmp/world.$_impl.n"
        fi
        case $_impl in clusim) ct=$_t ;; lua) lt=$_t ;; python) pt=$_t ;; esac
    done
    # Clusim with worker processes (the default is one per CPU)
    if [ -n "$_c_ok" ] && is_num "$ct" && [ "${WORLD_JOBS:-0}" -gt 1 ] 2>/dev/null; then
        printf '   %-8s %-7s ' world "clusim --jobs $WORLD_JOBS" >&2
        _res_j=$(world_time "$(q "$clusim") --jobs $WORLD_JOBS $(q "$_d/bench.clu")" "$tmp/world.jobs")
        case $_res_j in
            [0-9]*) printf '%s, %s\n' "$(fmt_s "${_res_j%% *}")" "$(fmt_mb "$(echo "$_res_j" | awk '{print $4}')")" >&2
                    if ! cmp -s "$tmp/world.jobs" "$tmp/world.clusim"; then
                        _warn "!! world: clusim --jobs $WORLD_JOBS printed other numbers than --jobs 1 (runs must not depend on the number of workers)."
                        problems=$((problems + 1))
                    fi ;;
            *) printf '%s\n' "$_res_j" >&2
               _warn "!! world: clusim --jobs $WORLD_JOBS: $_res_j"
               problems=$((problems + 1)) ;;
        esac
    fi

    # -- the outputs must agree (same totals; the random ones within 10%)
    _ref=
    if is_num "$lt"; then _ref=lua; elif is_num "$pt"; then _ref=python; fi
    if [ -n "$_ref" ]; then
        for _impl in clusim lua python; do
            [ "$_impl" = "$_ref" ] && continue
            case $_impl in clusim) _t=$ct ;; lua) _t=$lt ;; python) _t=$pt ;; esac
            is_num "$_t" || continue
            _bad=$(world_agree "$tmp/world.$_ref.n" "$tmp/world.$_impl.n")
            if [ -n "$_bad" ]; then
                _warn "!! world: $_impl's totals do not agree with $_ref's: $(printf '%s' "$_bad" | tr '\n' ';')"
                _warn "!!   $_impl printed: $(head -c 300 "$tmp/world.$_impl" | tr '\n' '|')"
                problems=$((problems + 1))
                case $_impl in clusim) ct=WRONG ;; lua) lt=WRONG ;; python) pt=WRONG ;; esac
            fi
        done
    fi

    # -- the table row and the detailed block
    if is_num "$ct" && is_num "$lt"; then
        _verdict=$(awk -v c="$ct" -v l="$lt" 'BEGIN { if (c <= l) print "met"; else print "MISSED" }')
    else _verdict="?"; fi
    printf '%s|%s|%s|%s|%s|%s|%s|%s\n' world "$(fmt_ms "$ct")" "$(fmt_ms "$lt")" "$(fmt_ms "$pt")" \
        "$(ratio "$ct" "$lt")" "$(ratio "$pt" "$ct")" "<= Lua" "$_verdict" >>"$rows"
    # the parallel row: --jobs N against --jobs 1 (target 1.7x with 2 workers)
    _jt=${_res_j%% *}
    if is_num "$ct" && is_num "$_jt"; then
        _want=$(awk -v n="$WORLD_JOBS" 'BEGIN { printf "%.2f", n * 0.85 }')
        _verdict=$(awk -v c="$ct" -v j="$_jt" -v w="$_want" 'BEGIN { s = c / j; printf "%s (%.2fx)", (s >= w ? "met" : "MISSED"), s }')
        printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "world -j$WORLD_JOBS" "$(fmt_ms "$_jt")" "$(fmt_ms "$lt")" "$(fmt_ms "$pt")" \
            "$(ratio "$_jt" "$lt")" "$(ratio "$pt" "$_jt")" ">= ${_want}x -j1" "$_verdict" >>"$rows"
    fi

    _count() { grep -c "^$1 " "$_d/world.clu" 2>/dev/null || echo '?'; }
    _block "world: the stdlib model on a generated world ($(_count cluster) clusters, $(_count region) regions, $(_count programme) programmes,"
    _block "  $(_count fund) funds, $(_count partnership) partnerships), 1995..2025 (30 simulated years), runs: $_wr;"
    _block "  best of $WORLD_REPEAT run(s) each, $([ -n "$have_gnu_time" ] && echo "/usr/bin/time (peak RSS = largest process)" || echo "date (no /usr/bin/time: no memory figures)")"
    _wline() { _block "$(printf '  %-18s %9s %9s %9s %10s %10s' "$@")"; }
    _wline "" wall user sys "peak RSS" "wall/Lua"
    _lwall=${_res_l%% *}
    for _x in "Clusim --jobs 1|$_res_c|$ct" "Clusim --jobs $WORLD_JOBS|$_res_j|-" "Lua 5.4|$_res_l|$lt" "Python 3|$_res_p|$pt"; do
        _n=${_x%%|*} _rest=${_x#*|}
        _r=${_rest%%|*} _t=${_rest#*|}
        [ "$_t" = - ] && { [ -n "$_r" ] || continue; _t=; }    # the --jobs N line, when it ran
        case $_r in
            [0-9]*) # shellcheck disable=SC2086  # split "WALL USER SYS RSS"
                    set -- $_r
                    [ -n "$_t" ] && ! is_num "$_t" && set -- "$_t" "" "" ""
                    _wline "$_n" "$(fmt_s "$1")" "$(fmt_s "$2")" "$(fmt_s "$3")" "$(fmt_mb "$4")" "$(ratio "$1" "$_lwall")" ;;
            *) _wline "$_n" "${_t:-$_r}" - - - - ;;
        esac
    done
    if [ -n "$_chk_ok" ]; then
        _block "  check: one deterministic run (growth_rate 10%): $_chk_who agree on 7 totals to 1e-9"
    else
        _block "  check: one deterministic run did NOT agree or failed (see the warnings below)"
    fi
    if [ -s "$tmp/world.clusim" ] && is_num "$ct"; then
        _block "  Clusim printed:"
        while IFS= read -r _l; do _block "    $_l"; done <"$tmp/world.clusim"
    fi
}

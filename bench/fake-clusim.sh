#!/bin/sh
# bench/fake-clusim.sh - a stand-in "Clusim" for testing bench/run.sh before the
# interpreter exists: runs the Python twin of each bench program.
#   sh bench/run.sh bench/fake-clusim.sh
# Understands: --version, -e 'print 1', and FILE.clu (runs FILE.py next to it);
# for the world benchmark also --jobs N (ignored), DIR/bench.clu and DIR/check.clu
# (run bench/world/model.py on DIR/world.json).
case "${1:-}" in
    --jobs|-j) shift 2; exec sh "$0" "$@" ;;
    */bench.clu) exec python3 "$(dirname "$0")/world/model.py" "$(dirname "$1")/world.json" \
                     "$(sed -n 's/^ *runs: *\([0-9]*\).*/\1/p' "$1")" ;;
    */check.clu) exec python3 "$(dirname "$0")/world/model.py" "$(dirname "$1")/world.json" --check ;;
    --version) echo "fake-clusim (python3 stand-in)"; exit 0 ;;
    -e) [ "${2:-}" = "print 1" ] && { echo 1; exit 0; }
        echo "fake-clusim: only -e 'print 1' is supported" >&2; exit 2 ;;
    *.clu) exec python3 "${1%.clu}.py" ;;
    *) echo "usage: fake-clusim.sh FILE.clu | -e 'print 1' | --version" >&2; exit 2 ;;
esac

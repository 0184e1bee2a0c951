#!/bin/sh
# bench/fake-clusim.sh - a stand-in "Clusim" for testing bench/run.sh before the
# interpreter exists: runs the Python twin of each bench program.
#   sh bench/run.sh bench/fake-clusim.sh
# Understands: --version, -e 'print 1', and FILE.clu (runs FILE.py next to it).
case "${1:-}" in
    --version) echo "fake-clusim (python3 stand-in)"; exit 0 ;;
    -e) [ "${2:-}" = "print 1" ] && { echo 1; exit 0; }
        echo "fake-clusim: only -e 'print 1' is supported" >&2; exit 2 ;;
    *.clu) exec python3 "${1%.clu}.py" ;;
    *) echo "usage: fake-clusim.sh FILE.clu | -e 'print 1' | --version" >&2; exit 2 ;;
esac

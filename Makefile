# Clusim - build, test, install.  `make run` and `make check` are all a
# newcomer needs (see README.md); both install missing build dependencies
# first when they can.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/clusim
MANDIR  ?= $(PREFIX)/share/man/man1
VIMDIR  ?= $(PREFIX)/share/vim/vimfiles
DESTDIR ?=

BUILD   ?= build
CC      ?= cc
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Wall -Wextra \
           -Wno-unused-parameter -Isrc -I$(BUILD) $(EXPORT_CFLAGS) \
           -DCLUSIM_STDLIB_DIR='"$(DATADIR)/stdlib"'
LDFLAGS ?=
# JSON (json-c) and xlsx (libxlsxwriter) for export: pkg-config names them.
EXPORT_CFLAGS := $(shell pkg-config --cflags json-c xlsxwriter 2>/dev/null)
EXPORT_LIBS   := $(shell pkg-config --libs json-c xlsxwriter 2>/dev/null || echo -ljson-c -lxlsxwriter)
LIBS     = -lgmp -lm $(EXPORT_LIBS)
READLINE = -lreadline
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lpthread -lm)
# libcsv (Debian's libcsv-dev) reads CSV files (src/csvread.c); it has no pkg-config file.
LIBS    += -lcsv

FLEX  ?= flex
BISON ?= bison

# The library: everything but the command line and the prompt.
LIB_SRC  := $(filter-out src/main.c src/repl.c,$(wildcard src/*.c))
LIB_OBJ  := $(patsubst src/%.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/lexer.o $(BUILD)/parser.o
GEN_HDR  := $(BUILD)/parser.h $(BUILD)/lexer.h
BIN      := $(BUILD)/clusim
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(BUILD)/check_clusim

.PHONY: all run check check-unit check-scripts check-examples check-repl check-doc check-html check-editors check-shard check-slurm check-asan check-gc bench deps install uninstall clean

all: $(BIN)

deps:
	@sh scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@exec ./$(BIN)

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(BUILD)/pty_driver
	@$(MAKE) --no-print-directory check-unit check-scripts check-examples check-repl check-doc check-html check-shard check-editors

check-unit: $(UNIT_BIN)
	@echo "== unit tests (Check)"
	@CK_DEFAULT_TIMEOUT=60 ./$(UNIT_BIN)

check-scripts: $(BIN)
	@echo "== script tests"
	@sh tests/run_scripts.sh ./$(BIN)
	@echo "== SVG charts (plot ... to FILE)"
	@sh tests/plot/run_svg_tests.sh ./$(BIN)

# The teaching material: every example and every exercise's solution runs and
# prints what its .out says (tests/run_examples.sh; `sh tests/run_examples.sh
# --update build/clusim` rewrites the .out files after a change of format).
check-examples: $(BIN)
	@echo "== examples and exercises"
	@sh tests/run_examples.sh ./$(BIN)

check-repl: $(BIN) $(BUILD)/pty_driver
	@echo "== prompt tests (pseudo-terminal, and piped input)"
	@sh tests/repl/run_repl_tests.sh ./$(BIN) ./$(BUILD)/pty_driver

# Every code block of doc/*.md and README.md is run (tests/doc/run_doc_tests.py,
# doc/internals.md "Documentation tests"): prompt transcripts, scripts and
# shell transcripts must print what the documentation shows.  DOC=FILE.md
# checks one file; without it the runner's own tests run too
# (tests/doc/self_test.sh).
check-doc: $(BIN)
	@echo "== documentation examples"
	@if [ -x /usr/bin/python3 ]; then /usr/bin/python3 tests/doc/run_doc_tests.py ./$(BIN) $(DOC) && \
	  { [ -n "$(DOC)" ] || sh tests/doc/self_test.sh ./$(BIN); }; \
	  else echo "check-doc: skipped: /usr/bin/python3 is missing"; fi

# Runs beyond one process: shards merged give one process's output byte for
# byte; GNU parallel runs them, here and through --sshlogin.
check-shard: $(BIN)
	@echo "== shards and merging"
	@sh tests/shard/run_shard_tests.sh ./$(BIN)

# A sharded study through a one-machine Slurm cluster of its own (slurm-wlm
# and munge, installed when missing; needs root): the array job's shards,
# merged by a dependent job, give one process's output.
check-slurm: deps $(BIN)
	@echo "== Slurm array job"
	@sh tests/slurm/run_slurm_test.sh ./$(BIN); s=$$?; [ $$s -eq 0 ] || [ $$s -eq 77 ]

# editors/: the Vim syntax and the TextMate grammar know every keyword and
# built-in (tests/editors/check_editors.sh).
check-editors:
	@echo "== editor support"
	@sh tests/editors/check_editors.sh

# The HTML report rendered in headless Chromium (installed when missing).
check-html: $(BIN)
	@echo "== the HTML report in Chromium"
	@sh tests/html/run_html.sh ./$(BIN)

# The same suites built with AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	  CFLAGS_EXTRA="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  check-unit check-scripts check-examples check-repl

# The script tests with the collector run at every safe point (GC_DUE in
# src/memory.h) and AddressSanitizer on: a value that C code holds without
# rooting it is freed at once, and the sanitizer reports its next use.  (The
# unit tests include a collector load test of 200,000 rounds, too slow to
# collect at every step; they run under check-asan.)  Collecting at every
# step is slow (examples/study.clu's 600 runs take a minute or more), so
# each script has 300 s here instead of 60.
check-gc: deps
	@CLUSIM_TEST_TIMEOUT=$${CLUSIM_TEST_TIMEOUT:-300} $(MAKE) --no-print-directory BUILD=build-gc OPT=-O1 \
	  CFLAGS_EXTRA="-DCLUSIM_STRESS_GC -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  check-scripts check-examples

# The fuzzer (tests/fuzz/, doc/internals.md "Fuzzing"): a libFuzzer target
# over the whole pipeline, built with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer in build-fuzz/.  `make fuzz` runs it for
# FUZZ_SECONDS on the script tests and examples as seeds, with the
# dictionary of keywords and operators; a crash fails it and names the
# reproducer.  FUZZ_ARGS passes more libFuzzer options (-jobs=2, ...).
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_ARGS    ?=
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -DCLUSIM_FUZZING -DCLUSIM_MAX_LIST=100000 -DCLUSIM_MAX_TEXT=1000000 \
                -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SEEDS   := $(shell find tests/scripts -name '*.clu' 2>/dev/null) $(wildcard examples/*.clu)

.PHONY: fuzz fuzz-build fuzz-deps clean-fuzz

fuzz-deps:
	@sh scripts/install-deps.sh --fuzz

fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT=-O1 \
	  CFLAGS_EXTRA="$(FUZZ_CFLAGS)" $(FUZZ_BUILD)/fuzz_clusim $(FUZZ_BUILD)/seeds/.stamp

fuzz: fuzz-build
	@sh tests/fuzz/run.sh ./$(FUZZ_BUILD)/fuzz_clusim $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_ARGS)

$(BUILD)/fuzz_clusim: tests/fuzz/fuzz_clusim.c $(BUILD)/libclusim.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer -DCLUSIM_FUZZ_STDLIB_DIR='"$(CURDIR)/stdlib"' \
	  -o $@ $< $(BUILD)/libclusim.a $(LDFLAGS) $(LIBS)

# The seeds are copied, not kept twice in git: tests/scripts/a/b.clu
# becomes seeds/N_tests_scripts_a_b.clu (numbered, cut to 100 characters),
# without its comment lines (a third of the bytes, where mutations are lost).
$(FUZZ_BUILD)/seeds/.stamp: $(FUZZ_SEEDS)
	@rm -rf $(FUZZ_BUILD)/seeds && mkdir -p $(FUZZ_BUILD)/seeds
	@n=0; for f in $(FUZZ_SEEDS); do n=$$((n + 1)); \
	  sed '/^[[:space:]]*#/d' "$$f" >"$(FUZZ_BUILD)/seeds/$$(printf '%03d_%s' $$n "$$f" | tr / _ | cut -c1-100)" \
	  || exit 1; done
	@touch $@

clean: clean-fuzz
clean-fuzz:
	rm -rf $(FUZZ_BUILD)

bench: all
	@sh bench/run.sh ./$(BIN)

CFLAGS  += $(CFLAGS_EXTRA)
LDFLAGS += $(CFLAGS_EXTRA)

$(BUILD):
	@mkdir -p $(BUILD)

$(BUILD)/parser.c $(BUILD)/parser.h: grammar/parser.y | $(BUILD)
	$(BISON) -Wall -Werror --defines=$(BUILD)/parser.h -o $(BUILD)/parser.c $<

$(BUILD)/lexer.c $(BUILD)/lexer.h: grammar/lexer.l $(BUILD)/parser.h | $(BUILD)
	$(FLEX) --header-file=$(BUILD)/lexer.h -o $(BUILD)/lexer.c $<

$(BUILD)/lexer.o: $(BUILD)/lexer.c $(GEN_HDR)
	$(CC) $(CFLAGS) -Wno-sign-compare -Wno-unused-function -c -o $@ $<

$(BUILD)/parser.o: $(BUILD)/parser.c $(GEN_HDR)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) $(GEN_HDR) | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libclusim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/main.o $(BUILD)/repl.o $(BUILD)/libclusim.a
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/main.o $(BUILD)/repl.o $(BUILD)/libclusim.a $(READLINE) $(LIBS)

$(UNIT_BIN): $(UNIT_SRC) $(BUILD)/libclusim.a $(wildcard tests/unit/*.h)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -Itests/unit -o $@ $(UNIT_SRC) $(BUILD)/libclusim.a $(CHECK_LIBS) $(LIBS)

$(BUILD)/pty_driver: tests/repl/pty_driver.c | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< -lutil

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/stdlib $(DESTDIR)$(MANDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/clusim
	install -m 644 stdlib/*.clu $(DESTDIR)$(DATADIR)/stdlib/
	install -m 644 doc/clusim.1 $(DESTDIR)$(MANDIR)/clusim.1
	install -d $(DESTDIR)$(VIMDIR)/syntax $(DESTDIR)$(VIMDIR)/ftdetect $(DESTDIR)$(DATADIR)/editors/vscode/syntaxes
	install -m 644 editors/vim/syntax/clusim.vim $(DESTDIR)$(VIMDIR)/syntax/clusim.vim
	install -m 644 editors/vim/ftdetect/clusim.vim $(DESTDIR)$(VIMDIR)/ftdetect/clusim.vim
	install -m 644 editors/vscode/package.json editors/vscode/language-configuration.json $(DESTDIR)$(DATADIR)/editors/vscode/
	install -m 644 editors/vscode/syntaxes/clusim.tmLanguage.json $(DESTDIR)$(DATADIR)/editors/vscode/syntaxes/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/clusim $(DESTDIR)$(MANDIR)/clusim.1
	rm -f $(DESTDIR)$(VIMDIR)/syntax/clusim.vim $(DESTDIR)$(VIMDIR)/ftdetect/clusim.vim
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-gc

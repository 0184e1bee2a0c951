/* fuzz_clusim.c - the libFuzzer target: script text in, the whole pipeline run.
 *
 * Each input is a Clusim script.  It is scanned, parsed, compiled, linked
 * and run by a fresh interpreter, as `clusim FILE` would, with its output
 * and error streams sent to /dev/null and small limits, so that a finding
 * is a crash, a sanitizer report, a leak or a hang, never a slow input:
 *
 *   steps    FUZZ_STEPS safe points (loop back-edges, calls) per input; then
 *            the run is interrupted as by Ctrl-C (I->fuzz_steps, SAFE_POINT
 *            in vm.c, compiled in with -DCLUSIM_FUZZING only).  A loop in C
 *            that never reaches a safe point still hangs: libFuzzer's
 *            -timeout reports it, and it is a finding (Ctrl-C would not stop
 *            it either).
 *   digits   FUZZ_MAX_DIGITS digits per number (I->max_digits).
 *   memory   FUZZ_HEAP bytes of collected heap above what the interpreter
 *            holds after start-up (mem_set_limit): beyond that a script gets
 *            the ordinary "out of memory" error.  Memory the collector does
 *            not count is bounded by libFuzzer's -rss_limit_mb and
 *            -malloc_limit_mb, which report an input that exceeds them.
 *   workers  jobs = 1: scenarios of several runs never fork.
 *   files    writing is refused (lib_write_file, and mkstemp below);
 *            reading is allowed.
 *
 * One input in FUZZ_DUMP_EVERY (by another part of the same hash) is also
 * compiled and disassembled first, as `clusim --dump-bytecode` does.
 *
 * The stdlib.  Creating an interpreter with the stdlib (prelude.clu and
 * model.clu compiled and run, stateaid.clu parsed) takes about 15 ms in
 * this build, one without it 2 ms.  One interpreter kept across inputs would
 * be fast, but an input would then depend on all the inputs before it, and
 * a crash would not reproduce on its own.  So each input gets a fresh
 * interpreter, and one input in FUZZ_STDLIB_EVERY (chosen by a hash of the
 * input, so that the choice is the same when it is run again) gets the
 * stdlib: the model, `run` with rules, the audit.  The others exercise the
 * language, the world without the model, and the error paths, fast.  Set
 * CLUSIM_FUZZ_STDLIB_EVERY=1 to give every input the stdlib (as `clusim`
 * does), or 0 to give none.
 *
 * The stdlib is read from the source tree (CLUSIM_FUZZ_STDLIB_DIR, set by
 * the Makefile), or from $CLUSIM_STDLIB.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "memory.h"
#include "state.h"

#ifndef CLUSIM_FUZZING
#error "build with -DCLUSIM_FUZZING (make fuzz-build): the step budget needs it"
#endif

#define FUZZ_STEPS 200000
#define FUZZ_MAX_DIGITS 2000
#define FUZZ_HEAP ((size_t)64 << 20)
#define FUZZ_STDLIB_EVERY 8
#define FUZZ_DUMP_EVERY 8
#define FUZZ_MAX_INPUT (64 << 10) /* longer inputs are skipped: parsing is linear, nothing new */

static FILE *devnull;
static const char *stdlib_dir;
static unsigned stdlib_every = FUZZ_STDLIB_EVERY;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  devnull = fopen("/dev/null", "w");
  if (!devnull) {
    perror("fuzz_clusim: /dev/null");
    abort();
  }
  const char *env = getenv("CLUSIM_STDLIB");
#ifdef CLUSIM_FUZZ_STDLIB_DIR
  stdlib_dir = env && *env ? env : CLUSIM_FUZZ_STDLIB_DIR;
#else
  stdlib_dir = env;
#endif
  const char *every = getenv("CLUSIM_FUZZ_STDLIB_EVERY");
  if (every && *every) stdlib_every = (unsigned)strtoul(every, NULL, 10);
  return 0;
}

/* FNV-1a: which inputs get the stdlib. */
static uint32_t hash(const uint8_t *data, size_t size) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
  return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > FUZZ_MAX_INPUT) return 0;
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0'; /* the script ends at its first NUL byte, if any */

  uint32_t h = hash(data, size);
  InterpOptions opts = {
      .load_stdlib = stdlib_every != 0 && h % stdlib_every == 0,
      .stdlib_dir = stdlib_dir,
      .out = devnull,
      .err = devnull,
      .jobs = 1,
  };
  Interp *I = interp_new(&opts);
  I->max_digits = FUZZ_MAX_DIGITS;
  I->fuzz_steps = FUZZ_STEPS;
  mem_set_limit(I, I->bytes_allocated + FUZZ_HEAP);
  if ((h >> 16) % FUZZ_DUMP_EVERY == 0) interp_dump(I, "fuzz.clu", text, devnull);
  interp_eval(I, "fuzz.clu", text, false);
  interp_free(I);
  free(text);
  return 0;
}

/* Files.  write_csv, export, plot ... to and report write through
 * lib_write_file (libio.c), which refuses every file when built with
 * CLUSIM_FUZZING: a fuzzed script may name any path, and gets its ordinary
 * "cannot write" error.  The temporary files made with mkstemp (export's
 * xlsx workbook, the runs spilled to disk) are refused by this definition,
 * which the linker prefers to the C library's. */
int mkstemp(char *tmpl) {
  (void)tmpl;
  errno = EACCES;
  return -1;
}

/* interp.h - the public face of the interpreter.
 *
 * An Interp holds everything one Clusim session knows: its heap, globals,
 * units, world and settings.  There is no global state; several
 * interpreters can live in one process (the unit tests make many).
 */
#ifndef CLUSIM_INTERP_H
#define CLUSIM_INTERP_H

#include <stdio.h>

#include "common.h"
#include "value.h"

typedef enum {
  INTERP_OK = 0,
  INTERP_ERROR = 1,       /* syntax, compile or runtime error (reported) */
  INTERP_INCOMPLETE = 3,  /* the text ends inside an unfinished statement */
} InterpResult;

typedef struct InterpOptions {
  bool repl;              /* prompt mode: echo expression values, allow late names */
  bool load_stdlib;
  const char *stdlib_dir; /* NULL: the directory found next to the binary or installed */
  FILE *out, *err;        /* where print and diagnostics go (default stdout, stderr) */
  int jobs;               /* worker processes for scenarios with runs: N (0: one per core) */
  bool skip_asserts;      /* `assert` outside a scenario's run checks nothing: a shard, whose
                           * statistics are partial (the merge checks those assertions with
                           * the whole numbers; a run's own are checked: world_run_once) */
} InterpOptions;

Interp *interp_new(const InterpOptions *opts);
void interp_free(Interp *I);

/* With load_stdlib: NULL when the standard library (the prelude and the
 * cluster model it imports) loaded, otherwise a sentence saying why not -
 * no such directory, no prelude.clu in it, or an error in it (printed on
 * the error stream).  Such an interpreter works, but has no model: every
 * scenario's series stay flat.  The command line refuses to start then
 * (unless --no-stdlib); an embedder decides for itself.  NULL too without
 * load_stdlib. */
const char *interp_stdlib_problem(Interp *I);

/* Compile and run `text` (named `name` in messages).  Errors are printed to
 * the error stream.  With `allow_incomplete`, text that ends inside an
 * unfinished statement returns INTERP_INCOMPLETE without printing. */
InterpResult interp_eval(Interp *I, const char *name, const char *text, bool allow_incomplete);
/* Read and run a file. */
InterpResult interp_run_file(Interp *I, const char *path);

/* Compile `text` without running it and write the disassembly of its
 * bytecode to `out` (clusim --dump-bytecode).  Compile errors are printed
 * to the error stream as interp_eval prints them. */
InterpResult interp_dump(Interp *I, const char *name, const char *text, FILE *out);
/* The same for a file. */
InterpResult interp_dump_file(Interp *I, const char *path, FILE *out);

/* Set the list `args` seen by scripts. */
void interp_set_args(Interp *I, int argc, char **argv);

/* Ask a running evaluation to stop (safe to call from a signal handler);
 * forget such a request that came while nothing was running. */
void interp_interrupt(Interp *I);
void interp_cancel_interrupt(Interp *I);

/* For the prompt.  interp_set_repl: echo expression values and allow
 * names defined later (as InterpOptions.repl).  interp_each_name: call fn
 * for each name defined now, in definition order (`builtin`: a built-in
 * function).  interp_each_field: call fn for each field of the record a
 * dotted chain of names such as "c.members" refers to, without running
 * any code; false if it refers to no record. */
void interp_set_repl(Interp *I, bool on);
/* Where print and diagnostics go from now on (the prompt's :transcript). */
void interp_set_streams(Interp *I, FILE *out, FILE *err);
/* Fold the text of a file read as input (an import, a stdlib file, a data
 * file) into I->inputs_digest, which a shard's part file records so that a
 * merge can refuse parts made from other files (world_shard.h). */
void interp_note_input(Interp *I, const char *data, size_t len);
/* Where progress bars go (after interp_set_streams, which sets err): the
 * prompt's transcript records through a tee and sends them to the
 * terminal instead, unrecorded. */
void interp_set_progress_stream(Interp *I, FILE *to);
void interp_each_name(Interp *I, void (*fn)(void *ud, const char *name, bool builtin), void *ud);
bool interp_each_field(Interp *I, const char *chain, void (*fn)(void *ud, const char *field), void *ud);

/* Raise a runtime error: formats the message and unwinds to the innermost
 * protected call.  The location is taken from the running instruction. */
_Noreturn void interp_throw(Interp *I, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Raise the error "interrupted" (Ctrl-C came), which code that catches
 * errors can tell from the others by I->interrupt_raised. */
_Noreturn void interp_throw_interrupt(Interp *I);

/* Print a warning located at the running instruction (as interp_throw
 * locates an error) and go on.  The same warning is not repeated for the
 * instruction that gave it last (a loop warns once, not a thousand times). */
void interp_warn(Interp *I, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Raise an error about a field of the declaration being made, located
 * where that field was written: the running instruction is the call of a
 * declaration's built-in, whose record literal's fields the compiler
 * located (chunk.h: FieldLoc).  `field` is the field's path ("budget",
 * "members.sme"), or a message about it that names it first in single
 * quotes or as a dotted path, the convention of the world's messages
 * ("'budget' must be in EUR/year", "members.sme must not be negative",
 * "unknown field 'budjet'").  Where the declaration wrote no such field (a
 * missing field), the error is located as interp_throw's. */
_Noreturn void interp_throw_at_field(Interp *I, const char *field, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* The field paths a message names, in order (each name in single quotes,
 * each dotted path such as members.sme): true at the first that `match`
 * accepts (how interp_throw_at_field, and load for a row's cell, find the
 * field an error is about). */
bool interp_message_fields(const char *text, bool (*match)(const char *path, size_t len, void *ud), void *ud);

/* Run fn(I, ud) protected: returns true if it finished, false if it raised
 * an error (the message is then in interp_error_message). */
bool interp_pcall(Interp *I, void (*fn)(Interp *I, void *ud), void *ud);
const char *interp_error_message(Interp *I);
/* Raise again the error an interp_pcall just caught (after cleaning up). */
_Noreturn void interp_rethrow(Interp *I);

/* Load the stdlib file that defines `name`, if it is one loaded on first
 * use and not loaded yet; true when it was loaded now. Errors are printed.
 * For code that is running (set, audit, :help); a compiled program gets
 * the files it names from the link step before it runs. */
bool interp_autoload(Interp *I, const char *name);
/* Load every such file (for :params). */
void interp_autoload_all(Interp *I);

/* Help line of a built-in, a parameter or (through the host) a rule, NULL
 * if unknown. */
const char *interp_help(Interp *I, const char *name);

#endif

/* chunk.h - a compiled function body: bytecode, constants, source locations.
 *
 * Instructions are one opcode byte followed by operands (see opcodes.h for
 * each instruction's operand layout).  For every byte of code we keep the
 * source location (line and column) of the AST node that produced it, so a
 * runtime error can point its caret at the exact operator.  Locations cost
 * 8 bytes per code byte; chunks are small and errors must be precise.
 */
#ifndef CLUSIM_CHUNK_H
#define CLUSIM_CHUNK_H

#include "common.h"
#include "value.h"

typedef struct Source Source;

typedef struct {
  int32_t line, col;
} SrcLoc;

/* Where a field of a declaration's record literal was written.  The
 * world checks a declaration's fields inside the declaration's built-in
 * (%entity, %fund), after the record is built, when the running
 * instruction is the call, located at the entity's name; with these, an
 * error about `budget:` on the fourth line of a cluster points there
 * (interp_throw_at_field).  A chunk has one entry per field of each such
 * literal, nested records' fields included, in code order. */
typedef struct FieldLoc {
  int call;   /* the declaration's CALL: the offset of its last byte */
  int parent; /* the entry of the field whose record holds this one, or -1 */
  int name;   /* the constant holding the field's name */
  SrcLoc loc; /* where the field's name was written */
} FieldLoc;

typedef struct Chunk {
  int count, capacity;
  uint8_t *code;
  SrcLoc *locs;
  ValueArray constants;
  /* The double of each number among the constants (num_to_double; 0 for
   * the others), for the instructions that take a constant operand (MUL_K
   * ...): with an inexact operand the constant is converted once, not in
   * every round of a loop.  An exact operand uses the exact constant. */
  double *knum;
  int knum_capacity;
  int *const_index; /* hash index into constants, for reuse (positions + 1) */
  int const_index_capacity;
  Source *source; /* the text this chunk was compiled from (for messages) */
  FieldLoc *fields; /* declarations' fields, ordered by `call` */
  int nfields, fields_capacity;
} Chunk;

void chunk_init(Chunk *c, Source *src);
void chunk_free(Interp *I, Chunk *c);
void chunk_write(Interp *I, Chunk *c, uint8_t byte, SrcLoc loc);
/* Add a constant, reusing an equal one already in the pool. */
int chunk_add_constant(Interp *I, Chunk *c, Value v);
/* Record where a declaration's field was written; returns its entry. */
int chunk_add_field(Interp *I, Chunk *c, FieldLoc f);
/* The location of field `path` ("budget", "members.sme") of the
 * declaration whose CALL ends at offset `call`; a path without a dot
 * may also be the last part of a nested field's ("sme").  False if the
 * declaration wrote no such field. */
bool chunk_field_loc(const Chunk *c, int call, const char *path, size_t len, SrcLoc *out);

#endif

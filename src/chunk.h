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

typedef struct Chunk {
  int count, capacity;
  uint8_t *code;
  SrcLoc *locs;
  ValueArray constants;
  int *const_index; /* hash index into constants, for reuse (positions + 1) */
  int const_index_capacity;
  Source *source; /* the text this chunk was compiled from (for messages) */
} Chunk;

void chunk_init(Chunk *c, Source *src);
void chunk_free(Interp *I, Chunk *c);
void chunk_write(Interp *I, Chunk *c, uint8_t byte, SrcLoc loc);
/* Add a constant, reusing an equal one already in the pool. */
int chunk_add_constant(Interp *I, Chunk *c, Value v);

#endif

/* chunk.c - growable bytecode with per-byte source locations. */
#include "chunk.h"

#include "memory.h"
#include "state.h"

void chunk_init(Chunk *c, Source *src) {
  c->count = c->capacity = 0;
  c->code = NULL;
  c->locs = NULL;
  valarr_init(&c->constants);
  c->source = src;
}

void chunk_free(Interp *I, Chunk *c) {
  FREE_ARRAY(I, uint8_t, c->code, c->capacity);
  FREE_ARRAY(I, SrcLoc, c->locs, c->capacity);
  valarr_free(I, &c->constants);
  chunk_init(c, NULL);
}

void chunk_write(Interp *I, Chunk *c, uint8_t byte, SrcLoc loc) {
  if (c->count == c->capacity) {
    int cap = GROW_CAPACITY(c->capacity);
    c->code = GROW_ARRAY(I, uint8_t, c->code, c->capacity, cap);
    c->locs = GROW_ARRAY(I, SrcLoc, c->locs, c->capacity, cap);
    c->capacity = cap;
  }
  c->code[c->count] = byte;
  c->locs[c->count] = loc;
  c->count++;
}

int chunk_add_constant(Interp *I, Chunk *c, Value v) {
  for (int i = 0; i < c->constants.count; i++) {
    Value k = c->constants.items[i];
    /* Reuse only identical constants: 1 and 1.0 must stay distinct. */
    if (k.type == v.type && k.unit == v.unit && value_equal(k, v)) return i;
  }
  valarr_push(I, &c->constants, v);
  return c->constants.count - 1;
}

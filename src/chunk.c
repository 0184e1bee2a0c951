/* chunk.c - growable bytecode with per-byte source locations. */
#include "chunk.h"

#include "memory.h"
#include "num.h"
#include "state.h"

void chunk_init(Chunk *c, Source *src) {
  c->count = c->capacity = 0;
  c->code = NULL;
  c->locs = NULL;
  valarr_init(&c->constants);
  c->knum = NULL;
  c->knum_capacity = 0;
  c->const_index = NULL;
  c->const_index_capacity = 0;
  c->source = src;
  c->fields = NULL;
  c->nfields = c->fields_capacity = 0;
}

void chunk_free(Interp *I, Chunk *c) {
  FREE_ARRAY(I, uint8_t, c->code, c->capacity);
  FREE_ARRAY(I, SrcLoc, c->locs, c->capacity);
  valarr_free(I, &c->constants);
  FREE_ARRAY(I, double, c->knum, c->knum_capacity);
  FREE_ARRAY(I, int, c->const_index, c->const_index_capacity);
  FREE_ARRAY(I, FieldLoc, c->fields, c->fields_capacity);
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

/* Constants that may be shared: the same interned string, the same
 * integer or double bits (1 and 1.0 stay distinct), or equal big numbers. */
static bool same_constant(Value k, Value v) {
  if (k.tag != v.tag) return false;
  if (v.type == VAL_INT || IS_DEC(v)) return k.as.i == v.as.i; /* equal tags: equal scales */
  if (v.type == VAL_FLOAT) return memcmp(&k.as.d, &v.as.d, sizeof(double)) == 0;
  if (v.type != VAL_OBJ) return false;
  if (k.as.o == v.as.o) return true;
  return k.as.o->type == v.as.o->type && (v.as.o->type == OBJ_BIGINT || v.as.o->type == OBJ_RATIONAL) &&
         value_equal(k, v);
}

static uint32_t constant_hash(Value v) { return value_hash(v) * 2654435761u ^ v.type; }

static void index_add(Chunk *c, int pos) {
  uint32_t mask = (uint32_t)c->const_index_capacity - 1;
  uint32_t h = constant_hash(c->constants.items[pos]) & mask;
  while (c->const_index[h]) h = (h + 1) & mask;
  c->const_index[h] = pos + 1;
}

int chunk_add_constant(Interp *I, Chunk *c, Value v) {
  if (c->const_index) {
    uint32_t mask = (uint32_t)c->const_index_capacity - 1;
    for (uint32_t h = constant_hash(v) & mask; c->const_index[h]; h = (h + 1) & mask)
      if (same_constant(c->constants.items[c->const_index[h] - 1], v)) return c->const_index[h] - 1;
  }
  if (c->constants.count == c->knum_capacity) { /* first, so that both stay in step */
    int cap = GROW_CAPACITY(c->knum_capacity);
    c->knum = GROW_ARRAY(I, double, c->knum, c->knum_capacity, cap);
    c->knum_capacity = cap;
  }
  c->knum[c->constants.count] = num_is(v) ? num_to_double(v) : 0;
  valarr_push(I, &c->constants, v);
  int pos = c->constants.count - 1;
  if (c->constants.count * 2 > c->const_index_capacity) {
    /* the new index first: if memory runs out, the old one is still whole */
    int cap = c->const_index_capacity ? c->const_index_capacity * 2 : 16;
    int *index = ALLOCATE(I, int, cap);
    FREE_ARRAY(I, int, c->const_index, c->const_index_capacity);
    c->const_index = index;
    c->const_index_capacity = cap;
    memset(c->const_index, 0, sizeof(int) * (size_t)c->const_index_capacity);
    for (int i = 0; i < c->constants.count; i++) index_add(c, i);
  } else {
    index_add(c, pos);
  }
  return pos;
}

int chunk_add_field(Interp *I, Chunk *c, FieldLoc f) {
  if (c->nfields == c->fields_capacity) {
    int cap = GROW_CAPACITY(c->fields_capacity);
    c->fields = GROW_ARRAY(I, FieldLoc, c->fields, c->fields_capacity, cap);
    c->fields_capacity = cap;
  }
  c->fields[c->nfields] = f;
  return c->nfields++;
}

/* Does entry `i`'s dotted path equal path[0..len)?  Compared from the end,
 * one name at a time up the parents. */
static bool field_path_is(const Chunk *c, int i, const char *path, size_t len) {
  for (;;) {
    const char *name = AS_CSTRING(c->constants.items[c->fields[i].name]);
    size_t n = strlen(name);
    if (n > len || memcmp(path + len - n, name, n) != 0) return false;
    len -= n;
    i = c->fields[i].parent;
    if (i < 0) return len == 0;
    if (len == 0 || path[len - 1] != '.') return false;
    len--;
  }
}

bool chunk_field_loc(const Chunk *c, int call, const char *path, size_t len, SrcLoc *out) {
  int lo = 0, hi = c->nfields; /* the first entry of the call */
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (c->fields[mid].call < call) lo = mid + 1;
    else hi = mid;
  }
  int end = lo;
  while (end < c->nfields && c->fields[end].call == call) end++;
  for (int i = lo; i < end; i++)
    if (field_path_is(c, i, path, len)) {
      *out = c->fields[i].loc;
      return true;
    }
  if (memchr(path, '.', len)) return false;
  for (int i = lo; i < end; i++) {
    const char *name = AS_CSTRING(c->constants.items[c->fields[i].name]);
    if (strlen(name) == len && memcmp(name, path, len) == 0) {
      *out = c->fields[i].loc;
      return true;
    }
  }
  return false;
}

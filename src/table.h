/* table.h - open-addressing hash table keyed by interned strings.
 *
 * Used for the string intern pool (keys only), for the compiler's map from
 * global names to slots, and for the set of imported files.  Keys are
 * interned, so comparing keys is comparing pointers; the intern pool itself
 * uses table_find_string to compare characters.
 */
#ifndef CLUSIM_TABLE_H
#define CLUSIM_TABLE_H

#include "common.h"
#include "value.h"

struct ObjString;

typedef struct {
  struct ObjString *key; /* NULL: empty (value nil) or tombstone (value true) */
  Value value;
} Entry;

typedef struct Table {
  int count, capacity;
  Entry *entries;
} Table;

void table_init(Table *t);
void table_free(Interp *I, Table *t);
bool table_get(Table *t, struct ObjString *key, Value *out);
/* Returns true when the key is new. */
bool table_set(Interp *I, Table *t, struct ObjString *key, Value v);
bool table_delete(Table *t, struct ObjString *key);
struct ObjString *table_find_string(Table *t, const char *chars, int length, uint32_t hash);
/* Drop entries whose keys were not marked (the intern pool, before sweep). */
void table_remove_white(Table *t);
void table_mark(Interp *I, Table *t);

#endif

/* table.c - open-addressing hash table keyed by interned strings. */
#include "table.h"

#include "memory.h"
#include "object.h"
#include "state.h"

#define MAX_LOAD 0.75

void table_init(Table *t) {
  t->count = t->capacity = 0;
  t->entries = NULL;
}

void table_free(Interp *I, Table *t) {
  FREE_ARRAY(I, Entry, t->entries, t->capacity);
  table_init(t);
}

static Entry *find_entry(Entry *entries, int capacity, ObjString *key) {
  uint32_t i = key->hash & (uint32_t)(capacity - 1);
  Entry *tomb = NULL;
  for (;;) {
    Entry *e = &entries[i];
    if (e->key == NULL) {
      if (IS_NIL(e->value)) return tomb ? tomb : e;
      if (!tomb) tomb = e;
    } else if (e->key == key) {
      return e;
    }
    i = (i + 1) & (uint32_t)(capacity - 1);
  }
}

static void adjust(Interp *I, Table *t, int capacity) {
  Entry *entries = ALLOCATE(I, Entry, capacity);
  for (int i = 0; i < capacity; i++) {
    entries[i].key = NULL;
    entries[i].value = NIL_VAL;
  }
  t->count = 0;
  for (int i = 0; i < t->capacity; i++) {
    Entry *e = &t->entries[i];
    if (!e->key) continue;
    Entry *d = find_entry(entries, capacity, e->key);
    d->key = e->key;
    d->value = e->value;
    t->count++;
  }
  FREE_ARRAY(I, Entry, t->entries, t->capacity);
  t->entries = entries;
  t->capacity = capacity;
}

bool table_get(Table *t, ObjString *key, Value *out) {
  if (t->count == 0) return false;
  Entry *e = find_entry(t->entries, t->capacity, key);
  if (!e->key) return false;
  *out = e->value;
  return true;
}

bool table_set(Interp *I, Table *t, ObjString *key, Value v) {
  if (t->count + 1 > t->capacity * MAX_LOAD) adjust(I, t, GROW_CAPACITY(t->capacity));
  Entry *e = find_entry(t->entries, t->capacity, key);
  bool is_new = e->key == NULL;
  if (is_new && IS_NIL(e->value)) t->count++;
  e->key = key;
  e->value = v;
  return is_new;
}

bool table_delete(Table *t, ObjString *key) {
  if (t->count == 0) return false;
  Entry *e = find_entry(t->entries, t->capacity, key);
  if (!e->key) return false;
  e->key = NULL;
  e->value = BOOL_VAL(true);
  return true;
}

ObjString *table_find_string(Table *t, const char *chars, int length, uint32_t hash) {
  if (t->count == 0) return NULL;
  uint32_t i = hash & (uint32_t)(t->capacity - 1);
  for (;;) {
    Entry *e = &t->entries[i];
    if (e->key == NULL) {
      if (IS_NIL(e->value)) return NULL;
    } else if (e->key->length == length && e->key->hash == hash &&
               memcmp(e->key->chars, chars, (size_t)length) == 0) {
      return e->key;
    }
    i = (i + 1) & (uint32_t)(t->capacity - 1);
  }
}

void table_remove_white(Table *t) {
  for (int i = 0; i < t->capacity; i++) {
    Entry *e = &t->entries[i];
    if (e->key && !e->key->obj.marked) table_delete(t, e->key);
  }
}

void table_mark(Interp *I, Table *t) {
  for (int i = 0; i < t->capacity; i++) {
    Entry *e = &t->entries[i];
    if (!e->key) continue;
    gc_mark_obj(I, (Obj *)e->key);
    gc_mark_value(I, e->value);
  }
}

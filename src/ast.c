/* ast.c - syntax-tree nodes and the arena they live in. */
#include "ast.h"

#include <stdlib.h>

#include "memory.h"

struct ArenaBlock {
  ArenaBlock *next;
  size_t used, size;
  max_align_t data[];
};

#define ARENA_BLOCK 16384

void arena_init(Arena *a) { a->head = NULL; }

void arena_free(Arena *a) {
  ArenaBlock *b = a->head;
  while (b) {
    ArenaBlock *next = b->next;
    free(b);
    b = next;
  }
  a->head = NULL;
}

void *arena_alloc(Arena *a, size_t size) {
  size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
  ArenaBlock *b = a->head;
  if (!b || b->used + size > b->size) {
    size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
    /* no interpreter to raise in (I = NULL: print and exit): the arena is
     * filled by the Bison parser, whose own stack a longjmp would leak */
    b = mem_realloc_raw(NULL, NULL, sizeof(ArenaBlock) + cap);
    b->used = 0;
    b->size = cap;
    b->next = a->head;
    a->head = b;
  }
  void *p = (char *)b->data + b->used;
  b->used += size;
  memset(p, 0, size);
  return p;
}

char *arena_strdup(Arena *a, const char *s, size_t n) {
  char *p = arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

Node *ast_new(Arena *a, NodeKind kind, SrcLoc loc) {
  Node *n = arena_alloc(a, sizeof(Node));
  n->kind = kind;
  n->loc = loc;
  return n;
}

void ast_append(Arena *a, NodeList *l, Node *n) {
  if (l->count == l->capacity) {
    int cap = l->capacity ? l->capacity * 2 : 4;
    Node **items = arena_alloc(a, sizeof(Node *) * (size_t)cap);
    if (l->count) memcpy(items, l->items, sizeof(Node *) * (size_t)l->count);
    l->items = items;
    l->capacity = cap;
  }
  l->items[l->count++] = n;
}

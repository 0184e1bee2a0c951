/* ast.h - the syntax tree the parser builds and the compiler walks.
 *
 * One node type serves every construct: a kind, a source location, up to
 * three children (a, b, c), a list of children and a string (a name, the
 * text of a literal).  What each field means per kind is listed beside the
 * kind.  All nodes and their strings live in an Arena owned by one parse
 * and are freed together when compilation is done.
 */
#ifndef CLUSIM_AST_H
#define CLUSIM_AST_H

#include "chunk.h"
#include "common.h"

typedef enum {
  /* expressions */
  N_NUMBER,   /* str: literal text ("2.5M") */
  N_QUANTITY, /* a: N_NUMBER, str: unit name ("250k EUR") */
  N_STRING,   /* str: contents, escapes processed; len: byte length */
  N_INTERP,   /* list: parts, N_STRING pieces and expressions */
  N_TRUE,
  N_FALSE,
  N_NIL,
  N_NAME,     /* str: identifier */
  N_UNARY,    /* op: '-' or NOT; a: operand */
  N_BINARY,   /* op: token; a, b: operands */
  N_AND,      /* a, b */
  N_OR,       /* a, b */
  N_CALL,     /* a: callee, list: arguments */
  N_INDEX,    /* a: object, b: index */
  N_FIELD,    /* a: object, str: field name */
  N_LIST,     /* list: elements */
  N_RECORD,   /* list: N_FIELD_INIT */
  N_FIELD_INIT, /* str: key, a: value */
  N_FN,       /* anonymous fn; list: N_NAME params, a: body; op: 1 if body is an expression */
  N_TUPLE,    /* list: elements - only valid as print(a, b) */
  /* statements */
  N_LET,      /* str: name, a: value */
  N_ASSIGN,   /* a: target (N_NAME, N_INDEX, N_FIELD), b: value */
  N_IF,       /* a: condition, b: then-block, c: else (N_BLOCK, N_IF or NULL) */
  N_WHILE,    /* a: condition, b: body */
  N_FOR,      /* str: variable, a: iterable, b: body */
  N_BREAK,
  N_CONTINUE,
  N_RETURN,   /* a: value or NULL */
  N_FNDECL,   /* str: name, list: params, a: body; op: 1 if body is an expression */
  N_IMPORT,   /* str: path */
  N_ASSERT,   /* a: condition, b: message or NULL */
  N_PRINT,    /* list: values */
  N_UNIT_DECL,/* str: unit name */
  N_EXPR_STMT,/* a: expression */
  N_BLOCK,    /* list: statements */
  /* the world (declarations), scenarios and their results */
  N_ENTITY,   /* op: REGION, CLUSTER, PROGRAMME or PARTNERSHIP; str: name; a: N_RECORD of fields */
  N_FUND,     /* a: programme expression, b: recipient expression, c: N_RECORD of fields */
  N_LOAD,     /* str: entity keyword, a: file name expression, list: N_FIELD_INIT (str: field path,
               * a: column name expression, b: unit expression or NULL) */
  N_PARAM,    /* str: name, a: default value, b: N_STRING doc or NULL, c: bounds (a DOTDOT N_BINARY) or NULL */
  N_RULE,     /* str: rule name, a: N_NAME loop variable, b: iterable, c: body block;
               * list: its doc string (one N_STRING) or empty */
  N_SCENARIO, /* str: name, a: N_NAME parent or NULL, list: items (N_FIELD_INIT, N_SET, N_ENTITY, N_FUND) */
  N_SET,      /* str: param name, a: value (inside a scenario) */
  N_RUN,      /* list: N_NAME scenarios */
  N_COMPARE,  /* a: N_BLOCK of scenario names, b: N_BLOCK of targets (X.field or total.field) */
  N_WHY,      /* a: S.X.field[year]; as a statement of its own it prints its breakdown */
  N_EXPORT,   /* a: N_BLOCK of what to export (several: a list), b: file name expression */
  N_AUDIT,    /* a: scenario expression; as a statement of its own it prints its findings */
  N_SWEEP,    /* str: scenario name, op: 'o' over a grid, 'c' listed cases or 's' sensitivity;
               * a: N_RECORD of N_FIELD_INIT (NAME: values) for 'o', the cases for 'c', the share
               * for 's'; b: N_BLOCK of outputs or NULL (op 'p': plot them; a: the SVG file or
               * NULL); list: the params 's' varies (N_NAME) */
  N_REPORT,   /* statement (op 0): a: N_BLOCK of scenario names, b: N_BLOCK of targets or NULL,
               * c: file name expression; function form (op 1): list: its arguments */
  N_PLOT,     /* a: N_BLOCK of series (or scenario names when b is set), b: N_BLOCK of paths
               * after `on` or NULL, c: file expression or NULL; op: 1 for the statement,
               * 0 for the function form plot(...) */
} NodeKind;

typedef struct Node Node;

typedef struct {
  int count, capacity;
  Node **items;
} NodeList;

struct Node {
  NodeKind kind;
  int op;
  SrcLoc loc;
  Node *a, *b, *c;
  NodeList list;
  char *str;
  int len;
};

/* A bump allocator for one parse. */
typedef struct ArenaBlock ArenaBlock;
typedef struct {
  ArenaBlock *head;
} Arena;

void arena_init(Arena *a);
void arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t size);
char *arena_strdup(Arena *a, const char *s, size_t n);

Node *ast_new(Arena *a, NodeKind kind, SrcLoc loc);
void ast_append(Arena *a, NodeList *l, Node *n);

#endif

/* compile_world.c - the world's declarations (region, cluster, fund,
 * param, rule, scenario, load) and statements (run, compare, plot, why,
 * audit, export, report, sweep): each compiles to a call of a hidden
 * built-in (%entity, %compare...) registered by the world_*.c files, with
 * the locations of its fields noted for errors (chunk.h: FieldLoc).  The
 * rest of the compiler is in compile.c; compile_internal.h is what they
 * share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_internal.h"
#include "memory.h"
#include "parser.h"
#include "state.h"

/* ---- the world: declarations compile to calls of hidden built-ins ------- */

/* Push the hidden built-in `name` (registered by world.c as "%name"). */
static void native_callee(Compiler *c, const char *name, SrcLoc loc) {
  int g = global_find(c->I, str_new(c->I, name));
  if (g < 0) {
    compile_error_at(c, loc, "internal error: no built-in %s", name);
    g = 0;
  }
  compile_emit_indexed(c, OP_GET_GLOBAL, 1, g, loc);
}

static void emit_call(Compiler *c, int argc, SrcLoc loc) {
  compile_emit_op(c, OP_CALL, -argc, loc);
  compile_emit(c, (uint8_t)argc, loc);
}

static void emit_string(Compiler *c, const char *s, SrcLoc loc) {
  compile_emit_constant(c, OBJ_VAL(str_new(c->I, s)), loc);
}

/* The keyword of an entity declaration, passed to %entity. */
static const char *entity_keyword(int tok) {
  switch (tok) {
  case REGION: return "region";
  case CLUSTER: return "cluster";
  case PROGRAMME: return "programme";
  default: return "partnership";
  }
}

/* Note where each field of a declaration's record literal `r` was
 * written, for the call that just ended (chunk.h: FieldLoc); nested
 * record literals a few levels deep too. */
static void note_fields(Compiler *c, Node *r, int parent, int depth) {
  if (r->kind != N_RECORD || depth > 4) return;
  int call = compile_chunk(c)->count - 1;
  for (int i = 0; i < r->list.count; i++) {
    Node *f = r->list.items[i];
    FieldLoc at = {call, parent, compile_name_constant(c, f->str, f->loc), f->loc};
    note_fields(c, f->a, chunk_add_field(c->I, compile_chunk(c), at), depth + 1);
  }
}

/* The names an expression reads (N_NAME nodes, functions' bodies too),
 * each once, into `names` (at most max). */
#define MAX_READ_NAMES 64
static void collect_names(Node *n, const char **names, int *count) {
  if (!n) return;
  if (n->kind == N_NAME) {
    for (int i = 0; i < *count; i++)
      if (strcmp(names[i], n->str) == 0) return;
    if (*count < MAX_READ_NAMES) names[(*count)++] = n->str;
    return;
  }
  collect_names(n->a, names, count);
  collect_names(n->b, names, count);
  collect_names(n->c, names, count);
  for (int i = 0; i < n->list.count; i++) collect_names(n->list.items[i], names, count);
}

/* After a declaration's arguments: the list of the names its fields read
 * (world_params.c notes the params among them, so that a later `set` of one
 * warns that the declaration keeps the value it read); 1 if there are
 * any, else nothing and 0. */
static int emit_names_read(Compiler *c, Node *fields, SrcLoc loc) {
  const char *names[MAX_READ_NAMES];
  int count = 0;
  collect_names(fields, names, &count);
  if (count == 0) return 0;
  Node *list = ast_new(c->arena, N_LIST, loc);
  for (int i = 0; i < count; i++) {
    Node *s = ast_new(c->arena, N_STRING, loc);
    s->str = (char *)names[i];
    s->len = (int)strlen(names[i]);
    ast_append(c->arena, &list->list, s);
  }
  compile_expr(c, list);
  return 1;
}

void compile_entity_decl(Compiler *c, Node *n) {
  compile_check_not_unit(c, n->str, n->loc);
  native_callee(c, "%entity", n->loc);
  emit_string(c, entity_keyword(n->op), n->loc);
  emit_string(c, n->str, n->loc);
  compile_expr(c, n->a);
  emit_call(c, 3 + emit_names_read(c, n->a, n->loc), n->loc);
  note_fields(c, n->a, -1, 0);
  compile_emit_op(c, OP_POP, -1, n->loc);
}

void compile_fund_decl(Compiler *c, Node *n) {
  native_callee(c, "%fund", n->loc);
  compile_expr(c, n->a);
  compile_expr(c, n->b);
  compile_expr(c, n->c);
  emit_call(c, 3 + emit_names_read(c, n->c, n->loc), n->loc);
  note_fields(c, n->c, -1, 0);
  compile_emit_op(c, OP_POP, -1, n->loc);
}

/* Note where each field path of a load's column map was written, for the
 * call that just ended, one entry per name up the path (members, then sme
 * under it), as note_fields does for a record. */
static void note_load_fields(Compiler *c, Node *n) {
  int call = compile_chunk(c)->count - 1;
  for (int i = 0; i < n->list.count; i++) {
    Node *f = n->list.items[i];
    int parent = -1;
    for (const char *p = f->str; *p;) {
      const char *dot = strchr(p, '.');
      size_t len = dot ? (size_t)(dot - p) : strlen(p);
      ObjString *name = str_copy(c->I, p, (int)len);
      FieldLoc at = {call, parent, compile_make_constant(c, OBJ_VAL(name), f->loc), f->loc};
      parent = chunk_add_field(c->I, compile_chunk(c), at);
      p += len + (dot != NULL);
    }
  }
}

/* load KIND from PATH {FIELD: COLUMN [in UNIT], ...}: a call of %load with
 * the keyword, the path and a list of triples (field path, column, unit or
 * nil); world_load.c reads the file and declares an entity per row. */
void compile_load_decl(Compiler *c, Node *n) {
  if (3 * n->list.count > 0xffff) {
    compile_error_at(c, n->loc, "column map too long");
    return;
  }
  for (int i = 0; i < n->list.count; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(n->list.items[j]->str, n->list.items[i]->str) == 0)
        compile_error_at(c, n->list.items[i]->loc, "field '%s' is given twice", n->list.items[i]->str);
  native_callee(c, "%load", n->loc);
  emit_string(c, n->str, n->loc);
  compile_expr(c, n->a);
  for (int i = 0; i < n->list.count; i++) {
    Node *f = n->list.items[i];
    emit_string(c, f->str, f->loc);
    compile_expr(c, f->a);
    if (f->b) compile_expr(c, f->b);
    else compile_emit_op(c, OP_NIL, 1, f->loc);
  }
  compile_emit_op(c, OP_LIST, 1 - 3 * n->list.count, n->loc);
  compile_emit_u16(c, 3 * n->list.count, n->loc);
  emit_call(c, 3, n->loc);
  note_load_fields(c, n);
  compile_emit_op(c, OP_POP, -1, n->loc);
}

static bool world_top_level(Compiler *c, Node *n, const char *what) {
  if (compile_at_top_level(c)) return true;
  compile_error_at(c, n->loc, "'%s' belongs at the top level of a script", what);
  return false;
}

/* A number written as a percentage: `35%`, `-5%`, or a record of them
 * (`{sme: 85%, large: 5%}`). */
static bool written_in_percent(const Node *n) {
  if (n->kind == N_NUMBER) return n->str[strlen(n->str) - 1] == '%';
  if (n->kind == N_UNARY && n->op == '-') return written_in_percent(n->a);
  if (n->kind != N_RECORD || n->list.count == 0) return false;
  for (int i = 0; i < n->list.count; i++)
    if (!written_in_percent(n->list.items[i]->a)) return false;
  return true;
}

/* %param(name, default, doc, low, high, share): a param declared in
 * percent (its default or a bound written so: `= 10% in 0%..100%`) is a
 * share, which people's listings show as a percentage (format.h). */
void compile_param_decl(Compiler *c, Node *n) {
  if (!world_top_level(c, n, "param")) return;
  compile_check_not_unit(c, n->str, n->loc);
  native_callee(c, "%param", n->loc);
  emit_string(c, n->str, n->loc);
  compile_expr(c, n->a);
  if (n->b) compile_expr(c, n->b);
  else compile_emit_op(c, OP_NIL, 1, n->loc);
  if (n->c) { /* bounds LOW..HIGH: two values, not a range */
    compile_expr(c, n->c->a);
    compile_expr(c, n->c->b);
  } else {
    compile_emit_op(c, OP_NIL, 1, n->loc);
    compile_emit_op(c, OP_NIL, 1, n->loc);
  }
  bool share = written_in_percent(n->a) || (n->c && (written_in_percent(n->c->a) || written_in_percent(n->c->b)));
  compile_emit_op(c, share ? OP_TRUE : OP_FALSE, 1, n->loc);
  emit_call(c, 6, n->loc);
  compile_emit_op(c, OP_POP, -1, n->loc);
}

/* A function literal made up on the spot: fn() = E, or fn(x) { body }. */
static Node *synthetic_fn(Arena *arena, SrcLoc loc, Node *param, Node *body, bool is_expr) {
  Node *f = ast_new(arena, N_FN, loc);
  if (param) ast_append(arena, &f->list, param);
  f->a = body;
  f->op = is_expr;
  return f;
}

void compile_rule_decl(Compiler *c, Node *n) {
  if (!world_top_level(c, n, "rule")) return;
  compile_check_not_unit(c, n->a->str, n->a->loc);
  native_callee(c, "%rule", n->loc);
  emit_string(c, n->str, n->loc);
  Node *over = synthetic_fn(c->arena, n->b->loc, NULL, n->b, true);
  over->str = n->str;
  compile_function(c, over, n->str);
  Value list_fn = compile_chunk(c)->constants.items[compile_chunk(c)->constants.count - 1];
  if (IS_OBJ_TYPE(list_fn, OBJ_FUNCTION)) AS_FUNCTION(list_fn)->declared_as = "rule";
  compile_function(c, synthetic_fn(c->arena, n->loc, n->a, n->c, false), n->str);
  /* the CLOSURE just emitted holds the rule body: mark it for call chains */
  Value made = compile_chunk(c)->constants.items[compile_chunk(c)->constants.count - 1];
  if (IS_OBJ_TYPE(made, OBJ_FUNCTION)) AS_FUNCTION(made)->declared_as = "rule";
  if (n->list.count) compile_expr(c, n->list.items[0]); /* the doc string */
  else compile_emit_op(c, OP_NIL, 1, n->loc);
  emit_call(c, 4, n->loc);
  compile_emit_op(c, OP_POP, -1, n->loc);
}

static void scenario_item(Compiler *c, Node *item) {
  switch (item->kind) {
  case N_FIELD_INIT: /* years: runs: seed: */
  case N_SET:
    native_callee(c, item->kind == N_SET ? "%set" : "%scenario_field", item->loc);
    emit_string(c, item->str, item->loc);
    compile_expr(c, item->a);
    emit_call(c, 2, item->loc);
    compile_emit_op(c, OP_POP, -1, item->loc);
    break;
  case N_ENTITY: compile_entity_decl(c, item); break;
  case N_FUND: compile_fund_decl(c, item); break;
  default: compile_error_at(c, item->loc, "this does not belong in a scenario");
  }
}

/* The scenario body becomes a function applied at the start of each run. */
void compile_scenario_decl(Compiler *c, Node *n) {
  if (!world_top_level(c, n, "scenario")) return;
  compile_check_not_unit(c, n->str, n->loc);
  native_callee(c, "%scenario", n->loc);
  emit_string(c, n->str, n->loc);
  if (n->a) compile_get_name(c, n->a->str, n->a->loc);
  else compile_emit_op(c, OP_NIL, 1, n->loc);
  if (n->list.count == 0) {
    compile_emit_op(c, OP_NIL, 1, n->loc);
  } else {
    FnCompiler fc;
    compile_init_fn(c, &fc, n->str, false);
    compile_begin_scope(c);
    for (int i = 0; i < n->list.count; i++) scenario_item(c, n->list.items[i]);
    ObjFunction *f = compile_end_fn(c, n->loc);
    f->declared_as = "scenario";
    compile_emit_indexed(c, OP_CLOSURE, 1, compile_make_constant(c, OBJ_VAL(f), n->loc), n->loc);
    for (int i = 0; i < f->upvalue_count; i++) { /* top-level bodies capture nothing */
      compile_emit(c, 0, n->loc);
      compile_emit(c, 0, n->loc);
    }
  }
  emit_call(c, 3, n->loc);
  compile_emit_op(c, OP_POP, -1, n->loc);
}

static void names_list(Compiler *c, Node *list) {
  for (int i = 0; i < list->list.count; i++) compile_expr(c, list->list.items[i]);
  compile_emit_op(c, OP_LIST, 1 - list->list.count, list->loc);
  compile_emit_u16(c, list->list.count, list->loc);
}

void compile_run_stmt(Compiler *c, Node *n) {
  native_callee(c, "%run", n->loc);
  names_list(c, n);
  emit_call(c, 1, n->loc);
  compile_emit_op(c, OP_POP, -1, n->loc);
}

/* The dotted path of X.members.sme (or total.jobs), as text. */
static bool dotted_path(Node *e, Buffer *b) {
  if (e->kind == N_NAME) {
    buf_puts(b, e->str);
    return true;
  }
  if (e->kind == N_FIELD && dotted_path(e->a, b)) {
    buf_putc(b, '.');
    buf_puts(b, e->str);
    return true;
  }
  return false;
}

/* The paths after `on` of compare, report or plot (X.field or
 * total.field) as a list of strings. */
static void paths_list(Compiler *c, Node *list, const char *what) {
  for (int i = 0; i < list->list.count; i++) {
    Node *t = list->list.items[i];
    Buffer b;
    buf_init(&b);
    if (!dotted_path(t, &b) || t->kind != N_FIELD)
      compile_error_at(c, t->loc, "%s needs ENTITY.field or total.field here", what);
    emit_string(c, str_take_buffer(c->I, &b)->chars, t->loc); /* no Buffer held while emitting */
  }
  compile_emit_op(c, OP_LIST, 1 - list->list.count, list->loc);
  compile_emit_u16(c, list->list.count, list->loc);
}

void compile_compare_stmt(Compiler *c, Node *n) {
  native_callee(c, "%compare", n->loc);
  names_list(c, n->a);
  paths_list(c, n->b, "compare");
  emit_call(c, 2, n->loc);
  compile_emit_op(c, OP_POP, -1, n->loc);
}

/* An output of a sweep, X.field or X.field[YEAR], as the text the sweep
 * reads ("total.jobs[2030]"). */
static void sweep_output(Compiler *c, Node *t) {
  Buffer b;
  buf_init(&b);
  Node *path = t->kind == N_INDEX ? t->a : t;
  bool ok = dotted_path(path, &b) && path->kind == N_FIELD;
  if (ok && t->kind == N_INDEX) {
    const char *y = t->b->kind == N_NUMBER ? t->b->str : "";
    ok = *y != '\0' && strspn(y, "0123456789") == strlen(y);
    if (ok) buf_printf(&b, "[%s]", y);
  }
  if (!ok)
    compile_error_at(c, t->loc,
                     "a sweep shows ENTITY.field or total.field, with a year or not, as in total.jobs[2030]");
  emit_string(c, str_take_buffer(c->I, &b)->chars, t->loc); /* no Buffer held while emitting */
}

/* sweep S over NAME in VALUES and ... | cases CASES | sensitivity SHARE
 * [over NAMES], show OUTPUTS: %sweep(S, {NAME: VALUES...} or CASES,
 * [OUTPUTS], true) or %sensitivity(S, OUTPUT, SHARE, [NAMES] or nil, true);
 * the params' names are noted where they were written, for the errors
 * about them (chunk.h: FieldLoc). */
void compile_sweep_stmt(Compiler *c, Node *n) {
  if (!n->b) {
    compile_error_at(c, n->loc,
                     "sweep %s needs its outputs: add 'show total.jobs[2030]' (or 'on ...'), what to tabulate per case",
                     n->str);
    return;
  }
  if (n->op == 's') {
    if (n->b->list.count != 1)
      compile_error_at(c, n->b->list.items[1]->loc, "sensitivity looks at one output at a time");
    if (n->b->op == 'p')
      compile_error_at(c, n->loc, "sensitivity draws no chart: its table is the data of a tornado chart");
    native_callee(c, "%sensitivity", n->loc);
    compile_get_name(c, n->str, n->loc);
    sweep_output(c, n->b->list.items[0]);
    compile_expr(c, n->a);
    for (int i = 0; i < n->list.count; i++) emit_string(c, n->list.items[i]->str, n->list.items[i]->loc);
    if (n->list.count) {
      compile_emit_op(c, OP_LIST, 1 - n->list.count, n->loc);
      compile_emit_u16(c, n->list.count, n->loc);
    } else {
      compile_emit_op(c, OP_NIL, 1, n->loc);
    }
    compile_emit_op(c, OP_TRUE, 1, n->loc);
    emit_call(c, 5, n->loc);
    int call = compile_chunk(c)->count - 1;
    for (int i = 0; i < n->list.count; i++) {
      Node *p = n->list.items[i];
      chunk_add_field(c->I, compile_chunk(c), (FieldLoc){call, -1, compile_name_constant(c, p->str, p->loc), p->loc});
    }
  } else {
    native_callee(c, "%sweep", n->loc);
    compile_get_name(c, n->str, n->loc);
    compile_expr(c, n->a);
    for (int i = 0; i < n->b->list.count; i++) sweep_output(c, n->b->list.items[i]);
    compile_emit_op(c, OP_LIST, 1 - n->b->list.count, n->loc);
    compile_emit_u16(c, n->b->list.count, n->loc);
    compile_emit_op(c, OP_TRUE, 1, n->loc);
    compile_emit_op(c, n->b->op == 'p' ? OP_TRUE : OP_FALSE, 1, n->loc);
    if (n->b->a) compile_expr(c, n->b->a); /* plot to FILE: the charts as SVG */
    emit_call(c, n->b->a ? 6 : 5, n->loc);
    if (n->op == 'o') note_fields(c, n->a, -1, 0);
    else if (n->a->kind == N_LIST)
      for (int i = 0; i < n->a->list.count; i++) note_fields(c, n->a->list.items[i], -1, 0);
  }
  compile_emit_op(c, OP_POP, -1, n->loc);
}

/* report A, B [on X.f, ...] to FILE, and report(S or [S...], FILE [,
 * ["X.f", ...]]): both call %report(scenarios, file, paths or nil), which
 * writes the file and returns a summary record. */
void compile_report_expr(Compiler *c, Node *n) {
  native_callee(c, "%report", n->loc);
  if (n->op == 0) {
    names_list(c, n->a);
    compile_expr(c, n->c);
    if (n->b) paths_list(c, n->b, "report");
    else compile_emit_op(c, OP_NIL, 1, n->loc);
  } else {
    int argc = n->list.count;
    if (argc < 2 || argc > 3)
      compile_error_at(c, n->loc,
                       "report() takes a scenario or a list of them, a file name and, optionally, a list of paths such "
                       "as [\"total.jobs\"]");
    for (int i = 0; i < argc && i < 3; i++) compile_expr(c, n->list.items[i]);
    for (int i = argc; i < 3; i++) compile_emit_op(c, OP_NIL, 1, n->loc);
  }
  emit_call(c, 3, n->loc);
}

/* plot S.X.f, T.X.f / plot S, T on X.f / plot(...): %plot(items, labels,
 * paths or nil, file or nil, print); each item is labelled by its text
 * (S.X.f), or "series N" for an expression that is not a path. */
void compile_plot_expr(Compiler *c, Node *n, bool print) {
  native_callee(c, "%plot", n->loc);
  names_list(c, n->a);
  for (int i = 0; i < n->a->list.count; i++) {
    Node *t = n->a->list.items[i];
    if (n->b && t->kind != N_NAME)
      compile_error_at(c, t->loc,
                       "plot S, T on X.field takes scenario names before 'on' (or plot S.X.field, T.X.field)");
    Buffer b;
    buf_init(&b);
    if (!dotted_path(t, &b)) {
      buf_clear(&b);
      buf_printf(&b, "series %d", i + 1);
    }
    emit_string(c, str_take_buffer(c->I, &b)->chars, t->loc);
  }
  compile_emit_op(c, OP_LIST, 1 - n->a->list.count, n->loc);
  compile_emit_u16(c, n->a->list.count, n->loc);
  if (n->b) paths_list(c, n->b, "plot");
  else compile_emit_op(c, OP_NIL, 1, n->loc);
  if (n->c) compile_expr(c, n->c);
  else compile_emit_op(c, OP_NIL, 1, n->loc);
  compile_emit_op(c, print ? OP_TRUE : OP_FALSE, 1, n->loc);
  emit_call(c, 5, n->loc);
}

/* why S.X.field[year]: the scenario, the path after it, and the year. */
void compile_why_expr(Compiler *c, Node *n, bool print) {
  /* why(S.X.f[Y]).after: the fields after the index apply to the result */
  Node *trail[16];
  int ntrail = 0;
  Node *t = n->a;
  while (t->kind == N_FIELD && ntrail < 16) {
    trail[ntrail++] = t;
    t = t->a;
  }
  if (t->kind != N_INDEX) {
    t = n->a;
    ntrail = 0;
  }
  Node *s = t;
  Buffer b;
  buf_init(&b);
  bool ok = t->kind == N_INDEX;
  if (ok) {
    Node *path = t->a;
    /* walk down to the scenario name: the first N_NAME of the chain */
    Node *chain[64];
    int depth = 0;
    for (s = path; s->kind == N_FIELD && depth < 64; s = s->a) chain[depth++] = s;
    ok = s->kind == N_NAME && depth >= 2;
    for (int i = depth - 1; ok && i >= 0; i--) {
      if (i != depth - 1) buf_putc(&b, '.');
      buf_puts(&b, chain[i]->str);
    }
  }
  if (!ok) {
    buf_free(&b);
    compile_error_at(c, n->loc, "why needs SCENARIO.ENTITY.field[year], as in why scaleup.AerospaceValley.jobs[2030]");
    compile_emit_op(c, OP_NIL, 1, n->loc);
    return;
  }
  ObjString *chain_text = str_take_buffer(c->I, &b); /* no Buffer held while emitting */
  native_callee(c, "%why", n->loc);
  compile_get_name(c, s->str, s->loc);
  emit_string(c, chain_text->chars, n->loc);
  compile_expr(c, t->b);
  compile_emit_op(c, print ? OP_TRUE : OP_FALSE, 1, n->loc);
  emit_call(c, 4, n->loc);
  for (int i = ntrail - 1; i >= 0; i--) {
    compile_emit_field(c, OP_GET_FIELD, 0, trail[i]->str, trail[i]->loc);
  }
}

/* audit S: the state-aid audit is written in Clusim (stdlib/stateaid.clu)
 * as fn state_aid_audit(S, print); %audit runs it with S's params. */
void compile_audit_expr(Compiler *c, Node *n, bool print) {
  native_callee(c, "%audit", n->loc);
  compile_expr(c, n->a);
  compile_emit_op(c, print ? OP_TRUE : OP_FALSE, 1, n->loc);
  emit_call(c, 2, n->loc);
}

/* export A to FILE, export A, B to FILE: one value, or the list of them. */
void compile_export_stmt(Compiler *c, Node *n) {
  native_callee(c, "%export", n->loc);
  int count = n->a->list.count;
  for (int i = 0; i < count; i++) compile_expr(c, n->a->list.items[i]);
  if (count > 1) {
    compile_emit_op(c, OP_LIST, 1 - count, n->loc);
    compile_emit_u16(c, count, n->loc);
  }
  compile_expr(c, n->b);
  emit_call(c, 2, n->loc);
  compile_emit_op(c, OP_POP, -1, n->loc);
}


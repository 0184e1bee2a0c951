/* world_decl.c - declarations of the world and their schema checks:
 * regions, clusters, programmes, partnerships, funds, rules and
 * scenarios; schema(), by which the stdlib declares a cluster's fields in
 * Clusim; clusters(), regions() and the other entity lists.  Params, their
 * bounds and `set` are in world_params.c. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"
#include "memory.h"
#include "num.h"
#include "vm.h"
#include "world.h"
#include "world_results.h"

static bool negative(Interp *I, Value v) { return num_cmp(I, v, INT_VAL(0)) == -1; }

/* ---- checking declared fields ---------------------------------------------- */

static _Noreturn void decl_error(Interp *I, EntityKind kind, const char *name, const char *fmt, ...)
    PRINTF_LIKE(4, 5);
static _Noreturn void decl_error(Interp *I, EntityKind kind, const char *name, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ObjString *msg = str_vprintf(I, fmt, ap); /* a heap string: the throw below frees nothing */
  va_end(ap);
  interp_throw_at_field(I, msg->chars, "%s %s: %s", world_kind_names[kind], name, msg->chars);
}

/* ---- schemas: the fields of each kind of entity ----------------------------
 *
 * Each kind of entity has a list of the fields it may have, so that a
 * misspelt field (`budjet:`, `lable:`, `c.scaleup = ...`) is an error with a
 * suggestion instead of a new field that nothing reads while the real one
 * keeps its default.  A field comes from one of these places:
 *
 *   FIELD_DECLARED  a declaration may give it (the checks below, then a
 *                   default where the model needs one)
 *   FIELD_GIVEN     the declaration itself sets it: the name; a fund's
 *                   programme and recipient
 *   FIELD_RUN       computed while a scenario runs, by Clusim (payments,
 *                   remaining) or by the model's rules (last_income...): a
 *                   declaration may not give it, rules may write it
 *   FIELD_DIRECTIVE not a field: an instruction to the declaration, which
 *                   does not keep it (a fund's `replace: true`)
 *
 * The schemas of regions, programmes, partnerships and funds are the tables
 * below: the ledger, pay() and the audit read their fields, so they are the
 * core's contract.  A cluster's fields are the model's business: the C core
 * keeps only its name and this year's payments (cluster_core_schema), and
 * the stdlib declares the rest in Clusim with schema("cluster", {...})
 * (stdlib/model.clu; see "The cluster's schema, declared in Clusim" below).
 *
 * A field holding a record of its own fields (members, income, payments)
 * lists them as its parts.  Fields of the user's own are outside the
 * schema: their names carry a tag (world_own_field).  The schema is what
 * world_check_write consults on a write to a field an entity did not have.
 */
typedef enum { FIELD_DECLARED, FIELD_GIVEN, FIELD_RUN, FIELD_DIRECTIVE } FieldOrigin;

typedef struct {
  const char *name;
  FieldOrigin origin;
  const char *const *parts;
} FieldSpec;

const char *const world_fund_purposes[] = {"operating", "investment", "internationalisation", "scaleup",
                                           "training", NULL};

static const FieldSpec region_schema[] = {
    {"name", FIELD_GIVEN, NULL},
    {"country", FIELD_DECLARED, NULL},
    {"aid_zone", FIELD_DECLARED, NULL},
    {NULL, 0, NULL},
};

/* The fields of a cluster that the core keeps itself (the rest: the
 * stdlib's schema). */
static const FieldSpec cluster_core_schema[] = {
    {"name", FIELD_GIVEN, NULL},
    {"payments", FIELD_RUN, world_fund_purposes},  /* this year's, by purpose (world_ledger.c, pay) */
    {"passed_on", FIELD_RUN, world_fund_purposes}, /* the part of them passed on to member SMEs */
    {NULL, 0, NULL},
};

static const FieldSpec programme_schema[] = {
    {"name", FIELD_GIVEN, NULL},
    {"level", FIELD_DECLARED, NULL},
    {"budget", FIELD_DECLARED, NULL},
    {"aid", FIELD_DECLARED, NULL},
    {"management", FIELD_DECLARED, NULL}, /* "eu_central", "shared" or "national" (the audit, GBER Art. 8(2)) */
    {"remaining", FIELD_RUN, NULL}, /* what is left of the envelope (pay) */
    {NULL, 0, NULL},
};

static const FieldSpec partnership_schema[] = {
    {"name", FIELD_GIVEN, NULL},
    {"members", FIELD_DECLARED, NULL},
    {"targets", FIELD_DECLARED, NULL},
    {"years", FIELD_DECLARED, NULL},
    {NULL, 0, NULL},
};

static const FieldSpec fund_schema[] = {
    {"programme", FIELD_GIVEN, NULL},
    {"recipient", FIELD_GIVEN, NULL},
    {"amount", FIELD_DECLARED, NULL},
    {"schedule", FIELD_DECLARED, NULL}, /* {2026: 100k EUR / year, ...}: amounts by year */
    {"years", FIELD_DECLARED, NULL},
    {"purpose", FIELD_DECLARED, NULL},
    {"eligible_costs", FIELD_DECLARED, NULL},
    {"per_sme", FIELD_DECLARED, NULL},
    {"granted", FIELD_DECLARED, NULL}, /* the grant year (the audit); default: the first of its years */
    {"replace", FIELD_DIRECTIVE, NULL}, /* replace the funds on the same triple */
    {NULL, 0, NULL},
};

static const FieldSpec *const schemas[KIND_COUNT] = {
    [KIND_REGION] = region_schema,       [KIND_CLUSTER] = cluster_core_schema, [KIND_PROGRAMME] = programme_schema,
    [KIND_PARTNERSHIP] = partnership_schema, [KIND_FUND] = fund_schema,
};

/* The fields of the cluster's schema declared in Clusim, or NULL before
 * the stdlib declared it (then clusters are not checked). */
static ObjRecord *cluster_fields(Interp *I) {
  ObjRecord *s = I->world->cluster_schema;
  if (!s) return NULL;
  Value f = world_field(I, s, "fields");
  return IS_RECORD(f) ? AS_RECORD(f) : NULL;
}

/* What the schema of a kind says about one field: where it comes from, its
 * parts (a C list or a Clusim list of strings), and for the fields the
 * stdlib declared, their spec record. */
typedef struct {
  FieldOrigin origin;
  const char *const *parts;
  ObjList *part_list;
  ObjRecord *spec;
} FieldInfo;

static bool spec_flag(Interp *I, ObjRecord *spec, const char *attr) {
  Value v = world_field(I, spec, attr);
  return IS_BOOL(v) && v.as.b;
}

static bool field_info(Interp *I, EntityKind kind, const char *name, FieldInfo *out) {
  memset(out, 0, sizeof *out);
  if (schemas[kind])
    for (const FieldSpec *f = schemas[kind]; f->name; f++)
      if (strcmp(f->name, name) == 0) {
        out->origin = f->origin;
        out->parts = f->parts;
        return true;
      }
  ObjRecord *fields = kind == KIND_CLUSTER ? cluster_fields(I) : NULL;
  Value spec;
  if (!fields || !record_get(fields, str_new(I, name), &spec)) return false;
  out->spec = AS_RECORD(spec);
  out->origin = spec_flag(I, out->spec, "computed") ? FIELD_RUN : FIELD_DECLARED;
  Value parts = world_field(I, out->spec, "parts");
  if (IS_LIST(parts)) out->part_list = AS_LIST(parts);
  return true;
}

/* Whether a kind's fields are checked: clusters only once the stdlib has
 * declared their schema. */
static bool has_schema(Interp *I, EntityKind kind) {
  if (kind == KIND_CLUSTER) return cluster_fields(I) != NULL;
  return schemas[kind] != NULL;
}

#define MAX_NAMES 128

/* The names of a field's parts, NULL-terminated, into out[MAX_NAMES]; NULL
 * if the field has none. */
static const char *const *part_names(const FieldInfo *f, const char **out) {
  if (f->parts) return f->parts;
  if (!f->part_list) return NULL;
  int n = 0;
  for (int i = 0; i < f->part_list->items.count && n < MAX_NAMES - 1; i++)
    out[n++] = AS_CSTRING(f->part_list->items.items[i]);
  out[n] = NULL;
  return out;
}

static bool among(const char *const *names, const char *name) {
  for (int i = 0; names[i]; i++)
    if (strcmp(names[i], name) == 0) return true;
  return false;
}

/* The names of a kind's fields that a suggestion may offer, into
 * out[MAX_NAMES], NULL-terminated: the declarable ones, and those a run
 * computes when `run_fields`. */
static const char *const *field_names(Interp *I, EntityKind kind, bool run_fields, const char **out) {
  int n = 0;
  if (schemas[kind])
    for (const FieldSpec *f = schemas[kind]; f->name && n < MAX_NAMES - 1; f++)
      if (f->origin == FIELD_DECLARED || (f->origin == FIELD_RUN && run_fields)) out[n++] = f->name;
  ObjRecord *fields = kind == KIND_CLUSTER ? cluster_fields(I) : NULL;
  for (int i = 0; fields && i < fields->count && n < MAX_NAMES - 1; i++)
    if (run_fields || !spec_flag(I, AS_RECORD(fields->values[i]), "computed")) out[n++] = fields->keys[i]->chars;
  out[n] = NULL;
  return out;
}

bool world_cluster_share(Interp *I, ObjString *field) {
  ObjRecord *fields = cluster_fields(I);
  Value spec;
  return fields && record_get(fields, field, &spec) && IS_RECORD(spec) && spec_flag(I, AS_RECORD(spec), "share");
}

bool world_own_field(const char *name) {
  int n = 0;
  while (n < 3 && ((name[n] >= 'a' && name[n] <= 'z') || (name[n] >= 'A' && name[n] <= 'Z'))) n++;
  return n >= 1 && n <= 2 && name[n] == '_' && name[n + 1] != '\0';
}

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of two neighbours each count 1 (lable -> label is 1). */
static int name_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 40 || lb > 40) return 99;
  int d[42][42];
  for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      int m = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < m) m = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < m) m = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < m)
        m = d[i - 2][j - 2] + 1;
      d[i][j] = m;
    }
  return d[la][lb];
}

/* The name in `names` (NULL-terminated) closest to `name`, if it is close:
 * one edit for short names, two for names up to eight letters, three
 * beyond.  NULL if none is. */
static const char *closest(const char *name, const char *const *names) {
  size_t len = strlen(name);
  int best_d = (len <= 4 ? 1 : len <= 8 ? 2 : 3) + 1;
  const char *best = NULL;
  for (int i = 0; names[i]; i++) {
    int d = name_distance(name, names[i]);
    if (d < best_d) best_d = d, best = names[i];
  }
  return best;
}

/* The end of a message about an unknown field `name`: a suggestion, or how
 * to name a field of one's own. */
static ObjString *unknown_hint(Interp *I, const char *name, const char *near) {
  if (near) return str_printf(I, " (did you mean '%s'?)", near);
  return str_printf(I, "; a field of your own needs a tag, as in my_%s", name);
}

/* Check the fields of a declared record `r` of entity kind `kind` against
 * its schema (before any other check, so that `amout:` is reported as a
 * misspelling, not as a missing amount). */
static void check_schema(Interp *I, EntityKind kind, const char *name, ObjRecord *r) {
  if (!has_schema(I, kind)) return;
  for (int i = 0; i < r->count; i++) {
    const char *key = r->keys[i]->chars;
    FieldInfo f;
    if (!field_info(I, kind, key, &f)) {
      if (world_own_field(key)) continue;
      const char *names[MAX_NAMES];
      const char *near = closest(key, field_names(I, kind, false, names));
      decl_error(I, kind, name, "unknown field '%s'%s", key, unknown_hint(I, key, near)->chars);
    }
    if (f.origin == FIELD_RUN)
      decl_error(I, kind, name, "'%s' is computed during a run; remove the field", key);
    if (f.origin == FIELD_GIVEN && strcmp(key, "name") != 0)
      decl_error(I, kind, name, "'%s' comes from the declaration (fund PROGRAMME -> CLUSTER); remove the field", key);
  }
}

/* Check the fields of a record nested in a field with parts (members,
 * income); `what` names one part in messages ("member type", "field"). */
static void check_parts(Interp *I, EntityKind kind, const char *name, const char *field, ObjRecord *r,
                        const char *const *parts, const char *what) {
  for (int i = 0; i < r->count; i++) {
    const char *key = r->keys[i]->chars;
    if (among(parts, key)) continue;
    char list[300] = "";
    for (int k = 0; parts[k]; k++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k == 0 ? "" : parts[k + 1] ? ", " : " or ",
               parts[k]);
    const char *near = closest(key, parts);
    if (near)
      decl_error(I, kind, name, "unknown %s '%s' in '%s' (did you mean '%s'?)", what, key, field, near);
    decl_error(I, kind, name, "unknown %s '%s' (expected %s)", what, key, list);
  }
}

/* A write to field `key` of entity part `r` that the record did not have
 * (world_state.c's write hook): refused, unless the schema knows the field
 * or it is a field of the user's own. */
void world_check_write(Interp *I, ObjRecord *r, ObjString *key) {
  ObjRecord *owner = r->owner ? r->owner : r;
  EntityKind kind = owner->tag < KIND_COUNT ? (EntityKind)owner->tag : KIND_RECORD;
  if (!has_schema(I, kind)) return;
  const char *what = world_kind_names[kind], *ename = world_entity_name(I, owner);
  if (kind == KIND_FUND) ename = "";
  const char *names[MAX_NAMES];
  FieldInfo f;
  if (r == owner) {
    if ((field_info(I, kind, key->chars, &f) && f.origin != FIELD_DIRECTIVE) || world_own_field(key->chars)) return;
    record_remove(I, r, key);
    const char *near = closest(key->chars, field_names(I, kind, true, names));
    interp_throw(I, "%s%s%s has no field '%s'%s", what, *ename ? " " : "", ename, key->chars,
                 unknown_hint(I, key->chars, near)->chars);
  }
  /* a record nested in the entity: the fields of members, income, payments */
  if (!r->path) return;
  const char *path = r->path->chars, *dot = strchr(path, '.');
  char top[64];
  snprintf(top, sizeof top, "%.*s", dot ? (int)(dot - path) : (int)strlen(path), path);
  const char *const *parts;
  if (dot || !field_info(I, kind, top, &f) || !(parts = part_names(&f, names))) return;
  if (among(parts, key->chars)) return;
  record_remove(I, r, key);
  const char *near = closest(key->chars, parts);
  interp_throw(I, "%s%s%s has no field '%s.%s'%s", what, *ename ? " " : "", ename, path, key->chars,
               near ? str_printf(I, " (did you mean '%s.%s'?)", path, near)->chars : "");
}

/* Names an entity cannot have: they are the paths of a scenario's results
 * other than entities (S.total, S.params, S.name). */
static const char *const reserved_names[] = {"total", "params", "name", NULL};

static void check_name(Interp *I, EntityKind kind, const char *name) {
  static const char *const meaning[] = {"the sum over the clusters", "the params the run used", "the scenario's name"};
  for (int i = 0; reserved_names[i]; i++)
    if (strcmp(name, reserved_names[i]) == 0)
      decl_error(I, kind, name,
                 "the name '%s' is taken by the results of every scenario (S.%s, %s); choose another name", name,
                 name, meaning[i]);
}

/* "EUR/year", or "number" for a value that is not a number. */
static ObjString *unit_or_type(Interp *I, Value v) {
  Buffer b;
  buf_init(&b);
  ObjString *s = str_new(I, num_is(v) ? world_unit_text(I, v.unit, &b) : value_type_name(v));
  buf_free(&b);
  return s;
}

static void check_unit(Interp *I, EntityKind kind, const char *name, ObjRecord *r, const char *f,
                       UnitId want, bool required, bool non_negative) {
  Value v = world_field(I, r, f);
  if (IS_NIL(v)) {
    if (required) decl_error(I, kind, name, "the field '%s' is missing", f);
    return;
  }
  if (!num_is(v) || v.unit != want) {
    Buffer a;
    buf_init(&a);
    ObjString *wanted = str_new(I, world_unit_text(I, want, &a));
    buf_free(&a);
    decl_error(I, kind, name, num_is(v) ? "'%s' must be in %s, not %s" : "'%s' must be a number in %s, not %s", f,
               wanted->chars, unit_or_type(I, v)->chars);
  }
  if (non_negative && negative(I, v)) decl_error(I, kind, name, "'%s' must not be negative", f);
}

static void check_choice(Interp *I, EntityKind kind, const char *name, ObjRecord *r, const char *f,
                         const char *const *choices, const char *fallback) {
  Value v = world_field(I, r, f);
  if (IS_NIL(v)) {
    if (fallback) world_set_field(I, r, f, OBJ_VAL(str_new(I, fallback)));
    return;
  }
  char list[300] = "";
  for (int i = 0; choices[i]; i++) {
    if (IS_STRING(v) && strcmp(AS_CSTRING(v), choices[i]) == 0) return;
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i ? ", " : "", choices[i]);
  }
  decl_error(I, kind, name, "'%s' must be one of %s", f, list);
}

static ObjRecord *check_entity_ref(Interp *I, EntityKind kind, const char *name, Value v,
                                   EntityKind want, const char *what) {
  if (!IS_ENTITY(v) || AS_RECORD(v)->tag != want)
    decl_error(I, kind, name, "%s must be a declared %s, not %s", what, world_kind_names[want],
               IS_ENTITY(v) ? world_kind_names[AS_RECORD(v)->tag] : value_type_name(v));
  return AS_RECORD(v);
}

static void check_range(Interp *I, EntityKind kind, const char *name, ObjRecord *r, bool required) {
  Value y = world_field(I, r, "years");
  if (IS_NIL(y)) {
    if (required) decl_error(I, kind, name, "the field 'years' is missing (for example years: 2026..2030)");
    return;
  }
  if (!IS_RANGE(y)) decl_error(I, kind, name, "'years' must be a range of years such as 2026..2030");
  ObjRange *g = AS_RANGE(y);
  if (g->hi < g->lo) decl_error(I, kind, name, "'years' %lld..%lld is empty", (long long)g->lo, (long long)g->hi);
  if (g->lo < 1900 || g->hi > 2300)
    decl_error(I, kind, name, "'years' %lld..%lld is not a range of calendar years", (long long)g->lo,
               (long long)g->hi);
}

/* ---- the cluster's schema, declared in Clusim ---------------------------------
 *
 * stdlib/model.clu declares the fields of a cluster with
 *
 *   schema("cluster", {
 *     members:  {parts: member_types(), part: "member type", default: 0, doc: "..."},
 *     budget:   {default: 0 EUR / year, doc: "..."},
 *     label:    {choices: keys(label_bands()), default: "none", doc: "..."},
 *     capacity: {unit: 1, default: fn(c) = ..., doc: "..."},
 *     label_rank: {computed: true, unit: 1, default: fn(c) = ..., doc: "..."},
 *     ...
 *   }, fn(c) { ... })
 *
 * so that a change of the model - a new field, another member type, other
 * label bands - never needs a change here.  A field's spec is a record of:
 *
 *   doc       what the field means, with its unit (required)
 *   default   its value when a declaration does not give it: a value, or a
 *             function of the cluster, fn(c) = ..., computed from the
 *             declaration when the cluster is declared, and again at the
 *             start of every run (a scenario may `set` the params it reads);
 *             without a default the field stays absent until a rule sets it
 *   unit      a number with the field's unit (`1` for a plain number,
 *             `EUR / year`), when the default does not show it
 *   type      "text" (a string), or an entity kind ("region"): a reference
 *   choices   the strings the field may hold
 *   parts     the names of its parts: the field is a record of them, each
 *             a number with the field's unit; a missing one gets the
 *             default, or zero when the default is a function;
 *             part names one of them in messages ("member type")
 *   min, max  bounds for numbers (a number is never negative by default)
 *   computed  true: a run computes it; a declaration may not give it
 *   share     true: a share of something, 0 to 1; people's outputs (a
 *             printed series, why) show it as a percentage (format.h)
 *
 * The optional third argument, fn(c), sees the declared fields (before any
 * default) and returns nil, or a message that makes the declaration an
 * error.  Defaults are computed in two passes: first the values, then the
 * functions in the order of the fields, so a function sees the fields
 * before it and the declared ones.  The schema is copied when declared
 * (lists and specs), so changing the record afterwards changes nothing.
 */

static const char *const spec_attributes[] = {"doc", "default", "unit", "type", "choices", "parts",
                                              "part", "min", "max", "computed", "share", NULL};

static _Noreturn void schema_error(Interp *I, const char *field, const char *fmt, ...) PRINTF_LIKE(3, 4);
static _Noreturn void schema_error(Interp *I, const char *field, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ObjString *msg = str_vprintf(I, fmt, ap);
  va_end(ap);
  interp_throw(I, "schema cluster: field '%s': %s", field, msg->chars);
}

/* A copy of a list of strings (parts, choices), checked. */
static ObjList *string_list(Interp *I, const char *field, const char *attr, Value v) {
  if (!IS_LIST(v) || AS_LIST(v)->items.count == 0)
    schema_error(I, field, "'%s' must be a non-empty list of strings, such as [\"sme\", \"large\"]", attr);
  ObjList *l = list_new(I);
  for (int i = 0; i < AS_LIST(v)->items.count; i++) {
    Value s = AS_LIST(v)->items.items[i];
    if (!IS_STRING(s)) schema_error(I, field, "'%s' must hold strings only, not %s", attr, value_type_name(s));
    list_append(I, l, s);
  }
  return l;
}

/* The unit of a field's numbers, if its spec says (by `unit`, or by a
 * default that is a number). */
static bool spec_unit(Interp *I, ObjRecord *spec, UnitId *out) {
  Value u = world_field(I, spec, "unit"), d = world_field(I, spec, "default");
  if (num_is(u)) *out = u.unit;
  else if (num_is(d)) *out = d.unit;
  else return false;
  return true;
}

static bool is_function(Value v) { return IS_CLOSURE(v) || IS_NATIVE(v); }

/* schema(kind, fields) or schema(kind, fields, check): declare the fields
 * of a cluster (see above).  Declaring it again replaces it; clusters
 * declared before keep the fields they have. */
static Value f_schema(Interp *I, int argc, Value *args) {
  ObjString *kind = lib_string_arg(I, "schema", args, 0);
  if (strcmp(kind->chars, "cluster") != 0)
    interp_throw(I, "schema: only a cluster's fields are declared in Clusim; those of a %s are fixed by the "
                    "ledger and the audit (src/world_decl.c)",
                 kind->chars);
  if (!IS_RECORD(args[1]) || AS_RECORD(args[1])->count == 0)
    interp_throw(I, "schema: the fields must be a record {NAME: {doc: \"...\", default: ...}, ...}");
  Value check = argc > 2 ? args[2] : NIL_VAL;
  if (!IS_NIL(check) && !is_function(check))
    interp_throw(I, "schema: the check must be a function fn(c) giving nil or a message, not %s",
                 value_type_name(check));
  ObjRecord *given = AS_RECORD(args[1]), *fields = record_new(I);
  for (int i = 0; i < given->count; i++) {
    const char *name = given->keys[i]->chars;
    Value sv = given->values[i];
    FieldInfo core;
    if (field_info(I, KIND_CLUSTER, name, &core) && !core.spec)
      schema_error(I, name, "the core keeps this field itself (a cluster's name and payments)");
    if (world_own_field(name)) schema_error(I, name, "a tagged name is a field of the user's own, not the model's");
    if (!IS_RECORD(sv)) schema_error(I, name, "its spec must be a record such as {default: 0, doc: \"...\"}");
    ObjRecord *given_spec = AS_RECORD(sv), *spec = record_new(I);
    for (int k = 0; k < given_spec->count; k++) {
      const char *attr = given_spec->keys[k]->chars;
      Value v = given_spec->values[k];
      if (!among(spec_attributes, attr)) {
        const char *near = closest(attr, spec_attributes);
        schema_error(I, name, "unknown attribute '%s'%s", attr,
                     near ? str_printf(I, " (did you mean '%s'?)", near)->chars : "");
      }
      if (strcmp(attr, "parts") == 0 || strcmp(attr, "choices") == 0) v = OBJ_VAL(string_list(I, name, attr, v));
      record_set(I, spec, given_spec->keys[k], v);
    }
    if (!IS_STRING(world_field(I, spec, "doc")))
      schema_error(I, name, "it needs a doc string saying what it means and its unit");
    Value type = world_field(I, spec, "type"), def = world_field(I, spec, "default");
    if (!IS_NIL(type)) {
      bool known = IS_STRING(type) && strcmp(AS_CSTRING(type), "text") == 0;
      for (int k = KIND_REGION; k < KIND_COUNT && !known; k++)
        known = IS_STRING(type) && strcmp(AS_CSTRING(type), world_kind_names[k]) == 0;
      if (!known) schema_error(I, name, "'type' must be \"text\" or an entity kind such as \"region\"");
    }
    for (int k = 0; k < 2; k++) {
      const char *flag = k ? "share" : "computed";
      Value b = world_field(I, spec, flag);
      if (!IS_NIL(b) && !IS_BOOL(b)) schema_error(I, name, "'%s' must be true or false", flag);
    }
    Value part = world_field(I, spec, "part");
    if (!IS_NIL(part) && !IS_STRING(part)) schema_error(I, name, "'part' must be a string such as \"member type\"");
    UnitId unit;
    bool numeric = spec_unit(I, spec, &unit);
    Value u = world_field(I, spec, "unit");
    if (!IS_NIL(u) && !num_is(u)) schema_error(I, name, "'unit' must be a number with the unit, such as EUR / year or 1");
    if (num_is(u) && num_is(def) && u.unit != def.unit) schema_error(I, name, "the default's unit is not its 'unit'");
    for (int k = 0; k < 2; k++) {
      Value b = world_field(I, spec, k ? "max" : "min");
      if (!IS_NIL(b) && (!num_is(b) || !numeric || b.unit != unit))
        schema_error(I, name, "'%s' must be a number with the field's unit", k ? "max" : "min");
    }
    Value choices = world_field(I, spec, "choices");
    if (IS_STRING(def) && IS_LIST(choices)) {
      bool ok = false;
      for (int k = 0; k < AS_LIST(choices)->items.count; k++) ok |= value_equal(AS_LIST(choices)->items.items[k], def);
      if (!ok) schema_error(I, name, "the default \"%s\" is not one of its choices", AS_CSTRING(def));
    }
    if (!IS_NIL(def) && !num_is(def) && !IS_STRING(def) && !IS_BOOL(def) && !is_function(def))
      schema_error(I, name, "the default must be a number, a string or a function fn(c) = ..., not %s",
                   value_type_name(def));
    record_set(I, fields, given->keys[i], OBJ_VAL(spec));
  }
  ObjRecord *schema = record_new(I);
  world_set_field(I, schema, "fields", OBJ_VAL(fields));
  world_set_field(I, schema, "check", check);
  I->world->cluster_schema = schema;
  return NIL_VAL;
}

/* Check a number `v` that `what` names in messages ("'budget'",
 * "members.sme", "the default of 'capacity'") against the unit and bounds
 * of `spec`. */
static void check_number(Interp *I, const char *cname, const char *what, ObjRecord *spec, UnitId unit, Value v) {
  const EntityKind k = KIND_CLUSTER;
  if (!num_is(v) || v.unit != unit) {
    Buffer a;
    buf_init(&a);
    ObjString *wanted = str_new(I, world_unit_text(I, unit, &a));
    buf_free(&a);
    if (unit == UNIT_NONE) decl_error(I, k, cname, "%s must be a plain number, not %s", what, unit_or_type(I, v)->chars);
    decl_error(I, k, cname, num_is(v) ? "%s must be in %s, not %s" : "%s must be a number in %s, not %s", what,
               wanted->chars, unit_or_type(I, v)->chars);
  }
  Value lo = world_field(I, spec, "min"), hi = world_field(I, spec, "max");
  if (IS_NIL(lo) && negative(I, v)) decl_error(I, k, cname, "%s must not be negative", what);
  int below = IS_NIL(lo) ? 1 : num_cmp(I, v, lo), above = IS_NIL(hi) ? -1 : num_cmp(I, v, hi);
  if (below == -1 || below == 2 || above == 1 || above == 2) {
    Value from = IS_NIL(lo) ? INT_VAL(0) : lo;
    from.unit = unit;
    if (IS_NIL(hi)) decl_error(I, k, cname, "%s must be at least %s", what, world_printed(I, from)->chars);
    decl_error(I, k, cname, "%s must be from %s to %s", what, world_printed(I, from)->chars, world_printed(I, hi)->chars);
  }
}

/* Check the value `v` of cluster field `field` against its spec; `what`
 * names it in messages.  A record of parts gets its missing parts from the
 * default. */
static void check_spec_value(Interp *I, const char *cname, const char *field, const char *what, ObjRecord *spec,
                             Value v) {
  const EntityKind k = KIND_CLUSTER;
  Value type = world_field(I, spec, "type"), choices = world_field(I, spec, "choices");
  Value parts = world_field(I, spec, "parts"), def = world_field(I, spec, "default");
  UnitId unit;
  bool numeric = spec_unit(I, spec, &unit);
  if (IS_STRING(type) && strcmp(AS_CSTRING(type), "text") == 0) {
    if (!IS_STRING(v)) decl_error(I, k, cname, "%s must be a string in quotes, not %s", what, value_type_name(v));
  } else if (IS_STRING(type)) {
    for (int kk = KIND_REGION; kk < KIND_COUNT; kk++)
      if (strcmp(AS_CSTRING(type), world_kind_names[kk]) == 0) check_entity_ref(I, k, cname, v, (EntityKind)kk, what);
  } else if (IS_LIST(choices)) {
    ObjList *l = AS_LIST(choices);
    char list[300] = "";
    for (int i = 0; i < l->items.count; i++) {
      if (value_equal(l->items.items[i], v)) return;
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i ? ", " : "",
               AS_CSTRING(l->items.items[i]));
    }
    decl_error(I, k, cname, "%s must be one of %s", what, list);
  } else if (IS_LIST(parts)) {
    ObjList *pl = AS_LIST(parts);
    if (!IS_RECORD(v) || AS_RECORD(v)->tag != KIND_RECORD) {
      Buffer b;
      buf_init(&b);
      for (int i = 0; i < pl->items.count; i++)
        buf_printf(&b, "%s%s: ...", i ? ", " : "", AS_CSTRING(pl->items.items[i]));
      ObjString *example = str_new(I, b.data);
      buf_free(&b);
      decl_error(I, k, cname, "%s must be a record such as {%s}", what, example->chars);
    }
    ObjRecord *r = AS_RECORD(v);
    const char *names[MAX_NAMES];
    FieldInfo f = {.part_list = pl};
    Value part = world_field(I, spec, "part");
    check_parts(I, k, cname, field, r, part_names(&f, names), IS_STRING(part) ? AS_CSTRING(part) : "field");
    for (int i = 0; i < pl->items.count; i++) {
      ObjString *p = AS_STRING(pl->items.items[i]);
      Value pv;
      if (!record_get(r, p, &pv)) { /* a missing part: the default, or zero */
        if (!num_is(def) && !numeric) decl_error(I, k, cname, "%s has no '%s'", what, p->chars);
        Value zero = INT_VAL(0);
        zero.unit = unit;
        record_set(I, r, p, num_is(def) ? def : zero);
        continue;
      }
      if (numeric) check_number(I, cname, str_printf(I, "%s.%s", field, p->chars)->chars, spec, unit, pv);
    }
  } else if (numeric) {
    check_number(I, cname, what, spec, unit, v);
  }
}

/* A new value for a field with a default that is not a function: a copy
 * of the record of parts, or the value itself. */
static Value constant_default(Interp *I, ObjRecord *spec) {
  Value def = world_field(I, spec, "default"), parts = world_field(I, spec, "parts");
  if (!IS_LIST(parts)) return def;
  ObjRecord *r = record_new(I);
  for (int i = 0; i < AS_LIST(parts)->items.count; i++) record_set(I, r, AS_STRING(AS_LIST(parts)->items.items[i]), def);
  return OBJ_VAL(r);
}

/* Compute the default of field `name` (a function) for cluster c, check it
 * and set it. */
static void computed_default(Interp *I, ObjRecord *c, ObjString *name, ObjRecord *spec) {
  Value fn = world_field(I, spec, "default"), arg = OBJ_VAL(c);
  Value v = vm_call(I, fn, 1, &arg);
  if (IS_NIL(v)) return; /* no value: the field stays absent */
  const char *cname = world_entity_name(I, c);
  check_spec_value(I, cname, name->chars, str_printf(I, "the default of '%s'", name->chars)->chars, spec, v);
  if (IS_RECORD(v) && AS_RECORD(v)->tag == KIND_RECORD) {
    /* a record of its own: a rule writing into it must not change another cluster's */
    ObjRecord *copy = record_new(I);
    for (int i = 0; i < AS_RECORD(v)->count; i++) record_set(I, copy, AS_RECORD(v)->keys[i], AS_RECORD(v)->values[i]);
    world_mark_owned(I, copy, c, name);
    v = OBJ_VAL(copy);
  }
  record_set(I, c, name, v);
}

/* The checks of a declared cluster `r` (its name and the fields given),
 * then its defaults. */
static void check_cluster(Interp *I, const char *name, ObjRecord *r) {
  ObjRecord *fields = cluster_fields(I);
  if (!fields) return;
  for (int i = 0; i < fields->count; i++) {
    Value v;
    if (record_get(r, fields->keys[i], &v))
      check_spec_value(I, name, fields->keys[i]->chars, str_printf(I, "'%s'", fields->keys[i]->chars)->chars,
                       AS_RECORD(fields->values[i]), v);
  }
  /* the entity, and the schema even if a function declared another one */
  interp_push_root(I, OBJ_VAL(r));
  interp_push_root(I, OBJ_VAL(I->world->cluster_schema));
  Value check = world_field(I, I->world->cluster_schema, "check");
  if (is_function(check)) {
    Value arg = OBJ_VAL(r);
    Value msg = vm_call(I, check, 1, &arg);
    if (IS_STRING(msg)) decl_error(I, KIND_CLUSTER, name, "%s", AS_CSTRING(msg));
    if (!IS_NIL(msg)) decl_error(I, KIND_CLUSTER, name, "the schema's check gave %s, not nil or a message",
                                 value_type_name(msg));
  }
  for (int i = 0; i < fields->count; i++) {
    ObjRecord *spec = AS_RECORD(fields->values[i]);
    Value def = world_field(I, spec, "default"), v;
    if (!IS_NIL(def) && !is_function(def) && !record_get(r, fields->keys[i], &v))
      record_set(I, r, fields->keys[i], constant_default(I, spec));
  }
  for (int i = 0; i < fields->count; i++) {
    ObjRecord *spec = AS_RECORD(fields->values[i]);
    Value v;
    if (is_function(world_field(I, spec, "default")) && !record_get(r, fields->keys[i], &v))
      computed_default(I, r, fields->keys[i], spec);
  }
  interp_pop_roots(I, 2);
}

/* At the start of a run: compute again the defaults that are functions,
 * for the fields each cluster's declaration did not give.  They are first
 * taken away, so that each function sees the cluster as it did when the
 * cluster was declared. */
void world_cluster_defaults(Interp *I) {
  WorldState *w = I->world;
  ObjRecord *fields = cluster_fields(I);
  ObjList *cl = w->entities[KIND_CLUSTER];
  if (!fields || w->cluster_declared->items.count != cl->items.count) return;
  interp_push_root(I, OBJ_VAL(w->cluster_schema)); /* even if a default declared another */
  for (int i = 0; i < cl->items.count && i < w->cluster_declared->items.count; i++) {
    ObjRecord *c = AS_RECORD(cl->items.items[i]);
    ObjList *declared = AS_LIST(w->cluster_declared->items.items[i]);
    for (int pass = 0; pass < 2; pass++)
      for (int k = 0; k < fields->count; k++) {
        ObjRecord *spec = AS_RECORD(fields->values[k]);
        if (!is_function(world_field(I, spec, "default"))) continue;
        bool given = false;
        for (int d = 0; d < declared->items.count && !given; d++)
          given = AS_STRING(declared->items.items[d]) == fields->keys[k];
        if (given) continue;
        if (pass == 0) record_remove(I, c, fields->keys[k]);
        else computed_default(I, c, fields->keys[k], spec);
      }
  }
  interp_pop_roots(I, 1);
}

/* The doc of a cluster field, for :help cluster.NAME (NULL if unknown). */
static const char *cluster_field_doc(Interp *I, const char *name) {
  FieldInfo f;
  if (!field_info(I, KIND_CLUSTER, name, &f) || !f.spec) return NULL;
  return AS_CSTRING(world_field(I, f.spec, "doc"));
}

static const char *const levels[] = {"eu", "national", "regional", NULL};
static const char *const aids[] = {"gber27", "de_minimis", "notified", "none", NULL};
static const char *const zones[] = {"a", "c", "none", NULL};
static const char *const managements[] = {"eu_central", "shared", "national", NULL};

/* A programme's `management`: EU money a Member State spends (shared
 * management) is State aid like its own; only funding the EU manages
 * centrally is not (GBER Art. 8(2)), so such a programme is EU-level and
 * grants no State aid.  The default follows the level. */
static void check_management(Interp *I, const char *name, ObjRecord *r) {
  Value lv = world_field(I, r, "level");
  bool eu = IS_STRING(lv) && strcmp(AS_CSTRING(lv), "eu") == 0;
  check_choice(I, KIND_PROGRAMME, name, r, "management", managements, eu ? "shared" : "national");
  if (strcmp(AS_CSTRING(world_field(I, r, "management")), "eu_central") == 0 &&
      (!eu || strcmp(AS_CSTRING(world_field(I, r, "aid")), "none") != 0))
    decl_error(I, KIND_PROGRAMME, name, "funding the EU manages centrally (management: \"eu_central\") is EU-level "
                                        "and not State aid: declare level: \"eu\" and aid: \"none\"");
}

static void check_fields(Interp *I, EntityKind kind, const char *name, ObjRecord *r) {
  switch (kind) {
  case KIND_REGION:
    if (!IS_NIL(world_field(I, r, "country")) && !IS_STRING(world_field(I, r, "country")))
      decl_error(I, kind, name, "'country' must be a string such as \"FR\"");
    check_choice(I, kind, name, r, "aid_zone", zones, "none");
    break;
  case KIND_CLUSTER: check_cluster(I, name, r); break;
  case KIND_PROGRAMME:
    check_choice(I, kind, name, r, "level", levels, NULL);
    check_unit(I, kind, name, r, "budget", world_eur(I), true, true);
    check_choice(I, kind, name, r, "aid", aids, "none");
    check_management(I, name, r);
    if (!num_is_exact(world_field(I, r, "budget")))
      decl_error(I, kind, name, "'budget' is money and must be exact (round it with round(x, 2))");
    break;
  case KIND_PARTNERSHIP: {
    Value m = world_field(I, r, "members");
    if (!IS_LIST(m)) decl_error(I, kind, name, "'members' must be a list of clusters, such as [A, B]");
    ObjList *l = AS_LIST(m);
    if (l->items.count < 2)
      decl_error(I, kind, name, "a partnership needs at least two clusters, it has %d", l->items.count);
    for (int i = 0; i < l->items.count; i++) {
      char what[40];
      snprintf(what, sizeof what, "member %d", i + 1);
      check_entity_ref(I, kind, name, l->items.items[i], KIND_CLUSTER, what);
      for (int k = 0; k < i; k++)
        if (l->items.items[k].as.o == l->items.items[i].as.o)
          decl_error(I, kind, name, "lists cluster %s twice; a partnership needs at least two different clusters",
                     world_entity_name(I, AS_RECORD(l->items.items[i])));
    }
    check_range(I, kind, name, r, false);
    break;
  }
  default: break;
  }
}

/* ---- declarations ------------------------------------------------------------ */

static void say_replaced(Interp *I, const char *what, const char *name) {
  fprintf(I->err, "note: %s %s replaces the earlier declaration\n", what, name);
  fflush(I->err);
}

/* A list of the entities in a world as user code sees it: a copy, which
 * the program may change (append, l[i] = x) without changing the world.
 * Rules call these once per entity (rule 5 of the model runs over every
 * partnership for every cluster), so the copy is one allocation. */
static Value entity_list(Interp *I, EntityKind kind) {
  ObjList *src = I->world->entities[kind];
  ObjList *l = list_new(I);
  int n = src->items.count;
  if (n > 0) {
    l->items.items = GROW_ARRAY(I, Value, NULL, 0, n);
    memcpy(l->items.items, src->items.items, sizeof(Value) * (size_t)n);
    l->items.capacity = l->items.count = n;
  }
  return OBJ_VAL(l);
}

/* The position of the entity named `name` in its kind's list (and its
 * kind), or -1: through the index, checked (world.h, entity_index). */
static int find_entity(Interp *I, ObjString *name, EntityKind *kind_out) {
  Value v;
  if (!table_get(&I->world->entity_index, name, &v)) return -1;
  int k = (int)(v.as.i >> 32), at = (int)(v.as.i & 0xffffffff);
  if (k <= KIND_RECORD || k >= KIND_FUND) return -1;
  ObjList *l = I->world->entities[k];
  if (at >= l->items.count || strcmp(world_entity_name(I, AS_RECORD(l->items.items[at])), name->chars) != 0)
    return -1; /* stale: the run that declared it is over */
  *kind_out = (EntityKind)k;
  return at;
}

/* Give `into` exactly the fields of `from` (a checked new declaration). */
static void replace_fields(Interp *I, ObjRecord *into, ObjRecord *from) {
  into->count = 0;
  FREE_ARRAY(I, int, into->index, into->index_capacity);
  into->index = NULL;
  into->index_capacity = 0;
  for (int i = 0; i < from->count; i++) record_set(I, into, from->keys[i], from->values[i]);
  world_mark_owned(I, into, into, NULL);
}

/* The kind of entity a declaration keyword names (the compiler passes the
 * keyword). */
static EntityKind kind_named(Interp *I, Value keyword) {
  for (int k = KIND_REGION; k < KIND_COUNT; k++)
    if (IS_STRING(keyword) && strcmp(AS_CSTRING(keyword), world_kind_names[k]) == 0) return (EntityKind)k;
  interp_throw(I, "internal error: no entity kind named by this declaration");
}

/* A new entity record of a kind: the world's entity class, tagged. */
static ObjRecord *entity_new(Interp *I, EntityKind kind) {
  ObjRecord *e = record_new(I);
  e->cls = &world_entity_class;
  e->tag = (uint8_t)kind;
  return e;
}

/* Declare a region, cluster, programme or partnership named `name`, with
 * the fields of `r`, in the current world, and bind its name (%entity,
 * and load for each row).  `r` must be reachable from a root: the checks
 * run Clusim code. */
Value world_declare(Interp *I, EntityKind kind, ObjString *name, ObjRecord *r) {
  if (!IS_NIL(world_field(I, r, "name")))
    decl_error(I, kind, name->chars, "'name' is set from the declaration; remove the field");
  check_name(I, kind, name->chars);
  check_schema(I, kind, name->chars, r);
  /* the entity is the record itself, with its name first */
  ObjRecord *e = entity_new(I, kind);
  world_set_field(I, e, "name", OBJ_VAL(name));
  for (int i = 0; i < r->count; i++) record_set(I, e, r->keys[i], r->values[i]);
  check_fields(I, kind, name->chars, e);
  world_mark_owned(I, e, e, NULL);
  /* a cluster's declared fields: the others are computed again at every run */
  ObjList *declared = NULL;
  if (kind == KIND_CLUSTER) {
    declared = list_new(I);
    for (int i = 0; i < r->count; i++) list_append(I, declared, OBJ_VAL(r->keys[i]));
  }
  ObjList *given = I->world->cluster_declared;
  EntityKind old_kind;
  int at = find_entity(I, name, &old_kind);
  if (at >= 0 && old_kind != kind)
    interp_throw(I, "'%s' is already a %s; give the %s another name", name->chars, world_kind_names[old_kind],
                 world_kind_names[kind]);
  if (at >= 0) {
    /* replace in place: everything that refers to the entity sees the new one */
    ObjRecord *old = AS_RECORD(I->world->entities[kind]->items.items[at]);
    replace_fields(I, old, e);
    e = old;
    if (declared && at < given->items.count) given->items.items[at] = OBJ_VAL(declared);
    if (!I->world->applying) say_replaced(I, world_kind_names[kind], name->chars);
  } else {
    int g = global_find(I, name);
    if (g >= 0 && !IS_UNDEF(I->globals[g]) && !IS_ENTITY(I->globals[g]) && !I->world->applying)
      interp_throw(I, "'%s' is already a name (%s); give the %s another name", name->chars,
                   value_type_name(I->globals[g]), world_kind_names[kind]);
    ObjList *l = I->world->entities[kind];
    list_append(I, l, OBJ_VAL(e));
    table_set(I, &I->world->entity_index, name, INT_VAL((int64_t)kind << 32 | (int64_t)(l->items.count - 1)));
    if (declared) list_append(I, given, OBJ_VAL(declared));
  }
  global_define(I, name->chars, OBJ_VAL(e), GLOBAL_VAR, NULL);
  return OBJ_VAL(e);
}

static Value fund_declare(Interp *I, Value *args); /* below, with the funds */

/* r with its records of parts copied (a fund's schedule), so that funds
 * declared from one record each own theirs (world_mark_owned). */
static ObjRecord *copy_record_tree(Interp *I, ObjRecord *r) {
  ObjRecord *c = record_new(I);
  interp_push_root(I, OBJ_VAL(c));
  for (int i = 0; i < r->count; i++) {
    Value v = r->values[i];
    if (IS_RECORD(v) && AS_RECORD(v)->tag == KIND_RECORD) v = OBJ_VAL(copy_record_tree(I, AS_RECORD(v)));
    record_set(I, c, r->keys[i], v);
  }
  interp_pop_roots(I, 1);
  return c;
}

static Value declare_one_fund(Interp *I, Value *args, Value names) {
  Value f = fund_declare(I, args);
  interp_push_root(I, f);
  world_note_param_reads(I, f, names);
  interp_pop_roots(I, 1);
  return f;
}

/* %fund(programme, recipient, fields[, names read]).  The recipient may be
 * a list of clusters (`fund P -> young {...}`): one fund each, every one
 * with the fields given (an amount is each cluster's, not a total to
 * share); the list of the funds. */
static Value f_fund(Interp *I, int argc, Value *args) {
  Value names = argc > 3 ? args[3] : NIL_VAL;
  if (!IS_LIST(args[1])) return declare_one_fund(I, args, names);
  ObjList *to = AS_LIST(args[1]);
  const char *pn = IS_ENTITY(args[0]) ? world_entity_name(I, AS_RECORD(args[0])) : "?";
  if (to->items.count == 0)
    interp_throw(I, "fund %s -> []: the list of recipients is empty (a fund per cluster of the list)", pn);
  for (int i = 0; i < to->items.count; i++) { /* all checked before any is declared */
    Value c = to->items.items[i];
    if (!IS_ENTITY_OF(c, KIND_CLUSTER))
      interp_throw(I, "fund %s -> a list: item %d is %s, not a declared cluster", pn, i + 1,
                   IS_ENTITY(c) ? str_printf(I, "the %s %s", world_kind_names[AS_RECORD(c)->tag],
                                             world_entity_name(I, AS_RECORD(c)))->chars
                                : value_type_name(c));
    for (int j = 0; j < i; j++)
      if (IS_ENTITY(to->items.items[i]) && to->items.items[i].as.o == to->items.items[j].as.o)
        interp_throw(I, "fund %s -> a list: cluster %s is in the list twice (items %d and %d)", pn,
                     world_entity_name(I, AS_RECORD(to->items.items[i])), j + 1, i + 1);
  }
  ObjList *funds = list_new(I);
  interp_push_root(I, OBJ_VAL(funds));
  for (int i = 0; i < to->items.count; i++) {
    Value one[3] = {args[0], to->items.items[i], OBJ_VAL(copy_record_tree(I, AS_RECORD(args[2])))};
    interp_push_root(I, one[2]);
    list_append(I, funds, declare_one_fund(I, one, names));
    interp_pop_roots(I, 1);
  }
  interp_pop_roots(I, 1);
  return OBJ_VAL(funds);
}

/* %entity(keyword, name, fields[, names read]): a declaration. */
static Value f_entity(Interp *I, int argc, Value *args) {
  Value e = world_declare(I, kind_named(I, args[0]), AS_STRING(args[1]), AS_RECORD(args[2]));
  interp_push_root(I, e);
  world_note_param_reads(I, e, argc > 3 ? args[3] : NIL_VAL);
  interp_pop_roots(I, 1);
  return e;
}

/* Check that a declaration of `kind` may give the field `path` ("budget",
 * "members.sme"), with the messages of check_schema and check_parts;
 * `label` follows the kind in them (load's column map: "from FILE"). */
void world_check_field_path(Interp *I, EntityKind kind, const char *label, const char *path) {
  const char *dot = strchr(path, '.');
  ObjString *top = dot ? str_copy(I, path, (int)(dot - path)) : str_new(I, path);
  ObjRecord *r = record_new(I);
  record_set(I, r, top, NIL_VAL);
  check_schema(I, kind, label, r);
  if (!dot || !has_schema(I, kind)) return;
  FieldInfo f;
  const char *names[MAX_NAMES];
  const char *const *parts = field_info(I, kind, top->chars, &f) ? part_names(&f, names) : NULL;
  if (!parts || strchr(dot + 1, '.'))
    decl_error(I, kind, label, "'%s' has no parts such as '%s'", top->chars, path);
  Value part = f.spec ? world_field(I, f.spec, "part") : NIL_VAL;
  ObjRecord *pr = record_new(I);
  record_set(I, pr, str_new(I, dot + 1), NIL_VAL);
  check_parts(I, kind, label, top->chars, pr, parts, IS_STRING(part) ? AS_CSTRING(part) : "field");
}

/* The kind of entity the field `name` of a `kind` refers to (a cluster's
 * region: type "region" in its schema), KIND_RECORD for any other field. */
EntityKind world_field_ref_kind(Interp *I, EntityKind kind, const char *name) {
  FieldInfo f;
  if (!field_info(I, kind, name, &f) || !f.spec) return KIND_RECORD;
  Value type = world_field(I, f.spec, "type");
  for (int k = KIND_REGION; k < KIND_COUNT && IS_STRING(type); k++)
    if (strcmp(AS_CSTRING(type), world_kind_names[k]) == 0) return (EntityKind)k;
  return KIND_RECORD;
}

/* The entity of kind `kind` named `name`, or NULL. */
ObjRecord *world_find_entity(Interp *I, EntityKind kind, ObjString *name) {
  EntityKind k;
  int at = find_entity(I, name, &k);
  return at >= 0 && k == kind ? AS_RECORD(I->world->entities[k]->items.items[at]) : NULL;
}

/* The years of a schedule {2026: A, 2028: B}: each key a year inside the
 * fund's years, in increasing order, the first one the fund's first year;
 * each amount exact, in EUR/year, not negative; not all zero. */
static void check_schedule(Interp *I, const char *name, ObjRecord *f) {
  const EntityKind k = KIND_FUND;
  Value sv = world_field(I, f, "schedule");
  if (!IS_RECORD(sv) || AS_RECORD(sv)->tag != KIND_RECORD || AS_RECORD(sv)->count == 0)
    decl_error(I, k, name, "'schedule' must be a record of amounts by year, such as "
                           "{2026: 100k EUR / year, 2028: 60k EUR / year}");
  ObjRecord *sch = AS_RECORD(sv);
  ObjRange *years = AS_RANGE(world_field(I, f, "years"));
  int64_t prev = 0;
  bool pays = false;
  UnitId eur_year = world_eur_per_year(I);
  for (int i = 0; i < sch->count; i++) {
    const char *key = sch->keys[i]->chars;
    char *end;
    long long y = strtoll(key, &end, 10);
    if (*end || end == key)
      decl_error(I, k, name, "'schedule' is keyed by year, as in {2026: 100k EUR / year}, not '%s'", key);
    if (y < years->lo || y > years->hi)
      decl_error(I, k, name, "the schedule gives an amount for %lld, outside the fund's years %lld..%lld", y,
                 (long long)years->lo, (long long)years->hi);
    if (i == 0 && y != years->lo)
      decl_error(I, k, name,
                 "the schedule must start in the fund's first year, %lld (each amount holds until the next year "
                 "listed)",
                 (long long)years->lo);
    if (i > 0 && y <= prev)
      decl_error(I, k, name, "the schedule's years must be in increasing order (%lld after %lld)", y,
                 (long long)prev);
    prev = y;
    Value a = sch->values[i];
    if (!num_is(a) || a.unit != eur_year) {
      Buffer b;
      buf_init(&b);
      ObjString *got = str_new(I, num_is(a) ? world_unit_text(I, a.unit, &b) : value_type_name(a));
      buf_free(&b);
      decl_error(I, k, name, "the schedule's amount for %lld must be in EUR/year, not %s", y, got->chars);
    }
    if (!num_is_exact(a))
      decl_error(I, k, name, "the schedule's amount for %lld is money and must be exact (round it with round(x, 2))",
                 y);
    if (negative(I, a)) decl_error(I, k, name, "the schedule's amount for %lld must not be negative", y);
    pays |= !world_is_zero(a);
  }
  if (!pays) decl_error(I, k, name, "every amount of the schedule is zero: a fund must pay something");
}

static bool years_overlap(Value a, Value b) {
  return AS_RANGE(a)->lo <= AS_RANGE(b)->hi && AS_RANGE(b)->lo <= AS_RANGE(a)->hi;
}

static bool same_years(Value a, Value b) {
  return AS_RANGE(a)->lo == AS_RANGE(b)->lo && AS_RANGE(a)->hi == AS_RANGE(b)->hi;
}

/* A note that a declaration replaced a fund: always, inside a scenario too
 * (once per run of it, not once per run of a scenario of several runs). */
static void say_fund_replaced(Interp *I, const char *what, const char *old_years) {
  ObjScenario *s = I->world->applying;
  if (s && s->run_index > 0) return;
  fprintf(I->err, "note: %s%s%sfund %s replaces the %s\n", s ? "scenario " : "", s ? s->name->chars : "",
          s ? ": " : "", what, old_years ? old_years : "earlier declaration");
  fflush(I->err);
}

/* %fund(programme, recipient, fields)
 *
 * A fund is a flow from a programme to a cluster for a purpose, over some
 * years, of a fixed `amount` a year or of amounts by year (`schedule`).
 * Several funds on the same programme, recipient and purpose coexist when
 * their years do not overlap (a grant phased out in steps).  Declaring one
 * with the same years as an earlier one replaces it, in its place; years
 * that overlap otherwise are an error, unless the declaration asks
 * `replace: true`, which replaces every fund on the same three.  Every
 * replacement prints a note. */
static Value fund_declare(Interp *I, Value *args) {
  const char *pn = IS_ENTITY(args[0]) ? world_entity_name(I, AS_RECORD(args[0])) : "?";
  const char *rn = IS_ENTITY(args[1]) ? world_entity_name(I, AS_RECORD(args[1])) : "?";
  const char *name = str_printf(I, "%s -> %s", pn, rn)->chars;
  const EntityKind k = KIND_FUND;
  check_entity_ref(I, k, name, args[0], KIND_PROGRAMME, "the paying side");
  if (!IS_ENTITY_OF(args[1], KIND_CLUSTER))
    decl_error(I, k, name, "the recipient must be a declared cluster, or a list of clusters (a fund to each), not %s",
               IS_ENTITY(args[1]) ? str_printf(I, "the %s %s", world_kind_names[AS_RECORD(args[1])->tag], rn)->chars
                                  : value_type_name(args[1]));
  ObjRecord *r = AS_RECORD(args[2]);
  check_schema(I, k, name, r);
  ObjRecord *f = entity_new(I, KIND_FUND);
  world_set_field(I, f, "programme", args[0]);
  world_set_field(I, f, "recipient", args[1]);
  bool replace = false;
  for (int i = 0; i < r->count; i++) {
    if (strcmp(r->keys[i]->chars, "replace") == 0) {
      if (!IS_BOOL(r->values[i]))
        decl_error(I, k, name, "'replace' must be true or false (true: this fund replaces the earlier ones)");
      replace = r->values[i].as.b;
      continue;
    }
    record_set(I, f, r->keys[i], r->values[i]);
  }
  bool scheduled = !IS_NIL(world_field(I, f, "schedule"));
  if (scheduled && !IS_NIL(world_field(I, f, "amount")))
    decl_error(I, k, name, "give either 'amount' (the same every year) or 'schedule' (amounts by year), not both");
  if (!scheduled) {
    if (IS_NIL(world_field(I, f, "amount")))
      decl_error(I, k, name,
                 "the field 'amount' is missing (or give amounts by year: schedule: {2026: 100k EUR / year, ...})");
    check_unit(I, k, name, f, "amount", world_eur_per_year(I), true, true);
    if (!num_is_exact(world_field(I, f, "amount")))
      decl_error(I, k, name, "'amount' is money and must be exact (round it with round(x, 2))");
    if (world_is_zero(world_field(I, f, "amount")))
      decl_error(I, k, name, "'amount' is zero: a fund must pay something");
  }
  check_range(I, k, name, f, true);
  if (scheduled) check_schedule(I, name, f);
  Value p = world_field(I, f, "purpose");
  if (IS_NIL(p)) decl_error(I, k, name, "the field 'purpose' is missing");
  check_choice(I, k, name, f, "purpose", world_fund_purposes, NULL);
  check_unit(I, k, name, f, "eligible_costs", world_eur_per_year(I), false, true);
  check_unit(I, k, name, f, "per_sme", world_eur(I), false, true);
  /* the year the right to the aid is conferred (GBER Art. 2(28), Reg. 2023/2831 Art. 3(3)): before any payment */
  Value granted = world_field(I, f, "granted");
  int64_t gy, first_year = AS_RANGE(world_field(I, f, "years"))->lo;
  if (IS_NIL(granted)) world_set_field(I, f, "granted", INT_VAL(first_year));
  else if (!num_to_int64(granted, &gy) || granted.unit != UNIT_NONE || gy < 1900)
    decl_error(I, k, name, "'granted' must be the year the aid is granted, such as granted: 2026");
  else if (gy > first_year)
    decl_error(I, k, name, "'granted' is %lld, after the fund's first year %lld: aid is granted before it is paid",
               (long long)gy, (long long)first_year);
  /* without eligible costs the aid pays its whole cost: with a schedule, the
   * year's amount (the ledger), otherwise the amount */
  if (IS_NIL(world_field(I, f, "eligible_costs")) && !scheduled)
    world_set_field(I, f, "eligible_costs", world_field(I, f, "amount"));
  world_mark_owned(I, f, f, NULL);

  /* the funds on the same programme, recipient and purpose */
  Value years = world_field(I, f, "years");
  ObjString *what = str_printf(I, "%s (%s)", name, AS_CSTRING(p));
  ObjList *funds = I->world->entities[KIND_FUND];
  int first = -1;
  Buffer old;
  buf_init(&old);
  for (int i = 0; i < funds->items.count; i++) {
    ObjRecord *g = AS_RECORD(funds->items.items[i]);
    if (!value_equal(world_field(I, g, "programme"), args[0]) ||
        !value_equal(world_field(I, g, "recipient"), args[1]) || !value_equal(world_field(I, g, "purpose"), p))
      continue;
    Value gy = world_field(I, g, "years");
    if (replace) {
      buf_printf(&old, "%s%lld..%lld", first < 0 ? "" : ", ", (long long)AS_RANGE(gy)->lo, (long long)AS_RANGE(gy)->hi);
      if (first < 0) first = i;
      continue;
    }
    if (IS_RANGE(gy) && same_years(gy, years)) {
      buf_free(&old);
      replace_fields(I, g, f);
      say_fund_replaced(I, what->chars, NULL);
      return OBJ_VAL(g);
    }
    if (IS_RANGE(gy) && years_overlap(gy, years)) {
      buf_free(&old);
      decl_error(I, k, name,
                 "years %lld..%lld overlap those of the earlier fund for %s (%lld..%lld); funds on the same "
                 "programme, recipient and purpose must pay in different years: give it other years, or write "
                 "replace: true to replace the earlier one",
                 (long long)AS_RANGE(years)->lo, (long long)AS_RANGE(years)->hi, AS_CSTRING(p),
                 (long long)AS_RANGE(gy)->lo, (long long)AS_RANGE(gy)->hi);
    }
  }
  if (replace) {
    if (first < 0) {
      buf_free(&old);
      decl_error(I, k, name, "'replace: true', but there is no fund for %s to replace", AS_CSTRING(p));
    }
    ObjString *note = str_printf(I, "one%s for %s", strchr(old.data, ',') ? "s" : "", old.data);
    buf_free(&old);
    /* the first takes the new fields, keeping its place; the others go */
    ObjRecord *g = AS_RECORD(funds->items.items[first]);
    int to = first + 1;
    for (int i = first + 1; i < funds->items.count; i++) {
      ObjRecord *h = AS_RECORD(funds->items.items[i]);
      bool same = value_equal(world_field(I, h, "programme"), args[0]) &&
                  value_equal(world_field(I, h, "recipient"), args[1]) && value_equal(world_field(I, h, "purpose"), p);
      if (!same) funds->items.items[to++] = funds->items.items[i];
    }
    funds->items.count = to;
    replace_fields(I, g, f);
    say_fund_replaced(I, str_printf(I, "%s (%s, %lld..%lld)", name, AS_CSTRING(p), (long long)AS_RANGE(years)->lo,
                                    (long long)AS_RANGE(years)->hi)->chars, note->chars);
    return OBJ_VAL(g);
  }
  buf_free(&old);
  list_append(I, funds, OBJ_VAL(f));
  return OBJ_VAL(f);
}

/* %rule(name, over, body, doc): over() gives the entities, body(x) runs per
 * entity; doc (a string or nil) is what :help NAME and :rules show. */
static Value f_rule(Interp *I, int argc, Value *args) {
  ObjRecord *r = record_new(I);
  world_set_field(I, r, "name", args[0]);
  world_set_field(I, r, "over", args[1]);
  world_set_field(I, r, "body", args[2]);
  world_set_field(I, r, "doc", argc > 3 ? args[3] : NIL_VAL);
  ObjList *rs = I->world->rules;
  for (int i = 0; i < rs->items.count; i++)
    if (AS_STRING(world_field(I, AS_RECORD(rs->items.items[i]), "name")) == AS_STRING(args[0])) {
      rs->items.items[i] = OBJ_VAL(r);
      say_replaced(I, "rule", AS_CSTRING(args[0]));
      return NIL_VAL;
    }
  list_append(I, rs, OBJ_VAL(r));
  return NIL_VAL;
}

/* The world's part of :help NAME (the core's HostHooks.help): a rule's doc,
 * or with "cluster.FIELD" the doc of a field of the cluster's schema. */
static const char *world_help(Interp *I, const char *name) {
  ObjList *rs = I->world->rules;
  for (int i = 0; i < rs->items.count; i++) {
    ObjRecord *r = AS_RECORD(rs->items.items[i]);
    if (strcmp(AS_CSTRING(world_field(I, r, "name")), name) != 0) continue;
    Value doc = world_field(I, r, "doc");
    return IS_STRING(doc) ? AS_CSTRING(doc) : "a rule (declared without a doc string)";
  }
  if (strncmp(name, "cluster.", 8) == 0) return cluster_field_doc(I, name + 8);
  return NULL;
}

/* %scenario(name, parent, body) */
static Value f_scenario(Interp *I, int argc, Value *args) {
  ObjString *name = AS_STRING(args[0]);
  ObjScenario *s = results_scenario_new(I, name);
  if (!IS_NIL(args[1])) {
    if (!IS_SCENARIO(args[1])) interp_throw(I, "scenario %s extends something that is not a scenario", name->chars);
    s->parent = AS_SCENARIO(args[1]);
    for (ObjScenario *p = s->parent; p; p = p->parent)
      if (p->name == name) interp_throw(I, "scenario %s extends itself", name->chars);
  }
  if (IS_CLOSURE(args[2])) s->body = AS_CLOSURE(args[2]);
  int g = global_find(I, name);
  if (g >= 0 && !IS_UNDEF(I->globals[g]) && !IS_SCENARIO(I->globals[g]))
    interp_throw(I, "'%s' is already a name (%s); give the scenario another name", name->chars,
                 value_type_name(I->globals[g]));
  if (g >= 0 && IS_SCENARIO(I->globals[g])) say_replaced(I, "scenario", name->chars);
  list_append(I, I->world->scenarios, OBJ_VAL(s));
  global_define(I, name->chars, OBJ_VAL(s), GLOBAL_VAR, NULL);
  return OBJ_VAL(s);
}

/* %scenario_field(name, value): years, runs, seed inside a scenario body */
static Value f_scenario_field(Interp *I, int argc, Value *args) {
  ObjScenario *s = I->world->running;
  const char *f = AS_CSTRING(args[0]);
  if (!s) interp_throw(I, "'%s:' belongs inside a scenario", f);
  Value v = args[1];
  if (strcmp(f, "years") == 0) {
    if (!IS_RANGE(v) || AS_RANGE(v)->hi <= AS_RANGE(v)->lo)
      interp_throw(I, "scenario %s: 'years' must be a range of at least two years, such as 2025..2035",
                   s->name->chars);
    ObjRange *r = AS_RANGE(v);
    if (r->lo < 1900 || r->hi > 2300 || r->hi - r->lo > 200)
      interp_throw(I, "scenario %s: 'years' %lld..%lld is not a sensible span of calendar years",
                   s->name->chars, (long long)r->lo, (long long)r->hi);
    s->first_year = r->lo;
    s->last_year = r->hi;
  } else if (strcmp(f, "runs") == 0 || strcmp(f, "seed") == 0) {
    int64_t n;
    if (!num_is(v) || !num_to_int64(v, &n) || v.unit != UNIT_NONE || n < (f[0] == 'r' ? 1 : 0))
      interp_throw(I, "scenario %s: '%s' must be a whole number%s", s->name->chars, f,
                   f[0] == 'r' ? " of at least 1" : "");
    if (f[0] == 'r' && n > 100000) interp_throw(I, "scenario %s: at most 100000 runs", s->name->chars);
    if (f[0] == 'r') {
      s->runs = n;
    } else { /* draws after `seed:` come from this seed's stream for this run */
      s->seed = n;
      lib_random_seed(I, (uint64_t)s->seed * 0x9E3779B97F4A7C15u + (uint64_t)s->run_index);
    }
  } else {
    interp_throw(I, "scenario %s: unknown setting '%s' (expected years, runs or seed)", s->name->chars, f);
  }
  return NIL_VAL;
}

static Value f_clusters(Interp *I, int argc, Value *args) { return entity_list(I, KIND_CLUSTER); }
static Value f_regions(Interp *I, int argc, Value *args) { return entity_list(I, KIND_REGION); }
static Value f_programmes(Interp *I, int argc, Value *args) { return entity_list(I, KIND_PROGRAMME); }
static Value f_funds(Interp *I, int argc, Value *args) { return entity_list(I, KIND_FUND); }
static Value f_partnerships(Interp *I, int argc, Value *args) { return entity_list(I, KIND_PARTNERSHIP); }


void world_decl_open(Interp *I) {
  /* called by the compiled declarations: names users cannot type */
  lib_register(I, "%entity", f_entity, 3, 4, NULL);
  lib_register(I, "%fund", f_fund, 3, 4, NULL);
  lib_register(I, "%rule", f_rule, 3, 4, NULL);
  I->host.help = world_help;
  lib_register(I, "%scenario", f_scenario, 3, 3, NULL);
  lib_register(I, "%scenario_field", f_scenario_field, 2, 2, NULL);
  lib_register(I, "schema", f_schema, 2, 3,
               "schema(\"cluster\", {NAME: {doc: ..., default: ...}, ...}, check): declare the fields of a cluster "
               "(stdlib/model.clu does)");
  lib_register(I, "clusters", f_clusters, 0, 0, "clusters(): the declared clusters, in order (in a run: the run's)");
  lib_register(I, "regions", f_regions, 0, 0, "regions(): the declared regions, in order");
  lib_register(I, "programmes", f_programmes, 0, 0, "programmes(): the declared programmes, in order");
  lib_register(I, "funds", f_funds, 0, 0, "funds(): the declared funds, in order");
  lib_register(I, "partnerships", f_partnerships, 0, 0, "partnerships(): the declared partnerships, in order");
}

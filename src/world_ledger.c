/* world_ledger.c - money during a run: pay() from a programme's envelope,
 * paid() and passed_on(), the ledger of payments, and active() and
 * contains() for rules. */
#include <stdlib.h>
#include <string.h>

#include "lib.h"
#include "num.h"
#include "world.h"
#include "world_results.h"

static ObjRecord *fund_arg(Interp *I, const char *fn, Value v) {
  if (!IS_ENTITY(v) || AS_RECORD(v)->tag != KIND_FUND) interp_throw(I, "%s: expected a fund, not %s", fn, value_type_name(v));
  return AS_RECORD(v);
}

/* What fund f pays a year in `year`: its amount, or the step of its
 * schedule in force ({2026: A, 2028: B}: A in 2026 and 2027, B from 2028;
 * world_decl.c checked that the steps are in order and start with the
 * fund's first year).  Nil when the schedule has none (a rule changed it). */
static Value amount_in(Interp *I, ObjRecord *f, int64_t year) {
  Value sch = world_field(I, f, "schedule");
  if (!IS_RECORD(sch)) return world_field(I, f, "amount");
  ObjRecord *r = AS_RECORD(sch);
  Value due = NIL_VAL;
  for (int i = 0; i < r->count; i++) {
    char *end;
    long long y = strtoll(r->keys[i]->chars, &end, 10);
    if (*end == '\0' && y <= year) due = r->values[i];
  }
  return due;
}

/* The ledger entry of one payment (the first run of a scenario keeps them). */
static void add_ledger_entry(Interp *I, ObjScenario *s, ObjRecord *f, ObjRecord *p, ObjRecord *c,
                             Value purpose, Value due, Value paid, Value unpaid) {
  ObjRecord *e = record_new(I);
  world_set_field(I, e, "year", INT_VAL(I->world->current_year));
  world_set_field(I, e, "programme", world_field(I, p, "name"));
  world_set_field(I, e, "recipient", world_field(I, c, "name"));
  world_set_field(I, e, "purpose", purpose);
  world_set_field(I, e, "amount", paid);
  Value elig = world_field(I, f, "eligible_costs");
  if (IS_NIL(elig)) elig = due; /* a scheduled fund without eligible costs: the year's amount */
  Value elig_year = num_mul(I, elig, INT_VAL(1));
  elig_year.unit = world_eur(I);
  world_set_field(I, e, "eligible_costs", elig_year);
  world_set_field(I, e, "unpaid", unpaid);
  world_set_field(I, e, "aid", world_field(I, p, "aid"));
  world_set_field(I, e, "level", world_field(I, p, "level"));
  world_set_field(I, e, "management", world_field(I, p, "management"));
  world_set_field(I, e, "granted", world_field(I, f, "granted"));
  Value region = world_field(I, c, "region");
  world_set_field(I, e, "region", IS_ENTITY(region) ? world_field(I, AS_RECORD(region), "name") : NIL_VAL);
  world_set_field(I, e, "aid_zone", IS_ENTITY(region) ? world_field(I, AS_RECORD(region), "aid_zone") : OBJ_VAL(str_new(I, "none")));
  world_set_field(I, e, "sme_members", world_field(I, AS_RECORD(world_field(I, c, "members")), "sme"));
  if (!IS_NIL(world_field(I, f, "per_sme"))) world_set_field(I, e, "per_sme", world_field(I, f, "per_sme"));
  list_append(I, s->ledger, OBJ_VAL(e));
}

/* Add `amount` to this year's record `field` (payments, passed_on) of
 * cluster c, under `purpose`, logging the write. */
static void add_payment(Interp *I, ObjRecord *c, const char *field, ObjString *purpose, Value amount) {
  Value rec = world_field(I, c, field);
  if (!IS_RECORD(rec)) return;
  Value cur;
  bool had = record_get(AS_RECORD(rec), purpose, &cur);
  Value sum = had ? num_add(I, cur, amount) : amount;
  sum.unit = world_eur(I);
  record_set(I, AS_RECORD(rec), purpose, sum);
  world_record_write(I, AS_RECORD(rec), purpose, had ? cur : NIL_VAL, sum);
}

/* pay(f): this year's payment of fund f from its programme's envelope. */
static Value f_pay(Interp *I, int argc, Value *args) {
  ObjRecord *f = fund_arg(I, "pay", args[0]);
  ObjScenario *s = I->world->running;
  if (!s || I->world->current_rule < 0) interp_throw(I, "pay: funds pay only inside rules, during a run");
  ObjRecord *p = AS_RECORD(world_field(I, f, "programme"));
  ObjRecord *c = AS_RECORD(world_field(I, f, "recipient"));
  Value amount = amount_in(I, f, I->world->current_year);
  if (!num_is(amount) || amount.unit != world_eur_per_year(I))
    interp_throw(I, "pay: fund %s -> %s has no amount in EUR/year for %lld", world_entity_name(I, p),
                 world_entity_name(I, c), (long long)I->world->current_year);
  if (!num_is_exact(amount))
    interp_throw(I, "pay: fund %s -> %s has an inexact amount; money must be exact (use round(x, 2))",
                 world_entity_name(I, p), world_entity_name(I, c));
  Value due = num_mul(I, amount, INT_VAL(1));
  due.unit = world_eur(I);
  Value left = world_field(I, p, "remaining");
  Value paid = due;
  Value unpaid = INT_VAL(0);
  unpaid.unit = world_eur(I);
  if (num_cmp(I, left, due) < 0) {
    paid = left;
    unpaid = num_sub(I, due, left);
    unpaid.unit = world_eur(I);
  }
  Value rest = num_sub(I, left, paid);
  rest.unit = world_eur(I);
  world_set_field(I, p, "remaining", rest);
  world_record_write(I, p, world_name(I, "remaining"), left, rest);
  Value purpose = world_field(I, f, "purpose");
  if (s->run_index == 0) add_ledger_entry(I, s, f, p, c, purpose, amount, paid, unpaid);
  /* this year's payments to the recipient, by purpose, and the part it
   * passes on to its member SMEs: per_sme to each (at most the payment) */
  add_payment(I, c, "payments", AS_STRING(purpose), paid);
  Value per_sme = world_field(I, f, "per_sme");
  if (num_is(per_sme)) {
    Value smes = world_field(I, AS_RECORD(world_field(I, c, "members")), "sme");
    Value on = num_is(smes) ? num_round(I, num_mul(I, per_sme, smes), 2, ROUND_HALF_EVEN) : INT_VAL(0);
    if (num_cmp(I, on, paid) > 0) on = paid;
    on.unit = world_eur(I);
    add_payment(I, c, "passed_on", AS_STRING(purpose), on);
  }
  return paid;
}

/* The key of purpose `name` in the records of payments (interned, so that
 * keys compare by pointer); an error when it names no purpose. */
static ObjString *purpose_key(Interp *I, const char *fn, ObjString *name) {
  for (int k = 0; world_fund_purposes[k]; k++)
    if (name == world_name(I, world_fund_purposes[k])) return name; /* the usual case: a literal */
  for (int k = 0; world_fund_purposes[k]; k++)
    if (strcmp(world_fund_purposes[k], name->chars) == 0) return world_name(I, world_fund_purposes[k]);
  interp_throw(I, "%s: unknown purpose \"%s\" (operating, investment, internationalisation, scaleup or training)", fn,
               name->chars);
}

/* The sum of this year's record `field` (payments, passed_on) of cluster
 * args[0], for the purpose args[1] or all of them: paid() and passed_on(). */
static Value payments_sum(Interp *I, const char *fn, const char *field, int argc, Value *args) {
  if (!IS_ENTITY(args[0])) interp_throw(I, "%s: expected a cluster, not %s", fn, value_type_name(args[0]));
  Value total = INT_VAL(0);
  total.unit = world_eur(I);
  ObjString *want = NULL;
  if (argc > 1) want = purpose_key(I, fn, lib_string_arg(I, fn, args, 1));
  Value pr = world_field(I, AS_RECORD(args[0]), field);
  if (!IS_RECORD(pr)) return total;
  ObjRecord *r = AS_RECORD(pr);
  for (int i = 0; i < r->count; i++) {
    if (want && r->keys[i] != want) continue;
    total = num_add(I, total, r->values[i]);
    total.unit = world_eur(I);
  }
  return total;
}

/* paid(c) or paid(c, purpose): this year's payments to c. */
static Value f_paid(Interp *I, int argc, Value *args) { return payments_sum(I, "paid", "payments", argc, args); }

/* passed_on(c) or passed_on(c, purpose): the part of this year's payments
 * to c that c passes on to its member SMEs (funds with per_sme). */
static Value f_passed_on(Interp *I, int argc, Value *args) {
  return payments_sum(I, "passed_on", "passed_on", argc, args);
}

static Value f_ledger(Interp *I, int argc, Value *args) {
  if (!IS_SCENARIO(args[0])) interp_throw(I, "ledger: expected a scenario, not %s", value_type_name(args[0]));
  ObjScenario *s = AS_SCENARIO(args[0]);
  if (!s->has_run) interp_throw(I, "ledger: scenario %s has not been run yet (use run %s)", s->name->chars, s->name->chars);
  ObjList *l = list_new(I);
  for (int i = 0; i < s->ledger->items.count; i++) list_append(I, l, s->ledger->items.items[i]);
  return OBJ_VAL(l);
}

static Value f_active(Interp *I, int argc, Value *args) {
  if (!IS_RECORD(args[0])) interp_throw(I, "active: expected a fund or partnership, not %s", value_type_name(args[0]));
  Value years = world_field(I, AS_RECORD(args[0]), "years");
  if (IS_NIL(years)) return BOOL_VAL(true); /* no years: always active */
  return BOOL_VAL(world_in_range(years, I->world->current_year));
}

static Value f_contains(Interp *I, int argc, Value *args) {
  if (IS_RANGE(args[0])) {
    int64_t n;
    return BOOL_VAL(num_is(args[1]) && num_to_int64(args[1], &n) && world_in_range(args[0], n));
  }
  ObjList *l = lib_list_arg(I, "contains", args, 0);
  Value v = args[1];
  if (IS_RECORD(v) && AS_RECORD(v)->cls && AS_RECORD(v)->cls->by_identity) {
    /* an entity equals itself alone (value_equal): compare pointers */
    for (int i = 0; i < l->items.count; i++)
      if (IS_OBJ(l->items.items[i]) && l->items.items[i].as.o == v.as.o) return BOOL_VAL(true);
    return BOOL_VAL(false);
  }
  for (int i = 0; i < l->items.count; i++)
    if (value_equal(l->items.items[i], v)) return BOOL_VAL(true);
  return BOOL_VAL(false);
}


void world_ledger_open(Interp *I) {
  lib_register(I, "ledger", f_ledger, 1, 1,
               "ledger(S): the payments of run scenario S as records (year, programme, recipient, purpose, amount...)");
  lib_register(I, "pay", f_pay, 1, 1,
               "pay(f): in a rule, pay fund f's amount (or its schedule's) for this year from its programme's envelope; returns what was paid");
  lib_register(I, "paid", f_paid, 1, 2, "paid(c) or paid(c, purpose): this year's payments to c, in EUR");
  lib_register(I, "passed_on", f_passed_on, 1, 2,
               "passed_on(c) or passed_on(c, purpose): the part of this year's payments to c passed on to its "
               "member SMEs (funds with per_sme: per_sme each, at most the payment), in EUR");
  lib_register(I, "active", f_active, 1, 1, "active(x): whether fund or partnership x runs in the current year");
  lib_register(I, "contains", f_contains, 2, 2, "contains(xs, v): whether list or range xs holds v");
}

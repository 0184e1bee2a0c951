/* unit.c - units of measure: interned exponent vectors, combined and printed.
 *
 * Representation (see unit.h): a UnitTable holds the names of the base units
 * (EUR at index 0, year at 1, then each `unit NAME` in declaration order) and
 * an array of distinct exponent vectors.  A vector's position in that array
 * is its UnitId, so ids never change while the table lives and two values
 * have the same unit exactly when their ids are equal.  Vector 0 is all
 * zeros: UNIT_NONE.  The id of a base unit is the id of the vector with a
 * single 1 at that base.
 *
 * Exponents are kept in [-127, 127] so that negating one never overflows an
 * int8_t.  Exponents at indices >= nbases are always zero, which lets whole
 * vectors be compared with one fixed-size memcmp.
 *
 * Interning is a linear scan.  Programs use a handful of distinct units and
 * the VM only comes here when a unit is involved, so the scan is short; a
 * hash index would need a field in UnitTable (see unit.h).
 */
#include "unit.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "interp.h"
#include "memory.h"

#define EXP_MAX 127


static const UnitVector *vec(const UnitTable *t, UnitId u) {
  assert(u < (UnitId)t->count);
  return &t->vectors[u];
}

/* The id of vector v, appending it when it is new.  The table's memory is
 * not the collector's (mem_realloc_raw); running out of it raises in I, or
 * prints and exits when I is NULL (unit_table_init, before there is an
 * interpreter to raise in). */
static UnitId intern(Interp *I, UnitTable *t, const UnitVector *v) {
  for (int i = 0; i < t->count; i++)
    if (memcmp(&t->vectors[i], v, sizeof *v) == 0) return (UnitId)i;
  if (t->count == t->capacity) {
    int cap = t->capacity < 8 ? 8 : t->capacity * 2;
    t->vectors = mem_realloc_raw(I, t->vectors, sizeof(UnitVector) * (size_t)cap);
    t->capacity = cap;
  }
  t->vectors[t->count] = *v;
  return (UnitId)t->count++;
}

/* The vector of a declared base is interned when it is declared, so with a
 * base below nbases this never allocates (unit_lookup passes I = NULL). */
static UnitId base_id(Interp *I, UnitTable *t, int base) {
  UnitVector v = {{0}};
  v.exp[base] = 1;
  return intern(I, t, &v);
}

/* Vector first, name second, count last: an out-of-memory error between
 * them leaves at most an unused vector behind. */
static void add_base(Interp *I, UnitTable *t, const char *name) {
  base_id(I, t, t->nbases);
  t->base_names[t->nbases] = mem_strdup(I, name);
  t->nbases++;
}

void unit_table_init(UnitTable *t) {
  memset(t, 0, sizeof *t);
  UnitVector none = {{0}};
  intern(NULL, t, &none); /* id 0 = UNIT_NONE */
  add_base(NULL, t, "EUR");
  add_base(NULL, t, "year");
}

void unit_table_free(UnitTable *t) {
  for (int i = 0; i < t->nbases; i++) free(t->base_names[i]);
  free(t->vectors);
  memset(t, 0, sizeof *t);
}

static int find_base(const UnitTable *t, const char *name) {
  for (int i = 0; i < t->nbases; i++)
    if (strcmp(t->base_names[i], name) == 0) return i;
  return -1;
}

UnitId unit_declare(Interp *I, UnitTable *t, const char *name) {
  int base = find_base(t, name);
  if (base >= 0) return base_id(I, t, base);
  if (t->nbases == UNIT_MAX_BASES) interp_throw(I, "too many units (at most %d)", UNIT_MAX_BASES);
  add_base(I, t, name);
  return base_id(I, t, t->nbases - 1);
}

bool unit_lookup(UnitTable *t, const char *name, UnitId *out) {
  int base = find_base(t, name);
  if (base < 0) return false;
  *out = base_id(NULL, t, base);
  return true;
}

/* a + sign*b, exponent by exponent; sign is 1 (multiply) or -1 (divide). */
static UnitId combine(Interp *I, UnitTable *t, UnitId a, UnitId b, int sign) {
  unsigned slot = (a * 31u + b * 7u + (unsigned)(sign + 1)) & 63u;
  if (t->memo[slot].sign == sign && t->memo[slot].a == a && t->memo[slot].b == b) return t->memo[slot].result;
  const UnitVector *va = vec(t, a), *vb = vec(t, b);
  UnitVector r;
  for (int i = 0; i < UNIT_MAX_BASES; i++) {
    int e = va->exp[i] + sign * vb->exp[i];
    if (e < -EXP_MAX || e > EXP_MAX) interp_throw(I, "unit exponent too large");
    r.exp[i] = (int8_t)e;
  }
  UnitId result = intern(I, t, &r); /* may move t->vectors: va and vb are dead by now */
  t->memo[slot].a = a;
  t->memo[slot].b = b;
  t->memo[slot].sign = (int8_t)sign;
  t->memo[slot].result = result;
  return result;
}

UnitId unit_mul(Interp *I, UnitTable *t, UnitId a, UnitId b) {
  if (a == UNIT_NONE) return b;
  if (b == UNIT_NONE) return a;
  return combine(I, t, a, b, 1);
}

UnitId unit_div(Interp *I, UnitTable *t, UnitId a, UnitId b) {
  if (b == UNIT_NONE) return a;
  if (a == b) return UNIT_NONE;
  return combine(I, t, a, b, -1);
}

UnitId unit_pow(Interp *I, UnitTable *t, UnitId a, int64_t n) {
  if (a == UNIT_NONE || n == 1) return a;
  if (n == 0) return UNIT_NONE;
  const UnitVector *va = vec(t, a);
  UnitVector r;
  for (int i = 0; i < UNIT_MAX_BASES; i++) {
    int e = va->exp[i];
    /* |n| <= 127 keeps e * n within int; any larger n overflows a nonzero e. */
    if (e != 0 && (n < -EXP_MAX || n > EXP_MAX || e * n < -EXP_MAX || e * n > EXP_MAX))
      interp_throw(I, "unit exponent too large");
    r.exp[i] = (int8_t)(e * n);
  }
  return intern(I, t, &r);
}

/* Append the factors whose exponent has the given sign, as "a*b^2*c", and
 * return how many there were.  Bases are taken in order of their names, so
 * that the printed form does not depend on the order of `unit` declarations
 * and reads EUR/(job*year) even though year is declared before job. */
static int put_factors(const UnitTable *t, Buffer *b, const UnitVector *v, int sign,
                       const int *order) {
  int n = 0;
  for (int k = 0; k < t->nbases; k++) {
    int i = order[k];
    int e = v->exp[i] * sign;
    if (e <= 0) continue;
    if (n++ > 0) buf_putc(b, '*');
    buf_puts(b, t->base_names[i]);
    if (e > 1) buf_printf(b, "^%d", e);
  }
  return n;
}

static int count_factors(const UnitTable *t, const UnitVector *v, int sign) {
  int n = 0;
  for (int i = 0; i < t->nbases; i++) n += v->exp[i] * sign > 0;
  return n;
}

bool unit_is_money(const UnitTable *t, UnitId u) { return u != UNIT_NONE && vec(t, u)->exp[0] == 1; }

/* Append u's printed form to b: "EUR/year", "EUR/(job*year)", "year^2",
 * "1/year"; nothing for UNIT_NONE. */
void unit_format(UnitTable *t, Buffer *b, UnitId u) {
  if (u == UNIT_NONE) return;
  const UnitVector *v = vec(t, u);

  int order[UNIT_MAX_BASES]; /* base indices sorted by name (insertion sort) */
  for (int i = 0; i < t->nbases; i++) {
    int j = i;
    for (; j > 0 && strcmp(t->base_names[order[j - 1]], t->base_names[i]) > 0; j--)
      order[j] = order[j - 1];
    order[j] = i;
  }

  if (put_factors(t, b, v, 1, order) == 0) buf_putc(b, '1');
  int nden = count_factors(t, v, -1);
  if (nden == 0) return;
  buf_putc(b, '/');
  if (nden > 1) buf_putc(b, '(');
  put_factors(t, b, v, -1, order);
  if (nden > 1) buf_putc(b, ')');
}

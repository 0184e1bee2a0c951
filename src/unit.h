/* unit.h - units of measure as interned exponent vectors.
 *
 * A unit is a product of powers of base units: EUR, year, and any that a
 * program declares with `unit NAME` (job, firm...).  EUR/(job*year) is the
 * vector {EUR: 1, job: -1, year: -1}.  Each distinct vector is interned once
 * per interpreter and named by a small integer id; id 0 is "no unit".
 * Values carry the id (value.h), so comparing units is comparing integers
 * and combining them is a table lookup.
 */
#ifndef CLUSIM_UNIT_H
#define CLUSIM_UNIT_H

#include "buffer.h"
#include "common.h"

#define UNIT_MAX_BASES 32
#define UNIT_NONE 0u

typedef uint32_t UnitId;

typedef struct {
  int8_t exp[UNIT_MAX_BASES];
} UnitVector;

typedef struct UnitTable {
  int nbases;
  char *base_names[UNIT_MAX_BASES];
  int count, capacity; /* interned vectors; index = UnitId */
  UnitVector *vectors;
  /* recent products and quotients: a model multiplies the same units
   * again and again, and a hit saves combining and interning vectors */
  struct {
    UnitId a, b, result;
    int8_t sign; /* 0: empty slot */
  } memo[64];
} UnitTable;

/* Set up with the built-in bases EUR (index 0) and year (index 1). */
void unit_table_init(UnitTable *t);
void unit_table_free(UnitTable *t);

/* Declare a new base unit; returns its UnitId (an existing base of the same
 * name returns its id). Raises an error when there are too many bases. */
UnitId unit_declare(Interp *I, UnitTable *t, const char *name);
/* The UnitId of a base unit by name, or false when no such base exists. */
bool unit_lookup(UnitTable *t, const char *name, UnitId *out);

UnitId unit_mul(Interp *I, UnitTable *t, UnitId a, UnitId b);
UnitId unit_div(Interp *I, UnitTable *t, UnitId a, UnitId b);
/* a^n; raises an error when an exponent would leave int8 range. */
UnitId unit_pow(Interp *I, UnitTable *t, UnitId a, int64_t n);

/* Money: EUR to the first power (EUR, EUR/year, EUR/job), whatever else. */
bool unit_is_money(const UnitTable *t, UnitId u);

/* "EUR", "EUR/year", "EUR/(job*year)", "year^2", "1/year"; "" for none. */
void unit_format(UnitTable *t, Buffer *b, UnitId u);

#endif

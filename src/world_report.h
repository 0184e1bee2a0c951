/* world_report.h - reports on run scenarios, computed as values and then
 * printed, so that every output (the statements, charts, exports) can use
 * the same numbers. */
#ifndef CLUSIM_WORLD_REPORT_H
#define CLUSIM_WORLD_REPORT_H

#include <stdio.h>

#include "buffer.h"
#include "world_results.h"

/* The series at `path` of run scenario s, where the path may end in a
 * statistic of a many-run scenario (.mean .p5 .p50 .p95; a one-run
 * scenario's only value is each of them), as compare and plot read it. */
ObjSeries *report_series(Interp *I, ObjScenario *s, const char *path);

/* compare: one path across scenarios, year by year, as a record
 *   {path, unit (a string, or nil), scenarios: [names], years: [y...],
 *    values: [[one value per scenario] per year],
 *    changes: [[scenario i minus the first, for i >= 1] per year]}
 * where a missing value or a change that cannot be taken is nil. */
Value report_compare(Interp *I, ObjScenario **ss, int n, const char *path);
void report_print_compare(Interp *I, Buffer *out, Value table);

/* why: what moved the value at `path` (such as "X.members.sme") from
 * year - 1 to year, as {before, after, contributions: [{rule, amount}]},
 * exact; the contributions add up to after - before. */
Value report_why(Interp *I, ObjScenario *s, const char *path, int64_t year);
void report_print_why(Interp *I, Buffer *out, ObjScenario *s, const char *path, int64_t year, Value why);

/* Print with print(I, out, ud) into a Buffer, then write it to the
 * output; an error while printing frees the Buffer and goes on. */
void report_print(Interp *I, void (*print)(Interp *I, Buffer *out, void *ud), void *ud);

/* The prompt's :world, :rules, :params. */
void world_list(Interp *I, FILE *out, const char *what);

#endif

/* lib.h - the built-in functions, grouped by theme in lib*.c. */
#ifndef CLUSIM_LIB_H
#define CLUSIM_LIB_H

#include "buffer.h"
#include "object.h"

void lib_open_all(Interp *I);
void lib_core_open(Interp *I);
void lib_math_open(Interp *I);
void lib_io_open(Interp *I);

void lib_register(Interp *I, const char *name, NativeFn fn, int min_args, int max_args,
                  const char *help);

/* Argument checks: each raises a clear error naming the function. */
ObjString *lib_string_arg(Interp *I, const char *fn, Value *args, int i);
ObjList *lib_list_arg(Interp *I, const char *fn, Value *args, int i);
ObjRecord *lib_record_arg(Interp *I, const char *fn, Value *args, int i);
Value lib_number_arg(Interp *I, const char *fn, Value *args, int i);
int64_t lib_int_arg(Interp *I, const char *fn, Value *args, int i);
bool lib_is_callable(Value v);

/* A table for the writers (write_csv, export to CSV, JSON and xlsx):
 * column names, the unit of each column's numbers, rows of cells.  Lists
 * of the heap, so that an error half-way leaks nothing:
 *   header  strings, one per column
 *   units   INT_VAL(UnitId) per column (UNIT_NONE: its numbers have none)
 *   rows    lists of cells (numbers, strings, booleans, nil for empty...)
 * The writers put the unit in the header ("budget (EUR/year)") and write
 * each number without it. */
typedef struct {
  ObjList *header, *units, *rows;
} LibTable;

/* Fill t->units from the numbers of each column.  A column whose numbers
 * share one unit (or have none) gets that unit; a column whose numbers do
 * not (EUR in one row, EUR/year or none in another) is followed by a new
 * column "NAME unit" holding each row's unit, so that no number is ever
 * read in a unit it does not have. */
void lib_table_units(Interp *I, LibTable *t);
/* "name" or "name (EUR/year)": the heading of column i. */
ObjString *lib_table_heading(Interp *I, LibTable *t, int i);
/* Append t as CSV (a header row, then the rows); false when printing a
 * cell was cut short (vm_print_failed says why). */
bool lib_csv_table(Interp *I, Buffer *b, LibTable *t);
/* A number as a cell holds it, without its unit: exact integers and
 * decimals as they are, doubles in their shortest exact form, a fraction
 * that does not terminate as its nearest double (17 significant digits at
 * most), since no spreadsheet reads "1/3" as a number. */
void lib_cell_number(Interp *I, Buffer *b, Value v);

/* Write a file through a temporary file and a rename; NULL or the reason. */
const char *lib_write_file(const char *path, const char *data, size_t len);
/* Build a text with build(I, out, ud) into the Buffer out, initialised
 * here; an error in it frees the Buffer before it goes on. */
void lib_build_text(Interp *I, Buffer *out, void (*build)(Interp *I, Buffer *b, void *ud), void *ud);
/* Build a file's text so (lib_build_text), then write it with
 * lib_write_file; a failure to write is the error "WHO: cannot write
 * 'PATH': why". */
void lib_build_file(Interp *I, const char *who, const char *path, void (*build)(Interp *I, Buffer *b, void *ud),
                    void *ud);
/* Set by `clusim --shard`: the script writes no file (its numbers are a
 * shard's; the merge writes the files), and lib_write_file does nothing. */
extern bool lib_files_off;

/* Seed the random stream (also done at start-up with a fixed seed). */
void lib_random_seed(Interp *I, uint64_t seed);

#endif

/* csvread.h - reading a CSV file into rows of cells, through libcsv.
 *
 * A table is what read_csv and `load` (world_load.c) share: the header's
 * names, the rows of cells and the line each row starts on, so that an
 * error can name the file, the line and the cell.  The rules (doc/language.md,
 * "Reading CSV files"):
 *
 *   - RFC 4180: cells in double quotes may hold the separator, line ends
 *     and doubled quotes (""); CRLF or LF line ends; a UTF-8 byte-order
 *     mark at the start is skipped.  A quote anywhere else (5" screen, or
 *     "a"b) and a quoted cell still open at the end are errors.
 *   - The separator is a semicolon when the header line has one outside
 *     quotes, otherwise a comma.
 *   - A quoted cell is a string.  An empty cell that is not quoted is nil.
 *     Any other cell is an exact number when it reads as one (as a number
 *     literal does: 1_000, 2.5e3, 12%, 250k, with an optional sign and
 *     spaces around), otherwise a string.  In a semicolon file a number may
 *     have a decimal comma and dots between thousands, as European
 *     spreadsheets write them (1234,56 and 1.234,56 are 1234.56 exactly);
 *     12.500 there could be either, and is read as the file's other
 *     numbers are written (an error when they do not tell).
 *   - Blank lines, and rows whose cells are all empty, are skipped.
 *
 * Cells are numbered from 1 (the spreadsheet's column A is 1).
 */
#ifndef CLUSIM_CSVREAD_H
#define CLUSIM_CSVREAD_H

#include "object.h"

typedef struct CsvTable {
  char sep;          /* ',' or ';' */
  ObjList *header;   /* the column names, strings */
  ObjList *rows;     /* each an ObjList of cells: nil, a string or a number */
  ObjList *lines;    /* the line each row starts on (ints), one per row */
} CsvTable;

/* Read the CSV file `path` into `t`, checking that every row has as many
 * cells as the header.  Errors are raised as "WHO: PATH:LINE:CELL: what"
 * (`who` is the function or statement reading).  The lists are new heap
 * objects: a caller that calls the VM afterwards must root them. */
void csv_read_file(Interp *I, const char *who, const char *path, CsvTable *t);

/* The line cell `col` (from 0) of row `row` starts on: the row's line plus
 * the line ends inside the quoted cells before it. */
int csv_cell_line(const CsvTable *t, int row, int col);

/* The number a cell of text s[0..len) written in a file with separator
 * `sep` holds, in *out: CSV_NUMBER (no decimal mark: 12, 2.5e3 in a comma
 * file), CSV_EUROPEAN (a decimal comma or dots between thousands, in a
 * semicolon file: 1.234,56, 1.234.567), CSV_POINT (a decimal point that
 * cannot be between thousands, in a semicolon file: 1.5, 0.125); or
 * CSV_TEXT (not a number: a string), CSV_AMBIGUOUS (12.500 in a semicolon
 * file; *out is not set, csv_ambiguous reads it). */
typedef enum { CSV_TEXT, CSV_NUMBER, CSV_EUROPEAN, CSV_POINT, CSV_AMBIGUOUS } CsvNumber;
CsvNumber csv_number(Interp *I, const char *s, size_t len, char sep, Value *out);
/* A CSV_AMBIGUOUS cell read with a dot between thousands (12.500 is
 * 12500) or with a decimal point (12.5). */
Value csv_ambiguous(Interp *I, const char *s, size_t len, bool thousands);

#endif

/* csvread.c - reading a CSV file into rows of cells, through libcsv (the
 * rules: csvread.h). */
#include <csv.h>
#include <stdio.h>
#include <string.h>

#include "csvread.h"
#include "fileio.h"
#include "interp.h"
#include "num.h"
#include "state.h"

/* ---- numbers in cells ----------------------------------------------------- */

static bool digit(char c) { return c >= '0' && c <= '9'; }

/* Rewrite a European number in s[0..len) (1.234,56 or 1234,56, with an
 * optional sign and a suffix after it) as num_parse reads it (1234.56)
 * into out: CSV_EUROPEAN when it has that shape, CSV_AMBIGUOUS for one
 * group of thousands without a comma (12.500, out: 12500), CSV_TEXT for
 * anything else (which num_parse then reads as it is).  out has room for
 * len + 1 bytes. */
static CsvNumber european(const char *s, size_t len, char *out) {
  size_t i = 0, o = 0;
  while (i < len && (s[i] == ' ' || s[i] == '\t')) out[o++] = s[i++];
  if (i < len && (s[i] == '+' || s[i] == '-')) out[o++] = s[i++];
  size_t first = i;
  while (i < len && digit(s[i])) out[o++] = s[i++];
  size_t lead = i - first;
  int groups = 0;
  while (lead >= 1 && lead <= 3 && s[first] != '0' && i + 3 < len && s[i] == '.' && digit(s[i + 1]) &&
         digit(s[i + 2]) && digit(s[i + 3]) && (i + 4 == len || !digit(s[i + 4]))) {
    memcpy(out + o, s + i + 1, 3);
    o += 3;
    i += 4;
    groups++;
  }
  bool comma = i + 1 < len && s[i] == ',' && digit(s[i + 1]);
  if (comma) {
    out[o++] = '.';
    for (i++; i < len && digit(s[i]); i++) out[o++] = s[i];
  }
  if (lead == 0 || (!comma && groups == 0)) return CSV_TEXT;
  if (i < len && (s[i] == '.' || s[i] == ',' || digit(s[i]))) return CSV_TEXT; /* 1.23.4, 1,2,3 */
  memcpy(out + o, s + i, len - i); /* a suffix (12,5%) and spaces: num_parse checks them */
  out[o + len - i] = '\0';
  return !comma && groups == 1 ? CSV_AMBIGUOUS : CSV_EUROPEAN;
}

CsvNumber csv_number(Interp *I, const char *s, size_t len, char sep, Value *out) {
  if (len == 0 || len >= 400) return CSV_TEXT;
  char text[400];
  CsvNumber shape = sep == ';' ? european(s, len, text) : CSV_TEXT;
  if (shape == CSV_AMBIGUOUS) return shape;
  if (shape == CSV_TEXT) {
    memcpy(text, s, len);
    text[len] = '\0';
  }
  if (!num_parse(I, text, out)) return CSV_TEXT;
  if (shape == CSV_EUROPEAN) return shape;
  return sep == ';' && memchr(s, '.', len) ? CSV_POINT : CSV_NUMBER;
}

Value csv_ambiguous(Interp *I, const char *s, size_t len, bool thousands) {
  char text[400];
  european(s, len, text);
  if (!thousands) {
    memcpy(text, s, len);
    text[len] = '\0';
  }
  Value v = NIL_VAL;
  num_parse(I, text, &v);
  return v;
}

/* ---- the reader ------------------------------------------------------------- */

/* The state of one read.  libcsv is fed the text a piece at a time, each
 * piece ending at a separator or a line end (the only bytes at which it
 * can hand over a cell, cell_done, or end a row, row_done), so that the
 * reader knows where: the line, and whether the cell began with a quote
 * (libcsv does not say; with no spaces trimmed, a quoted cell is one whose
 * first byte is a quote, the first of the piece after a callback). */
typedef struct Reader {
  Interp *I;
  const char *who, *path;
  CsvTable *t;
  const char *text;
  size_t len, pos;
  int line;            /* the line of the byte being fed */
  int row_line;        /* the line the row being read began on */
  int cell_line;       /* the line the cell being read began on */
  bool row_begun;      /* a byte of the row has been fed */
  bool at_cell_start;  /* the next byte begins a cell */
  bool quoted;         /* the cell being read began with a quote */
  ObjList *row;        /* the cells of the row being read */
  struct csv_parser *parser;
  /* how the file writes numbers, in a semicolon file: the first line
   * with a European number (1,5 or 1.234.567) and with a decimal point
   * (1.5), 0 for none; and the cells such as 12.500 that only this can
   * decide, as pairs of ints (row, cell), kept as strings meanwhile */
  int european_line, point_line;
  ObjList *pending;
} Reader;

static _Noreturn void reader_error(Reader *r, int line, int cell, const char *what) {
  interp_throw(r->I, "%s: %s:%d:%d: %s", r->who, r->path, line, cell, what);
}

/* libcsv's first callback: a cell s[0..len), NULL for an empty one that
 * was not quoted. */
static void cell_done(void *s, size_t len, void *data) {
  Reader *r = data;
  Interp *I = r->I;
  Value v = NIL_VAL;
  if (s && (r->quoted || r->t->header == NULL)) {
    v = OBJ_VAL(str_copy(I, s, (int)len));
  } else if (s) {
    switch (csv_number(I, s, len, r->t->sep, &v)) {
    case CSV_NUMBER: break;
    case CSV_EUROPEAN:
      if (!r->european_line) r->european_line = r->cell_line;
      break;
    case CSV_POINT:
      if (!r->point_line) r->point_line = r->cell_line;
      break;
    case CSV_TEXT: v = OBJ_VAL(str_copy(I, s, (int)len)); break;
    case CSV_AMBIGUOUS:
      v = OBJ_VAL(str_copy(I, s, (int)len));
      list_append(I, r->pending, INT_VAL(r->t->rows->items.count));
      list_append(I, r->pending, INT_VAL(r->row->items.count));
      break;
    }
  }
  if (r->t->header == NULL && !s) v = OBJ_VAL(str_copy(I, "", 0));
  list_append(I, r->row, v);
  r->at_cell_start = true;
  r->quoted = false;
}

/* libcsv's second callback: the end of a row. */
static void row_done(int c, void *data) {
  Reader *r = data;
  Interp *I = r->I;
  ObjList *row = r->row;
  bool empty = true;
  for (int i = 0; i < row->items.count && empty; i++) empty = IS_NIL(row->items.items[i]);
  if (r->t->header == NULL) {
    r->t->header = row;
  } else if (!empty) {
    list_append(I, r->t->rows, OBJ_VAL(row));
    list_append(I, r->t->lines, INT_VAL(r->row_line));
  }
  r->row = list_new(I);
  r->row_begun = false;
  r->at_cell_start = true;
}

static int no_spaces(unsigned char c) { return 0; }

/* Feed the text to libcsv (run inside interp_pcall, so that the parser's
 * own memory is freed whatever a callback raises). */
static void feed(Interp *I, void *ud) {
  Reader *r = ud;
  struct csv_parser *p = r->parser;
  const char *text = r->text;
  char sep = r->t->sep;
  for (r->pos = 0; r->pos < r->len;) {
    char c = text[r->pos];
    if (r->at_cell_start && c != '\r' && c != '\n') {
      r->at_cell_start = false;
      r->quoted = c == '"';
      r->cell_line = r->line;
      if (!r->row_begun) r->row_line = r->line;
      r->row_begun = true;
    }
    /* up to the next separator or line end, which alone can end a cell */
    size_t end = r->pos;
    while (end < r->len && text[end] != sep && text[end] != '\r' && text[end] != '\n') end++;
    if (end < r->len) end++;
    if (csv_parse(p, text + r->pos, end - r->pos, cell_done, row_done, r) != end - r->pos) {
      if (csv_error(p) == CSV_ENOMEM) interp_throw(I, "out of memory");
      reader_error(r, r->line, r->row->items.count + 1,
                   "a quote in a cell that is not quoted, or after a quoted cell's closing quote; a cell "
                   "with a quote in it must be quoted as a whole, with the quote doubled (\"5\"\" screen\")");
    }
    if (text[end - 1] == '\n') r->line++;
    r->pos = end;
  }
  if (csv_fini(p, cell_done, row_done, r) != 0)
    reader_error(r, r->cell_line, r->row->items.count + 1, "a quoted cell is not closed");
}

/* The separator: a semicolon when the header line (up to its first line
 * end outside quotes) has one outside quotes, otherwise a comma. */
static char detect_separator(const char *s, size_t len) {
  bool in_quotes = false;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '"') in_quotes = !in_quotes;
    else if (!in_quotes && (s[i] == '\n' || s[i] == '\r')) break;
    else if (!in_quotes && s[i] == ';') return ';';
  }
  return ',';
}

/* Read the cells such as 12.500 as the rest of the file writes numbers:
 * with dots between thousands when it has European numbers (1,5 or
 * 1.234.567) and no decimal point (1.5), with a decimal point in the
 * opposite case; in any other case it cannot be told, and is an error. */
static void resolve_pending(Reader *r) {
  Interp *I = r->I;
  for (int i = 0; i < r->pending->items.count; i += 2) {
    int row = (int)r->pending->items.items[i].as.i, col = (int)r->pending->items.items[i + 1].as.i;
    ObjList *cells = AS_LIST(r->t->rows->items.items[row]);
    ObjString *s = AS_STRING(cells->items.items[col]);
    if ((r->european_line != 0) != (r->point_line != 0)) {
      cells->items.items[col] = csv_ambiguous(I, s->chars, (size_t)s->length, r->european_line != 0);
      continue;
    }
    ObjString *msg =
        r->european_line
            ? str_printf(I, "'%s' could be a number with a dot between thousands or one with a decimal point, and the file "
                            "writes both (a decimal comma or dots between thousands on line %d, a decimal point on line %d); "
                            "write the numbers one way",
                         s->chars, r->european_line, r->point_line)
            : str_printf(I, "'%s' could be a number with a dot between thousands or one with a decimal point, and no other "
                            "number in the file tells which; write it without the dot, or with a decimal comma",
                         s->chars);
    reader_error(r, csv_cell_line(r->t, row, col), col + 1, msg->chars);
  }
}

void csv_read_file(Interp *I, const char *who, const char *path, CsvTable *t) {
  const char *why = NULL;
  size_t len = 0;
  char *data = fileio_read(path, &len, &why);
  if (!data) interp_throw(I, "%s: cannot read '%s': %s", who, path, why);
  interp_note_input(I, data, len); /* a shard's numbers depend on it (world_shard.h) */
  ObjString *text = str_take(I, data, len); /* owned by the heap: no leak on error */
  const char *start = text->chars;
  if (len >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) start += 3, len -= 3;
  t->sep = detect_separator(start, len);
  t->header = NULL;
  t->rows = list_new(I);
  t->lines = list_new(I);
  struct csv_parser p;
  Reader r = {I, who, path, t, start, len, 0, 1, 1, 1, false, true, false, list_new(I), &p, 0, 0, list_new(I)};
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0) interp_throw(I, "out of memory");
  csv_set_delim(&p, (unsigned char)t->sep);
  csv_set_space_func(&p, no_spaces);
  bool ok = interp_pcall(I, feed, &r);
  csv_free(&p);
  if (!ok) interp_rethrow(I);
  if (!t->header) t->header = list_new(I);
  resolve_pending(&r);
  int ncols = t->header->items.count;
  for (int i = 0; i < t->rows->items.count; i++) {
    ObjList *row = AS_LIST(t->rows->items.items[i]);
    if (row->items.count == ncols) continue;
    int cell = row->items.count < ncols ? row->items.count : ncols;
    ObjString *msg = str_printf(I, "this row has %d cell%s but the header has %d", row->items.count,
                                row->items.count == 1 ? "" : "s", ncols);
    reader_error(&r, csv_cell_line(t, i, cell), cell + 1, msg->chars);
  }
}

int csv_cell_line(const CsvTable *t, int row, int col) {
  int line = (int)t->lines->items.items[row].as.i;
  ObjList *cells = AS_LIST(t->rows->items.items[row]);
  for (int i = 0; i < col && i < cells->items.count; i++) {
    Value v = cells->items.items[i];
    if (!IS_STRING(v)) continue;
    for (const char *c = AS_CSTRING(v); *c; c++) line += *c == '\n';
  }
  return line;
}

/* libio.c - reading and writing CSV files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fileio.h"
#include "lib.h"
#include "num.h"
#include "state.h"

/* Why writing a file failed, in plain words (reading: fileio.h). */
static const char *io_reason(int e) {
  switch (e) {
  case ENOENT: return "no such file or directory";
  case EACCES: return "permission denied";
  case EISDIR: return "it is a directory";
  case ENOSPC: return "the disk is full";
  case EROFS: return "the file system is read-only";
  default: return "input/output error";
  }
}

/* A cell as a value: a quoted cell (kept by parse_csv as a one-element
 * list) is a string; an unquoted one an exact number when it reads as one. */
static Value cell_value(Interp *I, Value raw) {
  if (IS_LIST(raw)) return AS_LIST(raw)->items.items[0];
  Value v;
  ObjString *s = AS_STRING(raw);
  if (s->length > 0 && s->length < 400 && num_parse(I, s->chars, &v)) return v;
  return raw;
}

/* A quoted cell, from just after its opening quote: its text with ""
 * unescaped, interned like every cell.  *pp is left after the closing
 * quote, *line counts the newlines inside.  The scratch Buffer is let go
 * before anything can raise (str_take_buffer). */
static ObjString *quoted_cell(Interp *I, const char **pp, int *line, const char *path) {
  const char *p = *pp;
  Buffer cell;
  buf_init(&cell);
  for (;;) {
    if (!*p) {
      buf_free(&cell);
      interp_throw(I, "read_csv: %s:%d: a quoted cell is not closed", path, *line);
    }
    if (*p == '"' && p[1] == '"') {
      buf_putc(&cell, '"');
      p += 2;
    } else if (*p == '"') {
      p++;
      break;
    } else {
      if (*p == '\n') (*line)++;
      buf_putc(&cell, *p++);
    }
  }
  *pp = p;
  ObjString *s = str_take_buffer(I, &cell);
  return str_copy(I, s->chars, s->length);
}

/* Parse RFC 4180 CSV (quoted fields, "" escapes, CRLF or LF). Returns
 * rows as lists of raw cells (see cell_value); the caller turns them into
 * records.  Unquoted cells are interned straight from the text. */
static ObjList *parse_csv(Interp *I, const char *text, const char *path) {
  ObjList *rows = list_new(I);
  ObjList *row = list_new(I);
  const char *p = text;
  bool in_row = false;
  int line = 1;
  while (*p) {
    Value cell;
    if (*p == '"') {
      p++;
      ObjList *q = list_new(I);
      list_append(I, q, OBJ_VAL(quoted_cell(I, &p, &line, path)));
      cell = OBJ_VAL(q);
    } else {
      const char *start = p;
      while (*p && *p != ',' && *p != '\n' && *p != '\r') p++;
      cell = OBJ_VAL(str_copy(I, start, (int)(p - start)));
    }
    list_append(I, row, cell);
    in_row = true;
    if (*p == ',') {
      p++;
      continue;
    }
    if (*p == '\r') p++;
    if (*p == '\n') p++;
    line++;
    list_append(I, rows, OBJ_VAL(row));
    row = list_new(I);
    in_row = false;
  }
  if (in_row) list_append(I, rows, OBJ_VAL(row));
  return rows;
}

static Value f_read_csv(Interp *I, int argc, Value *args) {
  ObjString *path = lib_string_arg(I, "read_csv", args, 0);
  const char *why = NULL;
  size_t len = 0;
  char *data = fileio_read(path->chars, &len, &why);
  if (!data) interp_throw(I, "read_csv: cannot read '%s': %s", path->chars, why);
  ObjString *text = str_take(I, data, len); /* owned by the heap: no leak on error */
  ObjList *rows = parse_csv(I, text->chars, path->chars);
  ObjList *out = list_new(I);
  if (rows->items.count == 0) return OBJ_VAL(out);
  ObjList *header = AS_LIST(rows->items.items[0]);
  for (int i = 0; i < header->items.count; i++) {
    Value h = header->items.items[i];
    header->items.items[i] = IS_LIST(h) ? AS_LIST(h)->items.items[0] : h;
  }
  for (int r = 1; r < rows->items.count; r++) {
    ObjList *row = AS_LIST(rows->items.items[r]);
    if (row->items.count == 1 && IS_STRING(row->items.items[0]) &&
        AS_STRING(row->items.items[0])->length == 0)
      continue; /* blank line */
    if (row->items.count != header->items.count)
      interp_throw(I, "read_csv: %s: row %d has %d cells but the header has %d", path->chars, r + 1,
                   row->items.count, header->items.count);
    ObjRecord *rec = record_new(I);
    for (int i = 0; i < row->items.count; i++)
      record_set(I, rec, AS_STRING(header->items.items[i]), cell_value(I, row->items.items[i]));
    list_append(I, out, OBJ_VAL(rec));
  }
  return OBJ_VAL(out);
}

static void csv_cell(Interp *I, Buffer *b, Value v) {
  Buffer t;
  buf_init(&t);
  value_print(I, &t, v, false);
  bool quote = strpbrk(t.data, ",\"\n\r") != NULL;
  if (quote) {
    buf_putc(b, '"');
    for (size_t i = 0; i < t.len; i++) {
      if (t.data[i] == '"') buf_putc(b, '"');
      buf_putc(b, t.data[i]);
    }
    buf_putc(b, '"');
  } else {
    buf_put(b, t.data, t.len);
  }
  buf_free(&t);
}

/* Write rows (records) to a temporary file beside the target, then rename
 * it: a failure never leaves half a file behind. */
static Value f_write_csv(Interp *I, int argc, Value *args) {
  ObjString *path = lib_string_arg(I, "write_csv", args, 0);
  ObjList *rows = lib_list_arg(I, "write_csv", args, 1);
  for (int r = 0; r < rows->items.count; r++)
    if (!IS_RECORD(rows->items.items[r]))
      interp_throw(I, "write_csv: row %d is %s, not a record", r + 1,
                   value_type_name(rows->items.items[r]));
  Buffer b;
  buf_init(&b);
  if (rows->items.count > 0) {
    ObjRecord *first = AS_RECORD(rows->items.items[0]);
    for (int i = 0; i < first->count; i++) {
      if (i) buf_putc(&b, ',');
      csv_cell(I, &b, OBJ_VAL(first->keys[i]));
    }
    buf_putc(&b, '\n');
    for (int r = 0; r < rows->items.count; r++) {
      ObjRecord *rec = AS_RECORD(rows->items.items[r]);
      for (int i = 0; i < first->count; i++) {
        Value v;
        if (i) buf_putc(&b, ',');
        if (record_get(rec, first->keys[i], &v)) csv_cell(I, &b, v);
      }
      buf_putc(&b, '\n');
    }
  }
  const char *why = lib_write_file(path->chars, b.data, b.len);
  buf_free(&b);
  if (why) interp_throw(I, "write_csv: cannot write '%s': %s", path->chars, why);
  return NIL_VAL;
}

/* Write a whole file safely: into a temporary file beside it, renamed over
 * the target only when everything is written, so a failure never leaves
 * half a file. Returns NULL, or the reason it failed. */
const char *lib_write_file(const char *path, const char *data, size_t len) {
  size_t n = strlen(path) + 16;
  char *tmpl = malloc(n);
  if (!tmpl) return "out of memory";
  snprintf(tmpl, n, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmpl);
  int err = errno;
  bool ok = fd >= 0;
  if (ok) {
    FILE *f = fdopen(fd, "wb");
    ok = f && fwrite(data, 1, len, f) == len;
    err = errno;
    if (f) ok = (fclose(f) == 0) && ok;
    else close(fd);
    if (ok && rename(tmpl, path) != 0) {
      err = errno;
      ok = false;
    }
    if (!ok) unlink(tmpl);
  }
  free(tmpl);
  return ok ? NULL : io_reason(err);
}

void lib_io_open(Interp *I) {
  lib_register(I, "read_csv", f_read_csv, 1, 1,
               "read_csv(path): the rows of a CSV file as records named by its header row");
  lib_register(I, "write_csv", f_write_csv, 2, 2,
               "write_csv(path, rows): write a list of records as CSV (safely, via a temporary file)");
}

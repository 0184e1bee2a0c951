/* libio.c - reading and writing CSV files; the tables that write_csv and
 * export write (LibTable); writing a whole file safely. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csvread.h"
#include "fileio.h"
#include "lib.h"
#include "num.h"
#include "state.h"
#include "vm.h"

/* Why writing a file failed, in plain words (reading: fileio.h). */
static const char *io_reason(int e) {
  switch (e) {
  case ENOENT: return "no such file or directory";
  case ENOTDIR: return "a part of the path is not a directory";
  case EACCES:
  case EPERM: return "permission denied";
  case EISDIR: return "it is a directory";
  case ENOSPC: return "the disk is full";
  case EDQUOT: return "the disk quota is used up";
  case EROFS: return "the file system is read-only";
  case ENAMETOOLONG: return "the name is too long";
  case ELOOP: return "too many symbolic links";
  case ENOMEM: return "out of memory";
  default: return "input/output error";
  }
}

/* read_csv(path): the rows of a CSV file (read by csvread.c: libcsv, the
 * separator, decimal commas) as records named by its header row. */
static Value f_read_csv(Interp *I, int argc, Value *args) {
  ObjString *path = lib_string_arg(I, "read_csv", args, 0);
  CsvTable t;
  csv_read_file(I, "read_csv", path->chars, &t);
  ObjList *header = t.header, *out = list_new(I);
  for (int i = 0; i < header->items.count; i++)
    /* a record has one field per name: a second column of the same name
     * would silently replace the first one's values */
    for (int j = 0; j < i; j++)
      if (AS_STRING(header->items.items[j]) == AS_STRING(header->items.items[i]))
        interp_throw(I, "read_csv: %s: the header names two columns '%s' (columns %d and %d); give each column a name of its own",
                     path->chars, AS_CSTRING(header->items.items[i]), j + 1, i + 1);
  for (int r = 0; r < t.rows->items.count; r++) {
    ObjList *row = AS_LIST(t.rows->items.items[r]);
    ObjRecord *rec = record_new(I);
    for (int i = 0; i < row->items.count; i++) record_set(I, rec, AS_STRING(header->items.items[i]), row->items.items[i]);
    list_append(I, out, OBJ_VAL(rec));
  }
  return OBJ_VAL(out);
}

/* ---- tables: write_csv and export ------------------------------------- */

void lib_cell_number(Interp *I, Buffer *b, Value v) {
  v.unit = UNIT_NONE;
  size_t start = b->len;
  num_format(I, b, v);
  if (memchr(b->data + start, '/', b->len - start)) { /* 1/3: its nearest double */
    b->len = start;
    b->data[start] = '\0';
    num_format(I, b, FLOAT_VAL(num_to_double(v)));
  }
}

static ObjString *unit_text(Interp *I, UnitId u) {
  Buffer b;
  buf_init(&b);
  unit_format(&I->units, &b, u);
  return str_take_buffer(I, &b);
}

void lib_table_units(Interp *I, LibTable *t) {
  int nrows = t->rows->items.count, ncols = t->header->items.count;
  ObjList *units = list_new(I);
  bool any_mixed = false;
  /* one pass over the rows: per column nil (no number yet), the unit of
   * its numbers, or -1 (mixed) */
  for (int c = 0; c < ncols; c++) list_append(I, units, NIL_VAL);
  for (int r = 0; r < nrows; r++) {
    ObjList *row = AS_LIST(t->rows->items.items[r]);
    for (int c = 0; c < ncols; c++) {
      Value v = row->items.items[c], *u = &units->items.items[c];
      if (!num_is(v)) continue;
      if (IS_NIL(*u)) *u = INT_VAL(v.unit);
      else if (u->as.i >= 0 && (UnitId)u->as.i != v.unit) {
        *u = INT_VAL(-1);
        any_mixed = true;
      }
    }
  }
  for (int c = 0; c < ncols; c++)
    if (IS_NIL(units->items.items[c])) units->items.items[c] = INT_VAL(UNIT_NONE);
  t->units = units;
  if (!any_mixed) return;
  /* a column of mixed units is followed by its "NAME unit" column */
  ObjList *header = list_new(I), *new_units = list_new(I), *rows = list_new(I);
  for (int r = 0; r < nrows; r++) list_append(I, rows, OBJ_VAL(list_new(I)));
  for (int c = 0; c < ncols; c++) {
    bool mixed = units->items.items[c].as.i < 0;
    list_append(I, header, t->header->items.items[c]);
    list_append(I, new_units, INT_VAL(mixed ? UNIT_NONE : units->items.items[c].as.i));
    if (mixed) {
      list_append(I, header, OBJ_VAL(str_printf(I, "%s unit", AS_CSTRING(t->header->items.items[c]))));
      list_append(I, new_units, INT_VAL(UNIT_NONE));
    }
    for (int r = 0; r < nrows; r++) {
      Value v = AS_LIST(t->rows->items.items[r])->items.items[c];
      ObjList *row = AS_LIST(rows->items.items[r]);
      list_append(I, row, v);
      if (mixed) list_append(I, row, num_is(v) ? OBJ_VAL(unit_text(I, v.unit)) : NIL_VAL);
    }
  }
  t->header = header;
  t->units = new_units;
  t->rows = rows;
}

ObjString *lib_table_heading(Interp *I, LibTable *t, int i) {
  ObjString *name = AS_STRING(t->header->items.items[i]);
  UnitId u = (UnitId)t->units->items.items[i].as.i;
  if (u == UNIT_NONE) return name;
  Buffer b;
  buf_init(&b);
  buf_printf(&b, "%s (", name->chars);
  unit_format(&I->units, &b, u);
  buf_putc(&b, ')');
  return str_take_buffer(I, &b);
}

/* Append text as a CSV cell: in quotes when it holds a comma, a quote or
 * a line break. */
static void csv_text(Buffer *b, const char *text, size_t len) {
  bool quote = false;
  for (size_t i = 0; i < len && !quote; i++) quote = text[i] == ',' || text[i] == '"' || text[i] == '\n' || text[i] == '\r';
  if (!quote) {
    buf_put(b, text, len);
    return;
  }
  buf_putc(b, '"');
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '"') buf_putc(b, '"');
    buf_putc(b, text[i]);
  }
  buf_putc(b, '"');
}

/* Append v as a CSV cell (nil: an empty one; a number never needs
 * quotes); false (nothing appended) when printing it was cut short
 * (vm_print_failed says why). */
static bool csv_cell(Interp *I, Buffer *b, Value v) {
  if (b->len > CLUSIM_MAX_TEXT) return false;
  if (num_is(v)) lib_cell_number(I, b, v);
  else if (IS_STRING(v)) csv_text(b, AS_CSTRING(v), (size_t)AS_STRING(v)->length);
  else if (!IS_NIL(v)) {
    Buffer t;
    buf_init(&t);
    if (!value_print(I, &t, v, false) || b->len + t.len > CLUSIM_MAX_TEXT) {
      buf_free(&t);
      return false;
    }
    csv_text(b, t.data, t.len);
    buf_free(&t);
  }
  return true;
}

bool lib_csv_table(Interp *I, Buffer *b, LibTable *t) {
  int ncols = t->header->items.count;
  if (ncols == 0) return true; /* no columns: an empty file */
  for (int i = 0; i < ncols; i++) {
    if (i) buf_putc(b, ',');
    if (!csv_cell(I, b, OBJ_VAL(lib_table_heading(I, t, i)))) return false;
  }
  buf_putc(b, '\n');
  for (int r = 0; r < t->rows->items.count; r++) {
    ObjList *row = AS_LIST(t->rows->items.items[r]);
    for (int i = 0; i < ncols; i++) {
      if (i) buf_putc(b, ',');
      if (!csv_cell(I, b, row->items.items[i])) return false;
    }
    buf_putc(b, '\n');
  }
  return true;
}

/* write_csv(path, rows): the columns are the first record's fields; a
 * record without one of them leaves its cell empty.  Numbers are written
 * without their unit, which goes into the heading (lib_table_units). */
static Value f_write_csv(Interp *I, int argc, Value *args) {
  ObjString *path = lib_string_arg(I, "write_csv", args, 0);
  ObjList *rows = lib_list_arg(I, "write_csv", args, 1);
  for (int r = 0; r < rows->items.count; r++)
    if (!IS_RECORD(rows->items.items[r]))
      interp_throw(I, "write_csv: row %d is %s, not a record", r + 1,
                   value_type_name(rows->items.items[r]));
  LibTable t = {list_new(I), NULL, list_new(I)};
  if (rows->items.count > 0) {
    ObjRecord *first = AS_RECORD(rows->items.items[0]);
    for (int i = 0; i < first->count; i++) list_append(I, t.header, OBJ_VAL(first->keys[i]));
    for (int r = 0; r < rows->items.count; r++) {
      ObjRecord *rec = AS_RECORD(rows->items.items[r]);
      ObjList *row = list_new(I);
      list_append(I, t.rows, OBJ_VAL(row));
      for (int i = 0; i < first->count; i++) {
        Value v = NIL_VAL;
        record_get(rec, first->keys[i], &v);
        list_append(I, row, v);
      }
    }
  }
  lib_table_units(I, &t);
  Buffer b;
  buf_init(&b);
  if (rows->items.count > 0 && !lib_csv_table(I, &b, &t)) {
    buf_free(&b);
    vm_print_failed(I);
  }
  const char *why = lib_write_file(path->chars, b.data, b.len);
  buf_free(&b);
  if (why) interp_throw(I, "write_csv: cannot write '%s': %s", path->chars, why);
  return NIL_VAL;
}

/* ---- writing a whole file safely --------------------------------------
 *
 * write_csv and export write the whole text to a temporary file in the
 * directory of the file they replace, fsync it, and rename it over the
 * file, so that a failure (a full disk, a crash, kill -9) leaves the old
 * file whole; a kill -9 may leave the temporary file (.clusim-XXXXXX.tmp)
 * behind.  The replacement behaves like the file it replaces:
 *
 *   - a symbolic link is written through: the file replaced is the one it
 *     points to, in that file's directory, and the link stays a link;
 *   - the file keeps its permissions (and its owner where we may set it);
 *     a new file gets 0666 less the umask, as any program's new file;
 *   - a read-only file is refused ("the file is read-only"): renaming over
 *     it would overwrite what its owner protected;
 *   - a file with several hard links is written in place (truncated, then
 *     written and fsync'ed): a rename would give this name a new file and
 *     leave the other names with the old contents.  In place is not
 *     atomic, so a failure half-way leaves half a file under every name;
 *     keeping the names together is what a hard link asks for.  Anything
 *     that is not a regular file (/dev/stdout, a pipe) is written in place
 *     too;
 *   - the temporary name is short, so a name of any length the file
 *     system allows can be written.
 */

/* The file `path` finally names, following symbolic links (a link may
 * point to a file that does not exist yet: that is the file to create).
 * Malloc'd; NULL with *err set. */
static char *link_target(const char *path, int *err) {
  char *cur = strdup(path);
  for (int hops = 0; cur; hops++) {
    struct stat st;
    if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) return cur;
    if (hops == 40) {
      *err = ELOOP;
      free(cur);
      return NULL;
    }
    size_t cap = (size_t)st.st_size + 1 > 256 ? (size_t)st.st_size + 1 : 256;
    char *to = malloc(cap);
    ssize_t n = to ? readlink(cur, to, cap) : -1;
    if (n < 0 || (size_t)n >= cap) {
      *err = n < 0 && to ? errno : ENOMEM;
      free(to);
      free(cur);
      return NULL;
    }
    to[n] = '\0';
    if (to[0] == '/') {
      free(cur);
      cur = to;
      continue;
    }
    /* relative: from the directory of the link */
    const char *slash = strrchr(cur, '/');
    size_t dir = slash ? (size_t)(slash - cur + 1) : 0;
    char *joined = malloc(dir + (size_t)n + 1);
    if (joined) {
      memcpy(joined, cur, dir);
      memcpy(joined + dir, to, (size_t)n + 1);
    }
    free(to);
    free(cur);
    cur = joined;
  }
  *err = ENOMEM;
  return NULL;
}

static bool write_fd(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, data, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    len -= (size_t)w;
  }
  return true;
}

/* Write over an existing file in place (see above: hard links, devices). */
static const char *write_in_place(const char *path, const char *data, size_t len, bool regular) {
  int fd = open(path, O_WRONLY | O_CLOEXEC | (regular ? O_TRUNC : 0));
  if (fd < 0) return io_reason(errno);
  bool ok = write_fd(fd, data, len);
  int err = errno;
  if (ok && regular && fsync(fd) != 0) {
    ok = false;
    err = errno;
  }
  if (close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  return ok ? NULL : io_reason(err);
}

bool lib_files_off;

/* Returns NULL, or the reason it failed in plain words. */
typedef struct {
  void (*build)(Interp *I, Buffer *b, void *ud);
  void *ud;
  Buffer *out;
} BuildJob;

static void build_job(Interp *I, void *ud) {
  BuildJob *job = ud;
  job->build(I, job->out, job->ud);
}

void lib_build_text(Interp *I, Buffer *out, void (*build)(Interp *I, Buffer *b, void *ud), void *ud) {
  BuildJob job = {build, ud, out};
  buf_init(out);
  if (!interp_pcall(I, build_job, &job)) {
    buf_free(out);
    interp_rethrow(I);
  }
}

void lib_build_file(Interp *I, const char *who, const char *path, void (*build)(Interp *I, Buffer *b, void *ud),
                    void *ud) {
  Buffer out;
  lib_build_text(I, &out, build, ud);
  const char *why = lib_write_file(path, out.data, out.len);
  buf_free(&out);
  if (why) interp_throw(I, "%s: cannot write '%s': %s", who, path, why);
}

const char *lib_write_file(const char *path, const char *data, size_t len) {
#ifdef CLUSIM_FUZZING
  /* a fuzzed script may name any path: it writes nothing (tests/fuzz/) */
  (void)path, (void)data, (void)len;
  return io_reason(EACCES);
#endif
  if (lib_files_off) return NULL;
  int err = 0;
  char *target = link_target(path, &err);
  if (!target) return io_reason(err);
  struct stat st;
  bool exists = stat(target, &st) == 0;
  const char *why = NULL;
  if (exists && S_ISDIR(st.st_mode)) why = io_reason(EISDIR);
  else if (exists && ((st.st_mode & 0222) == 0 || access(target, W_OK) != 0))
    why = "the file is read-only (make it writable, or write to another name)";
  else if (exists && (!S_ISREG(st.st_mode) || st.st_nlink > 1))
    why = write_in_place(target, data, len, S_ISREG(st.st_mode));
  else {
    /* a temporary file beside the target, with a short name of its own */
    const char *slash = strrchr(target, '/');
    size_t dir = slash ? (size_t)(slash - target + 1) : 0;
    char *tmp = malloc(dir + 32);
    if (!tmp) {
      free(target);
      return io_reason(ENOMEM);
    }
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
      static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
      uint64_t r = (uint64_t)getpid() * 0x9E3779B97F4A7C15u ^ (uint64_t)time(NULL) ^ (uint64_t)clock() ^
                   ((uint64_t)tries << 40) ^ (uint64_t)(uintptr_t)&r;
      char name[8];
      for (int i = 0; i < 6; i++, r /= 36) name[i] = digits[r % 36];
      name[6] = '\0';
      memcpy(tmp, target, dir);
      snprintf(tmp + dir, 32, ".clusim-%s.tmp", name);
      fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666); /* the umask applies */
      if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0 && errno == EACCES && exists) /* a writable file in a directory we may not write */
      why = write_in_place(target, data, len, true);
    else if (fd < 0) why = io_reason(errno);
    else {
      bool ok = true;
      if (exists) { /* the same permissions and, where allowed, owner */
        if ((st.st_uid != geteuid() || st.st_gid != getegid()) && fchown(fd, st.st_uid, st.st_gid) != 0) {
          /* not allowed: the new file is ours, as any file we create */
        }
        if (fchmod(fd, st.st_mode & 07777) != 0) ok = false;
      }
      ok = ok && write_fd(fd, data, len);
      ok = ok && fsync(fd) == 0;
      err = errno;
      if (close(fd) != 0 && ok) {
        ok = false;
        err = errno;
      }
      if (ok && rename(tmp, target) != 0) {
        ok = false;
        err = errno;
      }
      if (!ok) {
        unlink(tmp);
        why = io_reason(err);
      } else {
        /* make the rename itself durable: fsync the directory (best effort) */
        char *d = strndup(target, dir ? dir : 1);
        int dfd = d ? open(dir ? d : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (dfd >= 0) {
          fsync(dfd);
          close(dfd);
        }
        free(d);
      }
    }
    free(tmp);
  }
  free(target);
  return why;
}

void lib_io_open(Interp *I) {
  lib_register(I, "read_csv", f_read_csv, 1, 1,
               "read_csv(path): the rows of a CSV file as records named by its header row");
  lib_register(I, "write_csv", f_write_csv, 2, 2,
               "write_csv(path, rows): write a list of records as CSV (safely, via a temporary file)");
}

/* interp.c - creating interpreters, running source text (compile, link, run), errors, imports. */
#include "interp.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile.h"
#include "diag.h"
#include "disasm.h"
#include "fileio.h"
#include "lib.h"
#include "memory.h"
#include "num.h"
#include "parse.h"
#include "state.h"
#include "vm.h"
#include "world.h"

/* ---- globals ------------------------------------------------------------ */

int global_find(Interp *I, ObjString *name) {
  Value v;
  return table_get(&I->global_index, name, &v) ? (int)v.as.i : -1;
}

int global_slot(Interp *I, ObjString *name) {
  int g = global_find(I, name);
  if (g >= 0) return g;
  if (I->nglobals == I->globals_capacity) {
    int cap = GROW_CAPACITY(I->globals_capacity);
    I->globals = GROW_ARRAY(I, Value, I->globals, I->globals_capacity, cap);
    I->global_names = GROW_ARRAY(I, ObjString *, I->global_names, I->globals_capacity, cap);
    I->global_kinds = GROW_ARRAY(I, uint8_t, I->global_kinds, I->globals_capacity, cap);
    I->global_docs = GROW_ARRAY(I, const char *, I->global_docs, I->globals_capacity, cap);
    I->globals_capacity = cap;
  }
  g = I->nglobals++;
  I->globals[g] = UNDEF_VAL;
  I->global_names[g] = name;
  I->global_kinds[g] = GLOBAL_VAR;
  I->global_docs[g] = NULL;
  table_set(I, &I->global_index, name, INT_VAL(g));
  return g;
}

void global_define(Interp *I, const char *name, Value v, GlobalKind kind, const char *doc) {
  int g = global_slot(I, str_new(I, name));
  I->globals[g] = v;
  I->global_kinds[g] = (uint8_t)kind;
  I->global_docs[g] = doc;
}

const char *interp_help(Interp *I, const char *name) {
  interp_autoload(I, name);
  int g = global_find(I, str_new(I, name));
  if (g < 0 || IS_UNDEF(I->globals[g])) return I->host.help ? I->host.help(I, name) : NULL;
  if (IS_NATIVE(I->globals[g])) return AS_NATIVE(I->globals[g])->help;
  return I->global_docs[g];
}

/* ---- errors ------------------------------------------------------------- */

/* Raise the error whose message is in I->errmsg, located at `at` (NULL:
 * at the running instruction). */
static _Noreturn void throw_message(Interp *I, const SrcLoc *at) {
  buf_clear(&I->traceback);
  vm_describe_error_at(I, &I->traceback, I->errmsg.data, at);
  if (!I->err_jmp) {
    fputs(I->traceback.data, I->err);
    exit(1);
  }
  longjmp(I->err_jmp->buf, 1);
}

void interp_throw(Interp *I, const char *fmt, ...) {
  I->interrupt_raised = false;
  buf_clear(&I->errmsg);
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&I->errmsg, fmt, ap);
  va_end(ap);
  throw_message(I, NULL);
}

void interp_warn(Interp *I, const char *fmt, ...) {
  Buffer msg, out;
  buf_init(&msg);
  buf_init(&out);
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&msg, fmt, ap);
  va_end(ap);
  if (vm_describe_warning(I, &out, msg.data)) fputs(out.data, I->err);
  buf_free(&msg);
  buf_free(&out);
}

static bool path_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
}

bool interp_message_fields(const char *text, bool (*match)(const char *path, size_t len, void *ud), void *ud) {
  for (const char *p = text; *p; p++) {
    bool quoted = *p == '\'' && path_char(p[1]);
    if (!quoted && (!path_char(*p) || (p > text && path_char(p[-1])))) continue;
    const char *start = quoted ? p + 1 : p, *end = start;
    while (path_char(*end)) end++;
    if ((quoted || memchr(start, '.', (size_t)(end - start))) && match(start, (size_t)(end - start), ud)) return true;
    p = end - 1;
  }
  return false;
}

typedef struct {
  const Chunk *chunk;
  int call;
  SrcLoc *out;
} FieldQuery;

static bool field_in_chunk(const char *path, size_t len, void *ud) {
  FieldQuery *q = ud;
  return chunk_field_loc(q->chunk, q->call, path, len, q->out);
}

/* Where the running declaration wrote the field `text` names (see
 * interp_throw_at_field): the first name in single quotes, or dotted
 * path, that is one of its fields. */
static bool declared_field_loc(Interp *I, const char *text, SrcLoc *out) {
  if (I->frame_count == 0) return false;
  CallFrame *top = &I->frames[I->frame_count - 1];
  const Chunk *c = &top->closure->function->chunk;
  if (c->nfields == 0) return false;
  int call = (int)(top->ip - c->code) - 1;
  if (chunk_field_loc(c, call, text, strlen(text), out)) return true; /* a path */
  FieldQuery q = {c, call, out};
  return interp_message_fields(text, field_in_chunk, &q);
}

void interp_throw_interrupt(Interp *I) {
  buf_clear(&I->errmsg);
  buf_puts(&I->errmsg, "interrupted");
  I->interrupt_raised = true;
  throw_message(I, NULL);
}

void interp_throw_at_field(Interp *I, const char *field, const char *fmt, ...) {
  I->interrupt_raised = false;
  SrcLoc at;
  bool found = declared_field_loc(I, field, &at); /* before the message: `field` may be in errmsg */
  buf_clear(&I->errmsg);
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&I->errmsg, fmt, ap);
  va_end(ap);
  throw_message(I, found ? &at : NULL);
}

bool interp_pcall(Interp *I, void (*fn)(Interp *I, void *ud), void *ud) {
  ErrorJmp j;
  j.prev = I->err_jmp;
  I->err_jmp = &j;
  int frames = I->frame_count, c_calls = I->c_calls;
  Value *sp = I->sp;
  volatile bool ok = true;
  if (setjmp(j.buf) == 0) {
    fn(I, ud);
  } else {
    ok = false;
    vm_unwind(I, frames, sp);
    I->c_calls = c_calls;
  }
  I->err_jmp = j.prev;
  return ok;
}

const char *interp_error_message(Interp *I) { return I->errmsg.data; }

void interp_rethrow(Interp *I) {
  if (!I->err_jmp) {
    fputs(I->traceback.data, I->err);
    exit(1);
  }
  longjmp(I->err_jmp->buf, 1);
}

void interp_push_root(Interp *I, Value v) {
  if (I->sp + 64 >= I->stack_end) interp_throw(I, "recursion too deep (the value stack is full)");
  *I->sp++ = v;
}

/* A saved global is three items: its slot, its value and its kind. */
ObjList *interp_save_begin(Interp *I) {
  ObjList *saved = list_new(I);
  interp_push_root(I, OBJ_VAL(saved));
  return saved;
}

void interp_save_global(Interp *I, ObjList *saved, int g) {
  for (int i = 0; i < saved->items.count; i += 3)
    if (saved->items.items[i].as.i == g) return;
  list_append(I, saved, INT_VAL(g));
  list_append(I, saved, I->globals[g]);
  list_append(I, saved, INT_VAL(I->global_kinds[g]));
}

void interp_restore_globals(Interp *I, ObjList *saved) {
  for (int i = 0; i < saved->items.count; i += 3) {
    int g = (int)saved->items.items[i].as.i;
    I->globals[g] = saved->items.items[i + 1];
    I->global_kinds[g] = (uint8_t)saved->items.items[i + 2].as.i;
  }
}

void interp_interrupt(Interp *I) { I->interrupted = 1; }

void interp_cancel_interrupt(Interp *I) { I->interrupted = 0; }

/* ---- for the prompt ------------------------------------------------------ */

void interp_set_repl(Interp *I, bool on) { I->repl = on; }

void interp_set_streams(Interp *I, FILE *out, FILE *err) {
  I->out = out;
  I->err = err;
  I->progress = err;
}

void interp_set_progress_stream(Interp *I, FILE *to) { I->progress = to; }

/* FNV-1a, 64 bits, over each input and a separator after it. */
#define DIGEST_PRIME 1099511628211u
void interp_note_input(Interp *I, const char *data, size_t len) {
  uint64_t h = I->inputs_digest;
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)data[i]) * DIGEST_PRIME;
  I->inputs_digest = (h ^ 0xffu) * DIGEST_PRIME;
}

void interp_each_name(Interp *I, void (*fn)(void *ud, const char *name, bool builtin), void *ud) {
  for (int g = 0; g < I->nglobals; g++) {
    Value v = I->globals[g];
    const char *name = I->global_names[g]->chars;
    if (IS_UNDEF(v) || name[0] == '%') continue; /* '%': hidden built-ins of the compiled declarations */
    fn(ud, name, IS_NATIVE(v));
  }
}

bool interp_each_field(Interp *I, const char *chain, void (*fn)(void *ud, const char *field), void *ud) {
  Value v = NIL_VAL;
  bool first = true;
  for (const char *part = chain; *part;) {
    const char *dot = strchr(part, '.');
    int len = dot ? (int)(dot - part) : (int)strlen(part);
    if (len > 0) { /* empty names between dots are skipped */
      ObjString *name = str_copy(I, part, len);
      if (first) {
        int g = global_find(I, name);
        v = g >= 0 ? I->globals[g] : NIL_VAL;
        first = false;
      } else if (!IS_RECORD(v) || !record_get(AS_RECORD(v), name, &v)) {
        v = NIL_VAL;
      }
    }
    if (!dot) break;
    part = dot + 1;
  }
  if (!IS_RECORD(v)) return false;
  ObjRecord *r = AS_RECORD(v);
  for (int i = 0; i < r->count; i++) fn(ud, r->keys[i]->chars);
  return true;
}

/* ---- sources ------------------------------------------------------------ */

/* A Source and its two strings are one allocation (one free), so that
 * running out of memory half-way leaves nothing behind. */
Source *interp_add_source(Interp *I, const char *name, const char *text) {
  size_t nn = strlen(name) + 1, nt = strlen(text) + 1;
  Source *s = mem_realloc_raw(I, NULL, sizeof *s + nn + nt);
  s->name = memcpy((char *)(s + 1), name, nn);
  s->text = memcpy(s->name + nn, text, nt);
  s->lines = NULL;
  s->nlines = 0;
  s->next = I->sources;
  I->sources = s;
  return s;
}

static void drop_latest_source(Interp *I, Source *s) {
  if (I->sources != s) return;
  I->sources = s->next;
  diag_forget_lines(s);
  free(s);
}

typedef struct {
  Source *src;
  Node *root;
  Arena *arena;
  ObjFunction *fn;
} CompileJob;

static void compile_job(Interp *I, void *ud) {
  CompileJob *job = ud;
  job->fn = compile_program(I, job->src, job->root, job->arena);
}

/* Parse and compile; NULL on errors (printed).  The compiler allocates on
 * the heap, so it runs protected: when memory runs out the arena is freed,
 * then the error goes on to the caller's protected call (an import) or,
 * at the top, is printed here.  Nothing runs here: the stdlib files the
 * program names are only marked for the link step. */
static ObjFunction *compile_source(Interp *I, Source *src, bool allow_incomplete, bool *incomplete) {
  Arena arena;
  arena_init(&arena);
  CompileJob job = {src, NULL, &arena, NULL};
  job.root = parse_source(I, src, &arena, allow_incomplete, incomplete);
  bool ok = !job.root || interp_pcall(I, compile_job, &job);
  arena_free(&arena);
  if (!ok) {
    if (I->err_jmp) interp_rethrow(I);
    fputs(I->traceback.data, I->err);
    fflush(I->err);
  }
  if (!job.fn) /* nothing will run, so nothing needs linking */
    for (int i = 0; i < I->nlazy; i++) I->lazy[i].needed = false;
  return job.fn;
}

/* After an out-of-memory error, the garbage the failed evaluation left is
 * what the next one needs: collect it now, between evaluations, where
 * nothing running holds an unrooted object. */
static void recover_memory(Interp *I) {
  if (!I->out_of_memory) return;
  I->out_of_memory = false;
  gc_collect(I);
}

/* Flush the output; false, after saying why on the error stream, when
 * writing it failed (a full disk, a closed pipe): the output is then
 * incomplete, and the evaluation counts as failed. */
static bool flush_output(Interp *I) {
  errno = 0;
  if (fflush(I->out) == 0 && !ferror(I->out)) return true;
  int e = errno;
  clearerr(I->out);
  fprintf(I->err, "error: cannot write the output: %s\n", e ? strerror(e) : "input/output error");
  fflush(I->err);
  return false;
}

typedef struct {
  ObjFunction *fn;
} RunJob;

static void run_job(Interp *I, void *ud) { vm_run_toplevel(I, ((RunJob *)ud)->fn); }

InterpResult interp_eval(Interp *I, const char *name, const char *text, bool allow_incomplete) {
  Source *src = interp_add_source(I, name, text);
  bool incomplete = false;
  ObjFunction *f = compile_source(I, src, allow_incomplete, &incomplete);
  if (!f) {
    if (allow_incomplete && incomplete) {
      drop_latest_source(I, src);
      return INTERP_INCOMPLETE;
    }
    recover_memory(I);
    return INTERP_ERROR;
  }
  I->interrupted = 0;
  /* link: the function is rooted while stdlib code runs, and with it its
   * chunk's constants, which hold everything else the compiler made */
  interp_push_root(I, OBJ_VAL(f));
  bool linked = interp_link(I);
  interp_pop_roots(I, 1);
  if (!linked) return INTERP_ERROR;
  RunJob job = {f};
  if (!interp_pcall(I, run_job, &job)) {
    fflush(I->out);
    fputs(I->traceback.data, I->err);
    fflush(I->err);
    recover_memory(I);
    return INTERP_ERROR;
  }
  bool written = flush_output(I);
  recover_memory(I);
  return written ? INTERP_OK : INTERP_ERROR;
}

/* A script's text, or NULL after saying on the error stream why not. */
static char *read_script(Interp *I, const char *path) {
  const char *why = NULL;
  char *text = fileio_read(path, NULL, &why);
  if (!text) fprintf(I->err, "clusim: cannot read '%s': %s\n", path, why);
  return text;
}

static ObjString *import_key(Interp *I, const char *path);

/* The script counts as imported (by its real path, as imports are): a file
 * it imports that imports it back does not run it a second time. */
InterpResult interp_run_file(Interp *I, const char *path) {
  char *text = read_script(I, path);
  if (!text) return INTERP_ERROR;
  table_set(I, &I->imported, import_key(I, path), BOOL_VAL(true));
  InterpResult r = interp_eval(I, path, text, false);
  free(text);
  return r;
}

InterpResult interp_dump(Interp *I, const char *name, const char *text, FILE *out) {
  Source *src = interp_add_source(I, name, text);
  bool incomplete = false;
  ObjFunction *f = compile_source(I, src, false, &incomplete);
  if (!f) return INTERP_ERROR;
  Buffer b;
  buf_init(&b);
  disasm_chunk(I, &b, f);
  errno = 0;
  fwrite(b.data, 1, b.len, out);
  buf_free(&b);
  if (fflush(out) == 0 && !ferror(out)) return INTERP_OK;
  fprintf(I->err, "error: cannot write the output: %s\n", errno ? strerror(errno) : "input/output error");
  return INTERP_ERROR;
}

InterpResult interp_dump_file(Interp *I, const char *path, FILE *out) {
  char *text = read_script(I, path);
  if (!text) return INTERP_ERROR;
  InterpResult r = interp_dump(I, path, text, out);
  free(text);
  return r;
}

/* ---- imports ------------------------------------------------------------ */

static bool file_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The name under which a file counts as imported: its canonical path
 * (realpath allocates it, however long), or the path itself when it has
 * none. */
static ObjString *import_key(Interp *I, const char *path) {
  char *real = realpath(path, NULL);
  ObjString *key = str_new(I, real ? real : path);
  free(real);
  return key;
}

/* Find an imported file: beside the importing file, then in the stdlib. */
static bool resolve_import(Interp *I, const char *path, Source *from, Buffer *out) {
  buf_clear(out);
  if (path[0] == '/') {
    buf_puts(out, path);
    return file_exists(out->data);
  }
  const char *name = from ? from->name : NULL;
  const char *slash = name ? strrchr(name, '/') : NULL;
  if (slash) buf_put(out, name, (size_t)(slash - name + 1));
  buf_puts(out, path);
  if (file_exists(out->data)) return true;
  if (I->stdlib_dir) {
    buf_clear(out);
    buf_printf(out, "%s/%s", I->stdlib_dir, path);
    if (file_exists(out->data)) return true;
  }
  return false;
}

/* The path and the text become heap strings as soon as they exist, so
 * that no scratch memory is held when something raises.  The file counts
 * as imported once it compiled, just before it runs (a file importing
 * itself, directly or not, is then skipped). */
void interp_import(Interp *I, ObjString *path, Source *from) {
  Buffer b;
  buf_init(&b);
  bool found = resolve_import(I, path->chars, from, &b);
  ObjString *full = str_take_buffer(I, &b);
  if (!found)
    interp_throw(I, "cannot import '%s': no such file beside this script or in the stdlib",
                 path->chars);
  ObjString *key = import_key(I, full->chars);
  Value seen;
  if (table_get(&I->imported, key, &seen)) return;
  const char *why = NULL;
  size_t len = 0;
  char *data = fileio_read(full->chars, &len, &why);
  if (!data) interp_throw(I, "cannot import '%s': %s", full->chars, why);
  interp_note_input(I, data, len);
  ObjString *text = str_take(I, data, len);
  Source *src = interp_add_source(I, full->chars, text->chars);
  bool incomplete;
  ObjFunction *f = compile_source(I, src, false, &incomplete);
  if (!f) interp_throw(I, "import of '%s' failed (errors above)", path->chars);
  interp_push_root(I, OBJ_VAL(f)); /* see interp_eval */
  bool linked = interp_link(I);
  interp_pop_roots(I, 1);
  if (!linked) interp_throw(I, "import of '%s' failed (errors above)", path->chars);
  table_set(I, &I->imported, key, BOOL_VAL(true));
  vm_run_toplevel(I, f);
}

/* ---- linking: stdlib files loaded on first use ----------------------------
 *
 * The state-aid audit is a large stdlib file most sessions never use, so
 * it is not compiled at start-up.  It is only parsed: its top-level `fn`
 * and `param` declarations go into I->autoload with their kind, so the
 * compiler can tell a stdlib name (and refuse to let a script redefine
 * it) by looking it up.  As jq binds its builtin.jq, loading happens in a
 * link step of its own:
 *
 *   compile  a stdlib name gets a global slot, and its file is marked needed
 *            (link_need); nothing runs, and a compilation that fails
 *            leaves no mark;
 *   link     every needed file is loaded, its code run with the collector
 *            on, before the compiled program runs (interp_link, called by
 *            interp_eval and interp_import with the compiled function
 *            rooted); an error there is printed and the program not run;
 *   run      the program finds the names defined.
 *
 * Code that is running may load a file too (interp_autoload): `set`,
 * `audit`, a run, :params and :help.  A file is loaded once; its names
 * leave the table before it runs.
 */

/* An autoload entry packs the file's index in I->lazy with the name's kind. */
#define LAZY_ENTRY(file, kind) INT_VAL((int64_t)(file) << 8 | (int64_t)(kind))
#define LAZY_FILE(v) ((int)((v).as.i >> 8))
#define LAZY_KIND(v) ((int)((v).as.i & 0xff))

/* A word of a line: the identifier at p (lexer.l's IDENT), its length or 0. */
static size_t ident_len(const char *p) {
  if (!(isalpha((unsigned char)*p) || *p == '_')) return 0;
  size_t n = 1;
  while (isalnum((unsigned char)p[n]) || p[n] == '_') n++;
  return n;
}

/* The top-level `fn NAME` and `param NAME` declarations of a stdlib file,
 * found without parsing it: each starts a line, at its first column (the
 * stdlib's layout, which check_link.c holds the files to by comparing
 * with what the parser finds).  Parsing the audit at every start-up cost
 * more than a third of it; its syntax is checked when it is loaded. */
void link_scan_decls(const char *text, void (*found)(void *ud, const char *name, size_t len, int kind), void *ud) {
  for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
    int kind;
    const char *p;
    if (strncmp(line, "fn", 2) == 0 && (line[2] == ' ' || line[2] == '\t')) {
      kind = GLOBAL_STDLIB;
      p = line + 2;
    } else if (strncmp(line, "param", 5) == 0 && (line[5] == ' ' || line[5] == '\t')) {
      kind = GLOBAL_PARAM;
      p = line + 5;
    } else {
      continue;
    }
    while (*p == ' ' || *p == '\t') p++;
    size_t n = ident_len(p);
    if (n > 0) found(ud, p, n, kind);
  }
}

typedef struct {
  Interp *I;
  int file;
} LazyScan;

static void note_lazy_name(void *ud, const char *name, size_t len, int kind) {
  LazyScan *scan = ud;
  table_set(scan->I, &scan->I->autoload, str_copy(scan->I, name, (int)len), LAZY_ENTRY(scan->file, kind));
}

/* Note stdlib `file` as loaded on first use: record its top-level
 * functions and params (link_scan_decls), without compiling or running
 * it. */
static void note_lazy_file(Interp *I, const char *file) {
  if (I->nlazy == CLUSIM_MAX_LAZY_FILES) return;
  Buffer path;
  buf_init(&path);
  buf_printf(&path, "%s/%s", I->stdlib_dir, file);
  const char *why;
  char *text = fileio_read(path.data, NULL, &why);
  buf_free(&path);
  if (!text) return;
  LazyScan scan = {I, I->nlazy};
  link_scan_decls(text, note_lazy_name, &scan);
  I->lazy[I->nlazy++] = (LazyFile){file, false};
  free(text);
}

int link_kind(Interp *I, ObjString *name) {
  Value v;
  return table_get(&I->autoload, name, &v) ? LAZY_KIND(v) : -1;
}

bool link_need(Interp *I, ObjString *name) {
  Value v;
  if (!table_get(&I->autoload, name, &v)) return false;
  I->lazy[LAZY_FILE(v)].needed = true;
  return true;
}

typedef struct {
  const char *file;
} LoadJob;

static void load_job(Interp *I, void *ud) {
  ObjString *path = str_printf(I, "%s/%s", I->stdlib_dir, ((LoadJob *)ud)->file);
  interp_push_root(I, OBJ_VAL(path)); /* the import names it after running code */
  interp_import(I, path, NULL);
  interp_pop_roots(I, 1);
}

/* The functions the model and the audit call are protected from being
 * redefined (the prelude's helpers stay the user's to change). */
static void protect_stdlib(Interp *I) {
  for (int g = 0; g < I->nglobals; g++) {
    if (I->global_kinds[g] != GLOBAL_VAR || !IS_CLOSURE(I->globals[g])) continue;
    const char *from = source_name(AS_CLOSURE(I->globals[g])->function->chunk.source);
    const char *base = strrchr(from, '/');
    base = base ? base + 1 : from;
    if (strcmp(base, "model.clu") == 0 || strcmp(base, "stateaid.clu") == 0) I->global_kinds[g] = GLOBAL_STDLIB;
  }
}

/* Load lazy file number `file` now, with the collector on: whoever calls
 * this holds nothing unrooted (the link step roots the compiled program).
 * False on an error, which is printed. */
static bool load_lazy_file(Interp *I, int file) {
  /* forget every name of this file first: loading happens once */
  for (int i = 0; i < I->autoload.capacity; i++) {
    Entry *e = &I->autoload.entries[i];
    if (e->key && LAZY_FILE(e->value) == file) table_delete(&I->autoload, e->key);
  }
  I->lazy[file].needed = false;
  bool repl = I->repl;
  I->repl = false;
  LoadJob job = {I->lazy[file].name};
  bool ok = interp_pcall(I, load_job, &job);
  I->repl = repl;
  protect_stdlib(I);
  if (!ok) {
    fputs(I->traceback.data, I->err);
    fflush(I->err);
  }
  return ok;
}

bool interp_link(Interp *I) {
  bool ok = true;
  for (int i = 0; i < I->nlazy; i++)
    if (I->lazy[i].needed && !load_lazy_file(I, i)) ok = false;
  return ok;
}

bool interp_autoload(Interp *I, const char *name) {
  Value v;
  if (!table_get(&I->autoload, str_new(I, name), &v)) return false;
  return load_lazy_file(I, LAZY_FILE(v));
}

void interp_autoload_all(Interp *I) {
  for (int i = 0; i < I->autoload.capacity; i++)
    if (I->autoload.entries[i].key) load_lazy_file(I, LAZY_FILE(I->autoload.entries[i].value));
}

/* ---- life cycle ---------------------------------------------------------- */

/* Where the stdlib lives: $CLUSIM_STDLIB, then next to the binary
 * (../share/clusim/stdlib when installed, ../stdlib in the build tree),
 * then the directory configured at build time.  I->stdlib_origin says
 * which, for the message when it is not there. */
static char *find_stdlib(Interp *I) {
  const char *env = getenv("CLUSIM_STDLIB");
  I->stdlib_origin = "set by CLUSIM_STDLIB";
  if (env && *env) return mem_strdup(I, env);
  I->stdlib_origin = "found beside the program";
  char *exe = realpath("/proc/self/exe", NULL); /* malloc'd, however long */
  char *slash = exe ? strrchr(exe, '/') : NULL;
  if (slash) {
    *slash = '\0';
    const char *tries[] = {"/../share/clusim/stdlib", "/../stdlib"};
    Buffer cand;
    buf_init(&cand);
    for (size_t i = 0; i < 2; i++) {
      buf_clear(&cand);
      buf_printf(&cand, "%s%s", exe, tries[i]);
      struct stat st;
      if (stat(cand.data, &st) == 0 && S_ISDIR(st.st_mode)) {
        char *real = realpath(cand.data, NULL);
        char *dir = real ? real : buf_take(&cand);
        buf_free(&cand);
        free(exe);
        return dir;
      }
    }
    buf_free(&cand);
  }
  free(exe);
  I->stdlib_origin = "the installed location: there is no stdlib beside the program either";
#ifdef CLUSIM_STDLIB_DIR
  return mem_strdup(I, CLUSIM_STDLIB_DIR);
#else
  return NULL;
#endif
}

static void load_stdlib(Interp *I);

Interp *interp_new(const InterpOptions *opts) {
  num_setup_gmp();
  Interp *I = memset(mem_realloc_raw(NULL, NULL, sizeof(Interp)), 0, sizeof(Interp));
  I->next_gc = (size_t)1 << 20;
  mpz_init(I->scratch_num);
  mpz_init(I->scratch_den);
  table_init(&I->strings);
  table_init(&I->global_index);
  table_init(&I->imported);
  table_init(&I->autoload);
  unit_table_init(&I->units);
  buf_init(&I->errmsg);
  buf_init(&I->traceback);
  vm_init(I);
  I->max_digits = CLUSIM_DEFAULT_MAX_DIGITS;
  I->repl = opts->repl;
  I->skip_asserts = opts->skip_asserts;
  I->jobs = opts->jobs > 0 ? opts->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (I->jobs < 1) I->jobs = 1;
  I->out = opts->out ? opts->out : stdout;
  I->err = opts->err ? opts->err : stderr;
  I->progress = I->err;
  I->inputs_digest = 1469598103934665603u; /* FNV-1a's offset basis, then this clusim's version */
  interp_note_input(I, CLUSIM_VERSION, strlen(CLUSIM_VERSION));
  I->stdlib_origin = "given by the program that runs Clusim";
  I->stdlib_dir = opts->stdlib_dir ? mem_strdup(I, opts->stdlib_dir) : find_stdlib(I);
  I->args = list_new(I);

  Value eur = INT_VAL(1), year = INT_VAL(1);
  unit_lookup(&I->units, "EUR", &eur.unit);
  unit_lookup(&I->units, "year", &year.unit);
  global_define(I, "EUR", eur, GLOBAL_UNIT, "the unit of money: 250k EUR");
  global_define(I, "year", year, GLOBAL_UNIT, "the unit of time: 3 year, 2M EUR / year");
  lib_open_all(I);
  world_open(I);
  global_define(I, "args", OBJ_VAL(I->args), GLOBAL_VAR,
                "the command-line arguments after the script name, as a list of strings");
  I->gc_enabled = true;

  if (opts->load_stdlib) load_stdlib(I);
  return I;
}

static void stdlib_problem(Interp *I, const char *fmt, const char *dir) {
  Buffer b;
  buf_init(&b);
  buf_printf(&b, fmt, dir, I->stdlib_origin);
  free(I->stdlib_problem);
  I->stdlib_problem = buf_take(&b);
}

/* Run the prelude, which imports the model; say in I->stdlib_problem when
 * it is not there or fails, for the model is what gives a scenario's
 * series their motion: without it they stay flat, a wrong answer that
 * looks like a right one. */
static void load_stdlib(Interp *I) {
  if (!I->stdlib_dir) {
    stdlib_problem(I, "cannot find the standard library%s (%s)", "");
    return;
  }
  Buffer prelude;
  buf_init(&prelude);
  buf_printf(&prelude, "%s/prelude.clu", I->stdlib_dir);
  if (!file_exists(prelude.data)) {
    stdlib_problem(I, "cannot find the standard library: there is no prelude.clu in '%s' (%s)", I->stdlib_dir);
  } else {
    table_set(I, &I->imported, import_key(I, prelude.data), BOOL_VAL(true));
    bool was_repl = I->repl;
    I->repl = false;
    if (interp_run_file(I, prelude.data) != INTERP_OK)
      stdlib_problem(I, "the standard library in '%s' (%s) failed to load: the error is above", I->stdlib_dir);
    I->repl = was_repl;
    note_lazy_file(I, "stateaid.clu");
    protect_stdlib(I);
  }
  buf_free(&prelude);
}

const char *interp_stdlib_problem(Interp *I) { return I->stdlib_problem; }

void interp_set_args(Interp *I, int argc, char **argv) {
  I->args->items.count = 0;
  for (int i = 0; i < argc; i++) list_append(I, I->args, OBJ_VAL(str_new(I, argv[i])));
}

void interp_free(Interp *I) {
  if (!I) return;
  gc_free_all(I);
  if (I->host.free) I->host.free(I);
  table_free(I, &I->strings);
  table_free(I, &I->global_index);
  table_free(I, &I->imported);
  table_free(I, &I->autoload);
  FREE_ARRAY(I, Value, I->globals, I->globals_capacity);
  FREE_ARRAY(I, ObjString *, I->global_names, I->globals_capacity);
  FREE_ARRAY(I, uint8_t, I->global_kinds, I->globals_capacity);
  FREE_ARRAY(I, const char *, I->global_docs, I->globals_capacity);
  unit_table_free(&I->units);
  mpz_clear(I->scratch_num);
  mpz_clear(I->scratch_den);
  buf_free(&I->errmsg);
  buf_free(&I->traceback);
  vm_free(I);
  Source *s = I->sources;
  while (s) {
    Source *next = s->next;
    diag_forget_lines(s);
    free(s);
    s = next;
  }
  free(I->stdlib_dir);
  free(I->stdlib_problem);
  free(I);
}

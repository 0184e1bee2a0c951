/* check_link.c - Check tests for linking: the stdlib names a program uses
 * are bound between compiling it and running it (interp.c: interp_link);
 * compiling alone loads and runs nothing.
 *
 * The tests compile with compile_program directly, so that they can look at
 * the globals between the compile step and the link step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ast.h"
#include "buffer.h"
#include "compile.h"
#include "fileio.h"
#include "interp.h"
#include "object.h"
#include "parse.h"
#include "state.h"
#include "suites.h"
#include "vm.h"

/* ---- an interpreter with a stdlib, its streams in memory ---------------- */

static Interp *I;
static FILE *out_f, *err_f;
static char *out_buf, *err_buf;
static size_t out_len, err_len;

/* stdlib_dir NULL: the stdlib of this source tree (found next to the binary). */
static void open_interp_as(const char *stdlib_dir, bool repl) {
  out_f = open_memstream(&out_buf, &out_len);
  err_f = open_memstream(&err_buf, &err_len);
  ck_assert(out_f && err_f);
  I = interp_new(&(InterpOptions){
      .repl = repl, .load_stdlib = true, .stdlib_dir = stdlib_dir, .out = out_f, .err = err_f});
  ck_assert_ptr_nonnull(I);
}

static void open_interp(const char *stdlib_dir) { open_interp_as(stdlib_dir, false); }

static void close_interp(void) {
  interp_free(I);
  fclose(out_f);
  fclose(err_f);
  free(out_buf);
  free(err_buf);
  I = NULL;
}

static const char *out_text(void) {
  fflush(out_f);
  return out_buf;
}

static const char *err_text(void) {
  fflush(err_f);
  return err_buf;
}

/* Parse and compile `text`, without linking or running it; NULL on errors. */
static ObjFunction *compile_only(const char *text) {
  Source *src = interp_add_source(I, "t", text);
  Arena arena;
  arena_init(&arena);
  Node *root = parse_source(I, src, &arena, false, NULL);
  ObjFunction *f = root ? compile_program(I, src, root, &arena) : NULL;
  arena_free(&arena);
  return f;
}

/* A global with a value (a slot the compiler made does not count). */
static bool defined(const char *name) {
  int g = global_find(I, str_new(I, name));
  return g >= 0 && !IS_UNDEF(I->globals[g]);
}

static GlobalKind kind_of(const char *name) {
  int g = global_find(I, str_new(I, name));
  ck_assert_msg(g >= 0, "no global '%s'", name);
  return (GlobalKind)I->global_kinds[g];
}

/* Is `f` still an object of the heap (not swept)?  Compares addresses only. */
static bool alive(ObjFunction *f) {
  for (Obj *o = I->objects; o; o = o->next)
    if (o == (Obj *)f) return true;
  return false;
}

/* The link step as interp_eval does it: the compiled function rooted. */
static bool link_step(ObjFunction *f) {
  interp_push_root(I, OBJ_VAL(f));
  bool ok = interp_link(I);
  interp_pop_roots(I, 1);
  ck_assert_msg(I->sp == I->stack, "%td values left on the stack after linking", I->sp - I->stack);
  return ok;
}

static void run_job(Interp *I, void *ud) { vm_run_toplevel(I, ud); }

static void run(ObjFunction *f) {
  ck_assert_msg(interp_pcall(I, run_job, f), "run failed: %s", interp_error_message(I));
}

/* ---- a stdlib of our own, in a temporary directory ------------------------ */

static char dir[64];

static void write_file(const char *name, const char *text) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

/* A stdlib with an empty prelude and `lazy` as its file loaded on first use
 * (interp.c notes the file named stateaid.clu). */
static void make_stdlib(const char *lazy) {
  snprintf(dir, sizeof dir, "%s", "/tmp/clusim-check-link-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  write_file("prelude.clu", "# nothing\n");
  write_file("stateaid.clu", lazy);
}

static void remove_stdlib(void) {
  char path[128];
  snprintf(path, sizeof path, "%s/prelude.clu", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/stateaid.clu", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/greeter.clu", dir);
  unlink(path);
  rmdir(dir);
}

/* ---- the tests ------------------------------------------------------------ */

START_TEST(test_compile_loads_nothing) {
  open_interp(NULL);
  /* start-up parsed the audit for its names and kinds, and ran none of it */
  ck_assert_int_eq(link_kind(I, str_new(I, "state_aid_audit")), GLOBAL_STDLIB);
  ck_assert_int_eq(link_kind(I, str_new(I, "de_minimis_window")), GLOBAL_PARAM);
  ck_assert_int_eq(link_kind(I, str_new(I, "sa_checked")), -1); /* a `let`, not bound on first use */
  ck_assert(!defined("state_aid_audit"));

  ObjFunction *f = compile_only("fn pct(x) = sa_percent(x)\n"
                                "print pct(de_minimis_window / 12)\n"
                                "print type(state_aid_audit)\n");
  ck_assert_msg(f != NULL, "compile errors:\n%s", err_text());
  /* compiled: the names have their slots, but the audit has not run */
  ck_assert(global_find(I, str_new(I, "sa_percent")) >= 0);
  ck_assert(!defined("sa_percent"));
  ck_assert(!defined("de_minimis_window"));
  ck_assert(!defined("state_aid_audit"));
  ck_assert(!defined("de_minimis_ceiling"));

  ck_assert_msg(link_step(f), "link failed:\n%s", err_text());
  /* linked: the whole file ran, its names are ordinary globals now */
  ck_assert(defined("sa_percent") && defined("state_aid_audit") && defined("de_minimis_window"));
  ck_assert(defined("de_minimis_ceiling"));
  ck_assert_int_eq(kind_of("state_aid_audit"), GLOBAL_STDLIB);
  ck_assert_int_eq(kind_of("de_minimis_window"), GLOBAL_PARAM);
  ck_assert_int_eq(link_kind(I, str_new(I, "state_aid_audit")), -1);

  run(f);
  ck_assert_str_eq(out_text(), "25%\nfunction\n");
  ck_assert_str_eq(err_text(), "");
  close_interp();
}
END_TEST

/* A script may not redefine a stdlib function or param: the compiler knows
 * them from the table, without loading the audit. */
START_TEST(test_reserved_names_without_loading) {
  open_interp(NULL);
  ck_assert_ptr_null(compile_only("let de_minimis_ceiling = 1\n"));
  ck_assert_ptr_nonnull(strstr(err_text(), "t:1:5: error: 'de_minimis_ceiling' is a param; change it with"));
  ck_assert_ptr_null(compile_only("fn sa_line(f) = f\n"));
  ck_assert_ptr_nonnull(strstr(err_text(), "t:1:4: error: 'sa_line' is a function of the stdlib"));
  ck_assert(!defined("de_minimis_ceiling") && !defined("sa_line") && !defined("state_aid_audit"));

  /* a name that is not the stdlib's is still unknown, with a suggestion */
  ck_assert_ptr_null(compile_only("let total = 1\nprint totl\n"));
  ck_assert_ptr_nonnull(strstr(err_text(), "t:2:7: error: unknown name 'totl' (did you mean 'total'?)"));
  ck_assert(!I->lazy[0].needed);
  close_interp();
}
END_TEST

/* At the prompt, a name inside a function may be defined by a later line;
 * a stdlib name is still the stdlib's, linked before the line runs. */
START_TEST(test_prompt_links_names_in_functions) {
  open_interp_as(NULL, true);
  ck_assert_int_eq(interp_eval(I, "<prompt>", "fn f(x) = sa_percent(x)\n", false), INTERP_OK);
  ck_assert(defined("sa_percent"));
  ck_assert_int_eq(interp_eval(I, "<prompt>", "f(1/4)\n", false), INTERP_OK);
  ck_assert_str_eq(out_text(), "\"25%\"\n");
  ck_assert_str_eq(err_text(), "");
  close_interp();
}
END_TEST

/* A lazy file that makes garbage enough for several collections. */
static const char garbage_maker[] = "param lazy_p = 7 \"a param of a file loaded on first use\"\n"
                                    "fn lazy_f(x) = x + lazy_p\n"
                                    "let junk = \"\"\n"
                                    "for i in 1..100000 { junk = \"garbage {i}\" }\n";

static const char greeter[] = "let greeting = \"made by the compiler\"\n"
                              "fn g(x) = [greeting, lazy_f(x)]\n"
                              "print g(1)\n";

/* Loading runs code with the collector on: the compiled program, rooted on
 * the value stack, survives the collections, and so do the constants its
 * chunk holds (a string, the function g). */
START_TEST(test_link_keeps_the_program) {
  make_stdlib(garbage_maker);
  open_interp(dir);
  ObjFunction *f = compile_only(greeter);
  ck_assert_msg(f != NULL, "compile errors:\n%s", err_text());
  size_t before = I->bytes_allocated;
  ck_assert_msg(link_step(f), "link failed:\n%s", err_text());
  ck_assert_msg(I->bytes_allocated < before + ((size_t)4 << 20), "no collection while linking");
  ck_assert(alive(f));
  run(f);
  ck_assert_str_eq(out_text(), "[\"made by the compiler\", 8]\n");
  close_interp();

  /* the same through interp_eval and interp_import, which root what they
   * compiled (the imported file is linked when the import runs) */
  open_interp(dir);
  ck_assert_int_eq(interp_eval(I, "t", greeter, false), INTERP_OK);
  ck_assert_str_eq(out_text(), "[\"made by the compiler\", 8]\n");
  ck_assert_str_eq(err_text(), "");
  close_interp();
  write_file("greeter.clu", greeter);
  open_interp(dir);
  char import[128];
  snprintf(import, sizeof import, "import \"%s/greeter.clu\"\n", dir);
  ck_assert_int_eq(interp_eval(I, "t", import, false), INTERP_OK);
  ck_assert_str_eq(out_text(), "[\"made by the compiler\", 8]\n");
  ck_assert_str_eq(err_text(), "");
  close_interp();
  remove_stdlib();
}
END_TEST

/* An error while loading is reported, and the program does not run. */
START_TEST(test_link_error_stops_the_program) {
  make_stdlib("fn lazy_f() = 1\nassert false, \"the lazy file is broken\"\n");
  open_interp(dir);
  ck_assert_int_eq(interp_eval(I, "t", "print \"before\"\nprint lazy_f()\n", false), INTERP_ERROR);
  ck_assert_str_eq(out_text(), "");
  ck_assert_ptr_nonnull(strstr(err_text(), "the lazy file is broken"));
  ck_assert(I->sp == I->stack && I->frame_count == 0);
  close_interp();
  remove_stdlib();
}
END_TEST

/* ---- the scan of a lazy file's names -------------------------------------- */

static void scanned(void *ud, const char *name, size_t len, int kind) {
  buf_printf(ud, "%s %.*s\n", kind == GLOBAL_PARAM ? "param" : "fn", (int)len, name);
}

/* link_scan_decls finds the top-level fns and params of each stdlib file
 * without parsing it: the same list, in the same order, as the parser's. */
START_TEST(test_scan_finds_what_the_parser_finds) {
  open_interp(NULL);
  const char *files[] = {"stateaid.clu", "model.clu", "prelude.clu"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", I->stdlib_dir, files[i]);
    const char *why;
    char *text = fileio_read(path, NULL, &why);
    ck_assert_msg(text != NULL, "%s: %s", path, why);
    Buffer by_parser, by_scan;
    buf_init(&by_parser);
    buf_init(&by_scan);
    Arena arena;
    arena_init(&arena);
    Node *root = parse_source(I, interp_add_source(I, path, text), &arena, false, NULL);
    ck_assert_msg(root != NULL, "%s does not parse", path);
    for (int j = 0; j < root->list.count; j++) {
      Node *n = root->list.items[j];
      if (n->kind == N_FNDECL || n->kind == N_PARAM)
        scanned(&by_parser, n->str, strlen(n->str), n->kind == N_PARAM ? GLOBAL_PARAM : GLOBAL_STDLIB);
    }
    link_scan_decls(text, scanned, &by_scan);
    ck_assert_msg(by_parser.len > 0 || i == 2, "%s: no declarations found", path);
    ck_assert_str_eq(by_scan.len ? by_scan.data : "", by_parser.len ? by_parser.data : "");
    arena_free(&arena);
    buf_free(&by_parser);
    buf_free(&by_scan);
    free(text);
  }
  close_interp();

  /* only a line's first column starts a declaration */
  Buffer b;
  buf_init(&b);
  link_scan_decls("fn a(x) = 1\n  fn b() = 2\nparam  c = 3\nfnord d\n# fn e\nparam\tf_1 = 4", scanned, &b);
  ck_assert_str_eq(b.data, "fn a\nparam c\nparam f_1\n");
  buf_free(&b);
}
END_TEST

Suite *link_suite(void) {
  Suite *s = suite_create("link");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_compile_loads_nothing);
  tcase_add_test(tc, test_reserved_names_without_loading);
  tcase_add_test(tc, test_prompt_links_names_in_functions);
  tcase_add_test(tc, test_link_keeps_the_program);
  tcase_add_test(tc, test_link_error_stops_the_program);
  tcase_add_test(tc, test_scan_finds_what_the_parser_finds);
  suite_add_tcase(s, tc);
  return s;
}

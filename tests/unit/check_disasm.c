/* check_disasm.c - Check tests for the disassembler (disasm.c): listings of
 * compiled programs through interp_dump, jump targets checked across the
 * whole stdlib, and hand-made chunks for what the compiler never makes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "disasm.h"
#include "interp.h"
#include "object.h"
#include "opcodes.h"
#include "state.h"
#include "suites.h"

/* Each test gets a fresh interpreter without the stdlib (so global slots
 * are few and stable) whose error stream is a memory stream. */
static Interp *I;
static FILE *err_f;
static char *err_buf;
static size_t err_len;

/* Listings handed to assertions live until the end of the test. */
static char *kept[64];
static int nkept;

static void setup(void) {
  err_f = open_memstream(&err_buf, &err_len);
  ck_assert_ptr_nonnull(err_f);
  I = interp_new(&(InterpOptions){.err = err_f});
  nkept = 0;
}

static void teardown(void) {
  interp_free(I);
  fclose(err_f);
  free(err_buf);
  for (int i = 0; i < nkept; i++) free(kept[i]);
}

static const char *keep(char *s) {
  ck_assert_int_lt(nkept, (int)(sizeof kept / sizeof kept[0]));
  kept[nkept++] = s;
  return s;
}

/* The listing interp_dump writes for `text` (named "t"). */
static const char *dump(const char *text) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  ck_assert_ptr_nonnull(out);
  InterpResult r = interp_dump(I, "t", text, out);
  fclose(out);
  fflush(err_f);
  ck_assert_msg(r == INTERP_OK, "program:\n%s\n-- does not compile:\n%s", text, err_buf);
  return keep(buf);
}

static void expect_line(const char *listing, const char *line) {
  char *want = malloc(strlen(line) + 3);
  sprintf(want, "\n%s\n", line);
  bool found = strstr(listing, want) != NULL;
  free(want);
  ck_assert_msg(found, "no line\n%s\n-- in the listing:\n%s", line, listing);
}

/* Every jump target ("+12 -> NNNN") of each function's listing is the
 * offset of one of its lines, and the disassembler flagged nothing;
 * returns how many functions the listing has. */
static int check_jumps(const char *listing) {
  static const char *flags[] = {"not an instruction start", "???", "(truncated)", "(no such",
                                "unknown)"};
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    const char *bad = strstr(listing, flags[i]);
    if (!bad) continue;
    while (bad > listing && bad[-1] != '\n') bad--;
    ck_abort_msg("the disassembler flagged a problem:\n%.*s", (int)strcspn(bad, "\n"), bad);
  }
  int functions = 0;
  for (const char *fn = strstr(listing, "== "); fn; fn = strstr(fn + 1, "\n== ")) {
    functions++;
    const char *next = strstr(fn + 1, "\n== ");
    const char *end = next ? next : listing + strlen(listing);
    for (const char *p = strstr(fn, "-> "); p && p < end; p = strstr(p + 1, "-> ")) {
      if (p[-2] < '0' || p[-2] > '9') continue; /* "-> " inside a string constant */
      char at[8];
      snprintf(at, sizeof at, "\n%.4s ", p + 3);
      const char *line = strstr(fn, at);
      ck_assert_msg(line && line < end, "a jump to %.4s lands on no instruction of %.*s", p + 3,
                    (int)strcspn(fn, "\n"), fn);
    }
  }
  return functions;
}

/* ---- listings of compiled programs -------------------------------------- */

/* Two constants too large for SMALLINT: the first loaded from the pool,
 * the second the operand of ADD_K. */
START_TEST(test_constants_then_add) {
  const char *l = dump("print 1000 + 2000\n");
  ck_assert_str_eq(l, "== <script t> (10 bytes, 2 constants, 4 stack slots) ==\n"
                      "0000     1:7  CONST              #0 1000\n"
                      "0003    1:12  ADD_K              #1 2000\n"
                      "0006     1:1  PRINT              1\n"
                      "0008     1:1  NIL\n"
                      "0009     1:1  RETURN\n");
}
END_TEST

/* A number on either side of + - * / is the operand of one instruction;
 * between two numbers only the right one is. */
START_TEST(test_constant_operands) {
  const char *l = dump("fn f(x) = [x * 2, 0.5 * x, x / 60, 1 - x, x + 0.25, 3 / x, 7 - 1000, 2 + x]\n");
  expect_line(l, "0002    1:14  MUL_K              #0 2");
  expect_line(l, "0007    1:23  K_MUL              #1 0.5");
  expect_line(l, "0012    1:30  DIV_K              #2 60");
  expect_line(l, "0017    1:38  K_SUB              #3 1");
  expect_line(l, "0022    1:45  ADD_K              #4 0.25");
  expect_line(l, "0027    1:55  K_DIV              #5 3");
  expect_line(l, "0030    1:60  SMALLINT           7");
  expect_line(l, "0032    1:62  SUB_K              #6 1000");
  expect_line(l, "0037    1:72  K_ADD              #0 2");
}
END_TEST

/* `1 + 2` takes the small-integer paths: an immediate, then ADD_INT. */
START_TEST(test_small_integers_inline) {
  const char *l = dump("print 1 + 2\n");
  expect_line(l, "0000     1:7  SMALLINT           1");
  expect_line(l, "0002     1:9  ADD_INT            2");
  expect_line(l, "0004     1:1  PRINT              1");
}
END_TEST

START_TEST(test_globals_by_slot_and_name) {
  const char *l = dump("let a = 5\nprint a - 300, \"a\\tb\"\n");
  int g = global_find(I, str_new(I, "a"));
  ck_assert_int_ge(g, 0);
  char line[128];
  snprintf(line, sizeof line, "0002     1:5  DEFINE_GLOBAL      g%d a", g);
  expect_line(l, line);
  snprintf(line, sizeof line, "0005     2:7  GET_GLOBAL         g%d a", g);
  expect_line(l, line);
  expect_line(l, "0008     2:9  SUB_K              #0 300");
  expect_line(l, "0011    2:16  CONST              #1 \"a\\tb\"");
}
END_TEST

/* Nested functions follow their parent, with what their closures capture:
 * a local of the enclosing frame, or an upvalue of the enclosing closure. */
START_TEST(test_nested_functions_and_captures) {
  const char *l = dump("fn outer(a) {\n  return fn(b) = fn() = a + b\n}\n");
  ck_assert_int_eq(check_jumps(l), 4);
  ck_assert_ptr_nonnull(strstr(l, "\n== <fn outer> (1 param, 0 upvalues, "));
  expect_line(l, "0000    2:10  CLOSURE            #0 <fn anonymous> captures local 1");
  /* b is met first: binary() looks at the right operand for ADD_LOCAL */
  expect_line(l, "0000    2:18  CLOSURE            #0 <fn anonymous> captures local 1, upvalue 0");
  expect_line(l, "0000    2:25  GET_UPVALUE        upvalue 1");
  expect_line(l, "0002    2:29  GET_UPVALUE        upvalue 0");
  expect_line(l, "0004    2:27  ADD");
}
END_TEST

/* Every kind of jump the compiler makes lands on an instruction. */
START_TEST(test_jumps_land_on_instructions) {
  const char *l = dump("let s = 0\n"
                       "let i = 0\n"
                       "while i <= 10 {\n"
                       "  i = i + 1\n"
                       "  if i mod 2 == 0 { continue }\n"
                       "  if i > 7 and s != 3 or not (i < 2) { break } else if i >= 5 { s = s - 1 }\n"
                       "}\n"
                       "fn f(xs) {\n"
                       "  let fs = []\n"
                       "  for x in xs {\n"
                       "    if x < 2 { continue }\n"
                       "    if x == 9 { break }\n"
                       "    fs = fs + [fn() = x]\n"
                       "  }\n"
                       "  while len(fs) > 0 and true { fs = [] }\n"
                       "  return fs\n"
                       "}\n"
                       "for c in \"abc\" { print c }\n"
                       "for i in 1..s { if i == 2 { continue }\n if i > 3 { break }\n print i }\n");
  ck_assert_int_eq(check_jumps(l), 3);
  ck_assert_ptr_nonnull(strstr(l, "FOR_RANGE "));
  ck_assert_ptr_nonnull(strstr(l, "FOR_RANGE_LOOP"));
  ck_assert_ptr_nonnull(strstr(l, "LOOP"));
  ck_assert_ptr_nonnull(strstr(l, "FOR_LOOP"));
  ck_assert_ptr_nonnull(strstr(l, "JUMP_IF_TRUE_KEEP"));
  ck_assert_ptr_nonnull(strstr(l, "CLOSE_SLOT"));
}
END_TEST

/* Every function of the stdlib, the state-aid audit included, decodes
 * cleanly: the operand formats of opcodes.h agree with what the compiler
 * emits, or jump targets would miss instruction starts. */
START_TEST(test_stdlib_listings_are_clean) {
  Interp *S = interp_new(&(InterpOptions){.load_stdlib = true, .err = err_f});
  interp_autoload_all(S);
  Buffer b;
  buf_init(&b);
  int functions = 0;
  for (int g = 0; g < S->nglobals; g++) {
    if (!IS_CLOSURE(S->globals[g])) continue;
    buf_clear(&b);
    disasm_chunk(S, &b, AS_CLOSURE(S->globals[g])->function);
    functions += check_jumps(b.data);
  }
  buf_free(&b);
  interp_free(S);
  ck_assert_msg(functions > 50, "only %d functions: was the stdlib found?", functions);
}
END_TEST

/* ---- hand-made chunks --------------------------------------------------- */

static ObjFunction *script(void) {
  ObjFunction *f = function_new(I, interp_add_source(I, "hand", ""));
  f->is_script = true;
  return f;
}

static void put(ObjFunction *f, int n, const uint8_t *bytes) {
  for (int i = 0; i < n; i++) chunk_write(I, &f->chunk, bytes[i], (SrcLoc){1, 1});
}

/* What the compiler never makes is shown, not trusted: a jump into the
 * middle of an instruction, a byte that is no opcode, operands cut off. */
START_TEST(test_broken_chunk_is_shown) {
  ObjFunction *f = script();
  put(f, 9, (const uint8_t[]){OP_JUMP, 1, 0, OP_SMALLINT, 5, OP_RETURN, 255, OP_CONST, 0});
  Buffer b;
  buf_init(&b);
  disasm_chunk(I, &b, f);
  const char *l = keep(buf_take(&b));
  ck_assert_str_eq(l, "== <script hand> (9 bytes, 0 constants, 0 stack slots) ==\n"
                      "0000     1:1  JUMP               +1 -> 0004 (not an instruction start)\n"
                      "0003     1:1  SMALLINT           5\n"
                      "0005     1:1  RETURN\n"
                      "0006     1:1  ??? (byte 255 is no opcode)\n"
                      "0007     1:1  CONST              (truncated)\n");
}
END_TEST

/* Every opcode's operand format is one the disassembler knows, and
 * disasm_instruction steps over exactly its operands. */
START_TEST(test_every_opcode_decodes) {
  ObjFunction *inner = function_new(I, NULL);
  Buffer b;
  buf_init(&b);
  for (int op = 0; op < OP__COUNT; op++) {
    ObjFunction *f = script();
    chunk_add_constant(I, &f->chunk, OBJ_VAL(inner));
    put(f, 8, (const uint8_t[]){(uint8_t)op, 0, 0, 0, 0, 0, 0, 0});
    buf_clear(&b);
    int next = disasm_instruction(I, &b, &f->chunk, 0);
    ck_assert_msg(next >= 1 && next <= 7, "opcode %d: next offset %d", op, next);
    ck_assert_msg(!strstr(b.data, "unknown") && !strstr(b.data, "truncated") &&
                      !strstr(b.data, "???") && b.data[b.len - 1] == '\n' &&
                      !strchr(b.data, '\n')[1],
                  "opcode %d: %s", op, b.data);
  }
  buf_free(&b);
}
END_TEST

Suite *disasm_suite(void) {
  Suite *s = suite_create("disasm");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_constants_then_add);
  tcase_add_test(tc, test_constant_operands);
  tcase_add_test(tc, test_small_integers_inline);
  tcase_add_test(tc, test_globals_by_slot_and_name);
  tcase_add_test(tc, test_nested_functions_and_captures);
  tcase_add_test(tc, test_jumps_land_on_instructions);
  tcase_add_test(tc, test_stdlib_listings_are_clean);
  tcase_add_test(tc, test_broken_chunk_is_shown);
  tcase_add_test(tc, test_every_opcode_decodes);
  suite_add_tcase(s, tc);
  return s;
}

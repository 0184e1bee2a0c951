/* check_parse.c - Check tests for the scanner, the newline filter and the
 * parser (grammar/lexer.l, grammar/parser.y) through parse_source.
 *
 * Trees are compared in a compact prefix notation built by `shape` below:
 * `print 1 + 2 * 3` is "(print (+ 1 (* 2 3)))", statements of the program
 * are separated by "; " and a nested block is written "{s1; s2}".  A failing
 * comparison therefore shows the whole tree the parser built.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ast.h"
#include "interp.h"
#include "parse.h"
#include "parser.h" /* token numbers: EQ, NOT, DOTDOT ... (generated in the build directory) */
#include "state.h"
#include "suites.h"

/* Each test gets a fresh interpreter whose error stream is a memory
 * stream, and one arena for every tree it parses. */
static Interp *I;
static FILE *err_f;
static char *err_buf;
static size_t err_len;
static Arena arena;

static void setup(void) {
  err_f = open_memstream(&err_buf, &err_len);
  ck_assert_ptr_nonnull(err_f);
  I = interp_new(&(InterpOptions){.out = err_f, .err = err_f});
  arena_init(&arena);
}

static void teardown(void) {
  arena_free(&arena);
  interp_free(I);
  fclose(err_f);
  free(err_buf);
}

/* ---- helpers ---------------------------------------------------------- */

typedef struct {
  Node *root;       /* NULL when the parse failed */
  bool incomplete;  /* what parse_source said */
  const char *err;  /* what it printed on the error stream (arena copy) */
  int nerrors;      /* how many "file:line:col: error:" headers that text has */
} Parsed;

static int count_errors(const char *text) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, ": error: ")) != NULL; p++) n++;
  return n;
}

/* Parse `text` as a source named "t". */
static Parsed parse(const char *text, bool allow_incomplete) {
  fflush(err_f);
  size_t mark = err_len;
  Source *src = interp_add_source(I, "t", text);
  Parsed p;
  p.incomplete = false;
  p.root = parse_source(I, src, &arena, allow_incomplete, &p.incomplete);
  fflush(err_f);
  p.err = arena_strdup(&arena, err_buf + mark, err_len - mark);
  p.nerrors = count_errors(p.err);
  return p;
}

static const char *op_name(int op) {
  static char one[2];
  switch (op) {
  case EQ: return "==";
  case NE: return "!=";
  case LE: return "<=";
  case GE: return ">=";
  case DOTDOT: return "..";
  case MOD: return "mod";
  case NOT: return "not";
  default:
    one[0] = (char)op;
    one[1] = '\0';
    return one;
  }
}

static void put_node(Buffer *b, Node *n);

static void put_list(Buffer *b, NodeList *l) {
  for (int i = 0; i < l->count; i++) {
    buf_putc(b, ' ');
    put_node(b, l->items[i]);
  }
}

static void put_params(Buffer *b, NodeList *l) {
  buf_putc(b, '(');
  for (int i = 0; i < l->count; i++) {
    if (i) buf_putc(b, ' ');
    buf_puts(b, l->items[i]->str);
  }
  buf_putc(b, ')');
}

static void put_string(Buffer *b, const char *s) {
  buf_putc(b, '"');
  for (; *s; s++) {
    if (*s == '\n') buf_puts(b, "\\n");
    else if (*s == '\t') buf_puts(b, "\\t");
    else if (*s == '"') buf_puts(b, "\\\"");
    else if (*s == '\\') buf_puts(b, "\\\\");
    else buf_putc(b, *s);
  }
  buf_putc(b, '"');
}

static void put_stmts(Buffer *b, Node *block) {
  for (int i = 0; i < block->list.count; i++) {
    if (i) buf_puts(b, "; ");
    put_node(b, block->list.items[i]);
  }
}

static void put_node(Buffer *b, Node *n) {
  if (!n) {
    buf_puts(b, "NULL");
    return;
  }
  switch (n->kind) {
  case N_NUMBER: buf_puts(b, n->str); break;
  case N_QUANTITY: buf_printf(b, "(qty %s %s)", n->a->kind == N_NUMBER ? n->a->str : "?", n->str); break;
  case N_STRING: put_string(b, n->str); break;
  case N_INTERP: buf_puts(b, "(interp"); put_list(b, &n->list); buf_putc(b, ')'); break;
  case N_TRUE: buf_puts(b, "true"); break;
  case N_FALSE: buf_puts(b, "false"); break;
  case N_NIL: buf_puts(b, "nil"); break;
  case N_NAME: buf_puts(b, n->str); break;
  case N_UNARY:
    buf_printf(b, "(%s ", n->op == '-' ? "neg" : op_name(n->op));
    put_node(b, n->a);
    buf_putc(b, ')');
    break;
  case N_BINARY:
    buf_printf(b, "(%s ", op_name(n->op));
    put_node(b, n->a);
    buf_putc(b, ' ');
    put_node(b, n->b);
    buf_putc(b, ')');
    break;
  case N_AND:
  case N_OR:
    buf_puts(b, n->kind == N_AND ? "(and " : "(or ");
    put_node(b, n->a);
    buf_putc(b, ' ');
    put_node(b, n->b);
    buf_putc(b, ')');
    break;
  case N_CALL: buf_puts(b, "(call "); put_node(b, n->a); put_list(b, &n->list); buf_putc(b, ')'); break;
  case N_INDEX:
    buf_puts(b, "(index ");
    put_node(b, n->a);
    buf_putc(b, ' ');
    put_node(b, n->b);
    buf_putc(b, ')');
    break;
  case N_FIELD: buf_puts(b, "(. "); put_node(b, n->a); buf_printf(b, " %s)", n->str); break;
  case N_LIST: buf_puts(b, "(list"); put_list(b, &n->list); buf_putc(b, ')'); break;
  case N_RECORD: buf_puts(b, "(record"); put_list(b, &n->list); buf_putc(b, ')'); break;
  case N_FIELD_INIT: buf_printf(b, "%s:", n->str); put_node(b, n->a); break;
  case N_FN:
    buf_puts(b, "(fn ");
    put_params(b, &n->list);
    buf_puts(b, n->op ? " = " : " ");
    put_node(b, n->a);
    buf_putc(b, ')');
    break;
  case N_TUPLE: buf_puts(b, "(tuple"); put_list(b, &n->list); buf_putc(b, ')'); break;
  case N_LET: buf_printf(b, "(let %s ", n->str); put_node(b, n->a); buf_putc(b, ')'); break;
  case N_ASSIGN:
    buf_puts(b, "(= ");
    put_node(b, n->a);
    buf_putc(b, ' ');
    put_node(b, n->b);
    buf_putc(b, ')');
    break;
  case N_IF:
    buf_puts(b, "(if ");
    put_node(b, n->a);
    buf_putc(b, ' ');
    put_node(b, n->b);
    if (n->c) {
      buf_puts(b, " else ");
      put_node(b, n->c);
    }
    buf_putc(b, ')');
    break;
  case N_WHILE:
    buf_puts(b, "(while ");
    put_node(b, n->a);
    buf_putc(b, ' ');
    put_node(b, n->b);
    buf_putc(b, ')');
    break;
  case N_FOR:
    buf_printf(b, "(for %s ", n->str);
    put_node(b, n->a);
    buf_putc(b, ' ');
    put_node(b, n->b);
    buf_putc(b, ')');
    break;
  case N_BREAK: buf_puts(b, "break"); break;
  case N_CONTINUE: buf_puts(b, "continue"); break;
  case N_RETURN:
    if (n->a) {
      buf_puts(b, "(return ");
      put_node(b, n->a);
      buf_putc(b, ')');
    } else {
      buf_puts(b, "(return)");
    }
    break;
  case N_FNDECL:
    buf_printf(b, "(fndecl %s ", n->str);
    put_params(b, &n->list);
    buf_puts(b, n->op ? " = " : " ");
    put_node(b, n->a);
    buf_putc(b, ')');
    break;
  case N_IMPORT: buf_puts(b, "(import "); put_string(b, n->str); buf_putc(b, ')'); break;
  case N_ASSERT:
    buf_puts(b, "(assert ");
    put_node(b, n->a);
    if (n->b) {
      buf_putc(b, ' ');
      put_node(b, n->b);
    }
    buf_putc(b, ')');
    break;
  case N_PRINT: buf_puts(b, "(print"); put_list(b, &n->list); buf_putc(b, ')'); break;
  case N_UNIT_DECL: buf_printf(b, "(unit %s)", n->str); break;
  case N_EXPR_STMT: put_node(b, n->a); break;
  case N_BLOCK: buf_putc(b, '{'); put_stmts(b, n); buf_putc(b, '}'); break;
  default: buf_printf(b, "<kind %d>", n->kind); break;
  }
}

/* The tree of a program that must parse, in prefix notation; if it does
 * not parse, the diagnostics instead (so the failing assertion shows them). */
static const char *shape(const char *text) {
  Parsed p = parse(text, false);
  Buffer b;
  buf_init(&b);
  if (!p.root) {
    buf_printf(&b, "PARSE FAILED: %s", p.err);
  } else {
    ck_assert_int_eq(p.root->kind, N_BLOCK);
    put_stmts(&b, p.root);
    if (p.nerrors) buf_printf(&b, " [but printed: %s]", p.err);
  }
  char *s = arena_strdup(&arena, b.data, b.len);
  buf_free(&b);
  return s;
}

#define ck_shape(src, want)                                                            \
  do {                                                                                 \
    const char *got_ = shape(src);                                                     \
    ck_assert_msg(strcmp(got_, (want)) == 0, "parsing [%s]\n  want: %s\n   got: %s", src, \
                  (want), got_);                                                       \
  } while (0)

/* Must fail with exactly `n` errors, the first containing `first`. */
static void expect_errors(const char *text, int n, const char *first) {
  Parsed p = parse(text, false);
  ck_assert_msg(p.root == NULL, "[%.200s] parsed but should not have", text);
  ck_assert_msg(p.nerrors == n, "[%.200s]: want %d error(s), got %d:\n%.2000s", text, n, p.nerrors, p.err);
  if (first)
    ck_assert_msg(strstr(p.err, first) != NULL, "[%.200s]: want an error containing \"%s\", got:\n%.2000s",
                  text, first, p.err);
}

/* ---- precedence and associativity --------------------------------------- */

START_TEST(test_arith_precedence) {
  ck_shape("1 + 2 * 3", "(+ 1 (* 2 3))");
  ck_shape("1 * 2 + 3", "(+ (* 1 2) 3)");
  ck_shape("(1 + 2) * 3", "(* (+ 1 2) 3)");
  ck_shape("1 - 2 - 3", "(- (- 1 2) 3)");
  ck_shape("8 / 4 / 2", "(/ (/ 8 4) 2)");
  ck_shape("7 mod 3 * 2", "(* (mod 7 3) 2)");
  ck_shape("1 + 7 mod 3", "(+ 1 (mod 7 3))");
}
END_TEST

START_TEST(test_power_and_unary_minus) {
  /* unary minus is looser than ^ : -2^2 is -(2^2) = -4 */
  ck_shape("-2 ^ 2", "(neg (^ 2 2))");
  ck_shape("2 ^ 3 ^ 2", "(^ 2 (^ 3 2))");
  ck_shape("2 ^ -1", "(^ 2 (neg 1))");
  ck_shape("-x * y", "(* (neg x) y)");
  ck_shape("- -x", "(neg (neg x))");
  ck_shape("-a.b", "(neg (. a b))");
  ck_shape("2 * 3 ^ 2", "(* 2 (^ 3 2))");
}
END_TEST

START_TEST(test_logic_precedence) {
  ck_shape("a < b and c", "(and (< a b) c)");
  ck_shape("a or b and c", "(or a (and b c))");
  ck_shape("a and b or c", "(or (and a b) c)");
  ck_shape("not a == b", "(not (== a b))");
  ck_shape("not a and b", "(and (not a) b)");
  ck_shape("not not a", "(not (not a))");
  ck_shape("a + 1 >= b * 2", "(>= (+ a 1) (* b 2))");
  ck_shape("a != b or a <= c", "(or (!= a b) (<= a c))");
  ck_shape("x > 1 and x < 5", "(and (> x 1) (< x 5))");
}
END_TEST

START_TEST(test_range_precedence) {
  ck_shape("1..n + 1", "(.. 1 (+ n 1))");
  ck_shape("a..b == r", "(== (.. a b) r)");
  ck_shape("for y in 2025..2030 { print y }", "(for y (.. 2025 2030) {(print y)})");
}
END_TEST

START_TEST(test_nonassoc_comparisons) {
  /* == < .. do not chain */
  expect_errors("a < b < c", 1, "syntax error");
  expect_errors("a == b == c", 1, "syntax error");
  expect_errors("1..2..3", 1, "syntax error");
}
END_TEST

START_TEST(test_postfix) {
  ck_shape("a.b[1](2, 3)", "(call (index (. a b) 1) 2 3)");
  ck_shape("f()()", "(call (call f))");
  ck_shape("f(1,)", "(call f 1)");
  ck_shape("xs[i + 1].name", "(. (index xs (+ i 1)) name)");
  ck_shape("-f(x)^2", "(neg (^ (call f x) 2))");
}
END_TEST

START_TEST(test_quantity) {
  ck_shape("250k EUR", "(qty 250k EUR)");
  ck_shape("2M EUR / year", "(/ (qty 2M EUR) year)");
  ck_shape("2 * 3 EUR", "(* 2 (qty 3 EUR))");
  ck_shape("-5 EUR", "(neg (qty 5 EUR))");
  ck_shape("12% * 1.2M EUR", "(* 12% (qty 1.2M EUR))");
  ck_shape("1_000_000 EUR", "(qty 1_000_000 EUR)");
  /* juxtaposition binds tighter than ^ */
  ck_shape("3 year ^ 2", "(^ (qty 3 year) 2)");
  ck_shape("let x = 3.2e-2 job", "(let x (qty 3.2e-2 job))");

  Parsed p = parse("print 250k EUR", false);
  ck_assert_ptr_nonnull(p.root);
  Node *q = p.root->list.items[0]->list.items[0];
  ck_assert_int_eq(q->kind, N_QUANTITY);
  ck_assert_int_eq(q->a->kind, N_NUMBER);
  ck_assert_str_eq(q->a->str, "250k");
  ck_assert_str_eq(q->str, "EUR");
}
END_TEST

START_TEST(test_number_literals) {
  ck_shape("print 42, 1_000, 2.5, 0.125, 1e6, 3.2e-2, 2.5M, 400k, 3bn, 12%, 0.5%",
           "(print 42 1_000 2.5 0.125 1e6 3.2e-2 2.5M 400k 3bn 12% 0.5%)");
}
END_TEST

/* ---- statements -------------------------------------------------------- */

START_TEST(test_statements) {
  ck_shape("let x = 5", "(let x 5)");
  ck_shape("x = x + 1", "(= x (+ x 1))");
  ck_shape("r.a[2] = 3", "(= (index (. r a) 2) 3)");
  ck_shape("while x > 0 { x = x - 1 }", "(while (> x 0) {(= x (- x 1))})");
  ck_shape("fn double(x) = x * 2", "(fndecl double (x) = (* x 2))");
  ck_shape("fn g(a, b) { return a }", "(fndecl g (a b) {(return a)})");
  ck_shape("fn h() { return }", "(fndecl h () {(return)})");
  ck_shape("let f = fn(x) = x + 1", "(let f (fn (x) = (+ x 1)))");
  ck_shape("let f = fn() { }", "(let f (fn () {}))");
  ck_shape("assert t > 0, \"positive\"", "(assert (> t 0) \"positive\")");
  ck_shape("assert ok", "(assert ok)");
  ck_shape("print", "(print)");
  ck_shape("print \"jobs:\", c.jobs", "(print \"jobs:\" (. c jobs))");
  ck_shape("print(1, 2)", "(print (tuple 1 2))");
  ck_shape("import \"lib/common.clu\"", "(import \"lib/common.clu\")");
  ck_shape("unit job", "(unit job)");
  ck_shape("for c in xs { if c { break } else { continue } }",
           "(for c xs {(if c {break} else {continue})})");
  ck_shape("if a { 1 } else if b { 2 } else { 3 }", "(if a {1} else (if b {2} else {3}))");
  ck_shape("[]", "(list)");
  ck_shape("[1, [2], {}]", "(list 1 (list 2) (record))");
  ck_shape("true and false or nil", "(or (and true false) nil)");
  ck_shape("", "");
  ck_shape("\n\n  # only a comment\n\n", "");
  ck_shape("#!/usr/bin/env clusim\nprint 1", "(print 1)");
}
END_TEST

/* ---- strings ----------------------------------------------------------- */

START_TEST(test_strings) {
  ck_shape("\"plain\"", "\"plain\"");
  ck_shape("\"\"", "\"\"");
  ck_shape("\"a\\nb\\tc \\\"q\\\" \\\\ \\{x}\"", "\"a\\nb\\tc \\\"q\\\" \\\\ {x}\"");
  /* a string may span lines */
  ck_shape("\"line1\nline2\"", "\"line1\\nline2\"");
}
END_TEST

START_TEST(test_interpolation) {
  ck_shape("\"a {x} b\"", "(interp \"a \" x \" b\")");
  ck_shape("\"{x}\"", "(interp \"\" x \"\")");
  ck_shape("\"{c.name} has {c.members.sme} SMEs\"",
           "(interp \"\" (. c name) \" has \" (. (. c members) sme) \" SMEs\")");
  ck_shape("\"{a}{b}{c}\"", "(interp \"\" a \"\" b \"\" c \"\")");
  ck_shape("\"sum {1 + 2 * 3}!\"", "(interp \"sum \" (+ 1 (* 2 3)) \"!\")");
  /* a record inside an interpolation: its braces are not the end */
  ck_shape("\"r={ {a: 1}.a }\"", "(interp \"r=\" (. (record a:1) a) \"\")");
  /* nested interpolation */
  ck_shape("\"x{ \"y{z}\" }w\"", "(interp \"x\" (interp \"y\" z \"\") \"w\")");
  /* a string inside an interpolation, followed by more of the outer string */
  ck_shape("\"<{f(\"}\")}>\"", "(interp \"<\" (call f \"}\") \">\")");
  /* escaped brace is text */
  ck_shape("\"\\{x} {y}\"", "(interp \"{x} \" y \"\")");

  /* the parts, checked one by one */
  Parsed p = parse("print \"a {x} b {y + 1} c\"", false);
  ck_assert_ptr_nonnull(p.root);
  Node *s = p.root->list.items[0]->list.items[0];
  ck_assert_int_eq(s->kind, N_INTERP);
  ck_assert_int_eq(s->list.count, 5);
  int kinds[] = {N_STRING, N_NAME, N_STRING, N_BINARY, N_STRING};
  const char *text[] = {"a ", "x", " b ", NULL, " c"};
  for (int i = 0; i < 5; i++) {
    ck_assert_msg((int)s->list.items[i]->kind == kinds[i], "part %d: kind %d, want %d", i,
                  s->list.items[i]->kind, kinds[i]);
    if (text[i]) ck_assert_str_eq(s->list.items[i]->str, text[i]);
  }
}
END_TEST

START_TEST(test_utf8) {
  /* UTF-8 in strings and comments is kept byte for byte */
  ck_shape("# ünïcödé comment ✓\nlet s = \"héllo ✓ €\" # € again\nprint s",
           "(let s \"héllo ✓ €\"); (print s)");
  ck_shape("\"Zürich {n} €\"", "(interp \"Zürich \" n \" €\")");
  /* columns count characters, not bytes: '@' is the 11th character */
  Parsed p = parse("print \"é\" @", false);
  ck_assert_ptr_null(p.root);
  ck_assert_msg(strstr(p.err, "t:1:11: error: unexpected character '@'") != NULL, "got:\n%s", p.err);
  /* UTF-8 outside strings and comments is not allowed */
  expect_errors("let é = 1", 1, "unexpected character 'é'");
  expect_errors("print 1 ✓", 1, "unexpected character '✓'");
}
END_TEST

/* ---- newlines --------------------------------------------------------- */

START_TEST(test_newline_continuation) {
  ck_shape("let x = 1 +\n  2", "(let x (+ 1 2))");
  ck_shape("let x = a and\n b or\n c", "(let x (or (and a b) c))");
  ck_shape("let x = a ==\n b", "(let x (== a b))");
  ck_shape("let x = 1..\n 3", "(let x (.. 1 3))");
  ck_shape("let x = 7 mod\n 3", "(let x (mod 7 3))");
  ck_shape("let x =\n 5", "(let x 5)");
  ck_shape("let x = not\n y", "(let x (not y))");
  ck_shape("print 1,\n 2", "(print 1 2)");
  ck_shape("let xs = [1,\n2,\n\n3]", "(let xs (list 1 2 3))");
  ck_shape("let xs = [\n  1\n  , 2\n]", "(let xs (list 1 2))");
  ck_shape("f(1,\n 2)", "(call f 1 2)");
  ck_shape("let y = (1\n + 2\n * 3)", "(let y (+ 1 (* 2 3)))");
  ck_shape("let f = fn(x) =\n x * 2", "(let f (fn (x) = (* x 2)))");
  ck_shape("fn f(a,\n b) {\n\n return a\n\n}", "(fndecl f (a b) {(return a)})");
  ck_shape("let z = xs[\n 1\n]", "(let z (index xs 1))");
  ck_shape("let v = c.\n name", "(let v (. c name))");
  /* a newline ends a statement otherwise */
  ck_shape("let x = 1\n- 2", "(let x 1); (neg 2)");
}
END_TEST

START_TEST(test_newline_separators) {
  ck_shape("let x = 1\nlet y = 2", "(let x 1); (let y 2)");
  ck_shape("print 1; print 2", "(print 1); (print 2)");
  ck_shape("print 1;; print 2;", "(print 1); (print 2)");
  ck_shape("\n\nprint 1\n\n\n# c\n\nprint 2\n\n", "(print 1); (print 2)");
  ck_shape("while x { x = 0; print x }", "(while x {(= x 0); (print x)})");
  ck_shape("if x {\n print 1\n print 2\n}", "(if x {(print 1); (print 2)})");
  ck_shape("if x {\r\n print 1\r\n}\r\n", "(if x {(print 1)})");
}
END_TEST

START_TEST(test_else_on_next_line) {
  ck_shape("if x {\n print 1\n}\nelse {\n print 2\n}", "(if x {(print 1)} else {(print 2)})");
  ck_shape("if x { print 1 }\n\n# comment\n\nelse { print 2 }\nprint 3",
           "(if x {(print 1)} else {(print 2)}); (print 3)");
  ck_shape("if a { 1 }\nelse if b { 2 }\nelse { 3 }", "(if a {1} else (if b {2} else {3}))");
  /* without else, the newline after } ends the if */
  ck_shape("if x { print 1 }\nprint 2", "(if x {(print 1)}); (print 2)");
}
END_TEST

START_TEST(test_statement_after_brace) {
  ck_shape("if x { print 1 } print 2", "(if x {(print 1)}); (print 2)");
  ck_shape("fn fib(n) { if n < 2 { return n } return fib(n - 1) + fib(n - 2) }",
           "(fndecl fib (n) {(if (< n 2) {(return n)}); "
           "(return (+ (call fib (- n 1)) (call fib (- n 2))))})");
  ck_shape("while a { a = 0 } let b = 1", "(while a {(= a 0)}); (let b 1)");
  ck_shape("fn f() { } f()", "(fndecl f () {}); (call f)");
  ck_shape("let r = {a: 1} print r", "(let r (record a:1)); (print r)");
  /* but an operator after } continues the expression */
  ck_shape("let r = {a: 1}.a + 1", "(let r (+ (. (record a:1) a) 1))");
}
END_TEST

/* ---- records ---------------------------------------------------------- */

START_TEST(test_records) {
  ck_shape("let r = {sme: 620, large: 80}", "(let r (record sme:620 large:80))");
  ck_shape("let r = {\n  sme: 620\n  large: 80\n}", "(let r (record sme:620 large:80))");
  ck_shape("let r = {\n  sme: 620,\n  large: 80,\n}", "(let r (record sme:620 large:80))");
  ck_shape("let r = {a: {b: 1}, c: [1, 2]}", "(let r (record a:(record b:1) c:(list 1 2)))");
  ck_shape("let r = {}", "(let r (record))");
  ck_shape("let r = {a:\n 1}", "(let r (record a:1))");
}
END_TEST

START_TEST(test_keyword_field_names) {
  ck_shape("let r = {if: 1, for: 2, print: 3, mod: 4, in: 5, not: 6, let: 7, fn: 8}",
           "(let r (record if:1 for:2 print:3 mod:4 in:5 not:6 let:7 fn:8))");
  ck_shape("let r = {true: 1, nil: 2, region: 3, scenario: 4, unit: 5, else: 6, return: 7}",
           "(let r (record true:1 nil:2 region:3 scenario:4 unit:5 else:6 return:7))");
  ck_shape("print r.if + r.mod + r.print", "(print (+ (+ (. r if) (. r mod)) (. r print)))");
  ck_shape("r.for = r.while", "(= (. r for) (. r while))");
  ck_shape("print c.year, c.EUR", "(print (. c year) (. c EUR))");
}
END_TEST

/* ---- syntax errors ---------------------------------------------------- */

START_TEST(test_several_errors) {
  const char *text =
      "let = 1\n"
      "print 2 + * 3\n"
      "let ok = 5\n"
      "let y = )\n"
      "print 4\n"
      "fn 1(x) = 1\n";
  Parsed p = parse(text, false);
  ck_assert_ptr_null(p.root);
  ck_assert_msg(!p.incomplete, "should not be incomplete:\n%s", p.err);
  ck_assert_msg(p.nerrors == 4, "want 4 errors, got %d:\n%s", p.nerrors, p.err);
  const char *want[] = {"t:1:5: error: syntax error: unexpected '='",
                        "t:2:11: error: syntax error: unexpected '*'",
                        "t:4:9: error: syntax error: unexpected ')'",
                        "t:6:4: error: syntax error: unexpected number"};
  const char *at = p.err;
  for (int i = 0; i < 4; i++) {
    const char *hit = strstr(at, want[i]);
    ck_assert_msg(hit != NULL, "want (in order) \"%s\" in:\n%s", want[i], p.err);
    at = hit + 1;
  }
  /* each error quotes its line with a caret */
  ck_assert_msg(strstr(p.err, "    2 | print 2 + * 3\n      |           ^\n") != NULL, "got:\n%s",
                p.err);
}
END_TEST

START_TEST(test_error_messages) {
  expect_errors("let = 3", 1, "t:1:5: error: syntax error: unexpected '=', expected name");
  expect_errors("print 1)", 1, "t:1:8: error: syntax error: unexpected ')'");
  expect_errors("print 1 }", 1, "syntax error: unexpected '}'");
  expect_errors("let x = ]", 1, "syntax error: unexpected ']'");
  expect_errors("if x print 1", 1, "syntax error");
  expect_errors("fn f(1) { }", 1, "syntax error");
  /* the end of input is named as such */
  expect_errors("print 1 +", 1, "t:1:10: error: syntax error: unexpected end of input");
  expect_errors("print (1, 2", 1, "unexpected end of input");
}
END_TEST

START_TEST(test_scanner_errors) {
  expect_errors("let w = 5kg", 1,
                "t:1:9: error: malformed number '5kg' (write a space between a number and its unit)");
  expect_errors("print 2.5MEUR", 1, "malformed number '2.5MEUR'");
  expect_errors("print 12%x", 1, "malformed number '12%x'");
  expect_errors("print 1 @ 2", 1, "t:1:9: error: unexpected character '@'");
  expect_errors("print $", 1, "unexpected character '$'");
  expect_errors("print 1 \x01", 1, "unexpected byte 0x01");
  expect_errors("let s = \"abc", 1, "t:1:9: error: unterminated string");
  expect_errors("let s = \"abc\nprint 1\n", 1, "t:1:9: error: unterminated string");
  expect_errors("print \"a\\qb\"", 1, "unknown escape '\\q' in string");
  /* several scanner errors on different lines are all reported */
  expect_errors("print 5kg\nprint 1 @\nprint 2\nprint 3 $", 3, "malformed number '5kg'");
}
END_TEST

/* ---- incomplete input (the prompt's `...> `) ------------------------- */

/* With allow_incomplete: INCOMPLETE, NULL, and nothing printed.  Without:
 * an error is printed. */
static void expect_incomplete(const char *text) {
  Parsed p = parse(text, true);
  ck_assert_msg(p.root == NULL, "[%s] parsed, want incomplete", text);
  ck_assert_msg(p.incomplete, "[%s] not incomplete; printed:\n%s", text, p.err);
  ck_assert_msg(p.err[0] == '\0', "[%s] incomplete but printed:\n%s", text, p.err);
  Parsed q = parse(text, false);
  ck_assert_msg(q.root == NULL && q.nerrors >= 1,
                "[%s] without allow_incomplete: want an error, got %d error(s): %s", text,
                q.nerrors, q.err);

  fflush(err_f);
  size_t mark = err_len;
  InterpResult r = interp_eval(I, "t", text, true);
  fflush(err_f);
  ck_assert_msg(r == INTERP_INCOMPLETE, "interp_eval([%s], allow) = %d, want INTERP_INCOMPLETE", text,
                r);
  ck_assert_msg(err_len == mark, "interp_eval([%s]) printed: %s", text, err_buf + mark);
}

/* A real error, reported, not mistaken for an unfinished statement. */
static void expect_not_incomplete(const char *text) {
  Parsed p = parse(text, true);
  ck_assert_msg(p.root == NULL, "[%s] parsed, want an error", text);
  ck_assert_msg(!p.incomplete, "[%s] reported as incomplete; it is an error", text);
  ck_assert_msg(p.nerrors >= 1, "[%s] printed no error: \"%s\"", text, p.err);
  InterpResult r = interp_eval(I, "t", text, true);
  ck_assert_msg(r == INTERP_ERROR, "interp_eval([%s], allow) = %d, want INTERP_ERROR", text, r);
}

START_TEST(test_incomplete) {
  expect_incomplete("fn f(x) {");
  expect_incomplete("let x = [1,");
  expect_incomplete("let s = \"abc");
  expect_incomplete("print 1 +");
  expect_incomplete("fn f(x) {\n  let y = x\n");
  expect_incomplete("if x {\n print 1\n} else {");
  expect_incomplete("if x { print 1 } else");
  expect_incomplete("while x <");
  expect_incomplete("let r = {a: 1,");
  expect_incomplete("let r = {");
  expect_incomplete("print f(1, 2");
  expect_incomplete("print (1 + 2");
  expect_incomplete("let x = xs[");
  expect_incomplete("let f = fn(x) =");
  expect_incomplete("let s = \"a {x");
  expect_incomplete("let s = \"a {x} b");
  expect_incomplete("let s = \"line one\nline two");
  expect_incomplete("let x = a and");
  expect_incomplete("let x =");
  expect_incomplete("for y in 2025..2030 {");
  expect_incomplete("fn f(a,");
}
END_TEST

START_TEST(test_not_incomplete) {
  expect_not_incomplete("print 1)");
  expect_not_incomplete("let = 3");
  expect_not_incomplete("print 1 }");
  expect_not_incomplete("let x = ]");
  expect_not_incomplete("print 5kg");
  expect_not_incomplete("print 1 @");
  /* an error before the end wins over the unfinished statement after it */
  expect_not_incomplete("print 1)\nfn f() {");
  expect_not_incomplete("let = 3\nlet x = [1,");
  expect_not_incomplete("print 5kg +");
  expect_not_incomplete("print 1 @ (");
}
END_TEST

START_TEST(test_complete_input) {
  /* complete statements parse with allow_incomplete too */
  const char *ok[] = {"print 1", "fn f(x) { return x }", "let x = [1,\n2]", "let s = \"abc\"",
                      "if x { print 1 }", "let s = \"{1}\"", "print 1 # trailing comment {",
                      "let s = \"\\{\" + \"[\"", "let f = fn(x) = x\nprint f(1)"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    Parsed p = parse(ok[i], true);
    ck_assert_msg(p.root && !p.incomplete && p.nerrors == 0, "[%s]: root=%p incomplete=%d: %s", ok[i],
                  (void *)p.root, p.incomplete, p.err);
  }
}
END_TEST

/* ---- limits --------------------------------------------------------- */

static char *repeat_text(const char *head, const char *piece, int n, const char *mid,
                         const char *close, const char *tail) {
  Buffer b;
  buf_init(&b);
  buf_puts(&b, head);
  for (int i = 0; i < n; i++) buf_puts(&b, piece);
  buf_puts(&b, mid);
  for (int i = 0; i < n; i++) buf_puts(&b, close);
  buf_puts(&b, tail);
  return buf_take(&b);
}

START_TEST(test_deep_nesting) {
  /* moderately deep nesting parses */
  char *t = repeat_text("print ", "(", 200, "1", ")", "");
  Parsed p = parse(t, false);
  ck_assert_msg(p.root != NULL, "200 parentheses: %.300s", p.err);
  free(t);
  t = repeat_text("print ", "[", 300, "", "]", "");
  p = parse(t, false);
  ck_assert_msg(p.root != NULL, "300 brackets: %.300s", p.err);
  free(t);
  /* absurdly deep nesting is one error, not a crash */
  t = repeat_text("print ", "(", 50000, "1", ")", "");
  p = parse(t, false);
  ck_assert_ptr_null(p.root);
  ck_assert_msg(p.nerrors == 1, "want 1 error, got %d: %.300s", p.nerrors, p.err);
  free(t);
  /* a long left-associative chain is not nesting for the parser */
  Buffer b;
  buf_init(&b);
  buf_puts(&b, "let x = 1");
  for (int i = 0; i < 3000; i++) buf_puts(&b, " + 1");
  p = parse(b.data, false);
  ck_assert_msg(p.root != NULL, "long chain: %.300s", p.err);
  buf_free(&b);
}
END_TEST

START_TEST(test_locations) {
  Parsed p = parse("let x = 1\n  print a + b", false);
  ck_assert_ptr_nonnull(p.root);
  Node *let = p.root->list.items[0];
  ck_assert_int_eq(let->loc.line, 1);
  ck_assert_int_eq(let->loc.col, 5); /* the name */
  Node *print = p.root->list.items[1];
  ck_assert_int_eq(print->loc.line, 2);
  ck_assert_int_eq(print->loc.col, 3);
  Node *plus = print->list.items[0];
  ck_assert_int_eq(plus->kind, N_BINARY);
  ck_assert_int_eq(plus->loc.line, 2);
  ck_assert_int_eq(plus->loc.col, 11); /* the operator */
  ck_assert_int_eq(plus->b->loc.col, 13);
}
END_TEST

/* Regression tests: each of these failed before its bug was fixed. */

/* lexer.l's <<EOF>> rule in strings sets ps->incomplete even when a real
 * error came first, so the prompt shows `...> ` and hides the error. */
START_TEST(test_error_before_unterminated_string) {
  expect_not_incomplete("print 1) \"abc");
  expect_not_incomplete("print 5kg \"abc");
  expect_not_incomplete("print 1 @ \"abc");
}
END_TEST

/* The newline filter drops a newline before `else` whatever precedes it,
 * so a field named `else` cannot start a line of a record. */
START_TEST(test_else_field_on_its_own_line) {
  ck_shape("let r = {\n  a: 1\n  else: 2\n}", "(let r (record a:1 else:2))");
}
END_TEST

/* Bison's own "memory exhausted" is reported instead of parse.c's message. */
START_TEST(test_nesting_message) {
  char *t = repeat_text("print ", "(", 50000, "1", ")", "");
  expect_errors(t, 1, "nested too deeply");
  free(t);
}
END_TEST

Suite *parse_suite(void) {
  Suite *s = suite_create("parse");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_arith_precedence);
  tcase_add_test(tc, test_power_and_unary_minus);
  tcase_add_test(tc, test_logic_precedence);
  tcase_add_test(tc, test_range_precedence);
  tcase_add_test(tc, test_nonassoc_comparisons);
  tcase_add_test(tc, test_postfix);
  tcase_add_test(tc, test_quantity);
  tcase_add_test(tc, test_number_literals);
  tcase_add_test(tc, test_statements);
  tcase_add_test(tc, test_strings);
  tcase_add_test(tc, test_interpolation);
  tcase_add_test(tc, test_utf8);
  tcase_add_test(tc, test_newline_continuation);
  tcase_add_test(tc, test_newline_separators);
  tcase_add_test(tc, test_else_on_next_line);
  tcase_add_test(tc, test_statement_after_brace);
  tcase_add_test(tc, test_records);
  tcase_add_test(tc, test_keyword_field_names);
  tcase_add_test(tc, test_several_errors);
  tcase_add_test(tc, test_error_messages);
  tcase_add_test(tc, test_scanner_errors);
  tcase_add_test(tc, test_incomplete);
  tcase_add_test(tc, test_not_incomplete);
  tcase_add_test(tc, test_complete_input);
  tcase_add_test(tc, test_deep_nesting);
  tcase_add_test(tc, test_locations);
  tcase_add_test(tc, test_error_before_unterminated_string);
  tcase_add_test(tc, test_else_field_on_its_own_line);
  tcase_add_test(tc, test_nesting_message);
  suite_add_tcase(s, tc);
  return s;
}

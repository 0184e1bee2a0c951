/* check_fileio.c - Check tests for the whole-file reader (fileio.c): the
 * text and its length, and the reason in plain words for each failure. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "suites.h"

static char dir[64];
static char path[4096];

static void setup(void) {
  strcpy(dir, "/tmp/clusim-fileio-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* The path of `name` in the test's directory, written with `data`. */
static const char *file_with(const char *name, const char *data, size_t n) {
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(data, 1, n, f), n);
  fclose(f);
  return path;
}

static void expect_failure(const char *p, const char *want) {
  const char *why = NULL;
  size_t len = 12345;
  char *text = fileio_read(p, &len, &why);
  ck_assert_msg(text == NULL, "reading %s succeeded", p);
  ck_assert_msg(why && strcmp(why, want) == 0, "reading %s: want \"%s\", got \"%s\"", p, want,
                why ? why : "(null)");
  ck_assert_uint_eq(len, 12345); /* untouched on failure */
}

START_TEST(test_reads_text) {
  const char *p = file_with("a.clu", "print 1\nprint 2\n", 16);
  const char *why = NULL;
  size_t len = 0;
  char *text = fileio_read(p, &len, &why);
  ck_assert_str_eq(text, "print 1\nprint 2\n");
  ck_assert_uint_eq(len, 16);
  free(text);
  p = file_with("empty.clu", "", 0);
  text = fileio_read(p, NULL, &why);
  ck_assert_str_eq(text, "");
  free(text);
}
END_TEST

START_TEST(test_reads_large_text) {
  size_t n = 100000;
  char *big = malloc(n);
  for (size_t i = 0; i < n; i++) big[i] = (char)('a' + i % 26);
  const char *p = file_with("big.txt", big, n);
  const char *why = NULL;
  size_t len = 0;
  char *text = fileio_read(p, &len, &why);
  ck_assert_uint_eq(len, n);
  ck_assert(memcmp(text, big, n) == 0 && text[n] == '\0');
  free(text);
  free(big);
}
END_TEST

START_TEST(test_reasons) {
  snprintf(path, sizeof path, "%s/missing.clu", dir);
  expect_failure(path, "no such file");
  const char *p = file_with("plain.clu", "x", 1);
  char below[4200];
  snprintf(below, sizeof below, "%s/inside.clu", p); /* a path through a file */
  expect_failure(below, "no such file");
  expect_failure(dir, "it is a directory");
  expect_failure(file_with("nul.clu", "print 1\0print 2\n", 16), "it is not a text file");
  if (geteuid() != 0) { /* root reads anything */
    p = file_with("secret.clu", "x", 1);
    ck_assert_int_eq(chmod(p, 0), 0);
    expect_failure(p, "permission denied");
  }
}
END_TEST

START_TEST(test_stream) {
  FILE *f = tmpfile();
  ck_assert_ptr_nonnull(f);
  fputs("skipped\nrest\n", f);
  fseek(f, 8, SEEK_SET);
  const char *why = NULL;
  size_t len = 0;
  char *text = fileio_read_stream(f, &len, &why);
  ck_assert_str_eq(text, "rest\n"); /* what is left of the stream */
  ck_assert_uint_eq(len, 5);
  free(text);
  fclose(f);
  f = tmpfile();
  fwrite("a\0b", 1, 3, f);
  rewind(f);
  ck_assert_ptr_null(fileio_read_stream(f, NULL, &why));
  ck_assert_str_eq(why, "it is not a text file");
  fclose(f);
}
END_TEST

Suite *fileio_suite(void) {
  Suite *s = suite_create("fileio");
  TCase *tc = tcase_create("whole files");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_reads_text);
  tcase_add_test(tc, test_reads_large_text);
  tcase_add_test(tc, test_reasons);
  tcase_add_test(tc, test_stream);
  suite_add_tcase(s, tc);
  return s;
}

/* check_progress.c - Check tests for the progress bar's text
 * (progress_format, progress_format_duration) and the locale test
 * (locale_is_utf8). */
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "suites.h"

static char text[512];

static const char *bar(const char *what, int64_t done, int64_t total, double elapsed, int width, bool unicode) {
  Buffer b;
  buf_init(&b);
  progress_format(&b, what, done, total, "runs", elapsed, width, unicode);
  snprintf(text, sizeof text, "%s", b.data);
  buf_free(&b);
  return text;
}

static const char *duration(double s) {
  Buffer b;
  buf_init(&b);
  progress_format_duration(&b, s);
  snprintf(text, sizeof text, "%s", b.data);
  buf_free(&b);
  return text;
}

START_TEST(test_ascii_bar) {
  /* 80 columns: the bar takes the room left, at most 40 cells */
  ck_assert_str_eq(bar("run m", 250, 1000, 10.0, 80, false),
                   "run m [##########..............................]  25%  250/1000 runs  30 s left");
  /* a longer tail leaves a shorter bar: the line stays within 79 columns */
  ck_assert_str_eq(bar("run m", 0, 1000, 0.0, 80, false),
                   "run m [...........................]   0%  0/1000 runs  estimating the time left");
  ck_assert_str_eq(bar("run m", 1000, 1000, 12.0, 80, false),
                   "run m [########################################] 100%  1000/1000 runs  0 s left");
}
END_TEST

START_TEST(test_narrow_and_clamped) {
  /* a narrow terminal: a shorter bar, then none */
  const char *t = bar("run m", 500, 1000, 10.0, 60, false);
  ck_assert_int_le((int)strlen(t), 59);
  ck_assert_ptr_nonnull(strstr(t, "[###"));
  ck_assert_str_eq(bar("run m", 500, 1000, 10.0, 40, false), "run m:  50%  500/1000 runs  10 s left");
  /* done beyond the total, or negative, is clamped, never a share above 100% */
  ck_assert_ptr_nonnull(strstr(bar("run m", 2000, 1000, 1.0, 80, false), " 100%  1000/1000 runs"));
  ck_assert_ptr_nonnull(strstr(bar("run m", -5, 1000, 1.0, 80, false), "   0%  0/1000 runs"));
}
END_TEST

START_TEST(test_unicode_bar) {
  /* 40 cells at 1/3: 13 full blocks, one of 2/8 (13.33 cells: U+258E), 26 light shades */
  const char *t = bar("run m", 1, 3, 1.0, 80, true);
  ck_assert_ptr_nonnull(strstr(t, "run m  \u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u258E\u2591"));
  ck_assert_ptr_nonnull(strstr(t, "\u2591   33%  1/3 runs  2 s left"));
  int shades = 0;
  for (const char *p = t; (p = strstr(p, "\u2591")); p++) shades++;
  ck_assert_int_eq(shades, 26);
}
END_TEST

START_TEST(test_durations) {
  ck_assert_str_eq(duration(0), "0 s");
  ck_assert_str_eq(duration(0.2), "1 s");
  ck_assert_str_eq(duration(59.5), "1 min 00 s");
  ck_assert_str_eq(duration(200), "3 min 20 s");
  ck_assert_str_eq(duration(3599.5), "1 h 00 min");
  ck_assert_str_eq(duration(3600 + 5 * 60 + 1), "1 h 06 min");
  ck_assert_str_eq(duration(2 * 3600 + 59 * 60 + 30), "3 h 00 min");
  ck_assert_str_eq(duration(-1), "?");
  ck_assert_str_eq(duration(0.0 / 0.0), "?");
}
END_TEST

START_TEST(test_locale) {
  const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
  char *saved[3];
  for (int i = 0; i < 3; i++) {
    const char *v = getenv(vars[i]);
    saved[i] = v ? strdup(v) : NULL;
    unsetenv(vars[i]);
  }
  ck_assert(!locale_is_utf8());
  setenv("LANG", "de_DE.UTF-8", 1);
  ck_assert(locale_is_utf8());
  setenv("LC_CTYPE", "fr_FR.utf8", 1);
  ck_assert(locale_is_utf8());
  setenv("LC_ALL", "C", 1); /* LC_ALL wins */
  ck_assert(!locale_is_utf8());
  setenv("LC_ALL", "en_IE.ISO-8859-15", 1);
  ck_assert(!locale_is_utf8());
  for (int i = 0; i < 3; i++) {
    if (saved[i]) setenv(vars[i], saved[i], 1);
    else unsetenv(vars[i]);
    free(saved[i]);
  }
}
END_TEST

Suite *progress_suite(void) {
  Suite *s = suite_create("progress");
  TCase *tc = tcase_create("format");
  tcase_add_test(tc, test_ascii_bar);
  tcase_add_test(tc, test_narrow_and_clamped);
  tcase_add_test(tc, test_unicode_bar);
  tcase_add_test(tc, test_durations);
  tcase_add_test(tc, test_locale);
  suite_add_tcase(s, tc);
  return s;
}

/* check_help.c - Check tests for the prompt's help topics (world_help.c):
 * every name a topic quotes in `backticks` is a param (with help) or a
 * field of the model; every example runs in a small world; topics are
 * found by name, alias, any case, spaces or hyphens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "suites.h"
#include "world_help.h"

static Interp *I;
static FILE *sink;
static char *sink_buf;
static size_t sink_len;

/* what else the topics quote: fields of declarations, statements */
static const char *fields[] = {"capacity", "excellence", "ecosystem", "aid_zone", "partnership", "audit", NULL};

/* A world in which every topic's example can run. */
static const char *world =
    "region Occitanie { country: \"FR\", aid_zone: \"a\" }\n"
    "region Bavaria { country: \"DE\", aid_zone: \"none\" }\n"
    "cluster AerospaceValley { region: Occitanie, members: {sme: 620, large: 80, research: 40}, budget: 2.4M EUR / year }\n"
    "cluster BavAIRia { region: Bavaria, members: {sme: 280, large: 50, research: 30}, budget: 1.8M EUR / year }\n"
    "programme Regional { level: \"regional\", budget: 4M EUR, aid: \"gber27\" }\n"
    "programme Region { level: \"regional\", budget: 4M EUR, aid: \"gber27\" }\n"
    "scenario baseline { years: 2025..2030 }\n"
    "scenario policy extends baseline { set scaleup_boost = 6% }\n"
    "scenario scaleup extends baseline { set scaleup_boost = 6% }\n"
    "run baseline, policy, scaleup\n";

static void setup(void) {
  sink = open_memstream(&sink_buf, &sink_len);
  ck_assert_ptr_nonnull(sink);
  I = interp_new(&(InterpOptions){.out = sink, .err = sink, .load_stdlib = true});
  ck_assert_ptr_nonnull(I);
  interp_autoload_all(I);
  ck_assert_int_eq(interp_eval(I, "world", world, false), INTERP_OK);
}

static void teardown(void) {
  interp_free(I);
  fclose(sink);
  free(sink_buf);
}

START_TEST(test_quoted_names_exist) {
  int checked = 0;
  for (const HelpTopic *t = help_topics; t->name; t++) {
    for (const char *p = strchr(t->text, '`'); p; p = strchr(p + 1, '`')) {
      const char *end = strchr(p + 1, '`');
      ck_assert_ptr_nonnull(end);
      char name[64];
      size_t len = (size_t)(end - p - 1);
      ck_assert_uint_lt(len, sizeof name);
      memcpy(name, p + 1, len);
      name[len] = '\0';
      bool field = false;
      for (int i = 0; fields[i]; i++) field |= strcmp(fields[i], name) == 0;
      ck_assert_msg(field || interp_help(I, name), "topic %s quotes `%s`, which is neither a param nor a field or statement",
                    t->name, name);
      checked++;
      p = end;
    }
  }
  ck_assert_int_gt(checked, 20);
}
END_TEST

START_TEST(test_examples_run) {
  int n = 0;
  for (const HelpTopic *t = help_topics; t->name; t++) {
    const char *ex = strstr(t->text, "Example: ");
    ck_assert_msg(ex != NULL, "topic %s has no example", t->name);
    ex += strlen("Example: ");
    const char *nl = strchr(ex, '\n');
    ck_assert_msg(nl && nl[1] == '\0', "topic %s: the example is not its last line", t->name);
    char code[512];
    ck_assert_uint_lt((size_t)(nl - ex), sizeof code);
    memcpy(code, ex, (size_t)(nl - ex));
    code[nl - ex] = '\0';
    fflush(sink);
    size_t mark = sink_len;
    InterpResult r = interp_eval(I, t->name, code, false);
    fflush(sink);
    ck_assert_msg(r == INTERP_OK, "the example of topic %s fails:\n%s\n%s", t->name, code, sink_buf + mark);
    /* a scenario's sets are checked when it runs */
    if (strncmp(code, "scenario ", 9) == 0) {
      char run[128];
      snprintf(run, sizeof run, "run %.*s", (int)strcspn(code + 9, " "), code + 9);
      r = interp_eval(I, t->name, run, false);
      fflush(sink);
      ck_assert_msg(r == INTERP_OK, "the example of topic %s fails when run:\n%s\n%s", t->name, code, sink_buf + mark);
    }
    n++;
  }
  ck_assert_int_ge(n, 9);
}
END_TEST

START_TEST(test_find) {
  ck_assert_str_eq(help_topic_find("critical_mass")->name, "critical_mass");
  ck_assert_str_eq(help_topic_find("Critical mass")->name, "critical_mass");
  ck_assert_str_eq(help_topic_find("de-minimis")->name, "de_minimis");
  ck_assert_str_eq(help_topic_find("GBER")->name, "gber27");
  ck_assert_str_eq(help_topic_find("art27")->name, "gber27");
  ck_assert_str_eq(help_topic_find("scale-up")->name, "scaleup");
  ck_assert_str_eq(help_topic_find("cliff")->name, "funding_cliff");
  ck_assert_str_eq(help_topic_find("critical")->name, "critical_mass");
  ck_assert_ptr_null(help_topic_find("critica")); /* a name or alias matches whole */
  ck_assert_ptr_null(help_topic_find("gber2"));
  ck_assert_ptr_null(help_topic_find(""));
  ck_assert_ptr_null(help_topic_find("critical_masses"));
}
END_TEST

Suite *help_suite(void) {
  Suite *s = suite_create("help");
  TCase *tc = tcase_create("topics");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_quoted_names_exist);
  tcase_add_test(tc, test_examples_run);
  tcase_add_test(tc, test_find);
  suite_add_tcase(s, tc);
  return s;
}

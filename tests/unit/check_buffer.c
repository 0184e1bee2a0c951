/* check_buffer.c - Check tests for buffer.c's text for HTML and XML
 * (buf_put_html), which the report (world_html.c) and the SVG charts
 * (world_plot.c) write every name and string of the program through. */
#include "buffer.h"
#include "suites.h"

static const char *escaped(Buffer *b, const char *s) {
  buf_clear(b);
  buf_put_html(b, s);
  return b->data;
}

START_TEST(test_html_escape) {
  Buffer b;
  buf_init(&b);
  ck_assert_str_eq(escaped(&b, ""), "");
  ck_assert_str_eq(escaped(&b, "plain text"), "plain text");
  ck_assert_str_eq(escaped(&b, "<b>a & b</b>"), "&lt;b&gt;a &amp; b&lt;/b&gt;");
  ck_assert_str_eq(escaped(&b, "\"double\" 'single'"), "&quot;double&quot; &#39;single&#39;");
  ck_assert_str_eq(escaped(&b, "&amp;"), "&amp;amp;"); /* never taken as a reference already made */
  ck_assert_str_eq(escaped(&b, "<<>>"), "&lt;&lt;&gt;&gt;");
  ck_assert_str_eq(escaped(&b, "caf\xc3\xa9 \xe2\x86\x92"), "caf\xc3\xa9 \xe2\x86\x92"); /* UTF-8 as it is */
  /* control characters are not allowed in XML 1.0: spaces; tab and newline stay */
  ck_assert_str_eq(escaped(&b, "a\x01" "b\x1f" "c\td\ne\rf"), "a b c\td\ne f");
  /* appended after what the buffer holds */
  buf_clear(&b);
  buf_puts(&b, "<td>");
  buf_put_html(&b, "1 < 2");
  ck_assert_str_eq(b.data, "<td>1 &lt; 2");
  ck_assert_uint_eq(b.len, strlen(b.data));
  buf_free(&b);
}
END_TEST

Suite *buffer_suite(void) {
  Suite *s = suite_create("buffer");
  TCase *tc = tcase_create("html");
  tcase_add_test(tc, test_html_escape);
  suite_add_tcase(s, tc);
  return s;
}

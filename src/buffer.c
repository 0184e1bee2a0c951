/* buffer.c - growable byte buffer (see buffer.h). */
#include "buffer.h"

#include <stdio.h>
#include <stdlib.h>

#include "memory.h"

/* Running out of memory here prints and exits (mem_realloc_raw with no
 * interpreter): a Buffer has no Interp, and interp_throw itself formats
 * its message into Buffers, so a raise from here could recurse. */
static void grow(Buffer *b, size_t need) {
  if (b->len + need + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + need + 1) cap *= 2;
  b->data = mem_realloc_raw(NULL, b->data, cap);
  b->cap = cap;
}

void buf_init(Buffer *b) {
  b->data = NULL;
  b->len = b->cap = 0;
  grow(b, 0);
  b->data[0] = '\0';
}

void buf_free(Buffer *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void buf_clear(Buffer *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

void buf_put(Buffer *b, const char *s, size_t n) {
  grow(b, n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void buf_putc(Buffer *b, char c) { buf_put(b, &c, 1); }

void buf_puts(Buffer *b, const char *s) { buf_put(b, s, strlen(s)); }

void buf_vprintf(Buffer *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return;
  grow(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void buf_printf(Buffer *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

char *buf_take(Buffer *b) {
  char *s = b->data;
  b->data = NULL;
  b->len = b->cap = 0;
  return s;
}

void buf_put_html(Buffer *b, const char *s) {
  for (const char *run = s;; s++) {
    unsigned char c = (unsigned char)*s;
    const char *ref = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;"
                    : c == '\'' ? "&#39;"
                    : c && c < 0x20 && c != '\t' && c != '\n' ? " " /* not allowed in XML 1.0 */
                    : NULL;
    if (!ref && c) continue;
    buf_put(b, run, (size_t)(s - run));
    if (!ref) return;
    buf_puts(b, ref);
    run = s + 1;
  }
}

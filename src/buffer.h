/* buffer.h - a growable byte buffer for building strings and messages. */
#ifndef CLUSIM_BUFFER_H
#define CLUSIM_BUFFER_H

#include <stdarg.h>
#include <stddef.h>

#include "common.h"

/* data is always NUL-terminated (after buf_init it is ""). Memory comes
 * from malloc (mem_realloc_raw, uncounted): buffers are short-lived scratch
 * space, not heap objects, and are freed by their owner with buf_free.
 * Running out of memory in a Buffer prints and exits (see memory.h). */
typedef struct Buffer {
  char *data;
  size_t len, cap;
} Buffer;

void buf_init(Buffer *b);
void buf_free(Buffer *b);
void buf_clear(Buffer *b);
void buf_putc(Buffer *b, char c);
void buf_put(Buffer *b, const char *s, size_t n);
void buf_puts(Buffer *b, const char *s);
void buf_printf(Buffer *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_vprintf(Buffer *b, const char *fmt, va_list ap);
/* s as text for HTML or XML (an element's text or an attribute's value in
 * double or single quotes): & < > " ' written as character references, and
 * control characters but tab and newline (not allowed in XML 1.0) as
 * spaces.  The report (world_html.c) and the SVG charts (world_plot.c)
 * write every name and string through it. */
void buf_put_html(Buffer *b, const char *s);
/* Hand the contents to the caller (malloc'd) and reset the buffer. */
char *buf_take(Buffer *b);

#endif

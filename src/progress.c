/* progress.c - the progress bar of long work (see progress.h). */
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool locale_is_utf8(void) {
  const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
  for (int i = 0; i < 3; i++) {
    const char *v = getenv(vars[i]);
    if (!v || !*v) continue;
    const char *dot = strchr(v, '.');
    if (!dot) return false;
    return strncasecmp(dot + 1, "utf-8", 5) == 0 || strncasecmp(dot + 1, "utf8", 4) == 0;
  }
  return false;
}

int output_columns(FILE *f) {
  int fd = f ? fileno(f) : -1;
#ifdef TIOCGWINSZ
  struct winsize ws;
  if (fd >= 0 && isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
#endif
  const char *env = getenv("COLUMNS");
  if (env && *env) {
    char *end;
    long n = strtol(env, &end, 10);
    if (*end == '\0' && n > 0 && n < 100000) return (int)n;
  }
  return 0;
}

/* The bar's width: the terminal's, or 80 when it says less than 20. */
static int terminal_width(FILE *f) {
  int w = output_columns(f);
  return w >= 20 ? w : 80;
}

void progress_format_duration(Buffer *b, double seconds) {
  if (!(seconds >= 0) || seconds > 1e9) { /* NaN or absurd: say nothing false */
    buf_puts(b, "?");
    return;
  }
  long long s = (long long)ceil(seconds);
  if (s < 60) buf_printf(b, "%lld s", s);
  else if (s < 3600) buf_printf(b, "%lld min %02lld s", s / 60, s % 60);
  else {
    long long h = s / 3600, m = (s % 3600 + 59) / 60; /* minutes rounded up */
    if (m == 60) h++, m = 0;
    buf_printf(b, "%lld h %02lld min", h, m);
  }
}

static void put_bar(Buffer *b, int cells, double share, bool unicode) {
  int eighths = (int)(share * cells * 8 + 1e-9);
  if (eighths > cells * 8) eighths = cells * 8;
  buf_putc(b, unicode ? ' ' : '[');
  if (unicode) {
    /* U+2588 full block, then U+2589..U+258F: seven eighths down to one */
    static const char *part[8] = {"", "\u258F", "\u258E", "\u258D", "\u258C", "\u258B", "\u258A", "\u2589"};
    int full = eighths / 8, rest = eighths % 8;
    for (int i = 0; i < full; i++) buf_puts(b, "\u2588");
    int used = full;
    if (rest) {
      buf_puts(b, part[rest]);
      used++;
    }
    for (int i = used; i < cells; i++) buf_puts(b, "\u2591"); /* light shade */
  } else {
    int full = eighths / 8;
    for (int i = 0; i < cells; i++) buf_putc(b, i < full ? '#' : '.');
  }
  buf_putc(b, unicode ? ' ' : ']');
}

void progress_format(Buffer *b, const char *what, int64_t done, int64_t total, const char *unit, double elapsed,
                     int width, bool unicode) {
  if (total < 1) total = 1;
  if (done < 0) done = 0;
  if (done > total) done = total;
  double share = (double)done / (double)total;
  Buffer tail;
  buf_init(&tail);
  buf_printf(&tail, " %3d%%  %lld/%lld %s  ", (int)(share * 100), (long long)done, (long long)total, unit);
  if (done == 0 || elapsed <= 0) buf_puts(&tail, "estimating the time left");
  else {
    progress_format_duration(&tail, elapsed / (double)done * (double)(total - done));
    buf_puts(&tail, " left");
  }
  size_t what_len = strlen(what);
  int room = width - 1 - (int)what_len - 1 - (int)tail.len - 2; /* one column spare, a space, two brackets */
  if (room > 40) room = 40;
  buf_puts(b, what);
  if (room >= 5) {
    buf_putc(b, ' ');
    put_bar(b, room, share, unicode);
  } else {
    buf_putc(b, ':');
  }
  buf_put(b, tail.data, tail.len);
  buf_free(&tail);
}

void progress_start(Progress *p, FILE *err, const char *what, int64_t total, const char *unit) {
  memset(p, 0, sizeof *p);
  snprintf(p->what, sizeof p->what, "%s", what);
  snprintf(p->unit, sizeof p->unit, "%s", unit);
  p->total = total;
  p->start = now();
  p->delay = PROGRESS_DELAY;
  const char *e = getenv("CLUSIM_PROGRESS");
  if (e && strcmp(e, "0") == 0) return;
  if (e && strcmp(e, "now") == 0) p->delay = 0;
  if (!err || !isatty(fileno(err))) return;
  p->out = err;
  p->unicode = locale_is_utf8();
}

void progress_update(Progress *p, int64_t done) {
  if (!p->out) return;
  double t = now();
  if (t - p->start < p->delay || (p->drawn && t - p->shown_at < 0.1)) return;
  Buffer b;
  buf_init(&b);
  buf_puts(&b, "\r");
  progress_format(&b, p->what, done, p->total, p->unit, t - p->start, terminal_width(p->out), p->unicode);
  buf_puts(&b, "\033[K");
  fputs(b.data, p->out);
  fflush(p->out);
  buf_free(&b);
  p->drawn = true;
  p->shown_at = t;
}

void progress_end(Progress *p) {
  if (p->out && p->drawn) {
    fputs("\r\033[K", p->out);
    fflush(p->out);
  }
  p->drawn = false;
  p->out = NULL;
}

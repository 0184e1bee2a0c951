/* pty_driver.c - plays a script of keystrokes and expectations against an
 * interactive program running in a pseudo-terminal (tests of the prompt).
 *
 * Usage: pty_driver [-v] SCRIPT -- CMD [ARGS...]
 *
 * CMD runs in a new pseudo-terminal of 80x24 with TERM=xterm (or the value
 * of PTY_DRIVER_TERM), LINES=24 and COLUMNS=80, so that GNU Readline behaves
 * as it does for a person.  Everything CMD writes is captured into a
 * transcript with ANSI escape sequences (CSI, OSC, DCS, two-byte ESC
 * sequences), carriage returns and the other C0 control characters except
 * newline and tab removed: tests match what a reader sees, never escape codes
 * or how Readline chose to redraw the line.
 *
 * The SCRIPT has one command per line; blank lines and lines starting with
 * `#` are ignored, leading blanks are skipped:
 *
 *   send TEXT        type TEXT (C escapes: \n \t \r \e \\ \" \xHH; \x03 is
 *                    Ctrl-C, \x04 Ctrl-D, \t a Tab)
 *   expect TEXT      wait (up to the timeout) until TEXT appears in the output
 *                    after the end of the last successful expect; the next
 *                    expect starts after this match
 *   expect-not TEXT  the output after the last successful expect, as far as it
 *                    has arrived, must not contain TEXT (checked at once)
 *   sleep MS         wait MS milliseconds, still collecting output
 *   timeout S        the timeout (seconds, default 5) for later expect/exit
 *   exit N           wait (up to the timeout) for CMD to exit with status N
 *                    (above 128: or to be killed by signal N - 128, as a
 *                    shell reports it: 130 is SIGINT)
 *
 * TEXT is the rest of the line after one space, taken literally apart from
 * the escapes.  It may be written in double quotes, `expect "clusim> "`, to
 * make leading or trailing spaces visible (and safe from editors); the quotes
 * are then removed, and a `"` inside is written \".  A TEXT that merely starts
 * and ends with a quote is therefore unquoted: write \"hi\" to mean "hi".
 *
 * On the first failure it prints SCRIPT:LINE, what was expected, what
 * happened, and the transcript, then ends CMD and exits 1.  Exit status 2 is
 * a usage error, a malformed script or a system failure.  -v prints each
 * step and the transcript also when everything passed.  If the script ends
 * with CMD still running, CMD is hung up (SIGHUP, then SIGTERM, SIGKILL).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT 5.0

typedef enum { CMD_SEND, CMD_EXPECT, CMD_EXPECT_NOT, CMD_SLEEP, CMD_TIMEOUT, CMD_EXIT } CmdKind;

/* One script line.  `text` is decoded (escapes applied) and may contain NUL
 * bytes, hence the length; `number` holds the argument of sleep, timeout
 * and exit. */
typedef struct {
  CmdKind kind;
  int line;
  char *text;
  size_t len;
  double number;
} Cmd;

typedef struct {
  char *data;
  size_t len, cap;
} Buf;

/* States of the escape-sequence stripper.  It runs on the bytes as they
 * arrive, so a sequence split between two reads is still removed. */
typedef enum { ST_TEXT, ST_ESC, ST_ESC_INTER, ST_CSI, ST_STRING, ST_STRING_ESC } StripState;

/* The running program and what it has written so far.  `out` is the
 * stripped transcript; `mark` is where the next expect starts searching. */
typedef struct {
  const char *script;
  int master;
  pid_t pid;
  bool eof;        /* the master side read EOF or EIO: no more output */
  bool reaped;     /* waitpid collected the child; `status` is valid */
  int status;
  Buf out;
  size_t mark;
  StripState strip;
  double timeout;  /* seconds, for expect and exit */
  bool verbose;
} Session;

static void die_nomem(void) {
  fputs("pty_driver: out of memory\n", stderr);
  exit(2);
}

static void buf_push(Buf *b, char c) {
  if (b->len + 1 >= b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 4096;
    char *data = realloc(b->data, cap);
    if (!data) die_nomem();
    b->data = data;
    b->cap = cap;
  }
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
}

/* The transcript buffer always exists and is NUL-terminated, so that
 * `data + mark` is valid even before any output arrived. */
static void buf_init(Buf *b) {
  b->cap = 4096;
  b->len = 0;
  b->data = malloc(b->cap);
  if (!b->data) die_nomem();
  b->data[0] = '\0';
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

/* ---- Reading the script ------------------------------------------------ */

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decode the escapes of s[0..n) into a new buffer.  Returns NULL and sets
 * *bad to the offending text on an unknown escape. */
static char *unescape(const char *s, size_t n, size_t *out_len, const char **bad) {
  char *r = malloc(n + 1);
  if (!r) die_nomem();
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '\\') {
      r[k++] = s[i];
      continue;
    }
    if (++i == n) {
      *bad = "a lone \\ at the end";
      free(r);
      return NULL;
    }
    switch (s[i]) {
      case 'n': r[k++] = '\n'; break;
      case 't': r[k++] = '\t'; break;
      case 'r': r[k++] = '\r'; break;
      case 'e': r[k++] = '\x1b'; break;
      case '0': r[k++] = '\0'; break;
      case '\\': r[k++] = '\\'; break;
      case '"': r[k++] = '"'; break;
      case 'x': {
        int v = 0, digits = 0;
        while (digits < 2 && i + 1 < n && hexval((unsigned char)s[i + 1]) >= 0) {
          v = v * 16 + hexval((unsigned char)s[++i]);
          digits++;
        }
        if (digits == 0) {
          *bad = "\\x without hex digits";
          free(r);
          return NULL;
        }
        r[k++] = (char)v;
        break;
      }
      default:
        *bad = "an unknown escape (use \\n \\t \\r \\e \\0 \\\\ \\\" \\xHH)";
        free(r);
        return NULL;
    }
  }
  r[k] = '\0';
  *out_len = k;
  return r;
}

/* True if s[0..n) is wrapped in double quotes whose closing one is not
 * escaped by a backslash. */
static bool is_quoted(const char *s, size_t n) {
  if (n < 2 || s[0] != '"' || s[n - 1] != '"') return false;
  size_t backslashes = 0;
  for (size_t i = n - 1; i > 1 && s[i - 1] == '\\'; i--) backslashes++;
  return backslashes % 2 == 0;
}

static void free_cmds(Cmd *cmds, size_t n) {
  for (size_t i = 0; i < n; i++) free(cmds[i].text);
  free(cmds);
}

/* Parse the whole script before starting the program, so that a typo is
 * reported at once.  Returns false after printing a message. */
static bool parse_script(const char *path, Cmd **out_cmds, size_t *out_n) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "pty_driver: cannot open %s: %s\n", path, strerror(errno));
    return false;
  }
  Cmd *cmds = NULL;
  size_t n = 0, cap = 0;
  char *line = NULL;
  size_t line_cap = 0;
  ssize_t got;
  int lineno = 0;
  bool ok = true;

  while (ok && (got = getline(&line, &line_cap, f)) != -1) {
    lineno++;
    size_t len = (size_t)got;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '\0' || *p == '#') continue;

    char *word = p;
    while (*p && *p != ' ' && *p != '\t') p++;
    size_t word_len = (size_t)(p - word);
    const char *arg = *p ? p + 1 : p;  /* the text after exactly one blank */
    size_t arg_len = strlen(arg);

    Cmd c = {0};
    c.line = lineno;
#define IS(w) (word_len == strlen(w) && strncmp(word, w, word_len) == 0)
    if (IS("send") || IS("expect") || IS("expect-not")) {
      c.kind = IS("send") ? CMD_SEND : IS("expect") ? CMD_EXPECT : CMD_EXPECT_NOT;
      const char *t = arg;
      size_t tn = arg_len;
      if (is_quoted(t, tn)) {
        t++;
        tn -= 2;
      }
      const char *bad = NULL;
      c.text = unescape(t, tn, &c.len, &bad);
      if (!c.text) {
        fprintf(stderr, "%s:%d: %s\n", path, lineno, bad);
        ok = false;
      } else if (c.len == 0) {
        fprintf(stderr, "%s:%d: %.*s needs a text\n", path, lineno, (int)word_len, word);
        ok = false;
      }
    } else if (IS("sleep") || IS("timeout") || IS("exit")) {
      c.kind = IS("sleep") ? CMD_SLEEP : IS("timeout") ? CMD_TIMEOUT : CMD_EXIT;
      char *end;
      errno = 0;
      c.number = strtod(arg, &end);
      while (*end == ' ' || *end == '\t') end++;
      bool valid = end != arg && *end == '\0' && errno == 0 && c.number >= 0;
      if (c.kind == CMD_EXIT) valid = valid && c.number <= 255 && c.number == (int)c.number;
      if (c.kind == CMD_TIMEOUT) valid = valid && c.number > 0;
      if (c.kind == CMD_SLEEP) valid = valid && c.number <= 600000;
      if (!valid) {
        fprintf(stderr, "%s:%d: bad number '%s' for %.*s\n", path, lineno, arg, (int)word_len, word);
        ok = false;
      }
    } else {
      fprintf(stderr, "%s:%d: unknown command '%.*s' (send, expect, expect-not, sleep, timeout, exit)\n",
              path, lineno, (int)word_len, word);
      ok = false;
    }
#undef IS
    if (!ok) {
      free(c.text);
      break;
    }
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      Cmd *grown = realloc(cmds, cap * sizeof *cmds);
      if (!grown) die_nomem();
      cmds = grown;
    }
    cmds[n++] = c;
  }
  if (ok && ferror(f)) {
    fprintf(stderr, "pty_driver: error reading %s\n", path);
    ok = false;
  }
  free(line);
  fclose(f);
  if (!ok) {
    free_cmds(cmds, n);
    return false;
  }
  *out_cmds = cmds;
  *out_n = n;
  return true;
}

/* ---- The program's output ---------------------------------------------- */

/* Feed one byte of raw output through the stripper into the transcript. */
static void strip_byte(Session *S, unsigned char c) {
  switch (S->strip) {
    case ST_TEXT:
      if (c == 0x1b)
        S->strip = ST_ESC;
      else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
        ;  /* \r, BEL, backspace...: cursor motion and noise */
      else
        buf_push(&S->out, (char)c);
      break;
    case ST_ESC:
      if (c == '[')
        S->strip = ST_CSI;
      else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_')
        S->strip = ST_STRING;
      else if (c >= 0x20 && c <= 0x2f)
        S->strip = ST_ESC_INTER;
      else if (c != 0x1b)
        S->strip = ST_TEXT;
      break;
    case ST_ESC_INTER:  /* ESC ( B and the like */
      if (c < 0x20 || c > 0x2f) S->strip = ST_TEXT;
      break;
    case ST_CSI:        /* parameters and intermediates, then a final byte */
      if (c == 0x1b)
        S->strip = ST_ESC;
      else if (c >= 0x40 && c <= 0x7e)
        S->strip = ST_TEXT;
      break;
    case ST_STRING:     /* OSC, DCS...: ends with BEL or ESC \ */
      if (c == 0x07)
        S->strip = ST_TEXT;
      else if (c == 0x1b)
        S->strip = ST_STRING_ESC;
      break;
    case ST_STRING_ESC:
      S->strip = c == '\\' ? ST_TEXT : ST_STRING;
      break;
  }
}

/* Collect the child's exit status if it has exited (waiting up to wait_ms).
 * While the exited child is still a zombie its id cannot be reused, so that
 * is the moment to kill what it left running in its process group (a stray
 * process would outlive the test and could hold the terminal open). */
static void try_reap(Session *S, int wait_ms) {
  double deadline = now_s() + wait_ms / 1000.0;
  while (!S->reaped) {
    siginfo_t info = {0};
    int r = waitid(P_PID, (id_t)S->pid, &info, WEXITED | WNOHANG | WNOWAIT);
    if (r == 0 && info.si_pid == S->pid) {
      kill(-S->pid, SIGKILL);
      while (waitpid(S->pid, &S->status, 0) == -1 && errno == EINTR) {
      }
      S->reaped = true;
      break;
    }
    if (r == -1 && errno != EINTR) {  /* ECHILD: cannot happen, but never spin */
      S->reaped = true;
      S->status = 0;
      break;
    }
    if (now_s() >= deadline) break;
    sleep_ms(5);
  }
}

/* Wait up to timeout_ms for output and read what is there.  Returns false
 * when the output has ended (EOF or EIO on the master: the program and
 * everything it started have closed the terminal). */
static bool pump(Session *S, int timeout_ms) {
  if (S->eof) {
    if (timeout_ms > 0) sleep_ms(timeout_ms < 10 ? timeout_ms : 10);
    return false;
  }
  struct pollfd pfd = {S->master, POLLIN, 0};
  int r = poll(&pfd, 1, timeout_ms);
  if (r == -1) {
    if (errno == EINTR) return true;
    perror("pty_driver: poll");
    exit(2);
  }
  if (r == 0) return true;
  /* Read what is there, but return now and then to a program that never
   * stops writing, so that the caller can check its deadline. */
  for (int chunks = 0; chunks < 64; chunks++) {
    char chunk[4096];
    ssize_t got = read(S->master, chunk, sizeof chunk);
    if (got > 0) {
      size_t before = S->out.len;
      for (ssize_t i = 0; i < got; i++) strip_byte(S, (unsigned char)chunk[i]);
      if (S->verbose && S->out.len > before) fwrite(S->out.data + before, 1, S->out.len - before, stderr);
      continue;
    }
    if (got == -1 && errno == EINTR) continue;
    if (got == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    /* 0 or EIO: the slave side is closed for good. */
    S->eof = true;
    try_reap(S, 1000);
    return false;
  }
  return true;
}

/* ---- Reporting ---------------------------------------------------------- */

static void print_visible(FILE *f, const char *s, size_t n) {
  fputc('"', f);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\n') fputs("\\n", f);
    else if (c == '\t') fputs("\\t", f);
    else if (c == '\\') fputs("\\\\", f);
    else if (c == '"') fputs("\\\"", f);
    else if (c < 0x20 || c == 0x7f) fprintf(f, "\\x%02x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

static void describe_status(FILE *f, int status) {
  if (WIFEXITED(status))
    fprintf(f, "exited with status %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    fprintf(f, "was killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
  else
    fprintf(f, "changed state (status 0x%x)", (unsigned)status);
}

/* Failure reports show at most this much of the end of the output. */
#define SHOW_TRANSCRIPT 65536
#define SHOW_RECENT 2000

static void print_transcript(const Session *S, FILE *f) {
  fputs("--- transcript (escape sequences and \\r removed) ---\n", f);
  size_t from = 0;
  if (S->out.len > SHOW_TRANSCRIPT) {
    from = S->out.len - SHOW_TRANSCRIPT;
    fprintf(f, "[... the first %zu bytes left out ...]\n", from);
  }
  fwrite(S->out.data + from, 1, S->out.len - from, f);
  if (S->out.len && S->out.data[S->out.len - 1] != '\n') fputs("\n--- (no newline at end)", f);
  fputs("\n--- end of transcript ---\n", f);
}

/* Print a failure for script line `c` and the transcript. */
static void fail(Session *S, const Cmd *c, const char *fmt, ...) {
  static const char *names[] = {"send", "expect", "expect-not", "sleep", "timeout", "exit"};
  FILE *f = stderr;
  fprintf(f, "%s:%d: %s", S->script, c->line, names[c->kind]);
  if (c->text) {
    fputc(' ', f);
    print_visible(f, c->text, c->len);
  } else if (c->kind == CMD_EXIT) {
    fprintf(f, " %d", (int)c->number);
  }
  fputs(" failed: ", f);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  fputc('\n', f);
  if (S->reaped) {
    fputs("the program ", f);
    describe_status(f, S->status);
    fputc('\n', f);
  }
  if (c->kind == CMD_EXPECT || c->kind == CMD_EXPECT_NOT) {
    size_t from = S->mark;
    fputs("output since the last successful expect: ", f);
    if (S->out.len - from > SHOW_RECENT) {
      from = S->out.len - SHOW_RECENT;
      fprintf(f, "[%zu bytes, the last %d:] ", S->out.len - S->mark, SHOW_RECENT);
    }
    print_visible(f, S->out.data + from, S->out.len - from);
    fputc('\n', f);
  }
  print_transcript(S, f);
}

/* ---- Running the commands ---------------------------------------------- */

static const char *find(const char *hay, size_t hay_len, const char *needle, size_t needle_len) {
  if (needle_len == 0) return hay;
  for (size_t i = 0; i + needle_len <= hay_len; i++)
    if (hay[i] == needle[0] && memcmp(hay + i, needle, needle_len) == 0) return hay + i;
  return NULL;
}

static bool do_send(Session *S, const Cmd *c) {
  size_t done = 0;
  double deadline = now_s() + S->timeout;
  while (done < c->len) {
    if (S->eof) {
      fail(S, c, "the program has closed the terminal");
      return false;
    }
    struct pollfd pfd = {S->master, POLLIN | POLLOUT, 0};
    double left = deadline - now_s();
    if (left <= 0) {
      fail(S, c, "the terminal accepted no input for %g s", S->timeout);
      return false;
    }
    int r = poll(&pfd, 1, (int)(left * 1000) + 1);
    if (r == -1 && errno == EINTR) continue;
    if (r == -1) {
      perror("pty_driver: poll");
      exit(2);
    }
    if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) pump(S, 0);
    if (!(pfd.revents & POLLOUT) || S->eof) continue;
    ssize_t w = write(S->master, c->text + done, c->len - done);
    if (w > 0)
      done += (size_t)w;
    else if (w == -1 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
      pump(S, 0);
      fail(S, c, "cannot write to the terminal: %s", strerror(errno));
      return false;
    }
  }
  return true;
}

static bool do_expect(Session *S, const Cmd *c) {
  double deadline = now_s() + S->timeout;
  for (;;) {
    const char *hit = find(S->out.data + S->mark, S->out.len - S->mark, c->text, c->len);
    if (hit) {
      S->mark = (size_t)(hit - S->out.data) + c->len;
      return true;
    }
    if (S->eof) {
      fail(S, c, "the program's output ended without it");
      return false;
    }
    double left = deadline - now_s();
    if (left <= 0) {
      fail(S, c, "not seen within %g s", S->timeout);
      return false;
    }
    pump(S, (int)(left * 1000) + 1);
  }
}

static bool do_expect_not(Session *S, const Cmd *c) {
  pump(S, 0);
  if (find(S->out.data + S->mark, S->out.len - S->mark, c->text, c->len)) {
    fail(S, c, "it appeared");
    return false;
  }
  return true;
}

static void do_sleep(Session *S, const Cmd *c) {
  double deadline = now_s() + c->number / 1000.0;
  double left;
  while ((left = deadline - now_s()) > 0) pump(S, (int)(left * 1000) + 1);
}

static bool do_exit(Session *S, const Cmd *c) {
  double deadline = now_s() + S->timeout;
  for (;;) {
    try_reap(S, 0);
    if (S->reaped) break;
    double left = deadline - now_s();
    if (left <= 0) {
      fail(S, c, "the program is still running after %g s", S->timeout);
      return false;
    }
    pump(S, left < 0.05 ? (int)(left * 1000) + 1 : 50);
  }
  /* Collect what it wrote last; stop early if something it started still
   * holds the terminal open. */
  for (int i = 0; i < 20 && !S->eof; i++) pump(S, 10);
  int want = (int)c->number;
  bool by_signal = want > 128 && WIFSIGNALED(S->status) && WTERMSIG(S->status) == want - 128;
  if (!by_signal && (!WIFEXITED(S->status) || WEXITSTATUS(S->status) != want)) {
    fail(S, c, "expected exit status %d", want);
    return false;
  }
  return true;
}

/* Make sure the child and its process group are gone and reaped. */
static void finish_child(Session *S) {
  if (S->master >= 0) {
    close(S->master);  /* hangs up the terminal: SIGHUP to the session */
    S->master = -1;
  }
  try_reap(S, 1000);
  if (!S->reaped) {
    kill(-S->pid, SIGTERM);
    kill(S->pid, SIGTERM);
    try_reap(S, 1000);
  }
  if (!S->reaped) {
    kill(-S->pid, SIGKILL);
    kill(S->pid, SIGKILL);
    while (waitpid(S->pid, &S->status, 0) == -1 && errno == EINTR) {
    }
    S->reaped = true;
  }
}

static void usage(void) {
  fputs("usage: pty_driver [-v] SCRIPT -- CMD [ARGS...]\n", stderr);
  exit(2);
}

int main(int argc, char **argv) {
  bool verbose = false;
  int i = 1;
  if (i < argc && strcmp(argv[i], "-v") == 0) {
    verbose = true;
    i++;
  }
  if (i + 2 >= argc || strcmp(argv[i + 1], "--") != 0) usage();
  const char *script = argv[i];
  char **cmd = argv + i + 2;

  Cmd *cmds;
  size_t ncmds;
  if (!parse_script(script, &cmds, &ncmds)) return 2;

  signal(SIGPIPE, SIG_IGN);
  fflush(NULL);

  struct winsize ws = {.ws_row = 24, .ws_col = 80};
  int master;
  pid_t pid = forkpty(&master, NULL, NULL, &ws);
  if (pid == -1) {
    perror("pty_driver: forkpty");
    free_cmds(cmds, ncmds);
    return 2;
  }
  if (pid == 0) {
    /* The child: a fresh session whose controlling terminal is the pty. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    const char *term = getenv("PTY_DRIVER_TERM");
    setenv("TERM", term && *term ? term : "xterm", 1);
    setenv("LINES", "24", 1);
    setenv("COLUMNS", "80", 1);
    execvp(cmd[0], cmd);
    fprintf(stderr, "pty_driver: cannot run %s: %s\n", cmd[0], strerror(errno));
    _exit(127);
  }

  Session S = {.script = script, .master = master, .pid = pid,
               .strip = ST_TEXT, .timeout = DEFAULT_TIMEOUT, .verbose = verbose};
  buf_init(&S.out);
  bool ok = true;
  int flags = fcntl(master, F_GETFL);
  if (flags == -1 || fcntl(master, F_SETFL, flags | O_NONBLOCK) == -1) {
    perror("pty_driver: fcntl");
    ok = false;
  }
  for (size_t k = 0; ok && k < ncmds; k++) {
    const Cmd *c = &cmds[k];
    if (verbose) fprintf(stderr, "\n[pty_driver %s:%d]\n", script, c->line);
    switch (c->kind) {
      case CMD_SEND: ok = do_send(&S, c); break;
      case CMD_EXPECT: ok = do_expect(&S, c); break;
      case CMD_EXPECT_NOT: ok = do_expect_not(&S, c); break;
      case CMD_SLEEP: do_sleep(&S, c); break;
      case CMD_TIMEOUT: S.timeout = c->number; break;
      case CMD_EXIT: ok = do_exit(&S, c); break;
    }
  }
  finish_child(&S);
  if (ok && verbose) print_transcript(&S, stderr);

  free(S.out.data);
  free_cmds(cmds, ncmds);
  return ok ? 0 : 1;
}

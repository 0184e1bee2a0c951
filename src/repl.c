/* repl.c - the interactive prompt: GNU Readline, history, completion,
 * continuation lines, Ctrl-C, and the `:` commands.
 *
 * Readline is driven through its callback interface so that Ctrl-C can
 * abandon the line being typed: the SIGINT handler only sets flags; the
 * select() loop sees the interrupted call and cleans up.  While code runs,
 * the same flag asks the VM to stop at its next safe point.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "buffer.h"
#include "compile.h"
#include "interp.h"
#include "parse.h"
#include "repl.h"
#include "memory.h"
#include "diag.h"
#include "lib.h"
#include "world_help.h"
#include "world_report.h"


#define PROMPT "clusim> "
#define CONTINUE_PROMPT "...> "
#define HISTORY_LINES 2000

/* Signal handlers cannot take arguments: the one interpreter the prompt
 * drives is reachable from here while the prompt runs. */
static Interp *current;
static volatile sig_atomic_t sigint_seen;

static char *line_read;
static bool line_ready, eof_seen;

static void on_sigint(int sig) {
  (void)sig;
  sigint_seen = 1;
  if (current) interp_interrupt(current);
}

static void on_line(char *line) {
  if (!line) eof_seen = true;
  line_read = line;
  line_ready = true;
  rl_callback_handler_remove();
}

/* ---- history ------------------------------------------------------------ */

static char *history_path(void) {
  const char *state = getenv("XDG_STATE_HOME");
  const char *home = getenv("HOME");
  Buffer dir;
  buf_init(&dir);
  if (state && *state) buf_printf(&dir, "%s/clusim", state);
  else if (home && *home) buf_printf(&dir, "%s/.local/state/clusim", home);
  else {
    buf_free(&dir);
    return NULL;
  }
  /* mkdir -p */
  for (char *p = dir.data + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    mkdir(dir.data, 0700);
    *p = '/';
  }
  mkdir(dir.data, 0700);
  buf_puts(&dir, "/history");
  return buf_take(&dir);
}

/* ---- completion ---------------------------------------------------------- */

static const char *commands[] = {":help",  ":load",       ":reset", ":world", ":rules",
                                 ":params", ":save", ":transcript", ":quit",  NULL};

typedef struct {
  char **items;
  int count, capacity;
} Matches;

static void add_match(Matches *m, const char *prefix, const char *name, const char *text) {
  size_t n = strlen(text);
  if (strncmp(name, text + strlen(prefix), n - strlen(prefix)) != 0) return;
  for (int i = 0; i < m->count; i++)
    if (strcmp(m->items[i] + strlen(prefix), name) == 0) return;
  if (m->count + 2 > m->capacity) {
    int cap = m->capacity ? m->capacity * 2 : 16;
    m->items = mem_realloc_raw(current, m->items, sizeof(char *) * (size_t)cap);
    m->capacity = cap;
  }
  size_t len = strlen(prefix) + strlen(name) + 1;
  char *s = mem_realloc_raw(current, NULL, len);
  snprintf(s, len, "%s%s", prefix, name);
  m->items[m->count++] = s;
}

/* What completion collects matches for. */
typedef struct {
  Matches *m;
  const char *prefix, *text;
} Completing;

static void match_name(void *ud, const char *name, bool builtin) {
  Completing *c = ud;
  (void)builtin;
  add_match(c->m, c->prefix, name, c->text);
}

static void match_field(void *ud, const char *field) {
  Completing *c = ud;
  add_match(c->m, c->prefix, field, c->text);
}

static char **complete(const char *text, int start, int end) {
  (void)end;
  rl_attempted_completion_over = 1;
  const char *line = rl_line_buffer;
  if (strncmp(line, ":load ", 6) == 0 && start >= 6) {
    rl_attempted_completion_over = 0; /* readline's own file-name completion */
    return NULL;
  }
  Matches m = {0};
  if (start == 0 && text[0] == ':') {
    for (int i = 0; commands[i]; i++) add_match(&m, "", commands[i], text);
  } else if (strchr(text, '.')) {
    Buffer prefix; /* the text up to its last dot, with the dot: "c.members." */
    buf_init(&prefix);
    buf_put(&prefix, text, (size_t)(strrchr(text, '.') - text) + 1);
    Completing c = {&m, prefix.data, text};
    interp_each_field(current, prefix.data, match_field, &c);
    buf_free(&prefix);
    rl_completion_append_character = '\0';
  } else {
    for (int i = 0; parse_keyword(i); i++) add_match(&m, "", parse_keyword(i), text);
    Completing c = {&m, "", text};
    interp_each_name(current, match_name, &c);
  }
  if (m.count == 0) {
    free(m.items);
    return NULL;
  }
  /* readline wants [common prefix, matches..., NULL]; let it compute the
   * prefix by passing the single match or the list via its helper. */
  char **out = mem_realloc_raw(current, NULL, sizeof(char *) * (size_t)(m.count + 2));
  if (m.count == 1) {
    out[0] = m.items[0];
    out[1] = NULL;
  } else {
    size_t common = strlen(m.items[0]);
    for (int i = 1; i < m.count; i++) {
      size_t k = 0;
      while (k < common && m.items[i][k] == m.items[0][k]) k++;
      common = k;
    }
    out[0] = mem_realloc_raw(current, NULL, common + 1);
    memcpy(out[0], m.items[0], common);
    out[0][common] = '\0';
    for (int i = 0; i < m.count; i++) out[i + 1] = m.items[i];
    out[m.count + 1] = NULL;
  }
  free(m.items);
  return out;
}

/* ---- sessions: :save and :transcript ----------------------------------------
 *
 * `session` holds the text of every input the interpreter accepted (ran
 * without an error), and the files :load ran, as a script that rebuilds
 * the session; :reset empties it.  While a transcript is recorded, the
 * prompt writes each input line after its prompt to the transcript file,
 * and everything printed (by the program, its errors, the commands) goes
 * through a tee to the terminal and the file. */

static Buffer session;
static FILE *transcript; /* NULL: not recording */
static char *transcript_name;
static FILE *rout;       /* where the prompt prints: stdout, or its tee */

typedef struct {
  FILE *to;
} Tee;
static Tee tee_out = {NULL}, tee_err = {NULL};
static FILE *tee_out_file, *tee_err_file;

static ssize_t tee_write(void *cookie, const char *buf, size_t n) {
  Tee *t = cookie;
  fwrite(buf, 1, n, t->to);
  fflush(t->to);
  if (transcript) fwrite(buf, 1, n, transcript);
  return (ssize_t)n;
}

/* The interpreter's streams: the tees while recording. */
static void connect_streams(void) {
  if (transcript) {
    interp_set_streams(current, tee_out_file, tee_err_file);
    interp_set_progress_stream(current, stderr); /* the bar on the terminal, not in the transcript */
  } else {
    interp_set_streams(current, stdout, stderr);
  }
}

static void transcript_stop(void) {
  if (!transcript) return;
  bool ok = fflush(transcript) == 0 && !ferror(transcript);
  ok = fclose(transcript) == 0 && ok;
  transcript = NULL;
  rout = stdout;
  connect_streams();
  fclose(tee_out_file);
  fclose(tee_err_file);
  if (ok) fprintf(rout, "the transcript is in %s\n", transcript_name);
  else fprintf(rout, "the transcript %s could not be written completely: %s\n", transcript_name, strerror(errno));
  free(transcript_name);
  transcript_name = NULL;
}

static void transcript_start(const char *path) {
  if (transcript) {
    fprintf(rout, ":transcript: already recording in %s (:transcript off stops it)\n", transcript_name);
    return;
  }
  struct stat st;
  if (stat(path, &st) == 0) {
    fprintf(rout, ":transcript: %s exists; give another name (a transcript never replaces a file)\n", path);
    return;
  }
  FILE *f = fopen(path, "wx");
  if (!f) {
    fprintf(rout, ":transcript: cannot write %s: %s\n", path, strerror(errno));
    return;
  }
  cookie_io_functions_t io = {NULL, tee_write, NULL, NULL};
  tee_out.to = stdout;
  tee_err.to = stderr;
  tee_out_file = fopencookie(&tee_out, "w", io);
  tee_err_file = fopencookie(&tee_err, "w", io);
  if (!tee_out_file || !tee_err_file) {
    if (tee_out_file) fclose(tee_out_file);
    if (tee_err_file) fclose(tee_err_file);
    fclose(f);
    remove(path);
    fprintf(rout, ":transcript: cannot record: out of memory\n");
    return;
  }
  setvbuf(tee_out_file, NULL, _IONBF, 0);
  setvbuf(tee_err_file, NULL, _IONBF, 0);
  transcript = f;
  transcript_name = mem_strdup(current, path);
  rout = tee_out_file;
  connect_streams();
  time_t now = time(NULL);
  char when[64];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&now));
  fprintf(transcript, "Clusim %s session transcript, %s\n", CLUSIM_VERSION, when);
  fprintf(rout, "recording this session in %s (:transcript off to stop)\n", path);
}

#define SAVED_HEADER "# A Clusim session saved on "

/* :save FILE: the accepted inputs as a script, written whole or not at
 * all; it replaces only a file that :save wrote. */
static void session_save(const char *path) {
  FILE *old = fopen(path, "rb");
  if (old) {
    char head[sizeof SAVED_HEADER];
    size_t n = fread(head, 1, sizeof head - 1, old);
    fclose(old);
    if (n != sizeof head - 1 || memcmp(head, SAVED_HEADER, n) != 0) {
      fprintf(rout, ":save: %s exists and is not a saved session; give another name (:save never replaces your "
                    "own files)\n", path);
      return;
    }
  }
  if (session.len == 0) {
    fprintf(rout, ":save: nothing to save yet (no statement has run in this session)\n");
    return;
  }
  time_t now = time(NULL);
  char when[64];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&now));
  Buffer b;
  buf_init(&b);
  buf_printf(&b,
             SAVED_HEADER "%s: the statements that ran at the prompt, in\n"
             "# order (not those that stopped with an error). Resume it with: clusim -i %s\n",
             when, path);
  buf_put(&b, session.data, session.len);
  const char *why = lib_write_file(path, b.data, b.len);
  buf_free(&b);
  if (why) fprintf(rout, ":save: cannot write %s: %s\n", path, why);
  else fprintf(rout, "saved the session to %s (resume it with: clusim -i %s)\n", path, path);
}

/* A file :load ran, in the session's script, inline so the script stands alone. */
static void session_add_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return;
  buf_printf(&session, "# --- :load %s\n", path);
  char chunk[4096];
  size_t n, total = 0;
  char last = '\n';
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    buf_put(&session, chunk, n);
    last = chunk[n - 1];
    total += n;
  }
  fclose(f);
  if (total && last != '\n') buf_putc(&session, '\n');
  buf_printf(&session, "# --- end of %s\n", path);
}

/* ---- commands ------------------------------------------------------------ */

static const struct {
  const char *word, *help;
} statement_help[] = {
    {"let", "let NAME = VALUE: declare a variable in the current scope"},
    {"fn", "fn NAME(a, b) { ... }, fn NAME(a) = EXPR, fn(x) = EXPR: define a function"},
    {"if", "if COND { ... } else if COND { ... } else { ... }"},
    {"while", "while COND { ... }: repeat while COND is true"},
    {"for", "for x in LIST_OR_RANGE { ... }: repeat for each element"},
    {"print", "print a, b, ...: print values separated by one space, then a newline"},
    {"assert", "assert COND, \"message\": stop with an error when COND is false"},
    {"import", "import \"file.clu\": run a file once (beside this script, then the stdlib)"},
    {"unit", "unit NAME: declare a new base unit, e.g. unit job"},
    {"return", "return VALUE: leave the function with a value"},
    {"break", "break: leave the innermost loop"},
    {"continue", "continue: go on with the next round of the innermost loop"},
    {"region", "region NAME { country: \"FR\", aid_zone: \"a\" }: declare a region (aid_zone a, c or none)"},
    {"cluster", "cluster NAME { region: R, members: {sme: N, large: N, research: N}, jobs: N, budget: X EUR / year, label: \"silver\", ... }"},
    {"programme", "programme NAME { level: \"eu\", budget: X EUR, aid: \"gber27\" }: a support programme and its envelope"},
    {"fund", "fund PROGRAMME -> CLUSTER { amount: X EUR / year, years: A..B, purpose: \"scaleup\", eligible_costs: X EUR / year };\n"
             "fund PROGRAMME -> LIST { ... }: a fund to each cluster of the list, each with that amount"},
    {"partnership", "partnership NAME { members: [A, B], targets: [\"JP\"], years: A..B }"},
    {"param", "param NAME = VALUE \"doc\": a model parameter; scenarios change it with set"},
    {"rule", "rule NAME for x in clusters() { ... }: runs every simulated year, once per element"},
    {"scenario", "scenario S extends P { years: A..B, runs: N, seed: K, set NAME = V, declarations }"},
    {"set", "set NAME = VALUE (inside a scenario): change a param for that scenario"},
    {"run", "run S, T: simulate scenarios; then S.X.field[year], S.total.field[year]"},
    {"compare", "compare S, T on X.field, total.field: a table of years by scenarios with differences;\n"
                "compare(S, T, \"X.field\") returns that table as a record (to print or export)"},
    {"plot", "plot S, T on X.field / plot S.X.f, T.Y.f [to \"chart.svg\"]: line charts; plot(...) returns the chart"},
    {"why", "why S.X.field[year]: the value before, each rule's contribution, the value after"},
    {"audit", "audit S: the state-aid findings of a run scenario (doc/stateaid.md)"},
    {"export", "export S, T to \"file.csv\" (or .json, .xlsx): the results with their units and statistics;\n"
               "also export compare(S, T, \"X.field\"), why S.X.field[Y], audit(S); export plot(...) to \"chart.svg\""},
    {"report", "report S, T [on X.field, ...] to \"file.html\": one HTML page: scenarios, comparisons, why, audit"},
    {"sweep", "sweep S over NAME in [v1, v2] [and NAME in [...]] show X.field[year], ... [plot]: run S once per case\n"
              "(plot: each output against the first param, a line per value of the second; plot to \"f.svg\");\n"
              "sweep S cases [{NAME: v}, ...] show ...; sweep S sensitivity 10% on X.field[year]; sweep(...) returns records"},
    {"load", "load cluster from \"file.csv\" { name: \"Column\", members.sme: \"SMEs\", budget: \"kEUR\" in 1000 EUR / year }:\n"
             "declare one entity per row of a CSV file, each checked like a declaration; names are made\n"
             "from the text (\"Basque Energy\" -> Basque_Energy)"},
    {NULL, NULL},
};

/* One built-in's name in the :help list, wrapped at 70 columns. */
static void list_builtin(void *ud, const char *name, bool builtin) {
  int *col = ud;
  if (!builtin) return;
  if (*col + strlen(name) > 70) {
    fputs("\n ", rout);
    *col = 1;
  }
  fprintf(rout, " %s", name);
  *col += (int)strlen(name) + 1;
}

/* The closest known name to what was typed, for "did you mean". */
typedef struct {
  const char *typed;
  char best[64];
  int distance;
} Suggestion;

static void consider(Suggestion *s, const char *known, size_t len) {
  char name[64];
  if (len >= sizeof name) return;
  memcpy(name, known, len);
  name[len] = '\0';
  int d;
  if (diag_similar(s->typed, name, &d) && d < s->distance) {
    s->distance = d;
    memcpy(s->best, name, len + 1);
  }
}

static void consider_name(void *ud, const char *name, bool builtin) {
  (void)builtin;
  consider(ud, name, strlen(name));
}

static void suggest(const char *typed) {
  Suggestion s = {typed, "", 1 << 30};
  for (int i = 0; statement_help[i].word; i++) consider(&s, statement_help[i].word, strlen(statement_help[i].word));
  for (const HelpTopic *t = help_topics; t->name; t++) {
    consider(&s, t->name, strlen(t->name));
    for (const char *p = t->aliases; p && *p;) {
      const char *end = strchr(p, ' ');
      size_t len = end ? (size_t)(end - p) : strlen(p);
      consider(&s, p, len);
      p = end ? end + 1 : p + len;
    }
  }
  interp_each_name(current, consider_name, &s);
  if (s.best[0]) fprintf(rout, "no help for '%s'; did you mean '%s'? (:help lists the topics)\n", typed, s.best);
  else fprintf(rout, "no help for '%s' (:help lists the topics and built-ins)\n", typed);
}

static void help(const char *topic) {
  while (*topic == ' ') topic++;
  if (!*topic) {
    fputs("Type Clusim statements and expressions; the value of an expression is printed.\n"
          "A line that leaves a brace, bracket or string open continues on the next (...>).\n"
          "Commands:\n"
          "  :help [NAME]   this text, or help on a built-in, statement or name\n"
          "  :load FILE     run a script file here\n"
          "  :reset         start afresh (forget all names)\n"
          "  :world         the declared regions, clusters, programmes, funds, partnerships, scenarios\n"
          "  :rules         the model's rules, in the order they run each year\n"
          "  :params        the model's parameters with their values and docs\n"
          "  :save FILE     save what ran in this session as a script (resume: clusim -i FILE)\n"
          "  :transcript FILE  record inputs and outputs to FILE (:transcript off stops)\n"
          "  :quit          leave (Ctrl-D does too)\n"
          "Keys: Tab completes, Ctrl-C abandons the line or stops a running program,\n"
          "Ctrl-D at ...> abandons the unfinished block (at the prompt, it leaves),\n"
          "up/down recall earlier lines (kept between sessions).\n"
          "Topics (:help TOPIC):",
          rout);
    int col = 100;
    for (const HelpTopic *t = help_topics; t->name; t++) list_builtin(&col, t->name, true);
    fputs("\nStatements (:help WORD):", rout);
    col = 100;
    for (int i = 0; statement_help[i].word; i++) list_builtin(&col, statement_help[i].word, true);
    fputs("\nBuilt-in functions (:help NAME; also any rule or param):", rout);
    col = 100;
    interp_each_name(current, list_builtin, &col);
    fputs("\nRead on: doc/language.md, doc/tutorial.md, man clusim\n", rout);
    return;
  }
  for (int i = 0; statement_help[i].word; i++)
    if (strcmp(statement_help[i].word, topic) == 0) {
      fprintf(rout, "%s\n", statement_help[i].help);
      return;
    }
  const HelpTopic *t = help_topic_find(topic);
  const char *h = interp_help(current, topic);
  if (t) {
    fprintf(rout, "%s\n%s", t->title, t->text);
    if (h) fprintf(rout, "%s in the model: %s\n", topic, h);
  } else if (h) {
    fprintf(rout, "%s\n", h);
  } else {
    suggest(topic);
  }
}

/* The options the session started with: :reset makes its new interpreter
 * with them (--jobs, --no-stdlib). */
static InterpOptions session_options;

static Interp *new_prompt_interp(void) {
  InterpOptions o = session_options;
  o.repl = true;
  return interp_new(&o);
}

/* The argument of a command without the blanks after it (malloc'd). */
static char *trimmed(const char *arg) {
  char *s = mem_strdup(current, arg);
  size_t len = strlen(s);
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) s[--len] = '\0';
  return s;
}

/* Returns false when the prompt should end. */
static bool command(const char *line) {
  const char *arg = strchr(line, ' ');
  size_t n = arg ? (size_t)(arg - line) : strlen(line);
  if (!arg) arg = "";
  while (*arg == ' ') arg++;
  if (strncmp(line, ":quit", n) == 0 && n > 1) return false;
  if (strncmp(line, ":help", n) == 0 && n > 1) {
    help(arg);
  } else if (strncmp(line, ":load", n) == 0 && n > 1) {
    char *path = trimmed(arg);
    if (!*path) fprintf(rout, "%s\n", ":load needs a file name");
    else if (interp_run_file(current, path) == INTERP_OK) {
      session_add_file(path);
      fprintf(rout, "loaded %s\n", path);
    }
    free(path);
  } else if (strncmp(line, ":world", n) == 0 && n > 1) {
    world_list(current, rout, "world");
  } else if (strncmp(line, ":rules", n) == 0 && n > 2) {
    world_list(current, rout, "rules");
  } else if (strncmp(line, ":params", n) == 0 && n > 1) {
    world_list(current, rout, "params");
  } else if (strncmp(line, ":save", n) == 0 && n > 1) {
    char *path = trimmed(arg);
    if (!*path) fprintf(rout, ":save needs a file name, such as :save session.clu\n");
    else session_save(path);
    free(path);
  } else if (strncmp(line, ":transcript", n) == 0 && n > 1) {
    char *path = trimmed(arg);
    if (!*path || strcmp(path, "off") == 0) {
      if (transcript) transcript_stop();
      else fprintf(rout, "no transcript is being recorded (:transcript FILE starts one)\n");
    } else {
      transcript_start(path);
    }
    free(path);
  } else if (strncmp(line, ":reset", n) == 0 && n > 2) {
    interp_free(current);
    current = new_prompt_interp();
    connect_streams();
    buf_clear(&session);
    fprintf(rout, "%s\n", "the session is reset: all names are forgotten");
  } else {
    int matches = 0;
    for (int i = 0; commands[i]; i++) matches += strncmp(commands[i], line, n) == 0;
    if (matches > 1 && n > 1) {
      fprintf(rout, "'%.*s' is ambiguous:", (int)n, line);
      const char *sep = " ";
      for (int i = 0; commands[i]; i++)
        if (strncmp(commands[i], line, n) == 0) {
          fprintf(rout, "%s%s", sep, commands[i]);
          sep = ", ";
        }
      fprintf(rout, "%s\n", " (type more letters)");
    } else {
      fprintf(rout, "unknown command '%.*s' (try :help)\n", (int)n, line);
    }
  }
  return true;
}

/* ---- the loop ------------------------------------------------------------ */

static bool blank(const char *s) {
  for (; *s; s++)
    if (*s != ' ' && *s != '\t') return false;
  return true;
}

/* Whether the prompt reads a terminal (typed or pasted lines), or a file
 * or a pipe (clusim -i FILE < LINES), whose lines are taken as if typed. */
static bool terminal;

/* Read one typed line; NULL at end of input.  Ctrl-C while typing returns
 * an empty line and sets *interrupted. */
static char *read_typed_line(const char *prompt, bool *interrupted) {
  *interrupted = false;
  line_ready = eof_seen = false;
  line_read = NULL;
  /* SIGINT is held back except while waiting in pselect, which lets it in
   * atomically: a Ctrl-C that comes while Readline handles a key is seen
   * at the next wait, never lost in the gap before it (which would leave
   * the prompt waiting for a key). */
  sigset_t held, before;
  sigemptyset(&held);
  sigaddset(&held, SIGINT);
  sigprocmask(SIG_BLOCK, &held, &before);
  sigint_seen = 0; /* a Ctrl-C that stopped the code just run was for it, not for this line */
  sigset_t waiting = before;
  sigdelset(&waiting, SIGINT);
  rl_callback_handler_install(prompt, on_line);
  char *result = NULL;
  while (!line_ready) {
    if (sigint_seen) {
      sigint_seen = 0;
      interp_cancel_interrupt(current);
      rl_free_line_state();
      rl_callback_sigcleanup();
      rl_callback_handler_remove();
      fputs("^C\n", stdout);
      fflush(stdout);
      *interrupted = true;
      result = mem_strdup(current, "");
      break;
    }
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(fileno(rl_instream), &fds);
    int r = pselect(fileno(rl_instream) + 1, &fds, NULL, NULL, NULL, &waiting);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      rl_callback_handler_remove();
      break;
    }
    rl_callback_read_char();
  }
  if (line_ready) result = eof_seen ? NULL : line_read;
  sigprocmask(SIG_SETMASK, &before, NULL);
  return result;
}

/* Read one line of a file or a pipe, as read_typed_line does, but without
 * Readline, whose line editing is for a person at a terminal: it would take
 * a tab in the input for completion, and redraw a long line for a screen
 * that is not there.  The prompt and the line are shown as typed, so that
 * the output reads as the session would on a terminal.  Ctrl-C (which
 * stops the program feeding the pipe too) abandons the line. */
static char *read_piped_line(const char *prompt, bool *interrupted) {
  *interrupted = false;
  sigint_seen = 0; /* a Ctrl-C that stopped the code just run was for it */
  fputs(prompt, stdout);
  fflush(stdout);
  char *line = NULL;
  size_t capacity = 0;
  ssize_t n;
  errno = 0;
  while ((n = getline(&line, &capacity, stdin)) < 0 && errno == EINTR && !sigint_seen) clearerr(stdin);
  if (sigint_seen) {
    sigint_seen = 0;
    interp_cancel_interrupt(current);
    clearerr(stdin);
    putchar('\n');
    fflush(stdout);
    free(line);
    *interrupted = true;
    return mem_strdup(current, "");
  }
  if (n < 0) {
    free(line);
    return NULL;
  }
  if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
  if (n > 0 && line[n - 1] == '\r') line[--n] = '\0'; /* a line of a Windows file, which Readline ends at \r */
  printf("%s\n", line);
  fflush(stdout); /* before what running it writes to stderr */
  return line;
}

static char *read_line(const char *prompt, bool *interrupted) {
  return terminal ? read_typed_line(prompt, interrupted) : read_piped_line(prompt, interrupted);
}

/* Whether more input (typed ahead or pasted) is already waiting. */
static bool input_waiting(void) {
  fd_set fds;
  FD_ZERO(&fds);
  FD_SET(fileno(rl_instream), &fds);
  struct timeval now = {0, 0};
  return select(fileno(rl_instream) + 1, &fds, NULL, NULL, &now) > 0;
}

int repl_run(Interp *I, const InterpOptions *opts) {
  session_options = *opts;
  current = I;
  rout = stdout;
  buf_init(&session);
  interp_set_repl(I, true);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: select() must see the interruption */
  sigaction(SIGINT, &sa, NULL);

  terminal = isatty(STDIN_FILENO);
  rl_catch_signals = 0;
  rl_readline_name = "clusim";
  rl_attempted_completion_function = complete;
  rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{}()[],+-*/^";
  /* The history is of lines typed: piped input leaves it alone, or a file
   * of a few thousand lines would push out all that was typed before. */
  char *hist = terminal ? history_path() : NULL;
  using_history();
  if (hist) {
    struct stat st;
    if (stat(hist, &st) != 0) write_history(hist); /* append_history needs the file */
    read_history(hist);
  }

  printf("Clusim %s - cluster-policy scenarios. Type :help for help, :quit or Ctrl-D to leave.\n",
         CLUSIM_VERSION);
  Buffer pending;
  buf_init(&pending);
  for (;;) {
    bool interrupted;
    rl_completion_append_character = ' ';
    char *line = read_line(pending.len ? CONTINUE_PROMPT : PROMPT, &interrupted);
    if (!line) {
      putchar('\n');
      fflush(stdout); /* before an error on stderr */
      /* Ctrl-D at "...> " abandons the unfinished block; at the prompt, it
       * leaves.  Piped input that ends inside a statement has nothing more
       * to come: that is an error at its end, as it would be in a script. */
      if (pending.len && terminal) {
        buf_clear(&pending);
        continue;
      }
      if (pending.len) interp_eval(current, "<prompt>", pending.data, false);
      break;
    }
    if (interrupted) {
      buf_clear(&pending);
      free(line);
      continue;
    }
    if (terminal && !blank(line)) {
      add_history(line);
      if (hist) append_history(1, hist);
    }
    if (transcript) fprintf(transcript, "%s%s\n", pending.len ? CONTINUE_PROMPT : PROMPT, line);
    if (pending.len == 0 && line[0] == ':') {
      bool go_on = command(line);
      free(line);
      if (!go_on) break;
      continue;
    }
    if (pending.len == 0 && blank(line)) {
      free(line);
      continue;
    }
    bool inside_block = pending.len > 0; /* the text so far was incomplete */
    buf_puts(&pending, line);
    buf_putc(&pending, '\n');
    free(line);
    /* Inside an unfinished block with more lines already waiting (text
     * pasted at a terminal), read on: the block is parsed once, when the
     * paste has arrived, not again at every line (pasting N lines cost N
     * parses of a growing text).  A person typing still sees each line
     * checked at once.  Not so for a file or a pipe, where the rest of the
     * input is always waiting: a statement that is complete must run as
     * soon as it is, as if typed, not when the input ends. */
    if (inside_block && terminal && input_waiting()) continue;
    InterpResult r = interp_eval(current, "<prompt>", pending.data, true);
    if (r == INTERP_OK) buf_put(&session, pending.data, pending.len);
    if (r != INTERP_INCOMPLETE) buf_clear(&pending);
  }
  buf_free(&pending);
  transcript_stop();
  buf_free(&session);
  if (hist) {
    history_truncate_file(hist, HISTORY_LINES);
    free(hist);
  }
  clear_history();
  interp_free(current);
  current = NULL;
  return 0;
}

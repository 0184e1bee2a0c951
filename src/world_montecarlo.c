/* world_montecarlo.c - scenarios of several runs: the runs, spread over
 * worker processes, and their statistics.
 *
 * Run 0 fixes the shape of the results (which entities, fields and years).
 * Every run's numbers are flattened into a row of doubles in that shape; the
 * rows give each point's mean and 5th, 50th and 95th percentiles.  Run k is
 * seeded from (seed, k) alone, so the rows - and the statistics - are the
 * same whichever process computes them: with --jobs N, N worker processes
 * (fork) each compute every N-th run and write their rows straight into a
 * matrix shared with the parent; a pipe carries only a worker's error.
 *
 * Where the rows live: a matrix of runs x points doubles in memory (shared
 * with the workers) as long as it fits CLUSIM_RUNS_MEMORY (default 1 GiB);
 * above it, in an unlinked temporary file in $TMPDIR (or /tmp) that every
 * process writes its rows to with pwrite - pages of a file in the page
 * cache are not the process's memory - and the statistics then read it
 * back by blocks of columns (points), each block at most the budget (and
 * 64 MiB), so memory stays bounded however many runs there are.  Both
 * ways give the same numbers: each point's runs are summed and sorted in
 * the same order.
 *
 * No silent wrong statistics: each run marks its row done in the shared
 * memory, and a worker that dies (killed, out of memory) or leaves a row
 * undone fails the run with a message saying so; a point where some runs
 * give NaN, or no number at all, is an error naming the field and the year
 * (aggregate), never a mean over the runs that happen to have a number.
 *
 * Workers die with the parent: on Linux the kernel kills them when it ends
 * (PR_SET_PDEATHSIG), and everywhere the parent, while it waits for them,
 * catches SIGTERM, SIGHUP and (outside the prompt) SIGINT, kills and reaps
 * its workers, then ends by the same signal.  Workers ignore SIGINT: at the
 * prompt, Ctrl-C reaches the parent, which stops them and reports one
 * "interrupted".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "memory.h"
#include "num.h"
#include "progress.h"
#include "world.h"
#include "world_results.h"
#include "world_shard.h"

static int count_points(ObjRecord *shape) {
  int n = 0;
  for (int i = 0; i < shape->count; i++) {
    Value v = shape->values[i];
    if (IS_SERIES(v)) n += AS_SERIES(v)->values.count;
    else if (IS_RECORD(v)) n += count_points(AS_RECORD(v));
  }
  return n;
}

/* A point of a run with no number (the field is missing, or not a number
 * that year) is stored as a NaN with this payload, and a NaN the program
 * computed as the plain NAN, so that the statistics can tell them apart. */
static const uint64_t MISSING_BITS = 0x7ff4d155a11ab1e5u; /* a NaN no arithmetic makes */

static double missing_value(void) {
  double d;
  memcpy(&d, &MISSING_BITS, sizeof d);
  return d;
}

static bool is_missing(double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return bits == MISSING_BITS;
}

static void flatten(Interp *I, ObjRecord *shape, ObjRecord *r, double *out, int *n) {
  for (int i = 0; i < shape->count; i++) {
    Value v = shape->values[i], w = NIL_VAL;
    if (r) record_get(r, shape->keys[i], &w);
    if (IS_SERIES(v)) {
      ObjSeries *sv = AS_SERIES(v);
      ObjSeries *sw = IS_SERIES(w) ? AS_SERIES(w) : NULL;
      for (int k = 0; k < sv->values.count; k++) {
        int64_t at = sv->first_year + k - (sw ? sw->first_year : 0);
        Value x = (sw && at >= 0 && at < sw->values.count) ? sw->values.items[at] : NIL_VAL;
        double d = num_is(x) ? num_to_double(x) : missing_value();
        out[(*n)++] = num_is(x) && isnan(d) ? NAN : d;
      }
    } else if (IS_RECORD(v)) {
      flatten(I, AS_RECORD(v), IS_RECORD(w) ? AS_RECORD(w) : NULL, out, n);
    }
  }
}

/* The k-th smallest of a[0..n) (from 0), putting it at a[k], the smaller
 * ones before it and the others after it (Hoare's selection).  The numbers
 * are never NaN. */
static double select_kth(double *a, int n, int k) {
  int lo = 0, hi = n - 1;
  while (lo < hi) {
    double pivot = a[lo + (hi - lo) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        double t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break; /* a[j+1 .. i-1] all equal the pivot */
  }
  return a[k];
}

/* The p-th quantile (0 <= p <= 1) of a[0..n), by linear interpolation
 * between order statistics (as numpy's default): the same number as
 * interpolating in the sorted numbers, without sorting them all. */
static double percentile(double *a, int n, double p) {
  double pos = p * (n - 1);
  int lo = (int)pos; /* floor: pos >= 0 (libm's floor was a fifth of the time here) */
  double x = select_kth(a, n, lo), y = x;
  if (lo + 1 < n) { /* the next order statistic: the least of those after a[lo] */
    y = a[lo + 1];
    for (int i = lo + 2; i < n; i++)
      if (a[i] < y) y = a[i];
  }
  return x + (y - x) * (pos - lo);
}

static Value stat_value(double d, UnitId unit) {
  if (isnan(d)) return NIL_VAL;
  Value v = FLOAT_VAL(d);
  v.unit = unit;
  return v;
}

/* The statistics over the runs would leave some runs out at this point:
 * an error naming it (path is the field's path in the results, such as
 * "A.members.sme"). */
static _Noreturn void bad_point(Interp *I, ObjScenario *s, const char *path, int64_t year, int nan, int missing,
                                int runs) {
  if (nan)
    interp_throw(I, "run: scenario %s: %s is nan (not a number) in %lld in %d of the %d runs; statistics over the "
                    "other runs would be wrong (look for 0.0/0.0, inf - inf, sqrt or ln of a negative number)",
                 s->name->chars, path, (long long)year, nan, runs);
  interp_throw(I, "run: scenario %s: %s has no number in %lld in %d of the %d runs; statistics over the other runs "
                  "would be wrong (give the field a value in every run)",
               s->name->chars, path, (long long)year, missing, runs);
}

/* ---- the matrix of the runs' numbers ----------------------------------------- */

/* Row k of the matrix holds run k's points.  In memory, m is the whole
 * matrix (a mapping shared with the workers, or plain memory with no
 * workers) followed by the done flags.  Spilled, the rows are in the file
 * fd at offset k * np doubles, each process fills its own copy of `row`
 * and writes it out whole, and the done flags have a small mapping of
 * their own. */
typedef struct {
  int np;
  int64_t runs;
  double *m;                    /* in memory: the matrix; spilled: NULL */
  int fd;                       /* spilled: the temporary file; in memory: -1 */
  double *row;                  /* spilled: the row being filled */
  size_t block_bytes;           /* the most the statistics take at once */
  void *map;                    /* the memory holding m and/or the done flags */
  size_t map_bytes;
  bool shared;                  /* map is a shared mapping (else malloc'd) */
  volatile unsigned char *done; /* done[k]: run k's row is written (shared with the workers) */
} Matrix;

static double *row_of(Matrix *x, int64_t k) { return x->fd < 0 ? x->m + (size_t)k * (size_t)x->np : x->row; }

static _Noreturn void file_error(Interp *I, const char *what, int err) {
  interp_throw(I, "run: cannot %s the runs' numbers %s the temporary file: %s", what,
               strcmp(what, "read") == 0 ? "from" : "to", err ? strerror(err) : "it is shorter than written");
}

/* Row k is filled: write it to the file when it is spilled. */
static void row_store(Interp *I, Matrix *x, int64_t k) {
  if (x->fd < 0) return;
  const char *p = (const char *)x->row;
  size_t n = sizeof(double) * (size_t)x->np;
  off_t at = (off_t)(sizeof(double) * (size_t)k * (size_t)x->np);
  while (n > 0) {
    ssize_t w = pwrite(x->fd, p, n, at);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) file_error(I, "write", w < 0 ? errno : ENOSPC);
    p += w;
    n -= (size_t)w;
    at += w;
  }
}

static void read_at(Interp *I, int fd, void *into, size_t n, off_t at) {
  char *p = into;
  while (n > 0) {
    ssize_t r = pread(fd, p, n, at);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) file_error(I, "read", r < 0 ? errno : 0);
    p += r;
    n -= (size_t)r;
    at += r;
  }
}

/* The columns of the matrix (a point's numbers over the runs), in order,
 * a block of `width` consecutive columns at a time, turned column-major
 * (block[(c - lo) * runs + r] is run r's number at point c): a column is
 * then contiguous however long the rows are.  Reading a column straight
 * down the matrix would touch a new page for every run.  Spilled, each
 * run's part of the block is one pread into `part`. */
typedef struct {
  Matrix *x;
  double *block; /* the columns lo .. lo + width - 1 */
  double *part;  /* spilled: one run's part of the block */
  int lo, width, max_width;
} Columns;

/* Columns per block: at most COLUMNS_WIDE (the block's rows then stay in
 * the processor's cache while it is turned), at most `bytes` in all, at
 * least one. */
#define COLUMNS_WIDE 4096

static int columns_width(size_t bytes, int64_t runs, int np) {
  size_t w = bytes / (sizeof(double) * (size_t)runs);
  if (w > COLUMNS_WIDE) w = COLUMNS_WIDE;
  if (w > (size_t)np) w = (size_t)np;
  return w < 1 ? 1 : (int)w;
}

/* Point c of every run: run r's number is at [r]. */
static const double *column(Interp *I, Columns *c, int col) {
  Matrix *x = c->x;
  if (col < c->lo || col >= c->lo + c->width) {
    int w = x->np - col < c->max_width ? x->np - col : c->max_width;
    size_t runs = (size_t)x->runs;
    c->lo = col;
    c->width = 0; /* nothing valid while it is being read */
    for (size_t r = 0; r < runs; r++) {
      const double *from = c->part;
      if (x->fd >= 0)
        read_at(I, x->fd, c->part, sizeof(double) * (size_t)w,
                (off_t)(sizeof(double) * (r * (size_t)x->np + (size_t)col)));
      else
        from = x->m + r * (size_t)x->np + (size_t)col;
      for (int k = 0; k < w; k++) c->block[(size_t)k * runs + r] = from[k];
    }
    c->width = w;
  }
  return c->block + (size_t)(col - c->lo) * (size_t)x->runs;
}

/* A series of n values from first_year, with room for them all. */
static ObjSeries *series_sized(Interp *I, int64_t first_year, int n) {
  ObjSeries *s = results_series_new(I, first_year);
  if (n > 0) {
    s->values.items = GROW_ARRAY(I, Value, s->values.items, 0, n);
    s->values.capacity = n;
  }
  return s;
}

/* Build mean series (with .p5 .p50 .p95) in the shape of run 0.  path
 * holds the path of `shape` in the results ("" at the top, else ending
 * in a dot), for the errors. */
static ObjRecord *aggregate(Interp *I, ObjScenario *s, ObjRecord *shape, Buffer *path, Columns *cols, int runs,
                            int *n, double *scratch) {
  ObjRecord *out = record_new(I);
  size_t at = path->len;
  for (int i = 0; i < shape->count; i++) {
    Value v = shape->values[i];
    if (IS_RECORD(v)) {
      buf_printf(path, "%s.", shape->keys[i]->chars);
      record_set(I, out, shape->keys[i], OBJ_VAL(aggregate(I, s, AS_RECORD(v), path, cols, runs, n, scratch)));
      path->len = at;
      path->data[at] = '\0';
      continue;
    }
    if (!IS_SERIES(v)) continue;
    ObjSeries *sv = AS_SERIES(v);
    int count = sv->values.count;
    UnitId unit = UNIT_NONE;
    for (int k = 0; k < count; k++)
      if (num_is(sv->values.items[k])) unit = sv->values.items[k].unit;
    ObjSeries *mean = series_sized(I, sv->first_year, count), *p5 = series_sized(I, sv->first_year, count),
              *p50 = series_sized(I, sv->first_year, count), *p95 = series_sized(I, sv->first_year, count);
    for (int k = 0; k < count; k++, (*n)++) {
      int cnt = 0, nan = 0, missing = 0;
      double sum = 0;
      const double *col = column(I, cols, *n);
      for (int r = 0; r < runs; r++) {
        double d = col[r];
        if (is_missing(d)) missing++;
        else if (isnan(d)) nan++;
        else {
          scratch[cnt++] = d;
          sum += d;
        }
      }
      if (nan > 0 || (missing > 0 && cnt > 0)) {
        buf_puts(path, shape->keys[i]->chars);
        bad_point(I, s, path->data, sv->first_year + k, nan, missing, runs);
      }
      Value m = NIL_VAL, q5 = NIL_VAL, q50 = NIL_VAL, q95 = NIL_VAL;
      if (cnt > 0) {
        m = stat_value(sum / cnt, unit);
        q5 = stat_value(percentile(scratch, cnt, 0.05), unit);
        q50 = stat_value(percentile(scratch, cnt, 0.50), unit);
        q95 = stat_value(percentile(scratch, cnt, 0.95), unit);
      }
      mean->values.items[k] = m;
      p5->values.items[k] = q5;
      p50->values.items[k] = q50;
      p95->values.items[k] = q95;
      mean->values.count = p5->values.count = p50->values.count = p95->values.count = k + 1;
    }
    mean->share = p5->share = p50->share = p95->share = sv->share;
    ObjRecord *stats = record_new(I);
    world_set_field(I, stats, "mean", OBJ_VAL(mean));
    world_set_field(I, stats, "p5", OBJ_VAL(p5));
    world_set_field(I, stats, "p50", OBJ_VAL(p50));
    world_set_field(I, stats, "p95", OBJ_VAL(p95));
    mean->stats = stats;
    record_set(I, out, shape->keys[i], OBJ_VAL(mean));
  }
  return out;
}

/* Run k and flatten its numbers into its row. */
static void run_row(Interp *I, ObjScenario *s, ObjRecord *shape, int64_t k, Matrix *x) {
  s->run_index = k;
  s->results = record_new(I);
  world_run_once(I, s, k);
  int n = 0;
  flatten(I, shape, s->results, row_of(x, k), &n);
  row_store(I, x, k);
}

static bool write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    c += w;
    n -= (size_t)w;
  }
  return true;
}

typedef struct {
  Interp *I;
  ObjScenario *s;
  ObjRecord *shape;
  Matrix *x;
  int jobs;
  Progress *progress;
  int64_t kept; /* runs 0 .. kept-1 are done (all of them unless interrupted) */
} ManyRuns;

/* A worker: runs worker+1, worker+1+jobs, ... writing each row straight
 * into the shared matrix; an error sends the message (at most 32 KiB, so
 * the write never blocks) through the pipe. Never returns. */
typedef struct {
  ManyRuns *mr;
  int w;
} WorkerJob;

static void worker_runs(Interp *I, void *ud) {
  WorkerJob *job = ud;
  ManyRuns *mr = job->mr;
  for (int64_t k = 1 + job->w; k < mr->s->runs; k += mr->jobs) {
    run_row(I, mr->s, mr->shape, k, mr->x);
    mr->x->done[k] = 1;
  }
}

/* The signals a worker leaves to its parent, or takes as it comes. */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSTOP (int)(sizeof stop_signals / sizeof stop_signals[0])

static _Noreturn void worker(ManyRuns *mr, int w, int fd, pid_t parent) {
  Interp *I = mr->I;
  /* Ctrl-C is the parent's to handle (one message); SIGTERM and SIGHUP end
   * a worker at once unless they were ignored (nohup); and the worker ends
   * when its parent does */
  signal(SIGINT, SIG_IGN);
  for (int i = 0; i < NSTOP; i++) {
    struct sigaction cur;
    sigaction(stop_signals[i], NULL, &cur);
    if (stop_signals[i] != SIGINT && cur.sa_handler != SIG_IGN) signal(stop_signals[i], SIG_DFL);
  }
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
  if (getppid() != parent) _exit(1); /* the parent ended before prctl */
  WorkerJob job = {mr, w};
  if (interp_pcall(I, worker_runs, &job)) _exit(0);
  size_t len = I->traceback.len < 32768 ? I->traceback.len : 32768;
  write_all(fd, I->traceback.data, len);
  _exit(1);
}

/* Set by the handler of stop_signals while a scenario's runs go on, which
 * also interrupts the code running in this process (serial runs). */
static volatile sig_atomic_t stop_signal;
static Interp *volatile signal_interp;

static void on_stop_signal(int sig) {
  stop_signal = sig;
  if (signal_interp) signal_interp->interrupted = 1;
}

/* Catch the signals that would end the process, to end the workers and
 * say how many runs were done first: those left to their default action
 * (not one ignored, as nohup ignores SIGHUP, nor one handled, as the prompt
 * handles SIGINT by setting I->interrupted, which is watched too). */
typedef struct {
  struct sigaction old[NSTOP];
  bool caught[NSTOP];
} CaughtSignals;

static void catch_stop_signals(Interp *I, CaughtSignals *c) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  stop_signal = 0;
  signal_interp = I;
  for (int i = 0; i < NSTOP; i++) {
    sigaction(stop_signals[i], NULL, &c->old[i]);
    c->caught[i] = !(c->old[i].sa_flags & SA_SIGINFO) && c->old[i].sa_handler == SIG_DFL;
    if (c->caught[i]) sigaction(stop_signals[i], &sa, NULL);
  }
}

static void restore_stop_signals(CaughtSignals *c) {
  for (int i = 0; i < NSTOP; i++)
    if (c->caught[i]) sigaction(stop_signals[i], &c->old[i], NULL);
  signal_interp = NULL;
}

/* Why worker w ended badly, from its wait status; NULL if it did not. */
static const char *worker_failure(Interp *I, int status, bool *has_message) {
  *has_message = false;
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return str_printf(I, "was killed by signal %d (%s)%s", sig, strsignal(sig),
                      sig == SIGKILL ? ": perhaps the system ran out of memory" : "")->chars;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
    *has_message = true;
    return "stopped at an error";
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return str_printf(I, "ended with status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1)->chars;
  return NULL;
}

/* Kill the workers still running and wait for every one not reaped yet. */
static void stop_workers(pid_t *pids, int *status, bool *reaped, int started) {
  for (int w = 0; w < started; w++)
    if (!reaped[w]) kill(pids[w], SIGKILL);
  for (int w = 0; w < started; w++) {
    while (!reaped[w]) {
      if (waitpid(pids[w], &status[w], 0) >= 0 || errno != EINTR) reaped[w] = true;
    }
  }
}

/* Start the workers, wait for them while watching for signals and for a
 * worker that fails (then the others are stopped at once), and check that
 * every run was done.  Errors are raised after everything is cleaned up. */
static void many_runs_parallel(ManyRuns *mr) {
  Interp *I = mr->I;
  int jobs = mr->jobs;
  int fds[64], status[64];
  pid_t pids[64];
  bool reaped[64];
  int started = 0;

  fflush(NULL);
  pid_t parent = getpid();
  for (int w = 0; w < jobs; w++) {
    int p[2];
    if (pipe(p) != 0) break;
    pid_t pid = fork();
    if (pid < 0) {
      close(p[0]);
      close(p[1]);
      break;
    }
    if (pid == 0) {
      close(p[0]);
      for (int k = 0; k < w; k++) close(fds[k]);
      worker(mr, w, p[1], parent);
    }
    close(p[1]);
    fds[w] = p[0];
    pids[w] = pid;
    reaped[w] = false;
    started++;
  }

  /* wait: a worker's pipe ends when it exits; its error comes through it */
  Buffer msg[64];
  for (int w = 0; w < started; w++) buf_init(&msg[w]);
  int open = started, failed = -1;
  bool stopped = false;
  while (open > 0) {
    if (stop_signal || I->interrupted) {
      stopped = true;
      break;
    }
    struct pollfd pfd[64];
    for (int w = 0; w < started; w++) pfd[w] = (struct pollfd){.fd = fds[w], .events = POLLIN};
    int r = poll(pfd, (nfds_t)started, 100);
    if (r < 0 && errno != EINTR) {
      stopped = true;
      break;
    }
    if (mr->progress->out) {
      int64_t done = 0;
      for (int64_t k = 0; k < mr->s->runs; k++) done += mr->x->done[k] != 0;
      progress_update(mr->progress, done);
    }
    for (int w = 0; r > 0 && w < started; w++) {
      if (fds[w] < 0 || !pfd[w].revents) continue;
      char chunk[4096];
      ssize_t n = read(fds[w], chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        if (msg[w].len < 65536) buf_put(&msg[w], chunk, (size_t)n);
        continue;
      }
      close(fds[w]); /* end of file: the worker has ended */
      fds[w] = -1;
      open--;
      while (!reaped[w]) {
        if (waitpid(pids[w], &status[w], 0) >= 0 || errno != EINTR) reaped[w] = true;
      }
      bool has_message;
      if (failed < 0 && worker_failure(I, status[w], &has_message)) {
        failed = w;
        stop_workers(pids, status, reaped, started); /* the run has failed: no need to go on */
      }
    }
  }
  stop_workers(pids, status, reaped, started);
  for (int w = 0; w < started; w++)
    if (fds[w] >= 0) close(fds[w]);

  /* report, after cleaning up; the first failure is the one that counts
   * (the others were stopped because of it) */
  Buffer first;
  buf_init(&first);
  if (failed >= 0) buf_put(&first, msg[failed].data, msg[failed].len);
  for (int w = 0; w < started; w++) buf_free(&msg[w]);
  if (stopped) {
    buf_free(&first);
    if (stop_signal || I->interrupted) {
      /* Ctrl-C (or a signal that ends the process): the runs done so far,
       * from the first on, are kept (many_runs_body) */
      I->interrupted = 0;
      mr->kept = 1;
      while (mr->kept < mr->s->runs && mr->x->done[mr->kept]) mr->kept++;
      return;
    }
    interp_throw(I, "run: scenario %s: waiting for its worker processes failed", mr->s->name->chars);
  }
  if (started < jobs) {
    buf_free(&first);
    interp_throw(I, "run: cannot start %d worker processes; try --jobs 1", jobs);
  }
  if (failed >= 0) {
    bool has_message;
    const char *why = worker_failure(I, status[failed], &has_message);
    if (has_message && first.len) {
      fputs(first.data, I->err);
      fflush(I->err);
    }
    buf_free(&first);
    interp_throw(I, "run: scenario %s: worker process %d of %d %s%s; the run has no results", mr->s->name->chars,
                 failed + 1, started, why, has_message ? " (the error is above)" : "");
  }
  buf_free(&first);
  for (int64_t k = 1; k < mr->s->runs; k++)
    if (!mr->x->done[k])
      interp_throw(I, "run: scenario %s: run %lld of %lld was not done by its worker process; the run has no results",
                   mr->s->name->chars, (long long)k + 1, (long long)mr->s->runs);
  mr->kept = mr->s->runs;
}

/* Runs 1..N-1 in this process; Ctrl-C stops them with runs 0..kept-1 done. */
static void serial_runs_body(Interp *I, void *ud) {
  ManyRuns *mr = ud;
  for (int64_t k = mr->kept; k < mr->s->runs; k++) {
    run_row(I, mr->s, mr->shape, k, mr->x);
    mr->kept = k + 1;
    progress_update(mr->progress, k + 1);
  }
}

static void serial_runs(Interp *I, ManyRuns *mr) {
  mr->kept = 1;
  if (!interp_pcall(I, serial_runs_body, mr) && !I->interrupt_raised) interp_rethrow(I);
}

typedef struct {
  ManyRuns *mr;
  bool parallel;
  double *scratch;
  Columns *cols;
  Buffer *path; /* the statistics' current path, for their errors */
} ManyJob;

/* Runs 1..N-1 into the matrix (run 0 is its first row), then the statistics. */
static void many_runs_body(Interp *I, void *ud) {
  ManyJob *job = ud;
  ManyRuns *mr = job->mr;
  ObjScenario *s = mr->s;
  int n = 0;
  flatten(I, mr->shape, mr->shape, row_of(mr->x, 0), &n);
  row_store(I, mr->x, 0);
  progress_update(mr->progress, 1);
  if (shard_merging(I)) {
    /* the other runs come from the shards' part files */
    shard_merge_scenario(I, s, mr->x->np);
    for (int64_t k = 1; k < s->runs; k++) {
      shard_read_run(I, k, row_of(mr->x, k), mr->x->np);
      row_store(I, mr->x, k);
    }
    mr->kept = s->runs;
  } else if (job->parallel) {
    many_runs_parallel(mr);
  } else {
    serial_runs(I, mr);
  }
  progress_end(mr->progress);
  if (mr->kept < s->runs) {
    /* interrupted: a signal ends the process (many_runs); at the prompt,
     * the first runs done are kept, as `runs: kept` would give them */
    if (stop_signal || mr->kept < 2) interp_throw_interrupt(I);
    fprintf(I->err, "note: run %s: interrupted; it keeps its first %lld of %lld runs (the results of runs: %lld)\n",
            s->name->chars, (long long)mr->kept, (long long)s->runs, (long long)mr->kept);
    fflush(I->err);
    mr->x->runs = mr->kept;
    s->runs = mr->kept;
    s->interrupted = true;
  }
  n = 0;
  s->results = aggregate(I, s, mr->shape, job->path, job->cols, (int)s->runs, &n, job->scratch);
  s->first_results = mr->shape;
  s->run_index = 0;
}

/* An error here leaves no scenario running (world_run_once does the same
 * for a run's own errors). */
static _Noreturn void many_runs_failed(Interp *I) {
  I->world->running = NULL;
  interp_rethrow(I);
}

static void many_runs(Interp *I, void *ud);

void world_many_runs(Interp *I, ObjScenario *s) {
  if (!interp_pcall(I, many_runs, s)) many_runs_failed(I);
}

/* The memory the matrix may take before it is spilled to a file:
 * CLUSIM_RUNS_MEMORY, a number of bytes with an optional suffix k, M or G
 * (times 1024, 1024^2, 1024^3); 1G when it is not set. */
static size_t runs_memory(Interp *I) {
  const char *e = getenv("CLUSIM_RUNS_MEMORY");
  if (!e || !*e) return (size_t)1 << 30;
  const char *p = e;
  unsigned long long n = 0;
  bool ok = *p >= '0' && *p <= '9';
  for (; ok && *p >= '0' && *p <= '9'; p++) {
    if (n > (ULLONG_MAX - 9) / 10) ok = false;
    n = n * 10 + (unsigned)(*p - '0');
  }
  int shift = 0;
  if (*p == 'k' || *p == 'K') shift = 10;
  else if (*p == 'M') shift = 20;
  else if (*p == 'G') shift = 30;
  if (shift) p++;
  if (!ok || *p || n > (SIZE_MAX >> shift))
    interp_throw(I, "run: CLUSIM_RUNS_MEMORY must be a number of bytes, such as 500M or 2G, not '%s'", e);
  return (size_t)n << shift;
}

/* An unlinked temporary file in $TMPDIR (or /tmp): it goes away with its
 * last descriptor, whichever way the process ends. */
static int spill_file(Interp *I, ObjScenario *s, size_t bytes) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir) dir = "/tmp";
  Buffer path;
  buf_init(&path);
  buf_printf(&path, "%s/clusim-runs-XXXXXX", dir);
  int fd = mkstemp(path.data);
  int err = errno;
  if (fd >= 0) {
    unlink(path.data);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  buf_free(&path);
  if (fd < 0)
    interp_throw(I, "run: the numbers of %lld runs of scenario %s (%zu %s) are more than CLUSIM_RUNS_MEMORY allows, "
                    "and no temporary file can hold them in %s: %s",
                 (long long)s->runs, s->name->chars, bytes >= (1u << 20) ? bytes >> 20 : bytes,
                 bytes >= (1u << 20) ? "MB" : "bytes", dir, strerror(err));
  return fd;
}

/* The matrix for np points of s's runs, in memory or spilled (see the top);
 * jobs > 1 asks for the parts the workers write to be shared. */
static void matrix_open(Interp *I, Matrix *x, ObjScenario *s, int np, int jobs) {
  size_t budget = runs_memory(I);
  size_t cells = (size_t)(np ? np : 1) * (size_t)s->runs;
  size_t bytes = sizeof(double) * cells;
  *x = (Matrix){.np = np, .runs = s->runs, .fd = -1};
  bool spill = bytes > budget;
  if (spill) {
    x->fd = spill_file(I, s, bytes);
    x->row = malloc(sizeof(double) * (size_t)(np ? np : 1));
  }
  x->block_bytes = !spill || budget > ((size_t)64 << 20) ? ((size_t)64 << 20) : budget;
  /* in memory: the matrix, then the done flags; spilled: the flags alone */
  x->map_bytes = (spill ? 0 : bytes) + (size_t)s->runs;
  x->shared = jobs > 1;
  if (x->shared) {
    x->map = mmap(NULL, x->map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (x->map == MAP_FAILED) x->map = NULL;
  }
  if (!x->map) {
    x->shared = false;
    x->map = malloc(x->map_bytes);
  }
  if (!x->map || (spill && !x->row)) return; /* the caller reports it */
  if (!spill) x->m = x->map;
  x->done = (unsigned char *)x->map + (spill ? 0 : bytes);
  memset((unsigned char *)x->done, 0, (size_t)s->runs);
}

static void matrix_close(Matrix *x) {
  if (x->shared) munmap(x->map, x->map_bytes);
  else free(x->map);
  free(x->row);
  if (x->fd >= 0) close(x->fd);
}

/* A shard's runs (world_shard.h): its share of runs 1..N-1, each row
 * written to its part file as it is done. */
typedef struct {
  ObjScenario *s;
  ObjRecord *shape;
  double *row;
  int np;
  Progress *progress;
} ShardJob;

static void shard_runs_body(Interp *I, void *ud) {
  ShardJob *job = ud;
  ObjScenario *s = job->s;
  shard_begin_scenario(I, s, job->np);
  int64_t step = shard_run_step(I), done = 1;
  for (int64_t k = shard_first_run(I); k < s->runs; k += step) {
    s->run_index = k;
    s->results = record_new(I);
    world_run_once(I, s, k);
    int n = 0;
    flatten(I, job->shape, s->results, job->row, &n);
    shard_write_run(I, k, job->row, job->np);
    progress_update(job->progress, ++done);
  }
}

static void shard_runs(Interp *I, ObjScenario *s, ObjRecord *shape, int np) {
  int64_t mine = s->runs - 1 >= shard_first_run(I) ? (s->runs - 1 - shard_first_run(I)) / shard_run_step(I) + 1 : 0;
  Progress progress;
  progress_start(&progress, I->progress, str_printf(I, "run %s (a shard)", s->name->chars)->chars, mine + 1, "runs");
  ShardJob job = {s, shape, malloc(sizeof(double) * (size_t)(np ? np : 1)), np, &progress};
  if (!job.row) interp_throw(I, "run: not enough memory for the runs of scenario %s", s->name->chars);
  CaughtSignals signals;
  catch_stop_signals(I, &signals);
  bool ok = interp_pcall(I, shard_runs_body, &job);
  restore_stop_signals(&signals);
  progress_end(&progress);
  free(job.row);
  s->results = shape;
  s->run_index = 0;
  int sig = stop_signal;
  if (sig) {
    stop_signal = 0;
    shard_abandon(I);
    fprintf(I->err, "run %s: stopped by signal %d (%s); the shard has no part file\n", s->name->chars, sig,
            strsignal(sig));
    fflush(NULL);
    raise(sig);
  }
  if (!ok) interp_rethrow(I);
}

static void many_runs(Interp *I, void *ud) {
  ObjScenario *s = ud;
  ObjRecord *shape = s->results;
  interp_push_root(I, OBJ_VAL(shape));
  int np = count_points(shape);
  /* A shard computes its runs and keeps their numbers in its part file;
   * its own statistics, which nothing shows, are those of run 0. */
  int64_t runs = s->runs;
  if (shard_writing(I)) {
    shard_runs(I, s, shape, np);
    s->runs = 1;
  }
  size_t cells = (size_t)(np ? np : 1) * (size_t)s->runs;
  if (cells > ((size_t)1 << 37)) /* a terabyte */
    interp_throw(I, "run: %lld runs of scenario %s would keep too many numbers (%zu); use fewer runs",
                 (long long)s->runs, s->name->chars, cells);
  int jobs = I->jobs > 0 && !shard_merging(I) ? I->jobs : 1;
  if (jobs > 64) jobs = 64;
  if (jobs > s->runs - 1) jobs = (int)(s->runs - 1);
  Matrix x;
  matrix_open(I, &x, s, np, jobs);
  /* the statistics' scratch: one column sorted, and a block of columns read in */
  Columns cols = {&x, NULL, NULL, 0, 0, columns_width(x.block_bytes, s->runs, np)};
  cols.block = malloc(sizeof(double) * (size_t)cols.max_width * (size_t)s->runs);
  if (x.fd >= 0) cols.part = malloc(sizeof(double) * (size_t)cols.max_width);
  double *scratch = malloc(sizeof(double) * (size_t)s->runs);
  if (!x.map || (x.fd >= 0 && (!x.row || !cols.part)) || !cols.block || !scratch) {
    matrix_close(&x);
    free(cols.block);
    free(cols.part);
    free(scratch);
    interp_throw(I, "run: not enough memory for %lld runs of scenario %s; use fewer runs", (long long)s->runs,
                 s->name->chars);
  }
  /* the matrix is not the collector's: free it on the way out of an error too */
  Progress progress;
  progress_start(&progress, I->progress, str_printf(I, "run %s", s->name->chars)->chars, s->runs, "runs");
  ManyRuns mr = {I, s, shape, &x, x.shared ? jobs : 1, &progress, 1};
  Buffer path;
  buf_init(&path);
  ManyJob job = {&mr, x.shared, scratch, &cols, &path};
  CaughtSignals signals;
  catch_stop_signals(I, &signals);
  bool ok = interp_pcall(I, many_runs_body, &job);
  restore_stop_signals(&signals);
  progress_end(&progress);
  buf_free(&path);
  matrix_close(&x);
  free(cols.block);
  free(cols.part);
  free(scratch);
  int sig = stop_signal;
  if (sig) {
    /* a signal that ends the process: say how far the runs got, then end
     * by it, as it would have, now that the workers are gone */
    stop_signal = 0;
    fprintf(I->err, "run %s: stopped by signal %d (%s) after %lld of %lld runs; nothing is kept\n", s->name->chars,
            sig, strsignal(sig), (long long)mr.kept, (long long)s->runs);
    fflush(NULL);
    raise(sig);
    interp_throw(I, "run: scenario %s stopped by signal %d (%s)", s->name->chars, sig, strsignal(sig));
  }
  if (shard_writing(I)) s->runs = runs;
  if (!ok) interp_rethrow(I);
  interp_pop_roots(I, 1);
}

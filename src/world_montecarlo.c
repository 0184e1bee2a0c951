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
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "num.h"
#include "world.h"
#include "world_results.h"

static int count_points(ObjRecord *shape) {
  int n = 0;
  for (int i = 0; i < shape->count; i++) {
    Value v = shape->values[i];
    if (IS_SERIES(v)) n += AS_SERIES(v)->values.count;
    else if (IS_RECORD(v)) n += count_points(AS_RECORD(v));
  }
  return n;
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
        out[(*n)++] = num_is(x) ? num_to_double(x) : NAN;
      }
    } else if (IS_RECORD(v)) {
      flatten(I, AS_RECORD(v), IS_RECORD(w) ? AS_RECORD(w) : NULL, out, n);
    }
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Linear interpolation between order statistics (as numpy's default). */
static double percentile(const double *sorted, int n, double p) {
  double pos = p * (n - 1);
  int lo = (int)floor(pos);
  int hi = lo + 1 < n ? lo + 1 : lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

static Value stat_value(double d, UnitId unit) {
  if (isnan(d)) return NIL_VAL;
  Value v = FLOAT_VAL(d);
  v.unit = unit;
  return v;
}

/* Build mean series (with .p5 .p50 .p95) in the shape of run 0. */
static ObjRecord *aggregate(Interp *I, ObjRecord *shape, const double *m, int runs, int np, int *n,
                            double *scratch) {
  ObjRecord *out = record_new(I);
  for (int i = 0; i < shape->count; i++) {
    Value v = shape->values[i];
    if (IS_RECORD(v)) {
      record_set(I, out, shape->keys[i], OBJ_VAL(aggregate(I, AS_RECORD(v), m, runs, np, n, scratch)));
      continue;
    }
    if (!IS_SERIES(v)) continue;
    ObjSeries *sv = AS_SERIES(v);
    UnitId unit = UNIT_NONE;
    for (int k = 0; k < sv->values.count; k++)
      if (num_is(sv->values.items[k])) unit = sv->values.items[k].unit;
    ObjSeries *mean = results_series_new(I, sv->first_year), *p5 = results_series_new(I, sv->first_year),
              *p50 = results_series_new(I, sv->first_year), *p95 = results_series_new(I, sv->first_year);
    for (int k = 0; k < sv->values.count; k++, (*n)++) {
      int cnt = 0;
      double sum = 0;
      for (int r = 0; r < runs; r++) {
        double d = m[(size_t)r * (size_t)np + (size_t)*n];
        if (isnan(d)) continue;
        scratch[cnt++] = d;
        sum += d;
      }
      if (cnt == 0) {
        valarr_push(I, &mean->values, NIL_VAL);
        valarr_push(I, &p5->values, NIL_VAL);
        valarr_push(I, &p50->values, NIL_VAL);
        valarr_push(I, &p95->values, NIL_VAL);
        continue;
      }
      qsort(scratch, (size_t)cnt, sizeof(double), cmp_double);
      valarr_push(I, &mean->values, stat_value(sum / cnt, unit));
      valarr_push(I, &p5->values, stat_value(percentile(scratch, cnt, 0.05), unit));
      valarr_push(I, &p50->values, stat_value(percentile(scratch, cnt, 0.50), unit));
      valarr_push(I, &p95->values, stat_value(percentile(scratch, cnt, 0.95), unit));
    }
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

/* Run k and flatten its numbers into row. */
static void run_row(Interp *I, ObjScenario *s, ObjRecord *shape, int64_t k, double *row) {
  s->run_index = k;
  s->results = record_new(I);
  world_run_once(I, s, k);
  int n = 0;
  flatten(I, shape, s->results, row, &n);
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
  double *m;
  int np, jobs;
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
  for (int64_t k = 1 + job->w; k < mr->s->runs; k += mr->jobs)
    run_row(I, mr->s, mr->shape, k, mr->m + (size_t)k * (size_t)mr->np);
}

static _Noreturn void worker(ManyRuns *mr, int w, int fd) {
  Interp *I = mr->I;
  WorkerJob job = {mr, w};
  if (interp_pcall(I, worker_runs, &job)) _exit(0);
  size_t len = I->traceback.len < 32768 ? I->traceback.len : 32768;
  write_all(fd, I->traceback.data, len);
  _exit(1);
}

static void many_runs_parallel(ManyRuns *mr) {
  Interp *I = mr->I;
  int jobs = mr->jobs;
  int fds[64];
  pid_t pids[64];
  int started = 0;
  fflush(NULL);
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
      worker(mr, w, p[1]);
    }
    close(p[1]);
    fds[w] = p[0];
    pids[w] = pid;
    started++;
  }
  bool bad = started < jobs;
  for (int w = 0; w < started; w++) {
    int st;
    while (waitpid(pids[w], &st, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad = true;
  }
  Buffer err;
  buf_init(&err);
  for (int w = 0; w < started; w++) {
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[w], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0 && err.len < 65536) buf_put(&err, chunk, (size_t)n);
    close(fds[w]);
  }
  if (bad) {
    if (err.len) fputs(err.data, I->err);
    buf_free(&err);
    if (started < jobs) interp_throw(I, "run: cannot start %d worker processes; try --jobs 1", jobs);
    interp_throw(I, "run: scenario %s failed in a worker process%s", mr->s->name->chars,
                 err.len ? " (the error is above)" : "");
  }
  buf_free(&err);
}

typedef struct {
  ManyRuns *mr;
  bool parallel;
  double *scratch;
} ManyJob;

/* Runs 1..N-1 into the matrix (run 0 is its first row), then the statistics. */
static void many_runs_body(Interp *I, void *ud) {
  ManyJob *job = ud;
  ManyRuns *mr = job->mr;
  ObjScenario *s = mr->s;
  int n = 0;
  flatten(I, mr->shape, mr->shape, mr->m, &n);
  if (job->parallel) many_runs_parallel(mr);
  else
    for (int64_t k = 1; k < s->runs; k++) run_row(I, s, mr->shape, k, mr->m + (size_t)k * (size_t)mr->np);
  n = 0;
  s->results = aggregate(I, mr->shape, mr->m, (int)s->runs, mr->np, &n, job->scratch);
  s->first_results = mr->shape;
  s->run_index = 0;
}

void world_many_runs(Interp *I, ObjScenario *s) {
  ObjRecord *shape = s->results;
  interp_push_root(I, OBJ_VAL(shape));
  int np = count_points(shape);
  size_t cells = (size_t)(np ? np : 1) * (size_t)s->runs;
  if (cells > ((size_t)1 << 28))
    interp_throw(I, "run: %lld runs of scenario %s would keep too many numbers (%zu); use fewer runs",
                 (long long)s->runs, s->name->chars, cells);
  int jobs = I->jobs > 0 ? I->jobs : 1;
  if (jobs > 64) jobs = 64;
  if (jobs > s->runs - 1) jobs = (int)(s->runs - 1);
  /* workers write their rows straight into a matrix shared with them */
  bool shared = jobs > 1;
  size_t bytes = sizeof(double) * cells;
  double *m = shared ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
                     : malloc(bytes);
  if (shared && m == MAP_FAILED) {
    shared = false;
    jobs = 1;
    m = malloc(bytes);
  }
  double *scratch = malloc(sizeof(double) * (size_t)s->runs);
  if (!m || !scratch) {
    if (shared) munmap(m, bytes);
    else free(m);
    free(scratch);
    interp_throw(I, "run: not enough memory for %lld runs of scenario %s; use fewer runs", (long long)s->runs,
                 s->name->chars);
  }
  /* the matrix is plain memory: free it on the way out of an error too */
  ManyRuns mr = {I, s, shape, m, np, jobs};
  ManyJob job = {&mr, shared, scratch};
  bool ok = interp_pcall(I, many_runs_body, &job);
  if (shared) munmap(m, bytes);
  else free(m);
  free(scratch);
  if (!ok) interp_rethrow(I);
  interp_pop_roots(I, 1);
}


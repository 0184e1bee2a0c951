/* check_robust.c - Check tests for the faults of issue 7 that a script test
 * cannot show: a small C stack, signals to a run's worker processes, a
 * failing output stream.  (The script tests in tests/scripts show the rest.)
 *
 * Each test runs in its own process (Check's fork mode), so a test that
 * crashes fails alone.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interp.h"
#include "lib.h"
#include "suites.h"

/* ---- an interpreter whose streams are in memory ------------------------ */

typedef struct {
  Interp *I;
  FILE *out_f, *err_f;
  char *out_buf, *err_buf;
  size_t out_len, err_len;
} Box;

static void box_open_with(Box *b, InterpOptions o) {
  memset(b, 0, sizeof *b);
  b->out_f = open_memstream(&b->out_buf, &b->out_len);
  b->err_f = open_memstream(&b->err_buf, &b->err_len);
  ck_assert(b->out_f && b->err_f);
  if (!o.out) o.out = b->out_f;
  o.err = b->err_f;
  b->I = interp_new(&o);
  ck_assert_ptr_nonnull(b->I);
}

static void box_close(Box *b) {
  interp_free(b->I);
  fclose(b->out_f);
  fclose(b->err_f);
  free(b->out_buf);
  free(b->err_buf);
}

static const char *box_err(Box *b) {
  fflush(b->err_f);
  return b->err_buf ? b->err_buf : "";
}

/* ---- recursion through a built-in's callback, on a small C stack --------- */

/* A thread with a 1 MiB stack: before the count of nested calls from C
 * (CLUSIM_MAX_C_CALLS), the recursion below overflowed it (a crash); now
 * it ends in the ordinary error. */
typedef struct {
  const char *code;
  InterpResult r;
  char err[512];
} StackJob;

static void *stack_thread(void *ud) {
  StackJob *job = ud;
  Box b;
  box_open_with(&b, (InterpOptions){0});
  job->r = interp_eval(b.I, "t", job->code, false);
  snprintf(job->err, sizeof job->err, "%s", box_err(&b));
  box_close(&b);
  return NULL;
}

static void run_on_small_stack(const char *code) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  ck_assert_int_eq(pthread_attr_setstacksize(&attr, (size_t)1 << 20), 0);
  StackJob job = {code, INTERP_OK, ""};
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, &attr, stack_thread, &job), 0);
  pthread_join(t, NULL);
  pthread_attr_destroy(&attr);
  ck_assert_int_eq(job.r, INTERP_ERROR);
  ck_assert_msg(strstr(job.err, "recursion too deep") != NULL, "got: %s", job.err);
}

START_TEST(callback_recursion_sort) { run_on_small_stack("fn g(n) = sort([n, n], fn(x) = g(x + 1))\ng(1)\n"); }
END_TEST

START_TEST(callback_recursion_map) { run_on_small_stack("fn g(n) = map([n], fn(x) = g(x + 1))\ng(1)\n"); }
END_TEST

START_TEST(callback_recursion_filter) {
  run_on_small_stack("fn g(n) = filter([n], fn(x) = g(x + 1) != nil)\ng(1)\n");
}
END_TEST

/* After the error the count of nested calls is back at zero: the same
 * interpreter can nest callbacks 150 deep again, twice. */
START_TEST(callback_depth_recovers) {
  Box b;
  box_open_with(&b, (InterpOptions){0});
  ck_assert_int_eq(interp_eval(b.I, "t", "fn g(n) = map([n], fn(x) = g(x + 1))\ng(1)\n", false), INTERP_ERROR);
  ck_assert_int_eq(interp_eval(b.I, "t",
                               "fn h(n) { if n == 0 { return 0 }\n return sum(map([n], fn(x) = h(x - 1) + 1)) }\n"
                               "print h(150)\nprint h(150)\n",
                               false),
                   INTERP_OK);
  fflush(b.out_f);
  ck_assert_str_eq(b.out_buf, "150\n150\n");
  box_close(&b);
}
END_TEST

/* ---- worker processes of a scenario with runs --------------------------- */

/* A world whose scenario's runs after the first spin (for about 20 s at
 * most, so that nothing outlives a failing test for long): the first run,
 * in the parent, leaves t_count at 1; the workers' runs find it above. */
static const char *spinning_runs =
    "let t_count = 0\n"
    "rule t_spin for c in clusters() {\n"
    "  t_count = t_count + 1\n"
    "  let i = 0\n"
    "  if t_count > 1 { while i < 2000000000 { i = i + 1 } }\n"
    "}\n"
    "cluster Demo { members: {sme: 100}, budget: 100k EUR / year }\n"
    "scenario m { years: 2025..2026, runs: 6 }\n"
    "run m\n";

/* The processes whose parent is `parent` (from /proc), at most max. */
static int children_of(pid_t parent, pid_t *out, int max) {
  DIR *d = opendir("/proc");
  ck_assert_ptr_nonnull(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < max) {
    char *end;
    long pid = strtol(e->d_name, &end, 10);
    if (*end || pid <= 0) continue;
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    size_t len = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[len] = '\0';
    char *close = strrchr(line, ')'); /* after the command name, which may hold anything */
    char state;
    long ppid;
    if (close && sscanf(close + 1, " %c %ld", &state, &ppid) == 2 && ppid == parent && state != 'Z')
      out[n++] = (pid_t)pid;
  }
  closedir(d);
  return n;
}

/* Wait up to `seconds` for `parent` to have at least n children. */
static bool wait_for_children(pid_t parent, int n, double seconds) {
  pid_t pids[16];
  for (double t = 0; t < seconds; t += 0.02) {
    if (children_of(parent, pids, 16) >= n) return true;
    nanosleep(&(struct timespec){0, 20000000}, NULL);
  }
  return false;
}

/* kill -TERM of a run with worker processes ends its workers too (issue 7:
 * they were left running, orphaned).  The test process becomes a
 * subreaper, so that orphans come to it; the run is in a process group of
 * its own, so that anything left can be cleaned up. */
START_TEST(workers_die_with_parent) {
  ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    setpgid(0, 0);
    /* as in a clusim process: not the handlers of the test runner */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    Box b;
    box_open_with(&b, (InterpOptions){.jobs = 2});
    interp_eval(b.I, "t", spinning_runs, false);
    _exit(0);
  }
  setpgid(child, child);
  bool started = wait_for_children(child, 2, 30);
  kill(child, SIGTERM);
  int st;
  ck_assert_int_eq(waitpid(child, &st, 0), child);
  bool by_sigterm = WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
  bool left = true;
  for (int i = 0; i < 150 && left; i++) { /* 3 s for the orphans, if any, to end */
    pid_t p = waitpid(-1, &st, WNOHANG);
    if (p < 0 && errno == ECHILD) left = false;
    else if (p == 0) nanosleep(&(struct timespec){0, 20000000}, NULL);
  }
  if (left) {
    kill(-child, SIGKILL);
    while (waitpid(-1, &st, 0) > 0) {
    }
  }
  ck_assert_msg(started, "the workers did not start");
  ck_assert_msg(!left, "worker processes outlived their parent");
  ck_assert_msg(by_sigterm, "the run did not end by SIGTERM (status %d)", st);
}
END_TEST

/* A process that kills one of `me`'s two workers with SIGKILL (as the
 * out-of-memory killer does) once both have started; it exits 0 then, 1
 * if they never start. */
static pid_t start_killer(pid_t me) {
  pid_t killer = fork();
  ck_assert_int_ge(killer, 0);
  if (killer == 0) {
    pid_t kids[16];
    for (int i = 0; i < 1500; i++) { /* 30 s */
      int n = children_of(me, kids, 16), workers = 0;
      pid_t victim = 0;
      for (int k = 0; k < n; k++)
        if (kids[k] != getpid()) {
          workers++;
          victim = kids[k];
        }
      if (workers >= 2) {
        kill(victim, SIGKILL);
        _exit(0);
      }
      nanosleep(&(struct timespec){0, 20000000}, NULL);
    }
    _exit(1);
  }
  return killer;
}

/* spinning_runs with a worker killed: the run fails at once with a message
 * saying so, and no worker is left behind. */
static void check_killed_worker(Box *b) {
  pid_t killer = start_killer(getpid());
  InterpResult r = interp_eval(b->I, "t", spinning_runs, false);
  int st;
  ck_assert_int_eq(waitpid(killer, &st, 0), killer);
  ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the killer found no workers");
  ck_assert_int_eq(r, INTERP_ERROR);
  const char *err = box_err(b);
  ck_assert_msg(strstr(err, "was killed by signal 9") != NULL, "got: %s", err);
  ck_assert_msg(strstr(err, "the run has no results") != NULL, "got: %s", err);
  errno = 0;
  ck_assert_int_eq(waitpid(-1, &st, WNOHANG), -1);
  ck_assert_int_eq(errno, ECHILD);
}

/* A worker killed with SIGKILL fails the run at once with a message saying
 * so, and the other worker is stopped (issue 7: the run waited for every
 * worker, then said only that it failed "in a worker process").  The
 * killing is done by a process of its own. */
START_TEST(killed_worker_fails_the_run) {
  Box b;
  box_open_with(&b, (InterpOptions){.jobs = 2});
  check_killed_worker(&b);
  box_close(&b);
}
END_TEST

/* The descriptors this process has open. */
static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  ck_assert_ptr_nonnull(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n - 1; /* the directory's own */
}

static bool dir_empty(const char *path) {
  DIR *d = opendir(path);
  ck_assert_ptr_nonnull(d);
  struct dirent *e;
  bool empty = true;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
  closedir(d);
  return empty;
}

/* Runs whose numbers are spilled to a temporary file (CLUSIM_RUNS_MEMORY=0)
 * leave nothing behind, whichever way they end - with results, at an error
 * in the statistics, with a worker killed: no file in TMPDIR, no descriptor
 * open.  (The file is unlinked as soon as it is made; this checks that it
 * is made where TMPDIR says and closed on every path.) */
START_TEST(spilled_runs_leave_no_file) {
  char tmp[] = "/tmp/clusim-check-spill-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(tmp));
  setenv("TMPDIR", tmp, 1);
  setenv("CLUSIM_RUNS_MEMORY", "0", 1);
  int fds = open_fds();
  Box b;
  box_open_with(&b, (InterpOptions){.jobs = 2});
  int with_box = open_fds();
  ck_assert_int_eq(interp_eval(b.I, "t",
                               "cluster A { members: {sme: 100}, budget: 100k EUR / year }\n"
                               "scenario t_ok { years: 2025..2027, runs: 6 }\nrun t_ok\n",
                               false),
                   INTERP_OK);
  ck_assert_int_eq(open_fds(), with_box);
  ck_assert_int_eq(interp_eval(b.I, "t",
                               "param t_draw = 1 \"test\"\n"
                               "rule t_root for c in clusters() { c.t_y = sqrt(t_draw) }\n"
                               "scenario t_nan { years: 2025..2027, runs: 20, seed: 3, set t_draw = random_normal(1, 1) }\n"
                               "run t_nan\n",
                               false),
                   INTERP_ERROR);
  ck_assert_msg(strstr(box_err(&b), "is nan") != NULL, "got: %s", box_err(&b));
  ck_assert_int_eq(open_fds(), with_box);
  ck_assert(dir_empty(tmp));
  box_close(&b);
  /* a new interpreter for the killed worker: the one above has rules */
  box_open_with(&b, (InterpOptions){.jobs = 2});
  check_killed_worker(&b);
  ck_assert_int_eq(open_fds(), with_box);
  box_close(&b);
  ck_assert_int_eq(open_fds(), fds);
  ck_assert(dir_empty(tmp));
  ck_assert_int_eq(rmdir(tmp), 0);
}
END_TEST

/* A spilled run whose file cannot grow (a full disk; here the limit on a
 * file's size, with SIGXFSZ ignored so that the write fails with EFBIG)
 * stops with an error saying why - in the parent as in a worker - never
 * with statistics over the rows that were written. */
START_TEST(spill_write_fails) {
  char tmp[] = "/tmp/clusim-check-spill-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(tmp));
  setenv("TMPDIR", tmp, 1);
  setenv("CLUSIM_RUNS_MEMORY", "0", 1);
  signal(SIGXFSZ, SIG_IGN);
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &(struct rlimit){4096, 4096}), 0);
  const char *world = "cluster A { members: {sme: 100}, budget: 100k EUR / year }\n"
                      "scenario t_big { years: 2025..2030, runs: 40 }\n";
  for (int jobs = 1; jobs <= 2; jobs++) {
    Box b;
    box_open_with(&b, (InterpOptions){.jobs = jobs});
    int fds = open_fds();
    ck_assert_int_eq(interp_eval(b.I, "t", world, false), INTERP_OK);
    ck_assert_int_eq(interp_eval(b.I, "t", "run t_big\n", false), INTERP_ERROR);
    const char *err = box_err(&b);
    ck_assert_msg(strstr(err, "cannot write the runs' numbers to the temporary file: File too large") != NULL,
                  "got: %s", err);
    if (jobs == 2) ck_assert_msg(strstr(err, "stopped at an error") != NULL, "got: %s", err);
    ck_assert_int_eq(open_fds(), fds);
    box_close(&b);
  }
  ck_assert(dir_empty(tmp));
  ck_assert_int_eq(rmdir(tmp), 0);
}
END_TEST

/* ---- writing files: write_csv and export (lib_write_file) ---------------- */

static char dir[64];
static char pathbuf[3][4096];

static void dir_setup(void) {
  strcpy(dir, "/tmp/clusim-robust-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void dir_teardown(void) {
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* The path of `name` in the test's directory (three at a time). */
static const char *in_dir(int slot, const char *name) {
  snprintf(pathbuf[slot], sizeof pathbuf[slot], "%s/%s", dir, name);
  return pathbuf[slot];
}

static void put(const char *p, const char *text) {
  FILE *f = fopen(p, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

static const char *get(const char *p) {
  static char text[256];
  FILE *f = fopen(p, "r");
  if (!f) return "(none)";
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  return text;
}

/* Only the files named are left in the directory: no temporary file. */
static int files_in_dir(void) {
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  closedir(d);
  return n;
}

/* A symbolic link is written through: it stays a link, its target gets
 * the text (it was replaced by a plain file). */
START_TEST(write_through_symlink) {
  const char *target = in_dir(0, "target.csv"), *link = in_dir(1, "link.csv");
  put(target, "old\n");
  ck_assert_int_eq(symlink("target.csv", link), 0);
  ck_assert_ptr_null(lib_write_file(link, "new\n", 4));
  struct stat st;
  ck_assert_int_eq(lstat(link, &st), 0);
  ck_assert_msg(S_ISLNK(st.st_mode), "the link was replaced by a file");
  ck_assert_str_eq(get(target), "new\n");
  ck_assert_int_eq(files_in_dir(), 2);
}
END_TEST

/* A link to a file in another directory, and a link to a file that does
 * not exist yet (which is then created, there). */
START_TEST(write_through_symlink_elsewhere) {
  ck_assert_int_eq(mkdir(in_dir(0, "sub"), 0755), 0);
  const char *link = in_dir(1, "link.csv");
  ck_assert_int_eq(symlink("sub/new.csv", link), 0);
  ck_assert_ptr_null(lib_write_file(link, "made\n", 5));
  ck_assert_str_eq(get(in_dir(2, "sub/new.csv")), "made\n");
  struct stat st;
  ck_assert_int_eq(lstat(link, &st), 0);
  ck_assert(S_ISLNK(st.st_mode));
}
END_TEST

/* A file with two hard links: both names see the new text. */
START_TEST(write_keeps_hard_links) {
  const char *a = in_dir(0, "a.csv"), *b = in_dir(1, "b.csv");
  put(a, "old\n");
  ck_assert_int_eq(link(a, b), 0);
  ck_assert_ptr_null(lib_write_file(a, "new\n", 4));
  ck_assert_str_eq(get(b), "new\n");
  struct stat st;
  ck_assert_int_eq(stat(a, &st), 0);
  ck_assert_int_eq(st.st_nlink, 2);
  ck_assert_int_eq(files_in_dir(), 2);
}
END_TEST

/* A read-only file is refused and left as it was. */
START_TEST(write_refuses_read_only) {
  const char *p = in_dir(0, "ro.csv");
  put(p, "keep\n");
  ck_assert_int_eq(chmod(p, 0444), 0);
  const char *why = lib_write_file(p, "new\n", 4);
  ck_assert_msg(why && strstr(why, "read-only"), "got: %s", why ? why : "(written)");
  ck_assert_str_eq(get(p), "keep\n");
  ck_assert_int_eq(files_in_dir(), 1);
}
END_TEST

/* The file keeps its permissions; a new one gets 0666 less the umask (it
 * was always 0600). */
START_TEST(write_keeps_mode) {
  const char *p = in_dir(0, "m.csv");
  put(p, "old\n");
  ck_assert_int_eq(chmod(p, 0640), 0);
  ck_assert_ptr_null(lib_write_file(p, "new\n", 4));
  struct stat st;
  ck_assert_int_eq(stat(p, &st), 0);
  ck_assert_int_eq(st.st_mode & 07777, 0640);
  mode_t old = umask(022);
  const char *q = in_dir(1, "fresh.csv");
  const char *why = lib_write_file(q, "x\n", 2);
  umask(old);
  ck_assert_ptr_null(why);
  ck_assert_int_eq(stat(q, &st), 0);
  ck_assert_int_eq(st.st_mode & 07777, 0644);
}
END_TEST

/* A name as long as the file system allows (255 bytes) can be written: the
 * temporary file's name is short (it was the name plus ".tmpXXXXXX"). */
START_TEST(write_long_name) {
  char name[256];
  memset(name, 'x', 251);
  strcpy(name + 251, ".csv");
  const char *p = in_dir(0, name);
  ck_assert_ptr_null(lib_write_file(p, "long\n", 5));
  ck_assert_str_eq(get(p), "long\n");
  ck_assert_int_eq(files_in_dir(), 1);
}
END_TEST

/* ---- a failing output stream -------------------------------------------- */

/* print to a full disk (/dev/full): the evaluation fails with a message,
 * never reports success with its output lost (clusim -e 'print 1' >
 * /dev/full exited 0).  Buffered: found when the output is flushed at the
 * end; unbuffered: at the print, which stops the program. */
static void expect_write_failure(bool buffered, const char *code, const char *want_err) {
  FILE *full = fopen("/dev/full", "w");
  ck_assert_ptr_nonnull(full);
  if (!buffered) setvbuf(full, NULL, _IONBF, 0);
  Box b;
  box_open_with(&b, (InterpOptions){.out = full});
  ck_assert_int_eq(interp_eval(b.I, "t", code, false), INTERP_ERROR);
  const char *err = box_err(&b);
  ck_assert_msg(strstr(err, want_err) != NULL, "want \"%s\" in: %s", want_err, err);
  ck_assert_msg(strstr(err, "cannot write the output") != NULL, "got: %s", err);
  box_close(&b);
  fclose(full);
}

START_TEST(output_full_buffered) { expect_write_failure(true, "print 1\n", "error: cannot write the output"); }
END_TEST

START_TEST(output_full_unbuffered) {
  expect_write_failure(false, "print 1\nprint 2\n", "t:1:1: error: cannot write the output");
}
END_TEST

Suite *robust_suite(void) {
  Suite *s = suite_create("robust");
  TCase *tc = tcase_create("c stack");
  tcase_add_test(tc, callback_recursion_sort);
  tcase_add_test(tc, callback_recursion_map);
  tcase_add_test(tc, callback_recursion_filter);
  tcase_add_test(tc, callback_depth_recovers);
  suite_add_tcase(s, tc);
  tc = tcase_create("workers");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, workers_die_with_parent);
  tcase_add_test(tc, killed_worker_fails_the_run);
  tcase_add_test(tc, spilled_runs_leave_no_file);
  tcase_add_test(tc, spill_write_fails);
  suite_add_tcase(s, tc);
  tc = tcase_create("write file");
  tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
  tcase_add_test(tc, write_through_symlink);
  tcase_add_test(tc, write_through_symlink_elsewhere);
  tcase_add_test(tc, write_keeps_hard_links);
  tcase_add_test(tc, write_refuses_read_only);
  tcase_add_test(tc, write_keeps_mode);
  tcase_add_test(tc, write_long_name);
  suite_add_tcase(s, tc);
  tc = tcase_create("output");
  tcase_add_test(tc, output_full_buffered);
  tcase_add_test(tc, output_full_unbuffered);
  suite_add_tcase(s, tc);
  return s;
}

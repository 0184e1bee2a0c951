/* check_shard.c - Check tests for the part files of shards (world_shard.h):
 * their numbers in one byte order whatever the host's, against golden
 * bytes (so that an encoding in the host's order fails on a big-endian
 * machine), and a whole header written and read back; the temporary part
 * file of a shard that ends badly removed. */
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interp.h"
#include "suites.h"
#include "world_shard.h"

typedef struct {
  int64_t v;
  unsigned char le[8];
} IntCase;

/* Each value as an i64 and its two's complement bits as a u64. */
START_TEST(test_int_golden) {
  static const IntCase cases[] = {
      {0, {0, 0, 0, 0, 0, 0, 0, 0}},
      {37, {0x25, 0, 0, 0, 0, 0, 0, 0}},
      {0x0102030405060708, {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}},
      {-0x0123456789ABCDF0, {0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE}}, /* 0xFEDCBA9876543210 */
      {-1, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
      {-2, {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
      {9007199254740993, {0x01, 0, 0, 0, 0, 0, 0x20, 0}}, /* 2^53 + 1, beyond a double's integers */
      {-9007199254740993, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xDF, 0xFF}},
      {INT64_MAX, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}},
      {INT64_MIN, {0, 0, 0, 0, 0, 0, 0, 0x80}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    unsigned char b[8];
    shard_encode_i64(b, cases[i].v);
    ck_assert_mem_eq(b, cases[i].le, 8);
    ck_assert_int_eq(shard_decode_i64(cases[i].le), cases[i].v);
    shard_encode_u64(b, (uint64_t)cases[i].v);
    ck_assert_mem_eq(b, cases[i].le, 8);
    ck_assert_uint_eq(shard_decode_u64(cases[i].le), (uint64_t)cases[i].v);
  }
}
END_TEST

typedef struct {
  double v;
  unsigned char le[8];
} DoubleCase;

/* IEEE 754 binary64 bit patterns, least significant byte first. */
START_TEST(test_double_golden) {
  static const DoubleCase cases[] = {
      {1.5, {0, 0, 0, 0, 0, 0, 0xF8, 0x3F}},
      {-2.0, {0, 0, 0, 0, 0, 0, 0, 0xC0}},
      {0.1, {0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F}},
      {9007199254740992.0, {0, 0, 0, 0, 0, 0, 0x40, 0x43}},              /* 2^53 */
      {4.9406564584124654e-324, {0x01, 0, 0, 0, 0, 0, 0, 0}},            /* the least subnormal */
      {1.7976931348623157e308, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xEF, 0x7F}}, /* DBL_MAX */
      {INFINITY, {0, 0, 0, 0, 0, 0, 0xF0, 0x7F}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    unsigned char b[8];
    shard_encode_double(b, cases[i].v);
    ck_assert_mem_eq(b, cases[i].le, 8);
    ck_assert(shard_decode_double(cases[i].le) == cases[i].v);
  }
  /* -0.0 equals 0.0: its sign bit is checked in the bytes and after decoding */
  static const unsigned char minus_zero[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
  unsigned char b[8];
  shard_encode_double(b, -0.0);
  ck_assert_mem_eq(b, minus_zero, 8);
  double z = shard_decode_double(minus_zero);
  ck_assert(z == 0.0 && signbit(z));
  /* a NaN stays a NaN */
  shard_encode_double(b, NAN);
  ck_assert(isnan(shard_decode_double(b)));
}
END_TEST

/* A part file with no scenario of runs, byte for byte: the header (the
 * script's hash, K, N, its path and arguments) and the end mark. */
START_TEST(test_part_golden) {
  char dir[] = "/tmp/clusim-check-shard-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[sizeof dir + 16];
  snprintf(path, sizeof path, "%s/a.part", dir);
  Interp *I = interp_new(&(InterpOptions){0});
  char *strings[] = {"a.clu", "x"};
  Buffer err;
  buf_init(&err);
  ck_assert(shard_start(I, 2, 3, path, 0x0102030405060708u, 2, strings, &err));
  ck_assert(shard_finish(I, true, &err));
  static const unsigned char want[] = {
      'C', 'L', 'U', 'S', 'I', 'M', '-', 'P', 'A', 'R', 'T', ' ', '3', '\n', /* format 3 */
      0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,                     /* the hash */
      2, 0, 0, 0, 0, 0, 0, 0,                                             /* K */
      3, 0, 0, 0, 0, 0, 0, 0,                                             /* N */
      2, 0, 0, 0, 0, 0, 0, 0,                                             /* two strings */
      5, 0, 0, 0, 0, 0, 0, 0, 'a', '.', 'c', 'l', 'u',                    /* the script */
      1, 0, 0, 0, 0, 0, 0, 0, 'x',                                        /* its argument */
      'E', 'N', 'D', '!', 0, 0, 0, 0, 0, 0, 0, 0,                         /* no blocks */
  };
  unsigned char got[sizeof want + 1];
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  size_t n = fread(got, 1, sizeof got, f);
  fclose(f);
  ck_assert_uint_eq(n, sizeof want);
  ck_assert_mem_eq(got, want, sizeof want);
  /* read back: the script and its arguments */
  int argc = 0;
  char **argv = NULL;
  ck_assert(shard_part_script(path, &argc, &argv, &err));
  ck_assert_int_eq(argc, 2);
  ck_assert_str_eq(argv[0], "a.clu");
  ck_assert_str_eq(argv[1], "x");
  ck_assert_ptr_null(argv[2]);
  for (int i = 0; i < argc; i++) free(argv[i]);
  free(argv);
  buf_free(&err);
  interp_free(I);
  unlink(path);
  ck_assert_int_eq(rmdir(dir), 0); /* nothing else was left there */
}
END_TEST

/* How the process of a shard ends before shard_finish, in a child of the
 * test: its wait status, and what it said on its standard error in said. */
enum { BY_EXIT, BY_SIGTERM, BY_ABORT, CHILD_BY_SIGTERM };

static int end_a_shard(const char *path, int how, char said[256]) {
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDERR_FILENO);
    /* as in clusim: no handler of the test runner's (it kills its process
     * group on SIGTERM), and no core file from abort() */
    signal(SIGTERM, SIG_DFL);
    signal(SIGALRM, SIG_DFL);
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    Interp *I = interp_new(&(InterpOptions){0});
    char *strings[] = {"a.clu"};
    Buffer err;
    buf_init(&err);
    if (!shard_start(I, 1, 2, path, 7, 1, strings, &err)) _exit(90);
    if (how == BY_EXIT) exit(1);
    if (how == BY_SIGTERM) raise(SIGTERM);
    if (how == BY_ABORT) abort();
    /* a process the shard forks, stopped by a signal, leaves its parent's file */
    pid_t child = fork();
    if (child == 0) {
      raise(SIGTERM);
      _exit(91);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFSIGNALED(status)) _exit(92);
    _exit(shard_finish(I, true, &err) ? 0 : 93);
  }
  close(fds[1]);
  int status = -1;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ssize_t n = read(fds[0], said, 255);
  said[n > 0 ? n : 0] = '\0';
  close(fds[0]);
  return status;
}

START_TEST(test_part_removed) {
  char dir[] = "/tmp/clusim-check-shard-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[sizeof dir + 16];
  snprintf(path, sizeof path, "%s/a.part", dir);
  char said[256];
  /* exit(): no file left */
  int status = end_a_shard(path, BY_EXIT, said);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
  ck_assert_int_eq(rmdir(dir), 0);
  /* a signal, and abort(): no file left, and the process ends by the signal */
  ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/clusim-check-shard-XXXXXX")));
  snprintf(path, sizeof path, "%s/a.part", dir);
  status = end_a_shard(path, BY_SIGTERM, said);
  ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  ck_assert_str_eq(said, "clusim: --shard: stopped by signal 15 (Terminated); the shard has no part file\n");
  status = end_a_shard(path, BY_ABORT, said);
  ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
  ck_assert_ptr_nonnull(strstr(said, "stopped by signal 6"));
  ck_assert_int_eq(rmdir(dir), 0);
  /* a child stopped by a signal: the shard goes on and its part is whole */
  ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/clusim-check-shard-XXXXXX")));
  snprintf(path, sizeof path, "%s/a.part", dir);
  status = end_a_shard(path, CHILD_BY_SIGTERM, said);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ck_assert_str_eq(said, "");
  int argc = 0;
  char **argv = NULL;
  Buffer err;
  buf_init(&err);
  ck_assert(shard_part_script(path, &argc, &argv, &err));
  ck_assert_int_eq(argc, 1);
  free(argv[0]);
  free(argv);
  buf_free(&err);
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *shard_suite(void) {
  Suite *s = suite_create("shard");
  TCase *tc = tcase_create("part file");
  tcase_add_test(tc, test_int_golden);
  tcase_add_test(tc, test_double_golden);
  tcase_add_test(tc, test_part_golden);
  tcase_add_test(tc, test_part_removed);
  suite_add_tcase(s, tc);
  return s;
}

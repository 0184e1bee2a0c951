/* world_shard.c - shards of many-run scenarios and their merging (see
 * world_shard.h for the idea and the part file's layout). */
#include "world_shard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memory.h"
#include "state.h"
#include "world.h"
#include "world_results.h"

/* The first line of a part file: "CLUSIM-PART", the format's version.
 * Version 1 held its numbers in the byte order of the machine that wrote
 * it; version 2 holds them little-endian everywhere (see world_shard.h). */
#define PART_MAGIC "CLUSIM-PART "
#define PART_MAGIC_LEN 12
#define PART_VERSION 3
#define MAX_SHARDS 1000000

typedef struct {
  int64_t seq, runs, seed, np, count;
  uint64_t inputs; /* the digest of the files its shard had read (world_shard.h) */
  char *name;
  off_t rows; /* where its first (k, row) is */
  bool used;
} Block;

/* The signals whose default action ends the process: a shard catches
 * those left to it, from shard_start to the end of shard_finish, to remove
 * its unfinished part file before it ends by the signal as it would have
 * (see "a shard stopped by a signal" below). */
static const int end_signals[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGILL,  SIGABRT, SIGBUS,  SIGFPE, SIGSEGV,
                                  SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ};
#define NEND (int)(sizeof end_signals / sizeof end_signals[0])

/* What a shard sets up so that a signal leaves no part file behind. */
typedef struct {
  pid_t pid;                /* the shard's process: not a child forked by it */
  bool caught[NEND];        /* end_signals[i] was left to its default, and is caught */
  struct sigaction old[NEND];
  char *said[NEND];         /* the message for end_signals[i], formatted beforehand */
  size_t said_len[NEND];
} Guard;

typedef struct {
  char *path;
  int fd;
  int64_t k;
  Block *blocks;
  int nblocks;
} Part;

struct RunShards {
  bool writing;
  int64_t k, n;
  uint64_t hash;
  int64_t seq; /* many-run scenarios run so far */
  /* writing */
  char *path, *tmp;
  FILE *out;
  int64_t blocks_written;
  unsigned char *row_bytes; /* a run's (k, row) encoded, row_cap bytes */
  size_t row_cap;
  Guard guard;
  /* merging: parts[K - 1] is shard K */
  Part *parts;
  int nparts;
};

bool shard_parse(const char *text, int64_t *k, int64_t *n) {
  char *end;
  errno = 0;
  long long a = strtoll(text, &end, 10);
  if (end == text || *end != '/' || errno) return false;
  const char *second = end + 1;
  long long b = strtoll(second, &end, 10);
  if (end == second || *end || errno) return false;
  if (b < 1 || b > MAX_SHARDS || a < 1 || a > b) return false;
  *k = a;
  *n = b;
  return true;
}

uint64_t shard_script_hash(const char *text, size_t len, int argc, char **argv) {
  uint64_t h = 1469598103934665603u; /* FNV-1a, 64 bits */
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)text[i]) * 1099511628211u;
  for (int a = 0; a < argc; a++) {
    h = (h ^ 0u) * 1099511628211u;
    for (const char *p = argv[a]; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211u;
  }
  return h;
}

/* ---- the numbers of a part file ---------------------------------------------- */

_Static_assert(sizeof(double) == sizeof(uint64_t), "a double is 64 bits (IEEE 754 binary64)");

/* Written out byte by byte, which compilers turn into one 8-byte store or
 * load (with a byte swap on a big-endian host): a loop they leave a loop,
 * 20% slower to merge. */
void shard_encode_u64(unsigned char out[8], uint64_t v) {
  out[0] = (unsigned char)v;
  out[1] = (unsigned char)(v >> 8);
  out[2] = (unsigned char)(v >> 16);
  out[3] = (unsigned char)(v >> 24);
  out[4] = (unsigned char)(v >> 32);
  out[5] = (unsigned char)(v >> 40);
  out[6] = (unsigned char)(v >> 48);
  out[7] = (unsigned char)(v >> 56);
}

uint64_t shard_decode_u64(const unsigned char in[8]) {
  return (uint64_t)in[0] | (uint64_t)in[1] << 8 | (uint64_t)in[2] << 16 | (uint64_t)in[3] << 24 |
         (uint64_t)in[4] << 32 | (uint64_t)in[5] << 40 | (uint64_t)in[6] << 48 | (uint64_t)in[7] << 56;
}

void shard_encode_i64(unsigned char out[8], int64_t v) { shard_encode_u64(out, (uint64_t)v); }

/* Two's complement back, without the implementation-defined conversion
 * of a uint64_t above INT64_MAX to int64_t. */
int64_t shard_decode_i64(const unsigned char in[8]) {
  uint64_t u = shard_decode_u64(in);
  return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

/* A double's bits, copied (never punned) into the integer of the same
 * width, whose byte order the shifts above fix. */
void shard_encode_double(unsigned char out[8], double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  shard_encode_u64(out, bits);
}

double shard_decode_double(const unsigned char in[8]) {
  uint64_t bits = shard_decode_u64(in);
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

/* ---- a shard stopped by a signal ----------------------------------------------- */

/* A shard writes its part file under a temporary name and renames it when
 * the script has ended well (shard_finish).  A signal that ends the
 * process - Ctrl-C, kill, a batch system's time limit, abort() - may come
 * at any point: in the runs of a scenario, before them, after them, or
 * while the script waits in a system call that no flag would interrupt.
 * (world_montecarlo.c catches such signals only during a scenario's runs,
 * and only those still left to their default, which these no longer are.)
 * So the handler does the work itself, with async-signal-safe calls only:
 * it removes the temporary file (unlink), says so (write, of a message
 * formatted when the shard began), and ends the process by the same signal
 * (SA_RESETHAND gave the signal its default action back; raise makes it
 * pending until the handler returns).  A child the shard forks (a worker)
 * removes nothing: the file is its parent's.  The file goes on exit() too
 * (an out-of-memory outside the interpreter's error handling).  Nothing
 * can remove it after SIGKILL, or a crash that leaves no stack to handle
 * the signal on: a merge never reads a PART.tmp-* file.
 *
 * Handlers belong to the process, so the shard being written is a static:
 * one per process (main starts at most one). */
static RunShards *volatile guarded;

static void on_end_signal(int sig) {
  int saved = errno;
  RunShards *sh = guarded;
  if (sh && getpid() == sh->guard.pid) {
    guarded = NULL; /* once, whichever signals come */
    unlink(sh->tmp);
    for (int i = 0; i < NEND; i++)
      if (end_signals[i] == sig) {
        ssize_t w = write(STDERR_FILENO, sh->guard.said[i], sh->guard.said_len[i]);
        (void)w;
      }
  }
  raise(sig);
  errno = saved;
}

static void remove_on_exit(void) {
  RunShards *sh = guarded;
  if (sh && getpid() == sh->guard.pid) unlink(sh->tmp);
}

static void end_signal_set(sigset_t *set) {
  sigemptyset(set);
  for (int i = 0; i < NEND; i++) sigaddset(set, end_signals[i]);
}

/* Catch the end signals left to their default action (one ignored, as
 * nohup ignores SIGHUP, or handled by the host stays so). */
static void guard_start(RunShards *sh) {
  static bool at_exit;
  if (!at_exit) at_exit = atexit(remove_on_exit) == 0;
  Guard *g = &sh->guard;
  g->pid = getpid();
  bool tty = isatty(STDERR_FILENO);
  for (int i = 0; i < NEND; i++) {
    Buffer b;
    buf_init(&b);
    buf_printf(&b, "%sclusim: --shard: stopped by signal %d (%s); the shard has no part file\n",
               tty ? "\r\033[K" : "", end_signals[i], strsignal(end_signals[i]));
    g->said_len[i] = b.len;
    g->said[i] = buf_take(&b);
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_end_signal;
  end_signal_set(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  guarded = sh;
  for (int i = 0; i < NEND; i++) {
    sigaction(end_signals[i], NULL, &g->old[i]);
    g->caught[i] = !(g->old[i].sa_flags & SA_SIGINFO) && g->old[i].sa_handler == SIG_DFL;
    if (g->caught[i]) sigaction(end_signals[i], &sa, NULL);
  }
}

/* The signals back as they were; called with them blocked, once the part
 * file is in place or removed. */
static void guard_end(RunShards *sh) {
  Guard *g = &sh->guard;
  guarded = NULL;
  for (int i = 0; i < NEND; i++) {
    if (g->caught[i]) sigaction(end_signals[i], &g->old[i], NULL);
    free(g->said[i]);
  }
}

/* ---- writing a shard ---------------------------------------------------------- */

static bool put(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n; }
static bool put_u64(FILE *f, uint64_t v) {
  unsigned char b[8];
  shard_encode_u64(b, v);
  return put(f, b, 8);
}
static bool put_i64(FILE *f, int64_t v) { return put_u64(f, (uint64_t)v); }

bool shard_start(Interp *I, int64_t k, int64_t n, const char *path, uint64_t hash, int nstrings, char **strings,
                 Buffer *err) {
  RunShards *sh = calloc(1, sizeof *sh);
  if (!sh) {
    buf_puts(err, "out of memory");
    return false;
  }
  sh->writing = true;
  sh->k = k;
  sh->n = n;
  sh->hash = hash;
  sh->path = strdup(path);
  size_t len = strlen(path);
  sh->tmp = malloc(len + 16);
  if (!sh->path || !sh->tmp) {
    free(sh->path);
    free(sh->tmp);
    free(sh);
    buf_puts(err, "out of memory");
    return false;
  }
  snprintf(sh->tmp, len + 16, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(sh->tmp);
  if (fd >= 0) { /* mkstemp's 0600 would keep the part from a merge run by another user: 0666 less the umask */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask); /* if it fails, the part stays its owner's alone, as before */
  }
  if (fd < 0 || !(sh->out = fdopen(fd, "wb"))) {
    buf_printf(err, "cannot write the part file '%s': %s", path, strerror(errno));
    if (fd >= 0) {
      close(fd);
      unlink(sh->tmp);
    }
    free(sh->path);
    free(sh->tmp);
    free(sh);
    return false;
  }
  guard_start(sh);
  fprintf(sh->out, "%s%d\n", PART_MAGIC, PART_VERSION);
  put_u64(sh->out, hash);
  put_i64(sh->out, k);
  put_i64(sh->out, n);
  put_i64(sh->out, nstrings);
  for (int i = 0; i < nstrings; i++) {
    put_i64(sh->out, (int64_t)strlen(strings[i]));
    put(sh->out, strings[i], strlen(strings[i]));
  }
  I->shards = sh;
  return true;
}

bool shard_writing(Interp *I) { return I->shards && I->shards->writing; }
bool shard_merging(Interp *I) { return I->shards && !I->shards->writing; }

/* The runs 1..runs-1 that shard k of n owns: k, k + n, k + 2n, ... */
static int64_t owned_count(int64_t runs, int64_t k, int64_t n) { return runs - 1 >= k ? (runs - 1 - k) / n + 1 : 0; }

int64_t shard_first_run(Interp *I) { return I->shards->k; }
int64_t shard_run_step(Interp *I) { return I->shards->n; }

static _Noreturn void write_failed(Interp *I) {
  interp_throw(I, "--shard: cannot write the part file '%s': %s", I->shards->path, strerror(errno));
}

void shard_begin_scenario(Interp *I, ObjScenario *s, int np) {
  RunShards *sh = I->shards;
  FILE *f = sh->out;
  int64_t len = s->name->length;
  if (!put(f, "RUNS", 4) || !put_i64(f, sh->seq++) || !put_i64(f, len) || !put(f, s->name->chars, (size_t)len) ||
      !put_i64(f, s->runs) || !put_i64(f, s->seed) || !put_i64(f, np) ||
      !put_i64(f, owned_count(s->runs, sh->k, sh->n)) || !put_u64(f, I->inputs_digest))
    write_failed(I);
  sh->blocks_written++;
}

void shard_write_run(Interp *I, int64_t k, const double *row, int np) {
  RunShards *sh = I->shards;
  size_t bytes = 8 + 8 * (size_t)np;
  if (bytes > sh->row_cap) {
    unsigned char *grown = realloc(sh->row_bytes, bytes);
    if (!grown) interp_throw(I, "--shard: not enough memory to write a run of %d numbers", np);
    sh->row_bytes = grown;
    sh->row_cap = bytes;
  }
  shard_encode_i64(sh->row_bytes, k);
  for (int i = 0; i < np; i++) shard_encode_double(sh->row_bytes + 8 + 8 * (size_t)i, row[i]);
  if (!put(sh->out, sh->row_bytes, bytes)) write_failed(I);
}

/* ---- merging -------------------------------------------------------------------- */

static bool read_exact(int fd, void *into, size_t n, off_t at) {
  char *p = into;
  while (n > 0) {
    ssize_t r = pread(fd, p, n, at);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= (size_t)r;
    at += r;
  }
  return true;
}

static void free_parts(RunShards *sh) {
  for (int i = 0; i < sh->nparts; i++) {
    Part *p = &sh->parts[i];
    if (p->fd >= 0) close(p->fd);
    for (int b = 0; b < p->nblocks; b++) free(p->blocks[b].name);
    free(p->blocks);
    free(p->path);
  }
  free(sh->parts);
}

static bool read_u64(int fd, uint64_t *v, off_t at) {
  unsigned char b[8];
  if (!read_exact(fd, b, 8, at)) return false;
  *v = shard_decode_u64(b);
  return true;
}

static bool read_i64(int fd, int64_t *v, off_t at) {
  unsigned char b[8];
  if (!read_exact(fd, b, 8, at)) return false;
  *v = shard_decode_i64(b);
  return true;
}

/* The first line of a part file, "CLUSIM-PART 2\n"; its length, or -1
 * with a message in err: not a part file, or one of another format, which
 * is refused rather than read (version 1's numbers are in the byte order
 * of the machine that wrote them). */
static off_t read_magic(int fd, const char *path, Buffer *err) {
  char line[PART_MAGIC_LEN + 8];
  ssize_t got;
  do got = pread(fd, line, sizeof line, 0);
  while (got < 0 && errno == EINTR);
  char *nl = got > PART_MAGIC_LEN ? memchr(line, '\n', (size_t)got) : NULL;
  long version = 0;
  const char *d = line + PART_MAGIC_LEN;
  for (; nl && d < nl && *d >= '0' && *d <= '9'; d++) version = version * 10 + (*d - '0');
  if (!nl || memcmp(line, PART_MAGIC, PART_MAGIC_LEN) != 0 || d == line + PART_MAGIC_LEN || d != nl) {
    buf_printf(err, "'%s' is not a part file of clusim --shard", path);
    return -1;
  }
  if (version == 1) {
    buf_printf(err, "'%s' is a part file of an older clusim (format 1, whose numbers are in the byte order of the "
                    "machine that wrote them); make the parts again with this clusim",
               path);
    return -1;
  }
  if (version != PART_VERSION) {
    buf_printf(err, "'%s' is a part file of another version of clusim (format %ld; this one reads format %d); "
                    "merge with the clusim that made the parts",
               path, version, PART_VERSION);
    return -1;
  }
  return (off_t)(nl - line) + 1;
}

/* A part file's header: its hash, K, N and strings (the script's path
 * and arguments, malloc'd into *strings when it is not NULL); the offset
 * after it, or -1 with a message in err. */
static off_t read_header(int fd, const char *path, uint64_t *h, int64_t *k, int64_t *n, int *nstrings,
                         char ***strings, Buffer *err) {
  off_t at = read_magic(fd, path, err);
  if (at < 0) return -1;
  int64_t ns;
  if (!read_u64(fd, h, at) || !read_i64(fd, k, at + 8) || !read_i64(fd, n, at + 16) || !read_i64(fd, &ns, at + 24) ||
      *n < 1 || *n > MAX_SHARDS || *k < 1 || *k > *n || ns < 1 || ns > 100000) {
    buf_printf(err, "the part file '%s' is damaged (its header)", path);
    return -1;
  }
  at += 32;
  if (strings) {
    *strings = calloc((size_t)ns + 1, sizeof(char *));
    if (!*strings) return -1;
  }
  for (int64_t i = 0; i < ns; i++) {
    int64_t len;
    if (!read_i64(fd, &len, at) || len < 0 || len > (1 << 20)) {
      buf_printf(err, "the part file '%s' is damaged (its header)", path);
      return -1;
    }
    if (strings) {
      char *s = malloc((size_t)len + 1);
      if (!s || !read_exact(fd, s, (size_t)len, at + 8)) {
        free(s);
        buf_printf(err, "the part file '%s' is damaged (its header)", path);
        return -1;
      }
      s[len] = '\0';
      (*strings)[i] = s;
    }
    at += 8 + len;
  }
  if (nstrings) *nstrings = (int)ns;
  return at;
}

bool shard_part_script(const char *path, int *argc, char ***argv, Buffer *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    buf_printf(err, "cannot read the part file '%s': %s", path, strerror(errno));
    return false;
  }
  uint64_t h;
  int64_t k, n;
  *argv = NULL;
  off_t at = read_header(fd, path, &h, &k, &n, argc, argv, err);
  close(fd);
  if (at < 0) {
    for (int i = 0; *argv && (*argv)[i]; i++) free((*argv)[i]);
    free(*argv);
    *argv = NULL;
    return false;
  }
  return true;
}

/* Read the header and the blocks' index of a part file; false with a
 * message in err. */
static bool index_part(Part *p, uint64_t hash, int64_t *n_out, Buffer *err) {
  uint64_t h;
  int64_t k, n;
  struct stat st;
  if (fstat(p->fd, &st) != 0) {
    buf_printf(err, "cannot read the part file '%s': %s", p->path, strerror(errno));
    return false;
  }
  off_t at = read_header(p->fd, p->path, &h, &k, &n, NULL, NULL, err);
  if (at < 0) return false;
  if (h != hash) {
    buf_printf(err, "the part file '%s' was made from another script, or the same one with other arguments or "
                    "changed since",
               p->path);
    return false;
  }
  p->k = k;
  *n_out = n;
  for (;;) {
    char mark[4];
    if (!read_exact(p->fd, mark, 4, at)) break;
    at += 4;
    if (memcmp(mark, "END!", 4) == 0) {
      int64_t count;
      if (!read_i64(p->fd, &count, at) || count != p->nblocks || at + 8 != st.st_size) break;
      return true;
    }
    if (memcmp(mark, "RUNS", 4) != 0) break;
    Block b = {0};
    int64_t len;
    if (!read_i64(p->fd, &b.seq, at) || !read_i64(p->fd, &len, at + 8) || len < 1 || len > 4096) break;
    b.name = malloc((size_t)len + 1);
    if (!b.name || !read_exact(p->fd, b.name, (size_t)len, at + 16)) {
      free(b.name);
      break;
    }
    b.name[len] = '\0';
    at += 16 + len;
    if (!read_i64(p->fd, &b.runs, at) || !read_i64(p->fd, &b.seed, at + 8) || !read_i64(p->fd, &b.np, at + 16) ||
        !read_i64(p->fd, &b.count, at + 24) || !read_u64(p->fd, &b.inputs, at + 32) || b.np < 0 || b.count < 0 ||
        b.count != owned_count(b.runs, k, n) || b.seq != p->nblocks) {
      free(b.name);
      break;
    }
    at += 40;
    b.rows = at;
    at += (off_t)b.count * (off_t)(8 + 8 * b.np);
    Block *grown = realloc(p->blocks, sizeof(Block) * (size_t)(p->nblocks + 1));
    if (!grown) {
      free(b.name);
      break;
    }
    p->blocks = grown;
    p->blocks[p->nblocks++] = b;
  }
  buf_printf(err, "the part file '%s' is damaged or incomplete (did its shard end with an error?)", p->path);
  return false;
}

bool shard_merge_start(Interp *I, int nparts, char **paths, uint64_t hash, Buffer *err) {
  RunShards *sh = calloc(1, sizeof *sh);
  Part *parts = calloc((size_t)(nparts ? nparts : 1), sizeof(Part));
  if (!sh || !parts) {
    free(sh);
    free(parts);
    buf_puts(err, "out of memory");
    return false;
  }
  sh->hash = hash;
  sh->parts = parts;
  int64_t n = 0;
  for (int i = 0; i < nparts; i++) {
    Part *p = &parts[sh->nparts++];
    p->fd = open(paths[i], O_RDONLY | O_CLOEXEC);
    p->path = strdup(paths[i]);
    if (p->fd < 0) {
      buf_printf(err, "cannot read the part file '%s': %s", paths[i], strerror(errno));
      goto fail;
    }
    int64_t pn;
    if (!p->path || !index_part(p, hash, &pn, err)) goto fail;
    if (i > 0 && pn != n) {
      buf_printf(err, "'%s' is shard %lld of %lld, but '%s' is of %lld shards", paths[i], (long long)p->k,
                 (long long)pn, paths[0], (long long)n);
      goto fail;
    }
    n = pn;
  }
  if (nparts == 0 || nparts != n) {
    buf_printf(err, "merge needs the part files of all %lld shards; %d given", (long long)n, nparts);
    goto fail;
  }
  /* order them by shard, each once */
  for (int i = 0; i < nparts; i++) {
    while (parts[i].k != i + 1) {
      int j = (int)parts[i].k - 1;
      if (parts[j].k == parts[i].k) {
        buf_printf(err, "'%s' and '%s' are both shard %lld of %lld", parts[i].path, parts[j].path,
                   (long long)parts[i].k, (long long)n);
        goto fail;
      }
      Part t = parts[i];
      parts[i] = parts[j];
      parts[j] = t;
    }
  }
  for (int i = 1; i < nparts; i++)
    if (parts[i].nblocks != parts[0].nblocks) {
      buf_printf(err, "'%s' holds %d scenarios of runs but '%s' holds %d: were they made by the same script?",
                 parts[i].path, parts[i].nblocks, parts[0].path, parts[0].nblocks);
      goto fail;
    }
  sh->n = n;
  I->shards = sh;
  return true;
fail:
  free_parts(sh);
  free(sh);
  return false;
}

/* The blocks of the scenario that is the seq-th run of many runs, checked
 * against what the parts say it was. */
void shard_merge_scenario(Interp *I, ObjScenario *s, int np) {
  RunShards *sh = I->shards;
  int64_t seq = sh->seq++;
  for (int i = 0; i < sh->nparts; i++) {
    Part *p = &sh->parts[i];
    if (seq >= p->nblocks)
      interp_throw(I, "merge: this script runs scenario %s with its runs (number %lld), but the parts hold only %d such "
                      "runs: the script must go the same way as when it was sharded",
                   s->name->chars, (long long)seq + 1, p->nblocks);
    Block *b = &p->blocks[seq];
    if (strcmp(b->name, s->name->chars) != 0 || b->runs != s->runs || b->seed != s->seed || b->np != np)
      interp_throw(I, "merge: run number %lld of a scenario with runs is %s (%lld runs, seed %lld) here, but %s "
                      "(%lld runs, seed %lld) in '%s': the script must go the same way as when it was sharded",
                   (long long)seq + 1, s->name->chars, (long long)s->runs, (long long)s->seed, b->name,
                   (long long)b->runs, (long long)b->seed, p->path);
    if (b->inputs != I->inputs_digest)
      interp_throw(I, "merge: scenario %s: shard %lld ('%s') had read other files than this merge when the scenario "
                      "began (an imported file, a data file or the standard library changed, or another clusim made "
                      "it): its runs would not be this script's; make the parts again",
                   s->name->chars, (long long)p->k, p->path);
    b->used = true;
  }
}

void shard_read_run(Interp *I, int64_t k, double *row, int np) {
  RunShards *sh = I->shards;
  int64_t seq = sh->seq - 1;
  Part *p = &sh->parts[(k - 1) % sh->n];
  Block *b = &p->blocks[seq];
  off_t at = b->rows + (off_t)((k - 1) / sh->n) * (off_t)(8 + 8 * np);
  int64_t got;
  if (!read_i64(p->fd, &got, at) || got != k || !read_exact(p->fd, row, sizeof(double) * (size_t)np, at + 8))
    interp_throw(I, "merge: cannot read run %lld of scenario %s from '%s': the file is damaged", (long long)k + 1,
                 b->name, p->path);
  /* decoded in place: each double's 8 bytes are read before it is stored over them */
  const unsigned char *bytes = (const unsigned char *)row;
  for (int i = 0; i < np; i++) row[i] = shard_decode_double(bytes + 8 * (size_t)i);
}

/* ---- the end ---------------------------------------------------------------------- */

bool shard_finish(Interp *I, bool ok, Buffer *err) {
  RunShards *sh = I->shards;
  if (!sh) return true;
  I->shards = NULL;
  bool done = ok;
  if (sh->writing) {
    if (ok && (!put(sh->out, "END!", 4) || !put_i64(sh->out, sh->blocks_written) || fflush(sh->out) != 0 ||
               ferror(sh->out) || fsync(fileno(sh->out)) != 0)) {
      buf_printf(err, "cannot write the part file '%s': %s", sh->path, strerror(errno));
      done = false;
    }
    if (fclose(sh->out) != 0 && done) {
      buf_printf(err, "cannot write the part file '%s': %s", sh->path, strerror(errno));
      done = false;
    }
    /* a signal now would find the file in place, or removed: it waits */
    sigset_t ends, was;
    end_signal_set(&ends);
    sigprocmask(SIG_BLOCK, &ends, &was);
    if (done && rename(sh->tmp, sh->path) != 0) {
      buf_printf(err, "cannot write the part file '%s': %s", sh->path, strerror(errno));
      done = false;
    }
    if (!done) unlink(sh->tmp);
    guard_end(sh);
    sigprocmask(SIG_SETMASK, &was, NULL);
    free(sh->path);
    free(sh->tmp);
    free(sh->row_bytes);
  } else {
    for (int i = 0; done && i < sh->nparts; i++)
      for (int b = 0; b < sh->parts[i].nblocks; b++)
        if (!sh->parts[i].blocks[b].used) {
          buf_printf(err, "merge: the parts hold the runs of %d scenarios but this script used only %lld: it did not "
                          "go the same way as when it was sharded",
                     sh->parts[i].nblocks, (long long)sh->seq);
          done = false;
          break;
        }
    free_parts(sh);
  }
  free(sh);
  return done;
}

void shard_abandon(Interp *I) {
  RunShards *sh = I->shards;
  if (sh && sh->writing && sh->tmp) unlink(sh->tmp);
}

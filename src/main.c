/* main.c - the command line: options, scripts, exit codes (0 ok, 1 error, 2 usage). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buffer.h"
#include "fileio.h"
#include "interp.h"
#include "lib.h"
#include "repl.h"
#include "world_shard.h"

static const char *usage_text =
    "usage: clusim [options] [FILE [ARGS...]]\n"
    "\n"
    "  clusim                  start the prompt\n"
    "  clusim FILE [ARGS...]   run a script; ARGS are in the list `args`\n"
    "  clusim -i FILE          run a script, then stay at the prompt with its world\n"
    "  clusim -e 'CODE'        run code given on the command line\n"
    "  clusim -                read a script from standard input\n"
    "  clusim --jobs N ...     use N worker processes for scenarios with runs: (default: one per core)\n"
    "  clusim --shard K/N [--part PART] FILE [ARGS...]\n"
    "                          compute only shard K of N of the runs of every scenario with runs:,\n"
    "                          print nothing, write them to PART (default FILE.part-K-of-N here)\n"
    "  clusim merge PART...    run the script of the parts with their runs: the output of one process\n"
    "  clusim --no-stdlib ...  run without the standard library: no cluster model, no audit\n"
    "  clusim --dump-bytecode FILE (or -e 'CODE', or -)\n"
    "                          print the bytecode the code compiles to, without running it\n"
    "  clusim --version        print the version\n"
    "  clusim --help           print this help\n"
    "\n"
    "With standard input not a terminal and no FILE, clusim runs standard input as a script.\n"
    "Exit status: 0 success, 1 an error in the script, 2 wrong usage or no standard library.\n"
    "Read on: man clusim, doc/language.md, doc/tutorial.md\n";

/* The exit status once standard output is flushed: a write that failed
 * (clusim ... > /dev/full) makes it 1, with a message unless an error was
 * reported already. */
static int finish(int status) {
  errno = 0;
  if (fflush(stdout) == 0 && !ferror(stdout)) return status;
  if (status == 0)
    fprintf(stderr, "clusim: cannot write to standard output: %s\n", errno ? strerror(errno) : "input/output error");
  return status ? status : 1;
}

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "clusim: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'clusim --help' for more information.\n");
  return 2;
}

/* Run (or with `dump`, disassemble) the script on standard input; the
 * exit status. */
static int run_stdin(Interp *I, bool dump) {
  const char *why = NULL;
  char *text = fileio_read_stream(stdin, NULL, &why);
  if (!text) {
    fprintf(stderr, "clusim: cannot read standard input: %s\n", why);
    return 1;
  }
  InterpResult r = dump ? interp_dump(I, "<stdin>", text, stdout) : interp_eval(I, "<stdin>", text, false);
  free(text);
  return r == INTERP_OK ? 0 : 1;
}

/* The script of a shard or a merge: its text hashed with its arguments. */
static bool script_hash(const char *file, int argc, char **argv, uint64_t *hash) {
  const char *why = NULL;
  size_t len = 0;
  char *text = fileio_read(file, &len, &why);
  if (!text) {
    fprintf(stderr, "clusim: cannot read '%s': %s\n", file, why);
    return false;
  }
  *hash = shard_script_hash(text, len, argc, argv);
  free(text);
  return true;
}

static void free_strings(int n, char **s) {
  for (int i = 0; s && i < n; i++) free(s[i]);
  free(s);
}

int main(int argc, char **argv) {
  const char *code = NULL, *shard = NULL, *part = NULL;
  bool interactive_after = false, read_stdin = false, dump = false, no_stdlib = false;
  int jobs = 0;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (a[0] != '-' || strcmp(a, "-") == 0) break;
    if (strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0) {
      printf("clusim %s\n", CLUSIM_VERSION);
      return finish(0);
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage_text, stdout);
      return finish(0);
    }
    if (strcmp(a, "-e") == 0) {
      if (i + 1 >= argc) return usage_error("option '%s' needs the code to run", a);
      code = argv[++i];
      i++;
      break;
    }
    if (strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0 || strncmp(a, "--jobs=", 7) == 0) {
      const char *num = NULL;
      if (strncmp(a, "--jobs=", 7) == 0) num = a + 7; /* never a[6] of "-j": past its end */
      else if (i + 1 < argc) num = argv[++i];
      else return usage_error("option '%s' needs a number of worker processes", a);
      char *end;
      long n = strtol(num, &end, 10);
      if (!*num || *end || n < 1 || n > 64) return usage_error("--jobs takes a whole number from 1 to 64, not '%s'", num);
      jobs = (int)n;
      continue;
    }
    if (strcmp(a, "-i") == 0) {
      interactive_after = true;
      continue;
    }
    if (strcmp(a, "--dump-bytecode") == 0) {
      dump = true;
      continue;
    }
    if (strcmp(a, "--no-stdlib") == 0) {
      no_stdlib = true;
      continue;
    }
    if (strcmp(a, "--shard") == 0 || strcmp(a, "--part") == 0) {
      if (i + 1 >= argc) return usage_error(a[2] == 's' ? "option '%s' needs K/N, such as 2/8" : "option '%s' needs a file name", a);
      *(a[2] == 's' ? &shard : &part) = argv[++i];
      continue;
    }
    return usage_error("unknown option '%s'", a);
  }

  /* clusim merge PART...: the script and its arguments come from the parts */
  char **merge_parts = NULL, **merge_script = NULL;
  int nmerge = 0, nscript = 0;
  if (!code && i < argc && strcmp(argv[i], "merge") == 0) {
    if (shard || part || interactive_after || dump)
      return usage_error("%s", "merge takes only --jobs and --no-stdlib, then the part files");
    merge_parts = argv + i + 1;
    nmerge = argc - i - 1;
    if (nmerge == 0) return usage_error("%s", "merge needs the part files of every shard (clusim merge FILE.part-*)");
    Buffer err;
    buf_init(&err);
    if (!shard_part_script(merge_parts[0], &nscript, &merge_script, &err)) {
      fprintf(stderr, "clusim: merge: %s\n", err.data);
      buf_free(&err);
      return 1;
    }
    buf_free(&err);
    argv = merge_script; /* FILE ARGS... as the shards ran it */
    argc = nscript;
    i = 0;
  }

  const char *file = NULL;
  if (!code && i < argc) {
    if (strcmp(argv[i], "-") == 0) read_stdin = true;
    else file = argv[i];
    i++;
  }
  if (interactive_after && !file && !code && !read_stdin)
    return usage_error("%s", "-i needs a FILE to run first");
  int64_t shard_k = 0, shard_n = 0;
  if (part && !shard) return usage_error("%s", "--part goes with --shard K/N");
  if (shard) {
    if (!shard_parse(shard, &shard_k, &shard_n))
      return usage_error("--shard takes K/N with 1 <= K <= N, such as 2/8, not '%s'", shard);
    if (!file || interactive_after || dump)
      return usage_error("%s", "--shard needs a script FILE, and no -i or --dump-bytecode");
  }
  uint64_t hash = 0;
  if ((shard || merge_parts) && !script_hash(file, argc - i, argv + i, &hash)) {
    free_strings(nscript, merge_script);
    return 1;
  }
  if (dump && interactive_after)
    return usage_error("%s", "--dump-bytecode runs nothing, so it cannot be combined with -i");

  bool tty = isatty(STDIN_FILENO);
  if (dump && !file && !code && !read_stdin && tty)
    return usage_error("%s", "--dump-bytecode needs a FILE, -e 'CODE' or - (standard input)");
  InterpOptions opts = {0};
  opts.load_stdlib = !no_stdlib;
  opts.jobs = jobs;
  opts.skip_asserts = shard != NULL; /* its statistics are partial: the merge checks the assertions */
  opts.repl = !dump && !code && !file && !read_stdin && tty;
  FILE *quiet = NULL; /* a shard's output */
  if (shard) {
    quiet = fopen("/dev/null", "w");
    if (!quiet) {
      fprintf(stderr, "clusim: --shard: cannot open /dev/null: %s\n", strerror(errno));
      return 1;
    }
    opts.out = quiet;
  }
  Interp *I = interp_new(&opts);
  /* Without the model every scenario's series would stay flat: a wrong
   * answer that looks like a right one.  Refuse, unless asked for that. */
  const char *missing = interp_stdlib_problem(I);
  if (missing) {
    fprintf(stderr,
            "clusim: %s\n"
            "Without it scenarios have no cluster model and their results stay flat.\n"
            "Set CLUSIM_STDLIB to the directory of the standard library (or reinstall clusim),\n"
            "or give --no-stdlib to run without the model.\n",
            missing);
    interp_free(I);
    if (quiet) fclose(quiet);
    free_strings(nscript, merge_script);
    return 2;
  }
  interp_set_args(I, argc - i, argv + i);

  /* A shard prints nothing and writes no file but its part; a merge reads
   * the parts. */
  if (shard || merge_parts) {
    Buffer err;
    buf_init(&err);
    char *default_part = NULL;
    bool started;
    if (shard) {
      if (!part) {
        const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        size_t n = strlen(base) + 64;
        default_part = malloc(n);
        if (default_part) snprintf(default_part, n, "%s.part-%lld-of-%lld", base, (long long)shard_k, (long long)shard_n);
        part = default_part;
      }
      /* the merge runs the script as the shard did: its path and arguments */
      started = part && shard_start(I, shard_k, shard_n, part, hash, argc - i + 1, argv + i - 1, &err);
    } else {
      started = shard_merge_start(I, nmerge, merge_parts, hash, &err);
    }
    free(default_part);
    if (!started) {
      fprintf(stderr, "clusim: %s%s\n", shard ? "--shard: " : "merge: ", err.len ? err.data : "out of memory");
      buf_free(&err);
      interp_free(I);
      if (quiet) fclose(quiet);
      free_strings(nscript, merge_script);
      return 1;
    }
    buf_free(&err);
    if (shard) lib_files_off = true;
  }

  int status = 0;
  if (dump) {
    if (code) {
      status = interp_dump(I, "-e", code, stdout) == INTERP_OK ? 0 : 1;
    } else if (file) {
      status = interp_dump_file(I, file, stdout) == INTERP_OK ? 0 : 1;
    } else {
      status = run_stdin(I, true);
    }
  } else if (code) {
    status = interp_eval(I, "-e", code, false) == INTERP_OK ? 0 : 1;
  } else if (file) {
    status = interp_run_file(I, file) == INTERP_OK ? 0 : 1;
  } else if (read_stdin || !tty) {
    status = run_stdin(I, false);
  }
  if (shard || merge_parts) {
    Buffer err;
    buf_init(&err);
    if (!shard_finish(I, status == 0, &err) && status == 0) {
      fprintf(stderr, "clusim: %s%s\n", shard ? "--shard: " : "", err.data);
      status = 1;
    }
    buf_free(&err);
  }
  if (opts.repl || interactive_after) {
    status = repl_run(I, &opts);
    I = NULL; /* repl_run frees the interpreter (it may have replaced it with :reset) */
  }
  if (I) interp_free(I);
  if (quiet) fclose(quiet);
  free_strings(nscript, merge_script);
  return finish(status);
}

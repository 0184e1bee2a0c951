#!/usr/bin/python3
"""run_doc_tests.py - runs the code blocks of the documentation (make check-doc).

Usage: /usr/bin/python3 tests/doc/run_doc_tests.py CLUSIM_BINARY [FILE.md...]
       make check-doc [DOC=doc/model.md]

Without FILEs it checks doc/*.md and README.md.  Every fenced code block
(``` ... ```, indented or not) is one of these:

  prompt transcript   an untagged block with lines starting `clusim> `
                      (continuation lines `...> `).  Each input is typed into
                      Clusim's prompt, run in a pseudo-terminal 200 columns
                      wide (compare's tables are not split), and what it prints
                      must equal the lines shown after the input, up to the
                      next input.  A line `clusim>` alone is an empty input.
                      ONE SESSION PER DOC FILE: the transcripts of a file
                      build on each other, as a reader typing them in order
                      would (the tutorial's lessons, language.md's names).
                      A new session starts when a block's first line is
                      `$ clusim ARGS...` (or `$ make run`, taken as `$ clusim`:
                      the runner never runs make); the lines before its
                      first input are then the expected start-up output
                      (the banner, -i's script's output).  Lines before the
                      first input of a block that starts no session are
                      compared with the start-up output of the file's first
                      session (the banner), so such a block must be the first.
                      `<!-- doctest: session ARGS... -->` on a line before a
                      block (invisible once rendered) starts a new session
                      `clusim ARGS...` (e.g. `-i world.clu`) for it.
                      `<!-- doctest: columns N -->` before a block (a prompt
                      or a shell transcript) makes the terminal N columns
                      wide while it runs (a chart shown as an 80-column
                      terminal draws it), then 200 again.
  named script        an untagged block whose first line is `# NAME.clu`
                      (or `# dir/NAME.clu`, then anything): written to the
                      doc file's temporary directory under that name, so
                      later blocks can `import "NAME.clu"`, `clusim NAME.clu`,
                      `:load NAME.clu`.  If no later runnable block of the same
                      file names it, it is run alone there and must exit 0
                      (its output is not compared); a script shown failing
                      is followed by a shell transcript showing the failure.
  shell transcript    an untagged block of `$ COMMAND` lines, each followed
                      by its output (a command whose quotes are still open
                      goes on to the next line).  The command runs with
                      /bin/sh in the doc file's temporary directory, in a
                      pseudo-terminal, with `clusim` and `build/clusim` both
                      meaning the binary under test; its output (standard
                      output and error, as a terminal shows them) must equal
                      the lines shown.  A block whose first command is
                      not clusim itself is a shell transcript even if its
                      output has prompts (`$ printf ... | clusim -i FILE`:
                      the prompt reading piped lines).
  file=NAME           in the info string (```clusim file=report.clu, ```csv
                      file=clusters.csv): the block is written to NAME in
                      the temporary directory, before the blocks after it
                      run; a ```clusim or untagged one is then a named
                      script (above), whatever its first line.
  ```clusim           Clusim code: written to a file and run as a script; if
                      the next block is tagged ```output, what it prints must
                      equal that block; otherwise it must exit 0.
                      ```clusim continues: the code runs after that of the
                      ```clusim block before it (as one script); the output
                      expected is that block's followed by this one's.
  ```output           the expected output of the ```clusim block before it.
  any other tag       not run: ```text for syntax sketches, output fragments
                      and messages quoted alone, ```sh for shell commands that
                      are not Clusim transcripts, ```c for C, ```csv ...

An untagged block that is none of the runnable kinds FAILS: tag it.

A fence may open a list item (`- ```), its lines indented as the item's.
tests/doc/conventions.md shows every convention (and must pass);
tests/doc/failing.md the failures (tests/doc/self_test.sh checks both).

Comparison is line by line, exact apart from trailing blanks, under
LC_ALL=C, NO_COLOR=1, CLUSIM_PROGRESS=0, no COLUMNS, a fresh HOME.  In
expected output a line `...` (blanks around allowed) matches any number of
lines (none included).  Escape sequences and carriage returns of the
terminal are removed, as pty_driver does.

Each doc file gets its own fresh temporary directory (under $TMPDIR),
removed at the end: nothing is written into the tree.  CLUSIM_DOC_TIMEOUT
(default 60) bounds each input and each command in seconds.  The last line
is `N blocks passed, N failed (N not run)`; the exit status is 1 if a block
failed, 2 on a usage error.
"""

import errno
import fcntl
import glob
import os
import pty
import re
import select
import shlex
import shutil
import signal
import struct
import sys
import tempfile
import termios
import time

ME = "run_doc_tests"
PROMPT = "clusim> "
CONT = "...> "
TIMEOUT = float(os.environ.get("CLUSIM_DOC_TIMEOUT", "60"))
ESC_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"            # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1bP[^\x1b]*\x1b\\"                # DCS
    r"|\x1b[()*+][0-~]"                    # charset designation
    r"|\x1b[ -~]"                          # two-byte ESC sequences
    r"|[\x00-\x08\x0b-\x1f\x7f]")          # C0 but tab and newline
SESSION_RE = re.compile(r"^\s*<!-- doctest: session\b(.*?)-->\s*$")
COLUMNS_RE = re.compile(r"^\s*<!-- doctest: columns (\d+) -->\s*$")
WIDTH = 200  # the terminal's columns, but for a block marked otherwise


def clean(text):
    return ESC_RE.sub("", text)


class Block:
    def __init__(self, path, line, tag, lines, marker, file):
        self.path, self.line, self.tag, self.lines, self.file = path, line, tag, lines, file
        self.new_session = marker
        self.columns = None

    def where(self, offset=0):
        return "%s:%d" % (self.path, self.line + offset)


def read_blocks(path):
    """The fenced blocks of a Markdown file, their indentation removed."""
    blocks = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    marker = None
    columns = None
    while i < len(lines):
        m = re.match(r"^(\s*(?:(?:[-*+]|\d+[.)])\s+)?)(```+)\s*([^`]*?)\s*$", lines[i])
        sm = SESSION_RE.match(lines[i])
        if sm:
            marker = shlex.split(sm.group(1))
        cm = COLUMNS_RE.match(lines[i])
        if cm:
            columns = int(cm.group(1))
        if not m:
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3).split()
        tag = info[0] if info and "=" not in info[0] else ""
        names = [w[5:] for w in info if w.startswith("file=")]
        continues = "continues" in info[1:]
        j = i + 1
        body = []
        while j < len(lines) and lines[j].strip() != fence:
            line = lines[j]
            body.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
            j += 1
        if j == len(lines):
            fail_global("%s:%d: code block never closed" % (path, i + 1))
        # line numbers: body[k] is on line i + 2 + k (1-based)
        blocks.append(Block(path, i + 2, tag, body, marker, names[0] if names else None))
        blocks[-1].continues = continues
        blocks[-1].columns = columns
        marker = None
        columns = None
        i = j + 1
    return blocks


def fail_global(msg):
    print("%s: %s" % (ME, msg), file=sys.stderr)
    sys.exit(2)


def is_input(line):
    return line.startswith(PROMPT) or line == PROMPT.rstrip() or line.startswith(CONT) \
        or line == CONT.rstrip()


def kind(block):
    if block.file and block.tag in ("", "clusim"):
        return "script"
    if block.tag == "clusim":
        return "code"
    if block.tag == "output":
        return "output"
    if block.tag:
        return "skip"
    if block.lines and block.lines[0].startswith("$ ") and \
            not re.match(r"\$ ((build/)?clusim(\s|$)|make run\s*$)", block.lines[0]):
        return "shell"  # such as `$ printf ... | clusim -i FILE`, whose output shows prompts
    if any(l.startswith(PROMPT) or l == PROMPT.rstrip() for l in block.lines):
        return "prompt"
    if block.lines and re.match(r"^# [\w./-]+\.clu\b", block.lines[0]):
        return "script"
    if block.lines and block.lines[0].startswith("$ "):
        return "shell"
    return "unknown"


def match(expected, got):
    """expected lines, `...` matching any run of lines, against got."""
    exp = [l.rstrip() for l in expected]
    got = [l.rstrip() for l in got]
    memo = {}

    def m(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(exp):
            r = j == len(got)
        elif exp[i].strip() == "...":
            r = any(m(i + 1, k) for k in range(j, len(got) + 1))
        else:
            r = j < len(got) and exp[i] == got[j] and m(i + 1, j + 1)
        memo[(i, j)] = r
        return r
    return m(0, 0)


def show(lines):
    return "".join("    | %s\n" % l for l in lines) if lines else "    (nothing)\n"


class Pty:
    """A program in a pseudo-terminal of 200 columns."""

    def __init__(self, argv, cwd, env, columns=WIDTH):
        pid, fd = pty.fork()
        if pid == 0:
            try:
                # the size is set before Readline starts and reads it
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
                os.chdir(cwd)
                os.execve(argv[0], argv, env)
            except OSError as e:
                os.write(2, ("%s: %s: %s\n" % (ME, argv[0], e)).encode())
            os._exit(127)
        self.pid, self.fd, self.buf, self.status = pid, fd, "", None

    def read(self, until, timeout):
        """Reads until until(cleaned text) is true, EOF or timeout.
        Returns False on timeout."""
        end = time.time() + timeout
        raw = b""
        while True:
            text = clean(raw.decode("utf-8", "replace"))
            if until is not None and until(self.buf + text):
                break
            left = end - time.time()
            if left <= 0:
                self.buf += text
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                data = b""
            if not data:
                self.buf += clean(raw.decode("utf-8", "replace"))
                return until is None
            raw += data
        self.buf += text
        return True

    def take(self):
        b, self.buf = self.buf, ""
        return b

    def send(self, text):
        os.write(self.fd, text.encode())

    def resize(self, columns):
        """The terminal's width from now on (its programs get SIGWINCH)."""
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))

    def wait(self, timeout):
        end = time.time() + timeout
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                break
            time.sleep(0.01)
        return self.status

    def close(self):
        if self.status is None:
            for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    pass
                if self.wait(1) is not None:
                    break
        try:
            os.close(self.fd)
        except OSError:
            pass


def at_prompt(text):
    return text.endswith("\n" + PROMPT) or text == PROMPT or text.endswith("\n" + CONT) \
        or text == CONT


def strip_echo(chunk, typed):
    """The output after the prompt's echo of typed (Readline may break a
    long line where the terminal wraps it)."""
    j = 0
    for ch in typed:
        while j < len(chunk) and chunk[j] != ch and chunk[j] in " \n":
            j += 1
        if j < len(chunk) and chunk[j] == ch:
            j += 1
    nl = chunk.find("\n", j)
    return chunk[nl + 1:] if nl >= 0 else ""


def output_lines(text):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


class Runner:
    def __init__(self, binary):
        self.binary = binary
        self.passed = self.failed = self.skipped = 0

    def env(self, home):
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "CLUSIM_STDLIB")}
        env.update(LC_ALL="C", NO_COLOR="1", CLUSIM_PROGRESS="0", TERM="xterm",
                   HOME=home, XDG_STATE_HOME=os.path.join(home, "state"),
                   INPUTRC=os.path.join(home, "inputrc"),
                   PATH=os.path.join(home, "bin") + os.pathsep + env.get("PATH", "/usr/bin:/bin"))
        env.pop("LANG", None)
        env.pop("LANGUAGE", None)
        return env

    def failure(self, block, offset, what, expected, got):
        self.failed += 1
        sys.stdout.write("FAIL %s: %s\n  expected:\n%s  got:\n%s" %
                         (block.where(offset), what, show(expected), show(got)))

    def check_file(self, path):
        blocks = read_blocks(path)
        top = tempfile.mkdtemp(prefix="clusim-doc.")
        try:
            home = os.path.join(top, "home")
            work = os.path.join(top, "work")
            for d in (home, os.path.join(home, "bin"), work, os.path.join(work, "build")):
                os.makedirs(d)
            open(os.path.join(home, "inputrc"), "w").close()
            for link in (os.path.join(home, "bin", "clusim"), os.path.join(work, "build", "clusim")):
                os.symlink(self.binary, link)
            self.work, self.envv, self.session, self.banner = work, self.env(home), None, None
            self.run_blocks(blocks)
        finally:
            if self.session:
                self.session.close()
                self.session = None
            shutil.rmtree(top, ignore_errors=True)

    def run_blocks(self, blocks):
        kinds = [kind(b) for b in blocks]
        last_code = None
        for n, (b, k) in enumerate(zip(blocks, kinds)):
            if k == "skip":
                self.skipped += 1
                if b.file:
                    self.write(b.file, b.lines)
            elif k == "output":
                if n == 0 or kinds[n - 1] != "code":
                    self.failed += 1
                    print("FAIL %s: an ```output block must follow a ```clusim block" % b.where(-1))
            elif k == "unknown":
                self.failed += 1
                print("FAIL %s: untagged code block that is not a prompt transcript, a named "
                      "script (# NAME.clu) or a shell transcript ($ ...): run it or tag it "
                      "(```text, ```sh, ```c ...)" % b.where(-1))
            elif k == "code":
                expect = blocks[n + 1] if n + 1 < len(blocks) and kinds[n + 1] == "output" else None
                if b.continues:
                    if last_code is None:
                        self.failed += 1
                        print("FAIL %s: ```clusim continues with no ```clusim block before it"
                              % b.where(-1))
                        continue
                    code = last_code[0] + b.lines
                    before = last_code[1]
                else:
                    code, before = b.lines, []
                self.run_code(b, code, before, expect)
                last_code = (code, before + (expect.lines if expect else []))
            elif k == "script":
                self.write_script(b, blocks[n + 1:], kinds[n + 1:])
            elif k == "shell":
                self.run_shell(b)
            elif k == "prompt":
                self.run_prompt(b)

    # ---- scripts -------------------------------------------------------

    def write_script(self, block, later, later_kinds):
        name = block.file or re.match(r"^# ([\w./-]+\.clu)\b", block.lines[0]).group(1)
        self.write(name, block.lines)
        base = os.path.basename(name)
        used = any(k in ("prompt", "shell", "script", "code") and
                   any(base in l for l in (b.lines[1:] if k == "script" and not b.file else b.lines))
                   for b, k in zip(later, later_kinds))
        if used:
            self.passed += 1
            return
        self.run_alone(block, name, None)

    def write(self, name, lines):
        path = os.path.join(self.work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def run_code(self, block, code, before, expect):
        name = "block-%d.clu" % block.line
        self.write(name, code)
        self.run_alone(block, name, expect, before)
        os.remove(os.path.join(self.work, name))

    def run_alone(self, block, name, expect, before=()):
        out, status, timed_out = self.command([self.binary, name])
        if timed_out:
            self.failure(block, 0, "clusim %s did not end in %g s" % (name, TIMEOUT),
                         expect.lines if expect else [], out)
        elif expect is not None:
            if match(list(before) + expect.lines, out):
                self.passed += 1
            else:
                self.failure(expect, 0, "the output of the ```clusim block at %s" % block.where(),
                             list(before) + expect.lines, out)
        elif status != 0:
            self.failure(block, 0, "script %s must run without error (exit status %s); "
                         "show a failure with a shell transcript" % (name, status), [], out)
        else:
            self.passed += 1

    def command(self, argv, columns=WIDTH):
        p = Pty(argv, self.work, self.envv, columns)
        ok = p.read(None, TIMEOUT)
        p.close() if not ok else None
        status = p.wait(TIMEOUT) if ok else None
        if ok:
            os.close(p.fd)
        code = None
        if status is not None:
            code = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") \
                else (status >> 8)
        return output_lines(p.take()), code, not ok

    # ---- shell transcripts ---------------------------------------------

    def run_shell(self, block):
        lines = block.lines
        i = 0
        ok = True
        while i < len(lines):
            if not lines[i].startswith("$ "):
                self.failure(block, i, "a shell transcript must start with `$ COMMAND`", [], [])
                return
            start = i
            cmd = lines[i][2:]
            i += 1
            while not complete(cmd) and i < len(lines):
                cmd += "\n" + lines[i]
                i += 1
            exp_start = i
            while i < len(lines) and not lines[i].startswith("$ "):
                i += 1
            expected = lines[exp_start:i]
            out, status, timed_out = self.command(["/bin/sh", "-c", cmd], block.columns or WIDTH)
            if timed_out:
                self.failure(block, start, "`%s` did not end in %g s" % (cmd, TIMEOUT), expected, out)
                ok = False
            elif not match(expected, out):
                self.failure(block, start, "`%s`" % cmd, expected, out)
                ok = False
        if ok:
            self.passed += 1

    # ---- prompt transcripts --------------------------------------------

    def start_session(self, args):
        if self.session:
            self.session.close()
        self.session = Pty([self.binary] + args, self.work, self.envv)
        s = self.session
        if not s.read(at_prompt, TIMEOUT):
            return None
        text = s.take()
        start = text[:text.rfind(PROMPT)]
        return output_lines(start)

    def run_prompt(self, block):
        lines = block.lines
        i = 0
        startup = None
        args = None
        if block.new_session is not None:
            args = block.new_session
        if lines[0].startswith("$ "):
            words = shlex.split(lines[0][2:])
            if words == ["make", "run"]:
                words = ["clusim"]
            if not words or words[0] not in ("clusim", "build/clusim"):
                self.failure(block, 0, "a prompt transcript starts with `$ clusim ...`", [], [])
                return
            args = words[1:]
            i = 1
        if args is not None or self.session is None:
            startup = self.start_session(args or [])
            if self.banner is None:
                self.banner = startup
            if startup is None:
                self.failure(block, 0, "clusim %s shows no prompt in %g s" % (" ".join(args or []), TIMEOUT),
                             [], output_lines(self.session.take()))
                self.session.close()
                self.session = None
                return
        else:
            startup = self.banner
        first = i
        while i < len(lines) and not is_input(lines[i]):
            i += 1
        if i > first and not match(lines[first:i], startup):
            self.failure(block, first, "the start of the session", lines[first:i], startup)
            return
        s = self.session
        if block.columns:
            s.resize(block.columns)
        try:
            self.run_inputs(block, lines, i)
        finally:
            if block.columns and self.session:
                self.session.resize(WIDTH)

    def run_inputs(self, block, lines, i):
        s = self.session
        failed = False
        while i < len(lines):
            at = i
            typed = lines[i][len(PROMPT):] if lines[i].startswith(PROMPT) else \
                lines[i][len(CONT):] if lines[i].startswith(CONT) else ""
            i += 1
            exp_start = i
            while i < len(lines) and not is_input(lines[i]):
                i += 1
            expected = lines[exp_start:i]
            s.send(typed + "\n")
            ok = s.read(at_prompt, TIMEOUT)
            chunk = s.take()
            if ok:
                chunk = chunk[:chunk.rfind(CONT if chunk.endswith(CONT) else PROMPT)]
            got = output_lines(strip_echo(chunk, typed))
            if not ok:
                if s.wait(0.2) is not None and i >= len(lines) and match(expected, got):
                    break  # the transcript ends by leaving (:quit)
                if not failed:
                    self.failure(block, at, "input `%s`: no prompt came back in %g s"
                                 % (typed, TIMEOUT), expected, got)
                else:
                    print("  (and then input `%s` at %s: no prompt came back in %g s)"
                          % (typed, block.where(at), TIMEOUT))
                s.close()
                self.session = None
                return
            if not match(expected, got) and not failed:
                # the first mismatch is reported; the block's other inputs
                # still run, so that the blocks after it find their names
                self.failure(block, at, "input `%s`" % typed, expected, got)
                failed = True
        if not failed:
            self.passed += 1


def complete(cmd):
    try:
        shlex.split(cmd)
        return not cmd.endswith("\\")
    except ValueError:
        return False


def main(argv):
    if len(argv) < 2:
        print("usage: /usr/bin/python3 tests/doc/run_doc_tests.py CLUSIM_BINARY [FILE.md...]",
              file=sys.stderr)
        return 2
    binary = os.path.abspath(argv[1])
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        fail_global("%s: no such executable (build it with make)" % argv[1])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    files = argv[2:]
    if not files:
        os.chdir(root)
        files = sorted(glob.glob("doc/*.md")) + ["README.md"]
    r = Runner(binary)
    for f in files:
        if not os.path.isfile(f):
            fail_global("%s: no such file" % f)
        r.check_file(f)
    print("%d blocks passed, %d failed (%d not run)" % (r.passed, r.failed, r.skipped))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

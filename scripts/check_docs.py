#!/usr/bin/env python3
"""Run every command written in README.md and docs/*.md, so that none goes stale.

What counts as a command (docs/contributing.md, "Commands in the docs"):

* a line starting with ``$ `` in a fenced block marked ``console``; the lines after it,
  up to the next ``$ ``, are its output as shown (``console exact``: stdout must equal
  it, for deterministic commands such as ``head`` of a table). If that output holds lines starting
  with ``error:``, the command must exit with status 2 and print every shown line
  (after the ``$`` line) on stderr, verbatim;
* every line of a fenced block marked ``sh`` (``\\`` continues a line; ``#`` comments);
* an inline code span such as ``seedsoil run --days 5`` (``seedsoil`` with a subcommand
  and arguments; a bare ``seedsoil run`` names the subcommand), ``cargo ...``,
  ``python3 scripts/...``, ``scripts/NAME.sh [args]`` or ``scripts/NAME.py args`` that
  holds no placeholder
  (``[-``, ``<name``, ``…``, ``...``, ``*``, ``a|b`` or an upper-case word such as
  ``FILE``): a span with placeholders is a synopsis.

A fenced block whose info string holds ``file=PATH`` (e.g. ```` ```toml file=my.toml ````)
is written to PATH before the commands that follow it, so examples can use the files
they show. ``timeout=SECONDS`` in a block's info string sets the time limit of its
commands (for a sequence whose later commands need the earlier ones to finish). A line starting with ``seedsoil `` in any other fenced block must hold a
placeholder (it is a synopsis), otherwise the check fails: commands may not hide in
``text`` blocks.

How a command is run: in a scratch copy of the tracked files of the repository (its
``target`` holds links to the repository's binaries), in document order (README.md first, then
docs/*.md by name), by ``bash -c`` with ``seedsoil`` on PATH and in ``SEEDSOIL`` (the release binary,
built first) and with ``CARGO_INSTALL_ROOT`` inside the scratch folder; ``cargo``
commands are pointed at the repository's manifest (``--manifest-path``), so they reuse
its builds. A command passes if it
exits with the expected status within its time limit (``DOC_TIMEOUT`` seconds, default
300). The commands that take minutes to hours (``LONG`` below: the validation suite,
benchmarks, scenario scripts over many seeds) are cut after ``DOC_CUT`` seconds
(default 5) and pass if they were still running without having failed: they got past
their argument and input checks and did real work. ``cargo test`` and ``cargo bench``
commands are compiled, not run (``--no-run``): ``scripts/test.sh`` runs the tests.
``scripts/test.sh`` and ``.ci/run`` are not run (they run this script), nor is
``scripts/ci/slurm-test.sh`` (``.ci/run`` runs it).

Every relative link must name an existing file, and a link to a heading an existing
heading (GitHub's anchors).

Usage: python3 scripts/check_docs.py [--list] [FILE.md ...]
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INLINE_COMMAND = re.compile(r"^(seedsoil \S+ .*|cargo \S+.*|python3 scripts/\S+.*|scripts/\S+\.sh( .*)?|scripts/\S+\.py .+)$")
# Commands that take minutes to hours (the full validation, benchmarks, scenario scripts
# over many seeds): they are started and cut after DOC_CUT seconds (default 5).
LONG = re.compile(
    r"^(seedsoil validate(?!.*--list)|scripts/bench\.sh(?!.*--list)"
    r"|scripts/(validate|liu2011|kaplan2005|gallery|r0-stats)\.sh)"
)
NOT_RUN = {
    "scripts/test.sh": "it runs this check",
    ".ci/run": "it runs this check",
    "scripts/ci/slurm-test.sh": ".ci/run runs it",
    "scripts/test_plots.sh": "scripts/test.sh runs it",
    "scripts/test_validation_report.sh": "scripts/test.sh runs it",
    "scripts/test_bench.sh": "scripts/test.sh runs it",
}
PLACEHOLDER = re.compile(r"\[\s*(-|[A-Z])|<[a-zA-Z]|…|\.\.\.|\S\|\S|\*|\b[A-Z][A-Z0-9_]*\b(?!=)")
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*(.*)$")
INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")


def is_synopsis(cmd):
    """A command written with placeholders (FILE, [--flag], <name>, …) is not runnable."""
    # environment assignments (REF_R0=/tmp/r0) are not placeholders
    body = re.sub(r"^(\s*[A-Z_]+=\S+\s+)+", "", cmd)
    return bool(PLACEHOLDER.search(body))


class Item:
    """A command (or a file to write) found in a document."""

    def __init__(self, doc, line, kind, text, output=None, path=None, timeout=None):
        self.doc, self.line, self.kind, self.text = doc, line, kind, text
        self.timeout = timeout
        self.exact = False
        self.output = output or []
        self.path = path

    def where(self):
        return f"{self.doc}:{self.line}"


def parse(doc):
    """Commands, files and problems of one Markdown file, in order."""
    rel = doc.relative_to(REPO).as_posix()
    lines = doc.read_text(encoding="utf-8").splitlines()
    items, problems = [], []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            for span in INLINE.findall(lines[i]):
                span = span.strip()
                if INLINE_COMMAND.match(span) and not is_synopsis(span):
                    items.append(Item(rel, i + 1, "inline", span))
            i += 1
            continue
        fence, info = m.group(2), m.group(3).strip()
        start = i
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i])
            i += 1
        i += 1  # closing fence
        words = info.split()
        lang = words[0] if words else ""
        attrs = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        limit = float(attrs["timeout"]) if "timeout" in attrs else None
        if "file" in attrs:
            items.append(Item(rel, start + 1, "file", "\n".join(body) + "\n", path=attrs["file"]))
        elif lang == "console":
            cmd = None
            for k, text in enumerate(body):
                if text.startswith("$ "):
                    cmd = Item(rel, start + 2 + k, "console", text[2:].strip(), timeout=limit)
                    cmd.exact = "exact" in words[1:]
                    items.append(cmd)
                elif cmd is not None:
                    cmd.output.append(text)
        elif lang in ("sh", "bash"):
            joined = ""
            for k, text in enumerate(body):
                stripped = text.strip()
                if not joined and (not stripped or stripped.startswith("#")):
                    continue
                if stripped.endswith("\\"):
                    joined += stripped[:-1] + " "
                    continue
                items.append(Item(rel, start + 2 + k, "sh", (joined + stripped).strip(), timeout=limit))
                joined = ""
        else:
            for k, text in enumerate(body):
                stripped = text.strip()
                if stripped.startswith("$ ") or (
                    re.match(r"seedsoil [a-z]", stripped) and not is_synopsis(stripped)
                ):
                    problems.append(
                        f"{rel}:{start + 2 + k}: a command in a '{lang or 'plain'}' block: "
                        f"mark the block console (with '$ ') or sh, or write it as a synopsis: {stripped}"
                    )
    return items, problems


def slug(heading):
    """GitHub's anchor of a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def link_problems(docs):
    """Relative links that name a missing file, or a heading that is not there."""
    problems = []
    for doc in docs:
        text = doc.read_text(encoding="utf-8")
        rel = doc.relative_to(REPO).as_posix()
        for link in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", link):
                continue
            path, _, anchor = link.partition("#")
            target = (doc.parent / path).resolve() if path else doc
            if not target.exists():
                problems.append(f"{rel}: link to a missing file: {link}")
            elif anchor and target.suffix == ".md":
                headings = re.findall(r"^#+ (.*)$", target.read_text(encoding="utf-8"), re.M)
                if anchor not in {slug(h) for h in headings}:
                    problems.append(f"{rel}: link to a missing heading: {link}")
    return problems


def scratch_copy():
    """A copy of the tracked files, with target/ linked to the repository's."""
    work = Path(tempfile.mkdtemp(prefix="seedsoil-docs-"))
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True
    ).stdout.decode().split("\0")
    for f in filter(None, files):
        src, dst = REPO / f, work / f
        if src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    # The scratch copy's own target/ holds only links to the repository's binaries, so
    # that scripts find them; a script that runs cargo in the copy builds apart from the
    # repository's target/ (cargo would see another package path and rebuild it there).
    for profile in ("release", "debug"):
        binary = REPO / "target" / profile / "seedsoil"
        if binary.exists():
            (work / "target" / profile).mkdir(parents=True)
            (work / "target" / profile / "seedsoil").symlink_to(binary)
    return work


def cargo_no_run(cmd):
    """`cargo test|bench ... [-- args]` compiled only."""
    head = cmd.partition(" -- ")[0]
    return f"{head} --no-run"


def in_repository(cmd):
    """A cargo command aimed at the repository's package and target/ (not the copy's,
    which cargo would build again from nothing): `--manifest-path` after the subcommand,
    `--path` for `cargo install`. `cargo fmt` without `--check` stays in the copy."""
    m = re.match(r"^cargo (\S+)(.*)$", cmd)
    if m is None or (m.group(1) == "fmt" and "--check" not in cmd):
        return cmd
    sub, rest = m.group(1), m.group(2)
    if sub == "install":
        return f"CARGO_TARGET_DIR={REPO / 'target'} cargo install" + re.sub(r"--path \.(?=\s|$)", f"--path {REPO}", rest)
    head, sep, tail = rest.partition(" -- ")
    return f"cargo {sub} --manifest-path {REPO / 'Cargo.toml'}{head}{sep}{tail}"


def run(item, work, env, timeout):
    cmd = item.text
    if cmd in NOT_RUN:
        return f"not run ({NOT_RUN[cmd]})", True
    compile_only = re.match(r"^cargo (test|bench)\b", cmd) is not None
    if compile_only:
        cmd = cargo_no_run(cmd)
    if cmd.startswith("cargo "):
        cmd = in_repository(cmd)
        timeout = max(timeout, 900)
    expect_error = any(o.startswith("error:") for o in item.output)
    t0 = time.time()
    proc = subprocess.Popen(
        ["bash", "-c", cmd], cwd=work, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True, text=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        if expect_error:
            return f"still running after {timeout} s, expected an error", False
        return f"cut at {timeout} s (running)", True
    wall = time.time() - t0
    if expect_error:
        if proc.returncode != 2:
            return f"exit {proc.returncode}, expected 2\n{err[-2000:]}", False
        shown = [o for o in item.output if o.strip()]
        missing = [o for o in shown if o not in err.splitlines()]
        if missing:
            return "stderr lacks the shown lines:\n  " + "\n  ".join(missing) + f"\nstderr:\n{err[-2000:]}", False
        return f"error as shown ({wall:.1f} s)", True
    if proc.returncode != 0:
        return f"exit {proc.returncode}\n{err[-3000:]}{out[-1000:]}", False
    if item.exact:
        shown = "\n".join(item.output).rstrip("\n")
        if out.rstrip("\n") != shown:
            return f"output differs from the shown output:\n{out[-3000:]}", False
        return f"output as shown ({wall:.1f} s)", True
    return ("compiled" if compile_only else "ok") + f" ({wall:.1f} s)", True


def main(argv):
    listing = "--list" in argv
    argv = [a for a in argv if a != "--list"]
    docs = [REPO / a for a in argv] or [REPO / "README.md"] + sorted((REPO / "docs").glob("*.md"))
    items, problems = [], []
    for d in docs:
        i, p = parse(d)
        items += i
        problems += p
    problems += link_problems(docs)
    commands = [i for i in items if i.kind != "file"]
    if listing:
        print("\n".join(problems))
        for i in commands:
            print(f"{i.where():28} {i.text}")
        print(f"{len(commands)} commands in {len(docs)} files")
        return 1 if problems else 0
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=REPO, check=True)
    work = scratch_copy()
    bindir = work / ".bin"
    bindir.mkdir()
    (bindir / "seedsoil").symlink_to(REPO / "target/release/seedsoil")
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(bindir), env.get("PATH", "")])
    env["CARGO_INSTALL_ROOT"] = str(work / ".cargo-install")
    env["SEEDSOIL"] = str(REPO / "target/release/seedsoil")
    timeout = float(os.environ.get("DOC_TIMEOUT", "300"))
    cut = float(os.environ.get("DOC_CUT", "5"))
    failed, seen, counts = 0, set(), {}
    t0 = time.time()
    for item in items:
        if item.kind == "file":
            dst = work / item.path
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(item.text, encoding="utf-8")
            continue
        key = (item.text, tuple(item.output))
        if key in seen:
            continue
        seen.add(key)
        env_free = re.sub(r"^([A-Z_]+=\S+\s+)+", "", item.text)
        limit = item.timeout or (cut if LONG.match(env_free) else timeout)
        verdict, ok = run(item, work, env, limit)
        kind = "failed" if not ok else verdict.split(" (")[0].split(" at ")[0]
        counts[kind] = counts.get(kind, 0) + 1
        mark = "ok  " if ok else "FAIL"
        print(f"{mark} {item.where():28} {item.text}\n       {verdict.splitlines()[0]}")
        if not ok:
            failed += 1
            print("       " + "\n       ".join(verdict.splitlines()[1:]))
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    print(f"check_docs: {len(seen)} distinct commands in {len(docs)} files: {summary}; "
          f"{time.time() - t0:.0f} s")
    if failed == 0:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"check_docs: scratch folder kept: {work}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Golden before/after comparison of the ``mtaudit`` command line: proof that a refactoring changed no behaviour.

``capture`` drives the CLI of one source tree as a subprocess (``PYTHON -m mtaudit ...`` with the tree as working
directory and ``PYTHONPATH``, so a ``git worktree`` of an older commit runs its own code with this virtual
environment) and stores everything observable in one folder: the report files (JSONL, HTML, spreadsheet, CSV,
annotated CAT-tool copies, watch results), every command's stdout, stderr and exit code, the ``--help`` of every
command and sub-command, ``detectors`` and ``--version``. ``compare`` normalises what legitimately differs between
two runs (times, durations, version numbers, the absolute paths of the capture and tree folders) and compares the
rest byte for byte.

Nothing here imports ``mtaudit``: the code under test is only ever run in a child process, and the capture checks
that the child really imported it from the tree it was given (an editable install in the virtual environment points
at the main checkout and must not win).

What one capture runs (names are the files under OUTDIR; ``NAME.out``/``NAME.err`` hold stdout/stderr and
``NAME.exit`` the command line and exit code):

- ``audit-samples``: ``make demo``'s audit of ``samples/`` with ``--html --jsonl --xlsx --csv --top 10`` (the one
  model run; ``--no-model`` with ``capture --no-model``) -> report.html, report.jsonl, review.xlsx, review.csv
- ``report``: ``report report.jsonl --html --xlsx --csv --top 10`` -> report2.html, report2.xlsx, report2.csv
- ``annotate`` / ``annotate-fuzzy``: ``--no-model --annotate`` (then also ``--mark-fuzzy``) of the XLIFF, sdlxliff,
  mqxliff, PO and TMX fixtures of tests/fixtures -> annotated/, annotated-fuzzy/, annotate*.jsonl
- ``help-*``: ``--help`` of the root and of every command and sub-command, found by parsing the help itself;
  ``detectors`` and ``version`` (``--version``)
- ``watch``: ``watch INBOX --out OUTDIR/watch --once --no-model --html`` on a temporary inbox with one sample
- ``audit-nomodel``: a ``--no-model`` audit of samples/ -> nomodel.jsonl, nomodel.html
- ``err-*``: exit codes and stderr of error cases (a missing input, ``--fail-above 0``, an unknown detector,
  ``--mark-fuzzy`` without ``--annotate``, ``report`` with nothing to write, an unknown command, no arguments)

Determinism: TERM=dumb, NO_COLOR=1, COLUMNS=120, LC_ALL=C.UTF-8, TZ=UTC, PYTHONHASHSEED=0, and the capture pins
itself and its children to ``--threads`` CPUs (default 2; the fluency scorer sizes torch's thread pool from the CPU
affinity, so OMP_NUM_THREADS alone does not fix it): two captures of the same tree on the same machine give
bit-identical model scores. Model scores depend on the CPU (bf16 or float32), so compare captures made on one
machine only. MTAUDIT_HOME is left alone (the model comes from the user's cache, ``make model``).

Normalised by ``compare`` (in both captures alike, nothing else):

- the capture folder, the tree and the temporary inbox (their absolute paths, from each capture's
  ``_capture.json``) -> ``<OUT>``, ``<TREE>``, ``<TMP>``; any other ``$TMPDIR/tmpXXXXXXXX`` path -> ``<TMP>``
- ISO date-times (the run record's ``started``, also embedded in the HTML's JSON data and its overview, the run sheet
  of the spreadsheets, docProps/core.xml's created/modified) -> ``<DATETIME>``
- version numbers: JSON ``"version"``/``"torch"``/``"openvino"``/``"transformers"``/``"ray"`` string values, a
  spreadsheet cell holding exactly the recorded mtaudit version, ``mtaudit X.Y.Z`` -> ``<VERSION>``
- in stderr only, durations in seconds (``3.1 s``, ``took 12 s``) -> ``<SECONDS> s``
- .xlsx files are compared as their unzipped parts, sorted by name (the zip's own timestamps are ignored)

Usage
-----
Run it with the project's virtual environment (the one whose packages mtaudit needs); from the repository root::

    .venv/bin/python -m tools.golden capture OUTDIR [--tree DIR] [--no-model] [--threads N]
    .venv/bin/python -m tools.golden compare OLD_OUTDIR NEW_OUTDIR
    .venv/bin/python -m tools.golden check BASE_REV [--no-model] [--keep]

``capture`` writes into OUTDIR (created; it must be empty) the outputs of the tree DIR (default: this repository's
working tree); it stops (exit 1) when the tree's mtaudit cannot be imported from DIR. ``compare`` prints a short unified
diff for each differing, missing or extra file and a one-line summary; exit 1 on any difference, else 0.
``check BASE_REV`` makes a ``git worktree`` of BASE_REV in a temporary folder, captures it and the working tree,
compares, removes the worktree (and the captures unless they differ or ``--keep``); exit 1 on any difference.

A typical refactoring check: capture the commit before it once (``capture /tmp/golden-a --tree <worktree of it>``),
then after each step ``capture /tmp/golden-b`` (rm -rf it first) and ``compare /tmp/golden-a /tmp/golden-b``.
``--no-model`` skips the ~30-60 s model run for a quick check (compare it only with another ``--no-model`` capture).
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MANIFEST = "_capture.json"
CAT_SUFFIXES = (".xlf", ".xliff", ".sdlxliff", ".mqxliff", ".po", ".tmx")
DIFF_LINES = 40
# environment variables that would make rich or click colour, size or detect a terminal differently
_ENV_DROP = ("FORCE_COLOR", "CLICOLOR_FORCE", "CLICOLOR", "PY_COLORS", "TTY_COMPATIBLE", "TTY_INTERACTIVE",
             "JUPYTER_COLUMNS", "JUPYTER_LINES", "LINES", "PYTHONSTARTUP", "PYTHONBREAKPOINT", "PYTHONPATH")


# ----------------------------------------------------------------------------------------------------- capture


def child_env(tree: Path, threads: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    env.update(TERM="dumb", NO_COLOR="1", COLUMNS="120", LC_ALL="C.UTF-8", LANG="C.UTF-8", TZ="UTC",
               PYTHONIOENCODING="utf-8", PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(tree),
               OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    return env


def pin_cpus(threads: int) -> list[int] | None:
    """Pin this process (and so its children) to ``threads`` CPUs; the scorer sizes torch's pool from the affinity."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))[:threads]
    os.sched_setaffinity(0, cpus)
    return cpus


class Capture:
    def __init__(self, outdir: Path, tree: Path, no_model: bool, threads: int):
        self.out, self.tree, self.no_model = outdir, tree, no_model
        self.env = child_env(tree, threads)
        self.steps: dict[str, dict] = {}

    def run(self, name: str, args: list[str], timeout: float = 300) -> int:
        """``PYTHON -m mtaudit ARGS`` in the tree; stdout, stderr and the exit code go to NAME.out/.err/.exit."""
        argv = [sys.executable, "-m", "mtaudit", *args]
        started = time.perf_counter()
        try:
            proc = subprocess.run(argv, cwd=self.tree, env=self.env, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=timeout)
            code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            code, stdout, stderr = "timeout", exc.stdout or b"", (exc.stderr or b"") + b"\n[golden: timed out]\n"
        seconds = time.perf_counter() - started
        (self.out / f"{name}.out").write_bytes(stdout)
        (self.out / f"{name}.err").write_bytes(stderr)
        (self.out / f"{name}.exit").write_text("mtaudit " + " ".join(args) + f"\nexit: {code}\n", encoding="utf-8")
        self.steps[name] = {"exit": code, "seconds": round(seconds, 2)}
        print(f"  {name:28} exit {code!s:8} {seconds:6.1f} s", flush=True)
        return code

    def check_import(self) -> dict:
        """Where the child imports mtaudit from; abort unless it is this tree."""
        code = ("import json, importlib.metadata as m, mtaudit\n"
                "v = {}\n"
                "for d in ('torch', 'openvino', 'transformers', 'typer', 'rich', 'click', 'openpyxl', 'jinja2'):\n"
                "    try: v[d] = m.version(d)\n"
                "    except Exception: v[d] = None\n"
                "print(json.dumps({'file': mtaudit.__file__, 'version': getattr(mtaudit, '__version__', None),"
                " 'packages': v}))")
        proc = subprocess.run([sys.executable, "-c", code], cwd=self.tree, env=self.env, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            sys.exit(f"golden: the tree's mtaudit cannot be imported from {self.tree}:\n{proc.stderr.strip()}")
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        where = Path(os.path.realpath(info["file"]))
        if where.parent != self.tree / "mtaudit":
            sys.exit(f"golden: mtaudit was imported from {where}, not from the tree {self.tree}/mtaudit: aborting")
        if not (self.tree / "mtaudit" / "__main__.py").exists():
            sys.exit(f"golden: {self.tree}/mtaudit/__main__.py is missing: `python -m mtaudit` cannot run it")
        return info

    # the steps --------------------------------------------------------------------------------------------------

    def audit_samples(self):
        o = self.out
        self.run("audit-samples", ["audit", "samples/", "--html", f"{o}/report.html", "--jsonl", f"{o}/report.jsonl",
                                   "--xlsx", f"{o}/review.xlsx", "--csv", f"{o}/review.csv", "--top", "10",
                                   *(["--no-model"] if self.no_model else [])], timeout=1800)

    def reports(self):
        o = self.out
        self.run("report", ["report", f"{o}/report.jsonl", "--html", f"{o}/report2.html", "--xlsx", f"{o}/report2.xlsx",
                            "--csv", f"{o}/report2.csv", "--top", "10"])
        self.run("err-report-nothing", ["report", f"{o}/report.jsonl"])

    def annotate(self):
        fixtures = sorted(p.relative_to(self.tree).as_posix() for p in (self.tree / "tests" / "fixtures").iterdir()
                          if p.is_file() and p.suffix in CAT_SUFFIXES)
        if not fixtures:
            print("  warning: no CAT-tool fixtures in tests/fixtures", flush=True)
        o = self.out
        self.run("annotate", ["audit", "--no-model", "--annotate", f"{o}/annotated", "--jsonl", f"{o}/annotate.jsonl",
                              "--top", "10", *fixtures])
        self.run("annotate-fuzzy", ["audit", "--no-model", "--annotate", f"{o}/annotated-fuzzy", "--mark-fuzzy",
                                    "--jsonl", f"{o}/annotate-fuzzy.jsonl", "--top", "10", *fixtures])

    def helps(self):
        self.run("version", ["--version"])
        self.run("detectors", ["detectors"])
        todo, seen = [[]], []
        while todo:
            path = todo.pop(0)
            name = "help-" + ("-".join(path) or "root")
            self.run(name, [*path, "--help"])
            seen.append(" ".join(path) or "(root)")
            text = (self.out / f"{name}.out").read_text(encoding="utf-8", errors="replace")
            todo += [[*path, c] for c in parse_commands(text)]
        (self.out / "help-commands.txt").write_text("\n".join(seen) + "\n", encoding="utf-8")

    def watch(self, inbox: Path):
        self.run("watch", ["watch", str(inbox), "--out", f"{self.out}/watch", "--once", "--no-model", "--html"])

    def nomodel_and_errors(self):
        o = self.out
        self.run("audit-nomodel", ["audit", "samples/", "--no-model", "--jsonl", f"{o}/nomodel.jsonl", "--html",
                                   f"{o}/nomodel.html", "--top", "10"])
        one = first_sample(self.tree)
        self.run("err-missing", ["audit", "--no-model", "samples/no-such-file.txt"])
        self.run("err-missing-and-one", ["audit", "--no-model", "--top", "3", one, "samples/no-such-file.txt"])
        self.run("err-fail-above", ["audit", "--no-model", "--fail-above", "0", "--top", "0", "samples/"])
        self.run("err-unknown-detector", ["audit", "--no-model", "--detectors", "no-such-detector", one])
        self.run("err-mark-fuzzy", ["audit", "--no-model", "--mark-fuzzy", one])
        self.run("err-unknown-command", ["no-such-command"])
        self.run("err-no-args", [])


def first_sample(tree: Path) -> str:
    preferred = tree / "samples" / "01_port_deal.txt"
    if preferred.exists():
        return "samples/01_port_deal.txt"
    files = sorted(p for p in (tree / "samples").iterdir() if p.is_file())
    return files[0].relative_to(tree).as_posix()


_BOX_TOP = re.compile(r"^\s*[╭┌+][─\-]+\s*(?P<title>.*?)\s*[─\-]+[╮┐+]\s*$")
_BOX_BOTTOM = re.compile(r"^\s*[╰└+][─\-]+[╯┘+]\s*$")
_BOX_ROW = re.compile(r"^\s*[│|] (?P<name>[a-z][a-z0-9_-]*)(?:\s{2,}|\s*[│|]\s*$)")
_PLAIN_ROW = re.compile(r"^  (?P<name>[a-z][a-z0-9_-]*)(?:\s{2,}|$)")


def parse_commands(help_text: str) -> list[str]:
    """The sub-commands a group's ``--help`` lists: rows of its rich panels other than options and arguments (or
    click's plain ``Commands:`` section). A command's help (no ``COMMAND`` in its usage line) lists none."""
    usage = next((line for line in help_text.splitlines() if "Usage:" in line), "")
    if "COMMAND" not in usage:
        return []
    found, title, plain = [], None, False
    for line in help_text.splitlines():
        if m := _BOX_TOP.match(line):
            title = m.group("title")
            continue
        if _BOX_BOTTOM.match(line):
            title = None
            continue
        if title is not None:
            if not re.search(r"option|argument", title, re.I) and (m := _BOX_ROW.match(line)):
                found.append(m.group("name"))
            continue
        if re.match(r"^\s*Commands:\s*$", line):
            plain = True
            continue
        if plain:
            if m := _PLAIN_ROW.match(line):
                found.append(m.group("name"))
            elif line.strip() and not line.startswith(" "):
                plain = False
    return list(dict.fromkeys(found))


def capture(outdir: Path, tree: Path, no_model: bool, threads: int = 2) -> int:
    tree = Path(os.path.realpath(tree))
    if not (tree / "mtaudit").is_dir():
        sys.exit(f"golden: {tree} has no mtaudit package")
    if outdir.exists() and any(outdir.iterdir()):
        sys.exit(f"golden: {outdir} is not empty; give a new or empty folder")
    outdir.mkdir(parents=True, exist_ok=True)
    outdir = Path(os.path.realpath(outdir))
    cpus = pin_cpus(threads)
    cap = Capture(outdir, tree, no_model, threads)
    info = cap.check_import()
    print(f"golden: capturing {tree} (mtaudit {info['version']} from {info['file']}) into {outdir}"
          f"{' without the model' if no_model else ''}", flush=True)
    inbox = Path(os.path.realpath(tempfile.mkdtemp(prefix="golden-inbox-")))
    sample = first_sample(tree)
    shutil.copyfile(tree / sample, inbox / Path(sample).name)
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(4) as pool:
            audit = pool.submit(cap.audit_samples)  # the long one (the model run) first
            others = [pool.submit(f) for f in (cap.annotate, cap.nomodel_and_errors, lambda: cap.watch(inbox))]
            cap.helps()
            audit.result()
            pool.submit(cap.reports).result()
            for f in others:
                f.result()
    finally:
        shutil.rmtree(inbox, ignore_errors=True)
    seconds = time.perf_counter() - started
    manifest = {
        "tree": str(tree), "out": str(outdir), "tmp": [str(inbox)], "no_model": no_model, "threads": threads,
        "cpus": cpus, "python": sys.executable, "mtaudit": info, "git": git_state(tree),
        "seconds": round(seconds, 1), "steps": cap.steps,
    }
    (outdir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"golden: {len(cap.steps)} commands captured in {seconds:.1f} s into {outdir}", flush=True)
    return 0


def git_state(tree: Path) -> dict:
    def git(*args):
        proc = subprocess.run(["git", "-C", str(tree), *args], capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else None

    status = git("status", "--porcelain")
    return {"head": git("rev-parse", "HEAD"), "changed_files": len(status.splitlines()) if status else 0}


# ----------------------------------------------------------------------------------------------------- compare

_DATETIME = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?| \d{2}:\d{2}:\d{2}(?:\.\d+)?)"
                       r"(?:Z|[+-]\d{2}:?\d{2})?")
_VERSION_KEYS = re.compile(r'("(?:version|torch|openvino|transformers|ray)"\s*:\s*)"v?\d+(?:\.\d+)+[^"]*"')
_MTAUDIT_VERSION = re.compile(r"\bmtaudit v?\d+(?:\.\d+)+(?:[.+-]?[A-Za-z0-9]+)*")  # --version, <meta generator>
_SECONDS = re.compile(r"\b\d+(?:\.\d+)? ?s\b(?!/)")


def load_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except OSError:
        sys.exit(f"golden: {folder}/{MANIFEST} is missing: not a finished capture")


def path_replacements(manifest: dict, folder: Path) -> list[tuple[str, str]]:
    """Each capture's own absolute paths: where it was written (and where it lies now, if moved since), its tree, its
    temporary inbox."""
    pairs = [(manifest["out"], "<OUT>"), (os.path.realpath(folder), "<OUT>"), (manifest["tree"], "<TREE>")]
    pairs += [(t, "<TMP>") for t in manifest["tmp"]]
    return sorted(pairs, key=lambda p: -len(p[0]))  # the longest first (OUTDIR may lie inside the tree)


def normalise_text(text: str, manifest: dict, name: str, folder: Path) -> str:
    for path, placeholder in path_replacements(manifest, folder):
        text = text.replace(path, placeholder)
    text = re.sub(re.escape(tempfile.gettempdir()) + r"/tmp[a-z0-9_]{8}", "<TMP>", text)
    text = _DATETIME.sub("<DATETIME>", text)
    text = _VERSION_KEYS.sub(r'\1"<VERSION>"', text)
    text = _MTAUDIT_VERSION.sub("mtaudit <VERSION>", text)
    version = (manifest.get("mtaudit") or {}).get("version")
    if version and "::" in name and name.endswith(".xml"):  # an xlsx part: a cell holding exactly the version
        text = re.sub(r"(<t[^>]*>|<v>)" + re.escape(version) + r"(</t>|</v>)", r"\1<VERSION>\2", text)
    if name.endswith(".csv") and version:
        text = re.sub(r"(?m)(?<=,)" + re.escape(version) + r"(?=,|\r?$)", "<VERSION>", text)
    if name.endswith(".err"):
        text = _SECONDS.sub("<SECONDS> s", text)
    return text


def normalised(folder: Path, rel: str, manifest: dict) -> list[tuple[str, str]]:
    """The file's normalised content as (part name, text) pairs: one part, or an xlsx's parts sorted by name."""
    path = folder / rel
    if rel.endswith(".xlsx"):
        try:
            with zipfile.ZipFile(path) as z:
                return [(f"{rel}::{n}", normalise_text(z.read(n).decode("utf-8", "surrogateescape"), manifest,
                                                       f"{rel}::{n}", folder)) for n in sorted(z.namelist())]
        except zipfile.BadZipFile:
            pass
    return [(rel, normalise_text(path.read_bytes().decode("utf-8", "surrogateescape"), manifest, rel, folder))]


_BREAKS = re.compile(r"(?<=>)(?=<)|(?<=\],)(?=\[)|(?<=\},)(?=\{)|(?<=,)(?=\")")


def display_lines(text: str) -> list[str]:
    """Lines for a readable diff: over-long lines (XML parts, the HTML's JSON data) broken at tags and items."""
    lines = []
    for line in text.splitlines():
        if len(line) > 200:
            lines += [piece[:300] for piece in _BREAKS.split(line)]
        else:
            lines.append(line)
    return lines


def files_of(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST}


def compare(old: Path, new: Path) -> int:
    old_m, new_m = load_manifest(old), load_manifest(new)
    if old_m.get("no_model") != new_m.get("no_model"):
        print(f"golden: warning: one capture ran the model and the other did not ({old} no_model="
              f"{old_m.get('no_model')}, {new} no_model={new_m.get('no_model')})")
    old_files, new_files = files_of(old), files_of(new)
    differing, parts = [], 0
    for rel in sorted(old_files | new_files):
        if rel not in new_files or rel not in old_files:
            where = new if rel not in new_files else old
            print(f"--- {rel}: only in {old if rel in old_files else new} (missing from {where})")
            differing.append(rel)
            continue
        a, b = dict(normalised(old, rel, old_m)), dict(normalised(new, rel, new_m))
        parts += len(a)
        if a == b:
            continue
        differing.append(rel)
        shown = 0
        for part in sorted(a.keys() | b.keys()):
            if a.get(part) == b.get(part):
                continue
            diff = list(difflib.unified_diff(display_lines(a.get(part, "")), display_lines(b.get(part, "")),
                                             f"{old.name}/{part}", f"{new.name}/{part}", n=2, lineterm=""))
            if not diff:  # equal lines once broken up: whitespace or line endings differ
                diff = [f"--- {part}: differs in whitespace or line endings only ({len(a.get(part, ''))} and "
                        f"{len(b.get(part, ''))} characters)"]
            for line in diff[:max(DIFF_LINES - shown, 0)]:
                print(line)
            shown += len(diff)
        if shown > DIFF_LINES:
            print(f"... ({shown - DIFF_LINES} more diff lines)")
    total = len(old_files | new_files)
    if differing:
        print(f"golden: {len(differing)} of {total} files differ ({parts} parts compared): {', '.join(differing)}")
        return 1
    print(f"golden: {total} files compared ({parts} parts, xlsx parts counted one by one): all equal")
    return 0


# ------------------------------------------------------------------------------------------------------- check


def check(base_rev: str, no_model: bool, keep: bool, threads: int) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="golden-check-"))
    worktree = scratch / "base"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(worktree), base_rev], check=True)
    code = 2
    try:
        for label, tree, folder in ((base_rev, worktree, "old"), ("the working tree", REPO, "new")):
            # each capture in its own process: the CPU pinning stays there
            argv = [sys.executable, "-m", "tools.golden", "capture", str(scratch / folder), "--tree", str(tree),
                    "--threads", str(threads), *(["--no-model"] if no_model else [])]
            if subprocess.run(argv, cwd=REPO).returncode != 0:
                print(f"golden: the capture of {label} failed", file=sys.stderr)
                return 2
        code = compare(scratch / "old", scratch / "new")
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(worktree)], check=False)
        if code == 0 and not keep:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"golden: captures kept in {scratch} (old: {base_rev}, new: the working tree)")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.golden", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("capture", help="run the CLI of a tree and store its outputs in OUTDIR")
    p.add_argument("outdir", type=Path)
    p.add_argument("--tree", type=Path, default=REPO, help="the source tree to run (default: %(default)s)")
    p.add_argument("--no-model", action="store_true", help="rule detectors only (a quick check)")
    p.add_argument("--threads", type=int, default=2, help="CPUs the model runs on (default: %(default)s)")
    p = sub.add_parser("compare", help="compare two captures after normalisation")
    p.add_argument("old", type=Path)
    p.add_argument("new", type=Path)
    p = sub.add_parser("check", help="capture a git revision and the working tree, compare them")
    p.add_argument("base_rev")
    p.add_argument("--no-model", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the two captures even when equal")
    p.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    if args.cmd == "capture":
        return capture(args.outdir, args.tree, args.no_model, args.threads)
    if args.cmd == "compare":
        return compare(args.old, args.new)
    return check(args.base_rev, args.no_model, args.keep, args.threads)


if __name__ == "__main__":
    sys.exit(main())

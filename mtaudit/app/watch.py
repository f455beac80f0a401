"""A hot folder: the model stays loaded and every file dropped into a folder is audited as soon as it is complete.

A desk that receives articles one at a time would otherwise pay the model's load (and, with ``--runtime openvino``,
its compile) on every file; here it is paid once, and an article is audited in the time its model passes take
(BENCHMARKS.md § A hot folder). ``mtaudit watch INBOX --out OUTDIR``:

* a file counts as complete once its size and modification time have stayed the same for one poll interval (a copy
  still being written is not read half way); hidden files and the usual temporary names are never read;
* each file is audited alone and its results are written atomically as ``OUTDIR/<file name>.jsonl`` (the same records
  as ``mtaudit audit --jsonl``, run record first) and, with ``--html``, ``OUTDIR/<file name>.html``; a file that
  cannot be read gets its error record there and the watch goes on;
* a file that changes after it was audited is audited again; the files already in the folder at the start are
  audited first; input files are never modified; Ctrl-C stops the watch between files.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from mtaudit.app.outputs import check_outputs
from mtaudit.app.run import Results
from mtaudit.core.errors import UsageError
from mtaudit.engines.base import Engine
from mtaudit.engines.local import LocalEngine
from mtaudit.pipeline import AuditConfig, Auditor
from mtaudit.readers import read_document
from mtaudit.reports.writers import WRITERS

# names editors, browsers and copy tools give files they are still writing
TEMPORARY = (".tmp", ".part", ".partial", ".crdownload", ".download", ".swp", "~")


def is_temporary(name: str) -> bool:
    return name.startswith((".", "~$")) or name.lower().endswith(TEMPORARY)


class Inbox:
    """The complete, not yet audited files of a folder, in name order. ``ready()`` is called once per poll: a file
    is offered when its (size, mtime) equals what the previous call saw and differs from what was last offered."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._seen: dict[str, tuple[int, int]] = {}
        self._offered: dict[str, tuple[int, int]] = {}

    def _scan(self) -> dict[str, tuple[int, int]]:
        found = {}
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return found
        for entry in entries:
            if is_temporary(entry.name):
                continue
            try:
                if not entry.is_file():
                    continue
                stat = entry.stat()
            except OSError:  # removed between the listing and the stat
                continue
            found[entry.name] = (stat.st_size, stat.st_mtime_ns)
        return found

    def ready(self) -> list[Path]:
        now = self._scan()
        stable = [name for name, sig in now.items() if self._seen.get(name) == sig and self._offered.get(name) != sig]
        self._seen = now
        # a file that left the folder is forgotten: dropped in again, it is audited again
        self._offered = {name: sig for name, sig in self._offered.items() if name in now}
        for name in stable:
            self._offered[name] = now[name]
        return [self.folder / name for name in sorted(stable)]


@dataclass
class Audited:
    """One file's audit: where its results went, its counts, or the error that stopped it."""

    path: Path
    outputs: list[Path]
    sentences: int
    findings: int
    top_risk: float | None
    seconds: float
    error: str | None


def watch(audit_file: Callable[[Path], Audited], inbox: Path, poll: float = 0.5,
          once: bool = False) -> Iterator[Audited]:
    """Audit each file of ``inbox`` once it is complete, with ``audit_file``; yields each result. ``once``: stop at
    the first poll that finds nothing new to audit (after the files that were there at the start)."""
    files = Inbox(inbox)
    files.ready()  # what is there now, offered at the next scan if it has not changed meanwhile
    while True:
        time.sleep(poll)
        ready = files.ready()
        for path in ready:
            yield audit_file(path)
        if once and not ready:
            return


# What ``warm_up`` audits: a Chinese source with an English translation wakes every detector's lazily loaded data (the
# Chinese segmenter and its dictionaries, pinyin, word frequencies: about 2 s of a process's first Chinese article)
WARM_UP = ('{"id": "1", "source": "新华社北京12月1日电 外交部发言人王芳周三表示，中方愿与各方加强沟通。", '
           '"target": "BEIJING, Dec. 1 (Xinhua) -- Foreign Ministry spokeswoman Wang Fang said on Wednesday that '
           'China was willing to strengthen communication with all parties."}\n')


def warm_up(auditor: Auditor) -> None:
    """Audit a one-segment article and drop the result, and run the model on batches of the largest sizes it will
    see, so that the first real file does not pay for the set-up of the detectors' data and of the model's batches."""
    import tempfile

    if auditor.scorer is not None:
        auditor.scorer.warm_up()
    with tempfile.TemporaryDirectory(prefix="mtaudit-warm-up-") as folder:
        path = Path(folder) / "warm-up.jsonl"
        path.write_text(WARM_UP, encoding="utf-8")
        auditor.audit_documents([read_document(path)])


class FileAuditor:
    """Audits one file with a loaded ``Auditor`` and writes its results into ``out`` (see the module docstring)."""

    def __init__(self, auditor: Auditor, engine: Engine, out: Path, html: bool, run_options: dict) -> None:
        self.auditor = auditor
        self.engine = engine
        self.out = out
        self.html = html
        self.run_options = run_options

    def __call__(self, path: Path) -> Audited:
        started = time.perf_counter()
        jsonl = self.out / f"{path.name}.jsonl"
        results = Results(self.auditor.run_record(self.run_options, engine=self.engine.describe()), jsonl,
                          keep_all=self.html, top=1)
        error, sentences, findings = None, 0, 0
        target = jsonl
        try:
            results.open()
            for doc in self.engine.results(self.auditor, [str(path)]):
                results.add(doc)
                error = doc.error
                sentences += len(doc.risks)
                findings += doc.findings
            results.close()
            outputs = [jsonl]
            if self.html and error is None:
                target = self.out / f"{path.name}.html"
                WRITERS["html"].write(results.builder.report(), target)
                outputs.append(target)
        except OSError as exc:  # the results folder became unwritable (full disk, removed): no point going on
            results.abandon()
            raise UsageError(f"{target}: cannot write: {exc.strerror or exc}") from None
        except BaseException:
            results.abandon()
            raise
        return Audited(path, outputs, sentences, findings, results.builder.max_risk, time.perf_counter() - started,
                       error)


class Watch:
    """``mtaudit watch``: the folder ``inbox`` audited with ``config`` into ``out`` (see the module docstring).

    Creating it checks the folders; ``start`` loads the model (and compiles it with OpenVINO) and warms up, once;
    iterating yields each audited file until Ctrl-C (or, with ``once``, until the folder holds nothing new)."""

    def __init__(self, config: AuditConfig, inbox: Path, out: Path, html: bool = False, poll: float = 0.5,
                 once: bool = False) -> None:
        if not inbox.is_dir():
            raise UsageError(f"{inbox}: not a folder to watch")
        inside = out.resolve() == inbox.resolve() or inbox.resolve() in out.resolve().parents
        if inside:
            raise UsageError(f"--out {out} lies inside the watched folder {inbox}: its results would be audited too")
        check_outputs({}, {"--out": out})  # creates the folder when it alone is missing
        self.config, self.inbox, self.out, self.html, self.poll, self.once = config, inbox, out, html, poll, once
        self.auditor: Auditor | None = None

    def start(self) -> None:
        """Load the model now, once, compile it where OpenVINO runs it, and warm up the detectors and the batches."""
        self.auditor = Auditor(self.config)
        if self.auditor.scorer is not None and self.auditor.scorer.openvino is not None:
            self.auditor.scorer.openvino.wait()  # compiled now, not in the first file
        warm_up(self.auditor)

    def __iter__(self) -> Iterator[Audited]:
        if self.auditor is None:
            self.start()
        audit_file = FileAuditor(self.auditor, LocalEngine(1), self.out, self.html,
                                 self.config.run_options(watch=str(self.inbox)))
        return watch(audit_file, self.inbox, poll=self.poll, once=self.once)

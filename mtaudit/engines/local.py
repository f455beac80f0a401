"""The default engine: reading and the rule detectors in a process pool on this machine, the model in this process."""
from __future__ import annotations

import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING, Iterator

from mtaudit.engines.base import Engine
from mtaudit.pipeline.stages import load_and_prepare, start_reader

if TYPE_CHECKING:
    from mtaudit.pipeline import AuditConfig, Auditor
    from mtaudit.core.document import Document


def _init_pool_worker(config: AuditConfig) -> None:
    # Ctrl-C reaches every process of the terminal's group: the main process stops the run and the pool (a worker
    # interrupted while it waits for work would only print a traceback). Only the pool's processes ignore it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    start_reader(config)


def _prepare_chunk(paths: list[str]) -> list[Document]:
    return [load_and_prepare(path) for path in paths]


# Files read ahead of the model, at least: enough for a model batch of short articles, so that the model does not wait
# for its first batch after the load; beyond that a few chunks per worker. The prepared Documents waiting for the model
# stay bounded by this on a folder of any size.
AHEAD_FILES = 64
AHEAD_CHUNKS_PER_WORKER = 4


def _in_order(pool: ProcessPoolExecutor, paths: list[str], chunksize: int, workers: int) -> Iterator[Document]:
    """The prepared Documents of ``paths``, in order, read by ``pool`` in chunks of ``chunksize`` files with a bounded
    number of chunks ahead of the consumer. The first chunks are submitted now, not at the first ``next``."""
    chunks = iter([paths[i : i + chunksize] for i in range(0, len(paths), chunksize)])
    ahead = max(AHEAD_CHUNKS_PER_WORKER * workers, -(-AHEAD_FILES // chunksize))
    pending = deque(pool.submit(_prepare_chunk, chunk) for chunk in islice(chunks, ahead))

    def results() -> Iterator[Document]:
        try:
            while pending:
                docs = pending.popleft().result()
                following = next(chunks, None)
                if following is not None:
                    pending.append(pool.submit(_prepare_chunk, following))
                yield from docs
        finally:
            for future in pending:
                future.cancel()

    return results()


class LocalEngine(Engine):
    """Reads in ``workers`` processes (default: the configuration's) and scores in this process, batching across files
    and loading the model's weights once.

    ``prefetch`` starts the pool on the paths before the Auditor loads the model, so that reading and the rule
    detectors of the first documents run while the model loads instead of after it (a run of few documents would
    otherwise wait for both, one after the other). In the CLI the workers are forked then, before torch is imported."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._prefetched: tuple[list[str], Iterator[Document]] | None = None

    def describe(self) -> dict:
        return {"name": self.name, "workers": self.workers}

    def _start_pool(self, config: AuditConfig, paths: list[str]) -> Iterator[Document] | None:
        """The pool's ordered results for ``paths`` (the first files are submitted at once), or None when one worker
        is asked for."""
        workers = self.workers or config.workers
        if workers <= 1 or not paths:
            return None
        workers = min(workers, len(paths))
        self._pool = ProcessPoolExecutor(workers, initializer=_init_pool_worker, initargs=(config,))
        chunksize = max(1, min(16, len(paths) // (workers * 8)))
        return _in_order(self._pool, paths, chunksize, workers)

    def prefetch(self, config: AuditConfig, paths: list[str]) -> None:
        # even a single file goes to a worker here: its reading and detectors then overlap the model's load
        self.close()
        prepared = self._start_pool(config, list(paths))
        if prepared is not None:
            self._prefetched = (list(paths), prepared)

    def run(self, auditor: Auditor, paths: list[str]) -> Iterator[Document]:
        prepared = None
        if self._prefetched is not None:
            fetched, results = self._prefetched
            self._prefetched = None
            if fetched == list(paths):
                prepared = results
            else:  # asked for other paths than were prefetched: drop that work
                self.close()
        if prepared is None and len(paths) > 1:
            prepared = self._start_pool(auditor.config, paths)
        if prepared is None:
            # in this process: reuse the detectors the Auditor built instead of building a second set
            auditor.serve_in_this_process()
            prepared = map(load_and_prepare, paths)
        finished = False
        try:
            for batch in auditor.batches(prepared):
                yield from auditor.finish(batch)
            finished = True
        finally:
            self._shutdown(wait=finished)

    def _shutdown(self, wait: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # After a complete run every worker is idle: wait for the pool to close (left closing in the background, its
        # manager thread can race interpreter exit). A run that stops early (interrupted, or the model failed to
        # load) drops the queued files and stops the workers at once: they only read, and they ignore Ctrl-C (the
        # main process handles it), so nothing else would end them if that race left them waiting for work.
        pool.shutdown(wait=wait, cancel_futures=not wait)
        if not wait:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()

    def close(self) -> None:
        self._prefetched = None
        self._shutdown(wait=False)

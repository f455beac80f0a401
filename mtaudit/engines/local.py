"""The default engine: reading and the rule detectors in a process pool on this machine, the model in this process."""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Iterator

from mtaudit.audit import _init_worker, _load_and_prepare
from mtaudit.engines.base import Engine

if TYPE_CHECKING:
    from mtaudit.audit import Auditor
    from mtaudit.document import Document


class LocalEngine(Engine):
    """Reads in ``workers`` processes (default: the configuration's) and scores in this process, batching across files
    and loading the model's weights once."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers

    def describe(self) -> dict:
        return {"name": self.name, "workers": self.workers}

    def run(self, auditor: Auditor, paths: list[str]) -> Iterator[Document]:
        config = auditor.config
        workers = self.workers or config.workers
        if workers > 1 and len(paths) > 1:
            pool = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(config,))
            chunksize = max(1, min(16, len(paths) // (workers * 8)))
            prepared = pool.map(_load_and_prepare, paths, chunksize=chunksize)
        else:
            pool = None
            # in this process: reuse the detectors the Auditor built instead of building a second set
            auditor.serve_in_this_process()
            prepared = map(_load_and_prepare, paths)
        finished = False
        try:
            for batch in auditor.batches(prepared):
                yield from auditor.finish(batch)
            finished = True
        finally:
            if pool is not None:
                # After a complete run every worker is idle: wait for the pool to close. Left closing in the
                # background, its manager thread can race interpreter exit and print a "Bad file descriptor"
                # traceback. An interrupted run does not wait for work nobody will read.
                pool.shutdown(wait=finished, cancel_futures=not finished)

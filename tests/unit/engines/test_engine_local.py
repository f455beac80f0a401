"""The local engine: a process pool reads and runs the rule detectors, this process scores; ``prefetch`` starts that
work before the model loads, and the documents are the same whichever way they were prepared."""
from __future__ import annotations

from helpers import SAMPLES

from mtaudit.pipeline import AuditConfig, Auditor
from mtaudit.engines.local import LocalEngine

PATHS = sorted(str(p) for p in SAMPLES.iterdir() if p.is_file())


def _summary(docs) -> list[tuple]:
    return [(d.path, d.error, round(d.risk, 6), [(s.text, round(s.risk, 6), sorted(f.message for f in s.findings))
                                                  for seg in d.segments for s in seg.sentences]) for d in docs]


def _in_one_process(paths: list[str]) -> list[tuple]:
    config = AuditConfig(workers=1)
    return _summary(LocalEngine().run(Auditor(config), paths))


def test_prefetched_documents_are_used_and_are_those_of_one_process():
    config = AuditConfig(workers=2)
    engine = LocalEngine()
    engine.prefetch(config, PATHS)
    pool = engine._pool
    assert pool is not None  # the workers exist before the Auditor (and its model) does
    auditor = Auditor(config)
    docs = engine.run(auditor, PATHS)
    first = next(docs)
    assert engine._pool is pool  # the prefetched work, not a second pool
    assert _summary([first, *docs]) == _in_one_process(PATHS)
    assert engine._pool is None  # closed at the end of the run


def test_a_run_of_other_paths_drops_the_prefetched_work():
    config = AuditConfig(workers=2)
    with LocalEngine() as engine:
        engine.prefetch(config, PATHS)
        first_pool = engine._pool
        wanted = PATHS[1:4]
        docs = engine.run(Auditor(config), wanted)
        head = next(docs)
        assert engine._pool is not None and engine._pool is not first_pool
        assert _summary([head, *docs]) == _in_one_process(wanted)


def test_a_single_file_is_prefetched_into_one_worker_and_closing_unused_work_returns():
    config = AuditConfig(workers=2)
    engine = LocalEngine()
    engine.prefetch(config, PATHS[:1])
    assert engine._pool is not None and engine._pool._max_workers == 1
    assert _summary(engine.run(Auditor(config), PATHS[:1])) == _in_one_process(PATHS[:1])
    engine.prefetch(config, PATHS)
    engine.close()  # an audit that fails before its run (a usage error) leaves no pool behind
    assert engine._pool is None and engine._prefetched is None
    # one worker asked for: nothing is prefetched, the run reads in this process
    single = LocalEngine(workers=1)
    single.prefetch(config, PATHS)
    assert single._pool is None and single._prefetched is None


def test_reading_ahead_of_the_model_is_bounded(tmp_path):
    """On a folder of any size only a bounded number of files is read ahead of the consumer (the model), so the
    prepared Documents waiting for it do not grow with the folder; the first ones are submitted before the first
    ``next``, and the order is the files' order."""
    from concurrent.futures import ProcessPoolExecutor

    from mtaudit.pipeline.stages import start_reader
    from mtaudit.engines import local

    text = (SAMPLES / "01_port_deal.txt").read_text(encoding="utf-8")
    paths = []
    for i in range(300):
        path = tmp_path / f"a{i:03d}.txt"
        path.write_text(text.replace("port", f"port {i}", 1), encoding="utf-8")
        paths.append(str(path))

    class Counting:  # the real pool, with its submissions counted
        def __init__(self, pool):
            self.pool, self.submitted = pool, 0

        def submit(self, *args):
            self.submitted += 1
            return self.pool.submit(*args)

    with ProcessPoolExecutor(2, initializer=start_reader, initargs=(AuditConfig(workers=2),)) as real:
        pool = Counting(real)
        chunksize = 4
        ahead = max(local.AHEAD_CHUNKS_PER_WORKER * 2, -(-local.AHEAD_FILES // chunksize))
        docs = local._in_order(pool, paths, chunksize, 2)
        assert pool.submitted == ahead  # before the first next: the reading overlaps the model's load
        first = [next(docs) for _ in range(10)]
        assert pool.submitted <= ahead + 3  # one more chunk per chunk consumed
        rest = list(docs)
    assert pool.submitted == len(paths) // chunksize
    assert [d.path for d in first + rest] == paths
    assert all(not d.error and d.segments for d in first + rest)

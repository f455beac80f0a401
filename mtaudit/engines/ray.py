"""The Ray engine: the same audit on a Ray cluster, or on a Ray runtime it starts on this machine.

Where each stage runs (the design is argued in docs/scaling.md):

* The driver (this process) discovers the files, hands out work in chunks with a bounded number outstanding, and is
  the only writer: its memory does not grow with the number of files.
* Reading and the rule detectors run as Ray *tasks*, one chunk of files each. A task whose worker process dies is
  retried by Ray (``RETRIES``); a chunk that still fails is re-run file by file, and a file whose worker dies every
  time comes back as a failed Document, reported like an unreadable file.
* The transformer runs in a pool of Ray *actors*, each loading the model once on its node (its files verified against
  the pinned hashes there). The driver cuts the prepared documents into exactly the batches the local engine scores
  (``Auditor.batches``) and gives each actor one batch at a time; an actor that dies is restarted and its batch retried.
  The prepared Documents stay in the object store: a reading task returns each file's sentence count to the driver
  apart from its Documents, and the actors fetch those by reference (``StoredDocument``).
* Risks are computed where a batch is finished (``Auditor.finish``/``settle``, in the reading task or the actor), and
  there the records are encoded as JSONL lines (``encode_document``, as the local engine encodes them on its driver),
  so the driver only orders, writes and counts (``results``). What needs the Documents on the driver (``run``;
  ``--annotate``; a reviewer's decisions file, matched and counted on the driver, which settles again after
  dismissing) receives them whole.
* Results come back in input order, as the local engine yields them.

Ray is imported only when the engine starts, so the base install does not need it.
"""
from __future__ import annotations

import fnmatch
import ipaddress
import logging
import os
import signal
import socket
import sys
from collections import deque
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator

from mtaudit.core.document import Document
from mtaudit.engines.base import Engine
from mtaudit.pipeline import AuditConfig, Auditor
from mtaudit.pipeline.stages import load_and_prepare
from mtaudit.core.errors import MtauditError, UsageError
from mtaudit.reports.records import EncodedDocument, encode_document

# Extra attempts Ray gives a task or an actor call whose process died, before the driver isolates the culprit.
RETRIES = 2
# Files per reading task at most: enough to amortise a task's overhead, few enough to balance the load and to redo
# cheaply when a worker dies.
CHUNK_FILES = 8
# Reading tasks kept outstanding per CPU, and model batches queued per actor beyond the one it is scoring: enough to
# keep every worker busy, few enough that the driver holds little.
TASKS_PER_CPU = 2
BATCHES_AHEAD = 2
# The object store of a runtime started on this machine. Documents are a few kB each and few are outstanding; Ray's
# default (30 % of the memory) would only compete with the model for it.
LOCAL_OBJECT_STORE_BYTES = 512 * 2**20
# How long the model actors may take to be placed and to load the model before the run gives up.
ACTOR_START_TIMEOUT_S = 900
# How long a head on a loopback address may take to accept a connection (it is on this machine).
LOOPBACK_PROBE_TIMEOUT_S = 2.0

INSTALL_HINT = '--engine ray needs Ray, an optional extra: pip install "mtaudit[ray]"'


def import_ray(address: str | None):
    """Import Ray, or raise the one-line UsageError naming the extra to install. Where Ray is not imported yet, what
    it reads then (``ray_environment``) is set first, unless the user set it."""
    if "ray" not in sys.modules:
        for key, value in ray_environment(address).items():
            os.environ.setdefault(key, value)
    try:
        import ray
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return ray


def ray_environment(address: str | None) -> dict[str, str]:
    """The environment Ray needs, read when it is first imported, to start a runtime on this machine (``address``
    None) or to join the head at ``address``.

    Ray takes 127.0.0.1 as the node's address when RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER is 0, else the machine's network
    address, and it replaces a loopback address to join with the node's address. A runtime started here serves only
    this process, so it listens on the loopback interface alone. A head listening on a loopback address (`ray start
    --head --node-ip-address 127.0.0.1` with the variable at 0) is joined at the address given, not looked for on the
    network address, where it does not listen. Other addresses keep Ray's choice: a real cluster's, and a loopback
    address where nothing listens (a head started without the variable listens on the network address, and Ray
    finds it there). Token authentication is Ray's default for a new runtime; saying so spares a warning on every run.
    """
    if not address:
        return {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "token"}
    if _listening_on_loopback(address):
        return {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    return {}


def _listening_on_loopback(address: str) -> bool:
    """Whether ``address`` (HOST:PORT) is a loopback address where something accepts connections."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    try:
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            return False
        socket.create_connection((host, int(port)), timeout=LOOPBACK_PROBE_TIMEOUT_S).close()
    except (ValueError, OSError):
        return False
    return True


class RayEngine(Engine):
    """Runs the audit on Ray: joins the cluster at ``address`` (or ``RAY_ADDRESS``, or the runtime this process already
    started), else starts a runtime on this machine with ``workers`` CPUs (0: all).

    ``actors`` model replicas (default: one per GPU when ``gpus_per_actor`` > 0 or the cluster has GPUs, else one per
    node), each given ``gpus_per_actor`` GPUs (default: 1 on a cluster with GPUs, else 0).

    ``crash_reading`` and ``crash_scoring`` are for fault-tolerance tests only: a glob of file names whose worker
    process kills itself (SIGKILL) before reading that file, or before scoring a batch that holds it.
    """

    name = "ray"
    local_model = False

    def __init__(self, address: str | None = None, actors: int | None = None, gpus_per_actor: float | None = None,
                 workers: int = 0, retries: int = RETRIES, crash_reading: str | None = None,
                 crash_scoring: str | None = None):
        if actors is not None and actors < 1:
            raise UsageError("--actors must be at least 1")
        if gpus_per_actor is not None and gpus_per_actor < 0:
            raise UsageError("--gpus-per-actor cannot be negative")
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.actors = actors
        self.gpus_per_actor = gpus_per_actor
        self.workers = workers
        self.retries = retries
        self.crash_reading = crash_reading
        self.crash_scoring = crash_scoring
        self._ray = None
        self._connected_here = False
        self._local_runtime = False
        self._cluster: dict = {}
        self._pool: list = []
        self._devices: list[str] = []
        self._gpus_each = 0.0
        self._config_ref = None

    # ---- lifecycle ---------------------------------------------------------------------------------------
    def start(self, auditor: Auditor) -> None:
        if self._ray is not None:
            return
        ray = import_ray(self.address)
        self._ray = ray
        config = auditor.config
        if not ray.is_initialized():
            self._connect(ray, config.debug)
        resources = ray.cluster_resources()
        nodes = [n for n in ray.nodes() if n.get("Alive")]
        self._cluster = {"nodes": len(nodes), "cpus": int(resources.get("CPU", 0)),
                         "gpus": int(resources.get("GPU", 0))}
        if not self._cluster["cpus"]:
            raise UsageError("the Ray cluster has no CPU for the reading tasks; add a node with CPUs")
        self._config_ref = ray.put(config)
        if config.model:
            auditor.model_signature = self._start_actors(ray, config, nodes)

    def _connect(self, ray, debug: bool) -> None:
        quiet = {"log_to_driver": debug, "logging_level": logging.INFO if debug else logging.ERROR}
        if self.address:
            try:
                ray.init(address=self.address, **quiet)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise UsageError(f"cannot join the Ray cluster at {self.address}: {_first_line(exc)}") from None
        else:
            ray.init(address="local", num_cpus=self.workers or None, include_dashboard=False,
                     object_store_memory=LOCAL_OBJECT_STORE_BYTES, **quiet)
            self._local_runtime = True
        self._connected_here = True

    def _start_actors(self, ray, config: AuditConfig, nodes: list[dict]) -> dict:
        gpus = self._cluster["gpus"]
        each = self.gpus_per_actor if self.gpus_per_actor is not None else (1.0 if gpus else 0.0)
        if each > 0:
            count = self.actors or max(1, int(gpus // each))
            if count * each > gpus:
                raise UsageError(f"{count} model actor(s) with {each:g} GPU each need {count * each:g} GPUs; the "
                                 f"Ray cluster has {gpus}. Lower --actors or --gpus-per-actor")
        else:
            count = self.actors or max(1, sum(1 for n in nodes if n.get("Resources", {}).get("CPU")))
        self._gpus_each = each
        # Actors hold no CPU while they run (Ray's default), so the reading tasks never wait for one; SPREAD puts
        # the replicas on different nodes.
        actor = ray.remote(ModelWorker).options(
            num_gpus=each, max_restarts=-1, max_task_retries=self.retries, scheduling_strategy="SPREAD")
        # the configuration by value: a restarted actor must not depend on an object that may have been released
        self._pool = [actor.remote(config, os.getcwd(), self.crash_scoring) for _ in range(count)]
        try:
            described = ray.get([a.describe.remote() for a in self._pool], timeout=ACTOR_START_TIMEOUT_S)
        except ray.exceptions.GetTimeoutError:
            raise UsageError(f"the {count} model actor(s) did not start within {ACTOR_START_TIMEOUT_S} s: the cluster "
                             "may lack the GPUs or memory they need (see `ray status`)") from None
        for d in described:
            if d.get("error"):
                raise UsageError(f"on Ray node {d['node']}: {d['error']}")
        checksums = {d["checksum"] for d in described}
        if len(checksums) > 1:
            raise UsageError("the model's files differ between Ray nodes (checksums "
                             + ", ".join(sorted(checksums)) + "); pull the same model on every node")
        self._devices = sorted({d["device"] for d in described})
        # actors on different machines may compute in different dtypes (a GPU node in bf16, a CPU node in float32)
        dtypes = sorted({d["dtype"] for d in described})
        return {"id": described[0]["id"], "checksum": described[0]["checksum"], "dtype": ", ".join(dtypes)}

    def describe(self) -> dict:
        ray = self._ray
        return {"name": self.name, "ray": getattr(ray, "__version__", None),
                "runtime": "started here" if self._local_runtime else "joined", **self._cluster,
                "actors": len(self._pool), "gpus_per_actor": self._gpus_each, "model_devices": self._devices}

    def close(self) -> None:
        ray, self._ray = self._ray, None
        if ray is None:
            return
        for actor in self._pool:
            ray.kill(actor)
        self._pool = []
        if self._connected_here:
            ray.shutdown()
            self._connected_here = False

    # ---- the run -----------------------------------------------------------------------------------------
    def run(self, auditor: Auditor, paths: list[str]) -> Iterator[Document]:
        return self._stream(auditor, paths, encoded=False)

    def results(self, auditor: Auditor, paths: list[str], keep_documents: bool = False) -> Iterator[EncodedDocument]:
        if keep_documents or auditor.decisions is not None:
            # the driver needs the Documents themselves: to write annotated copies, or to apply the decisions
            return super().results(auditor, paths, keep_documents)
        return self._stream(auditor, paths, encoded=True)  # encoded by the tasks and actors that finish them

    def _stream(self, auditor: Auditor, paths: list[str], encoded: bool) -> Iterator:
        """Documents in input order or, ``encoded``, their records encoded where they were finished."""
        self.start(auditor)
        ray = self._ray
        if paths:
            self._check_visible(ray, paths[0])
        cpus = self._cluster["cpus"]
        chunk = max(1, min(CHUNK_FILES, len(paths) // (cpus * 4)))
        reading = ray.remote(_prepare_chunk).options(max_retries=self.retries, num_returns=2 if self._pool else 1)
        cwd = os.getcwd()
        # Without the model, the reading task finishes the documents (and encodes them when asked). With it, they stay
        # in the object store: the driver receives how many sentences each has, cuts the batches from that, and hands
        # the actors references, so it never unpickles a prepared Document nor pickles it again.
        finish = None if self._pool else "encoded" if encoded else "settled"
        # what the engine reports itself (a file or batch whose worker died every time) goes out as the rest does,
        # except that an unread file goes on to the actor first with the model (it is encoded there, in its batch)
        out = encode_document if encoded else (lambda doc: doc)
        unread = (lambda doc: doc) if self._pool else out
        read = OrderedStage(
            # with the model, two references: the sentences of each file (received), its documents (see handed_on)
            submit=lambda _slot, files: reading.remote(self._config_ref, cwd, files, finish, self.crash_reading),
            failed=lambda path, exc: unread(Document(path=path, error=f"{path}: the worker reading it died "
                                                                      f"{self.retries + 1} times "
                                                                      f"({type(exc).__name__}); skipped")),
            window=TASKS_PER_CPU * cpus, receive=handed_on if self._pool else None)
        finished = (doc for docs in read.run(paths[i:i + chunk] for i in range(0, len(paths), chunk)) for doc in docs)
        if self._pool:
            score = OrderedStage(
                submit=lambda actor, docs: actor.score.remote(docs, encoded),
                failed=lambda doc, exc: out(Document(path=doc.path, error=f"{doc.path}: the model's worker died "
                                                                          f"{self.retries + 1} times scoring it "
                                                                          f"({type(exc).__name__}); not scored")),
                window=len(self._pool) * (1 + BATCHES_AHEAD), slots=self._pool)
            batches = auditor.batches(finished, sentences=lambda d: d.sentences if isinstance(d, StoredDocument) else 0)
            finished = (doc for batch in score.run(batches) for doc in batch)
        if auditor.decisions is None:
            yield from finished
        else:  # decisions are applied (and risks computed again) here, where they are counted
            yield from (settled for doc in finished for settled in auditor.settle([doc]))

    def _check_visible(self, ray, path: str) -> None:
        """Every node with CPUs reads inputs itself: refuse early, naming the node, when one cannot see them."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        probe = ray.remote(_missing_on_node)
        cwd = os.getcwd()
        refs = [probe.options(num_cpus=0, scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False))
                .remote(cwd, path)
                for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU")]
        for node, missing in ray.get(refs):
            if missing:
                raise UsageError(f"{path} is not visible on Ray node {node}: every node reads the inputs itself, so "
                                 "they must be on a file system mounted at the same path on all nodes "
                                 "(see docs/scaling.md)")


class OrderedStage:
    """Runs jobs (lists of items) on Ray with a bounded number outstanding and yields their results in job order.

    ``submit(slot, items)`` starts a job and returns the reference of its results, one per item (with ``receive``:
    a pair, that reference and a context, and the results are ``receive(context, results)``); ``slots`` are actors
    that take one job at a time (None: tasks, as many as ``window`` allows). A job whose process died more often than
    Ray retries is re-run one item at a time, and an item that still kills its process becomes ``failed(item, exc)``.
    """

    def __init__(self, submit: Callable, failed: Callable, window: int, slots: list | None = None,
                 receive: Callable | None = None):
        self.submit, self.failed, self.window, self.slots = submit, failed, max(1, window), slots
        self.receive = receive

    def run(self, jobs: Iterable[list]) -> Iterator[list]:
        import ray

        jobs = iter(jobs)
        free = deque(self.slots) if self.slots is not None else None
        waiting: deque = deque()  # (job index, item position or None for the whole job, items)
        running: dict = {}  # result reference -> (slot, job index, position, items, context)
        done: dict[int, list] = {}  # job index -> its results, until every earlier job is yielded
        split: dict[int, list] = {}  # job index -> [items still running, results] of a job re-run item by item
        taken = yielded = 0
        exhausted = False
        while True:
            while free is None or free:
                if not waiting:
                    if exhausted or taken - yielded >= self.window:
                        break
                    items = next(jobs, None)
                    if items is None:
                        exhausted = True
                        break
                    waiting.append((taken, None, items))
                    taken += 1
                index, position, items = waiting.popleft()
                slot = free.popleft() if free is not None else None
                ref, context = self.submit(slot, items) if self.receive else (self.submit(slot, items), None)
                running[ref] = (slot, index, position, items, context)
            while yielded in done:
                yield done.pop(yielded)
                yielded += 1
            if not running:
                if exhausted and not waiting:
                    return
                continue  # the window was full of finished jobs, now yielded: take more
            (ref,), _ = ray.wait(list(running), num_returns=1)
            slot, index, position, items, context = running.pop(ref)
            if free is not None:
                free.append(slot)
            try:
                results = ray.get(ref)
                if self.receive:
                    results = self.receive(context, results)
            except ray.exceptions.RayTaskError as exc:
                if isinstance(exc.cause, MtauditError):  # a usage error raised remotely: its one line, no traceback
                    raise exc.cause from None
                raise
            except _process_died() as exc:
                if position is None and len(items) > 1:
                    split[index] = [len(items), [None] * len(items)]
                    waiting.extendleft(reversed([(index, i, [item]) for i, item in enumerate(items)]))
                    continue
                results = [self.failed(items[0], exc)]
            if position is None:
                done[index] = results
            else:
                entry = split[index]
                entry[1][position] = results[0]
                entry[0] -= 1
                if not entry[0]:
                    done[index] = split.pop(index)[1]


def _process_died() -> tuple[type[BaseException], ...]:
    """Ray's errors for a task or actor call whose process (or node) died, as opposed to an exception it raised."""
    from ray import exceptions as e

    return (e.WorkerCrashedError, e.RayActorError, e.OutOfMemoryError, e.NodeDiedError, e.ObjectLostError)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@dataclass(frozen=True)
class StoredDocument:
    """A prepared document left in the object store, as the driver cuts batches from it and hands it to an actor:
    the reference of its reading task's documents, its position there, and what the driver needs to know of it."""

    chunk: object  # a ray.ObjectRef to a list of Documents
    index: int
    path: str
    sentences: int


def handed_on(documents, sentences: list[tuple[str, int]]) -> list[StoredDocument]:
    """What the driver keeps of a reading task's results with the model: a stand-in per document (``StoredDocument``);
    the ``receive`` of the reading stage's ``OrderedStage``."""
    return [StoredDocument(documents, i, path, n) for i, (path, n) in enumerate(sentences)]


def _fetched(batch: list) -> list[Document]:
    """A batch's Documents, those left in the object store fetched (one get for all their chunks)."""
    import ray

    chunks = list(dict.fromkeys(d.chunk for d in batch if isinstance(d, StoredDocument)))
    stored = dict(zip(chunks, ray.get(chunks))) if chunks else {}
    return [stored[d.chunk][d.index] if isinstance(d, StoredDocument) else d for d in batch]


# ---- what runs on the workers -----------------------------------------------------------------------------------
def _enter(cwd: str) -> None:
    """Relative paths (inputs, --source, a glossary) mean what they mean on the driver, where the folder exists."""
    if os.getcwd() != cwd and os.path.isdir(cwd):
        os.chdir(cwd)


def _crash_if(pattern: str | None, paths: Iterable[str]) -> None:
    if pattern and any(fnmatch.fnmatch(os.path.basename(p), pattern) for p in paths):
        os.kill(os.getpid(), signal.SIGKILL)


# The Auditor of this worker process's reading tasks, built once per configuration.
_READING: dict[str, Auditor] = {}


def _worker_auditor(config: AuditConfig) -> Auditor:
    """This worker process's Auditor for ``config`` (built once): its detectors, its risk model, no decisions."""
    config = replace(config, decisions=None)
    auditor = _READING.get("auditor")
    if auditor is None or auditor.config != config:
        auditor = Auditor(config)
        auditor.serve_in_this_process()
        _READING["auditor"] = auditor
    return auditor


def _prepare_chunk(config: AuditConfig, cwd: str, paths: list[str], finish: str | None,
                   crash_on: str | None = None):
    """A Ray task: read and prepare a chunk of files. When no model is to score them first, ``finish`` them here:
    ``"settled"`` (risks computed) or ``"encoded"`` (and their records encoded for the driver to write). Else
    (``None``) two results: each document's path and sentences, for the driver, and the Documents, for the actors."""
    _enter(cwd)
    auditor = _worker_auditor(replace(config, model=None))
    docs = []
    for path in paths:
        _crash_if(crash_on, [path])
        docs.append(load_and_prepare(path))
    if finish is None:
        return [(d.path, sum(len(s.sentences) for s in d.segments)) for d in docs], docs
    docs = auditor.settle(docs)
    return [encode_document(d) for d in docs] if finish == "encoded" else docs


def _missing_on_node(cwd: str, path: str) -> tuple[str, bool]:
    import ray

    _enter(cwd)
    return ray.util.get_node_ip_address(), not os.path.exists(path)


class ModelWorker:
    """A Ray actor holding one replica of the model in an Auditor of its own, loaded once: it finishes batches of
    prepared documents exactly as the local engine's Auditor does (``Auditor.finish``)."""

    def __init__(self, config: AuditConfig, cwd: str, crash_on: str | None = None):
        from mtaudit.core.errors import ModelError

        _enter(cwd)
        self.crash_on = crash_on
        self.auditor, self.error = None, None
        try:
            self.auditor = Auditor(replace(config, decisions=None))  # loads and verifies the model on this node
        except (ModelError, MtauditError) as exc:  # reported by describe(), with the node, as a usage error
            self.error = str(exc)

    def describe(self) -> dict:
        import ray

        node = ray.util.get_node_ip_address()
        if self.auditor is None:
            return {"node": node, "error": self.error}
        return {"node": node, **self.auditor.model_signature, "device": str(self.auditor.scorer.device)}

    def score(self, docs: list, encoded: bool = False) -> list[Document] | list[EncodedDocument]:
        """Finish a batch (Documents, or stand-ins of those in the object store); ``encoded``: return the records
        encoded, for the driver to write."""
        if self.auditor is None:  # restarted after a crash, and the model would not load this time
            import ray

            raise UsageError(f"on Ray node {ray.util.get_node_ip_address()}: {self.error}")
        _crash_if(self.crash_on, [d.path for d in docs])
        docs = self.auditor.finish(_fetched(docs))
        return [encode_document(d) for d in docs] if encoded else docs

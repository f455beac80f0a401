"""Loading a converted model fast: its files are read and hash-checked once, in a thread, while torch imports.

A converted model directory (``mtaudit.fluency.store``) is loaded from the bytes that were checked against its
manifest, never from a second read of the files:

* a background thread reads every file once, hashing as it reads (``store.read_model_dir``; hashlib releases the
  GIL), then builds the tokenizer from the checked bytes, while the main thread imports torch (Gemma 3,
  the default model, runs on mtaudit's own decoder, ``mtaudit.fluency.gemma``; other models also import
  transformers' model code here). Only the hashing overlaps the import: the Rust tokenizer parser holds the GIL, as
  an import does, so those two take turns. That is why a tokenizer of SentencePiece's shape (Gemma's) is built
  from the converter's SentencePiece copy, ``tokenizer.model`` (``mtaudit.fluency.sentencepiece_model``: 0.1 s
  against 1 s for the same tokenizer from ``tokenizer.json``); another (SmolLM2's) from ``tokenizer.json``, which
  the converter writes in the form that parser reads fastest (``convert.quick_tokenizer``);
* the weights become tensors over the checked buffer without a copy (the safetensors layout is an 8-byte header
  length, a JSON header and the raw little-endian tensors); a weight tied to another one and stored once is given
  under both names, so transformers initialises no weight it would overwrite (a 262,144 x 640 random init);
* the tokenizer is the SentencePiece or ``tokenizers`` object itself, behind the small part of the transformers
  call interface the scorer uses (``mtaudit.fluency.tokenizer``).
"""
from __future__ import annotations

import json
import struct
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mtaudit.core.errors import ModelError
from mtaudit.fluency.sentencepiece_model import SentencePieceTokenizer
from mtaudit.fluency.store import checked_manifest, read_model_dir
from mtaudit.fluency.tokenizer import Tokenizer, build_tokenizer, tokenizer_of

WEIGHTS = "model.safetensors"
# The files a fast load reads from a converted directory (every file of the manifest is still checked); the
# tokenizer comes from the first of tokenizer.TOKENIZERS the manifest lists.
NEEDED = (WEIGHTS, "config.json", "tokenizer_config.json")
_DTYPES = {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}


@dataclass
class CheckedModel:
    """A converted model's checked bytes: manifest, weights buffer, config and the tokenizer built from them."""

    path: Path
    manifest: dict
    weights: bytearray
    config: dict
    tokenizer: Tokenizer | SentencePieceTokenizer


def read_model(path: Path, name: str | None = None) -> CheckedModel:
    """Read and check a converted model directory in this thread (what ``read_in_background`` runs in a thread of its
    own); raises ModelError for a missing or tampered file."""
    tokenizer_file = tokenizer_of(checked_manifest(path, name))
    manifest, files = read_model_dir(path, name, keep=NEEDED + (tokenizer_file,))
    # The bytes matched the manifest, so a failure here is a converter's bug, not damage: let it raise as it is.
    config = json.loads(bytes(files["config.json"]))
    special = json.loads(bytes(files["tokenizer_config.json"]))
    tokenizer = build_tokenizer(tokenizer_file, files[tokenizer_file], special)
    return CheckedModel(path, manifest, files[WEIGHTS], config, tokenizer)


def read_in_background(path: Path, name: str | None = None) -> Future:
    """Start reading and checking a converted model directory in a thread; the Future gives a CheckedModel or
    raises ModelError (missing or tampered file)."""
    return in_background("mtaudit-model-read", read_model, path, name)


def in_background(name: str, fn, *args) -> Future:
    """``fn(*args)`` in a thread of its own named ``name``; the Future gives its result or raises what it raised."""
    pool = ThreadPoolExecutor(1, thread_name_prefix=name)
    future = pool.submit(fn, *args)
    pool.shutdown(wait=False)
    return future


def tensors(buffer: bytearray, source: str = WEIGHTS) -> dict:
    """The tensors of a safetensors file held in ``buffer``, as views of it (no copy)."""
    import torch

    try:
        (length,) = struct.unpack("<Q", bytes(buffer[:8]))
        header = json.loads(bytes(buffer[8 : 8 + length]))
    except (struct.error, ValueError) as exc:
        raise ModelError(f"{source}: not a safetensors file ({exc})") from exc
    header.pop("__metadata__", None)
    base = 8 + length
    out = {}
    for key, entry in header.items():
        start, end = entry["data_offsets"]
        dtype = _DTYPES.get(entry["dtype"])
        if dtype is None or base + end > len(buffer):
            raise ModelError(f"{source}: tensor {key} has dtype {entry['dtype']} or lies outside the file")
        flat = (torch.frombuffer(buffer, dtype=torch.uint8, count=end - start, offset=base + start)
                if end > start else torch.empty(0, dtype=torch.uint8))  # frombuffer refuses an empty count
        out[key] = flat.view(getattr(torch, dtype)).reshape(entry["shape"])
    return out


def causal_lm(checked: CheckedModel, dtype):
    """The transformers causal LM of a checked directory, weights in ``dtype`` (cast only when stored otherwise)."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a "Loading weights" bar on every audit is noise in logs and pipelines

    settings = dict(checked.config)
    config = CONFIG_MAPPING[settings.pop("model_type")].from_dict(settings)
    cls = MODEL_FOR_CAUSAL_LM_MAPPING[type(config)]
    state = {k: (v if v.dtype == dtype else v.to(dtype)) for k, v in tensors(checked.weights).items()}
    # A tied pair is stored once (the converter keeps the first name in sorted order); name both.
    if getattr(config, "tie_word_embeddings", False):
        tied = getattr(cls, "_tied_weights_keys", None) or {}
        if not isinstance(tied, dict):  # transformers 4.x lists the names tied to the input embeddings
            tied = {key: f"{cls.base_model_prefix}.embed_tokens.weight" for key in tied}
        for target, source in tied.items():
            if target in state and source not in state:
                state[source] = state[target]
            elif source in state and target not in state:
                state[target] = state[source]
    model, info = cls.from_pretrained(None, config=config, state_dict=state, dtype=dtype, output_loading_info=True)
    # transformers fills a missing weight with random values and only warns: a model loaded so would score noise.
    if info.get("missing_keys") or info.get("mismatched_keys"):
        wrong = sorted(info.get("missing_keys") or []) + [str(k[0]) for k in info.get("mismatched_keys") or []]
        raise ModelError(f"{checked.path / WEIGHTS} lacks or misshapes {', '.join(wrong[:3])}; "
                         f"run `mtaudit models pull` again")
    return model

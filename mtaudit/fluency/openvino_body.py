"""The scorer's body (the decoder stack, without the vocabulary projection) run by OpenVINO on the CPU.

Eager PyTorch spends most of a bf16 forward of a small model outside the matrix products (dtype copies, RMSNorm's
element-wise work, concatenations: BENCHMARKS.md § Levers measured); OpenVINO fuses them. The body is exported once
per model to OpenVINO's IR and cached beside the converted weights; the vocabulary projection and the log-probs stay
in torch (``LMScorer._forward``), so only the hidden states change hands.

The exported graph maps token ids ``[rows, tokens]`` (right-padded, positions 0.., no KV cache) to the last hidden
state and the states after the decoder layers an estimator reads. Attention is plain causal: it equals the model's
sliding-window attention only while a row fits in the window, so longer rows are refused (the scorer's windows keep
rows within 512 tokens). The export goes through a float32 copy of the body (OpenVINO's PyTorch front end mis-reads
bf16 weights: hidden states came out wrong from the first layer on) and the IR keeps float32 weights; inference runs
in bf16 where the CPU has bf16 units (``INFERENCE_PRECISION_HINT``), as the eager scorer does.

Cache layout: ``<folder>/<key>/{body.xml, body.bin, manifest.json}``, ``key`` a digest of the model's weights
checksum, the OpenVINO version, the layers exported and this module's ``FORMAT``: a re-pulled model (another
checksum) or another OpenVINO gets a fresh export, and the exports of other weights or versions are removed once it
is written. The export is
written to a temporary folder and renamed into place, so a reader never sees half of it. The manifest records the
SHA-256 of both files; every load hashes the bytes it builds the model from, as the converted weights are checked.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from mtaudit.fluency import ModelError

FORMAT = 1
FILES = ("body.xml", "body.bin")
INSTALL = "pip install 'mtaudit[openvino]'"


def _openvino():
    try:
        import openvino
    except ImportError:
        raise ModelError(f"--runtime openvino needs the OpenVINO package, which is not installed: run `{INSTALL}` "
                         f"(or use the default --runtime torch)") from None
    return openvino


class _Graph(torch.nn.Module):
    """What is exported: ids -> (last hidden state, the states after ``layers``), causal attention, no cache."""

    def __init__(self, body, layers: Sequence[int]) -> None:
        super().__init__()
        self.body = body
        self.layers = tuple(layers)

    def forward(self, input_ids):
        body = self.body
        hidden = body.embed_tokens(input_ids)
        positions = torch.arange(hidden.shape[1]).unsqueeze(0)
        kinds = body.config.layer_types
        rotary = {kind: body.rotary_emb(hidden, positions, kind) for kind in set(kinds)}
        kept = []
        for i, layer in enumerate(body.layers):
            # attention_mask=None: SDPA's causal kernel (rows are right-padded, so no real token sees a pad)
            hidden = layer(hidden, attention_mask=None, position_embeddings=rotary[kinds[i]], position_ids=positions,
                           cache=None)
            hidden = hidden[0] if isinstance(hidden, tuple) else hidden
            if i + 1 in self.layers:
                kept.append(hidden)
        return (body.norm(hidden), *kept)


def cache_key(checksum: str, layers: Sequence[int], version: str) -> str:
    text = json.dumps({"weights": checksum, "layers": sorted(layers), "openvino": version, "format": FORMAT})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def export(body, folder: Path, checksum: str, layers: Sequence[int]) -> Path:
    """Export ``body`` (the scorer's ``Gemma3TextModel``-like decoder) for ``layers`` into ``folder``, unless an
    export of these weights, layers and OpenVINO version is already there; returns its directory."""
    ov = _openvino()
    target = folder / cache_key(checksum, layers, ov.__version__)
    if (target / "manifest.json").is_file():
        return target
    import copy

    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=folder))
    try:
        graph = _Graph(copy.deepcopy(body).float(), layers).eval()
        example = torch.randint(1, min(1000, body.config.vocab_size), (2, 16))
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's warnings about shapes read as Python values
            model = ov.convert_model(graph, example_input=(example,))
        ov.save_model(model, work / "body.xml", compress_to_fp16=False)
        from mtaudit.fluency.registry import sha256_file

        manifest = {"format": FORMAT, "weights": checksum, "layers": sorted(layers), "openvino": ov.__version__,
                    "files": {name: sha256_file(work / name) for name in FILES}}
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        try:
            os.replace(work, target)
        except OSError:  # another process wrote the same export first (a non-empty target cannot be replaced)
            if not (target / "manifest.json").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # exports of other weights (the model was pulled again) or of another OpenVINO or format are stale; another
    # layer set of these weights is kept (a scorer with and one without a trained estimator each have theirs)
    current = {"weights": checksum, "openvino": ov.__version__, "format": FORMAT}
    for old in folder.iterdir():
        if old.is_dir() and not old.name.startswith(".") and _describes(old) != current:
            shutil.rmtree(old, ignore_errors=True)
    return target


def _describes(directory: Path) -> dict | None:
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        return {key: manifest.get(key) for key in ("weights", "openvino", "format")}
    except (OSError, ValueError, AttributeError):
        return None


def load(directory: Path, threads: int, bf16: bool):
    """Compile a checked export for the CPU: the model is built from the bytes whose SHA-256 matched. Raises
    ModelError when the export is incomplete or does not match its manifest."""
    ov = _openvino()
    from mtaudit.fluency.registry import read_checked

    try:
        files = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{directory / 'manifest.json'} is unreadable ({exc})") from exc
    xml, weights = (read_checked(directory / name, files.get(name, ""), "mtaudit models pull") for name in FILES)
    core = ov.Core()
    model = core.read_model(bytes(xml).decode("utf-8"), ov.Tensor(np.frombuffer(weights, dtype=np.uint8)))
    config = {"INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
              "INFERENCE_PRECISION_HINT": "bf16" if bf16 else "f32"}
    return core.compile_model(model, "CPU", config)


class OpenVINOBody:
    """Runs the exported body: ``(ids [rows, tokens]) -> (last hidden state, {layer: states})`` as torch tensors.

    Exported (or found in the cache) and compiled on first use, for the layers asked then; a later call asking for a
    layer the export lacks exports again with both sets.
    """

    def __init__(self, body, folder: Path, checksum: str, threads: int, dtype: torch.dtype) -> None:
        _openvino()  # fail at start-up, not at the first batch
        self.body = body
        self.folder = folder
        self.checksum = checksum
        self.threads = threads
        self.dtype = dtype
        self.window = getattr(body.config, "sliding_window", None)
        self.layers: tuple[int, ...] | None = None
        self.request = None

    def prepare(self, layers: Sequence[int]) -> None:
        """Export (when not cached) and compile the body for ``layers``."""
        wanted = tuple(sorted(set(layers) | set(self.layers or ())))
        if self.request is not None and wanted == self.layers:
            return
        directory = export(self.body, self.folder, self.checksum, wanted)
        bf16 = self.dtype == torch.bfloat16
        try:
            compiled = load(directory, self.threads, bf16)
        except ModelError:
            # The export is derived from weights checked at this load: a damaged one is rebuilt, not trusted.
            shutil.rmtree(directory, ignore_errors=True)
            compiled = load(export(self.body, self.folder, self.checksum, wanted), self.threads, bf16)
        self.request = compiled.create_infer_request()
        self.layers = wanted

    def __call__(self, ids: torch.Tensor, layers: Sequence[int] = ()) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
        if self.window and ids.shape[1] > self.window:
            raise ValueError(f"the OpenVINO body runs rows of at most {self.window} tokens (the model's attention "
                             f"window), not {ids.shape[1]}")
        if self.request is None or not set(layers) <= set(self.layers):
            self.prepare(layers)
        values = [torch.from_numpy(v) for v in self.request.infer({0: ids.numpy()}).to_tuple()]
        return values[0].to(self.dtype), dict(zip(self.layers, values[1:]))

"""The scorer's forward run by OpenVINO on the CPU: decoder stack, vocabulary projection and log-probs in one graph.

Eager PyTorch spends most of a bf16 forward of a small model outside the matrix products (dtype copies, RMSNorm's
element-wise work, concatenations, the float32 copy of the logits: BENCHMARKS.md § Levers measured); OpenVINO fuses
them. The model is exported once to OpenVINO's IR and cached beside the converted weights. With the body alone in
OpenVINO and the head left in torch, the forward gained 1.14x (the head was half of it); with both, 1.5x.

The exported graph takes token ids ``[rows, tokens]`` (right-padded, positions 0.., no KV cache) and the scored
positions (``rows``, ``cols``: where each target is predicted; ``targets``: its token id), and gives each target's
log-probability, the best token's log-probability at the same position, and the states after the decoder layers an
estimator reads, at the targets' own positions. Attention is plain causal: it equals the model's
sliding-window attention only while a row fits in the window, so longer rows are refused (the scorer's windows keep
rows within 512 tokens). The export goes through a float32 copy of the model (traced from the bf16 model, OpenVINO
2026.4's PyTorch front end gave wrong hidden states from the first layer on); the IR then stores every weight that is
exactly a bfloat16 value (all of a converted model's) as bfloat16 followed by a conversion to float32
(``_bf16_weights``): the same values in half the bytes to read and hash (0.5 instead of 1.07 GB for Gemma; outputs
bit-identical). Inference runs in bf16 where the CPU has bf16 units (``INFERENCE_PRECISION_HINT``), as the eager
scorer does.

Cache layout: ``<folder>/<key>/{model.xml, model.bin, manifest.json}``, ``key`` a digest of the model's weights
checksum, the OpenVINO version, the layers exported, the dtype the decoder was built in and this module's
``FORMAT``: a re-pulled model (another checksum) or another OpenVINO gets a fresh export, and the exports of other
weights or versions are removed once it is written. The export is written to a temporary folder and renamed into
place, so a reader never sees half of it. The manifest records the SHA-256 of both files; every load hashes the bytes
it builds the model from, as the converted weights are checked, and a damaged export is exported again from the
checked weights.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from concurrent.futures import Future
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from mtaudit.core.errors import ModelError
from mtaudit.fluency.heads import FullHead, PrunedHead
from mtaudit.fluency.loading import in_background
from mtaudit.fluency.store import EXPORTS, cache_dir, read_checked, sha256_file

# 1: the body alone; 2: body, head and log-probs (transformers' modules); 3: the same from mtaudit's decoder; 4: its
# weights stored as bfloat16
FORMAT = 4
FILES = ("model.xml", "model.bin")
INSTALL = "pip install 'mtaudit[openvino]'"


def _openvino():
    try:
        import openvino
    except ImportError:
        raise ModelError(f"--runtime openvino needs the OpenVINO package, which is not installed: run `{INSTALL}` "
                         f"(or use the default --runtime torch)") from None
    return openvino


class _Graph(torch.nn.Module):
    """What is exported (see the module docstring): mtaudit's own Gemma 3 decoder (``mtaudit.fluency.gemma``) with
    causal attention and no cache, the scorer's head (the tied vocabulary projection over every id or over the kept
    ids of a ``PrunedHead``) at the scored positions, and the log-probs."""

    def __init__(self, decoder, layers: Sequence[int], kept: torch.Tensor | None = None) -> None:
        super().__init__()
        self.decoder = decoder
        self.layers = tuple(layers)
        self.head = FullHead(decoder) if kept is None else PrunedHead(decoder, kept)

    def forward(self, input_ids, rows, cols, targets):
        # no prefix: SDPA's causal kernel (rows are right-padded, so no real token sees a pad)
        hidden, kept = self.decoder(input_ids, keep=self.layers)
        scored, best = self.head(hidden[rows, cols], targets)
        # a target's own position is one after the position that predicts it
        return (scored, best, *(kept[layer][rows, cols + 1] for layer in self.layers))


def export_folder(model_dir: Path) -> Path:
    """Where a model's export is cached: beside its converted weights when they lie in mtaudit's cache, else in the
    cache itself (a user's own model folder is not written to)."""
    cache = cache_dir().resolve()
    model_dir = model_dir.resolve()
    return model_dir / EXPORTS if model_dir.is_relative_to(cache) else cache / EXPORTS


def head_digest(kept: torch.Tensor | None) -> str:
    """Which head an export computes: ``full``, or a digest of a pruned head's kept ids."""
    if kept is None:
        return "full"
    return hashlib.sha256(np.asarray(kept, dtype=np.int64).tobytes()).hexdigest()[:16]


def cache_key(checksum: str, layers: Sequence[int], version: str, dtype: torch.dtype,
              kept: torch.Tensor | None = None) -> str:
    text = json.dumps({"weights": checksum, "layers": sorted(layers), "openvino": version, "format": FORMAT,
                       "built": str(dtype), "head": head_digest(kept)})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def export(decoder, folder: Path, checksum: str, layers: Sequence[int], dtype: torch.dtype,
           kept: torch.Tensor | None = None) -> Path:
    """Export ``decoder`` (mtaudit's Gemma 3, ``gemma.Gemma3Text``, built in ``dtype``) keeping ``layers`` into
    ``folder``, unless an export of these weights, layers, dtype and OpenVINO version is already there; returns its
    directory; ``kept``: a pruned head's ids (None: the full head), part of the key. The dtype the decoder was built
    in is part of the key too: it rounds a constant of the graph (the embeddings' sqrt(hidden) scale, 25.25 in bf16
    against 25.298), so a float32 and a bf16 scorer each get their own export, as eager float32 and bf16 each compute
    their own."""
    ov = _openvino()
    target = folder / cache_key(checksum, layers, ov.__version__, dtype, kept)
    if (target / "manifest.json").is_file():
        return target
    import copy

    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=folder))
    try:
        graph = _Graph(copy.deepcopy(decoder).float(), layers, kept).eval()
        ids = torch.randint(1, min(1000, decoder.vocab_size), (2, 16))
        example = (ids, torch.tensor([0, 0, 1]), torch.tensor([3, 4, 5]), torch.tensor([5, 6, 7]))
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's warnings about shapes read as Python values
            exported = ov.convert_model(graph, example_input=example)
        del graph
        _bf16_weights(exported)
        ov.save_model(exported, work / "model.xml", compress_to_fp16=False)
        manifest = {"format": FORMAT, "weights": checksum, "layers": sorted(layers), "openvino": ov.__version__,
                    "built": str(dtype), "head": head_digest(kept),
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
    # layer set, dtype or head of these weights is kept (a scorer with and one without a trained estimator, a float32
    # and a bf16 scorer, a pruned and a full head, each have theirs)
    current = {"weights": checksum, "openvino": ov.__version__, "format": FORMAT}
    for old in folder.iterdir():
        if old.is_dir() and not old.name.startswith(".") and _describes(old) != current:
            shutil.rmtree(old, ignore_errors=True)
    return target


def _bf16_weights(model, smallest: int = 4096) -> None:
    """Store each float32 constant of ``model`` (an ``ov.Model``) of at least ``smallest`` values that are all exact
    bfloat16 values as bfloat16, converted back to float32 in the graph: lossless (a bfloat16 is the top half of a
    float32), half the bytes. A constant with any other value (a model not converted from bf16) stays float32."""
    ov = _openvino()
    from openvino import opset13 as ops

    for node in model.get_ops():
        if node.get_type_name() != "Constant" or node.get_element_type() != ov.Type.f32:
            continue
        shape = list(node.get_output_shape(0))
        bits = node.get_data().view(np.uint32)
        if bits.size < smallest or np.any(bits & 0xFFFF):
            continue
        stored = ov.Tensor(ov.Type.bf16, shape)
        np.copyto(stored.data.view(np.uint16), (bits >> 16).astype(np.uint16).reshape(shape))
        widened = ops.convert(ops.constant(stored), ov.Type.f32)
        for target in list(node.output(0).get_target_inputs()):
            target.replace_source_output(widened.output(0))
    model.validate_nodes_and_infer_types()


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


class OpenVINOModel:
    """Runs the exported forward: ``(ids, rows, cols, targets, layers, kept)`` -> ``(log-probs, best, states)`` as
    numpy arrays (``best`` and ``states`` None without ``layers``; ``states`` is ``[targets, len(layers), hidden]``).

    Exported (or found in the cache) and compiled on first use, keeping the layers ``kept`` (a superset of ``layers``:
    the scorer asks for its estimators' layers in both passes, so one export serves both); a later call needing a
    layer the export lacks exports again with both sets. ``start(layers)`` does that in a thread instead, so that
    checking and compiling the export (about 3 s for Gemma) overlap what the caller does before its first batch
    (waiting for its first documents); the first call waits for it.
    """

    def __init__(self, decoder, folder: Path, checksum: str, threads: int, dtype: torch.dtype, head=None) -> None:
        _openvino()  # fail at start-up, not at the first batch
        from mtaudit.fluency.gemma import Gemma3Text

        if not isinstance(decoder, Gemma3Text):  # the graph (_Graph) is mtaudit's own Gemma 3 decoder
            kind = getattr(getattr(decoder, "model", None), "config", None)
            kind = getattr(kind, "model_type", type(decoder).__name__)
            raise ValueError(f"runtime 'openvino' exports Gemma 3 models that run on mtaudit's own decoder (the "
                             f"default model, or a folder converted by `mtaudit models pull`), not this {kind} model "
                             f"loaded through transformers; use the default --runtime torch for this one")
        self.decoder = decoder
        self.folder = folder
        self.checksum = checksum
        self.threads = threads
        self.dtype = dtype
        self.kept = getattr(head, "kept", None)  # the scorer's pruned head's ids, or None: the full head
        self.window = decoder.sliding_window
        self.layers: tuple[int, ...] | None = None
        self.request = None
        self._starting: Future | None = None

    def start(self, layers: Sequence[int]) -> None:
        """Export (when not cached) and compile the model keeping ``layers`` in a thread; the first call waits."""
        self._starting = in_background("mtaudit-openvino-compile", self.prepare, layers)

    def wait(self) -> None:
        """Block until the compile ``start`` began has finished; raises what it raised."""
        if self._starting is not None:
            starting, self._starting = self._starting, None
            starting.result()

    def prepare(self, layers: Sequence[int]) -> None:
        """Export (when not cached) and compile the model keeping ``layers``."""
        wanted = tuple(sorted(set(layers) | set(self.layers or ())))
        if self.request is not None and wanted == self.layers:
            return
        bf16 = self.dtype == torch.bfloat16
        directory = export(self.decoder, self.folder, self.checksum, wanted, self.dtype, self.kept)
        try:
            compiled = load(directory, self.threads, bf16)
        except ModelError:
            # The export is derived from weights checked at this load: a damaged one is rebuilt, not trusted.
            shutil.rmtree(directory, ignore_errors=True)
            directory = export(self.decoder, self.folder, self.checksum, wanted, self.dtype, self.kept)
            compiled = load(directory, self.threads, bf16)
        self.request = compiled.create_infer_request()
        self.layers = wanted

    def __call__(self, ids: np.ndarray, rows: Sequence[int], cols: Sequence[int], targets: Sequence[int],
                 layers: Sequence[int] = (), kept: Sequence[int] = ()):
        if self.window and ids.shape[1] > self.window:
            raise ValueError(f"the OpenVINO model runs rows of at most {self.window} tokens (the model's attention "
                             f"window), not {ids.shape[1]}")
        self.wait()
        if self.request is None or not set(layers) | set(kept) <= set(self.layers):
            self.prepare([*layers, *kept])
        inputs = [ids.astype(np.int64, copy=False)] + [np.asarray(v, dtype=np.int64) for v in (rows, cols, targets)]
        scored, best, *states = self.request.infer(dict(enumerate(inputs))).to_tuple()
        if not layers:
            return scored, None, None
        return scored, best, np.stack([states[self.layers.index(layer)] for layer in layers], axis=1)

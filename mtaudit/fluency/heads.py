"""The scorer's head: log-probabilities of scored tokens from the decoder's final hidden states.

* ``FullHead``: the model's own projection onto every id of its vocabulary;
* ``PrunedHead``: a projection onto the ids the supported languages' text can use, renormalised over them: for
  Gemma 3, a third of the FLOPs and of the memory of the full head (issue 28; BENCHMARKS.md § A pruned head).

A registered model's kept ids ship in the package (``mtaudit/models/head-<model>.npz``, built by
``tools/build_head.py``, SHA-256 pinned in ``models.json`` under the model's ``head``; the card is ``HEAD.md``) and are
checked on every load, like the weights.
"""
from __future__ import annotations

import hashlib
import io
import json

import numpy as np
import torch

from mtaudit.fluency.decoders import token_logprobs


class FullHead:
    """The model's own head: log-probs over the whole vocabulary (``decoder.project``, then ``token_logprobs``)."""

    kept = None  # every id

    def __init__(self, decoder) -> None:
        self.decoder = decoder

    def __call__(self, hidden: torch.Tensor, targets: torch.Tensor,
                 best: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
        return token_logprobs(self.decoder.project(hidden).float(), targets, self.decoder.softcap, best=best)


class PrunedHead(torch.nn.Module):
    """A head over the ids a language pair's text can use (``kept``, sorted), renormalised over them.

    The log-sum-exp runs over the kept ids only: for Gemma 3, 90,693 of 262,144 ids cost a third of the full
    projection and of its memory-bound float32 pass (``tools/build_head.py`` builds the set, the card is
    ``mtaudit/models/HEAD.md``). A target the set holds gets the very logit the full head computes for it; a target
    outside it (a rare token: 0.2-0.5 % of news positions) gets its own logit, one dot product, and joins the
    normaliser. The best token is the best kept one. Against the full head on held-out news the log-probs moved by
    0.003 nats on average, a tenth of what bf16 rounding moves them. A module (its tensors are buffers) so that the
    OpenVINO export traces it as constants.
    """

    def __init__(self, decoder, kept: torch.Tensor) -> None:
        super().__init__()
        weight = decoder.embedding if hasattr(decoder, "embedding") else decoder.head.weight
        if len(kept) and int(kept.max()) >= weight.shape[0]:
            raise ValueError(f"the pruned head's ids reach {int(kept.max())}; the model has {weight.shape[0]} ids")
        self.softcap = decoder.softcap
        self.kept = kept
        self.weight = weight  # the whole matrix, for a target outside the kept ids (shared, not copied)
        self.register_buffer("kept_weight", weight[kept].contiguous(), persistent=False)
        index = torch.full((weight.shape[0],), -1, dtype=torch.long)
        index[kept] = torch.arange(len(kept))
        self.register_buffer("index", index, persistent=False)  # a target's column among the kept logits, or -1

    def forward(self, hidden: torch.Tensor, targets: torch.Tensor,
                best: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
        hidden = hidden.to(self.kept_weight.dtype)
        logits = torch.nn.functional.linear(hidden, self.kept_weight).float()
        column = self.index[targets]
        inside = column >= 0
        # the logit of a target outside the set, rounded to the weights' dtype as the projection's logits are
        own = (hidden * self.weight[targets]).sum(-1).to(self.kept_weight.dtype).float()
        if self.softcap:
            logits = torch.tanh(logits / self.softcap) * self.softcap
            own = torch.tanh(own / self.softcap) * self.softcap
        kept_norm = torch.logsumexp(logits, dim=-1)
        own = torch.where(inside, logits.gather(-1, column.clamp(min=0)[:, None]).squeeze(-1), own)
        norm = torch.where(inside, kept_norm, torch.logaddexp(kept_norm, own))
        return own - norm, (logits.max(dim=-1).values - norm) if best else None


def pinned_head(model: str) -> tuple[np.ndarray, int] | None:
    """The kept ids ``models.json`` pins for a registered model (sorted int64) and the vocabulary size they were
    built for, verified against their SHA-256; None where the model has no pruned head."""
    from mtaudit.core.errors import ModelError
    from mtaudit.core.resources import models_dir

    pins = json.loads((models_dir() / "models.json").read_text(encoding="utf-8"))
    spec = pins["models"].get(model, {}).get("head")
    if not spec:
        return None
    path = models_dir() / spec["file"]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{path}: the pruned head's ids are unreadable ({exc}); reinstall mtaudit") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != spec["sha256"]:
        raise ModelError(f"{path}: SHA-256 {actual} does not match the pinned {spec['sha256']} (models.json); "
                         f"reinstall mtaudit")
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:  # parsed from the bytes that were checked
        kept = np.asarray(arrays["kept"], dtype=np.int64)
        vocab = int(arrays["vocab_size"])
    if kept.ndim != 1 or not len(kept) or np.any(np.diff(kept) <= 0) or kept[0] < 0 or kept[-1] >= vocab:
        raise ModelError(f"{path}: not a sorted list of ids below {vocab}")
    return kept, vocab

"""The decoder a scorer runs: mtaudit's own Gemma 3 (``gemma.Gemma3Text``) or any transformers causal LM.

Both answer the same small interface, so the scorer does not know which one it holds:

* ``decoder(ids, prefix=None, keep=())`` -> ``(final hidden states [rows, width, hidden], {layer: its output})`` for
  right-padded rows of token ids that continue ``prefix`` (positions follow on from it; ``keep`` names 1-based
  layers whose outputs the caller wants, e.g. for the trained estimator);
* ``decoder.prefill(ids)`` -> the prefix state (keys and values) of a shared prompt, reused by every batch;
* ``decoder.project(hidden)`` -> vocabulary logits (the scorer's head, ``heads.FullHead`` or ``heads.PrunedHead``,
  turns them into log-probs); ``hidden_size``, ``vocab_size``, ``body_parameters`` (the
  weights outside the embedding and the vocabulary projection: what a token fed costs), ``softcap`` (final logit
  soft-capping or None).

Gemma 3, the default model, runs natively: importing transformers' model code is 3.5-4 s of CPU on every load, more
than everything else a load does. Other architectures (SmolLM2) go through transformers.
"""
from __future__ import annotations

import copy
import inspect
from typing import Sequence

import torch

NATIVE = ("gemma3_text",)  # model_type values mtaudit runs without transformers


def token_logprobs(logits: torch.Tensor, targets: torch.Tensor, softcap: float | None = None,
                   best: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
    """From logits ``[positions, vocabulary]``: the log-probability of each position's target token and, with
    ``best``, of the most likely token there (else None). ``softcap`` is the model's final logit soft-capping.
    The eager scorer and the exported OpenVINO graph both compute them here, so they compute the same thing."""
    if softcap:
        logits = torch.tanh(logits / softcap) * softcap
    # log p = logit - logsumexp: reduces over the vocabulary without writing a full log-softmax tensor.
    norm = torch.logsumexp(logits, dim=-1)
    scored = logits.gather(-1, targets[:, None]).squeeze(-1) - norm
    return scored, (logits.max(dim=-1).values - norm) if best else None


def build(checked, dtype: torch.dtype):
    """The decoder of a checked converted directory (``loading.CheckedModel``): native for Gemma 3, else
    transformers' causal LM."""
    from mtaudit.core.errors import ModelError
    from mtaudit.fluency.loading import WEIGHTS, causal_lm, tensors

    if checked.config.get("model_type") in NATIVE:
        from mtaudit.fluency.gemma import Gemma3Text

        try:
            return Gemma3Text(checked.config, tensors(checked.weights), dtype).eval()
        except (KeyError, ValueError) as exc:
            # the bytes matched the manifest, so this is a converter or config mismatch, not damage in transit
            raise ModelError(f"{checked.path / WEIGHTS} cannot be run as {checked.config.get('model_type')}: "
                             f"{exc}; run `mtaudit models pull` again") from exc
    return TransformersDecoder(causal_lm(checked, dtype))


class TransformersDecoder:
    """A transformers causal LM behind the decoder interface (see the module docstring)."""

    def __init__(self, model) -> None:
        self.model = model.eval()
        self.body = getattr(model, model.base_model_prefix)
        self.head = model.get_output_embeddings()
        self.hidden_size = model.config.hidden_size
        self.vocab_size = model.config.vocab_size
        self.body_parameters = sum(p.numel() for n, p in model.named_parameters()
                                   if "embed" not in n and "lm_head" not in n)
        self.softcap = getattr(model.config, "final_logit_softcapping", None)
        # transformers 5.x renames `past_key_values` to `cache`; older versions know only the former.
        params = inspect.signature(self.body.forward).parameters
        self._cache_arg = "cache" if "cache" in params else "past_key_values"

    def to(self, device) -> "TransformersDecoder":
        self.model.to(device)
        return self

    @torch.inference_mode()
    def prefill(self, ids: Sequence[int]):
        from transformers import DynamicCache

        cache = DynamicCache(config=self.model.config)
        device = self.head.weight.device
        self.body(input_ids=torch.tensor([list(ids)], device=device), use_cache=True, **{self._cache_arg: cache})
        return cache

    def __call__(self, ids: torch.Tensor, prefix=None, keep: Sequence[int] = ()):
        n, width = ids.shape
        plen = prefix.get_seq_length() if prefix is not None else 0
        if prefix is not None:
            cache = copy.deepcopy(prefix)
            cache.batch_repeat_interleave(n)
            # After a cached prefix the queries are offset from the keys and the model needs an explicit mask to know
            # it; all ones is enough: rows are padded on the right, so no real token ever sees a pad.
            mask = torch.ones((n, plen + width), dtype=torch.long, device=ids.device)
            kwargs = {self._cache_arg: cache, "use_cache": True, "attention_mask": mask}
        else:
            kwargs = {"use_cache": False}
        positions = torch.arange(plen, plen + width, device=ids.device).unsqueeze(0).expand(n, -1)
        kept: dict[int, torch.Tensor] = {}

        def keeper(layer):
            def hook(module, args, output):
                kept[layer] = output[0] if isinstance(output, tuple) else output
            return hook

        hooks = [self.body.layers[layer - 1].register_forward_hook(keeper(layer)) for layer in keep]
        try:
            hidden = self.body(input_ids=ids, position_ids=positions, **kwargs).last_hidden_state
        finally:
            for hook in hooks:
                hook.remove()
        return hidden, kept

    def project(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.head(hidden)

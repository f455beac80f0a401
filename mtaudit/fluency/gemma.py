"""Gemma 3's text decoder in plain torch: what the scorer needs of the default model, without transformers.

Importing transformers' model code costs about 3.5-4 s of CPU on every start (it pulls in ``torch.distributed``,
``torch._dynamo``, sympy and scipy whatever model is loaded); that was most of a model load. The scorer needs only a
decoder's hidden states, optionally after a shared prompt prefix, so for Gemma 3 (the default model) it runs this
module instead, which is the same arithmetic in the same order as transformers' ``Gemma3TextModel`` with SDPA
attention (checked token by token in ``tests/unit/fluency/test_gemma_native.py``):

* token embeddings scaled by sqrt(hidden) rounded to the weights' dtype;
* per layer: RMSNorm (in float32, scaled by ``1 + weight``) -> attention with RMS-normalised queries and keys,
  rotary positions (a local base for sliding-window layers, a global one for full-attention layers), grouped
  key/value heads and ``query_pre_attn_scalar ** -0.5`` scaling -> RMSNorm -> residual; RMSNorm -> gated tanh-GELU
  MLP -> RMSNorm -> residual;
* a final RMSNorm; the vocabulary projection is the tied embedding matrix (``project``).

Other architectures (the small English model, SmolLM2) keep the transformers path (``mtaudit.fluency.decoders``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

EMBEDDING = ("model.embed_tokens.weight", "lm_head.weight")  # tied: the converter stores one of the two names


class RMSNorm(nn.Module):
    """Gemma's RMSNorm: normalised in float32, scaled by (1 + weight), cast back to the input's dtype."""

    def __init__(self, weight: torch.Tensor, eps: float) -> None:
        super().__init__()
        self.register_buffer("scale", 1.0 + weight.float(), persistent=False)
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x.float()
        y = y * torch.rsqrt(y.pow(2).mean(-1, keepdim=True) + self.eps)
        return (y * self.scale).type_as(x)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


@dataclass
class Prefix:
    """Keys and values of a shared prompt prefix, per layer ([1, kv heads, prefix length, head dim] each)."""

    keys: list[torch.Tensor]
    values: list[torch.Tensor]

    @property
    def length(self) -> int:
        return self.keys[0].shape[2] if self.keys else 0


class Layer(nn.Module):
    def __init__(self, w: dict[str, torch.Tensor], cfg: dict) -> None:
        super().__init__()
        eps = cfg["rms_norm_eps"]
        self.heads, self.kv_heads, self.head_dim = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
        self.scaling = cfg["query_pre_attn_scalar"] ** -0.5
        self.q, self.k, self.v, self.o = (nn.Linear(1, 1, bias=False) for _ in range(4))
        self.gate, self.up, self.down = (nn.Linear(1, 1, bias=False) for _ in range(3))
        for name, module in (("self_attn.q_proj", self.q), ("self_attn.k_proj", self.k), ("self_attn.v_proj", self.v),
                             ("self_attn.o_proj", self.o), ("mlp.gate_proj", self.gate), ("mlp.up_proj", self.up),
                             ("mlp.down_proj", self.down)):
            module.weight = nn.Parameter(w[name + ".weight"], requires_grad=False)
        self.q_norm = RMSNorm(w["self_attn.q_norm.weight"], eps)
        self.k_norm = RMSNorm(w["self_attn.k_norm.weight"], eps)
        self.input_norm = RMSNorm(w["input_layernorm.weight"], eps)
        self.post_attention_norm = RMSNorm(w["post_attention_layernorm.weight"], eps)
        self.pre_mlp_norm = RMSNorm(w["pre_feedforward_layernorm.weight"], eps)
        self.post_mlp_norm = RMSNorm(w["post_feedforward_layernorm.weight"], eps)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, past: tuple | None,
                mask: torch.Tensor | None, fill: list | None = None) -> torch.Tensor:
        """``mask``: which keys each query sees ([queries, past + queries], see ``Gemma3Text.attention_mask``), or
        None for plain causal attention without a past."""
        n, width, _ = x.shape
        h = self.input_norm(x)
        q = self.q_norm(self.q(h).view(n, width, self.heads, self.head_dim).transpose(1, 2))
        k = self.k_norm(self.k(h).view(n, width, self.kv_heads, self.head_dim).transpose(1, 2))
        v = self.v(h).view(n, width, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if fill is not None:  # filling a prefix: these are the keys and values later rows attend to
            fill.append((k, v))
        if past is not None:
            k = torch.cat([past[0].expand(n, -1, -1, -1), k], dim=2)
            v = torch.cat([past[1].expand(n, -1, -1, -1), v], dim=2)
        if mask is None:
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=self.scaling,
                                                 enable_gqa=self.heads != self.kv_heads)
        else:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=self.scaling,
                                                 enable_gqa=self.heads != self.kv_heads)
        out = self.o(out.transpose(1, 2).reshape(n, width, self.heads * self.head_dim))
        x = x + self.post_attention_norm(out)
        h = self.pre_mlp_norm(x)
        h = self.down(F.gelu(self.gate(h), approximate="tanh") * self.up(h))
        return x + self.post_mlp_norm(h)


class Gemma3Text(nn.Module):
    """The decoder, built from a converted directory's config (a dict) and its tensors (``model.*`` names)."""

    def __init__(self, cfg: dict, state: dict[str, torch.Tensor], dtype: torch.dtype) -> None:
        super().__init__()
        if cfg.get("hidden_activation", "gelu_pytorch_tanh") != "gelu_pytorch_tanh":
            raise ValueError(f"unsupported activation {cfg.get('hidden_activation')!r}")
        if cfg.get("attn_logit_softcapping") or cfg.get("use_bidirectional_attention"):
            raise ValueError("attention soft-capping and bidirectional attention are not supported")
        state = {k: (v if v.dtype == dtype else v.to(dtype)) for k, v in state.items()}
        check_shapes(cfg, state)
        embedding = next(state[k] for k in EMBEDDING if k in state)
        self.hidden_size = cfg["hidden_size"]
        self.embedding = nn.Parameter(embedding, requires_grad=False)
        # transformers keeps sqrt(hidden) as a float32 tensor and casts it to the weights' dtype before multiplying
        self.register_buffer("embed_scale", torch.tensor(self.hidden_size ** 0.5).to(dtype), persistent=False)
        types = cfg.get("layer_types") or [
            "full_attention" if (i + 1) % cfg.get("sliding_window_pattern", 6) == 0 else "sliding_attention"
            for i in range(cfg["num_hidden_layers"])]
        self.types = types
        self.sliding_window = cfg.get("sliding_window")  # None: every layer attends to the whole row
        self.layers = nn.ModuleList()
        for i, kind in enumerate(types):
            prefix = f"model.layers.{i}."
            weights = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
            self.layers.append(Layer(weights, cfg))
        self.norm = RMSNorm(state["model.norm.weight"], cfg["rms_norm_eps"])
        self.vocab_size = embedding.shape[0]
        self.body_parameters = sum(p.numel() for p in self.layers.parameters()) + self.norm.scale.numel()
        dim = cfg["head_dim"]
        self.inv_freq = {kind: 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float) / dim))
                         for kind, base in rope_bases(cfg).items()}
        self.softcap = cfg.get("final_logit_softcapping")

    def _rotary(self, positions: torch.Tensor, dtype: torch.dtype) -> dict[str, tuple]:
        out = {}
        for kind, inv_freq in self.inv_freq.items():
            freqs = positions[..., None].float() * inv_freq.to(positions.device)
            emb = torch.cat((freqs, freqs), dim=-1)
            out[kind] = (emb.cos().to(dtype)[:, None], emb.sin().to(dtype)[:, None])
        return out

    def attention_mask(self, kind: str, plen: int, width: int, device) -> torch.Tensor | None:
        """Which keys each of ``width`` queries after a ``plen``-token prefix sees, for a layer of ``kind``; None where
        plain causal attention is the same (no prefix, and the row within a sliding layer's window)."""
        total = plen + width
        sliding = kind == "sliding_attention" and self.sliding_window
        if plen == 0 and not (sliding and total > self.sliding_window):
            return None
        # query i sits at position plen + i; it sees keys at or before it (and, on a sliding-window layer, fewer than
        # `sliding_window` positions back). Rows are padded on the right, so no real token ever sees a pad.
        query_pos = torch.arange(plen, total, device=device)[:, None]
        key_pos = torch.arange(total, device=device)[None, :]
        mask = key_pos <= query_pos
        if sliding:
            mask &= key_pos > query_pos - self.sliding_window
        return mask

    def forward(self, ids: torch.Tensor, prefix: Prefix | None = None, keep: Sequence[int] = (),
                fill: list | None = None) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
        """Final hidden states [rows, width, hidden] of right-padded ``ids`` that follow ``prefix`` (positions
        continue after it), and the outputs of the 1-based layers in ``keep``."""
        plen = prefix.length if prefix is not None else 0
        x = F.embedding(ids, self.embedding) * self.embed_scale
        positions = torch.arange(plen, plen + ids.shape[1], device=ids.device)[None].expand(ids.shape[0], -1)
        rotary = self._rotary(positions, x.dtype)
        masks = {kind: self.attention_mask(kind, plen, ids.shape[1], ids.device) for kind in set(self.types)}
        kept = {}
        for i, (layer, kind) in enumerate(zip(self.layers, self.types)):
            past = (prefix.keys[i], prefix.values[i]) if prefix is not None else None
            x = layer(x, *rotary[kind], past, masks[kind], fill)
            if i + 1 in keep:
                kept[i + 1] = x
        return self.norm(x), kept

    @torch.inference_mode()
    def prefill(self, ids: Sequence[int]) -> Prefix:
        """The keys and values of a prompt prefix, for rows that continue it."""
        fill: list = []
        self.forward(torch.tensor([list(ids)], device=self.embedding.device), fill=fill)
        return Prefix([k for k, _ in fill], [v for _, v in fill])

    def project(self, hidden: torch.Tensor) -> torch.Tensor:
        """Vocabulary logits of hidden states (the tied embedding matrix)."""
        return F.linear(hidden, self.embedding)


def check_shapes(cfg: dict, state: dict[str, torch.Tensor]) -> None:
    """Refuse weights that are missing or shaped otherwise than the config says (ValueError naming the first)."""
    hidden, inner, heads = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_attention_heads"]
    kv, dim = cfg["num_key_value_heads"], cfg["head_dim"]
    expected = {"model.norm.weight": (hidden,)}
    if not any(k in state for k in EMBEDDING):
        raise ValueError(f"no {EMBEDDING[0]} (nor {EMBEDDING[1]})")
    expected[next(k for k in EMBEDDING if k in state)] = (cfg["vocab_size"], hidden)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        expected.update({
            p + "self_attn.q_proj.weight": (heads * dim, hidden), p + "self_attn.k_proj.weight": (kv * dim, hidden),
            p + "self_attn.v_proj.weight": (kv * dim, hidden), p + "self_attn.o_proj.weight": (hidden, heads * dim),
            p + "self_attn.q_norm.weight": (dim,), p + "self_attn.k_norm.weight": (dim,),
            p + "mlp.gate_proj.weight": (inner, hidden), p + "mlp.up_proj.weight": (inner, hidden),
            p + "mlp.down_proj.weight": (hidden, inner)})
        for norm in ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                     "post_feedforward_layernorm"):
            expected[p + norm + ".weight"] = (hidden,)
    for key, shape in expected.items():
        if key not in state:
            raise ValueError(f"no {key}")
        if tuple(state[key].shape) != shape:
            raise ValueError(f"{key} has shape {tuple(state[key].shape)}, the config says {shape}")


def rope_bases(cfg: dict) -> dict[str, float]:
    """The rotary base of each attention kind, from either config layout: transformers 5's ``rope_parameters``
    per layer type, or 4.x's ``rope_theta`` + ``rope_local_base_freq``. Scaled rotary variants are refused."""
    params = cfg.get("rope_parameters")
    if params and "full_attention" in params:
        out = {}
        for kind, p in params.items():
            if p.get("rope_type", "default") != "default":
                raise ValueError(f"unsupported rotary scaling {p.get('rope_type')!r}")
            out[kind] = float(p["rope_theta"])
        return out
    if cfg.get("rope_scaling"):
        raise ValueError("unsupported rotary scaling")
    return {"full_attention": float(cfg.get("rope_theta", 1_000_000.0)),
            "sliding_attention": float(cfg.get("rope_local_base_freq", 10_000.0))}

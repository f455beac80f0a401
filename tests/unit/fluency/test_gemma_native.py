"""mtaudit's own Gemma 3 decoder (``mtaudit.fluency.gemma``) computes what transformers' Gemma 3 computes, bit for bit.

The scorer runs the default model without transformers (whose model code costs seconds of imports on every load), so
these tests hold the two side by side on the same checked weights: hidden states of every layer, logits, the prompt
prefix path, the scorer's log-probabilities through either decoder, a row longer than a sliding window, and the
refusals of weights or configs the native decoder cannot run. The tiny random model needs nothing pulled; the rest
uses the pulled default model and skips without it.
"""
from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import torch

from mtaudit.fluency import ModelError, load_scorer, loading, store
from mtaudit.fluency.decoders import TransformersDecoder, build
from mtaudit.fluency.gemma import Gemma3Text, rope_bases
from mtaudit.fluency.scorer import Request
from test_model_loading import MODEL, WORDS, needs_model, tiny_converted

NEWS = [
    "The Prime Minister said on Tuesday that the talks would resume next week in Geneva.",
    "Xi Jinping met the delegation in Beijing; Ji said nothing about the tariffs.",
    "Edited by A by B. Via Sputnik/.../Paul Reuters.",
]
PROMPT = "Translate the following Chinese news text into English.\n\n"


def _rows(tokenizer, bos, texts):
    rows = [bos + tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]
    ids = torch.zeros((len(rows), max(map(len, rows))), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
    return ids, [len(r) for r in rows]


def _reference_prefix_pass(reference, prefix, ids, lengths):
    """transformers' own pass over rows after a cached prefix, with the padding mask the scorer used to build."""
    from transformers import DynamicCache

    body = reference.model
    cache = DynamicCache(config=reference.config)
    body(input_ids=torch.tensor([prefix]), use_cache=True, cache=cache)
    cache = copy.deepcopy(cache)
    cache.batch_repeat_interleave(len(ids))
    n, width, plen = *ids.shape, len(prefix)
    mask = torch.cat([torch.ones((n, plen), dtype=torch.long),
                      (torch.arange(width)[None] < torch.tensor(lengths)[:, None]).long()], dim=1)
    positions = torch.arange(plen, plen + width)[None].expand(n, -1)
    return body(input_ids=ids, position_ids=positions, cache=cache, use_cache=True,
                attention_mask=mask).last_hidden_state


@pytest.fixture(scope="module")
def pair():
    """(the scorer on the native decoder, transformers' model of the same folder)."""
    from transformers import AutoModelForCausalLM

    scorer = load_scorer(MODEL, norms=False, estimator=False)
    reference = AutoModelForCausalLM.from_pretrained(str(store.model_path(MODEL)), local_files_only=True,
                                                     dtype=scorer.dtype).eval()
    return scorer, reference


@needs_model
def test_the_default_model_runs_natively_with_transformers_weights(pair):
    scorer, reference = pair
    assert isinstance(scorer.decoder, Gemma3Text)
    theirs = reference.state_dict()
    decoder = scorer.decoder
    assert torch.equal(decoder.embedding, theirs["lm_head.weight"])
    assert torch.equal(decoder.embedding, theirs["model.embed_tokens.weight"])
    for i, layer in enumerate(decoder.layers):
        for mine, name in ((layer.q, "self_attn.q_proj"), (layer.k, "self_attn.k_proj"), (layer.v, "self_attn.v_proj"),
                           (layer.o, "self_attn.o_proj"), (layer.gate, "mlp.gate_proj"), (layer.up, "mlp.up_proj"),
                           (layer.down, "mlp.down_proj")):
            assert torch.equal(mine.weight, theirs[f"model.layers.{i}.{name}.weight"]), (i, name)
        assert torch.equal(layer.input_norm.scale, 1.0 + theirs[f"model.layers.{i}.input_layernorm.weight"].float())
    assert decoder.vocab_size == reference.config.vocab_size and decoder.hidden_size == reference.config.hidden_size


@needs_model
def test_every_layer_and_the_logits_equal_transformers_on_padded_news_rows(pair):
    scorer, reference = pair
    ids, lengths = _rows(scorer.tokenizer, scorer.bos, NEWS)
    layers = tuple(range(1, len(scorer.decoder.layers) + 1))
    with torch.inference_mode():
        hidden, kept = scorer.decoder(ids, keep=layers)
        out = reference.model(input_ids=ids, use_cache=False, output_hidden_states=True)
        for i, n in enumerate(lengths):
            assert torch.equal(hidden[i, :n], out.last_hidden_state[i, :n])
            for layer in layers[:-1]:  # transformers' last entry is after the final norm
                assert torch.equal(kept[layer][i, :n], out.hidden_states[layer][i, :n]), layer
            assert torch.equal(scorer.decoder.project(hidden[i, :n]), reference.lm_head(out.last_hidden_state[i, :n]))


@needs_model
def test_rows_after_a_cached_prompt_equal_transformers_and_the_adapter(pair):
    scorer, reference = pair
    prefix = scorer.bos + scorer.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    ids, lengths = _rows(scorer.tokenizer, [], ["Chinese: 你好\nEnglish: " + t for t in NEWS])
    adapter = TransformersDecoder(reference)
    with torch.inference_mode():
        native, _ = scorer.decoder(ids, scorer.decoder.prefill(prefix))
        theirs = _reference_prefix_pass(reference, prefix, ids, lengths)
        adapted, _ = adapter(ids, adapter.prefill(prefix))
        # one unpadded pass over prefix + row: the cache changes nothing
        whole, _ = scorer.decoder(torch.cat([torch.tensor([prefix]), ids[:1, : lengths[0]]], dim=1))
    for i, n in enumerate(lengths):
        assert torch.equal(native[i, :n], theirs[i, :n])
        assert torch.equal(adapted[i, :n], theirs[i, :n])
    a, b = whole[0, len(prefix):].float(), native[0, : lengths[0]].float()
    assert ((a - b).norm(dim=-1) / b.norm(dim=-1)).max() < 0.05  # bf16 noise of another batch shape, no more


@needs_model
def test_the_scorers_log_probs_are_the_same_through_either_decoder(pair):
    scorer, reference = pair
    requests = [Request("", " ".join(NEWS), 0),
                Request(PROMPT, "Chinese: 他说会谈将于下周恢复。\nEnglish: " + NEWS[0], len("Chinese: 他说会谈将于下周恢复。\nEnglish: "))]
    native = scorer.logprobs(requests, layers=(12,))
    saved = scorer.decoder
    try:
        scorer.decoder, scorer._prefix_cache = TransformersDecoder(reference), {}
        adapted = scorer.logprobs(requests, layers=(12,))
    finally:
        scorer.decoder, scorer._prefix_cache = saved, {}
    for (off, lp, states, best), (off2, lp2, states2, best2) in zip(native, adapted):
        assert off == off2 and np.array_equal(lp, lp2) and np.array_equal(states, states2)
        assert np.array_equal(best, best2)


def test_a_row_longer_than_the_sliding_window_matches_transformers(tmp_path):
    """The tiny model's sliding window is 16 tokens: rows of 40+ tokens, with and without a cached prefix."""
    from transformers import AutoModelForCausalLM

    folder = tiny_converted(tmp_path / "tiny")
    scorer = load_scorer(str(folder), dtype="bfloat16", norms=False)
    reference = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.bfloat16).eval()
    texts = [" ".join(WORDS * 2), " ".join(WORDS[:20])]
    ids, lengths = _rows(scorer.tokenizer, scorer.bos, texts)
    prefix = scorer.tokenizer(" ".join(WORDS[:12]), add_special_tokens=False)["input_ids"]
    with torch.inference_mode():
        hidden, _ = scorer.decoder(ids)
        theirs = reference.model(input_ids=ids, use_cache=False).last_hidden_state
        after, _ = scorer.decoder(ids, scorer.decoder.prefill(prefix))
        theirs_after = _reference_prefix_pass(reference, prefix, ids, lengths)
    assert lengths[0] > 40
    for i, n in enumerate(lengths):
        assert torch.equal(hidden[i, :n], theirs[i, :n])
        assert torch.equal(after[i, :n], theirs_after[i, :n])


def test_weights_or_configs_it_cannot_run_are_refused_by_name(tmp_path):
    folder = tiny_converted(tmp_path / "tiny")
    checked = loading.read_model(folder, None)
    state = loading.tensors(checked.weights)
    del state["model.layers.1.mlp.up_proj.weight"]
    with pytest.raises(ValueError, match="model.layers.1.mlp.up_proj.weight"):
        Gemma3Text(checked.config, state, torch.bfloat16)
    state = loading.tensors(checked.weights)
    state["model.norm.weight"] = state["model.norm.weight"][:-1]
    with pytest.raises(ValueError, match="model.norm.weight has shape"):
        Gemma3Text(checked.config, state, torch.bfloat16)
    # through the loader the refusal is a ModelError that says what to run
    scaled = dict(checked.config, rope_parameters={"full_attention": {"rope_type": "linear", "rope_theta": 1e6,
                                                                      "factor": 8.0},
                                                   "sliding_attention": {"rope_type": "default", "rope_theta": 1e4}})
    with pytest.raises(ModelError, match="models pull"):
        build(loading.CheckedModel(folder, checked.manifest, checked.weights, scaled, checked.tokenizer),
              torch.bfloat16)


@pytest.mark.parametrize("config, expected", [
    ({"rope_parameters": {"full_attention": {"rope_type": "default", "rope_theta": 1e6},
                          "sliding_attention": {"rope_type": "default", "rope_theta": 1e4}}},
     {"full_attention": 1e6, "sliding_attention": 1e4}),
    ({"rope_theta": 1e6, "rope_local_base_freq": 1e4}, {"full_attention": 1e6, "sliding_attention": 1e4}),
    ({"rope_theta": 5e5, "rope_local_base_freq": 2e4, "rope_scaling": None},
     {"full_attention": 5e5, "sliding_attention": 2e4}),
])
def test_rotary_bases_are_read_from_either_config_layout(config, expected):
    assert rope_bases(config) == expected


def test_the_converted_config_of_the_default_model_is_one_it_can_run():
    if not store.is_ready(MODEL):
        pytest.skip(f"model {MODEL} is not pulled")
    config = json.loads((store.model_path(MODEL) / "config.json").read_text())
    assert config["model_type"] == "gemma3_text"
    assert set(rope_bases(config)) == {"full_attention", "sliding_attention"}

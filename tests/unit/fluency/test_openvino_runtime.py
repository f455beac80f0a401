"""The OpenVINO runtime of the scorer's forward: a real export of a real model, checked against eager PyTorch.

The cache and rebuild rules run on a tiny Gemma 3 built from a config (seconds to export); the log-prob checks on
the default model (its export, about a minute the first time, lands in the model cache as a user's first
``--runtime openvino`` run does, and is reused after). Skips when OpenVINO is not installed (``make`` installs it).
"""
from __future__ import annotations

import json
import sys
import warnings

import numpy as np
import pytest
import torch

from mtaudit.fluency import ModelError, store

MODEL = store.DEFAULT_MODEL


def tiny_gemma(hidden_size: int = 64, dtype: torch.dtype = torch.float32):
    """mtaudit's Gemma 3 decoder with the weights of a tiny random transformers Gemma 3 (as the scorer builds it)."""
    from transformers import Gemma3TextConfig
    from transformers.models.gemma3.modeling_gemma3 import Gemma3ForCausalLM

    from mtaudit.fluency.gemma import Gemma3Text

    torch.manual_seed(0)
    config = Gemma3TextConfig(vocab_size=300, hidden_size=hidden_size, intermediate_size=128, num_hidden_layers=3,
                              num_attention_heads=2, num_key_value_heads=1, head_dim=32, sliding_window=48,
                              layer_types=["sliding_attention", "sliding_attention", "full_attention"])
    model = Gemma3ForCausalLM(config)
    return Gemma3Text(config.to_dict(), model.state_dict(), dtype).eval()


def bf16_valued_gemma(hidden_size: int = 64, noise: float = 0.0):
    """A tiny Gemma whose float32 weights are all bf16 values, as a converted model's are (``noise``: moved first, so
    that the norms' weights, 0 at the start, are not)."""
    decoder = tiny_gemma(hidden_size)
    torch.manual_seed(1)
    with torch.no_grad():
        for p in decoder.parameters():
            p.copy_((p + noise * torch.randn_like(p)).to(torch.bfloat16).float())
    return decoder


@pytest.fixture(scope="module")
def tiny():
    pytest.importorskip("openvino")
    return tiny_gemma()


def scored_positions(ids):
    """Every position but the last of every row predicts the next token: (rows, cols, targets)."""
    n, width = ids.shape
    rows = [i for i in range(n) for _ in range(width - 1)]
    cols = [j for _ in range(n) for j in range(width - 1)]
    return rows, cols, [int(ids[i, j + 1]) for i, j in zip(rows, cols)]


def eager(decoder, ids, layer):
    """Log-probs of each next token, the best token's, and the states after ``layer`` at the targets' positions."""
    with torch.inference_mode():
        hidden, kept = decoder(ids, keep=(layer,))
        logprobs = decoder.project(hidden).float().log_softmax(-1)[:, :-1]
    scored = logprobs.gather(-1, ids[:, 1:, None]).squeeze(-1).reshape(-1)
    best = logprobs.max(-1).values.reshape(-1)
    return scored, best, kept[layer][:, 1:].reshape(-1, decoder.hidden_size)


def test_export_equals_eager_at_shapes_unlike_the_example(tiny, tmp_path):
    from mtaudit.fluency.openvino_runtime import OpenVINOModel

    run = OpenVINOModel(tiny, tmp_path, "a" * 64, threads=1, dtype=torch.float32)
    for shape in [(1, 3), (4, 29), (2, 48)]:
        ids = torch.randint(1, 300, shape)
        scored, best, states = run(ids.numpy(), *scored_positions(ids), layers=(2,))
        want_scored, want_best, want_states = eager(tiny, ids, 2)
        np.testing.assert_allclose(scored, want_scored.numpy(), atol=1e-4)
        np.testing.assert_allclose(best, want_best.numpy(), atol=1e-4)
        np.testing.assert_allclose(states[:, 0], want_states.numpy(), atol=1e-4)
    assert run(ids.numpy(), *scored_positions(ids))[1:] == (None, None)  # no layers asked: log-probs only


def test_a_compile_started_in_a_thread_serves_the_first_call(tiny, tmp_path):
    from mtaudit.fluency.openvino_runtime import OpenVINOModel

    run = OpenVINOModel(tiny, tmp_path, "a" * 64, threads=1, dtype=torch.float32)
    run.start((2,))
    ids = torch.randint(1, 300, (2, 12))
    scored, _, states = run(ids.numpy(), *scored_positions(ids), layers=(2,), kept=(2,))
    want_scored, _, want_states = eager(tiny, ids, 2)
    np.testing.assert_allclose(scored, want_scored.numpy(), atol=1e-4)
    np.testing.assert_allclose(states[:, 0], want_states.numpy(), atol=1e-4)
    assert run.layers == (2,) and len([p for p in tmp_path.iterdir()]) == 1  # compiled once, for those layers


def test_export_is_cached_per_weights_checksum_and_rebuilt_when_it_changes(tiny, tmp_path):
    from mtaudit.fluency.openvino_runtime import export

    first = export(tiny, tmp_path, "a" * 64, (2,), torch.float32)
    written = (first / "model.bin").stat().st_mtime_ns
    assert export(tiny, tmp_path, "a" * 64, (2,), torch.float32) == first
    assert (first / "model.bin").stat().st_mtime_ns == written  # found, not exported again
    second = export(tiny, tmp_path, "b" * 64, (2,), torch.float32)  # the model was pulled again: other weights
    assert second != first and (second / "manifest.json").is_file()
    assert not first.exists()  # the stale export is gone
    assert [p.name for p in tmp_path.iterdir()] == [second.name]  # no temporary folder left behind
    other_layers = export(tiny, tmp_path, "b" * 64, (), torch.float32)
    assert {p.name for p in tmp_path.iterdir()} == {second.name, other_layers.name}  # both layer sets kept
    # a decoder built in bf16 rounds the embeddings' sqrt(hidden) scale: its own export, the float32 one kept
    in_bf16 = export(tiny_gemma(dtype=torch.bfloat16), tmp_path, "b" * 64, (2,), torch.bfloat16)
    assert in_bf16 not in (second, other_layers) and second.exists() and other_layers.exists()
    assert json.loads((in_bf16 / "manifest.json").read_text())["built"] == "torch.bfloat16"


def test_mtaudit_models_lists_the_exports_in_the_cache(tiny, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from mtaudit.cli import app
    from mtaudit.fluency.openvino_runtime import export, export_folder

    monkeypatch.setenv("MTAUDIT_HOME", str(tmp_path))
    folder = export_folder(store.model_path(MODEL))
    made = export(tiny, folder, "a" * 64, (2,), torch.float32)
    (folder / ".export-half-written").mkdir()  # another process's export in progress: not listed
    [row] = [m for m in store.list_models() if m["name"] == MODEL]
    [listed] = row["exports"]
    assert listed["path"] == str(made) and listed["built"] == "float32" and listed["layers"] == [2]
    assert listed["bytes"] == sum(f.stat().st_size for f in made.iterdir()) > 0
    result = CliRunner().invoke(app, ["models"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert f"{made}  " in result.output and "for a float32 scorer, layers 2, OpenVINO " in result.output
    assert ".export-half-written" not in result.output


def test_a_damaged_export_is_rebuilt_not_trusted(tiny, tmp_path):
    from mtaudit.fluency.openvino_runtime import OpenVINOModel, export, load

    directory = export(tiny, tmp_path, "a" * 64, (), torch.float32)
    with open(directory / "model.bin", "r+b") as fh:
        fh.seek(100)
        fh.write(b"\x7f\x7f\x7f\x7f")
    with pytest.raises(ModelError, match="SHA-256"):
        load(directory, threads=1, bf16=False)
    run = OpenVINOModel(tiny, tmp_path, "a" * 64, threads=1, dtype=torch.float32)
    ids = torch.randint(1, 300, (2, 10))
    np.testing.assert_allclose(run(ids.numpy(), *scored_positions(ids))[0], eager(tiny, ids, 1)[0].numpy(), atol=1e-4)


def test_weights_that_are_bf16_values_are_stored_as_bf16_with_the_same_outputs(tiny, tmp_path):
    """A converted model's weights are bfloat16 values (the export runs a float32 copy of them): the IR stores them in
    half the bytes and computes the same; the tiny random float32 model's weights are not, and stay float32."""
    from mtaudit.fluency.openvino_runtime import OpenVINOModel, export

    params = sum(p.numel() for p in tiny.parameters())
    full = export(tiny, tmp_path / "f32", "a" * 64, (), torch.float32)
    assert (full / "model.bin").stat().st_size >= 4 * params * 0.9
    rounded = bf16_valued_gemma()
    half = export(rounded, tmp_path / "bf16", "b" * 64, (), torch.float32)
    assert (half / "model.bin").stat().st_size <= 2 * params * 1.1
    run = OpenVINOModel(rounded, tmp_path / "bf16", "b" * 64, threads=1, dtype=torch.float32)
    ids = torch.randint(1, 300, (3, 20))
    np.testing.assert_allclose(run(ids.numpy(), *scored_positions(ids))[0], eager(rounded, ids, 1)[0].numpy(),
                               atol=1e-4)


def test_bf16_weights_compute_in_bf16_as_a_float32_export_does(tiny, tmp_path):
    """Bit for bit, with bf16 inference: storing the weights as bf16 does not change what is computed (against the
    same graph saved with float32 weights)."""
    import openvino as ov

    from mtaudit.fluency.openvino_runtime import _Graph, export, load

    rounded = bf16_valued_gemma(hidden_size=48, noise=0.3)  # embeddings scaled by sqrt(48), no bf16 value
    ids = torch.randint(1, 300, (2, 24))
    inputs = [ids.numpy()] + [np.asarray(v, dtype=np.int64) for v in scored_positions(ids)]
    stored = load(export(rounded, tmp_path, "c" * 64, (1,), torch.float32), threads=1, bf16=True)
    example = (ids, torch.tensor([0, 1]), torch.tensor([3, 4]), torch.tensor([5, 6]))
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's, as export() silences them
        plain = ov.convert_model(_Graph(rounded, (1,)).eval(), example_input=example)
    ov.save_model(plain, tmp_path / "plain" / "model.xml", compress_to_fp16=False)
    reference = ov.Core().compile_model(tmp_path / "plain" / "model.xml", "CPU",
                                        {"INFERENCE_NUM_THREADS": 1, "INFERENCE_PRECISION_HINT": "bf16"})
    for a, b in zip(stored.create_infer_request().infer(dict(enumerate(inputs))).to_tuple(),
                    reference.create_infer_request().infer(dict(enumerate(inputs))).to_tuple()):
        np.testing.assert_array_equal(np.array(a), np.array(b))


def test_rows_longer_than_the_attention_window_are_refused(tiny, tmp_path):
    from mtaudit.fluency.openvino_runtime import OpenVINOModel

    run = OpenVINOModel(tiny, tmp_path, "a" * 64, threads=1, dtype=torch.float32)
    ids = torch.randint(1, 300, (1, 49))
    with pytest.raises(ValueError, match="at most 48 tokens"):
        run(ids.numpy(), *scored_positions(ids))


def test_missing_openvino_says_what_to_install(monkeypatch, tmp_path):
    from mtaudit.fluency.openvino_runtime import OpenVINOModel

    monkeypatch.setitem(sys.modules, "openvino", None)  # as if the package were not installed
    with pytest.raises(ModelError, match=r"pip install 'mtaudit\[openvino\]'"):
        OpenVINOModel(None, tmp_path, "a" * 64, threads=1, dtype=torch.float32)


def test_a_model_of_another_architecture_is_refused(tmp_path):
    pytest.importorskip("openvino")
    from transformers import LlamaConfig, LlamaForCausalLM

    from mtaudit.fluency.decoders import TransformersDecoder
    from mtaudit.fluency.openvino_runtime import OpenVINOModel

    llama = LlamaForCausalLM(LlamaConfig(vocab_size=100, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                         num_attention_heads=2, num_key_value_heads=1))
    with pytest.raises(ValueError, match="exports Gemma 3 models .*not this llama model"):
        OpenVINOModel(TransformersDecoder(llama), tmp_path, "a" * 64, threads=1, dtype=torch.float32)


def test_the_cli_refuses_an_unknown_runtime():
    from typer.testing import CliRunner

    from mtaudit.cli import app

    result = CliRunner().invoke(app, ["audit", "samples", "--runtime", "onnx", "-q"])
    assert result.exit_code == 2
    assert "--runtime must be one of torch, openvino" in result.output


# ---- the default model ------------------------------------------------------------------------------------------
needs_model = pytest.mark.skipif(not store.is_ready(MODEL),
                                 reason=f"model {MODEL} is not pulled: run `mtaudit models pull {MODEL}`")
NEWS = [("新华社援引习近平的话说，两国关系良好。", "Xinhua quoted Xi Jinping as saying that relations between the two "
         "countries were good."),
        ("7月26日，在俄罗斯圣彼得堡，舰艇列队参加海军节庆祝活动。", "On July 26, in St. Petersburg, Russia, ships lined "
         "up to participate in Navy Day celebrations."),
        ("该公司股价在早盘交易中下跌4%。", "Shares in the company fell 4 per cent in early trading.")]


def both_runtimes(dtype: str, warm: bool = False):
    """Token log-probs and layer-12 states of source-conditioned rows, OpenVINO then eager, from one scorer
    (``warm``: after the scorer's warm-up, as ``mtaudit watch`` runs it)."""
    pytest.importorskip("openvino")
    from mtaudit.fluency import load_scorer
    from mtaudit.fluency.scorer import Request

    scorer = load_scorer(MODEL, dtype=dtype, norms=False, runtime="openvino")
    requests = []
    for source, target in NEWS:
        head, body = scorer.prompt(source, "zh", "en")
        requests.append(Request(head, body + target, len(body)))
    if warm:
        scorer.warm_up()
    with_openvino = scorer.logprobs(requests, (12,))
    scorer.openvino = None  # the same scorer, rows and batches, eager
    return with_openvino, scorer.logprobs(requests, (12,))


@pytest.mark.model
@needs_model
def test_float32_log_probs_equal_eager_torch():
    with_openvino, with_torch = both_runtimes("float32", warm=True)
    # to rounding: OpenVINO's kernels sum in other orders and approximate exp and tanh, which 18 layers of Gemma's
    # large activations carry to ~0.01 nats (a wrong export, e.g. one traced from bf16 weights, is off by whole nats)
    for (off_a, lp_a, st_a, best_a), (off_b, lp_b, st_b, best_b) in zip(with_openvino, with_torch):
        assert off_a == off_b
        np.testing.assert_allclose(lp_a, lp_b, atol=0.03)
        np.testing.assert_allclose(best_a, best_b, atol=0.03)
        # Gemma's residual stream runs to hundreds in a few dimensions; compared to its scale
        assert np.abs(st_a - st_b).mean() < 0.005 * np.abs(st_b).mean()
        assert np.abs(st_a - st_b).max() < 0.02 * np.abs(st_b).max()


@pytest.mark.model
@needs_model
def test_bf16_log_probs_stay_within_bf16_rounding_of_eager():
    with_openvino, with_torch = both_runtimes("bfloat16")
    a = np.concatenate([r[1] for r in with_openvino])
    b = np.concatenate([r[1] for r in with_torch])
    # bf16 eager itself moves token log-probs by ~0.03 nats on average from float32 (up to ~0.3-0.5 on a token)
    assert np.abs(a - b).mean() < 0.08
    assert np.abs(a - b).max() < 1.0
    for (_, lp_a, *_), (_, lp_b, *_) in zip(with_openvino, with_torch):
        assert lp_a.mean() == pytest.approx(lp_b.mean(), abs=0.05)

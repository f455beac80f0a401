"""The scorer's heads: the pruned head against log-softmax over its ids, the pinned ids' checks, and the default
model's pruned head against its full head on real text."""
from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from mtaudit.core.errors import ModelError
from mtaudit.fluency import store
from mtaudit.fluency.heads import FullHead, PrunedHead, pinned_head
from tests.unit.fluency.test_openvino_runtime import tiny_gemma

MODEL = store.DEFAULT_MODEL


@pytest.fixture(scope="module")
def tiny():
    return tiny_gemma()


def hidden_states(decoder, n: int = 40) -> torch.Tensor:
    torch.manual_seed(3)
    with torch.inference_mode():
        hidden, _ = decoder(torch.randint(1, decoder.vocab_size, (2, n // 2)))
    return hidden.reshape(-1, decoder.hidden_size)


def test_a_head_over_every_id_is_the_full_head(tiny):
    hidden = hidden_states(tiny)
    targets = torch.randint(0, tiny.vocab_size, (len(hidden),))
    full, full_best = FullHead(tiny)(hidden, targets)
    pruned, pruned_best = PrunedHead(tiny, torch.arange(tiny.vocab_size))(hidden, targets)
    torch.testing.assert_close(pruned, full)
    torch.testing.assert_close(pruned_best, full_best)


def test_the_pruned_head_normalises_over_its_ids_and_a_target_outside_them(tiny):
    hidden = hidden_states(tiny)
    kept = torch.arange(0, tiny.vocab_size, 3)  # every third id
    targets = torch.arange(len(hidden)) % tiny.vocab_size  # two of three outside the set
    scored, best = PrunedHead(tiny, kept)(hidden, targets)
    logits = tiny.project(hidden).float()
    for i, t in enumerate(targets.tolist()):
        ids = sorted(set(kept.tolist()) | {t})
        want = logits[i, t] - torch.logsumexp(logits[i, ids], -1)
        assert abs(float(scored[i]) - float(want)) < 1e-4, (i, t)
        want_best = logits[i, kept].max() - torch.logsumexp(logits[i, ids], -1)
        assert abs(float(best[i]) - float(want_best)) < 1e-4
    # renormalising over fewer ids can only raise a log-prob
    full, _ = FullHead(tiny)(hidden, targets)
    assert bool(torch.all(scored >= full - 1e-5)) and bool(torch.any(scored > full + 1e-3))


def test_ids_beyond_the_vocabulary_are_refused(tiny):
    with pytest.raises(ValueError, match="reach"):
        PrunedHead(tiny, torch.tensor([1, tiny.vocab_size]))


def models_copy(tmp_path, monkeypatch):
    """A copy of the package's models folder that a test may damage (``MTAUDIT_MODELS_DIR`` points at it)."""
    target = tmp_path / "models"
    shutil.copytree(store.models_dir(), target)
    monkeypatch.setenv("MTAUDIT_MODELS_DIR", str(target))
    return target


def test_the_shipped_ids_are_pinned_and_checked(tmp_path, monkeypatch):
    kept, vocab = pinned_head(MODEL)
    assert vocab == 262_144 and 30_000 < len(kept) < 150_000
    assert np.all(np.diff(kept) > 0)
    folder = models_copy(tmp_path, monkeypatch)
    spec = json.loads((folder / "models.json").read_text(encoding="utf-8"))["models"][MODEL]["head"]
    path = folder / spec["file"]
    data = bytearray(path.read_bytes())
    data[-40] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match the pinned"):
        pinned_head(MODEL)
    path.unlink()
    with pytest.raises(ModelError, match="unreadable"):
        pinned_head(MODEL)
    assert pinned_head("no-such-model") is None


def test_ids_out_of_order_are_refused_even_when_pinned(tmp_path, monkeypatch):
    folder = models_copy(tmp_path, monkeypatch)
    buffer = io.BytesIO()
    np.savez(buffer, kept=np.array([5, 3, 9], dtype=np.int32), vocab_size=np.int64(10))
    (folder / "bad.npz").write_bytes(buffer.getvalue())
    pins = json.loads((folder / "models.json").read_text(encoding="utf-8"))
    pins["models"][MODEL]["head"] = {"file": "bad.npz", "sha256": hashlib.sha256(buffer.getvalue()).hexdigest()}
    (folder / "models.json").write_text(json.dumps(pins), encoding="utf-8")
    with pytest.raises(ModelError, match="sorted"):
        pinned_head(MODEL)


@pytest.mark.model
def test_the_default_models_pruned_head_scores_news_as_its_full_head_does():
    """Real inference: the default scorer's pruned head against the full head on the same hidden states of real
    news text (the samples), both passes' kind of rows; the shipped set was built so that they agree to a tenth of
    what bf16 rounding moves a log-prob."""
    from mtaudit.fluency import load_scorer
    from mtaudit.fluency.scorer import Request
    from mtaudit.readers import read_document

    scorer = load_scorer(MODEL, norms=False, estimator=False)
    assert isinstance(scorer.head, PrunedHead) and len(scorer.head.kept) < scorer.decoder.vocab_size / 2
    full_head = FullHead(scorer.decoder)
    doc = read_document(Path(__file__).resolve().parents[3] / "samples" / "07_briefing.jsonl")
    requests = [Request("", s.target, 0) for s in doc.segments]
    head, body = scorer.prompt(doc.segments[0].source, "zh", "en")
    requests.append(Request(head, body + doc.segments[0].target, len(body)))
    pruned = scorer.logprobs(requests)
    scorer.head = full_head
    full = scorer.logprobs(requests)
    delta = np.concatenate([p[1] - f[1] for p, f in zip(pruned, full)])
    assert len(delta) > 100
    assert np.all(delta >= -1e-6)  # fewer ids in the normaliser: never a lower log-prob
    assert float(delta.mean()) < 0.01 and float(np.quantile(delta, 0.99)) < 0.2


def test_the_openvino_export_computes_the_pruned_head_as_eager_does(tiny, tmp_path):
    pytest.importorskip("openvino")
    from mtaudit.fluency.openvino_runtime import OpenVINOModel
    from tests.unit.fluency.test_openvino_runtime import scored_positions

    head = PrunedHead(tiny, torch.arange(0, tiny.vocab_size, 2))
    run = OpenVINOModel(tiny, tmp_path, "a" * 64, threads=1, dtype=torch.float32, head=head)
    ids = torch.randint(1, tiny.vocab_size, (3, 20))
    rows, cols, targets = scored_positions(ids)
    scored, best, _ = run(ids.numpy(), rows, cols, targets, layers=(2,))
    with torch.inference_mode():
        hidden, _ = tiny(ids)
        want, want_best = head(hidden[torch.tensor(rows), torch.tensor(cols)], torch.tensor(targets))
    np.testing.assert_allclose(scored, want.numpy(), atol=1e-4)
    np.testing.assert_allclose(best, want_best.numpy(), atol=1e-4)
    # a full-head export of the same weights is another export, not this one
    full = OpenVINOModel(tiny, tmp_path, "a" * 64, threads=1, dtype=torch.float32)
    other, _, _ = full(ids.numpy(), rows, cols, targets, layers=(2,))
    assert not np.allclose(other, scored, atol=1e-3)
    assert len([p for p in tmp_path.iterdir() if not p.name.startswith(".")]) == 2

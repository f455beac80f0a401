"""Loading a converted model: every byte checked against the manifest, from the bytes that were checked.

Most tests build a tiny real converted folder (a two-layer Gemma 3 with random weights, stored as the converter
stores them: bfloat16, the tied output projection once, a manifest of SHA-256 values); the last ones use the pulled
default model and skip when it is not pulled.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from mtaudit.fluency import ModelError, convert, load_scorer, loading, store
from mtaudit.fluency.scorer import Request

WORDS = ("the minister said on tuesday that talks in geneva would resume next week . , reuters edited by photo "
         "credit beijing shanghai xi jinping president of china").split()
TEXT = "the minister said on tuesday that talks in geneva would resume next week ."


SPECIAL = {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"}
SPECIAL_TOKENS = ["<pad>", "<eos>", "<bos>", "<unk>"]  # ids 0-3 in both test tokenizers


def _tokenizer_files(folder: Path) -> int:
    """A word-level tokenizer (no SentencePiece copy can be made of it); returns its vocabulary size."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {w: i for i, w in enumerate(SPECIAL_TOKENS + WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps(SPECIAL), encoding="utf-8")
    return len(vocab)


def bpe_tokenizer_files(folder: Path, every_split: bool = True) -> int:
    """A tokenizer of Gemma's shape, small: BPE with byte fallback over the characters of WORDS, pieces that build
    each word with and without its leading ``▁``, spaces normalised to ``▁``, ``<bos>`` put first, added tokens matched
    as written (specials, ``<table>``, a run of newlines). Returns its vocabulary size.

    ``every_split``: list a merge for every way a piece splits into two earlier pieces, in the order the pieces were
    made, as a tokenizer converted from SentencePiece lists them (Gemma's 236,339 merged pieces have 514,906 merges);
    else only the merges that built each piece, which BPE reads differently from SentencePiece (" the" stays
    "▁" + "the": no merge joins them, though "▁the" is a piece)."""
    from tokenizers import AddedToken, Tokenizer, models, normalizers, pre_tokenizers, processors

    tokens = SPECIAL_TOKENS + [f"<0x{b:02X}>" for b in range(256)]
    tokens += sorted({c for w in WORDS for c in w} | {"▁"})
    built: list[tuple[str, str]] = []
    for word in WORDS:
        for form in (word, "▁" + word):
            left = form[0]
            for c in form[1:]:
                if (left, c) not in built:
                    built.append((left, c))
                left += c
    pieces = list(dict.fromkeys(a + b for a, b in built))
    known = set(tokens)
    merges = []
    for piece in pieces:
        splits = [(piece[:i], piece[i:]) for i in range(1, len(piece))] if every_split else []
        merges += [m for m in splits if m[0] in known and m[1] in known] or [m for m in built if "".join(m) == piece][:1]
        known.add(piece)
    tokens += pieces
    tokens += ["<table>", "\n\n"]
    vocab = {t: i for i, t in enumerate(dict.fromkeys(tokens))}
    tok = Tokenizer(models.BPE(vocab, merges, unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Replace(" ", "▁")
    tok.pre_tokenizer = pre_tokenizers.Split(" ", "merged_with_previous")
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS])
    tok.add_tokens([AddedToken(t, normalized=False) for t in ("<table>", "\n\n")])
    tok.post_processor = processors.TemplateProcessing(single="<bos> $A", special_tokens=[("<bos>", 2)])
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps(SPECIAL), encoding="utf-8")
    return len(vocab)


def tiny_converted(folder: Path, name: str = "tiny", source_sha256: str = "0" * 64,
                   layout: int | None = store.CACHE_FORMAT, tokenizer: str = "words") -> Path:
    """A converted folder as ``convert.pull_model`` writes one, for a tiny Gemma 3 (``layout`` None: the old
    float32 layout, no ``format`` in the manifest; 2: bf16 weights, the tokenizer as saved; 3: its quick form; 4:
    and its SentencePiece copy when it has that shape). ``tokenizer``: "words" (word-level) or "bpe" (Gemma's shape)."""
    from safetensors.torch import save_file
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    folder.mkdir(parents=True, exist_ok=True)
    vocab_size = bpe_tokenizer_files(folder) if tokenizer == "bpe" else _tokenizer_files(folder)
    if layout is not None and layout >= 3:
        convert.quick_tokenizer(folder / "tokenizer.json")
    if layout is not None and layout >= 4:
        convert.sentencepiece_copy(folder)
    config = Gemma3TextConfig(vocab_size=vocab_size, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                              num_attention_heads=2, num_key_value_heads=1, head_dim=32, sliding_window=16,
                              layer_types=["sliding_attention", "full_attention"], max_position_embeddings=256,
                              pad_token_id=0, eos_token_id=1, bos_token_id=2)
    torch.manual_seed(7)
    model = Gemma3ForCausalLM(config).eval()
    dtype = torch.float32 if layout is None else torch.bfloat16
    tensors, seen = {}, set()
    for key, tensor in sorted(model.state_dict().items()):
        if tensor.data_ptr() not in seen:
            seen.add(tensor.data_ptr())
            tensors[key] = tensor.to(dtype).contiguous()
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    config.dtype = dtype
    config.save_pretrained(folder)
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
             if p.name != store.MANIFEST}
    manifest = {"name": name, "source_sha256": source_sha256, "files": files}
    if layout is not None:
        manifest["format"] = layout
    (folder / store.MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    return tiny_converted(tmp_path_factory.mktemp("converted") / "tiny")


def test_a_checked_folder_loads_from_the_bytes_it_hashed(converted):
    from transformers import AutoModelForCausalLM

    scorer = load_scorer(str(converted), dtype="bfloat16", norms=False)
    manifest = json.loads((converted / store.MANIFEST).read_text())
    assert scorer.checksum == manifest["files"]["model.safetensors"]
    stored = loading.tensors(bytearray((converted / "model.safetensors").read_bytes()))
    decoder = scorer.decoder  # Gemma 3 runs on mtaudit's own decoder (mtaudit.fluency.gemma)
    layer = decoder.layers[1]
    for key, param in (("model.layers.1.self_attn.q_proj.weight", layer.q.weight),
                       ("model.layers.1.mlp.down_proj.weight", layer.down.weight),
                       ("lm_head.weight", decoder.embedding)):
        assert param.dtype == torch.bfloat16 and torch.equal(param, stored[key])
    # the output projection is the embedding it is tied to, not a random matrix
    assert "model.embed_tokens.weight" not in stored
    # the same model as transformers' own loader makes of the folder, to the last bit, on a row longer than the tiny
    # model's sliding window (16)
    reference = AutoModelForCausalLM.from_pretrained(str(converted), dtype=torch.bfloat16).eval()
    long_text = " ".join(WORDS * 2)
    for text in (TEXT, long_text):
        ids = torch.tensor([scorer.bos + scorer.tokenizer(text, add_special_tokens=False)["input_ids"]])
        with torch.inference_mode():
            hidden, _ = decoder(ids)
            assert torch.equal(decoder.project(hidden), reference(input_ids=ids).logits)
    (offsets, logprobs), = scorer.logprobs([Request("", TEXT, 0)])
    assert len(offsets) == len(TEXT.split()) and np.isfinite(logprobs).all() and (logprobs < 0).all()


def _flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


TAMPERING = [
    ("model.safetensors", _flip_middle_byte, "does not match its recorded SHA-256"),
    ("model.safetensors", lambda p: p.write_bytes(p.read_bytes()[:-2]), "does not match its recorded SHA-256"),
    ("model.safetensors", lambda p: p.write_bytes(p.read_bytes() + b"\0"), "does not match its recorded SHA-256"),
    ("tokenizer.json", lambda p: p.write_text(p.read_text().replace('"geneva"', '"genevb"')),
     "does not match its recorded SHA-256"),
    ("tokenizer_config.json", lambda p: p.unlink(), "is missing"),
]


@pytest.mark.parametrize("fname,tamper,message", TAMPERING, ids=["flipped byte", "truncated", "appended",
                                                                 "tokenizer edited", "file deleted"])
def test_a_tampered_converted_file_is_refused_with_a_clear_error(tmp_path, fname, tamper, message):
    folder = tiny_converted(tmp_path / "tiny")
    tamper(folder / fname)
    with pytest.raises(ModelError, match=message) as error:
        load_scorer(str(folder), norms=False)
    assert fname in str(error.value) and "mtaudit models pull" in str(error.value)


def test_a_tampered_sentencepiece_copy_is_refused(tmp_path):
    folder = tiny_converted(tmp_path / "tiny", tokenizer="bpe")
    assert (folder / "tokenizer.model").is_file()
    _flip_middle_byte(folder / "tokenizer.model")
    with pytest.raises(ModelError, match="tokenizer.model does not match its recorded SHA-256"):
        load_scorer(str(folder), norms=False)


def test_the_sentencepiece_copy_scores_as_tokenizer_json_does(tmp_path):
    """A converted folder with the SentencePiece copy loads it; the same folder without it loads tokenizer.json; the
    model's log-probabilities and offsets are the same either way (a real forward of the tiny model)."""
    with_copy = tiny_converted(tmp_path / "spm", tokenizer="bpe")
    without = tiny_converted(tmp_path / "json", tokenizer="bpe", layout=3)
    assert not (without / "tokenizer.model").exists()
    a = load_scorer(str(with_copy), dtype="bfloat16", norms=False)
    b = load_scorer(str(without), dtype="bfloat16", norms=False)
    assert (type(a.tokenizer).__name__, type(b.tokenizer).__name__) == ("SentencePieceTokenizer", "Tokenizer")
    requests = [Request("", TEXT, 0), Request("said the minister ", "xi jinping, 中国 president <table>", 9)]
    for (oa, la), (ob, lb) in zip(a.logprobs(requests), b.logprobs(requests)):
        assert [tuple(o) for o in oa] == [tuple(o) for o in ob] and np.array_equal(la, lb) and len(la)


def test_read_checked_returns_exactly_the_hashed_bytes(tmp_path):
    path = tmp_path / "weights.bin"
    payload = bytes(range(256)) * 40_000  # 10 MB: more than one read block
    path.write_bytes(payload)
    assert bytes(store.read_checked(path, hashlib.sha256(payload).hexdigest())) == payload
    with pytest.raises(ModelError, match="weights.bin does not match"):
        store.read_checked(path, hashlib.sha256(payload[:-1]).hexdigest())


def test_an_old_float32_folder_still_loads_to_the_same_bf16_weights(tmp_path, converted):
    old = tiny_converted(tmp_path / "old", layout=None)
    assert not store.is_current(store.read_manifest(old)) and store.is_current(store.read_manifest(converted))
    a = load_scorer(str(old), dtype="bfloat16", norms=False).decoder.state_dict()
    b = load_scorer(str(converted), dtype="bfloat16", norms=False).decoder.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in b)


def test_pull_rebuilds_an_old_layout_and_keeps_a_current_one(tmp_path, monkeypatch):
    """A cache in the old float32 layout is pulled again (the network step is stood in for: it must be reached);
    an intact cache in the current layout is returned without fetching anything."""
    monkeypatch.setenv("MTAUDIT_HOME", str(tmp_path))
    name = store.DEFAULT_MODEL
    pinned = store.model_spec(name)["gguf"]["sha256"]
    fetched = []

    def download(spec, dest, progress):
        fetched.append(spec["gguf"]["file"])
        raise ModelError("stop: the test reached the download")

    monkeypatch.setattr(convert, "download", download)
    tiny_converted(store.model_path(name), name, pinned, layout=None)
    with pytest.raises(ModelError, match="reached the download"):
        convert.pull_model(name)
    assert fetched
    fetched.clear()
    tiny_converted(store.model_path(name), name, pinned, layout=store.CACHE_FORMAT)
    assert convert.pull_model(name) == store.model_path(name) and not fetched


@pytest.mark.parametrize("layout", convert.UPGRADABLE)
@pytest.mark.parametrize("tokenizer", ["words", "bpe"])
def test_pull_upgrades_an_older_layout_in_place(tmp_path, monkeypatch, layout, tokenizer):
    """A layout-2 cache (the tokenizer as transformers saved it) or layout-3 cache (no SentencePiece copy) becomes the
    current layout without a download: only the tokenizer files change (tokenizer.json into its quick form, a
    SentencePiece copy of a tokenizer of that shape beside it), their hashes go into the manifest, and the model
    loads the same weights with a tokenizer that encodes as before."""
    monkeypatch.setenv("MTAUDIT_HOME", str(tmp_path))
    name = store.DEFAULT_MODEL
    monkeypatch.setattr(convert, "download", lambda *a: pytest.fail("an intact older cache needs no download"))
    path = tiny_converted(store.model_path(name), name, store.model_spec(name)["gguf"]["sha256"], layout=layout,
                          tokenizer=tokenizer)
    before = json.loads((path / store.MANIFEST).read_text())
    weights = (path / "model.safetensors").read_bytes()
    ids = load_scorer(str(path), dtype="bfloat16", norms=False).tokenizer(TEXT)["input_ids"]
    assert convert.pull_model(name) == path
    after = json.loads((path / store.MANIFEST).read_text())
    assert after["format"] == store.CACHE_FORMAT == 4
    changed = {f for f in after["files"] if before["files"].get(f) != after["files"][f]}
    expected = ({"tokenizer.json"} if layout == 2 else set()) | ({"tokenizer.model"} if tokenizer == "bpe" else set())
    assert changed == expected and (path / "model.safetensors").read_bytes() == weights
    for f in changed:
        assert after["files"][f] == hashlib.sha256((path / f).read_bytes()).hexdigest()
    assert not [p for p in path.parent.iterdir() if p.name.startswith("upgrade-")]  # no work folder left behind
    store.verify_model_dir(path, name)
    scorer = load_scorer(str(path), dtype="bfloat16", norms=False)
    assert type(scorer.tokenizer).__name__ == ("SentencePieceTokenizer" if tokenizer == "bpe" else "Tokenizer")
    assert scorer.tokenizer(TEXT)["input_ids"] == ids


def test_models_says_when_a_pull_would_upgrade_the_cache(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from mtaudit.cli import app

    monkeypatch.setenv("MTAUDIT_HOME", str(tmp_path))
    name = store.DEFAULT_MODEL
    pinned = store.model_spec(name)["gguf"]["sha256"]
    tiny_converted(store.model_path(name), name, pinned, layout=3)
    listed = CliRunner().invoke(app, ["models"], env={"COLUMNS": "300"})
    assert listed.exit_code == 0 and f"ready (converted by an earlier mtaudit: `mtaudit models pull {name}`" in \
        listed.output
    tiny_converted(store.model_path(name), name, pinned)
    listed = CliRunner().invoke(app, ["models"], env={"COLUMNS": "300"})
    assert f"{name} (default): ready\n" in listed.output and "earlier mtaudit" not in listed.output


def test_a_damaged_layout_2_cache_is_pulled_afresh_not_upgraded(tmp_path, monkeypatch):
    monkeypatch.setenv("MTAUDIT_HOME", str(tmp_path))
    name = store.DEFAULT_MODEL

    def download(spec, dest, progress):
        raise ModelError("stop: the test reached the download")

    monkeypatch.setattr(convert, "download", download)
    path = tiny_converted(store.model_path(name), name, store.model_spec(name)["gguf"]["sha256"], layout=2)
    _flip_middle_byte(path / "model.safetensors")
    with pytest.raises(ModelError, match="reached the download"):
        convert.pull_model(name)


def _bpe_tokenizer(folder: Path, tokens: list[str], merges: list[tuple[str, str]]) -> Path:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocab = {t: i for i, t in enumerate(["<unk>"] + tokens)}
    tok = Tokenizer(models.BPE(vocab, merges, unk_token="<unk>"))
    tok.normalizer = normalizers.Replace(" ", "▁")
    tok.pre_tokenizer = pre_tokenizers.Split(" ", "merged_with_previous")
    tok.save(str(folder / "tokenizer.json"), pretty=True)
    return folder / "tokenizer.json"


def test_the_quick_tokenizer_form_encodes_as_the_saved_one(tmp_path):
    """The converter's rewrite of tokenizer.json (merges as "left right" strings, compact) is the same tokenizer: the
    same ids and offsets; rewriting it again changes no byte; a tokenizer whose tokens hold spaces keeps its pairs."""
    from tokenizers import Tokenizer

    chars = sorted(set("▁thegenvasidmoru"))
    merges = [("t", "h"), ("th", "e"), ("▁", "the"), ("g", "e"), ("ge", "n"), ("gen", "e"), ("gene", "v"),
              ("genev", "a"), ("s", "a"), ("sa", "i"), ("sai", "d")]
    tokens = chars + ["".join(m) for m in merges]
    path = _bpe_tokenizer(tmp_path, tokens, merges)
    saved = Tokenizer.from_file(str(path))
    assert isinstance(json.loads(path.read_text())["model"]["merges"][0], list)  # tokenizers saves pairs
    convert.quick_tokenizer(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["model"]["merges"][:2] == ["t h", "th e"] and "\n" not in path.read_text(encoding="utf-8")
    quick = Tokenizer.from_file(str(path))
    for text in ("the geneva said", "said the genevas ", "thegeneva", "  the", "xyz the"):
        a, b = saved.encode(text), quick.encode(text)
        assert (a.ids, a.offsets) == (b.ids, b.offsets), text
    assert quick.encode("the geneva the").tokens == ["the", "▁", "geneva", "▁the"]  # the merges applied
    once = path.read_bytes()
    convert.quick_tokenizer(path)
    assert path.read_bytes() == once

    spaced = tmp_path / "spaced"
    spaced.mkdir()
    path = _bpe_tokenizer(spaced, ["a", " ", "a ", "b"], [("a", " ")])
    convert.quick_tokenizer(path)
    assert json.loads(path.read_text(encoding="utf-8"))["model"]["merges"] == [["a", " "]]
    assert Tokenizer.from_file(str(path)).encode("a").ids


# ---- with the pulled default model -----------------------------------------------------------------------------
MODEL = store.DEFAULT_MODEL
needs_model = pytest.mark.skipif(not store.is_ready(MODEL),
                                 reason=f"model {MODEL} is not pulled: run `mtaudit models pull {MODEL}`")

# (text) pairs a news audit feeds the tokenizer: Chinese sources, German and English targets, odd spacing, specials
TOKENIZER_CASES = [
    "The minister said on Tuesday that the talks in Geneva would resume next week.",
    "  Edited by A by B\n\nVia Sputnik/.../Paul Reuters",
    "中国国家主席习近平周二在北京会见了来访的法国总统。",
    "Zürich – «Straße» 1.000,5 € für die Bürger*innen, sagte Müller am 3. März.",
    "Translate the following Chinese news text into English.\n\nChinese: 新华社北京12月1日电\nEnglish: ",
    "non\u00a0breaking\u200b space\tand tab",
    "<bos> and <eos> written as text",
    "",
]


@needs_model
def test_the_fast_tokenizer_encodes_as_transformers_does():
    from transformers import AutoTokenizer

    path = store.model_path(MODEL)
    reference = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    fast = loading.read_in_background(path, MODEL).result().tokenizer
    assert (fast.bos_token_id, fast.eos_token_id, fast.pad_token_id) == \
        (reference.bos_token_id, reference.eos_token_id, reference.pad_token_id)
    for text in TOKENIZER_CASES:
        for special in (False, True):
            a = reference(text, add_special_tokens=special, return_offsets_mapping=True)
            b = fast(text, add_special_tokens=special, return_offsets_mapping=True)
            assert b["input_ids"] == a["input_ids"], text
            assert [tuple(o) for o in b["offset_mapping"]] == [tuple(o) for o in a["offset_mapping"]], text

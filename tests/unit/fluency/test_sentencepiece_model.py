"""The SentencePiece copy of a BPE tokenizer (``mtaudit.fluency.sentencepiece_model``): made only of a tokenizer of
SentencePiece's shape, kept only when it encodes as ``tokenizer.json`` does (ids and character offsets)."""
from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SHARED
from test_model_loading import MODEL, SPECIAL, _tokenizer_files, bpe_tokenizer_files, needs_model
from tokenizers import Tokenizer as Backend

from mtaudit.fluency import convert, store
from mtaudit.fluency.convert import agrees
from mtaudit.fluency.sentencepiece_model import SentencePieceTokenizer, derive
from mtaudit.fluency.tokenizer import Tokenizer

CASES = [
    "the minister said on tuesday that talks in geneva would resume next week .",
    " the  minister\tsaid\n\nxi jinping <table>",  # spaces, a tab, added tokens matched as written
    "中国 président «xi» 😀",  # characters known only as bytes: every byte token spans its character
    "<unk> and <bos> written as text, <eos>",
    "reuters,beijing.shanghai",
    "",
]


def _files(folder: Path, **kwargs) -> tuple[bytes, bytes]:
    bpe_tokenizer_files(folder, **kwargs)
    return (folder / "tokenizer.json").read_bytes(), (folder / "tokenizer_config.json").read_bytes()


def test_the_copy_encodes_as_tokenizer_json(tmp_path):
    original, config = _files(tmp_path)
    model = derive(original, config)
    assert model is not None and agrees(model, original, config, count=3000)
    assert derive(original, config) == model  # the same input gives the same bytes
    reference = Tokenizer(Backend.from_str(original.decode()), SPECIAL)
    copy = SentencePieceTokenizer(model, SPECIAL)
    assert (copy.bos_token_id, copy.eos_token_id, copy.pad_token_id, copy.unk_token_id) == (2, 1, 0, 3)
    for text in CASES:
        for special in (False, True):
            a = reference(text, add_special_tokens=special, return_offsets_mapping=True)
            b = copy(text, add_special_tokens=special, return_offsets_mapping=True)
            assert b["input_ids"] == a["input_ids"], text
            assert b["offset_mapping"] == [tuple(o) for o in a["offset_mapping"]], text
            assert copy(text, add_special_tokens=special)["input_ids"] == a["input_ids"]
    pieces = copy.backend.encode(" the minister", out_type=str)
    assert pieces == ["▁the", "▁minister"]  # the merges apply
    spans = copy("中 x", add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    assert spans[:3] == [(0, 1)] * 3  # three byte tokens of one character


def test_offsets_need_no_protobuf(tmp_path):
    """SentencePiece parses its pieces with protobuf, which mtaudit does not depend on: the copy reads their spans
    from the wire format itself, and gives the same offsets in a process where protobuf cannot be imported."""
    original, config = _files(tmp_path)
    (tmp_path / "tokenizer.model").write_bytes(derive(original, config))
    text = "中国 the minister <unk> said"
    want = SentencePieceTokenizer(derive(original, config), SPECIAL)(text, return_offsets_mapping=True)
    code = ("import json, sys; sys.modules['google'] = sys.modules['google.protobuf'] = None\n"
            "from mtaudit.fluency.sentencepiece_model import SentencePieceTokenizer\n"
            f"tok = SentencePieceTokenizer(open({str(tmp_path / 'tokenizer.model')!r}, 'rb').read(), {SPECIAL!r})\n"
            f"print(json.dumps(tok({text!r}, return_offsets_mapping=True)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    got = json.loads(done.stdout)
    assert got["input_ids"] == want["input_ids"] and [tuple(o) for o in got["offset_mapping"]] == want["offset_mapping"]


def test_a_tokenizer_sentencepiece_would_read_otherwise_gets_no_copy(tmp_path):
    """BPE that lists only the merges that built each piece joins " the" as "▁" + "the"; SentencePiece, which
    joins any two pieces whose join is a piece, reads "▁the": the check sees it and the converter writes no copy."""
    original, config = _files(tmp_path, every_split=False)
    model = derive(original, config)
    assert model is not None and not agrees(model, original, config)
    assert convert.sentencepiece_copy(tmp_path) is False and not (tmp_path / "tokenizer.model").exists()
    good = tmp_path / "good"
    good.mkdir()
    _files(good)
    assert convert.sentencepiece_copy(good) is True and (good / "tokenizer.model").read_bytes() == \
        derive(*_files(good))


def _edited(data: bytes, edit) -> bytes:
    tokenizer = json.loads(data)
    edit(tokenizer)
    return json.dumps(tokenizer).encode()


OTHER_SHAPES = {
    "no byte fallback": lambda t: t["model"].update(byte_fallback=False),
    "NFKC normaliser": lambda t: t.update(normalizer={"type": "NFKC"}),
    "byte-level pre-tokeniser": lambda t: t.update(pre_tokenizer={"type": "ByteLevel", "add_prefix_space": False,
                                                                  "trim_offsets": True, "use_regex": True}),
    "no beginning-of-text token": lambda t: t.update(post_processor=None),
    "an added token stripping spaces": lambda t: t["added_tokens"][-1].update(lstrip=True),
    "a missing byte token": lambda t: t["model"]["vocab"].pop("<0x41>"),
}


@pytest.mark.parametrize("edit", OTHER_SHAPES.values(), ids=OTHER_SHAPES.keys())
def test_a_tokenizer_of_another_shape_is_not_copied(tmp_path, edit):
    original, config = _files(tmp_path)
    assert derive(original, config) is not None
    assert derive(_edited(original, edit), config) is None


def test_a_word_level_tokenizer_is_not_copied(tmp_path):
    _tokenizer_files(tmp_path)
    assert derive((tmp_path / "tokenizer.json").read_bytes(), (tmp_path / "tokenizer_config.json").read_bytes()) is None


# ---- the default model's tokenizer -------------------------------------------------------------------------------
NEWS = SHARED / "data" / "mqm" / "wmt21_news_zhen.scores.tsv"


@needs_model
def test_the_default_models_copy_is_the_pinned_one_and_encodes_news_as_tokenizer_json():
    path = store.model_path(MODEL)
    pinned = store.model_spec(MODEL)["converted"]["files"]
    original = (path / "tokenizer.json").read_bytes()
    if hashlib.sha256(original).hexdigest() != pinned["tokenizer.json"]:
        pytest.skip("the pulled tokenizer.json is not the pinned one (another transformers version converted it)")
    config = (path / "tokenizer_config.json").read_bytes()
    model = derive(original, config)
    assert hashlib.sha256(model).hexdigest() == pinned["tokenizer.model"]
    texts = []
    if NEWS.is_file():  # without ../shared, the fixed cases only
        with NEWS.open(encoding="utf-8") as fh:
            for row in list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[::4]:
                texts += [row["source"], row["target"]]
    reference = Tokenizer(Backend.from_str(original.decode()), json.loads(config))
    copy = SentencePieceTokenizer(model, json.loads(config))
    for text in texts + CASES:
        a = reference(text, add_special_tokens=False, return_offsets_mapping=True)
        b = copy(text, add_special_tokens=False, return_offsets_mapping=True)
        assert (b["input_ids"], b["offset_mapping"]) == (a["input_ids"], [tuple(o) for o in a["offset_mapping"]]), text

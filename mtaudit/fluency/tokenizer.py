"""A converted model's tokenizer, built from the checked bytes of one of its files (``TOKENIZERS``): the SentencePiece
copy ``tokenizer.model`` where the converter wrote one (``mtaudit.fluency.sentencepiece_model``, ten times quicker to
parse), else ``tokenizer.json``.

Either is the SentencePiece or ``tokenizers`` object itself, behind the small part of the transformers call interface
the scorer uses (building transformers' own class parses the 33 MB file three times in Python).
"""
from __future__ import annotations

from mtaudit.fluency.sentencepiece_model import FILE as SENTENCEPIECE
from mtaudit.fluency.sentencepiece_model import SentencePieceTokenizer

# The files a converted directory's tokenizer can be built from, the quickest first.
TOKENIZERS = (SENTENCEPIECE, "tokenizer.json")


class Tokenizer:
    """A ``tokenizers.Tokenizer`` answering the calls the scorer makes of a transformers tokenizer:
    ``tok(text, add_special_tokens=..., return_offsets_mapping=...)["input_ids"]`` and the special token ids
    (``sentencepiece_model.SentencePieceTokenizer`` answers the same)."""

    def __init__(self, backend, special: dict[str, str]) -> None:
        self.backend = backend

        def token_id(key: str) -> int | None:
            token = special.get(key)
            return backend.token_to_id(token) if isinstance(token, str) else None

        self.bos_token_id = token_id("bos_token")
        self.eos_token_id = token_id("eos_token")
        self.pad_token_id = token_id("pad_token")
        self.unk_token_id = token_id("unk_token")

    def __call__(self, text: str, add_special_tokens: bool = True, return_offsets_mapping: bool = False) -> dict:
        enc = self.backend.encode(text, add_special_tokens=add_special_tokens)
        out = {"input_ids": list(enc.ids), "attention_mask": list(enc.attention_mask)}
        if return_offsets_mapping:
            out["offset_mapping"] = list(enc.offsets)
        return out


def tokenizer_of(manifest: dict) -> str:
    """The file a converted directory's tokenizer is built from: the first of TOKENIZERS its manifest lists."""
    listed = manifest.get("files", {})
    return next((f for f in TOKENIZERS if f in listed), TOKENIZERS[-1])


def build_tokenizer(fname: str, data: bytearray, special: dict) -> Tokenizer | SentencePieceTokenizer:
    """The tokenizer of a converted directory from the checked bytes of its ``fname`` (one of TOKENIZERS)."""
    if fname == SENTENCEPIECE:
        return SentencePieceTokenizer(data, special)
    from tokenizers import Tokenizer as Backend

    return Tokenizer(Backend.from_str(bytes(data).decode("utf-8")), special)

"""A SentencePiece copy of a model's BPE tokenizer, for a load that parses it ten times faster.

Gemma's ``tokenizer.json`` (262,144 tokens, 514,906 merges) takes the ``tokenizers`` parser about 1 s, holding
Python's lock while torch imports: most of what separates a model load from 2 s (BENCHMARKS.md § Model load). The
same tokenizer written as a SentencePiece model (``tokenizer.model``, a 5 MB protocol buffer) loads in 0.1 s. Gemma's
tokenizer *is* a SentencePiece BPE tokenizer in origin; the converter writes the copy from ``tokenizer.json``
(``derive``), keeps it only when it encodes a set of probe texts exactly as ``tokenizer.json`` does, ids and character
offsets both (``mtaudit.fluency.convert.agrees``), and the manifest hashes it like every other converted file. A
tokenizer of another shape (SmolLM2's byte-level BPE, a word-level test tokenizer) gets no copy and loads from
``tokenizer.json`` as before.

How ``tokenizer.json`` maps onto SentencePiece's BPE: a merge ``a b`` at rank r makes the piece ``ab`` score ``-r``
(the first merge producing a piece gives its score: SentencePiece merges the adjacent pair whose piece scores
highest, ``tokenizers`` the pair listed first); single characters are the starting symbols; a longer piece that no
merge produces is marked unused (BPE could never reach it); ``<0xNN>`` are the byte-fallback pieces; the added tokens
(``<bos>``, ``<start_of_turn>``, runs of newlines, HTML tags) are matched in the text as they are written, as
``tokenizers`` matches them; spaces become ``▁`` and nothing else is normalised. The protocol buffer is written by
hand (four messages, a few fields: no protobuf dependency); the same input gives the same bytes.
"""
from __future__ import annotations

import json
import re
import struct

FILE = "tokenizer.model"
_NORMAL, _UNKNOWN, _USER_DEFINED, _UNUSED, _BYTE = 1, 2, 4, 5, 6
BYTE_PIECE = re.compile(r"<0x[0-9A-F]{2}>")


# ---- writing the model ---------------------------------------------------------------------------------------------
def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int32 fields are written as ten-byte two's complement
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _int(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _bytes(number: int, value: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def _float(number: int, value: float) -> bytes:
    return _varint(number << 3 | 5) + struct.pack("<f", value)


def _shape_error(tokenizer: dict, config: dict) -> str | None:
    """Why ``tokenizer`` (a parsed tokenizer.json) is not a SentencePiece BPE tokenizer, or None when it is."""
    model = tokenizer.get("model") or {}
    if model.get("type") != "BPE" or not model.get("byte_fallback"):
        return "not a BPE model with byte fallback"
    if model.get("dropout") or model.get("continuing_subword_prefix") or model.get("end_of_word_suffix"):
        return "BPE options SentencePiece does not have"
    if tokenizer.get("normalizer") != {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}:
        return "a normaliser other than spaces to ▁"
    split = {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious", "invert": False}
    if tokenizer.get("pre_tokenizer") not in (None, split):  # splitting at spaces is a no-op once they are ▁
        return "a pre-tokeniser"
    if any(a.get("lstrip") or a.get("rstrip") or a.get("single_word") or a.get("normalized")
           for a in tokenizer.get("added_tokens") or []):
        return "added tokens matched other than as written"
    post = tokenizer.get("post_processor")
    bos = config.get("bos_token")
    single = [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]
    if post is None or post.get("type") != "TemplateProcessing" or post.get("single") != single:
        return "special tokens added other than one beginning-of-text token"
    vocab = model.get("vocab") or {}
    if sorted(vocab.values()) != list(range(len(vocab))):
        return "token ids with gaps"
    if sum(1 for piece in vocab if BYTE_PIECE.fullmatch(piece)) != 256:
        return "not the 256 byte-fallback tokens"
    if model.get("unk_token") not in vocab:
        return "no unknown token"
    return None


def derive(tokenizer_json: bytes, tokenizer_config: bytes) -> bytes | None:
    """The SentencePiece model (serialised ``ModelProto``) of a BPE ``tokenizer.json``, or None when the tokenizer is
    not of SentencePiece's shape. Check the result with ``convert.agrees`` before keeping it."""
    tokenizer = json.loads(tokenizer_json)
    config = json.loads(tokenizer_config)
    if _shape_error(tokenizer, config) is not None:
        return None
    model = tokenizer["model"]
    rank: dict[str, int] = {}
    for r, merge in enumerate(model.get("merges") or []):
        left, right = merge.split(" ") if isinstance(merge, str) else merge
        rank.setdefault(left + right, r)
    added = {a["content"] for a in tokenizer.get("added_tokens") or []}
    out = bytearray()
    for piece, _ in sorted(model["vocab"].items(), key=lambda kv: kv[1]):
        score = 0.0
        if piece == model["unk_token"]:
            kind = _UNKNOWN
        elif piece in added:
            kind = _USER_DEFINED
        elif BYTE_PIECE.fullmatch(piece):
            kind = _BYTE
        elif piece in rank:
            kind, score = _NORMAL, -float(rank[piece])
        else:
            kind = _NORMAL if len(piece) == 1 else _UNUSED
        out += _bytes(1, _bytes(1, piece.encode("utf-8")) + _float(2, score) + _int(3, kind))
    trainer = (_int(3, 2)  # model_type BPE
               + _int(4, len(model["vocab"])) + _int(22, 0)  # vocab_size; split_by_whitespace off
               + _int(35, 1)  # byte_fallback
               + _int(40, model["vocab"][model["unk_token"]]) + _int(41, -1) + _int(42, -1) + _int(43, -1))
    normalizer = _bytes(1, b"identity") + _int(3, 0) + _int(4, 0) + _int(5, 1)  # spaces to ▁, nothing else
    return bytes(out + _bytes(2, trainer) + _bytes(3, normalizer))


# ---- reading it ----------------------------------------------------------------------------------------------------
class SentencePieceTokenizer:
    """A SentencePiece model answering the calls the scorer makes of a tokenizer, as ``tokenizer.Tokenizer`` does for
    ``tokenizer.json``: ``tok(text, add_special_tokens=..., return_offsets_mapping=...)`` and the special token ids.
    Offsets are in characters of ``text``, and every byte-fallback token of a character spans that character, as
    ``tokenizers`` gives them."""

    def __init__(self, model: bytes, special: dict[str, str]) -> None:
        import sentencepiece

        self.backend = sentencepiece.SentencePieceProcessor(model_proto=bytes(model))

        def token_id(key: str) -> int | None:
            token = special.get(key)
            if not isinstance(token, str):
                return None
            found = self.backend.piece_to_id(token)
            return found if self.backend.id_to_piece(found) == token else None  # piece_to_id answers unk otherwise

        self.bos_token_id = token_id("bos_token")
        self.eos_token_id = token_id("eos_token")
        self.pad_token_id = token_id("pad_token")
        self.unk_token_id = token_id("unk_token")
        self._unk_text = special.get("unk_token") if self.unk_token_id is not None else None

    def __call__(self, text: str, add_special_tokens: bool = True, return_offsets_mapping: bool = False) -> dict:
        ids = [self.bos_token_id] if add_special_tokens and self.bos_token_id is not None else []
        offsets = [(0, 0)] * len(ids)
        # The unknown token is the one added token SentencePiece will not match in the text (its piece must stay
        # the unknown piece): the text is cut at it, as ``tokenizers`` cuts at every added token.
        unk = self._unk_text
        parts = text.split(unk) if unk and unk in text else [text]
        at = 0
        for k, part in enumerate(parts):
            if k:
                ids.append(self.unk_token_id)
                offsets.append((at, at + len(unk)))
                at += len(unk)
            if not return_offsets_mapping:
                ids += self.backend.encode(part)
            else:
                pieces = _pieces(self.backend.encode(part, return_type="serialized_proto"))
                ids += [p[0] for p in pieces]
                offsets += [(a + at, b + at) for a, b in _char_spans(part, pieces)]
            at += len(part)
        out = {"input_ids": ids, "attention_mask": [1] * len(ids)}
        if return_offsets_mapping:
            out["offset_mapping"] = offsets
        return out


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it."""
    byte = data[pos]
    if byte < 0x80:
        return byte, pos + 1
    value, shift = byte & 0x7F, 7
    while True:
        pos += 1
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos + 1
        shift += 7


def _pieces(data: bytes) -> list[tuple[int, int, int]]:
    """(id, begin, end) of each piece of a serialised ``SentencePieceText`` (field 2, each piece's id, begin and end
    its fields 2, 4 and 5), read from the wire format: SentencePiece's own parsed form needs protobuf, which mtaudit
    does not depend on. Every field either is a varint or has a length (SentencePiece writes no others)."""
    out = []
    pos, size = 0, len(data)
    while pos < size:
        key = data[pos]  # field numbers 1-3: one-byte keys
        length, pos = _read_varint(data, pos + 1)
        if key == 0x12:  # field 2, with a length: one piece
            fields = {}
            at, end = pos, pos + length
            while at < end:
                inner = data[at]
                value, at = _read_varint(data, at + 1)
                if inner & 7 == 2:  # a string (the piece, its surface): skip it
                    at += value
                else:
                    fields[inner >> 3] = value
            out.append((fields.get(2, 0), fields.get(4, 0), fields.get(5, 0)))
            pos = end
        elif key & 7 == 2:
            pos += length
        # a varint field (none is written at the top level today) was read whole as ``length``
    return out


def _char_spans(text: str, pieces: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Character spans of SentencePiece's pieces (it gives UTF-8 byte spans); the leading byte-fallback pieces of a
    character, which come out empty, get that character's span."""
    spans = [(begin, end) for _, begin, end in pieces]
    if len(text) != len(text.encode("utf-8")):
        char = {}
        at = 0
        for i, c in enumerate(text):
            char[at] = i
            at += len(c.encode("utf-8"))
        char[at] = len(text)
        spans = [(char[a], char[b]) for a, b in spans]
    for i in range(len(spans) - 2, -1, -1):
        if spans[i][0] == spans[i][1] == spans[i + 1][0]:
            spans[i] = spans[i + 1]
    return spans

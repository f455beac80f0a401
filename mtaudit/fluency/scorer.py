"""The causal-LM scorer: per-token surprisal of each sentence, with and without the source, batched for CPU.

Everything the model computes is a log-probability of target tokens:

* target-only: ``log p(sentence | preceding sentence)`` (the preceding sentence of the same document, when there is
  one, is unscored context);
* source-conditioned: ``log p(target | translation prompt holding the source)``, scored per segment (the prompt holds
  the whole segment's source) and split back onto sentences by character offsets;
* reverse, only when asked (``reverse=True``, ``audit --adequacy``): ``log p(source | prompt holding the target)`` and
  ``log p(source)``, per segment (``LMScorer._score_reverse``): here the scored tokens are the source's.

Speed comes from: length-sorted batches under a token budget; the shared prompt prefix (instruction and fixed
demonstrations) encoded once and its key/value cache reused by every batch; the vocabulary projection computed only
at the positions that predict a scored token; ``torch.inference_mode``; all cores. Rows longer than the window are
scored in overlapping windows, never dropped. With ``runtime="openvino"`` the forward (body, projection, log-probs)
runs in OpenVINO instead (``mtaudit.fluency.openvino_runtime``), without the prefix cache.
"""
from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from mtaudit.core.document import Category, Document, Finding, Segment, Sentence, Severity
from mtaudit.fluency.norms import Norms, word_spans, word_surprisals
from mtaudit.fluency.runtimes import RUNTIMES
from mtaudit.languages import NAMES, find_pair

LANGUAGES = NAMES  # language names for the prompt

# Closed-class words per target language: an odd-phrasing span whose most surprising word is one of them is reported
# as a grammar slip rather than an unidiomatic choice.
FUNCTION_WORDS = {
    "en": frozenset(
        "a an the of to in on at by for from with as into onto about than that which who whom whose is are was were be "
        "been being am has have had do does did will would shall should can could may might must not and or but if so "
        "it its he she they we you i his her their our my your him them us me this these those there".split()),
    "de": frozenset(
        "der die das den dem des ein eine einer einem einen eines kein keine keinen keinem keiner und oder aber doch "
        "sondern denn dass ob wenn als wie weil da damit obwohl während in im an am auf aus bei beim mit nach von vom "
        "zu zum zur für über unter vor hinter neben zwischen durch gegen ohne um seit bis ab ist sind war waren sei "
        "wäre hat haben hatte hatten habe wird werden wurde wurden worden kann können konnte soll sollen sollte muss "
        "müssen musste will wollen wollte darf dürfen mag möchte nicht auch noch schon nur sich es er sie wir ihr ich "
        "du man sein seine seinen seinem seiner ihre ihren ihrem ihrer dies diese dieser dieses diesem diesen "
        "welche welcher welches was wer wo so sehr".split()),
}


def _sentence_of(segment: Segment, offsets: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """For each token (char offsets into ``segment.target``): the index of the sentence it belongs to, its start
    without leading space (a leading-space token belongs to the word it starts) and its end."""
    starts = [s.start for s in segment.sentences]
    out = []
    for a, b in offsets:
        while a < b - 1 and segment.target[a].isspace():
            a += 1
        out.append((max(0, bisect.bisect_right(starts, a) - 1), a, b))
    return out


@dataclass
class Row:
    """One forward-pass row: ``ids`` = unscored context then scored tokens; the shared prefix is held apart."""

    prefix: tuple[int, ...]
    ids: list[int]
    n_context: int  # >= 1, so every scored token is predicted from a position inside the row
    owner: int  # index of the request this row (or window of it) scores
    offset: int  # index of this row's first scored token within the request's scored tokens


def padded_ids(batch: list[Row], pad: int) -> torch.Tensor:
    """The batch's rows as one ``[rows, width]`` tensor, right-padded with ``pad``."""
    ids = torch.full((len(batch), max(len(r.ids) for r in batch)), pad, dtype=torch.long)
    for i, row in enumerate(batch):
        ids[i, : len(row.ids)] = torch.tensor(row.ids)
    return ids


def scored_positions(batch: list[Row]) -> tuple[list[int], list[int], list[int], list[int]]:
    """Where the batch's scored tokens are predicted: ``(row_idx, col_idx, targets, lengths)``, the row and column of
    the position that predicts each scored token (the one before it), the token, and each row's count of them."""
    row_idx, col_idx, targets, lengths = [], [], [], []
    for i, row in enumerate(batch):
        m = len(row.ids) - row.n_context
        row_idx += [i] * m
        col_idx += range(row.n_context - 1, len(row.ids) - 1)
        targets += row.ids[row.n_context :]
        lengths.append(m)
    return row_idx, col_idx, targets, lengths


@dataclass
class Request:
    """Score ``text[boundary:]`` given ``prefix_text + text[:boundary]``; char offsets are relative to ``text``."""

    prefix_text: str
    text: str
    boundary: int


def fast_bf16(device: torch.device) -> bool:
    """bf16 pays off on GPUs and on CPUs with native bf16 matrix units (AMX or AVX512-BF16); elsewhere it is emulated."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    try:
        return bool(torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported())
    except AttributeError:
        return False


# A preceding sentence at least this similar to the sentence (normalised Indel similarity of the lower-cased texts,
# 0-100) is a near-copy, not context. Measured: 0.7 % of consecutive lines of clean news reach 60, against 94 % of two
# systems' translations of one source (WMT21 news zh-en).
CONTEXT_SIMILARITY = 60
CONTEXT_LOOKBACK = 20


def near_copy(a: str, b: str, threshold: float = CONTEXT_SIMILARITY) -> bool:
    from rapidfuzz import fuzz

    return fuzz.ratio(a.lower(), b.lower(), score_cutoff=threshold) >= threshold


class LMScorer:
    """Scores sentences with a local causal language model (see module docstring)."""

    name = "fluency"
    context_similarity = CONTEXT_SIMILARITY  # above 100: every preceding sentence is context (no near-copy check)

    def __init__(
        self,
        model_dir: str | Path,
        model_id: str,
        checksum: str,
        device: str | None = None,
        dtype: str = "auto",
        context: str = "previous",
        shots: int = 0,
        source: bool = True,
        batch_tokens: int | None = None,
        window: int = 512,
        threads: int | None = None,
        norms: Norms | dict[str, Norms] | None = None,
        max_findings: int = 2,
        reuse_prefix: bool = True,
        target_pass: str = "always",
        reverse: bool = False,
        runtime: str = "torch",
        kept_ids: Sequence[int] | None = None,
        kept_vocab: int | None = None,  # the vocabulary size kept_ids were built for (None: any)
        checked=None,  # a Future of a checked converted directory (mtaudit.fluency.loading), from load_scorer
    ) -> None:
        self.model_id = model_id
        self.checksum = checksum
        self.context = context
        self.shots = shots
        self.source = source
        # Tokens per forward batch (padding included). OpenVINO computes the logits of a batch's scored positions at
        # once (the eager head goes 256 at a time): at 512 tokens it ran as fast as at 2,048 on WMT21 news, with a
        # peak RSS of 4.1 GB instead of 6.5 (BENCHMARKS.md).
        self.batch_tokens = batch_tokens or (512 if runtime == "openvino" else 2048)
        self.window = window
        # surprisal norms per target language (a single Norms object serves every language)
        self.norms = norms
        self.max_findings = max_findings
        self.reuse_prefix = reuse_prefix
        # "always": every sentence gets the target-only pass; "without-source": only sentences whose segment has no
        # source (the source-conditioned pass alone scores the others: faster; their odd phrasing is judged given the
        # source)
        if target_pass not in ("always", "without-source"):
            raise ValueError(f"target_pass must be 'always' or 'without-source', not {target_pass!r}")
        self.target_pass = target_pass
        # the reverse pass (``audit --adequacy``): where a segment has its source, also score the source given the
        # translation, log p(source | target), and the source alone (``_score_reverse``)
        self.reverse = reverse
        # which documents get it (None: every one with a source); the Auditor leaves out those whose risk model does
        # not weigh it
        self.reverse_for: Callable[[Document], bool] | None = None
        # "torch": the model runs in eager PyTorch; "openvino": the forward (decoder stack, vocabulary projection at the
        # scored positions, log-probs) runs in OpenVINO (mtaudit.fluency.openvino_runtime), exported once and cached
        # beside the weights; CPU only
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}")
        self.runtime = runtime
        if threads is None:
            threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        torch.set_num_threads(threads)
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        if dtype == "auto":
            dtype = "bfloat16" if fast_bf16(self.device) else "float32"
        self.dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]
        if checked is not None:
            # a converted directory whose files a thread reads and checks (mtaudit.fluency.loading) while the main
            # thread imports torch (and, for a model mtaudit does not run natively, transformers' model code)
            from mtaudit.fluency import decoders

            files = checked.result()
            self.tokenizer = files.tokenizer
            decoder = decoders.build(files, self.dtype)
        else:
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as hf_logging

            from mtaudit.fluency.decoders import TransformersDecoder

            hf_logging.disable_progress_bar()  # a "Loading weights" bar on every audit is noise in logs and pipelines
            self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
            decoder = TransformersDecoder(AutoModelForCausalLM.from_pretrained(
                str(model_dir), local_files_only=True, use_safetensors=True, trust_remote_code=False, dtype=self.dtype
            ))
        if runtime == "openvino" and self.device.type != "cpu":
            raise ValueError(f"runtime 'openvino' runs on the CPU only, not on {self.device}")
        # the decoder interface (mtaudit.fluency.decoders): hidden states after an optional cached prompt prefix
        self.decoder = decoder.to(self.device)
        tok = self.tokenizer
        self.bos = [tok.bos_token_id] if tok.bos_token_id is not None else [tok.eos_token_id]
        self.pad = tok.pad_token_id if tok.pad_token_id is not None else 0
        self._prefix_cache: dict[tuple[int, ...], object] = {}
        # The head: log-probs over the whole vocabulary, or over the ids the supported languages' text can use
        # (``kept_ids``: the registered model's pinned set, mtaudit.fluency.heads.PrunedHead)
        from mtaudit.fluency.heads import FullHead, PrunedHead

        if kept_ids is None or (kept_vocab is not None and kept_vocab != self.decoder.vocab_size):
            # no list, or a list built for another vocabulary (a folder named like a registered model, holding
            # other weights): every id is scored
            self.head = FullHead(self.decoder)
        else:
            kept = torch.as_tensor(np.asarray(kept_ids), dtype=torch.long)
            self.head = PrunedHead(self.decoder, kept).to(self.device)
        self.openvino = None
        if runtime == "openvino":
            from mtaudit.fluency.openvino_runtime import OpenVINOModel, export_folder

            # The exported graph has no KV cache: the shared prompt head goes into every row (1.5 % more tokens on news).
            self.reuse_prefix = False
            self.openvino = OpenVINOModel(self.decoder, export_folder(Path(model_dir)), checksum, threads, self.dtype,
                                          self.head)
        # trained quality estimators (mtaudit.fluency.estimator) of this model, one per language pair at most
        self.estimators: list = []

    # ---- public -------------------------------------------------------------------------------------------
    def estimator_layers(self) -> list[int]:
        """The decoder layers the trained estimators read: an OpenVINO export always keeps them, so that one export
        serves both passes."""
        return sorted({e.layer for e in self.estimators})

    def score(self, documents: Sequence[Document]) -> None:
        """Fill ``fluency``, ``scores`` and odd-phrasing findings for every sentence of every document."""
        skip_sourced = self.source and self.target_pass == "without-source"
        pairs = [(s, doc.target_lang) for doc in documents for s in doc.sentences()
                 if not (skip_sourced and s.segment.source)]
        target = self._target_logprobs(documents, [s for s, _ in pairs])
        word_logprobs = {}  # id(sentence) -> target-only log-prob of each word, for the source pass's PMI
        for (sentence, lang), (offsets, lps) in zip(pairs, target):
            word_logprobs[id(sentence)] = self._fill_target(sentence, offsets, lps, lang)
        if not self.source:
            return
        segments = [(doc, seg) for doc in documents for seg in doc.segments if seg.source and seg.sentences]
        if not segments:
            return
        src_requests, leads = [], []
        for doc, seg in segments:
            head, body = self.prompt(seg.source, doc.source_lang, doc.target_lang)
            target = seg.target.lstrip()
            leads.append(len(seg.target) - len(target))
            src_requests.append(Request(head, body + target, len(body)))
        # The estimator reads one layer's states from this same pass; they are kept only when a segment needs them.
        chosen = [self.estimator_for(doc) for doc, _ in segments]
        layers = sorted({e.layer for e in chosen if e is not None})
        for (doc, seg), lead, estimator, result in zip(segments, leads, chosen,
                                                       self.logprobs(src_requests, layers)):
            # each token's sentence, placed once for both the log-probs and the estimator's mass
            placed = _sentence_of(seg, [(a + lead, b + lead) for a, b in result[0]])
            norms = self.norms_for(doc.target_lang)
            given_source = self._fill_source(seg, placed, result[1], word_logprobs, norms)
            for sentence, words_z in zip(seg.sentences, given_source):
                if words_z is not None and id(sentence) not in word_logprobs:  # one pass: its odd phrasing
                    sentence.findings.extend(self.odd_phrasing(sentence.text, *words_z, norms, doc.target_lang,
                                                               given_source=True))
            if estimator is not None:
                states = result[2][:, layers.index(estimator.layer)]
                self._fill_estimator(seg, placed, estimator.token_mass(states, result[1], result[3]))
        if self.reverse:
            self._score_reverse([(doc, seg) for doc, seg in segments
                                 if self.reverse_for is None or self.reverse_for(doc)])

    def _score_reverse(self, segments: Sequence[tuple[Document, Segment]]) -> None:
        """The reverse pass: how well each translation explains its source.

        The source-conditioned pass asks how likely the translation is given the source; a fluent translation that
        drops a clause or gets a name wrong can still be likely. The reverse pass scores the *source* under a prompt
        that asks to translate the target back, ``log p(source | target)``: for the translations of one source the
        scored tokens are the same, so the figure compares them directly, and what a translation leaves out or
        changes makes the source less expected. The source alone, ``log p(source)``, is scored too, so that the
        pointwise mutual information ``log p(source | target) - log p(source)`` takes out how hard the source itself
        is to predict. Per sentence of the segment (a sentence has no source of its own: the segment's figures):
        ``rev_logprob_mean`` and ``rev_pmi_mean`` (per source token), and ``rev_logprob_sum`` split over the
        sentences by their share of the target's characters, so that it adds up to the segment's sum.
        """
        requests = []
        for doc, seg in segments:
            source = " ".join(seg.source.split())
            head, body = self.prompt(seg.target, doc.target_lang, doc.source_lang)
            requests.append(Request(head, body + source, len(body)))
            requests.append(Request("", source, 0))
        results = self.logprobs(requests) if requests else []
        for k, (_, seg) in enumerate(segments):
            back, alone = results[2 * k][1], results[2 * k + 1][1]
            if not len(back):
                continue
            total = float(np.sum(back))
            pmi = (total - float(np.sum(alone))) / len(back)
            chars = [sum(not c.isspace() for c in s.text) for s in seg.sentences]
            whole = sum(chars) or 1
            for sentence, n in zip(seg.sentences, chars):
                sentence.scores["rev_logprob_sum"] = total * n / whole
                sentence.scores["rev_logprob_mean"] = total / len(back)
                sentence.scores["rev_pmi_mean"] = pmi

    def surprisals(self, documents: Sequence[Document]) -> list[np.ndarray]:
        """The surprisal (nats) of each word (``norms.word_spans``) of every sentence of every document, in order, from
        the target-only pass as ``score`` runs it (each sentence after its preceding sentence); fills nothing. For
        judging the same surprisals against other norms (``odd_phrasing``)."""
        sentences = [s for doc in documents for s in doc.sentences()]
        return [word_surprisals(word_spans(s.text), offsets, -lps, s.text)
                for s, (offsets, lps) in zip(sentences, self._target_logprobs(documents, sentences))]

    def warm_up(self) -> None:
        """Run batches of the largest size the token budget allows and drop the results, so that a long-running process
        (``mtaudit watch``) pays for its runtime's first batches before its first file instead of in it.

        OpenVINO builds its kernels for several rows, and sizes its buffers for the most scored positions, on the first
        batches that need them: the first article of a process took 5.5-6 s where the next took 3.7-4.2 s, and 3.8 s
        after this (BENCHMARKS.md § A hot folder). Two row widths and half of each row scored cover what real batches
        bring. PyTorch's first batch costs less extra (about 1 s of 7), and one width is enough for it: a 2,048-token
        batch takes it 3-4 s, which a second width would add to the start-up for nothing measurable."""
        words = self.tokenizer("The minister said on Tuesday that talks would resume next week in Geneva.",
                               add_special_tokens=False)["input_ids"]
        layers = self.estimator_layers()
        with torch.inference_mode():
            for width in (64, 256) if self.openvino is not None else (64,):
                width = min(width, self.window or width, self.batch_tokens)
                ids = list(self.bos) + (words * (width // len(words) + 1))[: width - len(self.bos)]
                rows = [Row((), ids, width // 2, k, 0) for k in range(max(1, self.batch_tokens // width))]
                self.forward(rows, layers)

    def estimator_for(self, doc: Document):
        """The trained estimator for the document's language pair, or None (the risk model then falls back)."""
        for estimator in self.estimators:
            if estimator.applies(doc.source_lang, doc.target_lang):
                return estimator
        return None

    # ---- prompts and contexts ----------------------------------------------------------------------------
    def prompt(self, source: str, source_lang: str | None, target_lang: str | None) -> tuple[str, str]:
        """(shared head, per-segment body); the target text (without leading space) follows the body directly."""
        src_code = (source_lang or "zh").split("-")[0].lower()
        tgt_code = (target_lang or "en").split("-")[0].lower()
        src_name = LANGUAGES.get(src_code, src_code)
        tgt_name = LANGUAGES.get(tgt_code, tgt_code)
        head = f"Translate the following {src_name} news text into {tgt_name}.\n\n"
        pair = find_pair(src_code, tgt_code) if self.shots else None
        # demonstrations of the pair (mtaudit/languages/pairs.toml), written for this project
        for demo_src, demo_tgt in (pair.demos if pair else ())[: self.shots]:
            head += f"{src_name}: {demo_src}\n{tgt_name}: {demo_tgt}\n\n"
        # The body ends with a space so the target's first word is tokenised as it would be mid-text ("▁The").
        return head, f"{src_name}: {' '.join(source.split())}\n{tgt_name}: "

    def contexts(self, documents: Sequence[Document]) -> dict[int, str]:
        """The preceding sentence of the same document (its text plus a space) for every sentence that has one.

        A preceding sentence that is a near-copy of the sentence (several systems' outputs of one source in a row, a
        repeated sentence, a damaged twin) is not context: the model would copy from it and find the sentence far
        more fluent than it is. The nearest earlier sentence that is not a near-copy stands in (in a file of system
        outputs, the last output for the previous source), up to ``CONTEXT_LOOKBACK`` sentences back; else none.
        """
        if self.context != "previous":
            return {}
        out = {}
        for doc in documents:
            earlier: list[str] = []
            for s in doc.sentences():
                text = s.text.strip()
                for candidate in reversed(earlier[-CONTEXT_LOOKBACK:]):
                    if candidate and not near_copy(candidate, text, self.context_similarity):
                        out[id(s)] = candidate + " "
                        break
                earlier.append(text)
        return out

    def _target_logprobs(self, documents: Sequence[Document], sentences: Sequence[Sentence]) -> list[tuple]:
        """The target-only pass over ``sentences`` of ``documents``: ``(offsets, logprobs)`` per sentence."""
        contexts = self.contexts(documents)
        requests = [Request("", contexts.get(id(s), "") + s.text, len(contexts.get(id(s), ""))) for s in sentences]
        return self.logprobs(requests) if requests else []

    # ---- filling the data model ------------------------------------------------------------------------
    def norms_for(self, lang: str | None) -> Norms | None:
        """The surprisal norms of a target language (None: no odd-phrasing findings for it)."""
        if isinstance(self.norms, dict):
            return self.norms.get(lang or "en")
        return self.norms

    def _fill_target(self, sentence: Sentence, offsets: list[tuple[int, int]], lps: np.ndarray,
                     lang: str | None = "en") -> np.ndarray:
        """Fill the target-only scores and odd-phrasing findings; returns each word's log-probability."""
        text = sentence.text
        n = len(lps)
        total = float(lps.sum()) if n else 0.0
        sentence.scores["lm_logprob_sum"] = total
        sentence.scores["lm_logprob_mean"] = total / n if n else 0.0
        sentence.scores["lm_tokens"] = float(n)
        sentence.fluency = sentence.scores["lm_logprob_mean"]
        words = word_spans(text)
        surprisal = word_surprisals(words, offsets, -lps, text)
        norms = self.norms_for(lang)
        if norms is not None and words:
            z = norms.word_z(text, words, surprisal)
            sentence.scores["lm_word_z_max"] = float(max(z)) if len(z) else 0.0
            sentence.findings.extend(self.odd_phrasing(text, words, z, norms, lang))
        return -surprisal

    def odd_phrasing(self, text: str, words: list[tuple[int, int]], z: np.ndarray, norms: Norms,
                      lang: str | None = "en", given_source: bool = False) -> list[Finding]:
        """Word runs whose surprisal, relative to words of the same frequency in clean news, is rare in clean news.

        ``given_source``: ``z`` comes from the source-conditioned pass (a one-pass audit), judged against the same
        norms and thresholds. The source makes a faithful translation's words more expected than the target alone
        does, so fewer runs cross them, and those that do are unexpected even to a reader of the source (WMT23 zh-en
        dev news: 6 findings, all on a rater's span, against 26 and 21 from the target-only pass; BENCHMARKS.md § One
        pass under the shipped recipe). Measured for English targets only."""
        spans = [[first, last, score] for first, last, score in norms.runs(text, words, z) if score >= norms.minor]
        merged: list[list] = []
        for span in spans:
            if merged and span[0] <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], span[1])
                merged[-1][2] = max(merged[-1][2], span[2])
            else:
                merged.append(span)
        merged.sort(key=lambda s: -s[2])
        findings = []
        scored = norms.scored_words(text, words) if merged else []
        for first, last, score in merged[: self.max_findings]:
            start, end = words[first][0], words[last][1]
            major = score >= norms.major
            phrase = text[start:end]
            # When the most surprising word is a closed-class word (an article, preposition, auxiliary...), the run is
            # more often a grammar slip (a dropped or misplaced function word) than an unidiomatic choice.
            inside = [i for i in scored if first <= i <= last]
            worst = max(inside, key=lambda i: z[i])
            grammatical = text[words[worst][0] : words[worst][1]].lower() in FUNCTION_WORDS.get(lang or "en", ())
            findings.append(
                Finding(
                    detector=self.name,
                    category=Category.GRAMMAR if grammatical else Category.AWKWARD,
                    severity=Severity.MAJOR if major else Severity.MINOR,
                    start=start,
                    end=end,
                    message=(
                        f"unusual phrasing: the language model{' reading the source' if given_source else ''} "
                        f"finds {phrase!r} far more surprising than clean news "
                        f"(strength {score:.1f}; {'major' if major else 'minor'} above {norms.major if major else norms.minor:.1f})"
                    ),
                    confidence=norms.confidence(score),
                )
            )
        findings.sort(key=lambda f: f.start)
        return findings

    @staticmethod
    def _fill_estimator(segment: Segment, placed: list[tuple[int, int, int]], mass: np.ndarray) -> None:
        """Each sentence's ``src_estimator_sum``: the estimator's error mass summed over its tokens (``placed``: each
        token's sentence and span, from ``_sentence_of``)."""
        totals = [0.0] * len(segment.sentences)
        for (k, _, _), value in zip(placed, mass):
            totals[k] += float(value)
        for sentence, total in zip(segment.sentences, totals):
            sentence.scores["src_estimator_sum"] = total

    @staticmethod
    def _fill_source(segment: Segment, placed: list[tuple[int, int, int]], lps: np.ndarray,
                     word_logprobs: dict[int, np.ndarray] | None = None, norms: Norms | None = None
                     ) -> list[tuple[list, np.ndarray] | None]:
        """Split the segment's source-conditioned token log-probs onto its sentences (``placed``: each token's
        sentence and span, from ``_sentence_of``). Returns, per sentence, its words and their surprisal z-scores
        given the source (None without norms or words): a one-pass audit's odd phrasing.

        Also the log-probability of the word the source makes least expected (``src_word_logprob_min``: a wrong name
        or number stands out where the mean over the sentence dilutes it) and, where the sentence's target-only word
        log-probs are known, the pointwise mutual information between source and target, ``log p(target | source) -
        log p(target | preceding sentence)``: in total (``src_pmi_sum``), per token (``src_pmi_mean``) and for the word
        the source supports least (``src_pmi_word_min``). Fluent but unfaithful words (a mistranslated name, an added
        clause) are likely text yet gain little from the source. With the target language's ``norms``, also the
        largest surprisal z-score of a word given the source (``src_word_z_max``, against the target-only norms: a
        signal of the one pass ``--fast`` keeps).
        """
        given_source: list[tuple[list, np.ndarray] | None] = [None] * len(segment.sentences)
        per_sentence: list[tuple[list, list]] = [([], []) for _ in segment.sentences]
        for (k, a, b), lp in zip(placed, lps):
            per_sentence[k][0].append((a, b))
            per_sentence[k][1].append(float(lp))
        for k, (sentence, (spans, values)) in enumerate(zip(segment.sentences, per_sentence)):
            n = len(values)
            total = float(sum(values))
            sentence.scores["src_logprob_sum"] = total
            sentence.scores["src_logprob_mean"] = total / n if n else 0.0
            sentence.scores["src_tokens"] = float(n)
            if not n:
                continue
            text = sentence.text
            words = word_spans(text)
            source_words = None
            if words:  # the word-level signals come from this pass alone, so a one-pass audit has them too
                shifted = [(max(0, a - sentence.start), max(0, b - sentence.start)) for a, b in spans]
                source_words = -word_surprisals(words, shifted, -np.asarray(values), text)
                sentence.scores["src_word_logprob_min"] = float(np.min(source_words))
                if norms is not None:
                    z = norms.word_z(text, words, -source_words)
                    given_source[k] = (words, z)
                    sentence.scores["src_word_z_max"] = float(max(z)) if len(z) else 0.0
            target_words = (word_logprobs or {}).get(id(sentence))
            if target_words is None:
                continue
            pmi = total - sentence.scores["lm_logprob_sum"]
            sentence.scores["src_pmi_sum"] = pmi
            sentence.scores["src_pmi_mean"] = pmi / n
            if source_words is not None and len(source_words) == len(target_words):
                sentence.scores["src_pmi_word_min"] = float(np.min(source_words - target_words))
        return given_source

    # ---- the model -------------------------------------------------------------------------------------
    def encode(self, request: Request) -> tuple[tuple[int, ...], list[int], int, list[tuple[int, int]]]:
        """Tokenise; return (shared prefix ids, row ids, number of unscored ids, char offsets of scored ids)."""
        tok = self.tokenizer
        head = list(self.bos) + (tok(request.prefix_text, add_special_tokens=False)["input_ids"] if request.prefix_text else [])
        enc = tok(request.text, add_special_tokens=False, return_offsets_mapping=True)
        ids, offsets = enc["input_ids"], enc["offset_mapping"]
        # A token belongs to the scored part when it ends after the boundary (a leading-space token such as
        # "▁The" starts on the space before the first scored word).
        k = 0
        while k < len(ids) and offsets[k][1] <= request.boundary:
            k += 1
        scored_offsets = [(max(a, request.boundary) - request.boundary, b - request.boundary) for a, b in offsets[k:]]
        if not self.reuse_prefix:
            return (), head + ids, len(head) + k, scored_offsets
        # The last prefix token moves into the row so that the first scored token is predicted inside the row.
        return tuple(head[:-1]), head[-1:] + ids, 1 + k, scored_offsets

    def logprobs(self, requests: Sequence[Request], layers: Sequence[int] = ()) -> list[tuple]:
        """Log-probability (natural log) of every scored token of every request, with the tokens' char offsets:
        ``(offsets, logprobs)`` per request.

        With ``layers`` (1-based decoder layers), each request also gets the hidden states those layers computed at
        its scored tokens' own positions, float32 ``[tokens, len(layers), hidden]``, and the log-probability of the
        model's most likely token at each scored position: ``(offsets, logprobs, states, best)``. They come from the
        same forward pass (a hook on each layer), so reading them costs a copy, not a pass.
        """
        encoded = [self.encode(r) for r in requests]
        rows: list[Row] = []
        for i, (prefix, ids, n_ctx, _) in enumerate(encoded):
            rows.extend(self._windows(prefix, ids, n_ctx, i))
        results = [np.zeros(len(e[1]) - e[2], dtype=np.float64) for e in encoded]
        hidden = self.decoder.hidden_size
        states = [np.zeros((len(r), len(layers), hidden), dtype=np.float32) for r in results] if layers else None
        best = [np.zeros(len(r)) for r in results] if layers else None
        with torch.inference_mode():
            for batch in self._batches(rows):
                lps, extra = self.forward(batch, layers)
                for k, (row, lp) in enumerate(zip(batch, lps)):
                    results[row.owner][row.offset : row.offset + len(lp)] = lp
                    if layers:
                        states[row.owner][row.offset : row.offset + len(lp)] = extra[k][0]
                        best[row.owner][row.offset : row.offset + len(lp)] = extra[k][1]
        if layers:
            return [(e[3], r, st, b) for e, r, st, b in zip(encoded, results, states, best)]
        return [(e[3], r) for e, r in zip(encoded, results)]

    def _windows(self, prefix: tuple[int, ...], ids: list[int], n_ctx: int, owner: int) -> list[Row]:
        room = self.window - len(prefix)
        if len(ids) <= room or room < 16:
            return [Row(prefix, ids, n_ctx, owner, 0)]
        # Too long: score the tokens in chunks of half a window, each chunk preceded by as much of the text before
        # it as fits. The far-left context (for a huge segment, part of the prompt) is what is given up.
        rows, step, start = [], room // 2, n_ctx
        while start < len(ids):
            end = min(start + step, len(ids))
            left = max(0, end - room)
            rows.append(Row(prefix, ids[left:end], start - left, owner, start - n_ctx))
            start = end
        return rows

    def _batches(self, rows: list[Row]) -> list[list[Row]]:
        """Group by shared prefix, sort by length, and cut into batches under the token budget."""
        ordered = sorted(rows, key=lambda r: (r.prefix, len(r.ids)))
        batches, current = [], []
        for row in ordered:
            width = len(row.ids)
            if current and (row.prefix != current[0].prefix or width * (len(current) + 1) > self.batch_tokens):
                batches.append(current)
                current = []
            current.append(row)
        if current:
            batches.append(current)
        return batches

    def _prefix_state(self, prefix: tuple[int, ...]):
        if prefix not in self._prefix_cache:
            state = self.decoder.prefill(prefix)
            self._prefix_cache.clear()  # one live prompt at a time keeps memory flat
            self._prefix_cache[prefix] = state
        return self._prefix_cache[prefix]

    def forward(self, batch: list[Row], layers: Sequence[int] = ()) -> tuple[list[np.ndarray], list[tuple]]:
        """The model on one batch of rows (``logprobs`` cuts them; ``warm_up`` makes its own): each row's scored
        log-probs and, for ``layers``, ``(states, best)`` per row: the hidden states at its scored tokens and the
        log-probability of the most likely token at each scored position (else [])."""
        ids = padded_ids(batch, self.pad)
        # Only the positions that predict a scored token go through the vocabulary projection.
        row_idx, col_idx, targets, lengths = scored_positions(batch)
        if self.openvino is not None:
            kept = sorted({*layers, *self.estimator_layers()})
            values, top, states = self.openvino(ids.numpy(), row_idx, col_idx, targets, layers, kept)
        else:
            values, top, states = self._eager(batch, ids, row_idx, col_idx, targets, layers)
        cuts = np.cumsum(lengths)[:-1]
        values = values.astype(np.float64)
        if not layers:
            return list(np.split(values, cuts)), []
        return list(np.split(values, cuts)), list(zip(np.split(states, cuts), np.split(top, cuts)))

    def _eager(self, batch: list[Row], ids: torch.Tensor, row_idx: list[int], col_idx: list[int], targets: list[int],
               layers: Sequence[int]) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """The forward in PyTorch: log-probs of ``targets`` predicted at ``(row_idx, col_idx)`` and, for ``layers``,
        the best token's log-prob there and the states after those layers at the targets' own positions."""
        # Rows are padded on the right and attention is causal, so no real token ever sees a pad.
        prefix = self._prefix_state(batch[0].prefix) if batch[0].prefix else None
        hidden, captured = self.decoder(ids.to(self.device), prefix, layers)
        picked = hidden[torch.tensor(row_idx, device=self.device), torch.tensor(col_idx, device=self.device)]
        target_t = torch.tensor(targets, device=self.device)
        out = torch.empty(len(targets), dtype=torch.float32)
        top = torch.empty(len(targets), dtype=torch.float32) if layers else None
        for a in range(0, len(targets), 256):
            lp, most = self.head(picked[a : a + 256], target_t[a : a + 256], best=top is not None)
            out[a : a + 256] = lp.cpu()
            if top is not None:
                top[a : a + 256] = most.cpu()
        if not layers:
            return out.numpy(), None, None
        # a scored token's own position is one after the position that predicts it
        rows_t = torch.tensor(row_idx, device=self.device)
        own = torch.tensor(col_idx, device=self.device) + 1
        states = torch.stack([captured[layer][rows_t, own] for layer in layers], dim=1).float().cpu().numpy()
        return out.numpy(), top.numpy(), states

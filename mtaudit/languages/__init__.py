"""Languages and language pairs: what mtaudit knows about each language, which pairs it audits, and how a document's
pair is decided.

Everything language-specific that is not a detector's own data lives in data files beside this module:
``<code>.toml`` per language (sentence-splitting exceptions, quotation marks, deliberate doubled words...) and
``pairs.toml`` (the supported pairs, each with its risk model and prompt demonstrations). Detectors keep their
per-language data in ``mtaudit/detectors/data/<code>/`` (English data sits at the top of that folder). Adding a
language pair is adding these files; docs/languages.md says which.

A document's pair comes from, in order: ``--langs SRC-TGT``; the file's own metadata (XLIFF source-language /
target-language or srcLang / trgLang, TMX srclang and xml:lang, PO Language:, HTML lang); detection from the text
(py3langid, whose model ships inside its PyPI package). A document in a target language without a known source
language takes the target's default pair.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from mtaudit.core.errors import InputError, UsageError
from mtaudit.core.text import HAN

# ISO 639-2/3 and other spellings of the codes readers meet in files.
_ALIASES = {"eng": "en", "deu": "de", "ger": "de", "zho": "zh", "chi": "zh", "cmn": "zh", "fra": "fr", "fre": "fr",
            "spa": "es", "ita": "it", "por": "pt", "nld": "nl", "dut": "nl", "rus": "ru", "jpn": "ja", "kor": "ko"}
# Language names for messages and the model's prompt.
NAMES = {
    "zh": "Chinese", "en": "English", "de": "German", "fr": "French", "ru": "Russian", "ja": "Japanese",
    "es": "Spanish", "it": "Italian", "pt": "Portuguese", "ko": "Korean", "ar": "Arabic", "cs": "Czech",
    "pl": "Polish", "uk": "Ukrainian", "tr": "Turkish", "nl": "Dutch", "sv": "Swedish", "da": "Danish",
    "fi": "Finnish", "hu": "Hungarian", "ro": "Romanian", "el": "Greek", "he": "Hebrew", "hi": "Hindi",
    "vi": "Vietnamese", "id": "Indonesian", "th": "Thai", "no": "Norwegian", "et": "Estonian", "lt": "Lithuanian",
    "lv": "Latvian", "bg": "Bulgarian", "hr": "Croatian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian",
}
_CODE = re.compile(r"^[a-z]{2,3}$")


def normalise(code: str | None) -> str | None:
    """A two-letter language code from what a file or a user wrote: "de-DE" -> "de", "zho" -> "zh", "" -> None."""
    if not code:
        return None
    base = re.split(r"[-_@.]", code.strip().lower(), maxsplit=1)[0]
    base = _ALIASES.get(base, base)
    return base if _CODE.match(base) else None


# ---- languages -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    """One language's data file (``<code>.toml``)."""

    code: str
    name: str
    wordfreq: str
    splitting: dict = field(default_factory=dict)
    quotes: dict = field(default_factory=dict)
    repetition: dict = field(default_factory=dict)
    numbers: dict = field(default_factory=dict)
    register: dict = field(default_factory=dict)
    norms: dict = field(default_factory=dict)

    @property
    def pysbd(self) -> str:
        return self.splitting.get("pysbd", "en")


@lru_cache(maxsize=None)
def language(code: str | None) -> Language:
    """The data of language ``code``; a language without a data file gets English's splitting and quotation rules
    under its own code and name (the least bad default for a Latin-script language)."""
    code = normalise(code) or "en"
    path = resources.files("mtaudit.languages").joinpath(f"{code}.toml")
    if not path.is_file():
        base = language("en")
        return Language(code, NAMES.get(code, code), code, base.splitting, base.quotes, base.repetition)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Language(code=data["code"], name=data["name"], wordfreq=data.get("wordfreq", code),
                    splitting=data.get("splitting", {}), quotes=data.get("quotes", {}),
                    repetition=data.get("repetition", {}), numbers=data.get("numbers", {}),
                    register=data.get("register", {}), norms=data.get("norms", {}))


# ---- pairs ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """A supported language pair: source and target codes, its risk model file, prompt demonstrations."""

    source: str
    target: str
    risk_model: str
    demos: tuple[tuple[str, str], ...] = ()
    generic: bool = False  # a source language with the generic source checks only (see pairs.toml)

    @property
    def key(self) -> str:
        return f"{self.source}-{self.target}"


@lru_cache(maxsize=1)
def _table() -> dict:
    return tomllib.loads(resources.files("mtaudit.languages").joinpath("pairs.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def pairs() -> dict[str, Pair]:
    """Every supported pair by key ("zh-en"), the fully supported ones first."""
    table = _table()
    out: dict[str, Pair] = {}
    for key, spec in table.get("pairs", {}).items():
        source, target = key.split("-")
        out[key] = Pair(source, target, spec["risk_model"], tuple(tuple(d) for d in spec.get("demos", ())))
    english = next(p for p in out.values() if p.target == "en")
    for source in table.get("generic", {}).get("into_en", []):
        out.setdefault(f"{source}-en", Pair(source, "en", english.risk_model, generic=True))
    return out


def supported_text() -> str:
    """The supported pairs as one line for messages: "zh-en, en-de (and into en from de, fr, ...)"."""
    full = [k for k, p in pairs().items() if not p.generic]
    generic = [p.source for p in pairs().values() if p.generic]
    shown = ", ".join(generic[:6]) + (", ..." if len(generic) > 6 else "")
    return ", ".join(full) + (f" (and {len(generic)} more languages into en with the generic checks: {shown})"
                              if generic else "")


def default_pair(target: str) -> Pair | None:
    """The pair assumed for a target language when the source language is unknown."""
    spec = _table().get("pairs", {})
    for key, pair in pairs().items():
        if pair.target == target and spec.get(key, {}).get("default_for_target"):
            return pair
    return None


def find_pair(source: str | None, target: str | None) -> Pair | None:
    """The supported pair for these codes (the target's default pair when the source is unknown), or None."""
    source, target = normalise(source), normalise(target)
    if target is None:
        return None
    if source is None:
        return default_pair(target)
    return pairs().get(f"{source}-{target}")


def parse_langs(text: str) -> Pair:
    """``--langs SRC-TGT`` -> its Pair; a malformed or unsupported value is a UsageError naming the supported pairs."""
    parts = [p for p in re.split(r"[-_>:/ ]+", text.strip()) if p]
    codes = [normalise(p) for p in parts]
    if len(parts) != 2 or None in codes:
        raise UsageError(f"--langs {text!r}: write SRC-TGT with language codes, e.g. en-de; supported: "
                         f"{supported_text()}")
    pair = find_pair(*codes)
    if pair is None:
        raise UsageError(f"--langs {text!r}: unsupported language pair {codes[0]}-{codes[1]}; supported: "
                         f"{supported_text()}")
    return pair


# ---- deciding a document's pair -------------------------------------------------------------------------------------


def resolve(doc, given: Pair | None = None) -> Pair:
    """Decide ``doc``'s pair (see the module docstring), set ``doc.source_lang``/``doc.target_lang`` to its codes and
    ``doc.langs_from`` to where they came from; an unsupported pair raises InputError naming the supported ones."""
    if given is not None:
        doc.source_lang, doc.target_lang, doc.langs_from = given.source, given.target, "option"
        return given
    source, target = normalise(doc.source_lang), normalise(doc.target_lang)
    origin = "file" if target else "detected"
    if target is None:
        sample = _sample(s.target for s in doc.segments)
        target = detect(sample)
        if target is not None and default_pair(target) is None and len(_LETTER.findall(sample)) < SHORT_TEXT:
            # a headline or a caption is too short to tell e.g. English from Dutch: of the target languages mtaudit
            # supports, the most likely one
            target = detect(sample, among=tuple({p.target for p in pairs().values()}))
    if source is None and doc.has_source:
        sample = _sample(s.source for s in doc.segments if s.source)
        source = detect(sample)
        if source is not None and source == target and origin == "detected":
            # the target reads like the source: an untranslated document; its pair is the one that source goes into
            target = next((p.target for p in pairs().values() if p.source == source), target)
        elif find_pair(source, target) is None and len(_LETTER.findall(sample)) < SHORT_TEXT:
            among = tuple({p.source for p in pairs().values() if p.target == target})
            source = detect(sample, among=among) if among else source
    if target is None:
        target, origin = "en", "default"  # no letters to go by: the English checks are the least bad
    pair = find_pair(source, target)
    if pair is None:
        what = f"{source}-{target}" if source else f"target language {target}"
        where = {"file": "declared by the file", "detected": "detected from the text"}.get(origin, "")
        raise InputError(doc.path, f"unsupported language pair: {what} ({where})",
                         hint=f"supported: {supported_text()}; name the pair with --langs SRC-TGT if this is wrong")
    # a source language nobody declared for a document without a source stays unknown (the pair is the target's
    # default, which only chooses the risk model)
    doc.source_lang = pair.source if source or doc.has_source else None
    doc.target_lang, doc.langs_from = pair.target, origin
    return pair


def _sample(texts, limit: int = 2000) -> str:
    out, size = [], 0
    for text in texts:
        out.append(text)
        size += len(text)
        if size >= limit:
            break
    return "\n".join(out)[: limit * 2]


_KANA = re.compile(r"[\u3040-\u30ff]")
_LETTER = re.compile(r"[^\W\d_]")
# The languages detection chooses among: the ones mtaudit names, which covers the pairs it supports and the usual
# sources of news translation. Restricting the detector to them keeps it from answering Wu Chinese for Mandarin.
DETECTABLE = tuple(NAMES)


# Function words that no other language detection chooses among uses as often: a text holding many of one set and few
# of the other is English or German without loading the detector's model (most news, in a fraction of the time).
_FUNCTION_WORDS = {
    "en": frozenset("the of and to is that for with was on are as by this from have has were which would will".split()),
    "de": frozenset("der die das und ist nicht mit von den zu im auf für sich des dem ein eine auch wird wurde".split()),
}
_WORDS = re.compile(r"[^\W\d_]+")


def _by_function_words(text: str) -> str | None:
    words = [w.lower() for w in _WORDS.findall(text[:4000])]
    if len(words) < 30:
        return None
    counts = {lang: sum(w in table for w in words) for lang, table in _FUNCTION_WORDS.items()}
    (best, top), (_, second) = sorted(counts.items(), key=lambda kv: -kv[1])[:2]
    return best if top >= 0.15 * len(words) and top >= 4 * max(1, second) else None


# Fewer letters than this and an unsupported target language is more likely a misreading than the truth.
SHORT_TEXT = 200


@lru_cache(maxsize=4)
def _identifier(among: tuple[str, ...] = DETECTABLE):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([c for c in among if c in identifier.nb_classes])
    return identifier


def detect(text: str, among: tuple[str, ...] = DETECTABLE) -> str | None:
    """The language of ``text`` (a two-letter code), or None when it has too few letters to tell.

    Chinese and Japanese are told by their script; everything else by py3langid (a naive Bayes model over byte n-grams
    that ships inside its package), restricted to ``DETECTABLE``. Accuracy on news: tools/probes/langid_accuracy.py.
    """
    letters = len(_LETTER.findall(text))
    if letters < 3:
        return None
    han = len(HAN.findall(text))
    if _KANA.search(text) and len(_KANA.findall(text)) >= 0.1 * letters:
        return "ja"
    if han >= 0.3 * letters:
        return "zh"
    quick = _by_function_words(text)
    if quick is not None and quick in among:
        return quick
    code, _ = _identifier(tuple(sorted(among))).classify(text)
    return normalise(code)

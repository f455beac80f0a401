"""Untranslated fragments: source-script text left in the target, a target identical to its source, source-language
words copied into the target, and output that is only a transliteration (pinyin) of the source."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from mtaudit.core.text import HAN
from mtaudit.detectors.base import Detector
from mtaudit.detectors.numlib.chinese import parse_chinese_numeral
from mtaudit.detectors.numlib.english import format_value
from mtaudit.core.document import Category, Document, Segment, Sentence, Severity

_FOREIGN_CHARS = (r"\u0400-\u04FF\u0590-\u05FF\u0600-\u06FF\u0900-\u097F\u0E00-\u0E7F\u1100-\u11FF\u3040-\u30FF"
                  r"\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\U00020000-\U0002A6DF")
# Scripts an English target should not contain as running text.
_FOREIGN_RUN = re.compile(rf"[{_FOREIGN_CHARS}][{_FOREIGN_CHARS}\s，。、；：！？“”‘’（）《》0-9]*")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_CN_NUMERAL_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿点]+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
# "Shizhong (侍中)", "Ko Rawi (เกาะราวี)": a romanised name followed by its original spelling is a gloss, not an error
_GLOSS_BEFORE = re.compile(r"[A-Z][\w'-]*\s*[(（]\s*$")
_GLOSS_AFTER = re.compile(r"^\s*[)）,，;]")

# Foreign words and phrases that English news uses as they are; most are frequent enough in English for the
# frequency test, these are the ones that are not.
_LOANWORDS = frozenset("""per cent de facto jure coup d'état d'etat etat état status quo ad hoc vis-à-vis vis à raison
d'être d'etre fait accompli bona fide pro bono in situ laissez-faire carte blanche force majeure persona non grata
cause célèbre célèbre tour de force déjà vu en route masse par excellence per se ad infinitum et al versus via
realpolitik zeitgeist schadenfreude angst kindergarten wanderlust doppelganger doppelgänger blitzkrieg kitsch
détente rapprochement entente cordiale junta intifada fatwa jihad ayatollah mea culpa modus operandi alma mater
quid pro quo sui generis ipso facto prima facie habeas corpus curriculum vitae magnum opus terra incognita
apartheid perestroika glasnost siloviki oligarch oligarchs dacha favela favelas barrio barrios tapas fiesta siesta
paparazzi aficionado aficionados guerrilla guerrillas autobahn bundestag bundesrat bundesliga länder land landtag
riksdag storting knesset duma rada sejm cortes majlis loya jirga hukou guanxi""".split())

# A few frequent words per language, to tell which language a Latin-script source is in without a model.
_STOPWORDS = {
    "en": "the and of to in is that for with was on as by are from at it has have not this be which an will said",
    "de": "der die und das ist nicht mit von den zu im auf für sich des dem ein eine auch wird wurde",
    "fr": "le la les et est des une un du que dans pour pas sur au avec qui été ont cette",
    "es": "el la los las que en y del por con una para es se al fue como más pero",
    "it": "il di che la per non una del della con sono gli le nel alla anche è",
    "pt": "o os que não uma do da em para com por são das dos ao mais foi",
    "nl": "de het een en van is dat niet op te met voor zijn ook werd bij",
    "pl": "i w na z się nie do to że jest o jak po przez",
    "cs": "a v na se je že s z do to o jako by jsou",
    "sv": "och att det som en på är av för med till den har",
    "ro": "și în de la cu pe din care este să un o pentru",
    "tr": "ve bir bu da de için ile olarak çok daha",
    "fi": "ja on että ei se oli ovat myös kun",
    "hu": "a az és hogy nem is egy volt van meg",
}
_LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
                   "pl": "Polish", "cs": "Czech", "sv": "Swedish", "ro": "Romanian", "tr": "Turkish", "fi": "Finnish",
                   "hu": "Hungarian"}
_STOPWORD_SETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}

_PINYIN_SYLLABLES = frozenset((
    "a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng "
    "cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu "
    "cuan cui cun cuo da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo "
    "e ei en eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai "
    "guan guang gui gun guo ha hai han hang hao he hei hen heng hm hng hong hou hu hua huai huan huang hui hun huo ji "
    "jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua "
    "kuai kuan kuang kui kun kuo la lai lan lang lao le lei len leng li lia lian liang liao lie lin ling liu lo long "
    "lou lu luan lue lun luo m ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu n na nai "
    "nan nang nao ne nei nen neng ng ni nian niang niao nie nin ning niu nong nou nu nuan nue nun nuo o ou pa pai pan "
    "pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan "
    "que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai "
    "shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui "
    "sun suo ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei "
    "wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo "
    "yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi "
    "zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo "
).split())


# Unicode's first name word for a script -> what a reviewer calls it.
_SCRIPT_NAMES = {"CJK": "Chinese", "HIRAGANA": "Japanese", "KATAKANA": "Japanese", "HANGUL": "Korean",
                 "DEVANAGARI": "Hindi (Devanagari)"}


def _script(ch: str) -> str:
    try:
        return unicodedata.name(ch).split()[0]
    except ValueError:
        return "UNKNOWN"


@lru_cache(maxsize=200_000)
def _zipf(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)


class UntranslatedDetector(Detector):
    """Untranslated text: non-Latin script left in an English target (including Chinese numerals such as 三千), a
    target that copies its source, source words copied into the target, and pinyin-only output.

    Source words are words of a Latin-script source (German, French, Spanish, ...; the language is guessed from its
    function words) that the target repeats and that English does not use (word frequencies from wordfreq); names,
    established loanwords ("de facto", "per cent", "coup d'état", "zeitgeist") and quoted titles pass. Pinyin-only
    output is a sentence made mostly of lower-case pinyin syllables (from the Chinese source when there is one).
    """

    name = "untranslated"
    categories = (Category.UNTRANSLATED,)
    options = {
        "min_chars": "shortest foreign-script run reported",
        "source_words": "flag words of a Latin-script source copied into the target (needs the source)",
        "transliteration": "flag sentences that are only pinyin transliteration",
    }
    min_chars = 1
    source_words = True
    transliteration = True

    def detect(self, doc: Document):
        out = []
        target = doc.target_lang or "en"
        latin_source = self._latin_source_language(doc, target)
        source_lang = latin_source if self.source_words else None
        for segment in doc.segments:
            copied = segment.source is not None and _is_copy(segment.source, segment.target, target, latin_source)
            # the language a sentence of this segment may have been left in: its Latin-script source's, or English
            # in a target in another language without a source
            left_in = latin_source if segment.source else ("en" if target != "en" else None)
            for sentence in segment.sentences:
                if copied:
                    out.append(self.finding(
                        sentence, 0, len(sentence.text), Category.UNTRANSLATED, Severity.CRITICAL,
                        "target is identical to the source: not translated", confidence=0.95))
                    continue
                out.extend(self._foreign_runs(sentence))
                if left_in and _written_in(sentence.text, left_in, target):
                    out.append(self.finding(
                        sentence, 0, len(sentence.text), Category.UNTRANSLATED, Severity.CRITICAL,
                        f"sentence is in {_name(left_in)}, not {_name(target)}: not translated", confidence=0.85))
                    continue
                if self.transliteration:
                    out.extend(self._transliterated(sentence, segment, target))
                if source_lang and segment.source:
                    out.extend(self._copied_words(sentence, segment.source, source_lang, target))
                elif target != "en" and not segment.source:
                    out.extend(self._english_runs(sentence, target))
        return out

    def _english_runs(self, sentence: Sentence, target: str):
        """Without a source: runs of English words left in a target in another language ("the new policy of the
        government" in German), at least ``_ENGLISH_RUN`` words that are common English and unknown to the target
        language; quoted titles and names pass."""
        out = []
        text = sentence.text
        words = list(_WORD.finditer(text))
        run: list[re.Match] = []
        for m in words + [None]:
            english = m is not None and _english_only(m.group(), target)
            if english:
                run.append(m)
                continue
            content = [w for w in run if w.group().lower() not in _ENGLISH_FUNCTION]
            # a run whose content words are all capitalised is a name or title ("Institute for Advanced Study")
            if len(run) >= _ENGLISH_RUN and content and len(content) < len(run) and \
                    not all(w.group()[0].isupper() for w in content) and \
                    not _quoted_or_bracketed(text, run[0].start(), run[-1].end()):
                start, end = run[0].start(), run[-1].end()
                out.append(self.finding(
                    sentence, start, end, Category.UNTRANSLATED, Severity.MAJOR,
                    f"{text[start:end]!r} is English left in the {_name(target)} text: "
                    f"translate it", confidence=0.75))
            run = []
        return out

    def _foreign_runs(self, sentence: Sentence):
        out = []
        text = sentence.text
        for m in _FOREIGN_RUN.finditer(text):
            run = m.group().rstrip()
            if len(run) < self.min_chars:
                continue
            start, end = m.start(), m.start() + len(run)
            if _GLOSS_BEFORE.search(text[max(0, start - 40):start]) and _GLOSS_AFTER.match(text[end:end + 3]):
                continue
            if len(run) == 1 and text[max(0, start - 2):start].strip() in ("°", "º"):
                continue  # "+12º С": a Cyrillic С standing in for Celsius
            numeral = _CN_NUMERAL_RUN.fullmatch(run)
            value = parse_chinese_numeral(run) if numeral else None
            if value is not None and (len(run) > 1 or value >= 3):
                shown = format_value(value)
                out.append(self.finding(
                    sentence, start, end, Category.UNTRANSLATED, Severity.MAJOR,
                    f"Chinese numeral left untranslated: {run!r} is {shown}", shown, confidence=0.9))
                continue
            scripts = sorted({_script(c) for c in run if _LETTERS.match(c)})
            severity = Severity.MAJOR if len(run) >= 4 else Severity.MINOR
            out.append(self.finding(
                sentence, start, end, Category.UNTRANSLATED, severity,
                f"untranslated {'/'.join(_SCRIPT_NAMES.get(s, s.title()) for s in scripts) or 'foreign'} text: "
                f"{run!r}", confidence=0.9))
        return out

    # ---- words of a Latin-script source copied into the target ----------------------------------------------------
    def _latin_source_language(self, doc: Document, target: str = "en") -> str | None:
        if doc.source_lang and doc.source_lang in _STOPWORD_SETS and doc.source_lang != target:
            return doc.source_lang
        counts = {lang: 0 for lang in _STOPWORD_SETS if lang != target}
        sample: list[str] = []
        for segment in doc.segments:
            if not segment.source or HAN.search(segment.source):
                continue
            for word in _WORD.findall(segment.source.lower())[:200]:
                sample.append(word)
                for lang in counts:
                    counts[lang] += word in _STOPWORD_SETS[lang]
            if len(sample) >= 600:
                break
        top = max(counts.values(), default=0)
        if top == 0:
            return None
        tied = [lang for lang, n in counts.items() if n == top]
        if len(tied) == 1:
            return tied[0]
        # a short source can tie on function words ("le" is French and Italian): word frequencies decide
        scores = {lang: sum(_zipf(w, lang) for w in sample[:40]) for lang in tied}
        ranked = sorted(scores.values(), reverse=True)
        return max(scores, key=scores.get) if ranked[0] - ranked[1] >= 3.0 else None

    def _copied_words(self, sentence: Sentence, source: str, lang: str, target: str = "en"):
        text = sentence.text
        source_words = {w.lower() for w in _WORD.findall(source)}
        # where every noun is capitalised, a capitalised copied word is a name unless the source writes it in
        # lower case ("Campaign", "Greater Manchester" pass; "policy" copied as "Policy" does not)
        lower_in_source = {w for w in _WORD.findall(source) if w.islower()}
        out = []
        for i, m in enumerate(_WORD.finditer(text)):
            word = m.group()
            low = word.lower()
            if len(low) < 4 or low not in source_words or low in _LOANWORDS:
                continue
            en, src = _zipf(low, target), _zipf(low, lang)
            # a capitalised word is a name unless the target language has never seen it and the source language uses
            # it a lot; in German every noun is capitalised, so there only a word the target language lacks counts
            if target != "en" and word[0].isupper() and low not in lower_in_source:
                continue
            capitalised = word[0].isupper() and i > 0 and target == "en"
            if capitalised:
                if en >= 2.0 or src - en < 3.0 or src < 3.5:
                    continue
            elif en >= 3.0 or src < 3.5 or src - en < 2.0:
                continue
            if _quoted_or_bracketed(text, m.start(), m.end()):
                continue
            out.append(self.finding(
                sentence, m.start(), m.end(), Category.UNTRANSLATED, Severity.MAJOR,
                f"{word!r} is copied from the source: {_article(_name(lang))} {_name(lang)} word that "
                f"{_name(target)} does not use; translate it", confidence=0.7))
        return out

    # ---- transliteration only -------------------------------------------------------------------------------------
    def _transliterated(self, sentence: Sentence, segment: Segment, target: str = "en"):
        words = list(_WORD.finditer(sentence.text))
        if len(words) < 3:
            return []
        # the syllables of the source's own characters are specific enough to accept short words English also has
        # ("le", "wu"); without a source only words English never uses count
        syllables, rare = _PINYIN_SYLLABLES, 3.0
        if segment.source and HAN.search(segment.source):
            syllables, rare = _source_syllables(segment.source) or _PINYIN_SYLLABLES, 4.6
        elif segment.source:
            return []
        pinyin = english = 0
        for i, m in enumerate(words):
            word = m.group()
            low = word.lower()
            is_pinyin = (word.islower() or i == 0) and _segments_into(low, syllables) and _zipf(low, target) < rare
            pinyin += is_pinyin
            english += not is_pinyin and _zipf(low, target) >= 3.0
        if pinyin >= 3 and pinyin >= 0.6 * len(words) and english <= 0.35 * len(words):
            return [self.finding(
                sentence, 0, len(sentence.text), Category.UNTRANSLATED, Severity.CRITICAL,
                "sentence is a pinyin transliteration, not a translation", confidence=0.8)]
        return []


def _is_copy(source: str, target: str, target_lang: str = "en", source_lang: str | None = None) -> bool:
    """The target repeats the source, and the source is not in the target language (a quote or a name may stay).

    A word is the target language's when that language uses it (Zipf frequency 3 or more) and, when the source's
    language is known, not far less than the source's language does: German web text holds so much English that
    "the" and "full" have German frequencies above 3."""
    if _normalise(source) != _normalise(target):
        return False
    words = _WORD.findall(target)
    if len(_LETTERS.findall(target)) < 3:
        return False
    if _FOREIGN_RUN.search(target):
        return True
    if len(words) < 3 or all(w[0].isupper() for w in words):
        return False
    native = sum(_zipf(w.lower(), target_lang) >= 3.0
                 and (source_lang is None or _zipf(w.lower(), source_lang) - _zipf(w.lower(), target_lang) < 1.0)
                 for w in words)
    return native < 0.8 * len(words)


# A sentence is in another language than its target's when at least this many of its words (and this share) are far
# more frequent in that language (Zipf frequency 1.0 higher) and none is far more frequent in the target's.
_LEFT_IN_WORDS = 3
_LEFT_IN_SHARE = 0.6


def _written_in(text: str, lang: str, target: str) -> bool:
    """Whether ``text`` is written in ``lang`` rather than in ``target``: a sentence an engine left untranslated. At
    least four words, not only capitalised ones (a name or a title may stay as it is)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 4 or all(w[0].isupper() for w in _WORD.findall(text)):
        return False
    foreign = 0
    for word in words:
        gap = _zipf(word, lang) - _zipf(word, target)
        if gap <= -1.0:
            return False
        foreign += gap >= 1.0
    return foreign >= _LEFT_IN_WORDS and foreign >= _LEFT_IN_SHARE * len(words)


def _name(lang: str) -> str:
    return _LANGUAGE_NAMES.get(lang, lang)


def _article(word: str) -> str:
    return "an" if word[:1].upper() in "AEIOU" else "a"


# English left in a target in another language, found without a source: a run of at least this many words that
# English uses often and the target language hardly knows, with at least one English function word among them.
_ENGLISH_RUN = 3
# English function words that are not also words of the languages mtaudit translates into ("in", "an", "die" are
# German): at least one must be in the run.
_ENGLISH_FUNCTION = frozenset("the of and to for with that is are was were by from this it be have has would not or "
                              "its their which".split())


def _english_only(word: str, target: str) -> bool:
    """A word English uses far more than the target language (whose web text holds some English: "the" has a German
    frequency too, so the gap is what counts)."""
    low = word.lower()
    if low in _ENGLISH_FUNCTION:
        return True
    if low in _LOANWORDS:
        return False
    english, native = _zipf(low, "en"), _zipf(low, target)
    return english >= 3.5 and english - native >= 1.0


def _quoted_or_bracketed(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 2):start], text[end:end + 2]
    return any(o in before for o in "(\"'“‘«„") and any(c in after for c in ")\"'”’»“")


@lru_cache(maxsize=4096)
def _source_syllables(source: str) -> frozenset[str]:
    from pypinyin import lazy_pinyin

    return frozenset(s.replace("ü", "v") for s in lazy_pinyin(source) if s.isascii() and s.isalpha() and s.islower())


def _segments_into(word: str, syllables: frozenset[str]) -> bool:
    """Whether ``word`` is a run of 1-4 syllables from ``syllables`` (jingji = jing + ji)."""
    if not word.isascii() or len(word) > 24:
        return False
    reachable = {0: 0}
    for i in range(len(word)):
        if i not in reachable or reachable[i] >= 4:
            continue
        for j in range(i + 1, min(len(word), i + 6) + 1):
            if word[i:j] in syllables and j not in reachable:
                reachable[j] = reachable[i] + 1
    return len(word) in reachable


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()

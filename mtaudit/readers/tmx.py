"""TMX translation memories."""
from __future__ import annotations

from pathlib import Path

from lxml import etree
from translate.storage import tmx as tt_tmx

from mtaudit.core.document import Document, Segment
from mtaudit.core.errors import InputError
from mtaudit.readers import xmlsafe
from mtaudit.readers.base import Reader, read_bytes
from mtaudit.readers.common import add_segment, plural

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class TmxReader(Reader):
    """A TMX translation memory: one segment per ``<tu>``, id = its ``tuid`` (else its position from 1); the source
    is the header's ``srclang``, the target the ``target_lang`` option or else the one other language in the file
    (the first one met, with a warning, when there are several); inline tags removed and kept in the markup."""

    name = "tmx"
    extensions = (".tmx",)
    options = {"target_lang": "Language of the variant to audit (e.g. fr or fr-FR); default: the non-source one."}
    target_lang: str | None = None

    def read(self, path: str | Path, display: str | None = None) -> Document:
        shown = display or str(path)
        data = read_bytes(path, shown)
        root = xmlsafe.parse_document(data, shown, "tmx", "a TMX")
        try:
            store = tt_tmx.tmxfile.parsestring(data)
        except etree.XMLSyntaxError as exc:
            raise xmlsafe.syntax_error(exc, shown) from None
        except (AssertionError, ValueError, LookupError, StopIteration, AttributeError, TypeError):
            raise InputError(shown, "not a usable TMX file", hint="check the <tmx> root and its <body>") from None

        units = []
        for unit in store.units:
            variants = {}
            for tuv in unit.xmlelement:
                if xmlsafe.local(tuv.tag) != "tuv":
                    continue
                lang = tuv.get(_XML_LANG) or tuv.get("lang") or ""
                seg = next((c for c in tuv if xmlsafe.local(c.tag) == "seg"), None)
                if lang and seg is not None:
                    variants.setdefault(lang.lower(), (lang, seg))
            units.append((unit.xmlelement.get("tuid"), variants))

        header = next((c for c in root if xmlsafe.local(c.tag) == "header"), None)
        source_lang = header.get("srclang") if header is not None else None
        if not source_lang or source_lang == "*all*":
            source_lang = next((v[k][0] for _, v in units for k in v), None)
        doc = Document(path=shown, format=self.name, source_lang=source_lang)
        target_key = self._target_key(units, source_lang, doc, shown)
        doc.target_lang = next((v[target_key][0] for _, v in units if target_key in v), None)

        seen: dict[str, int] = {}
        missing = 0
        source_key = (source_lang or "").lower()
        for position, (tuid, variants) in enumerate(units, 1):
            if target_key not in variants:
                missing += 1
                continue
            whole = xmlsafe.flatten(variants[target_key][1])
            flat = xmlsafe.trimmed(whole)
            if not flat.text:
                missing += 1
                continue
            source = variants.get(source_key)
            segment = Segment(id=tuid or str(position), target=flat.text,
                              source=(xmlsafe.flatten(source[1]).text.strip() or None) if source else None,
                              unit=position - 1)
            if whole.has_tags:
                segment.markup, segment.markup_offsets = flat.markup, flat.offsets
            add_segment(doc, seen, segment)
        if missing:
            doc.warnings.append(f"{plural(missing, 'unit')} without a {doc.target_lang} variant skipped")
        return doc

    def _target_key(self, units, source_lang: str | None, doc: Document, path: str) -> str:
        languages: dict[str, str] = {}
        for _, variants in units:
            for key, (lang, _) in variants.items():
                languages.setdefault(key, lang)
        if self.target_lang:
            wanted = self.target_lang.lower()
            for key in languages:
                if key == wanted:
                    return key
            for key in languages:
                if key.split("-")[0] == wanted.split("-")[0]:
                    return key
            raise InputError(path, f"has no {self.target_lang} variants (languages: {', '.join(languages.values())})",
                             hint="choose one of those languages")
        source_key = (source_lang or "").lower()
        others = [k for k in languages if k != source_key]
        if not others:
            raise InputError(path, "holds no language other than the source "
                                   f"({source_lang or 'none declared'})", hint="a TMX to audit needs translations")
        if len(others) > 1:
            doc.warnings.append(f"holds {len(others)} target languages ({', '.join(languages[k] for k in others)}); "
                                f"auditing {languages[others[0]]} (choose another with --format tmx:LANG)")
        return others[0]

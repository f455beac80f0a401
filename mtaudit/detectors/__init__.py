"""Artefact detectors. One module per artefact family, registered in ``DETECTORS``."""
from __future__ import annotations

from mtaudit.detectors.base import Detector
from mtaudit.detectors.brackets import BracketsDetector
from mtaudit.detectors.credits import CreditsDetector
from mtaudit.detectors.names import NamesDetector
from mtaudit.detectors.names_src import NamesSourceDetector
from mtaudit.detectors.numbers import NumbersDetector
from mtaudit.detectors.phrasing import PhrasingDetector
from mtaudit.detectors.repetition import RepetitionDetector
from mtaudit.detectors.untranslated import UntranslatedDetector

DETECTORS: dict[str, type[Detector]] = {
    "names": NamesDetector,
    "names_src": NamesSourceDetector,
    "credits": CreditsDetector,
    "phrasing": PhrasingDetector,
    "numbers": NumbersDetector,
    "repetition": RepetitionDetector,
    "untranslated": UntranslatedDetector,
    "brackets": BracketsDetector,
}


def build_detectors(names: list[str] | None = None, options: dict[str, dict] | None = None) -> list[Detector]:
    """Instantiate the named detectors (all when ``names`` is None) with per-detector keyword options."""
    options = options or {}
    chosen = list(DETECTORS) if not names else names
    unknown = [n for n in chosen if n not in DETECTORS]
    if unknown:
        raise ValueError(f"unknown detector {', '.join(unknown)}; choose from {', '.join(DETECTORS)}")
    return [DETECTORS[n](**options.get(n, {})) for n in chosen]

"""Acceptance on the article the product was conceived from (skips without ../shared)."""
import pytest
from helpers import SEED

from mtaudit.pipeline import AuditConfig, Auditor
from mtaudit.readers import read_document

# (text that must be flagged, a phrase of the sentence it is in)
EXPECTED = [
    ("Ji", "Putin Ji supports"),
    ("Shi", "The company quoted Shi as saying"),
    ("Hu", "Hu and Xi agreed"),
    ("The company", "The company quoted Shi as saying"),
    ("Paul Reuters", "Via Sputnik/Michael Metzl/Paul Reuters"),
    ("by Mark Travellan", "Edited by Gareth Jones by Mark Travellan"),
]


def audited_seed(model=None):
    auditor = Auditor(AuditConfig(model=model))
    return auditor.audit_documents([read_document(SEED)])[0]


def _check(doc):
    sentences = list(doc.sentences())
    ranked = sorted(sentences, key=lambda s: -s.risk)
    top_third = ranked[: len(ranked) // 3 + (len(ranked) % 3 > 0)]
    for flagged, phrase in EXPECTED:
        sentence = next(s for s in sentences if phrase in s.text)
        spans = [sentence.text[f.start:f.end] for f in sentence.findings]
        assert any(flagged in span for span in spans), (flagged, spans)
        assert sentence in top_third, (phrase, ranked.index(sentence) + 1, len(ranked))


def test_seed_artefacts_are_flagged_and_ranked_in_the_top_third(shared):
    _check(audited_seed())


@pytest.mark.model
def test_seed_with_the_default_model(shared, default_model):
    _check(audited_seed(default_model))

"""Reference-based metrics (sacrebleu) for segments that carry a reference translation."""
from __future__ import annotations

from mtaudit.core.document import Document


def score_references(doc: Document) -> None:
    """Segment chrF and TER into each segment's sentences' scores; document BLEU and chrF into ``doc.scores``.

    ``ref_chrf_gap`` = (100 - chrF) / 100 is the form the risk model uses: 0 for a perfect match, 1 for nothing shared.
    """
    pairs = [(s, s.reference) for s in doc.segments if s.reference and s.target.strip()]
    if not pairs:
        return
    from sacrebleu.metrics import BLEU, CHRF, TER

    chrf, ter = CHRF(), TER()
    for segment, reference in pairs:
        c = chrf.sentence_score(segment.target, [reference]).score
        t = ter.sentence_score(segment.target, [reference]).score
        segment.scores.update(ref_chrf=round(c, 3), ref_ter=round(t, 3))
        for sentence in segment.sentences:
            sentence.scores.update(ref_chrf=round(c, 3), ref_ter=round(t, 3), ref_chrf_gap=round((100 - c) / 100, 4))
    hyps = [s.target for s, _ in pairs]
    refs = [[r for _, r in pairs]]
    doc.scores["ref_bleu"] = round(BLEU().corpus_score(hyps, refs).score, 3)
    doc.scores["ref_chrf"] = round(CHRF().corpus_score(hyps, refs).score, 3)

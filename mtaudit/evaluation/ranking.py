"""Rank statistics of a scorer against the MQM penalty: how well does the review order match the humans'?

Conventions (the same for every scorer, so baselines compare fairly):

- ``tau``: Kendall tau-b over all segments.
- ``tau_doc`` / ``tau_item``: Kendall tau-b within each group (a translated document; the translations of one
  source segment by every system), averaged over groups. Groups of one segment, or whose gold penalties are all equal,
  say nothing about any scorer and are skipped. A scorer that gives a whole group one value has told the reviewer
  nothing about its order: that group counts as 0, so constant scorers cannot gain by abstaining.
- ``tau_item_rater``: tau within items on each rater's own penalties: for every rater and every source segment, the
  translations that rater judged, ranked against that rater's penalties, averaged over (rater, item) groups. Where a
  file gives each segment to one rater and spreads the translations of one source over several (TED), most pairs
  within an item compare two raters' severities, not two translations; this figure keeps only the same-rater pairs.
  Where every rater judged every translation (three-rater WMT23), it is each rater's own order within items. None
  for files that do not name raters (segment-score files) and for scorers given no raters.
- ``pearson``: linear correlation over all segments.
- ``p_at_20``: share of the top 20 % of segments (by score) that carry a Major error. Ties at the cut-off are broken
  at random in expectation: the tied block contributes its share of Major segments times the places left.
"""
from __future__ import annotations

import math
from typing import Hashable, Sequence

import numpy as np
from scipy import stats


def kendall_tau(scores: Sequence[float], gold: Sequence[float]) -> float | None:
    """Kendall tau-b; None when either side is constant (undefined)."""
    if len(scores) < 2:
        return None
    x, y = np.asarray(scores, float), np.asarray(gold, float)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    tau = stats.kendalltau(x, y, variant="b").statistic
    return None if tau is None or math.isnan(tau) else float(tau)


def grouped_tau(scores: Sequence[float], gold: Sequence[float], groups: Sequence[Hashable]) -> float | None:
    """Mean Kendall tau-b within groups (see the module docstring for the groups that count)."""
    members: dict[Hashable, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    x, y = np.asarray(scores, float), np.asarray(gold, float)
    taus = []
    for idx in members.values():
        if len(idx) < 2 or np.ptp(y[idx]) == 0:
            continue
        tau = kendall_tau(x[idx], y[idx])
        taus.append(0.0 if tau is None else tau)
    return float(np.mean(taus)) if taus else None


def rater_item_tau(scores: Sequence[float], raters: Sequence[dict[str, float]],
                   items: Sequence[Hashable]) -> float | None:
    """Mean Kendall tau-b within (rater, item) groups, each rater's own penalties as the gold (module docstring)."""
    members: dict[tuple, list[tuple[int, float]]] = {}
    for i, (judged, item) in enumerate(zip(raters, items)):
        for rater, penalty in judged.items():
            members.setdefault((rater, item), []).append((i, penalty))
    x = np.asarray(scores, float)
    taus = []
    for pairs in members.values():
        idx = [i for i, _ in pairs]
        y = np.asarray([p for _, p in pairs], float)
        if len(idx) < 2 or np.ptp(y) == 0:
            continue
        tau = kendall_tau(x[idx], y)
        taus.append(0.0 if tau is None else tau)
    return float(np.mean(taus)) if taus else None


def pearson(scores: Sequence[float], gold: Sequence[float]) -> float | None:
    x, y = np.asarray(scores, float), np.asarray(gold, float)
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    return float(stats.pearsonr(x, y).statistic)


def precision_at(scores: Sequence[float], positive: Sequence[bool], share: float = 0.2) -> float | None:
    """Expected share of positives among the top ``share`` of items by score, ties broken uniformly at random."""
    n = len(scores)
    k = int(round(share * n))
    if n == 0 or k == 0:
        return None
    x = np.asarray(scores, float)
    pos = np.asarray(positive, bool)
    order = np.argsort(-x, kind="stable")
    cut = x[order[k - 1]]
    above = x > cut
    tied = x == cut
    hits = float(pos[above].sum())
    left = k - int(above.sum())
    hits += left * float(pos[tied].mean())
    return hits / k


def ranking_figures(scores: Sequence[float], penalty: Sequence[float], has_major: Sequence[bool],
                    docs: Sequence[Hashable], items: Sequence[Hashable],
                    raters: Sequence[dict[str, float]] | None = None) -> dict[str, float | None]:
    """The figures ``mtaudit eval`` reports for one scorer; ``raters`` (each segment's penalty by rater, empty where
    the file names none) gives ``tau_item_rater``."""
    return {
        "tau": _r(kendall_tau(scores, penalty)),
        "tau_doc": _r(grouped_tau(scores, penalty, docs)),
        "tau_item": _r(grouped_tau(scores, penalty, items)),
        "tau_item_rater": _r(rater_item_tau(scores, raters, items)) if raters is not None else None,
        "pearson": _r(pearson(scores, penalty)),
        "p_at_20": _r(precision_at(scores, has_major, 0.2)),
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)

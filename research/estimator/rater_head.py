"""The trained estimator's head with rater-aware training pairs (issue 29, item 1 applied to the estimator).

The shipped head (`head.Trainer`, `one_pass_oof.py oof`) learns from pairs within documents, pairs among the
translations of one source ("item" pairs) and a Huber term, all on the segment's mean penalty. In TED zh-en each
segment has one rater and the translations of one source are spread over 4-8 raters whose mean penalties differ by a
factor of twenty, so most item pairs teach the head which rater judged, not which translation is worse. Variants:

- ``base``: the shipped recipe (a check: it must reproduce `one_pass_oof.py oof`'s figures);
- ``same_rater``: item pairs only between translations one rater judged, on that rater's penalties
  (`calibrate.within_items`; WMT21, which names no raters, keeps its item groups);
- ``scaled``: doc pairs and the Huber term on rater-scaled penalties (`calibrate.rater_scales_within_files`);
- ``same_rater_scaled``: both.

Each variant writes ``$ESTIMATOR_WORK/one_pass/rater_head/VARIANT.json``: the out-of-fold mass of TED and WMT21 (five
heads, fold k of every file held out, as `one_pass_oof.py oof`) and the WMT23 dev mass of a head trained on all of
TED and WMT21 (WMT23 is never in any fit; it must have been captured: `one_pass_oof.py capture
wmt23_news_zhen_dev.tsv`). `research/rater_fit.py --mass VARIANT.json` then measures the risk recipe with it.

    ESTIMATOR_WORK=DIR python -m research.estimator.rater_head VARIANT [VARIANT ...]
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from research.estimator.one_pass_oof import FILES, OUT, Arrays, load

NEWS = "wmt23_news_zhen_dev"
VARIANTS = ("base", "same_rater", "scaled", "same_rater_scaled")


def news_arrays():
    from mtaudit.evaluation.features import load_cached_sets

    part = load_cached_sets(OUT / NEWS / "features.json")[0]
    tokens = np.load(OUT / NEWS / "tokens.npz")
    order = np.argsort(tokens["seg"], kind="stable")
    data = Arrays(part.gold, part.features, tokens["seg"][order], tokens["lp"][order], tokens["best"][order])
    return data, tokens["states"][order]


def trainer_for(variant: str, data, X, train):
    from mtaudit.evaluation.calibrate import fit_targets, rater_scales_within_files, within_items
    from research.estimator.head import Trainer

    kwargs = {}
    if variant in ("scaled", "same_rater_scaled"):
        target = np.array([g.penalty for g in data.gold], np.float32)
        target[train] = fit_targets(data.gold, list(train), rater_scales_within_files(data.gold, list(train)))
        kwargs["target"] = target
    if variant in ("same_rater", "same_rater_scaled"):
        groups = within_items(data.gold, list(train))  # positions in train
        kwargs["item_groups"] = [([int(train[k]) for k, _ in g], [v for _, v in g]) for g in groups]
    return Trainer(data, X, train, epochs=6, **kwargs)


def news_mass(trainer, news, X_news) -> np.ndarray:
    import torch

    from research.estimator.head import token_scalars

    x = (np.hstack([X_news, token_scalars(news)]) - trainer.mu) / trainer.sd
    trainer.model.eval()
    with torch.no_grad():
        mass = trainer.model.token_mass(torch.from_numpy(x.astype(np.float32))).numpy()
    segment = np.zeros(len(news.gold))
    np.add.at(segment, news.tok_seg, mass)
    return segment


def run(variant: str) -> None:
    import torch

    from mtaudit.evaluation.calibrate import document_folds

    torch.set_num_threads(2)
    data, X, _, _ = load()
    news, X_news = news_arrays()
    n = len(data.gold)
    plan = document_folds(data.gold)
    token = np.full(len(data.tok_seg), np.nan)
    started = time.time()
    for k in range(5):
        test = np.concatenate([np.asarray(idx) for j, (_, _, idx) in enumerate(plan) if j % 5 == k])
        train = np.setdiff1d(np.arange(n), test)
        trainer = trainer_for(variant, data, X, train).fit()
        mass, toks = trainer.token_mass(test)
        token[toks] = mass
        print(f"{variant} fold {k}: {time.time() - started:.0f}s", file=sys.stderr, flush=True)
    segment = np.zeros(n)
    np.add.at(segment, data.tok_seg, token)
    full = trainer_for(variant, data, X, np.arange(n)).fit()
    out = OUT / "rater_head"
    out.mkdir(exist_ok=True)
    (out / f"{variant}.json").write_text(json.dumps({"files": list(FILES), "segment": segment.tolist(),
                                                     NEWS: news_mass(full, news, X_news).tolist()}))
    print(f"{variant}: {time.time() - started:.0f}s", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variants", nargs="+", choices=VARIANTS)
    args = ap.parse_args(argv)
    for variant in args.variants:
        run(variant)
    return 0


if __name__ == "__main__":
    sys.exit(main())

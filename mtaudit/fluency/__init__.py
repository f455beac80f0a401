"""Transformer scoring: target-only fluency, source-conditioned log-probability, odd-phrasing spans.

Heavy imports (torch; transformers only for a model other than Gemma 3, which runs on mtaudit's own decoder in
``gemma.py``) happen only inside this package and only when a scorer is created, so the CLI and the rule detectors
stay fast.

Contract used by ``mtaudit.pipeline``::

    scorer = load_scorer(name_or_dir, device=None)   # raises ModelError naming `mtaudit models pull`
    scorer.model_id, scorer.checksum                  # recorded in every report's run signature
    scorer.score(documents)                           # fills, for every sentence:
        sentence.fluency        float, higher = more fluent (mean token log-prob given the preceding sentence)
        sentence.scores[...]    "lm_logprob_mean", "lm_logprob_sum", "lm_tokens", "lm_word_z_max", and when the
                                segment has a source "src_logprob_mean", "src_logprob_sum", "src_tokens",
                                and where a trained estimator covers the pair "src_estimator_sum"
        sentence.findings       odd-phrasing Findings appended (detector "fluency")
"""
from __future__ import annotations

import os
from pathlib import Path

from mtaudit.core.document import Category
from mtaudit.core.errors import ModelError
from mtaudit.fluency.runtimes import RUNTIMES

__all__ = ["ODD_PHRASING", "RUNTIMES", "ModelError", "load_scorer"]

# The model's own findings (detector "fluency", LMScorer.odd_phrasing) as `mtaudit detectors` lists them beside the
# rule detectors; docs/detectors/fluency.md has the details.
ODD_PHRASING = {
    "name": "fluency",
    "categories": (Category.AWKWARD, Category.GRAMMAR),
    "needs": "model",
    "help": "Odd phrasing: runs of words the language model finds far more surprising than words of the same "
            "frequency in clean news of the target language; a grammar slip when the most surprising word is a "
            "function word. Not a rule detector: the model's scorer reports it.",
    "options": "none: it runs with the model (--no-model turns it off; with --fast, a sentence that has its source is "
               "judged from the source-conditioned pass instead: fewer findings, more of them on real errors)",
}


def load_scorer(model: str, device: str | None = None, **options):
    """Load a registered model by name (verified against its manifest) or any local Hugging Face causal LM folder.

    ``options`` go to :class:`mtaudit.fluency.scorer.LMScorer` (``dtype``, ``context``, ``shots``, ``source``,
    ``batch_tokens``, ``window``, ``threads``, ``max_findings``, ``runtime``: ``"openvino"`` runs the forward in
    OpenVINO, ``target_pass``: ``"without-source"`` skips the target-only pass where a segment has its source, as
    ``audit --fast`` does; ``reverse=True`` adds the reverse pass of ``audit --adequacy``); ``head="full"`` scores
    over the whole vocabulary instead of a registered model's pinned pruned head (``mtaudit.fluency.heads``);
    ``estimator=False`` loads no trained estimator (``mtaudit.fluency.estimator``; the risk model then scores with its
    ``no_estimator`` variant); ``norms=False``
    loads no surprisal norms (no odd-phrasing findings), ``norms=PATH`` loads a given norms file (for every target
    language); by default each target language's norms are loaded (``norms-<model>-<lang>.json``), and a language
    without norms gets no odd-phrasing findings.
    """
    # No code path may contact a model hub.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from mtaudit.fluency import store
    from mtaudit.fluency.loading import read_in_background

    known = {row["name"] for row in store.list_models()}
    norms_opt = options.pop("norms", None)
    with_estimator = options.pop("estimator", True)
    head = options.pop("head", "pruned")
    if head not in ("pruned", "full"):
        raise ValueError(f"head must be 'pruned' or 'full', not {head!r}")
    checked = None  # the converted files, being read and checked against the manifest in a thread
    if model in known:
        path = store.model_path(model)
        manifest = store.checked_manifest(path, model)
        checked = read_in_background(path, model)
        checksum = manifest["files"]["model.safetensors"]
        model_id = model
        norms_dir, norms_model = store.models_dir(), model
    else:
        path = Path(model).expanduser()
        if not (path / "config.json").is_file():
            raise ModelError(
                f"{model!r} is neither a registered model ({', '.join(sorted(known))}) nor a folder holding a "
                f"Hugging Face model (config.json); run `mtaudit models pull` or pass --model DIR"
            )
        weights = sorted(path.glob("*.safetensors"))
        if not weights:
            raise ModelError(f"{path} holds no .safetensors weights (other weight formats are not loaded)")
        manifest = store.read_manifest(path)
        if manifest is not None:
            manifest = store.checked_manifest(path)
            checked = read_in_background(path)
            checksum = manifest["files"]["model.safetensors"]
        else:
            checksum = store.sha256_file(weights[0])
        model_id = str(path.resolve())
        norms_dir, norms_model = path, None
        if manifest is not None and manifest.get("name") in known:  # a registered model's folder, named by path
            norms_dir, norms_model = store.models_dir(), manifest["name"]
    from mtaudit.fluency.norms import Norms, load_norms

    if norms_opt is False:
        norms = None
    elif norms_opt is not None:
        norms = Norms.load(Path(norms_opt))
    else:
        norms = load_norms(norms_dir, norms_model) or None
    if head == "pruned" and norms_model is not None:
        # the registered model's pinned pruned head (mtaudit.fluency.heads), checked; other models score every id
        from mtaudit.fluency.heads import pinned_head

        options["kept_ids"], options["kept_vocab"] = pinned_head(norms_model) or (None, None)
    try:
        from mtaudit.fluency.scorer import LMScorer

        scorer = LMScorer(path, model_id, checksum, device=device, norms=norms, checked=checked, **options)
    except (OSError, ValueError) as exc:
        raise ModelError(f"could not load model {model_id} from {path}: {exc}; run `mtaudit models pull`") from exc
    if with_estimator and norms_model is not None and options.get("source", True):
        # the trained estimators pinned for this registered model (an unregistered folder has none)
        from mtaudit.fluency.estimator import load_estimators

        scorer.estimators = load_estimators(norms_model)
    if scorer.openvino is not None:  # check and compile the export while the caller gets its first documents
        scorer.openvino.start(scorer.estimator_layers())
    return scorer

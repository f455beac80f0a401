"""Put this folder on PYTHONPATH with MTAUDIT_ESTIMATOR_ANY_PAIR=1 to apply the trained estimators to every language
pair (research only: `research/ende_fit.py` measures the zh→en head on English→German). Python imports
``sitecustomize`` at start-up, so the patch reaches the whole run, `python -m research.segment_risk` included."""
import os

if os.environ.get("MTAUDIT_ESTIMATOR_ANY_PAIR"):
    from mtaudit.fluency import estimator as _estimator

    _estimator.Estimator.applies = lambda self, source_lang, target_lang: True

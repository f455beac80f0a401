"""Research scripts, outside the package and never in the wheel: how shipped artefacts were made and what was tried
(``research/estimator/``: the trained quality estimator, issue 11). Run from the repository root as
``python -m research.estimator.NAME``."""

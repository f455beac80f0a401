"""Speed benchmarks of mtaudit, outside the package: run from the repository root as ``python -m bench.NAME``
(``make bench`` runs the main ones); their figures go to BENCHMARKS.md by hand. Quality probes live in
``tools/probes/``, estimator research in ``research/``."""

"""Maintainer tools, outside the package and never in the wheel: builders of the shipped data (lexicon, name
statistics, surprisal norms), the fuzzer and its property checks, the before/after golden comparison, and the quality
probes (``tools/probes/``). Run from the repository root as ``python -m tools.NAME``; they use only public names of
mtaudit, and the tests import what they share with them from here."""

"""Quality probes: how often the detectors and the model are right on the development data (``../shared``), printed
as tables for BENCHMARKS.md and the detector pages of docs/. Run from the repository root as
``python -m tools.probes.NAME``; each reads only public names of mtaudit."""

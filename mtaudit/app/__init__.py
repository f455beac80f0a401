"""The application layer: what a command does, as library calls the command line only parses options for and prints.

``run.AuditRun`` is ``mtaudit audit`` (files through an engine into the JSONL file, the report files and the annotated
copies, resumable, with its exit policy); ``watch.Watch`` is ``mtaudit watch`` (a hot folder, the model loaded once).
Evaluation against human judgements (``eval``, ``calibrate``) is ``mtaudit.evaluation``.
"""

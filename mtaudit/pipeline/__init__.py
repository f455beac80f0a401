"""The pipeline: read -> split -> detect -> model scores -> risk, as stages an engine runs where it likes.

``config`` says what an audit computes (``AuditConfig``, built from a command's options by ``audit_config``);
``stages`` finds the files and reads and prepares each one; ``auditor`` holds one configuration's detectors, model
and risk models and finishes the prepared documents. The pipeline never imports an engine: engines import it.
"""
from mtaudit.pipeline.auditor import Auditor
from mtaudit.pipeline.config import AuditConfig, audit_config
from mtaudit.pipeline.stages import discover, prepare

__all__ = ["AuditConfig", "Auditor", "audit_config", "discover", "prepare"]

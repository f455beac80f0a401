"""What can run the model's forward, named where the CLI and the configuration can check a choice without torch."""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

# eager PyTorch, or OpenVINO (mtaudit.fluency.openvino_runtime; CPU only, optional package)
RUNTIMES = ("torch", "openvino")


def torch_build() -> str:
    """Which torch is installed and what it was built for, as ``mtaudit models`` says it: "2.13.0+cpu, a CPU-only
    build", "2.5.1, built for CUDA 12.4" or that it is missing. Read from torch's ``version.py`` without importing
    torch (seconds), so the listing stays instant."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.origin:
        return "not installed (the model needs it; rule detectors run without it)"
    facts: dict[str, object] = {}
    try:
        tree = ast.parse(Path(spec.origin).with_name("version.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return "installed, build unknown (no readable torch/version.py)"
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if isinstance(target, ast.Name) and isinstance(getattr(node, "value", None), ast.Constant):
            facts[target.id] = node.value.value
    version = facts.get("__version__", "of an unknown version")
    if facts.get("cuda"):
        return f"{version}, built for CUDA {facts['cuda']} (uses an NVIDIA GPU when one is present)"
    if facts.get("hip"):
        return f"{version}, built for ROCm {facts['hip']} (uses an AMD GPU when one is present)"
    return f"{version}, a CPU-only build"

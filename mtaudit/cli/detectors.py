"""``mtaudit detectors``: each detector with its categories, needs, help and options."""
from __future__ import annotations

from rich.console import Console


def list_detectors():
    """List the detectors with their MQM categories, options and what they do."""
    from rich.table import Table

    from mtaudit.detectors import DETECTORS
    from mtaudit.fluency import ODD_PHRASING

    table = Table(show_lines=True)
    for col in ("name", "categories", "needs", "what it finds", "options"):
        table.add_column(col)
    for name, cls in DETECTORS.items():
        opts = "\n".join(f"{k} (default {getattr(cls, k)!r}): {v}" for k, v in cls.options.items())
        table.add_row(name, "\n".join(cls.categories), ", ".join(sorted(cls.requires)) or "-", cls.help(), opts or "-")
    model = ODD_PHRASING
    table.add_row(model["name"], "\n".join(model["categories"]), model["needs"], model["help"], model["options"])
    Console().print(table)

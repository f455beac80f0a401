"""The self-contained HTML review report, rendered from the plain report object with Jinja2 (autoescaping on)."""
from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from mtaudit.outputs import write_atomic
from mtaudit.reports.base import ranked_sentences

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    env.filters["json_script"] = json_for_script
    return env


def json_for_script(value) -> str:
    """JSON safe to embed in a <script> element: no sequence in article text can close the element or open a comment."""
    from markupsafe import Markup

    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def render_html(report: dict) -> str:
    return _environment().get_template("report.html.j2").render(
        report=report, ranked=ranked_sentences(report), run=report["run"], summary=report["summary"])


def write_html(report: dict, path: str | Path) -> None:
    write_atomic(path, render_html(report))

"""The ranked review list in the terminal (rich)."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mtaudit.core.text import plural
from mtaudit.reports.base import ranked_sentences

SEVERITY_STYLE = {"critical": "bold white on red", "major": "bold red", "minor": "yellow"}
_RANK = {"minor": 0, "major": 1, "critical": 2}


def highlighted(sentence: dict, width: int | None = None) -> Text:
    """The sentence with each finding's span styled by severity (the worst wins where spans overlap)."""
    text = Text(sentence["text"])
    for f in sorted(sentence["findings"], key=lambda f: _RANK.get(f["severity"], 0)):
        if f["end"] > f["start"]:
            text.stylize(SEVERITY_STYLE.get(f["severity"], "bold"), f["start"], f["end"])
    return text


def findings_text(sentence: dict) -> Text:
    """The findings, one per line, then the trained estimator's part of the risk as one named line (as in the HTML
    review queue) when the sentence has one."""
    out = Text()
    for i, f in enumerate(sentence["findings"]):
        if i:
            out.append("\n")
        out.append(f"{f['severity']} ", style=SEVERITY_STYLE.get(f["severity"], ""))
        out.append(f"{f['category']} [{f['detector']}]: ", style="dim")
        out.append(f["message"])
        if f.get("suggestion"):
            out.append(f" → {f['suggestion']}", style="green")
    estimator = sentence.get("estimator")
    if estimator is not None:
        if out:
            out.append("\n")
        out.append(f"trained estimator: {estimator:+.2f} of the risk {sentence['risk']:.2f}", style="dim")
    return out


def print_ranked(report: dict, top: int, console: Console | None = None) -> None:
    console = console or Console()
    if not console.is_terminal and console.width < 140:  # a pipe or a log: wide enough to read the sentences
        console.width = 140
    rows = ranked_sentences(report, top)
    summary = report["summary"]
    table = Table(title=f"Top {plural(len(rows), 'sentence')} to review ({plural(summary['sentences'], 'sentence')} "
                        f"in {plural(summary['documents'] - summary['failed'], 'document')}, "
                        f"{plural(summary['findings'], 'finding')})",
                  show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("risk", justify="right", no_wrap=True)
    table.add_column("document", overflow="fold", ratio=1)
    table.add_column("seg · sent", justify="right", no_wrap=True)
    table.add_column("sentence", ratio=3)
    table.add_column("findings", ratio=3)
    for rank, s in enumerate(rows, 1):
        table.add_row(str(rank), f"{s['risk']:.2f}", _short(s["doc"]), f"{s['segment']} · {s['sentence'] + 1}",
                      highlighted(s), findings_text(s))
    console.print(table)
    failed = [d for d in report["documents"] if d.get("error")]
    for d in failed:
        console.print(f"[red]failed[/red] {d['error']}", highlight=False, soft_wrap=True)


def _short(path: str) -> str:
    """The file name, which is what a reviewer scans for; the full path is in the JSONL and HTML."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]

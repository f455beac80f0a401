"""Every `--help` shows its help texts as written: rich markup must not swallow bracketed text such as
"[detectors.NAME]" (it did: `mtaudit audit --help` printed "TOML file with detector options ( tables; ...)")."""
from __future__ import annotations

import re

import pytest
import typer
import typer.rich_utils
from typer.testing import CliRunner

from mtaudit.cli import app

runner = CliRunner()


def _commands(group, path: tuple[str, ...] = ()):
    yield path, group
    for name, command in getattr(group, "commands", {}).items():  # typer's click groups
        yield from _commands(command, path + (name,))


COMMANDS = list(_commands(typer.main.get_command(app)))


def _plain(text: str) -> str:
    """Help text as a reader sees it, whatever the line wrapping and the box drawing."""
    text = re.sub(r"[│╭╮╰╯─┃━]", " ", text)
    return " ".join(text.split())


def _as_written(help_text: str) -> str:
    # rich's escape "\[" shows as "["; the first paragraph is what a command's help shows at the top
    return _plain(help_text.replace("\\[", "[").split("\n\n")[0])


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) or "mtaudit" for p, _ in COMMANDS])
def test_help_shows_every_help_text_literally(path, command, monkeypatch):
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", 1000)  # no wrapping inside table cells
    result = runner.invoke(app, [*path, "--help"], terminal_width=1000)
    assert result.exit_code == 0, result.output
    shown = _plain(result.output)
    texts = [p.help for p in command.params if getattr(p, "help", None)]
    if command.help:
        texts.append(command.help)
    assert texts, f"{path}: no help texts at all"
    for text in texts:
        assert _as_written(text) in shown, f"`mtaudit {' '.join(path)} --help` does not show: {text!r}"


def test_the_config_option_names_its_toml_tables():
    result = runner.invoke(app, ["audit", "--help"], terminal_width=200)
    assert "[detectors.NAME]" in _plain(result.output)

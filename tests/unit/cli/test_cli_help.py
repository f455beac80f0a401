"""Every `--help` shows its help texts as written: rich markup must not swallow bracketed text such as
"[detectors.NAME]" (it did: `mtaudit audit --help` printed "TOML file with detector options ( tables; ...)")."""
from __future__ import annotations

import os
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


# What typer shows when nothing names what an option takes: Python types ("<bool>", "<list[str]>", "<int range>"),
# ranges in set notation ("[x>=0]") and arguments in braces ("{paths}..."). Help is for users: FILE, N, GLOB.
PYTHON_TYPES = re.compile(r"<(?:bool|str|int|float|path|Path|list\[)[^>]*>|\[x[<>]=|\{\w+\}")


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) or "mtaudit" for p, _ in COMMANDS])
def test_help_names_no_python_types(path, command):
    result = runner.invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert not PYTHON_TYPES.search(result.output), f"`mtaudit {' '.join(path)} --help`:\n{result.output}"


def _help(*command: str) -> str:
    """`mtaudit COMMAND --help` as a user's terminal prints it (a real process, 200 columns), box drawing removed."""
    import subprocess
    import sys
    from pathlib import Path

    mtaudit = Path(sys.executable).with_name("mtaudit")  # the console script a user runs
    result = subprocess.run([str(mtaudit), *command, "--help"], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}, timeout=120)
    assert result.returncode == 0, result.stderr
    return _plain(result.stdout)


def test_audit_help_names_what_each_option_takes_as_its_text_does():
    shown = _help("audit")
    assert "Usage: mtaudit audit [OPTIONS] PATHS..." in shown
    assert "* PATHS... Files or folders to audit." in shown
    for option in ("--jsonl FILE Write", "--html FILE Write", "--annotate OUTDIR Write", "--top N How many",
                   "--fail-above RISK Exit with code 1", "--set DETECTOR.OPTION=VALUE One detector option",
                   "--include GLOB Only audit", "--langs SRC-TGT Language pair", "--workers N Processes",
                   "--address HOST:PORT With --engine ray"):
        assert option in shown, option
    # a flag takes nothing: its help follows its name
    for flag in ("--no-model Skip the transformer", "--mark-fuzzy With --annotate", "--resume Continue",
                 "--recursive --no-recursive Walk sub-folders", "--help -h Show this message"):
        assert flag in shown, flag


def test_runtime_help_says_how_a_wheel_user_gets_openvino():
    shown = _help("audit")
    assert "which make installs" not in shown
    assert "pip install 'mtaudit[openvino]'" in shown


def test_other_commands_name_what_their_arguments_and_options_take():
    assert "Usage: mtaudit watch [OPTIONS] INBOX" in _help("watch")
    assert "--out OUTDIR Where each file's results go" in _help("watch")
    assert "--poll SECONDS Seconds between" in _help("watch")
    assert "Usage: mtaudit report [OPTIONS] RESULTS" in _help("report")
    assert "Usage: mtaudit models pull [OPTIONS] [NAME]" in _help("models", "pull")
    assert "--mqm FILE Human MQM judgements" in _help("eval")
    assert "--folds N Validation folds" in _help("calibrate")
    assert "--version Print the version." in _help()

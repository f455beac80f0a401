"""Atomic outputs: the mode a plain open() would give, the mode of the file they replace."""
import os
import stat

import pytest

from mtaudit.core.outputs import atomic_output, write_atomic


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002, 0o077])
def test_a_new_output_gets_the_mode_of_a_plain_open(tmp_path, umask, mask):
    umask(mask)
    with open(tmp_path / "plain", "w"):
        pass
    write_atomic(tmp_path / "atomic", "text")
    assert mode(tmp_path / "atomic") == mode(tmp_path / "plain") == 0o666 & ~mask


def test_a_replaced_output_keeps_its_mode(tmp_path, umask):
    umask(0o077)
    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o640)
    with atomic_output(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new" and mode(target) == 0o640


def test_a_failed_output_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "r.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("stop")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_a_symlinked_output_is_written_through_and_the_link_kept(tmp_path):
    from mtaudit.reports.jsonl import JsonlWriter

    for name in ("report.html", "results.jsonl"):
        target, link = tmp_path / f"real-{name}", tmp_path / name
        target.write_text("old")
        target.chmod(0o640)
        link.symlink_to(target)
        if name.endswith(".jsonl"):
            writer = JsonlWriter(link)
            writer.open({"type": "run"})
            writer.close()
        else:
            write_atomic(link, "new")
        assert link.is_symlink() and os.readlink(link) == str(target)
        assert target.read_text() != "old" and mode(target) == 0o640

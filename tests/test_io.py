"""Atomic writes: no half-written files, and no folders made up on the way."""

import pytest

from discovery._io import atomic_write_bytes, atomic_write_text, write_csv
from discovery.cli import main
from discovery.errors import SchemeFileError


def test_atomic_write_replaces_whole_file(tmp_path):
    path = tmp_path / "a.txt"
    atomic_write_text(path, "first")
    atomic_write_bytes(path, b"second")
    assert path.read_text() == "second" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_missing_parent_folder_is_an_error_not_a_mkdir(tmp_path):
    for write in (lambda p: atomic_write_text(p, "x"), lambda p: write_csv(p, [{"a": 1}])):
        with pytest.raises(SchemeFileError, match="does not exist; create it first"):
            write(tmp_path / "typo" / "deeper" / "out.csv")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "file").write_text("")
    with pytest.raises(SchemeFileError, match="is not a folder"):
        atomic_write_text(tmp_path / "file" / "x.txt", "x")


def test_cli_writes_to_a_missing_folder_exit_2(tmp_path, capsys):
    for argv in (["known", "strassen", "-o", str(tmp_path / "nope" / "s.json")],
                 ["discover", "2", "2", "2", "--rank", "7", "--restarts", "4", "--quiet",
                  "--out", str(tmp_path / "made" / "by" / "discover")]):
        code = main(argv)
        err = capsys.readouterr().err
        if argv[0] == "known":
            assert code == 2 and err.count("\n") == 1 and "does not exist" in err
            assert not (tmp_path / "nope").exists()
        else:  # an explicit output folder (--out DIR) is still created
            assert code == 0 and (tmp_path / "made" / "by" / "discover").is_dir()

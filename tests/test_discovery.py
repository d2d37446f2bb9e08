"""Which files a run looks at, and as what kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from prefect_upgrade.discovery import discover, kind_of


def _found(*paths, excludes=()):
    return sorted(str(c.path) for c in discover([Path(p) for p in paths], excludes))


def _touch(path: Path, text: str = "import prefect\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "name, kind",
    [
        ("flow.py", "python"),
        ("stubs.pyi", "python"),
        ("Dockerfile", "dockerfile"),
        ("Dockerfile.prod", "dockerfile"),
        ("api.dockerfile", "dockerfile"),
        ("Makefile", "makefile"),
        ("rules.mk", "makefile"),
        (".env", "dotenv"),
        (".env.production", "dotenv"),
        ("ci.yml", "yaml"),
        ("deploy.yaml", "yaml"),
        ("config.toml", "toml"),
        ("Pipfile", "toml"),
        ("tox.ini", "ini"),
        ("setup.cfg", "ini"),
        ("requirements-dev.txt", "requirements"),
        ("constraints.txt", "requirements"),
        ("README.md", "markdown"),
        ("index.rst", "rst"),
        ("run.sh", "shell"),
        ("notes.txt", None),
        ("image.png", None),
    ],
)
def test_kind_by_name(tmp_path, name, kind):
    assert kind_of(tmp_path / name) == kind


def test_kind_by_shebang(tmp_path):
    _touch(tmp_path / "deploy", "#!/usr/bin/env bash\nprefect register\n")
    _touch(tmp_path / "tool", "#!/usr/bin/env python3\nimport prefect\n")
    _touch(tmp_path / "data", "just words\n")
    assert kind_of(tmp_path / "deploy") == "shell"
    assert kind_of(tmp_path / "tool") == "python"
    assert kind_of(tmp_path / "data") is None


def test_walk_skips_default_excludes_and_unknown_kinds(tmp_path):
    _touch(tmp_path / "flows" / "etl.py")
    _touch(tmp_path / ".venv" / "lib" / "prefect.py")
    _touch(tmp_path / "node_modules" / "x.py")
    _touch(tmp_path / "build" / "x.py")
    _touch(tmp_path / "pkg.egg-info" / "x.py")
    _touch(tmp_path / "flows" / "__pycache__" / "etl.py")
    _touch(tmp_path / "notes.txt")
    assert _found(tmp_path) == [str(tmp_path / "flows" / "etl.py")]


def test_gitignore_files_are_respected_nested_too(tmp_path):
    (tmp_path / ".git").mkdir()
    _touch(tmp_path / ".gitignore", "generated/\n*.gen.py\n")
    _touch(tmp_path / "a.py")
    _touch(tmp_path / "b.gen.py")
    _touch(tmp_path / "generated" / "c.py")
    _touch(tmp_path / "sub" / ".gitignore", "local.py\n!keep.gen.py\n")
    _touch(tmp_path / "sub" / "local.py")
    _touch(tmp_path / "sub" / "kept.py")
    _touch(tmp_path / "sub" / "keep.gen.py")
    assert _found(tmp_path) == [
        str(tmp_path / "a.py"),
        str(tmp_path / "sub" / "keep.gen.py"),
        str(tmp_path / "sub" / "kept.py"),
    ]


def test_gitignore_above_the_given_folder_counts(tmp_path):
    (tmp_path / ".git").mkdir()
    _touch(tmp_path / ".gitignore", "skipped/\n")
    _touch(tmp_path / "src" / "skipped" / "x.py")
    _touch(tmp_path / "src" / "y.py")
    assert _found(tmp_path / "src") == [str(tmp_path / "src" / "y.py")]


def test_a_file_named_explicitly_is_always_taken(tmp_path):
    (tmp_path / ".git").mkdir()
    _touch(tmp_path / ".gitignore", "ignored.py\n")
    path = _touch(tmp_path / "ignored.py")
    assert [c.explicit for c in discover([path])] == [True]


def test_exclude_globs(tmp_path):
    _touch(tmp_path / "flows" / "a.py")
    _touch(tmp_path / "legacy" / "b.py")
    _touch(tmp_path / "flows" / "test_a.py")
    assert _found(tmp_path, excludes=["legacy", "test_*.py"]) == [str(tmp_path / "flows" / "a.py")]


def test_symlinks_are_not_followed_in_a_walk(tmp_path):
    inside = _touch(tmp_path / "repo" / "a.py")
    outside = _touch(tmp_path / "elsewhere" / "b.py")
    (tmp_path / "repo" / "loop").symlink_to(tmp_path / "repo")
    (tmp_path / "repo" / "out").symlink_to(outside.parent)
    (tmp_path / "repo" / "b_link.py").symlink_to(outside)
    assert _found(tmp_path / "repo") == [str(inside)]


def test_each_file_once_even_when_given_twice(tmp_path):
    path = _touch(tmp_path / "a.py")
    assert len(_found(tmp_path, path, tmp_path)) == 1


def test_non_utf8_file_names_are_walked(tmp_path):
    name = b"fl\xffow.py"
    folder = bytes(tmp_path)
    with open(folder + b"/" + name, "w") as handle:
        handle.write("import prefect\n")
    found = _found(tmp_path)
    assert len(found) == 1 and found[0].endswith(".py")

"""``python -m prefect_upgrade.codemods``: rewrite ``_marker_index.py`` from the codemod classes."""

from pathlib import Path

from prefect_upgrade.codemods import render_index

target = Path(__file__).with_name("_marker_index.py")
target.write_text(render_index(), encoding="utf-8")
print(f"wrote {target}")

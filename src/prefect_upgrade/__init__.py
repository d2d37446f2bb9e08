"""prefect-upgrade: rewrite Prefect 0.13-0.15 code bases for Prefect 1.x."""

__version__ = "0.1.0"

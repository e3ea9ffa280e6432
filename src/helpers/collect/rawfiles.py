"""Whether a period has raw exports: paths only (the runner asks before it imports pandas)."""
from __future__ import annotations

from pathlib import Path

NOT_EXPORTS = ("thumbs.db", "desktop.ini")  # files the operating system leaves in folders


def has_raw_files(folder: Path) -> bool:
    """Whether a period's raw folder holds an export, in it or in a subfolder (barn/, vuxen/). Hidden files
    and folders (.ipynb_checkpoints), Excel's lock files (~$insatser.xlsx) and the system's own files do not
    count."""
    folder = Path(folder)
    if not folder.is_dir():
        return False
    for p in folder.rglob("*"):
        parts = p.relative_to(folder).parts
        if p.is_file() and not any(part.startswith(".") for part in parts) and not p.name.startswith("~$") \
                and p.name.casefold() not in NOT_EXPORTS:
            return True
    return False

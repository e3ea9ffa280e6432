"""The list of files the demo generator made, with their SHA-256, kept beside them.

The documented demo key is public, so pseudonyms made with it can be recomputed by anyone: it may only be used
on synthetic files. The import checks a file against this list before it uses the demo key.
"""
from __future__ import annotations

import json
from pathlib import Path

from .atomic import write_text_atomic
from .filehash import file_hash

MANIFEST_NAME = "_demofiler.json"


def write_manifest(folder: str | Path, files, made_by: str = "uppfoljning demo") -> Path:
    """List ``files`` (paths in ``folder``) with their SHA-256 in ``folder/_demofiler.json``; files listed
    before and not given again are kept."""
    folder = Path(folder)
    path = folder / MANIFEST_NAME
    listed = read_manifest(folder)
    listed.update({Path(f).name: file_hash(folder / Path(f).name) for f in files})
    content = {"skapad_av": made_by, "beskrivning": "Syntetiska demofiler; bara de får pseudonymiseras med "
               "demonyckeln.", "filer": dict(sorted(listed.items()))}
    return write_text_atomic(path, json.dumps(content, ensure_ascii=False, indent=2) + "\n")


def read_manifest(folder: str | Path) -> dict[str, str]:
    """File name -> SHA-256 of the demo files in ``folder`` (empty when there is no readable list)."""
    path = Path(folder) / MANIFEST_NAME
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in dict(content.get("filer") or {}).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def demo_file_problem(source: str | Path) -> str | None:
    """None when ``source`` is a file the demo generator made and it is unchanged; else why not (Swedish)."""
    source = Path(source)
    listed = read_manifest(source.parent)
    if not listed:
        return (f"det finns ingen förteckning över demofiler ({MANIFEST_NAME}) i mappen {source.parent} (demodata "
                "från en äldre version skapas på nytt med uppfoljning demo --force)")
    if source.name not in listed:
        return f"filen {source.name} finns inte i förteckningen {MANIFEST_NAME}"
    if file_hash(source) != listed[source.name]:
        return f"filen {source.name} har ändrats sedan demogeneratorn skapade den"
    return None

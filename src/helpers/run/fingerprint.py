"""Content hashes that let a rerun skip the steps whose inputs did not change.

A step is skipped when, compared with its last successful run (recorded in korning.json):

- its *static* inputs are the same: the notebook, the parameters, the code (src/helpers, templates and the
  versions of the main packages), the config (without ``korning:``), the texts, the plan and the mappings;
- the files it may read are the same: raw data, processed data and the scope's output folder, except the
  files that this step or a later one writes (their contents legitimately differ between before and after);
- the files it wrote last time are still as it left them (unless a later step rewrites them);
- every earlier step in the chain was skipped too, or ran again and wrote exactly the same files.

Anything unclear (no record, a failed or interrupted step, a missing executed notebook) means: run it.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

from ..config import PROJECT_ROOT, mapping_candidates
from ..filehash import file_hash

PACKAGES = ("pandas", "numpy", "pyarrow", "matplotlib", "seaborn", "scipy", "openpyxl", "nbconvert", "nbformat",
            "papermill", "ipykernel", "weasyprint", "typst", "jinja2")
_code_digest: str | None = None


def digest(parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(str(part).encode("utf-8", errors="replace"))
        h.update(b"\0")
    return h.hexdigest()


def files(root: Path, leave_out: Callable[[str, bool], bool]):
    """(relative path, path, stat) of the files under ``root``, sorted by path; a name for which ``leave_out(name,
    at_top)`` is true is left out with everything under it. As ``Path.rglob``: links to files count, links to
    folders are not entered. One ``os.scandir`` per folder (``rglob`` with ``is_file`` and ``stat`` per path took
    several times as long, and a run walks its folders before and after every step)."""
    def walk(folder: str, prefix: str):
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if leave_out(entry.name, not prefix):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    yield from walk(entry.path, f"{prefix}{entry.name}/")
                elif entry.is_file():
                    yield f"{prefix}{entry.name}", entry.path, entry.stat()
            except OSError:  # removed while we looked: it is not there any more
                continue
    return walk(os.fspath(root), "")


def tree(root: Path, suffixes: tuple[str, ...] | None = None):
    """(relative path, hash) of the files under root, sorted; hidden files and __pycache__ are left out."""
    if root.is_file():
        yield root.name, file_hash(root)
        return
    for rel, path, st in files(root, lambda name, _: name.startswith(".") or name == "__pycache__"):
        if not suffixes or os.path.splitext(rel)[1] in suffixes:
            yield rel, file_hash(path, st)


def code_digest() -> str:
    """The code a run depends on: src/helpers, templates/, Python and the main packages' versions."""
    global _code_digest
    if _code_digest is None:
        helpers_dir = Path(__file__).resolve().parents[1]
        parts = [sys.version]
        for name in PACKAGES:
            try:
                parts.append(f"{name}={metadata.version(name)}")
            except metadata.PackageNotFoundError:
                parts.append(f"{name}=-")
        parts += [f"helpers/{rel}:{h}" for rel, h in
                  tree(helpers_dir, (".py", ".yml", ".yaml", ".j2", ".css", ".json", ".typ"))]
        parts += [f"templates/{rel}:{h}" for rel, h in tree(PROJECT_ROOT / "templates")]
        _code_digest = digest(parts)
    return _code_digest


def config_digest(config) -> str:
    """The config without its ``korning:`` section (settings that do not change a report), the texts, the
    plan and the mapping files the sources name. Parts that cannot be found are simply left out."""
    data = {k: v for k, v in config.data.items() if k != "korning"}
    parts = [json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)]
    try:
        parts += [f"texter/{rel}:{h}" for rel, h in tree(config.resolve(config.get("texter", "texter")))]
    except (OSError, TypeError, ValueError):
        pass
    if config.get("plan"):
        try:
            parts += [f"plan:{h}" for _, h in tree(config.resolve(config["plan"]))]
        except (OSError, TypeError, ValueError):
            pass
    names = {str(s.get("mappning")) for s in config.get("kallor") or [] if isinstance(s, dict) and s.get("mappning")}
    for name in sorted(names):  # the mapping's path without importing the import's modules (pydantic, pandas)
        found = next((p for p in mapping_candidates(name, config) if p.is_file()), None)
        try:
            parts += [f"mappning/{name}:{h}" for _, h in tree(found)] if found else [f"mappning/{name}:saknas"]
        except OSError:  # a mapping that cannot be read is reported by the import itself
            parts.append(f"mappning/{name}:saknas")
    return digest(parts)


def static_digest(notebook: Path, parameters: dict, code: str, config: str, extra: str = "") -> str:
    note = file_hash(notebook) if notebook.exists() else "saknas"
    return digest([note, json.dumps(parameters, sort_keys=True, default=str), code, config, extra])


@dataclass
class Manifest:
    """Content hashes of the files a step may read or write, keyed ``<root name>/<relative path>``."""
    hashes: dict[str, str] = field(default_factory=dict)
    stats: dict[str, tuple] = field(default_factory=dict)

    def changed_since(self, before: "Manifest") -> dict[str, str | None]:
        """Files written (new, rewritten, changed) or removed since ``before``: key -> hash now (None: removed)."""
        out: dict[str, str | None] = {}
        for key, h in self.hashes.items():
            if before.hashes.get(key) != h or before.stats.get(key) != self.stats.get(key):
                out[key] = h
        for key in before.hashes.keys() - self.hashes.keys():
            out[key] = None
        return out


def manifest(roots: dict[str, Path], skip_top: frozenset[str] = frozenset()) -> Manifest:
    """Hash every file under the roots. Hidden files, and top-level entries named in ``skip_top`` (executed
    notebooks, unit folders, rendered reports), are left out."""
    m = Manifest()
    for name, root in roots.items():
        for rel, path, st in files(root, lambda entry, at_top: entry.startswith(".") or (at_top and entry in skip_top)):
            key = f"{name}/{rel}"
            try:
                m.hashes[key] = file_hash(path, st)
            except OSError:  # removed while we looked: it is not an input any more
                continue
            m.stats[key] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return m


def why_not_skip(step: str, order: list[str], records: dict, static: str, now: Manifest,
                 executed: Path) -> str | None:
    """None when ``step`` can be skipped, else the reason (Swedish, for the log)."""
    rec = records.get(step)
    if not rec or rec.get("status") != "klar":
        return "ingen lyckad körning att jämföra med"
    if rec.get("statiskt") != static:
        return "notebooken, parametrarna, koden eller konfigurationen har ändrats"
    if not executed.exists():
        return "den körda notebooken saknas"
    later = order[order.index(step) + 1:] if step in order else []
    rewritten_later = set().union(*(set((records.get(s) or {}).get("skrivna", {})) for s in later)) if later else set()
    own_and_later = set(rec.get("skrivna", {})) | rewritten_later
    before = rec.get("start", {})
    keys = (set(before) | set(now.hashes)) - own_and_later
    changed = sorted(k for k in keys if before.get(k) != now.hashes.get(k))
    if changed:
        more = f" och {len(changed) - 3} till" if len(changed) > 3 else ""
        return "indata har ändrats: " + ", ".join(changed[:3]) + more
    for key, h in rec.get("skrivna", {}).items():
        if key not in rewritten_later and now.hashes.get(key) != h:
            return f"utdata har ändrats eller saknas: {key}"
    return None


def same_outputs(written_now: dict[str, str | None], after: Manifest, rec: dict | None) -> bool:
    """Did a step that ran again leave exactly the files it left last time?"""
    if not rec or rec.get("status") != "klar":
        return False
    last = rec.get("skrivna", {})
    return all(after.hashes.get(k) == last.get(k) for k in set(written_now) | set(last))

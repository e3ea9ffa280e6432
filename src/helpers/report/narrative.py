"""The narrative texts the analyst writes: one Markdown file per section, per municipality and period."""
from __future__ import annotations

from pathlib import Path

import mistune

MISSING_TEXT = "Text saknas för detta avsnitt."


class _ShiftedHeadings(mistune.HTMLRenderer):
    """Headings inside a section start at h3 (the section itself is h2); raw HTML is escaped."""

    def heading(self, text: str, level: int, **attrs) -> str:
        lvl = min(level + 2, 6)
        return f"<h{lvl}>{text}</h{lvl}>\n"


_markdown = mistune.create_markdown(renderer=_ShiftedHeadings(escape=True), plugins=["table", "strikethrough"])


def _strip_comments(text: str) -> str:
    """Lines starting with '<!--' ... '-->' are notes to the analyst and never reach the report."""
    out, skipping = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("<!--"):
            skipping = "-->" not in line
            continue
        if skipping:
            skipping = "-->" not in line
            continue
        out.append(line)
    return "\n".join(out)


def read_text(texts_dir: Path, name: str) -> str | None:
    """The Markdown of one section file (``<name>.md``) without analyst notes, or None when it is absent."""
    path = Path(texts_dir) / f"{name}.md"
    if not path.is_file():
        return None
    return _strip_comments(path.read_text(encoding="utf-8")).strip() or None


def render_markdown(text: str) -> str:
    return _markdown(text)


def section_html(texts_dir: Path, name: str, missing: str | None = MISSING_TEXT) -> str:
    text = read_text(texts_dir, name)
    if text is None:
        return f'<p class="saknas">{missing}</p>' if missing else ""
    return render_markdown(text)

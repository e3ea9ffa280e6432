"""The kvalitetsredovisning: content from files (sections), accessible tables, rendering and report checks."""
from .errors import ReportCheckError

__all__ = ["ReportCheckError", "render_report"]


def render_report(*args, **kwargs):
    """See ``helpers.report.render.render_report`` (imported lazily: nbconvert is slow to import)."""
    from .render import render_report as _render
    return _render(*args, **kwargs)

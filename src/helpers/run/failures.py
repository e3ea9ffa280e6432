"""Why a run stopped, in Swedish: the notebook, the cell as the analyst numbers it, its first line and where the
executed copy with the error is. The fields are kept too, for korning.json and a batch's summary."""
from __future__ import annotations

from pathlib import Path


class PipelineError(RuntimeError):
    """A step failed or the run cannot start; the message (Swedish) names the notebook and the cell."""

    def __init__(self, message: str, notebook: str | None = None, cell: int | None = None,
                 executed: str | None = None):
        super().__init__(message)
        self.notebook = notebook
        self.cell = cell
        self.executed = executed

    def fields(self) -> dict:
        return {"notebook": self.notebook, "cell": self.cell, "meddelande": str(self),
                "kord_notebook": self.executed}

    def __reduce__(self):  # keep the fields when sent between processes
        return (type(self), (str(self), self.notebook, self.cell, self.executed))


def source_cell_number(notebook_path: Path, code: str) -> int | None:
    """1-based number of the failing cell in the notebook as the analyst sees it (no injected cell)."""
    import nbformat

    try:
        nb = nbformat.read(str(notebook_path), as_version=4)
    except Exception:
        return None
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and cell.source == code:
            return i
    return None


def cell_failure(exc, notebook: str, notebook_path: Path, executed: Path) -> PipelineError:
    """Turn papermill's exception into a Swedish message that names the notebook and the cell."""
    count = getattr(exc, "exec_count", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    code = getattr(exc, "source", "") or ""
    source = code.strip().splitlines()
    first = source[0][:100] if source else ""
    cell = source_cell_number(notebook_path, code)
    where = f"cell {cell}" if cell else "okänd cell"
    if count:
        where += f" (körning [{count}])"
    return PipelineError(
        f"Steget {notebook}.ipynb misslyckades i {where}: {ename}: {evalue}\n"
        f"  Cellen börjar: {first}\n"
        f"  Den körda notebooken med felet finns i {executed}",
        notebook=notebook, cell=cell, executed=str(executed))


def step_failure(exc, notebook: str) -> PipelineError:
    """A step that could not run at all (the kernel died, the notebook file is broken, ...)."""
    return PipelineError(f"Steget {notebook}.ipynb kunde inte köras: {type(exc).__name__}: {exc}",
                         notebook=notebook)

"""The house rules: src/helpers/ mirrors the steps, data flows one way and no module imports one that imports it
back (directly or through others). Imports inside functions count too."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parents[1] / "src" / "helpers"
SHARED = "shared"  # config, params, schema, formatting, ... at the top of helpers/
# Each package may import the shared modules and the packages listed here, nothing else.
ALLOWED = {
    SHARED: set(),
    "collect": set(),
    "demo": {"collect"},
    "plan": {"collect"},
    "indicators": set(),
    "publication": {"indicators"},
    "comparison": set(),
    "analysis": {"indicators", "publication", "comparison"},
    "report": {"indicators", "publication", "analysis", "comparison"},
    "run": {"collect", "plan", "indicators", "publication", "analysis", "report", "comparison"},
    "cli": {"collect", "plan", "indicators", "publication", "analysis", "report", "run", "demo", "comparison"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(HELPERS).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Modules of helpers that `path` imports, as dotted names relative to helpers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = module_name(path).split(".") if module_name(path) else []
    package = own if path.name == "__init__.py" else own[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            target = base + (node.module.split(".") if node.module else [])
            if node.module:
                found.add(".".join(target))
            for alias in node.names:  # "from . import x" may name a module
                candidate = ".".join(target + [alias.name])
                if (HELPERS / Path(*candidate.split("."))).with_suffix(".py").exists() or \
                        (HELPERS / Path(*candidate.split("."))).is_dir():
                    found.add(candidate)
            if not node.module:
                continue
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("helpers."):
            found.add(node.module[len("helpers."):])
    return {f for f in found if f}


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in HELPERS.rglob("*.py")}


def layer(module: str) -> str:
    head = module.split(".")[0]
    if head == "cli":
        return "cli"
    return head if (HELPERS / head).is_dir() else SHARED


def test_no_module_imports_one_that_imports_it_back():
    g = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in sorted(g.get(m, ())):
            if n not in g or n == m or n.startswith(m + "."):  # a package's own submodules are not a cycle
                continue
            if state.get(n) == 1:
                cycles.append(stack[stack.index(n):] + [n] if n in stack else [m, n])
            elif not state.get(n):
                visit(n, stack + [n])
        state[m] = 2

    for m in sorted(g):
        if not state.get(m):
            visit(m, [m])
    assert not cycles, "importcykler: " + "; ".join(" → ".join(c) for c in cycles)


def test_packages_depend_only_on_earlier_steps():
    wrong = []
    for m, targets in graph().items():
        own = layer(m)
        for t in targets:
            other = layer(t)
            if other not in (own, SHARED) and other not in ALLOWED.get(own, set()):
                wrong.append(f"{m} → {t}")
            if own == SHARED and other != SHARED:
                wrong.append(f"{m} → {t}")
    assert not wrong, "beroenden mot flödet: " + ", ".join(sorted(wrong))


@pytest.mark.parametrize("package", ["plan", "collect", "indicators", "publication", "analysis", "report", "run"])
def test_step_packages_exist(package):
    assert (HELPERS / package / "__init__.py").is_file()


def test_the_runner_starts_its_kernel_without_importing_pandas_first():
    """The coordinator and the workers import pandas only when they use it (0,4 s before the kernel could start,
    0,9 s when the coordinator moved the annex into place at the end); pandas still gets the project's string
    storage the moment anything imports it."""
    import subprocess
    import sys

    code = ("import sys\n"
            "import helpers.cli, helpers.run.pipeline, helpers.run.workers, helpers.run.engine, helpers.config_schema\n"
            "from helpers.run.arguments import require_data\n"
            "import helpers.run.annex_job, helpers.run.work_ahead, helpers.run.journal, helpers.atomic\n"
            "assert 'pandas' not in sys.modules, 'pandas importerades'\n"
            "import pandas\n"
            "print(pandas.get_option('mode.string_storage'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "python"


def test_the_coordinator_reads_a_checked_config_and_fingerprints_it_without_pydantic_or_pandas(tmp_path):
    """Every process of a run loads the config, and the coordinator fingerprints it when it hands out the annexes:
    once the config has passed its check, neither imports pydantic nor pandas (0,2-0,4 s of a core each)."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from pathlib import Path\n"
            "from helpers import checked_files\n"
            f"checked_files.FOLDER = Path({str(tmp_path)!r})\n"
            "from helpers.config import load_config\n"
            "from helpers.run.fingerprint import config_digest\n"
            "config = load_config(None)\n"
            "assert config.get('kallor'), 'the demo names its sources and their mappings'\n"
            "print(config_digest(config), 'pydantic' in sys.modules, 'pandas' in sys.modules)\n")
    first, again = (subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
                    .stdout.split() for _ in range(2))
    assert first[1] == "True"  # checked the first time
    assert again == [first[0], "False", "False"]

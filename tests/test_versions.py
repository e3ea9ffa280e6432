"""One list of versions, said the same way everywhere: pyproject.toml's lower bounds are what constraints/minimum.txt
pins (and `make test-minimum` tests), and what the conda environments ask for; analysts get no test tools."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def lower_bounds(requirements) -> dict[str, str]:
    out = {}
    for req in requirements:
        m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9.]*)\s*", req)
        assert m, f"ange en lägsta version med >=: {req}"
        out[m.group(1).lower()] = m.group(2)
    return out


RUNTIME = lower_bounds(PYPROJECT["project"]["dependencies"])
TEST = lower_bounds(PYPROJECT["project"]["optional-dependencies"]["test"])


def same_version(a: str, b: str) -> bool:
    parts = lambda v: [int(x) for x in v.split(".")] + [0] * (3 - len(v.split(".")))
    return parts(a) == parts(b)


def conda_bounds(path: Path) -> dict[str, str]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = {}
    for dep in spec["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9.]*)", item.strip())
            if m and m.group(1) != "python":
                out[m.group(1).lower()] = m.group(2)
    return out


def test_minimum_constraints_pin_exactly_the_declared_lower_bounds():
    pins = {}
    for line in (ROOT / "constraints" / "minimum.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    declared = {**RUNTIME, **TEST}
    assert set(pins) == set(declared)
    for name, version in declared.items():
        assert same_version(pins[name], version), (name, pins[name], version)


def test_analyst_environment_has_the_runtime_packages_and_no_test_tools():
    conda = conda_bounds(ROOT / "environment.yml")
    assert conda == RUNTIME
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for tool in ("pytest", "nbval", "hypothesis", "playwright"):
        assert tool not in text.split("name:")[1], tool


def test_test_environment_adds_exactly_the_test_tools():
    assert conda_bounds(ROOT / "environment-test.yml") == TEST

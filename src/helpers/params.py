"""Notebook parameters: papermill does not type them, so every notebook validates them here first."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .config import Config, Paths, load_config, period_paths


class ParameterError(ValueError):
    """A notebook parameter that cannot be used (Swedish message)."""


PERIOD_RE = re.compile(r"^(19|20)\d{2}$")


def as_period(value) -> str:
    """A period is a year as a string ('2025'); 2025 (int) is accepted and turned into '2025'."""
    if isinstance(value, bool) or value is None:
        raise ParameterError(f"Ogiltig period: {value!r}. Ange ett år, t.ex. \"2025\".")
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not PERIOD_RE.match(text):
        raise ParameterError(f"Ogiltig period: {value!r}. Ange ett år med fyra siffror, t.ex. \"2025\".")
    return text


def as_unit(value, config: Config) -> str | None:
    if value in (None, "", "None", "alla"):
        return None
    code = str(value)
    if code not in config.units:
        known = ", ".join(config.units)
        raise ParameterError(f"Okänd enhet '{code}'. Kända enheter i {config.path.name}: {known}.")
    return code


@dataclass(frozen=True)
class RunParams:
    period: str
    config: Config
    paths: Paths
    unit: str | None

    @property
    def unit_name(self) -> str:
        return self.config.unit_name(self.unit)


def validate(period, config, data_dir="data", output_dir=None, unit=None) -> RunParams:
    """Check a notebook's parameters and resolve the config and paths."""
    p = as_period(period)
    cfg = config if isinstance(config, Config) else load_config(config)
    u = as_unit(unit, cfg)
    out = None if output_dir in (None, "") else Path(output_dir)
    return RunParams(p, cfg, period_paths(p, data_dir, out, u), u)

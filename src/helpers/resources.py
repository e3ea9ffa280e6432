"""Where the workbench's own files are: the step notebooks, the report templates and the example configuration.

In a checkout of the repository they are the folders at its top (``notebooks/``, ``templates/``, ``config/``).
In an installed wheel they are shipped inside the package as ``helpers/bundled/<folder>`` (see setup.py).
Data and reports belong to the user: in a checkout they go under the repository, otherwise under the working
folder (or the folder named by the environment variable UPPFOLJNING_HEM).
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_DIR = PACKAGE_DIR / "bundled"
HOME_VARIABLE = "UPPFOLJNING_HEM"


def checkout_root() -> Path | None:
    """The repository this package runs from (editable install or source tree), or None when installed."""
    root = PACKAGE_DIR.parents[1]  # <repo>/src/helpers -> <repo>
    if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir() and (root / "src").is_dir():
        return root
    return None


def work_root() -> Path:
    """The folder that relative data and report paths start from."""
    root = checkout_root()
    if root is not None:
        return root
    home = os.environ.get(HOME_VARIABLE, "").strip()
    return Path(home).expanduser().resolve() if home else Path.cwd().resolve()


def resource_dir(name: str) -> Path:
    """``notebooks``, ``templates`` or ``config``: from the checkout when there is one, else from the package."""
    root = checkout_root()
    if root is not None and (root / name).is_dir():
        return root / name
    return BUNDLED_DIR / name


NOTEBOOKS_DIR = resource_dir("notebooks")
TEMPLATES_DIR = resource_dir("templates")
CONFIG_DIR = resource_dir("config")
DEFAULT_CONFIG = CONFIG_DIR / "exempelkommun.yml"

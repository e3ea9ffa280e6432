"""Packaging beyond pyproject.toml: the notebooks, the report templates and the example configuration live at the
top of the repository and are shipped inside the package as helpers/bundled/<folder> (see helpers/resources.py),
so that an installed wheel works without a checkout."""
import sys
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent


def bundled(folder: str) -> dict[str, str]:
    """Package name -> folder for ``folder`` and its subfolders whose names could be imported."""
    found = {f"helpers.bundled.{folder}": folder}
    for sub in sorted((HERE / folder).rglob("*")):
        parts = sub.relative_to(HERE / folder).parts
        if sub.is_dir() and all(p.isidentifier() for p in parts):
            found[".".join(("helpers", "bundled", folder) + parts)] = "/".join((folder,) + parts)
    return found


# An editable install runs from the checkout, where helpers/resources.py finds the folders themselves; without the
# extra packages it stays a plain src layout (a .pth entry instead of an import hook).
EDITABLE = "editable_wheel" in sys.argv
BUNDLED = {} if EDITABLE else {
    name: path for folder in ("notebooks", "templates", "config") for name, path in bundled(folder).items()}

setup(
    packages=find_packages("src") + list(BUNDLED),
    package_dir={"": "src", **BUNDLED},
    package_data={"helpers": ["**/*.yml", "**/*.yaml", "**/*.j2", "**/*.css"], **{p: ["**/*"] for p in BUNDLED}},
    exclude_package_data={p: ["**/__pycache__/*", "**/*.pyc"] for p in BUNDLED},
)

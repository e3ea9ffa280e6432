"""A period's raw folder made of files from the bad-file corpus, listed in a demo manifest (so the demo key may
pseudonymise them), for the import tests."""
import shutil
from pathlib import Path

from helpers.manifest import write_manifest

CORPUS = Path(__file__).parent / "corpus"


def raw_period(data_dir: Path, *names: str, period: str = "2025") -> Path:
    folder = Path(data_dir) / "raw" / period
    folder.mkdir(parents=True)
    for name in names:
        shutil.copy(CORPUS / name, folder / name)
    write_manifest(folder, list(folder.iterdir()))
    return folder

"""What a person sees when they open one of the site's files in LibreOffice Calc.

The file is opened with LibreOffice's default import for its type (as a double-click would)
and saved again as UTF-8 CSV with the cells as shown, so a test reads back every cell's text.
"""

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is missing")
# Comma-separated, double quotes, UTF-8 (76): LibreOffice's CSV export filter options.
_SHOWN_AS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76"


def cells_as_shown(
    data: bytes, *, suffix: str, workdir: Path, import_filter: str | None = None
) -> list[list[str]]:
    """The first sheet's cells as LibreOffice shows them after opening ``data``; for a CSV,
    ``import_filter`` holds what its import dialog would offer (headless, no dialog is shown)."""
    source = workdir / f"opened{suffix}"
    source.write_bytes(data)
    shown = workdir / "shown"
    # A profile of its own, so that two tests converting at once do not share one.
    profile = (workdir / "profile").as_uri()
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile}",
            *([f"--infilter={import_filter}"] if import_filter else []),
            "--convert-to",
            _SHOWN_AS_CSV,
            "--outdir",
            str(shown),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = (shown / "opened.csv").read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))

"""OCR of a page without a text layer, with the Tesseract command where the machine has it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

DPI = 300
TIMEOUT_S = 120


def available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_page(page: pdfium.PdfPage) -> str:
    """The page rendered at 300 dpi and read by Tesseract (English); an empty string if it reads nothing."""
    image = page.render(scale=DPI / 72).to_pil()
    with tempfile.TemporaryDirectory(prefix="clusterqa-ocr-") as folder:
        path = Path(folder) / "page.png"
        image.save(path)
        done = subprocess.run(
            ["tesseract", str(path), "stdout", "-l", "eng", "--psm", "3"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    return done.stdout if done.returncode == 0 else ""

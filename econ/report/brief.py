"""A one-file PDF brief of a run's front page: the answer in words, the headline figures with their
ranges, the published figures beside them, the figures in sentences, and how to cite the run.

:func:`brief_html` cuts the front page (``index.html``) before its contents list: everything above it is
the brief, in the page's own styles plus a print stylesheet (A4 landscape, the table whole). :func:`pdf`
prints it with a headless Chromium (Debian's ``chromium``, or Chrome), with no network: the brief has
no chart, so nothing waits on JavaScript. ``econ brief [RUN_ID]`` writes ``outputs/share/RUN_ID-brief.pdf``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from econ import files, paths
from econ.errors import InputError

#: The print stylesheet of the brief (added after the page's own styles).
PRINT_CSS = """
@page { size: A4 landscape; margin: 10mm 12mm; }
body { max-width: none; margin: 0; font-size: 10pt; }
.econ-headline { font-size: 8pt; } .econ-headline thead th { max-width: 6.5em; }
.scroll { overflow: visible !important; } a { color: inherit; text-decoration: none; }
.econ-download, .econ-latest, .econ-note.failed a { display: none; }
h2 { break-after: avoid; } tr, li { break-inside: avoid; }
"""
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def brief_html(index: str) -> str:
    """The brief as a page, from the front page's HTML."""
    index = re.sub(r"<script\b.*?</script>", "", index, flags=re.S)  # the charts' code may hold any tag's text
    head = re.search(r"<head>(.*?)</head>", index, re.S)
    body = re.search(r"<body>(.*)</body>", index, re.S)
    if head is None or body is None:
        raise InputError.single("index.html", "body", "not a page the workbook published")
    styles = "".join(re.findall(r"<style>.*?</style>", head.group(1), re.S))
    title = re.search(r"<title>(.*?)</title>", head.group(1), re.S)
    cut = body.group(1).split('<nav class="econ-contents"', 1)[0]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Brief: {title.group(1) if title else 'sanctions scenario workbook'}</title>{styles}"
            f"<style>{PRINT_CSS}</style></head>\n<body>\n{cut}\n</body></html>\n")


def browser() -> str | None:
    """A headless-capable Chromium on this machine, or None."""
    return next((p for p in (shutil.which(n) for n in BROWSERS) if p), None)


def pdf(html_path: Path, out: Path, timeout: float = 120) -> Path:
    """Print ``html_path`` to ``out`` (PDF) with headless Chromium; written atomically."""
    binary = browser()
    if binary is None:
        raise InputError.single("econ brief", "browser", "no Chromium found (install Debian's `chromium`; "
                                "`make test` installs it when it can)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        part = out.with_name(out.name + ".part.pdf")
        args = [binary, "--headless=new", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={part}",
                "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", Path(html_path).resolve().as_uri()]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 or not part.exists() or part.stat().st_size == 0:
            raise RuntimeError(f"Chromium could not print the brief: {done.stderr.strip()[-400:]}")
        os.replace(part, out)
    return out


def write(run_dir: Path, out: Path | None = None) -> Path:
    """The brief of the run in ``run_dir``: ``brief.html`` beside its pages and the PDF at ``out``
    (default ``outputs/share/RUN_ID-brief.pdf``)."""
    run_dir = Path(run_dir).resolve()
    page = run_dir / "brief.html"
    files.write_atomic(page, brief_html((run_dir / "index.html").read_text(encoding="utf-8")))
    return pdf(page, Path(out) if out else paths.OUTPUTS / "share" / f"{run_dir.name}-brief.pdf")

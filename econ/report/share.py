"""A run as a package one can send: the reader's files zipped, the build's files left out.

What a reader gets (:func:`package`): the comparison page, every report, the CSV, JSON and IAMC files,
and the Vega bundle and notebook stylesheet once beside the pages. What stays behind: the executed
notebooks (``*.ipynb``), the run's logs and each job's ``job.json`` (the build's records; they stay in
the run folder for whoever reruns or audits it). A run published as single files (``econ run
--single-file``) is packed as a site anyway: each page loads the one bundle and stylesheet, so the
package stays small (a default run zips to about 4 MB; the issue's limit is 10 MB).

:func:`scrub_paths` takes the build machine's folders out of a text (the logs are written through it):
a log says ``<repo>/econ/...`` or ``<python>/site-packages/...``, never ``/home/someone/...``.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import zipfile
from pathlib import Path

from econ import paths
from econ.model.figure_cache import FOLDER as FIGURE_CACHE
from econ.report.bundle import BUNDLE_FILE, CSS_FILE, notebook_css, vega_bundle
from econ.report.pages import restamp

#: Files of a run a reader never needs.
LEFT_OUT_SUFFIXES = (".ipynb", ".log")
LEFT_OUT_NAMES = ("job.json",)
LEFT_OUT_FOLDERS = ("logs", FIGURE_CACHE)  # the figure cache of a run that was killed before it removed it
#: The size a package must stay under to go by e-mail (the issue's limit).
MAX_BYTES = 10 * 1024 * 1024


def scrub_paths(text: str) -> str:
    """``text`` with the build machine's folders replaced by placeholders: the repository, the Python
    environment, the temporary folder and the home folder."""
    places = [(str(paths.ROOT.resolve()), "<repo>"), (str(Path(sys.prefix).resolve()), "<python>"),
              (str(Path(sys.base_prefix).resolve()), "<python>"), (str(Path(tempfile.gettempdir()).resolve()), "<tmp>"),
              (str(Path.home().resolve()), "<home>")]
    for folder, name in sorted(places, key=lambda p: -len(p[0])):
        if folder and folder != os.sep:
            text = text.replace(folder, name)
    return re.sub(r"/tmp/[\w.-]+", "<tmp>", text)


def _not_regular(run_dir: Path, path: Path) -> bool:
    """A symbolic link (to a file or a folder, anywhere on the way from the run's folder) or anything but a
    regular file or folder: never followed, never shipped (someone may have planted it in a shared folder)."""
    rel = path.relative_to(run_dir)
    return any((run_dir / Path(*rel.parts[:i])).is_symlink() for i in range(1, len(rel.parts) + 1)) or \
        not (path.is_dir() or path.is_file())


def left_out_links(run_dir: Path) -> list[Path]:
    """Symbolic links and special files in the run's folder, which :func:`package` leaves out."""
    return [p for p in sorted(Path(run_dir).rglob("*")) if _not_regular(Path(run_dir), p)]


def reader_files(run_dir: Path) -> list[Path]:
    """The run's files a reader gets, in a stable order (regular files only: links are not followed)."""
    out = []
    for path in sorted(Path(run_dir).rglob("*")):
        rel = path.relative_to(run_dir)
        if (_not_regular(Path(run_dir), path) or path.is_dir() or rel.parts[0] in LEFT_OUT_FOLDERS
                or path.suffix in LEFT_OUT_SUFFIXES or path.name in LEFT_OUT_NAMES):
            continue
        out.append(path)
    return out


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry readable by all (``writestr`` alone gives 0600), compressed."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr, info.compress_type = 0o644 << 16, zipfile.ZIP_DEFLATED
    return info


def package(run_dir: Path, out: Path | None = None) -> Path:
    """Zip the reader's files of ``run_dir`` into ``out`` (default: ``outputs/share/RUN_ID.zip``), pages
    as a site (one bundle and stylesheet beside them). Written atomically; returns the zip's path."""
    run_dir = Path(run_dir).resolve()
    out = Path(out) if out else paths.OUTPUTS / "share" / f"{run_dir.name}.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    for link in left_out_links(run_dir):
        print(f"note: left out {paths.relative(link)}: a symbolic link or special file, not the run's own",
              file=sys.stderr)
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for path in reader_files(run_dir):
            rel = path.relative_to(run_dir).as_posix()
            if path.suffix == ".html":  # every page loads the bundle from the run's folder
                prefix = "" if path.parent == run_dir else "../../"
                z.writestr(_entry(f"{run_dir.name}/{rel}"),
                           restamp(path.read_text(encoding="utf-8"), "", site=True, prefix=prefix))
            elif path.name not in (BUNDLE_FILE, CSS_FILE):
                z.write(path, f"{run_dir.name}/{rel}")
        z.writestr(_entry(f"{run_dir.name}/{BUNDLE_FILE}"), vega_bundle())
        z.writestr(_entry(f"{run_dir.name}/{CSS_FILE}"), notebook_css())
    os.replace(tmp, out)
    return out


__all__ = ["LEFT_OUT_FOLDERS", "LEFT_OUT_NAMES", "LEFT_OUT_SUFFIXES", "MAX_BYTES", "package", "reader_files",
           "scrub_paths"]

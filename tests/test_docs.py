"""The user's guide and docs/: nothing points outside the repository, every local link resolves,
and the README's picture is committed."""

import re

from econ import paths

#: Pages the lead writes on another branch; their links are checked once they exist.
WRITTEN_ELSEWHERE = {"docs/model.md", "docs/backtest.md"}
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _pages():
    return [paths.ROOT / "README.md", *sorted((paths.ROOT / "docs").glob("*.md"))]


def test_nothing_points_outside_the_repository():
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"https?://|www\.", text), f"{page.name} points outside the repository"
        for target in LINK.findall(text):
            resolved = (page.parent / target.split("#")[0]).resolve()
            assert resolved.is_relative_to(paths.ROOT.resolve()), f"{page.name}: {target} leaves the repository"
            relative = resolved.relative_to(paths.ROOT.resolve()).as_posix()
            assert resolved.exists() or relative in WRITTEN_ELSEWHERE, f"{page.name}: {target} does not exist"


def test_readme_is_a_users_guide_with_its_picture():
    text = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    for heading in ("## Two commands", "## Opening the report", "## Editing a notebook in JupyterLab",
                    "## Adding a scenario", "## Clearing outputs"):
        assert heading in text
    assert "econ run NAME" in text and "make clean-notebooks" in text
    picture = paths.ROOT / "docs" / "report.png"
    assert "(docs/report.png)" in text and picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

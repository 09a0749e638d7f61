"""The published run as a reader meets it (issue 23): every link resolves, no answer table is empty,
one label carries one value for a scenario across every page, no doubled words, and every chart's
"data (CSV)" link saves rows under the chart's name. Reads the ``published_run`` fixture (built once per
session, tests/conftest.py) and, for the charts, headless Chromium."""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from econ import findings, uncertainty
from econ.model import world
from tests.test_browser import _pages


class _Read(HTMLParser):
    """Ids, hrefs, visible text and the figures a page shows (label -> shown median)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.hrefs, self.text, self.figures = set(), [], [], []
        self._skip = 0
        self._grab: str | None = None  # "label" | "value" while inside a figure card's part
        self._card: dict = {}
        self._tables: list[dict] = []
        self.tables: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if "name" in a and tag == "a":
            self.ids.add(a["name"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag in ("script", "style"):
            self._skip += 1
        self._parts(tag, a.get("class", "") or "")

    def _parts(self, tag: str, cls: str) -> None:
        """Figure cards' label and value, and each table's body rows."""
        if "econ-figure-label" in cls:
            self._grab, self._card = "label", {"label": ""}
        elif "econ-figure-value" in cls:
            self._grab = "value"
            self._card["value"] = ""
        elif tag == "table":
            self._tables.append({"class": cls, "rows": 0, "in_body": False})
        elif tag == "tbody" and self._tables:
            self._tables[-1]["in_body"] = True
        elif tag == "tr" and self._tables and self._tables[-1]["in_body"]:
            self._tables[-1]["rows"] += 1
        elif tag == "span" and self._grab == "value":
            self._grab = "unit"

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "div" and self._grab == "label":
            self._grab = None
        elif tag == "div" and self._grab in ("value", "unit"):
            self.figures.append((self._card["label"].strip(), self._card["value"].strip()))
            self._grab = None
        elif tag == "table" and self._tables:
            self.tables.append(self._tables.pop())

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._grab == "label":
            self._card["label"] += data
        elif self._grab == "value":
            self._card["value"] += data


def _read(path: Path) -> _Read:
    parser = _Read()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _scenario_of(path: Path, run_dir: Path) -> str:
    return path.relative_to(run_dir).parts[0]


def test_every_link_on_every_page_resolves(published_run):
    """Every href leads somewhere: a file of the run, and its #anchor an id on that page."""
    run_dir = published_run.run_dir
    read = {p.resolve(): _read(p) for p in _pages(run_dir)}
    broken = []
    for page, parsed in read.items():
        for href in parsed.hrefs:
            if href in ("", "#") or href.startswith(("data:", "javascript:", "mailto:")):
                continue
            parts = urlsplit(href)
            assert not parts.scheme, f"{page}: a link leaves the run: {href}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.exists():
                broken.append(f"{page.relative_to(run_dir.resolve())}: {href} (no file)")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = read[target].ids if target in read else _read(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(run_dir.resolve())}: {href} (no such anchor)")
    assert not broken, "\n".join(broken[:30])


def test_the_sensitivity_page_answers_with_a_filled_table_on_every_scenario(published_run):
    pages = [p for p in _pages(published_run.run_dir) if p.name == "04_sensitivity.html"]
    assert pages
    for page in pages:
        tables = [t for t in _read(page).tables if "econ-table" in t["class"]]
        assert tables and tables[0]["rows"] >= 3, f"{page}: the answer table has {tables[0]['rows'] if tables else 0} rows"


def test_every_scenario_page_opens_with_its_findings_then_its_differences(published_run):
    """Pages 00-03 of every scenario but the baseline show what the scenario changes against the scenarios
    it builds on, with ranges, right after the findings (00: first); the baseline says it has no reference."""
    pages = [p for p in _pages(published_run.run_dir) if p.parent.name[:2] in ("00", "01", "02", "03")]
    assert len(pages) >= 4 * 13
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<h2 id="compared">' in text, f"{page}: no differences from its references"
        compared = text.index('<h2 id="compared">')
        if page.parent.name[:2] != "00":
            assert text.index('<h2 id="findings">') < compared, f"{page}: the differences come before the findings"
        if page.parents[1].name != "baseline":
            assert "in nine draws out of ten" in text[compared:compared + 20_000], f"{page}: no range"


def test_one_label_carries_one_value_for_a_scenario_on_every_page(published_run):
    """A figure's label shows the same number wherever a scenario's pages show it (cards on the notebook
    pages), and each label names one figure (no two declared figures share a label or a short label)."""
    run_dir = published_run.run_dir
    seen: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for page in _pages(run_dir):
        if page.parent == run_dir:
            continue
        scenario = _scenario_of(page, run_dir)
        for label, value in _read(page).figures:
            seen[(scenario, label)][value] = str(page.relative_to(run_dir))
    clashes = {k: v for k, v in seen.items() if len(v) > 1}
    assert seen and not clashes, clashes
    declared = world.metrics_table()
    labels = [m.label for _, m in declared.values()]
    assert len(labels) == len(set(labels)), sorted(x for x in labels if labels.count(x) > 1)
    short = list(findings.SHORT.values())
    assert len(short) == len(set(short))
    assert not set(short) & (set(labels) - {declared[m][1].label for m in findings.SHORT if m in declared})


DOUBLED = re.compile(r"\b([A-Za-z]{2,})\s+\1\b", re.IGNORECASE)


def test_no_page_doubles_a_word(published_run):
    found = {}
    for page in _pages(published_run.run_dir):
        hits = sorted({m.group(0) for chunk in _read(page).text for m in DOUBLED.finditer(chunk)})
        if hits:
            found[str(page.relative_to(published_run.run_dir))] = hits
    assert not found, found


def test_every_chart_on_the_front_page_saves_its_data_under_its_name(published_run, browser):
    with browser.open((published_run.run_dir / "index.html").as_uri(), timeout=60) as page:
        charts = page.evaluate("""(() => Object.keys(econ.specs).map(id => ({id, name: econ.name(id),
            lines: econ.csv(id).trim().split('\\n')})))()""")
    assert len(charts) >= 2
    for chart in charts:
        assert not chart["name"].startswith(("econ-", "data-")), chart["name"]
        assert len(chart["lines"]) > 1, f"{chart['id']}: the CSV has no rows"
        header = chart["lines"][0].split(",")
        assert all(h and not h.startswith("data-") for h in header), header
        assert not re.search(r"\d\.\d{7,}", "\n".join(chart["lines"][:50])), f"{chart['id']}: unrounded numbers"


def test_no_page_shows_an_estimators_raw_summary(published_run):
    """Estimates appear as formatted coefficient tables (display.coefficients), never statsmodels' text dump."""
    raw = ("Dep. Variable", "Omnibus:", "Durbin-Watson", "No. Iterations:")
    found = {str(p.relative_to(published_run.run_dir)): [r for r in raw if r in p.read_text(encoding="utf-8")]
             for p in _pages(published_run.run_dir)}
    assert not {k: v for k, v in found.items() if v}


def test_a_run_packs_into_a_light_zip_without_the_builds_files(published_run, tmp_path, browser):
    """``econ share``: the reader's files only, at most 10 MB, and the unpacked pages still render offline;
    the run's logs name no folder of the build machine."""
    import zipfile

    from econ import paths
    from econ.report import share

    out = share.package(published_run.run_dir, tmp_path / "run.zip")
    assert out.stat().st_size <= share.MAX_BYTES, f"{out.stat().st_size / 2**20:.1f} MiB"
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        z.extractall(tmp_path / "unpacked")
    assert not [n for n in names if n.endswith((".ipynb", ".log", "job.json"))]
    assert any(n.endswith("/index.html") for n in names) and any(n.endswith("/vega-bundle.js") for n in names)
    index = next((tmp_path / "unpacked").glob("*/index.html"))
    check = browser.check(index.as_uri(), timeout=60)
    assert check.ok and check.charts == check.rendered >= 2, check
    for log in (published_run.run_dir / "logs").glob("*.log"):
        text = log.read_text()
        assert str(paths.ROOT.resolve()) not in text and "/tmp/" not in text, log.name


def test_figures_a_reader_will_question_carry_their_published_anchor_where_they_appear(published_run):
    """A plan is flagged as a plan beside the figure (Russia's 2024 base stations against the roadmap),
    the UK's gross cost carries the government's estimate, and Huawei's 2022 share outside China the
    published share, on the notebook pages' cards."""
    import html

    pages = {p.relative_to(published_run.run_dir).as_posix(): html.unescape(p.read_text(encoding="utf-8"))
             for p in _pages(published_run.run_dir)}
    investment = pages["history/03_investment_needs/03_investment_needs.html"]
    assert "Published: Russia's roadmap (2020), for 2024 10 thousand, a plan, not an outcome" in investment
    assert "UK government (2020), up to 2.0" in investment
    shares = pages["baseline/02_market_share/02_market_share.html"]
    assert "Published: Dell'Oro Group (2022) 18%, what happened" in shares


def test_the_brief_prints_the_front_pages_answer_to_a_short_pdf(published_run, tmp_path, browser):
    """``econ brief``: the answer, the headline table and the anchors, without the charts' code, in two or
    three A4 pages."""
    import re as regex

    from econ.report import brief

    out = brief.write(published_run.run_dir, tmp_path / "brief.pdf")
    raw = out.read_bytes()
    assert raw.startswith(b"%PDF") and len(raw) < 2_000_000
    assert 1 <= len(regex.findall(rb"/Type\s*/Page[^s]", raw)) <= 3
    page = (published_run.run_dir / "brief.html").read_text(encoding="utf-8")
    assert "US$25bn" in page and "econ-headline" in page and "How to cite" in page
    assert "<script" not in page and "vegaEmbed" not in page


def test_the_what_if_view_lives_in_the_address_and_resets(published_run, browser):
    """Moving a slider writes the view into the address; opening that address shows the same view; the
    reset link puts the sliders back at the scenario's central values."""
    import time

    from econ.report import whatif
    from econ.scenario import load_scenario

    knob = whatif.KNOBS[0]
    index = (published_run.run_dir / "index.html").as_uri()
    move = """(() => {
      const input = [...document.querySelectorAll('#econ-whatif-chart input[type=range]')][0];
      input.value = input.max; input.dispatchEvent(new Event('input', {bubbles: true})); return input.max;
    })()"""
    with browser.open(index) as page:
        top = page.evaluate(move)
        time.sleep(0.5)
        address = page.evaluate("location.hash")
        scenario = page.evaluate("econ.views['econ-whatif-chart'].signal('scenario')")
        texts = page.evaluate("[...document.querySelectorAll('#econ-whatif-chart svg text')].map(t => t.textContent)")
        page.evaluate("econ.reset('econ-whatif-chart')")
        time.sleep(0.3)
        after_reset = page.evaluate(f"econ.views['econ-whatif-chart'].signal('{knob}')")
    view = dict(p.split(":", 1) for p in unquote(address.split("econ-whatif-chart=", 1)[1]).split(","))
    assert view["scenario"] == scenario and float(view[knob]) == pytest.approx(float(top))
    assert any(t.startswith("Over the draws:") and "\u2013" in t for t in texts), "the draws' range beside the what-if"
    centre = float(uncertainty.central(load_scenario(scenario).value(knob)))
    assert after_reset == pytest.approx(centre)
    with browser.open(index + address) as page:
        time.sleep(0.5)
        shown = page.evaluate(f"econ.views['econ-whatif-chart'].signal('{knob}')")
    assert shown == pytest.approx(float(top)), "a shared address opens the same view"


def test_a_link_planted_in_a_run_is_never_shipped(tmp_path, capsys):
    """``econ share`` leaves out symbolic links (to files and folders) and says so: a run folder in a shared
    place may hold one pointing at someone's private file."""
    import zipfile

    from econ.report import share

    run = tmp_path / "runs" / "20260101-000000-1"
    (run / "a" / "00_tiny").mkdir(parents=True)
    (run / "index.html").write_text("<html><body>index</body></html>")
    (run / "a" / "00_tiny" / "results.json").write_text("{}")
    secret = tmp_path / "private"
    secret.mkdir()
    (secret / "key.txt").write_text("SECRET")
    (run / "stolen.csv").symlink_to(secret / "key.txt")
    (run / "a" / "00_tiny" / "leak.json").symlink_to(secret / "key.txt")
    (run / "folder").symlink_to(secret, target_is_directory=True)
    out = share.package(run, tmp_path / "run.zip")
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert not any(b"SECRET" in z.read(n) for n in names), names
    assert any(n.endswith("a/00_tiny/results.json") for n in names)
    assert "left out" in capsys.readouterr().err

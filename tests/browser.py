"""Headless Chromium, driven by playwright, to check published pages as a reader's browser shows them:
every chart rendered, no console error, no request leaving the page.

playwright drives Debian's own ``chromium`` (``executable_path``: no browser is downloaded), and gives
the waits, clicks, downloads, viewports and PDF printing the checks need. The page runs in a context
that is offline as far as Chromium knows, and every request is routed through :func:`_route`: any that
is not ``file:``, ``data:``, ``blob:`` or ``about:`` is refused and recorded. Where neither playwright
nor a Chromium is installed, the browser tests skip and say why (tests/conftest.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

#: Seconds a page must stay settled (loaded, every chart drawn) before it is judged, so that late errors
#: and requests arrive: vega-embed draws synchronously once its spec is parsed, so a short wait suffices.
SETTLE_SECONDS = 0.4
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome-error:", "devtools:")
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
         "--no-default-browser-check"]

#: Counts chart containers and those holding a rendered chart (vega-embed draws an svg or a canvas).
CHART_COUNT = """(() => {
  const charts = [...document.querySelectorAll('.econ-chart')];
  return {charts: charts.length, rendered: charts.filter(c => c.querySelector('svg, canvas')).length,
          ready: document.readyState};
})()"""

#: Layout problems a reader would see, as sentences: a chart wider than its container or the window,
#: two charts overlapping, text of one chart overlapping other text (an axis title on its labels, two
#: facet titles), chart text cut off (Vega's ellipsis "…", or text outside the chart's own box), HTML
#: text clipped by an overflow: hidden box, and a page that scrolls sideways.
LAYOUT = r"""(() => {
  const problems = [];
  const vw = document.documentElement.clientWidth;
  const name = (el) => {
    const t = el.closest('.econ-chart, .econ-whatif, [id]');
    const svgTitle = el.closest('.econ-chart') && el.closest('.econ-chart').querySelector('.role-title-text text');
    return (t ? '#' + (t.id || t.className) : 'page') + (svgTitle ? ' "' + svgTitle.textContent.slice(0, 60) + '"' : '');
  };
  const visible = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const st = getComputedStyle(e);
      if (st.display === 'none' || st.visibility === 'hidden' || parseFloat(st.opacity) === 0) return false;
      if (e.getAttribute && (e.getAttribute('opacity') === '0' || e.getAttribute('fill-opacity') === '0')) return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const area = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left))
                       * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  const shrink = (q, by) => {  // a quad moved inwards by ``by`` px, so that touching is not overlapping
    const cx = q.reduce((s, p) => s + p[0], 0) / 4, cy = q.reduce((s, p) => s + p[1], 0) / 4;
    return q.map(([x, y]) => {
      const d = Math.hypot(x - cx, y - cy) || 1, k = Math.max(0, d - by) / d;
      return [cx + (x - cx) * k, cy + (y - cy) * k];
    });
  };
  const intersect = (a, b) => {  // separating axis test of two convex quads
    for (const q of [a, b])
      for (let i = 0; i < 4; i++) {
        const [x1, y1] = q[i], [x2, y2] = q[(i + 1) % 4], nx = y2 - y1, ny = x1 - x2;
        const pa = a.map(([x, y]) => nx * x + ny * y), pb = b.map(([x, y]) => nx * x + ny * y);
        if (Math.max(...pa) <= Math.min(...pb) || Math.max(...pb) <= Math.min(...pa)) return false;
      }
    return true;
  };
  const charts = [...document.querySelectorAll('.econ-chart')].filter(visible);
  const boxes = [];
  for (const c of charts) {
    const drawn = c.querySelector(':scope > svg, :scope > canvas, svg.marks, canvas.marks');
    if (!drawn) continue;
    const r = drawn.getBoundingClientRect(), box = c.getBoundingClientRect();
    boxes.push([c, r]);
    if (r.right > Math.min(box.right, vw) + 2 || r.left < box.left - 2)
      problems.push(`${name(c)}: chart ${Math.round(r.width)} px wide overflows its container `
                    + `(${Math.round(box.width)} px, window ${vw} px)`);
    const texts = [...c.querySelectorAll('g[class*="role-"] > text, g[class*="role-"] text')]
      .filter(t => !t.closest('.role-mark') && t.textContent.trim() && visible(t));
    for (const t of texts) {
      const tr = t.getBoundingClientRect();
      if (t.textContent.includes('\u2026'))
        problems.push(`${name(c)}: text cut off: "${t.textContent}"`);
      if (tr.right > r.right + 2 || tr.left < r.left - 2 || tr.top < r.top - 2 || tr.bottom > r.bottom + 2)
        problems.push(`${name(c)}: text "${t.textContent.slice(0, 40)}" lies outside the chart`);
    }
    for (const t of texts.filter(t => t.closest('.role-axis-title'))) {
      const axis = t.closest('.role-axis');
      const domain = axis && axis.querySelector('.role-axis-domain path, .role-axis-domain line');
      if (!domain) continue;
      const d = domain.getBoundingClientRect(), tr = t.getBoundingClientRect(), vertical = d.height > d.width;
      if (vertical ? tr.height > d.height + 4 : tr.width > d.width + 4)
        problems.push(`${name(c)}: axis title "${t.textContent.slice(0, 50)}" is longer than its axis`);
    }
    // each text as the four corners of its own box on screen (rotated labels stay rotated)
    const quads = texts.map(t => {
      const b = t.getBBox(), m = t.getScreenCTM(), pt = t.ownerSVGElement.createSVGPoint();
      return [t, [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
        .map(([x, y]) => { pt.x = x; pt.y = y; const q = pt.matrixTransform(m); return [q.x, q.y]; })];
    });
    for (let i = 0; i < quads.length; i++)
      for (let j = i + 1; j < quads.length; j++)
        if (intersect(shrink(quads[i][1], 1.5), shrink(quads[j][1], 1.5)))
          problems.push(`${name(c)}: "${quads[i][0].textContent.slice(0, 40)}" overlaps `
                        + `"${quads[j][0].textContent.slice(0, 40)}"`);
  }
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      if (area(boxes[i][1], boxes[j][1]) > 4) problems.push(`${name(boxes[i][0])} overlaps ${name(boxes[j][0])}`);
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg') || !el.childNodes.length) continue;
    const st = getComputedStyle(el);
    const clips = (v) => v === 'hidden' || v === 'clip';
    if (!(clips(st.overflowX) || clips(st.overflowY) || st.textOverflow === 'ellipsis')) continue;
    if (!el.textContent.trim() || !visible(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
      problems.push(`${name(el)}: text clipped in <${el.tagName.toLowerCase()}>: "${el.textContent.trim().slice(0, 60)}"`);
  }
  if (document.documentElement.scrollWidth > vw + 1)
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in a ${vw} px window`);
  return [...new Set(problems)];
})()"""


def find_chromium() -> str | None:
    """The Chromium the workbook itself prints briefs with (econ.report.brief.browser), or None."""
    from econ.report.brief import browser

    return browser()


def missing() -> str | None:
    """Why the browser tests cannot run here (no playwright, no Chromium), or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (it is in the lock's test extra: `make test` installs it)"
    if find_chromium() is None:
        return ("Chromium is not installed: `make test` installs Debian's chromium package when it can "
                "(root or sudo, apt-get); or run `apt-get install chromium`")
    return None


@dataclass
class PageCheck:
    url: str
    charts: int = 0
    rendered: int = 0
    errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.charts == self.rendered and not self.errors and not self.external_requests


class Page:
    """An open tab (a playwright page in a context of its own): evaluate script in it, measure it, click
    and download from it, take screenshots and PDFs. ``page.tab`` is the playwright page itself."""

    def __init__(self, context, tab, check: PageCheck, width: int, height: int):
        self.context, self.tab, self.check = context, tab, check
        self.width, self.height = width, height

    def evaluate(self, expression: str, timeout: float = 30):
        """The value of a JavaScript expression (promises awaited); RuntimeError on an exception."""
        from playwright.sync_api import Error

        try:
            return self.tab.evaluate(expression)
        except Error as exc:
            raise RuntimeError(str(exc).splitlines()[0]) from exc

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.tab.set_viewport_size({"width": width, "height": height})

    def settle(self, timeout: float = 30) -> None:
        """Wait until the page has loaded and every chart has rendered, then SETTLE_SECONDS more."""
        check = self.check
        deadline = time.monotonic() + timeout
        settled_at = None
        while time.monotonic() < deadline:
            state = self.evaluate(CHART_COUNT) or {}
            check.charts, check.rendered = state.get("charts", 0), state.get("rendered", 0)
            if state.get("ready") == "complete" and check.rendered == check.charts:
                settled_at = settled_at or time.monotonic()
                if time.monotonic() - settled_at > SETTLE_SECONDS:  # let late errors and requests arrive
                    break
            self.tab.wait_for_timeout(200)

    def size(self) -> dict:
        """The page's full width and height in CSS pixels."""
        return self.evaluate("({width: document.documentElement.scrollWidth, "
                             "height: document.documentElement.scrollHeight})")

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        """A PNG of the first screen (``width`` x ``height``) or of the whole page."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.tab.screenshot(path=str(path), full_page=full_page)
        return Path(path)

    def download(self, selector: str, folder: Path) -> Path:
        """Click ``selector`` and save the file it downloads into ``folder``; its path."""
        with self.tab.expect_download() as event:
            self.tab.click(selector)
        download = event.value
        target = Path(folder) / download.suggested_filename
        download.save_as(str(target))
        return target

    def pdf(self, path: Path) -> Path:
        """The page printed to an A4 PDF with its print stylesheet."""
        self.tab.pdf(path=str(path), format="A4", print_background=True)
        return Path(path)

    def layout_problems(self) -> list[str]:
        """Charts wider than their container or overlapping another chart, and text cut off (see LAYOUT)."""
        return self.evaluate(LAYOUT) or []

    def close(self) -> None:
        try:
            self.context.close()
        except Exception:  # noqa: BLE001 - the browser may already be gone; nothing to keep
            pass

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _route(check: PageCheck):
    """A route handler: local requests go through, any other is refused and recorded on ``check``."""
    def decide(route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            if url not in check.external_requests:
                check.external_requests.append(url)
            route.abort("blockedbyclient")
    return decide


def _listen(tab, check: PageCheck) -> None:
    def console(message) -> None:
        if message.type in ("error", "assert"):
            check.errors.append("console: " + message.text)

    tab.on("console", console)
    tab.on("pageerror", lambda exc: check.errors.append(f"exception: {exc}"))
    tab.on("requestfailed", lambda request: None if request.url in check.external_requests else
           check.errors.append(f"request failed: {request.url} ({request.failure})"))


class Chromium:
    """One headless browser; :meth:`open` opens a page in a fresh offline context and waits until it has
    drawn, :meth:`check` reports on it."""

    def __init__(self, binary: str):
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        try:
            self.browser = self._playwright.chromium.launch(executable_path=binary, args=FLAGS, headless=True)
        except BaseException:
            self._playwright.stop()
            raise

    def check(self, url: str, timeout: float = 30, width: int = 1366, height: int = 768) -> PageCheck:
        """Open ``url`` with the network blocked; wait until every chart has rendered (or ``timeout``)."""
        with self.open(url, timeout, width, height) as page:
            return page.check

    def open(self, url: str, timeout: float = 30, width: int = 1366, height: int = 768) -> Page:
        """Open ``url`` in a fresh context of ``width`` x ``height`` CSS pixels with the network blocked,
        and wait until every chart has rendered (or ``timeout``); use as a context manager."""
        check = PageCheck(url)
        context = self.browser.new_context(viewport={"width": width, "height": height}, offline=True,
                                           accept_downloads=True, service_workers="block")
        page = None
        try:
            context.route("**/*", _route(check))
            tab = context.new_page()
            _listen(tab, check)
            page = Page(context, tab, check, width, height)
            tab.goto(url, timeout=timeout * 1000, wait_until="load")
            page.settle(timeout)
        except BaseException:
            context.close()
            raise
        return page

    def check_many(self, urls: list[str], timeout: float = 60) -> list[PageCheck]:
        """:meth:`check` for several pages, one after another."""
        return [self.check(url, timeout) for url in urls]

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self._playwright.stop()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def main(argv: list[str]) -> int:
    """``python -m tests.browser screenshot PAGE.html OUT.png [--full] [--width W --height H]``: a
    picture of a published page as a reader's browser shows it (the README's is made this way)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.browser")
    sub = parser.add_subparsers(dest="command", required=True)
    shot = sub.add_parser("screenshot", help="a PNG of a page's first screen (or, with --full, of all of it)")
    shot.add_argument("page", type=Path)
    shot.add_argument("out", type=Path)
    shot.add_argument("--full", action="store_true")
    shot.add_argument("--width", type=int, default=1366)
    shot.add_argument("--height", type=int, default=768)
    args = parser.parse_args(argv)
    reason = missing()
    if reason:
        print(reason)
        return 1
    with Chromium(find_chromium()) as browser, browser.open(args.page.resolve().as_uri(), 60, args.width,
                                                             args.height) as page:
        page.screenshot(args.out, full_page=args.full)
        size = page.size()
    print(f"{args.out}: {args.width}x{args.height} window, page {size['width']}x{size['height']} px")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))

"""Headless Chromium driven over the DevTools protocol, to check published pages as a reader's browser
shows them: every chart rendered, no console error, no request leaving the page.

The protocol runs over a pipe (``--remote-debugging-pipe``: file descriptors 3 and 4, messages
separated by NUL bytes), so no port and no websocket client are needed, and Chromium can run in a
network namespace of its own (``unshare -n``, when allowed) where no request could leave the machine
even if one were made. On top of that, every request is intercepted (``Fetch``) and any that is not
``file:``, ``data:``, ``blob:`` or ``about:`` fails and is recorded.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Seconds a page must stay settled (loaded, every chart drawn) before it is judged, so that late errors
#: and requests arrive: vega-embed draws synchronously once its spec is parsed, so a short wait suffices.
SETTLE_SECONDS = 0.4
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome-error:", "devtools:")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
         "--no-default-browser-check", "--remote-debugging-pipe"]

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


def _can_unshare() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


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
    """An open tab: evaluate script in it, measure it, move its inputs, take screenshots."""

    def __init__(self, browser: Chromium, target: str, session: str, check: PageCheck, width: int, height: int):
        self.browser, self.target, self.session, self.check = browser, target, session, check
        self.width, self.height = width, height

    def send(self, method: str, timeout: float = 30, **params) -> dict:
        return self.browser.send(method, self.session, timeout, **params)

    def evaluate(self, expression: str, timeout: float = 30):
        """The value of a JavaScript expression (promises awaited); RuntimeError on an exception."""
        reply = self.send("Runtime.evaluate", timeout, expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            raise RuntimeError(str(details.get("exception", {}).get("description") or details.get("text")))
        return reply["result"].get("value")

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def settle(self, timeout: float = 30) -> None:
        """Wait until the page has loaded and every chart has rendered, then SETTLE_SECONDS more."""
        check, browser = self.check, self.browser
        deadline = time.monotonic() + timeout
        settled_at = None
        while time.monotonic() < deadline:
            browser._drain(check, self.session)
            state = self.evaluate(CHART_COUNT) or {}
            check.charts, check.rendered = state.get("charts", 0), state.get("rendered", 0)
            if state.get("ready") == "complete" and check.rendered == check.charts:
                settled_at = settled_at or time.monotonic()
                if time.monotonic() - settled_at > SETTLE_SECONDS:  # let late errors and requests arrive
                    break
            time.sleep(0.2)
        self.drain()

    def drain(self) -> None:
        self.browser._drain(self.check, self.session)
        blocked = self.browser.blocked.get(self.session, [])
        self.check.external_requests += [u for u in blocked if u not in self.check.external_requests]

    def size(self) -> dict:
        """The page's full width and height in CSS pixels."""
        return self.evaluate("({width: document.documentElement.scrollWidth, "
                             "height: document.documentElement.scrollHeight})")

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        """A PNG of the first screen (``width`` x ``height``) or of the whole page."""
        import base64

        params = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = self.size()
            params["clip"] = {"x": 0, "y": 0, "width": max(self.width, size["width"]),
                              "height": min(size["height"], 16_000), "scale": 1}
        data = self.send("Page.captureScreenshot", 60, **params)["data"]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(base64.b64decode(data))
        return Path(path)

    def layout_problems(self) -> list[str]:
        """Charts wider than their container or overlapping another chart, and text cut off (see LAYOUT)."""
        return self.evaluate(LAYOUT) or []

    def close(self) -> None:
        try:
            self.browser.send("Target.closeTarget", targetId=self.target)
        except (RuntimeError, TimeoutError, OSError):
            pass

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Chromium:
    """One headless browser; :meth:`check` opens a page in a fresh tab and reports on it
    (:meth:`check_many`, several pages in tabs side by side)."""

    def __init__(self, binary: str):
        self.profile = tempfile.mkdtemp(prefix="econ-chromium-")
        self.isolated = _can_unshare()
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # bash puts the pipe ends on descriptors 3 and 4, where Chromium expects them
        script = f'exec "$@" 3<&{to_browser_r} 4>&{from_browser_w}'
        cmd = (["unshare", "-n"] if self.isolated else []) + [
            "bash", "-c", script, "chromium", binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"]
        self.log = open(Path(self.profile) / "stderr.log", "wb")
        self.proc = subprocess.Popen(cmd, pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log, start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._replies: dict[int, dict] = {}
        self._events: queue.Queue = queue.Queue()
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self.blocked: dict[str, list[str]] = {}  # session -> URLs refused by the Fetch interception
        threading.Thread(target=self._read, daemon=True).start()
        self.send("Target.setDiscoverTargets", discover=True)

    # --- protocol -------------------------------------------------------------------------------
    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._from_browser, 1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                msg = json.loads(raw)
                if "id" in msg:
                    with self._cond:
                        self._replies[msg["id"]] = msg
                        self._cond.notify_all()
                elif msg.get("method") == "Fetch.requestPaused":
                    self._decide(msg)  # at once: navigation itself waits on it
                else:
                    self._events.put(msg)
        with self._cond:
            self._replies[-1] = {"error": {"message": "browser closed the pipe"}}
            self._cond.notify_all()

    def _post(self, method: str, session: str | None, params: dict) -> int:
        with self._write_lock:
            self._next_id += 1
            msg = {"id": self._next_id, "method": method, "params": params}
            if session:
                msg["sessionId"] = session
            os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
            return self._next_id

    def _decide(self, ev: dict) -> None:
        """Let local requests through; fail and record any other."""
        session, p = ev.get("sessionId"), ev["params"]
        url = p["request"]["url"]
        if url.startswith(LOCAL_SCHEMES):
            self._post("Fetch.continueRequest", session, {"requestId": p["requestId"]})
        else:
            self.blocked.setdefault(session, []).append(url)
            self._post("Fetch.failRequest", session, {"requestId": p["requestId"], "errorReason": "BlockedByClient"})

    def send(self, method: str, session: str | None = None, timeout: float = 30, **params) -> dict:
        msg_id = self._post(method, session, params)
        deadline = time.monotonic() + timeout
        with self._cond:
            while msg_id not in self._replies and -1 not in self._replies:
                if not self._cond.wait(timeout=max(0.0, deadline - time.monotonic())):
                    raise TimeoutError(f"no reply to {method}")
            reply = self._replies.pop(msg_id, None) or self._replies[-1]
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def _drain(self, tabs, session: str | None = None) -> None:
        """Hand each event waiting in the queue to the check of its tab (``tabs``: session -> check,
        or one check and its ``session``)."""
        if session is not None:
            tabs = {session: tabs}
        while True:
            try:
                ev = self._events.get_nowait()
            except queue.Empty:
                return
            if ev.get("sessionId") in tabs:
                self._handle(ev, tabs[ev["sessionId"]], ev["sessionId"])

    def _handle(self, ev: dict, check: PageCheck, session: str) -> None:
        if ev.get("sessionId") != session:
            return
        method, p = ev.get("method"), ev.get("params", {})
        if method == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if not url.startswith(LOCAL_SCHEMES) and url not in check.external_requests:
                check.external_requests.append(url)
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            check.errors.append("console: " + " ".join(str(a.get("value", a.get("description", "")))
                                                       for a in p.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = p.get("exceptionDetails", {})
            check.errors.append("exception: " + str(details.get("exception", {}).get("description")
                                                    or details.get("text")))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            check.errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}")

    # --- checking a page --------------------------------------------------------------------------
    def check(self, url: str, timeout: float = 30, width: int = 1366, height: int = 768) -> PageCheck:
        """Open ``url`` with the network blocked; wait until every chart has rendered (or ``timeout``)."""
        with self.open(url, timeout, width, height) as page:
            return page.check

    def open(self, url: str, timeout: float = 30, width: int = 1366, height: int = 768) -> Page:
        """Open ``url`` in a fresh tab of ``width`` x ``height`` CSS pixels with the network blocked, and
        wait until every chart has rendered (or ``timeout``); use as a context manager (the tab closes)."""
        check = PageCheck(url)
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        page = Page(self, target, session, check, width, height)
        try:
            self.send("Fetch.enable", session, patterns=[{"urlPattern": "*"}])
            for domain in ("Network", "Runtime", "Log", "Page"):
                self.send(f"{domain}.enable", session)
            try:  # belt and braces: the page is offline as far as Chromium knows
                self.send("Network.emulateNetworkConditions", session, offline=True, latency=0,
                          downloadThroughput=-1, uploadThroughput=-1)
            except RuntimeError:
                pass
            page.resize(width, height)
            self.send("Page.navigate", session, url=url)
            page.settle(timeout)
        except BaseException:
            page.close()
            raise
        return page

    def check_many(self, urls: list[str], timeout: float = 60, at_once: int = 4) -> list[PageCheck]:
        """:meth:`check` for several pages, one tab after another (``at_once`` is accepted for callers
        that pass it)."""
        return [self.check(url, timeout) for url in urls]

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

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
    binary = find_chromium()
    if binary is None:
        print("Chromium is not installed (make browser installs it where it can)")
        return 1
    with Chromium(binary) as browser, browser.open(args.page.resolve().as_uri(), 60, args.width, args.height) as page:
        page.screenshot(args.out, full_page=args.full)
        size = page.size()
    print(f"{args.out}: {args.width}x{args.height} window, page {size['width']}x{size['height']} px")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))

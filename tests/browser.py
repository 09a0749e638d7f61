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


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if path := shutil.which(name):
            return path
    return None


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

    def _drain(self, tabs: dict[str, PageCheck]) -> None:
        """Hand each event waiting in the queue to the check of its tab."""
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

    # --- checking pages ---------------------------------------------------------------------------
    def check(self, url: str, timeout: float = 30) -> PageCheck:
        """Open ``url`` with the network blocked; wait until every chart has rendered (or ``timeout``)."""
        return self.check_many([url], timeout)[0]

    def check_many(self, urls: list[str], timeout: float = 60, at_once: int = 4) -> list[PageCheck]:
        """:meth:`check` for several pages, ``at_once`` tabs at a time: each page is given a second
        after it settles for late errors and requests, and those waits overlap."""
        checks: list[PageCheck] = []
        for start in range(0, len(urls), at_once):
            checks += self._check_group(urls[start:start + at_once], timeout)
        return checks

    def _open(self, url: str) -> tuple[str, str]:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Fetch.enable", session, patterns=[{"urlPattern": "*"}])
        for domain in ("Network", "Runtime", "Log", "Page"):
            self.send(f"{domain}.enable", session)
        try:  # belt and braces: the page is offline as far as Chromium knows
            self.send("Network.emulateNetworkConditions", session, offline=True, latency=0,
                      downloadThroughput=-1, uploadThroughput=-1)
        except RuntimeError:
            pass
        return target, session

    def _check_group(self, urls: list[str], timeout: float) -> list[PageCheck]:
        tabs: dict[str, PageCheck] = {}
        targets = []
        try:
            for url in urls:
                target, session = self._open(url)
                targets.append(target)
                tabs[session] = PageCheck(url)
            for session, check in tabs.items():
                self.send("Page.navigate", session, url=check.url)
            deadline = time.monotonic() + timeout
            settled_at: dict[str, float] = {}
            done: set[str] = set()
            while time.monotonic() < deadline and len(done) < len(tabs):
                self._drain(tabs)
                for session, check in tabs.items():
                    if session in done:
                        continue
                    state = self.send("Runtime.evaluate", session, expression=CHART_COUNT,
                                      returnByValue=True)["result"].get("value") or {}
                    check.charts, check.rendered = state.get("charts", 0), state.get("rendered", 0)
                    if state.get("ready") == "complete" and check.rendered == check.charts:
                        settled_at.setdefault(session, time.monotonic())
                        if time.monotonic() - settled_at[session] > 1.0:  # let late errors and requests arrive
                            done.add(session)
                time.sleep(0.2)
            self._drain(tabs)
            for session, check in tabs.items():
                check.external_requests += [u for u in self.blocked.get(session, []) if u not in check.external_requests]
        finally:
            for target in targets:
                self.send("Target.closeTarget", targetId=target)
        return list(tabs.values())

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

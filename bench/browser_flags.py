"""Chromium launch flags for the browser tests, measured A/B: what a browser test does, per variant, interleaved.

Each variant is one browser launched with its flags (as the `chromium` fixture does, one per test process). A round
runs, for every variant in turn (the order rotates each round, as the machine is noisy): a new context and page, the
demo site's store page and the auditors' app (/app/) each loaded, checked by axe-core and screenshotted full-page,
then the context closed. It prints each variant's median and mean round time, the CPU seconds its browser's processes
used in a round (read from /proc), and their ratios to the first variant's.

    .venv/bin/python -m bench.browser_flags [ROUNDS] [VARIANT ...]   # variants by name, see VARIANTS; default all

Not for what the pages are (the tests are): only for what the browser costs.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Browser, sync_playwright

from audit_api.book import load_book
from audit_api.site.build import build_site
from audit_api.store import Database, migrate, publish

ROOT = Path(__file__).resolve().parent.parent
AXE = Path(str(__import__("axe_playwright_python").__file__)).parent / "axe.min.js"
BASE_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"]
VARIANTS: dict[str, list[str]] = {
    "base": [],
    "no-site-isolation": ["--disable-site-isolation-trials"],
    "renderer-limit-2": ["--renderer-process-limit=2"],
    "in-process-gpu": ["--in-process-gpu"],
    "raster-1": ["--num-raster-threads=1"],
    # Chromium keeps only the last --disable-features: Playwright's own list (1.65), then the omnibox's WebUI popups that
    # each new window of the full browser opens in a renderer of their own (chrome://omnibox-popup.top-chrome/).
    "no-omnibox-webui": ["--disable-features=AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,"
                         "HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,ThirdPartyStoragePartitioning,"
                         "AvoidCorsURLLoaderRestartOnRedirect,TcpPortRandomizationWin,OptimizationHints,NetworkTimeServiceQuerying,"
                         "AimEnabled,PreconnectToSearch,msForceBrowserSignIn,msEdgeUpdateLaunchServicesPreferredVersion,"
                         "WebUIOmniboxPopup,WebUIOmniboxAimPopup"],
    "no-software-rasterizer": ["--disable-software-rasterizer"],
    "no-gpu-compositing": ["--disable-gpu-compositing"],
    "no-threaded-animation": ["--disable-threaded-animation", "--disable-threaded-scrolling", "--disable-smooth-scrolling"],
    "low-end-device": ["--enable-low-end-device-mode"],
    "process-per-site": ["--process-per-site"],
}


def _serve(database: Path, site: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AUDIT_SITE_DIR": str(site), "AUDIT_PUBLIC_URL": base, "AUDIT_PUBLIC_RATE_LIMIT": "1000000"}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "audit_api.cli", "serve", "--db", str(database), "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
    for _ in range(600):
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")


def _processes() -> dict[int, tuple[int, float]]:
    """Every process: its parent, and the CPU seconds it and its waited-for children used."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(stat.parent.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / tick)
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _tree_cpu(root: int) -> float:
    """CPU seconds used by `root` and everything under it (a browser: its zygote reaps the renderers it closes)."""
    table = _processes()
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += table.get(pid, (0, 0.0))[1]
        todo += [child for child, (parent, _) in table.items() if parent == pid]
    return total


def _round(browser: Browser, base: str, shots: Path, name: str) -> float:
    started = time.perf_counter()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    for label, path in [("store", "/bs/stores/sarajevo-alta/"), ("app", "/app/")]:
        page.goto(base + path)
        if label == "app":
            page.locator("html[data-state=ready]").wait_for()
        page.evaluate(AXE.read_text(encoding="utf-8"))
        page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
        page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)
    context.close()
    return time.perf_counter() - started


def main(rounds: int, names: list[str]) -> None:

    work = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    database = Database(work / "audit.db")
    migrate(database)
    book = load_book(ROOT / "checklists")
    publish(database, book)
    database.close()
    build_site(book, ROOT, work / "site", now=dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC), book_dir=ROOT / "checklists")
    server, base = _serve(work / "audit.db", work / "site", work / "server.log")
    shots = work / "shots"
    shots.mkdir()
    times: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    try:
        with sync_playwright() as playwright:
            executable = shutil.which("chromium") or shutil.which("chromium-browser")
            browsers, roots = {}, {}
            for name in names:  # each browser's process: the new one that Playwright's driver (node) started
                before = set(_processes())
                browsers[name] = playwright.chromium.launch(executable_path=executable, args=BASE_ARGS + VARIANTS[name])
                table = _processes()
                roots[name] = next(pid for pid in set(table) - before if _comm(pid) == "chromium" and _comm(table[pid][0]).startswith("node"))
            for name in names:  # a warm-up round each: the HTTP cache of the server, the browser's first process
                _round(browsers[name], base, shots, name)
            for n in range(rounds):
                order = names[n % len(names):] + names[: n % len(names)]
                for name in order:
                    used = _tree_cpu(roots[name])
                    times[name].append(_round(browsers[name], base, shots, name))
                    cpu[name].append(_tree_cpu(roots[name]) - used)
            for browser in browsers.values():
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    first, first_cpu = statistics.median(times[names[0]]), statistics.median(cpu[names[0]])
    print(f"{rounds} rounds; load average now {os.getloadavg()[0]:.1f}; screenshots in {shots}")
    print(f"  {'variant':28} {'wall median':>12} {'wall mean':>10} {'ratio':>6} {'browser CPU median':>19} {'ratio':>6}")
    for name in names:
        median, cpu_median = statistics.median(times[name]), statistics.median(cpu[name])
        print(f"  {name:28} {median:10.2f} s {statistics.mean(times[name]):8.2f} s {median / first:6.2f} {cpu_median:17.2f} s"
              f" {cpu_median / first_cpu:6.2f}  {' '.join(VARIANTS[name])}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10, sys.argv[2:] or list(VARIANTS))

#!/usr/bin/env python
"""Check the built book in a real headless browser.

Usage: ``python tools/check_book.py [_build/html] [--toc _toc.yml]`` (or ``make check-book``).

Serves the HTML on 127.0.0.1 (a free port) with ``http.server``, opens every page in headless
Chromium (Debian's ``chromium`` + ``chromium-driver``, driven by selenium) and checks that

- every page listed in ``_toc.yml`` was built, and every page loads (HTTP 200, a title);
- every ``<img>`` has loaded with ``naturalWidth > 0`` and every inline ``<svg>`` in a cell
  output has a non-empty box (figures present and non-empty);
- no cell output shows an error: no ``output traceback`` / ``output error`` element, no
  "Traceback (most recent call last)" in the page text, no stderr line that reports an
  error (``SomethingError: ...``, ``...Exception: ...`` or a logged ``ERROR``), no docutils ``system-message`` / ``problematic`` markup;
- every link to another file of the book points at a file that exists;
- the browser console reports no error about a resource of the book itself;
- every formula is rendered: each math element holds MathJax's output once MathJax has
  finished (MathJax is bundled into the book by ``sphinx-mathjax-offline``, so this must hold
  offline too).

Each page is also saved as a full-page screenshot (PNG) under ``--screens`` (default
``_build/screens``), to be looked at: figure text too small, a table wider than the page, a
figure without its recipe or scale. Tables wider than their column are reported as warnings.

Failures to load resources from other hosts are printed as warnings, not failures. Prints one line per page and a summary;
exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import posixpath
import re
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

SKIP_PAGES = {"search.html", "genindex.html", "py-modindex.html"}

# Console errors that are known quirks of the Jupyter Book 1 stack, reported as warnings.
# With Sphinx 7.4, sphinx-thebe's and sphinx-togglebutton's inline config <script>s are
# emitted twice per page; the first copy defines the constants and the second one's
# "already declared" SyntaxError changes nothing. Chromium also asks for /favicon.ico.
KNOWN_CONSOLE_QUIRKS = (
    re.compile(r"Identifier '(THEBE_JS_URL|togglebuttonSelector)' has already been declared"),
    re.compile(r"/favicon\.ico - Failed to load resource"),
)
SKIP_DIRS = {"_static", "_sources", "_images", "_sphinx_design_static", "_panels_static"}

REFRESH_RE = re.compile(
    r"""<meta[^>]+http-equiv=["']?refresh["']?[^>]+content=["'][^"']*url=([^"'>\s]+)""", re.I)

# Runs in the page; waits for every <img> to finish (load or error), then reports.
PAGE_PROBE_JS = r"""
const done = arguments[arguments.length - 1];
// An exception line ("ValueError: ...", "foo.BarException: ...") or a logged ERROR.
const STDERR_ERROR = /^\s*([A-Za-z_][\w.]*(Error|Exception)\b:?|ERROR\b)/;
const imgs = Array.from(document.images);
imgs.forEach(i => { i.loading = 'eager'; });
const settle = i => (i.complete ? Promise.resolve() : new Promise(r => {
  i.addEventListener('load', r, {once: true});
  i.addEventListener('error', r, {once: true});
}));
const mathDone = () => (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)
  ? window.MathJax.startup.promise.catch(() => null) : Promise.resolve();
const waitMath = () => new Promise(r => setTimeout(r, 300)).then(mathDone);
Promise.all(imgs.map(settle)).then(waitMath).then(() => {
  const text = document.body ? document.body.innerText : '';
  const q = s => Array.from(document.querySelectorAll(s));
  done({
    imgs: imgs.map(i => ({src: i.getAttribute('src') || '', w: i.naturalWidth, h: i.naturalHeight})),
    svgs: q('.cell_output svg, .output svg').filter(s => !s.closest('button')).map(s => {
      const r = s.getBoundingClientRect(); return {w: r.width, h: r.height};
    }),
    tracebacks: q('.output.traceback, .output.error, div.traceback').length,
    traceback_text: text.includes('Traceback (most recent call last)'),
    stderr_errors: q('.output.stderr').flatMap(e => e.innerText.split('\n'))
                     .filter(l => STDERR_ERROR.test(l)).map(l => l.trim().slice(0, 160)),
    system_messages: q('.system-message, .problematic').map(e => e.innerText.slice(0, 160)),
    links: q('a[href]').map(a => a.getAttribute('href')),
    mathjax: typeof window.MathJax !== 'undefined' && !!window.MathJax.version,
    math_nodes: q('.math').length,
    math_unrendered: q('.math').filter(e => !e.querySelector('mjx-container, .MathJax, mjx-math')
                                        && !e.closest('mjx-container')).map(e => e.innerText.slice(0, 60)),
  });
});
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the output to one line per page
        pass


def toc_pages(toc_path: Path) -> list[str]:
    """The .html paths (relative to the html root) of every document in a jb-book _toc.yml."""
    import yaml  # installed with jupyter-book

    toc = yaml.safe_load(toc_path.read_text())
    names: list[str] = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                names.append(node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [re.sub(r"\.(md|ipynb|rst)$", "", n) + ".html" for n in names]


def built_pages(html_dir: Path) -> list[str]:
    pages = []
    for p in sorted(html_dir.rglob("*.html")):
        rel = p.relative_to(html_dir)
        if rel.parts[0] in SKIP_DIRS or rel.as_posix() in SKIP_PAGES:
            continue
        pages.append(rel.as_posix())
    return pages


def local_link_target(page: str, href: str) -> str | None:
    """The file a same-site link points at (relative to the html root), or None if external."""
    parsed = urllib.parse.urlsplit(href)
    if parsed.scheme or parsed.netloc or href.startswith(("#", "mailto:", "javascript:")):
        return None
    path = urllib.parse.unquote(parsed.path)
    if not path:
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if path.endswith("/"):
        target = posixpath.join(target, "index.html")
    return target


def make_driver(chromium: str, chromedriver: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1024", "--no-first-run", "--disable-extensions"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=opts)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


WIDE_TABLES_JS = r"""
return Array.from(document.querySelectorAll('main table, article table')).filter(t => {
  const box = t.closest('.cell_output, .output, .table-wrapper, section, article') || t.parentElement;
  return t.scrollWidth > box.clientWidth + 2;
}).map(t => (t.innerText || '').slice(0, 60).replace(/\s+/g, ' '));
"""


def screenshot(driver, path: Path, width: int = 1280) -> None:
    """A full-page PNG of the current page: the window is made as tall as the document."""
    height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(width, min(int(height) + 100, 30000))
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    driver.set_window_size(width, 1024)


def check_page(driver, base_url: str, html_dir: Path, page: str,
               quirks: list[str], screens: Path | None = None) -> tuple[list[str], list[str], str]:
    """Returns (failures, warnings, summary) for one page; known quirks go to ``quirks``; a
    full-page screenshot goes to ``screens`` (if given) as the page's path with ``/`` → ``__``."""
    fails: list[str] = []
    warns: list[str] = []
    url = base_url + urllib.parse.quote(page)
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            status = resp.status
            html = resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        status = err.code
    if status != 200:
        return [f"HTTP {status}"], warns, ""

    # index.html is a bare redirect to the root page (which is checked on its own).
    refresh = REFRESH_RE.search(html)
    if refresh:
        target = local_link_target(page, refresh.group(1))
        if target is None or not (html_dir / target).is_file():
            return [f"redirect to a missing page: {refresh.group(1)}"], warns, ""
        return fails, warns, f"redirect -> {target}"

    driver.get(url)
    title = (driver.title or "").strip()
    if not title:
        fails.append("no <title>")
    probe = driver.execute_async_script(PAGE_PROBE_JS)

    bad_imgs = [i["src"] for i in probe["imgs"] if not i["w"] or not i["h"]]
    if bad_imgs:
        fails.append(f"{len(bad_imgs)} image(s) missing or empty: {', '.join(bad_imgs[:5])}")
    bad_svgs = [s for s in probe["svgs"] if not (s["w"] > 0 and s["h"] > 0)]
    if bad_svgs:
        fails.append(f"{len(bad_svgs)} inline SVG output(s) with an empty box")
    if probe["tracebacks"]:
        fails.append(f"{probe['tracebacks']} error/traceback output(s)")
    if probe["traceback_text"]:
        fails.append("'Traceback (most recent call last)' in the page text")
    for line in probe["stderr_errors"]:
        fails.append(f"stderr output mentions an error: {line!r}")
    for msg in probe["system_messages"]:
        fails.append(f"docutils problem rendered in the page: {msg!r}")

    for href in probe["links"]:
        target = local_link_target(page, href)
        if target is not None and not (html_dir / target).exists():
            fails.append(f"broken link: {href}")

    for entry in driver.get_log("browser"):
        if entry.get("level") != "SEVERE":
            continue
        msg = entry.get("message", "")
        if any(q.search(msg) for q in KNOWN_CONSOLE_QUIRKS):
            quirks.append(msg)
        elif base_url in msg:
            fails.append(f"console: {msg[:200]}")
        else:
            warns.append(f"console: {msg[:200]}")

    if probe["math_nodes"] and not probe["mathjax"]:
        fails.append(f"{probe['math_nodes']} math element(s) left unrendered: MathJax did not load")
    elif probe["math_unrendered"]:
        fails.append(f"{len(probe['math_unrendered'])} formula(s) left unrendered, e.g. {probe['math_unrendered'][0]!r}")

    for t in driver.execute_script(WIDE_TABLES_JS):
        warns.append(f"table wider than its column: {t!r}")
    if screens is not None:
        screenshot(driver, screens / (page.replace("/", "__").removesuffix(".html") + ".png"))

    summary = (f"title={title[:50]!r} imgs={len(probe['imgs'])} "
               f"svgs={len(probe['svgs'])} math={probe['math_nodes']}")
    return fails, warns, summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("html_dir", nargs="?", default="_build/html", type=Path)
    ap.add_argument("--toc", type=Path, default=Path("_toc.yml"),
                    help="the book's _toc.yml (every page in it must have been built)")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    ap.add_argument("--screens", type=Path, default=None,
                    help="folder of the full-page screenshots (default: html_dir/../screens, i.e. _build/screens)")
    args = ap.parse_args(argv)

    html_dir = args.html_dir.resolve()
    screens = (args.screens or html_dir.parent / "screens").resolve()
    if not (html_dir / "index.html").is_file():
        print(f"check_book: {html_dir}/index.html not found; build the book first", file=sys.stderr)
        return 2

    failures: dict[str, list[str]] = {}
    pages = built_pages(html_dir)
    if args.toc.is_file():
        for page in toc_pages(args.toc):
            if page not in pages:
                failures[page] = ["listed in the toc but not built"]
                print(f"FAIL {page}: listed in the toc but not built")

    handler = functools.partial(QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base_url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(f"serving {html_dir} at {base_url}; checking {len(pages)} page(s)")

    n_warn = 0
    quirks: list[str] = []
    driver = make_driver(args.chromium, args.chromedriver)
    try:
        for page in pages:
            try:
                fails, warns, summary = check_page(driver, base_url, html_dir, page, quirks, screens)
            except Exception as err:  # a page that crashes the check is a failed page
                fails, warns, summary = [f"{type(err).__name__}: {err}"], [], ""
            print(f"{'FAIL' if fails else 'ok  '} {page}  {summary}")
            for f in fails:
                print(f"       x {f}")
            for w in warns:
                print(f"       ! {w}")
            n_warn += len(warns)
            if fails:
                failures[page] = fails
    finally:
        driver.quit()
        httpd.shutdown()

    if quirks:
        print(f"({len(quirks)} console message(s) from known Jupyter Book 1 quirks not counted: "
              "duplicated thebe/togglebutton inline scripts, favicon.ico)")
    print(f"check_book: {len(pages)} page(s) checked, {len(failures)} failed, {n_warn} warning(s); "
          f"screenshots in {screens}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Size and speed of the HTML report on a generated batch (not collected by pytest).

    python -m bench.bench_html [SENTENCES ...]

For each size: the file size, the Python render time, and in Debian chromium (headless) the time from navigation to
the page being ready (data parsed, queue ranked and filtered, first page drawn), the time a search takes to redraw
the queue, and the time to open the document view. Each browser figure is the median of 5 loads.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from mtaudit.reports.html import render_html
from tools.report_batch import CHROMIUM, CHROMIUM_ARGS, synthetic_report  # the batch and browser the tests use

REPEATS = 5


def measure(browser, path: Path) -> dict:
    ready, search, doc = [], [], []
    for _ in range(REPEATS):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(path.as_uri() + "#queue")
        page.wait_for_selector("html[data-ready=true]")
        ready.append(page.evaluate("performance.getEntriesByName('mtaudit-ready')[0].startTime"))
        search.append(page.evaluate("""() => new Promise(done => {
            const box = document.getElementById('f-search');
            const count = document.getElementById('queue-count');
            const before = count.textContent;
            const t0 = performance.now();
            box.value = 'stake';
            box.dispatchEvent(new Event('input'));
            // the search is debounced by 120 ms; report the time after the debounce
            const poll = () => count.textContent === before ? requestAnimationFrame(poll)
                : done(performance.now() - t0 - 120);
            poll();
        })"""))
        doc.append(page.evaluate("""() => new Promise(done => {
            const t0 = performance.now();
            location.hash = '#doc=0';
            const poll = () => document.querySelector('#doc-body h1') ? done(performance.now() - t0)
                : setTimeout(poll, 1);
            poll();
        })"""))
        page.close()
    return {"ready_ms": statistics.median(ready), "search_ms": statistics.median(search),
            "doc_ms": statistics.median(doc)}


def main(sizes: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        print("| sentences | findings | file size | render (Python) | page ready | search redraw | document view |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for n in sizes:
            report = synthetic_report(n)
            t0 = time.perf_counter()
            html = render_html(report)
            render_s = time.perf_counter() - t0
            path = Path(tmp) / f"report-{n}.html"
            path.write_text(html, encoding="utf-8")
            m = measure(browser, path)
            print(f"| {n:,} | {report['summary']['findings']:,} | {len(html.encode('utf-8')) / 1e6:.2f} MB "
                  f"| {render_s * 1000:.0f} ms | {m['ready_ms']:.0f} ms | {m['search_ms']:.0f} ms "
                  f"| {m['doc_ms']:.0f} ms |")
        browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sentences", type=int, nargs="*", default=[500, 5000, 20000], help="batch sizes")
    main(parser.parse_args().sentences)

"""The documentation site and the tiny run's HTML report in a real browser (headless Chromium).

Debian's ``chromium`` and ``chromium-driver`` are installed with apt when missing (needs root
and apt-get; otherwise the test is skipped, like the SLURM test). Checked on every page of the
site: no console errors, every image loaded, the math rendered by KaTeX without errors; on the
gallery: every registered figure's image; on the report: it renders its figures without
console errors.
"""

import functools
import http.server
import os
import shutil
import subprocess
import threading

import pytest
import yaml

from test_docs import REPO, build_site

pytestmark = pytest.mark.slow

APT_PACKAGES = ("chromium", "chromium-driver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,1600")


def _chromium_or_skip():
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("chromium/chromedriver missing and not root with apt-get to install them")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *APT_PACKAGES]):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            pytest.skip(f"{' '.join(cmd)} failed: {proc.stderr[-500:]}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    _chromium_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def served_site(tiny_run, tmp_path_factory):
    """The site built with the tiny run's figures in the gallery, served on localhost."""
    _, out = tiny_run
    site = tmp_path_factory.mktemp("site")
    proc = build_site(site, gallery_results=out, config=str(REPO / "config" / "test" / "tiny.yaml"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", site
    server.shutdown()


def _console_errors(driver):
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _broken_images(driver):
    return driver.execute_script(
        "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);")


def _wait_for_katex(driver):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(lambda d: d.execute_script(
        "return document.querySelectorAll('.arithmatex').length === 0 || "
        "document.querySelectorAll('.arithmatex .katex').length > 0;"))


def test_every_page_loads_without_console_errors_or_broken_images(browser, served_site):
    """Also: no request leaves localhost (a CDN font or script would fail here, offline)."""
    url, site = served_site
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name != "404.html")
    assert len(pages) >= 15
    problems = {}
    for page in pages:
        browser.get(f"{url}/{page}")
        _wait_for_katex(browser)
        errors, broken = _console_errors(browser), _broken_images(browser)
        if errors or broken:
            problems[page] = errors + broken
    assert problems == {}


def test_math_is_rendered_by_katex(browser, served_site):
    url, _ = served_site
    browser.get(f"{url}/theory/cumulants.html")
    _wait_for_katex(browser)
    counts = browser.execute_script(
        "return [document.querySelectorAll('.arithmatex').length, document.querySelectorAll('.arithmatex .katex').length,"
        " document.querySelectorAll('.katex-error').length];")
    assert counts[0] > 50 and counts[1] == counts[0] and counts[2] == 0, counts


def test_gallery_shows_every_registered_figure(browser, served_site):
    from nonrecip.pipeline import registry
    from nonrecip.pipeline.config import validate_config

    url, _ = served_site
    from snakemake.utils import update_config

    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    update_config(config, yaml.safe_load((REPO / "config" / "test" / "tiny.yaml").read_text()))
    names = set(registry.figures(validate_config(config, REPO / "workflow" / "schemas" / "config.schema.yaml")))
    browser.get(f"{url}/gallery.html")
    shown = browser.execute_script(
        "return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 100).map(i => i.alt);")
    assert set(shown) == names


def test_the_tiny_run_report_renders(browser, tiny_run, tmp_path):
    from workflow_helpers import run_snakemake, tiny_args

    _, out = tiny_run
    report = tmp_path / "report.html"
    proc = run_snakemake(*tiny_args(out), "--report", str(report))
    assert proc.returncode == 0, proc.stderr[-2000:]
    browser.get(report.as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda d: "Paper E" in d.execute_script("return document.body.innerText;"))
    text = browser.execute_script("return document.body.innerText;")
    assert "Paper S" in text and "Claims" in text
    assert _console_errors(browser) == []

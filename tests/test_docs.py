"""The documentation site builds strictly (warnings and broken links fail) and holds what it promises."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nonrecip.pipeline import registry
from nonrecip.pipeline.docs_site import benchmarks_markdown, execute_markdown

REPO = Path(__file__).resolve().parents[1]
MKDOCS = str(Path(sys.executable).with_name("mkdocs"))


def build_site(site: Path, *, gallery_results: Path | None = None, config: str | None = None) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` into ``site`` (the gallery's images from ``gallery_results``)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if gallery_results is not None:
        env["NONRECIP_GALLERY_RESULTS"] = str(gallery_results)
    if config is not None:
        env["NONRECIP_DOCS_CONFIG"] = config
    return subprocess.run([MKDOCS, "build", "--strict", "--site-dir", str(site)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    proc = build_site(site, gallery_results=tmp_path_factory.mktemp("no_results"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "WARNING" not in proc.stderr
    return site


def test_gallery_lists_every_registered_figure_with_its_command(site):
    import yaml

    from nonrecip.pipeline.config import validate_config

    config = validate_config(yaml.safe_load((REPO / "config" / "config.yaml").read_text()),
                             REPO / "workflow" / "schemas" / "config.schema.yaml")
    html = (site / "gallery.html").read_text()
    for name, job in registry.figures(config).items():
        assert f'id="{name.lower()}"' in html, name
        assert f"results/figures/{name}.png" in html, name
        for key in job.inputs:
            assert f"results/{key}.nc" in html, (name, key)
    assert "{%" not in html and "snakemake.config" not in html   # captions were rendered


def test_theory_pages_carry_math_for_the_local_katex(site):
    html = (site / "theory" / "cumulants.html").read_text()
    assert len(re.findall(r'class="arithmatex"', html)) > 50
    assert (site / "assets" / "katex" / "katex.min.js").stat().st_size > 100_000
    assert any((site / "assets" / "katex" / "fonts").glob("*.woff2"))
    assert "cdn" not in (site / "index.html").read_text().lower()


def test_api_pages_are_generated_from_the_docstrings(site):
    html = (site / "api" / "emission.html").read_text()
    assert "emission_dynamics" in html and "Emission under paper E Eqs. (1)" in html
    assert "CumulantOptions" in html and "ode_method" in html
    assert "steady_state" in (site / "api" / "sync.html").read_text()


def test_tutorials_were_executed(site):
    large = (site / "tutorials" / "large-arrays.html").read_text()
    assert re.search(r"cumulant2: max_t \|delta_1N error\| = 1[0-9]\.[0-9] %", large)
    assert "bit-identical rerun: True" in large
    reading = (site / "tutorials" / "reading-datasets.html").read_text()
    assert "float64" in reading and "complex128" in reading


def test_slurm_tutorial_includes_the_readme_section_and_a_dry_run(site):
    html = (site / "tutorials" / "slurm.html").read_text()
    assert "workflow/profiles/slurm" in html and "slurm_partition" in html
    assert "emission_dynamics" in html and "README:" not in html


def test_benchmarks_page_tabulates_every_record():
    text = benchmarks_markdown(REPO / "benchmarks")
    n_records = sum(1 for path in (REPO / "benchmarks").glob("*.jsonl") for line in path.read_text().splitlines()
                    if line.strip())
    table = [line for line in text.split("## Raw records")[1].splitlines() if line.startswith("| ") and ".jsonl" in line]
    assert len(table) == n_records > 10


def test_a_failing_tutorial_block_fails_the_build(tmp_path):
    with pytest.raises(ZeroDivisionError):
        execute_markdown("```python exec\nprint(1 / 0)\n```\n", cwd=tmp_path)
    shown = execute_markdown("```python exec\nprint(6 * 7)\n```\n", cwd=tmp_path)
    assert "```text\n42\n```" in shown

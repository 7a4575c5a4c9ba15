"""Generated pages of the documentation site (``mkdocs.yml``, hooks in ``docs/hooks.py``).

Nothing here is written by hand into ``docs/``: the configuration table comes from the schema,
the gallery from the figure registry and the report captions, the API pages from the package's
``__all__``, the benchmarks page from ``benchmarks/*.jsonl``, and tutorials are executed at
build time (their code blocks marked ``python exec`` run, and their output is shown).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Mapping

from nonrecip.pipeline import registry

__all__ = ["KATEX_VERSION", "fetch_katex", "gallery_markdown", "api_markdown",
           "benchmarks_markdown", "execute_markdown", "API_PAGES"]

#: KaTeX release served with the site (math renders without network access)
KATEX_VERSION = "0.16.22"

#: API page -> module documented there (its public names, ``__all__``)
API_PAGES = {"api/emission.md": "nonrecip.emission", "api/sync.md": "nonrecip.sync", "api/sensing.md": "nonrecip.sensing",
             "api/io.md": "nonrecip.io"}


def fetch_katex(dest: str | Path) -> Path:
    """KaTeX's ``dist`` folder in ``dest`` (``npm pack katex@KATEX_VERSION`` once, then reused)."""
    dest = Path(dest)
    stamp = dest / f".katex-{KATEX_VERSION}"
    if stamp.exists():
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"katex@{KATEX_VERSION}", "--silent", "--pack-destination", tmp],
                       check=True, capture_output=True, text=True, timeout=300)
        tarball = next(Path(tmp).glob("katex-*.tgz"))
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("package/dist/") and m.isfile()]
            tar.extractall(tmp, members=members, filter="data")
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(Path(tmp) / "package" / "dist", dest)
    stamp.touch()
    return dest


def _caption(template: Path, figure: str, config: Mapping[str, Any]) -> str:
    """A figure's report caption (Jinja + reStructuredText) rendered for ``config`` as Markdown."""
    import jinja2

    class _Snakemake:
        wildcards = type("Wildcards", (), {"fig": figure})()

    _Snakemake.config = config
    text = jinja2.Template(template.read_text()).render(snakemake=_Snakemake)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def gallery_markdown(config: Mapping[str, Any], *, captions: str | Path, results_dir: str | Path,
                     command: str) -> tuple[str, dict[str, Path]]:
    """The gallery page: every registered figure with image, caption, inputs, config keys and command.

    Parameters
    ----------
    config : mapping
        A validated configuration (``validate_config``); its figures are listed.
    captions : path
        Folder of the report captions (``workflow/report``).
    results_dir : path
        Where the images are taken from (``<results_dir>/figures/<name>.png``); a figure not
        drawn there yet is listed with the command that draws it.
    command : str
        The command line shown for regenerating a figure (the target path is appended).

    Returns
    -------
    (str, dict)
        The Markdown, and ``{site path: image file}`` of the images to copy into the site.
    """
    results_dir = Path(results_dir)
    lines = ["# Gallery", "",
             "Every figure that `make figures` draws, in the order of the figure registry "
             "(`nonrecip.pipeline.registry.figures`), with the caption of the HTML report, the datasets it is "
             "drawn from, the configuration section that sets it, and the command that regenerates it. "
             f"Images: `{results_dir}`.", ""]
    images = {}
    for name, job in registry.figures(config).items():
        lines += [f"## {name}", ""]
        png = results_dir / "figures" / f"{name}.png"
        if png.exists():
            images[f"gallery/{name}.png"] = png
            lines += [f"![{name}](gallery/{name}.png)", ""]
        else:
            lines += [f"*Not drawn in `{results_dir}` yet.*", ""]
        template = Path(captions) / registry.REPORT_CAPTIONS[job.family]
        lines += [_caption(template, name, config), ""]
        inputs = ", ".join(f"`{config['results_dir']}/{key}.nc`" for key in job.inputs)
        lines += [f"- **Datasets:** {inputs}",
                  f"- **Configuration:** section `{job.family}` ([keys](configuration.md)); formats {list(job.formats)}",
                  f"- **Regenerate:** `{command} {config['results_dir']}/figures/{name}.png`", ""]
    return "\n".join(lines), images


def api_markdown(module: str) -> str:
    """An API page: one mkdocstrings block per public name of ``module``."""
    import importlib

    names = importlib.import_module(module).__all__
    lines = [f"# `{module}`", "", f"::: {module}", "    options:", "      members: false",
             "      show_root_heading: false", ""]
    for name in names:
        lines += [f"::: {module}.{name}", ""]
    return "\n".join(lines)


_RECORD_KEYS = ("case", "method", "order", "N", "k0", "wall_s", "cpu_s", "peak_rss_gb", "error")


def benchmarks_markdown(bench_dir: str | Path) -> str:
    """The benchmarks page: benchmarks/README.md followed by a table of every recorded run."""
    bench_dir = Path(bench_dir)
    text = (bench_dir / "README.md").read_text()
    lines = [text, "", '<a id="raw-records"></a>', "## Raw records", "",
             "Every line of `benchmarks/*.jsonl` (one run each; conditions in the files).", "",
             "| file | " + " | ".join(_RECORD_KEYS) + " | date | load (1 min) |",
             "|---|" + "---|" * (len(_RECORD_KEYS) + 2)]
    for path in sorted(bench_dir.glob("*.jsonl")):
        for raw in path.read_text().splitlines():
            if not raw.strip():
                continue
            record = json.loads(raw)
            conditions = record.get("conditions_before") or record.get("conditions") or {}
            load = conditions.get("loadavg", [None])[0] if isinstance(conditions, dict) else None
            cells = [path.name] + [_cell(record.get(key)) for key in _RECORD_KEYS]
            cells += [_cell(conditions.get("date") if isinstance(conditions, dict) else None), _cell(load)]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value).replace("|", "\\|").replace("\n", " ")[:80]


_EXEC = re.compile(r"^```python exec\n(.*?)^```\n", re.S | re.M)


def execute_markdown(text: str, *, cwd: str | Path) -> str:
    """Run the ``python exec`` code blocks of a tutorial in order (one namespace, working directory
    ``cwd``) and show each block followed by what it printed. An exception fails the build."""
    namespace: dict[str, Any] = {"__name__": "__tutorial__"}

    def run(match: re.Match) -> str:
        code = match.group(1)
        out = io.StringIO()
        previous = os.getcwd()
        try:
            os.chdir(cwd)
            with contextlib.redirect_stdout(out):
                exec(compile(code, "<tutorial>", "exec"), namespace)
        finally:
            os.chdir(previous)
        printed = out.getvalue()
        block = f"```python\n{code}```\n"
        return block + (f"\n```text\n{printed}```\n" if printed else "")

    return _EXEC.sub(run, text)

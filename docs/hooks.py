"""MkDocs hooks: add the generated pages (nonrecip.pipeline.docs_site) and KaTeX to the site.

Environment: ``NONRECIP_GALLERY_RESULTS`` — results folder whose ``figures/*.png`` fill the
gallery (default ``results``); ``NONRECIP_DOCS_CONFIG`` — extra config file of the gallery
(default none: the default run's figures).
"""

import os
import re
from pathlib import Path

from mkdocs.structure.files import File

from nonrecip.pipeline import docs_site
from nonrecip.pipeline.config import validate_config
from nonrecip.pipeline.config_docs import schema_markdown

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"


def _config():
    import yaml

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    extra = os.environ.get("NONRECIP_DOCS_CONFIG")
    if extra:
        from snakemake.utils import update_config

        update_config(config, yaml.safe_load(Path(extra).read_text()))
    return validate_config(config, SCHEMA)


def on_files(files, config):
    results = Path(os.environ.get("NONRECIP_GALLERY_RESULTS", ROOT / "results"))
    gallery, images = docs_site.gallery_markdown(_config(), captions=ROOT / "workflow" / "report",
                                                 results_dir=results, command=".venv/bin/snakemake --cores 2")
    pages = {"gallery.md": gallery,
             "configuration.md": schema_markdown(SCHEMA),
             "benchmarks.md": docs_site.benchmarks_markdown(ROOT / "benchmarks")}
    pages.update({page: docs_site.api_markdown(module) for page, module in docs_site.API_PAGES.items()})
    for uri, content in pages.items():
        files.append(File.generated(config, uri, content=content))
    for uri, path in images.items():
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    katex = docs_site.fetch_katex(ROOT / "build" / "katex")
    for path in sorted(katex.rglob("*")):
        if path.is_file() and path.suffix in (".js", ".css", ".woff2", ".woff", ".ttf"):
            files.append(File.generated(config, f"assets/katex/{path.relative_to(katex).as_posix()}",
                                        abs_src_path=str(path)))
    return files


_OUTSIDE = re.compile(r"\[([^\]]+)\]\((\.\./)+benchmarks/README\.md\)")
_README_SECTION = re.compile(r"<!-- README: (.+?) -->")


def _readme_section(match):
    """The README section of that title, its own heading dropped, links into the checkout as code."""
    text = (ROOT / "README.md").read_text()
    start = text.index(f"## {match.group(1)}\n")
    end = text.find("\n## ", start + 3)
    body = text[start:end if end > 0 else None].split("\n", 1)[1]
    return re.sub(r"\[([^\]]+)\]\((?!https?:)[^)]+\)", r"\1", body)


def on_page_markdown(markdown, page, config, files):
    """Execute tutorials; point links to benchmarks/README.md at the benchmarks page."""
    markdown = _README_SECTION.sub(_readme_section, markdown)
    markdown = _OUTSIDE.sub(lambda m: f"[{m.group(1)}]({'../' * page.file.src_uri.count('/')}benchmarks.md)", markdown)
    if page.file.src_uri.startswith("tutorials/"):
        markdown = docs_site.execute_markdown(markdown, cwd=ROOT)
    return markdown

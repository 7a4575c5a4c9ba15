"""Every theory reference in the repository resolves inside it; nothing points outside it."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r"docs/theory/([A-Za-z0-9_]+\.md)(?:#([a-z0-9-]+))?((?:, #[a-z0-9-]+)*)")
ANCHOR = re.compile(r'<a id="([a-z0-9-]+)"></a>')
TEXT = (".py", ".md", ".yaml", ".yml", ".smk", ".rst", ".toml", ".txt", "")


def _tracked_text_files():
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout.split()
    for name in out:
        path = REPO / name
        if path.is_file() and path.suffix in TEXT:
            try:
                yield name, path.read_text()
            except UnicodeDecodeError:
                continue


def _anchors() -> dict[str, set[str]]:
    return {p.name: set(ANCHOR.findall(p.read_text())) for p in (REPO / "docs" / "theory").glob("*.md")}


def test_every_theory_reference_names_an_existing_file_and_anchor():
    anchors = _anchors()
    assert {"emission.md", "sync.md", "solvers.md"} <= set(anchors)
    broken, count = [], 0
    for name, text in _tracked_text_files():
        for match in REFERENCE.finditer(text):
            count += 1
            file, anchor, more = match.groups()
            wanted = ([anchor] if anchor else []) + re.findall(r"#([a-z0-9-]+)", more)  # "...md#a, #b" too
            if file not in anchors or any(a not in anchors[file] for a in wanted):
                broken.append(f"{name}: {match.group(0)}")
    assert count > 100  # the code cites the theory throughout
    assert not broken, "\n".join(broken)


def test_anchors_are_unique_within_each_file():
    for path in (REPO / "docs" / "theory").glob("*.md"):
        ids = ANCHOR.findall(path.read_text())
        assert len(ids) == len(set(ids)), path.name


def test_nothing_points_outside_the_repository():
    """No reference to the team's private sources (the specs and papers beside the checkout): a clone has none."""
    outside = re.compile(r"\.\./shared|shared/specs|shared/papers|solver_notes\.md|\bspec [ES] §")
    hits = [f"{name}: {m.group(0)}" for name, text in _tracked_text_files() for m in outside.finditer(text)
            if name != "tests/test_docs_references.py"]
    assert not hits, "\n".join(hits)

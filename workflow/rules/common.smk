# Shared helpers of every rule file. Each rule file appends its final products to ALL_TARGETS.

import json
import os

RESULTS = config["results_dir"]
ALL_TARGETS = []
# every rule runs in the project environment (the package and its pinned dependencies)
CONDA_ENV = "../../envs/environment.yaml"


def res(path):
    """Path under the results folder."""
    return f"{RESULTS}/{path}"


def as_json(obj):
    """Canonical JSON of a params object, so that a changed parameter reruns the rule."""
    return json.dumps(obj, sort_keys=True)


def figure_files(name, formats, caption, category):
    """Figure outputs ``figures/<name>.<ext>`` flagged for the HTML report with a caption.

    ``name`` may hold a wildcard, e.g. ``"{efig}"``; the report groups figures by it.
    """
    flagged = [res(f"figures/{name}.{ext}") for ext in formats]
    return [report(path, caption=caption, category=category, subcategory=name) for path in flagged]

# Shared helpers of every rule file. Targets and params come from the registry
# (nonrecip.pipeline.registry): one entry per dataset and per figure, holding exactly the
# parameters its job uses.

from nonrecip.pipeline import registry
from nonrecip.pipeline.registry import canonical

RESULTS = config["results_dir"]
DATASETS = registry.datasets(config)
FIGURES = registry.figures(config)
ALL_TARGETS = []
# every rule runs in the project environment (the package and its pinned dependencies)
CONDA_ENV = "../../envs/environment.yaml"


def res(path):
    """Path under the results folder."""
    return f"{RESULTS}/{path}"


def dataset_file(key):
    """NetCDF file of a registry dataset ``<family>/<name>``."""
    return res(f"{key}.nc")


def dataset_names(family):
    """Wildcard pattern of the registry's datasets of one family."""
    return "|".join(job.name for job in DATASETS.values() if job.family == family)


def figure_names(family):
    """Names of the registry's figures of one family."""
    return [name for name, job in FIGURES.items() if job.family == family]


def figure_outputs(families, category):
    """Outputs ``figures/{fig}.<ext>`` of a figure rule, flagged for the HTML report with the
    caption template of the families (``registry.REPORT_CAPTIONS``, one per rule).

    One file per format that any figure of ``families`` is configured for.
    """
    caption, = {registry.REPORT_CAPTIONS[f] for f in families}
    formats = sorted({ext for f in families for name in figure_names(f) for ext in FIGURES[name].formats})
    paths = [res(f"figures/{{fig}}.{ext}") for ext in formats]
    return [report(path, caption=f"../report/{caption}", category=category, subcategory="{fig}") for path in paths]


def figure_targets(family):
    return [res(f"figures/{name}.{ext}") for name in figure_names(family) for ext in FIGURES[name].formats]


def chunk_priority(wildcards):
    """Largest N of an emission chunk (``EMISSION_CHUNKS``, emission.smk): the costliest chunks,
    whose cost grows ~5x per qubit, start first (longest job first on few cores)."""
    return max(p["N"] for p in EMISSION_CHUNKS[wildcards.sweep][int(wildcards.chunk)])


def benchmark_records():
    """The benchmark file of every heavy job of the config (the rules' ``benchmark:`` paths)."""
    paths = [res(f"benchmarks/emission/{sweep}/dynamics_{i}.tsv")
             for sweep, chunks in EMISSION_CHUNKS.items() for i in range(len(chunks))]
    paths += [res(f"benchmarks/{job.family}/{job.name}.tsv") for job in DATASETS.values()
              if job.family in ("emission_large", "emission_systems", "sensing", "sync_meanfield", "sync_finite", "sync_trajectories")]
    return paths

# Paper S: mean field (Figs. S1d-g, S2, S14, S15), finite N (Figs. S4-S7) and monitored
# trajectories (Figs. S8-S11). Each dataset and figure is one registry entry.

SYNC_FAMILIES = ("sync_meanfield", "sync_finite", "sync_trajectories")
for _family in SYNC_FAMILIES:
    ALL_TARGETS += figure_targets(_family)


rule sync_meanfield_data:
    message: "mean field of paper S: {wildcards.name}"
    output: res("sync_meanfield/{name}.nc")
    log: res("logs/sync_meanfield/{name}.log")
    benchmark: res("benchmarks/sync_meanfield/{name}.tsv")
    params:
        family="sync_meanfield",
        builder=lambda wc: DATASETS[f"sync_meanfield/{wc.name}"].builder,
        kwargs=lambda wc: DATASETS[f"sync_meanfield/{wc.name}"].params,
    wildcard_constraints: name=dataset_names("sync_meanfield")
    threads: 2
    conda: CONDA_ENV
    resources: mem_mb=1500, runtime=20
    script: "../scripts/dataset.py"


rule sync_finite_data:
    message: "finite-N paper S: {wildcards.name}"
    output: res("sync_finite/{name}.nc")
    log: res("logs/sync_finite/{name}.log")
    benchmark: res("benchmarks/sync_finite/{name}.tsv")
    params:
        family="sync_finite",
        builder=lambda wc: DATASETS[f"sync_finite/{wc.name}"].builder,
        kwargs=lambda wc: DATASETS[f"sync_finite/{wc.name}"].params,
    wildcard_constraints: name=dataset_names("sync_finite")
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=20
    script: "../scripts/dataset.py"


rule sync_trajectories_data:
    message: "monitored trajectories of paper S: {wildcards.name}"
    input: lambda wc: [dataset_file(key) for key in DATASETS[f"sync_trajectories/{wc.name}"].inputs]
    output: res("sync_trajectories/{name}.nc")
    log: res("logs/sync_trajectories/{name}.log")
    benchmark: res("benchmarks/sync_trajectories/{name}.tsv")
    params:
        family="sync_trajectories",
        builder=lambda wc: DATASETS[f"sync_trajectories/{wc.name}"].builder,
        kwargs=lambda wc: DATASETS[f"sync_trajectories/{wc.name}"].params,
    wildcard_constraints: name=dataset_names("sync_trajectories")
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=1500, runtime=15
    script: "../scripts/dataset.py"


rule sync_figure:
    message: "paper S figure {wildcards.fig}"
    input: lambda wc: [dataset_file(key) for key in FIGURES[wc.fig].inputs]
    output: figure_outputs(SYNC_FAMILIES, "Paper S")
    log: res("logs/figures/{fig}.log")
    params:
        family=lambda wc: FIGURES[wc.fig].family,
        kwargs=lambda wc: FIGURES[wc.fig].params,
        plot=lambda wc: FIGURES[wc.fig].plot_function,
    wildcard_constraints: fig="|".join(n for f in SYNC_FAMILIES for n in figure_names(f))
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=1500, runtime=5
    script: "../scripts/figure.py"


# cheap rules run on the submitting host under a cluster executor
localrules: sync_figure

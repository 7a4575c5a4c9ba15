# Sensing bath symmetry breaking: Fisher maps (a job per k0), shots to detect (a job per N),
# a posterior example and the coverage check; figures.

ALL_TARGETS += figure_targets("sensing")


rule sensing_data:
    message: "sensing: {wildcards.name}"
    input: lambda wc: [dataset_file(key) for key in DATASETS[f"sensing/{wc.name}"].inputs]
    output: res("sensing/{name}.nc")
    log: res("logs/sensing/{name}.log")
    benchmark: res("benchmarks/sensing/{name}.tsv")
    params:
        family="sensing",
        builder=lambda wc: DATASETS[f"sensing/{wc.name}"].builder,
        kwargs=lambda wc: DATASETS[f"sensing/{wc.name}"].params,
    wildcard_constraints: name=dataset_names("sensing")
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=4000, runtime=60
    script: "../scripts/dataset.py"


rule sensing_figure:
    message: "sensing figure {wildcards.fig}"
    input: lambda wc: [dataset_file(key) for key in FIGURES[wc.fig].inputs]
    output: figure_outputs(["sensing"], "Paper E: sensing")
    log: res("logs/figures/{fig}.log")
    params:
        family="sensing",
        kwargs=lambda wc: FIGURES[wc.fig].params,
        plot=lambda wc: FIGURES[wc.fig].plot_function,
    wildcard_constraints: fig="|".join(figure_names("sensing"))
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=10
    script: "../scripts/figure.py"


localrules: sensing_figure

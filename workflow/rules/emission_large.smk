# Paper E at large N: error map of the cumulant expansions (one job per N and a_q) and the
# asymmetry vs N (one job per k0 and method), each combined into one dataset; figures.

ALL_TARGETS += figure_targets("emission_large")
ALL_TARGETS += [dataset_file("emission_large/error_map"), dataset_file("emission_large/scaling")]


rule emission_large_data:
    message: "large arrays of paper E: {wildcards.name}"
    input: lambda wc: [dataset_file(key) for key in DATASETS[f"emission_large/{wc.name}"].inputs]
    output: res("emission_large/{name}.nc")
    log: res("logs/emission_large/{name}.log")
    benchmark: res("benchmarks/emission_large/{name}.tsv")
    params:
        family="emission_large",
        builder=lambda wc: DATASETS[f"emission_large/{wc.name}"].builder,
        kwargs=lambda wc: DATASETS[f"emission_large/{wc.name}"].params,
    wildcard_constraints: name=dataset_names("emission_large")
    threads: lambda wc: DATASETS[f"emission_large/{wc.name}"].threads
    conda: CONDA_ENV
    resources: mem_mb=4000, runtime=120
    script: "../scripts/dataset.py"


rule emission_large_figure:
    message: "paper E large-array figure {wildcards.fig}"
    input: lambda wc: [dataset_file(key) for key in FIGURES[wc.fig].inputs]
    output: figure_outputs(["emission_large"], "Paper E")
    log: res("logs/figures/{fig}.log")
    params:
        family="emission_large",
        kwargs=lambda wc: FIGURES[wc.fig].params,
        plot=lambda wc: FIGURES[wc.fig].plot_function,
    wildcard_constraints: fig="|".join(figure_names("emission_large"))
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=10
    script: "../scripts/figure.py"


localrules: emission_large_figure

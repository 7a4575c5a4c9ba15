# The user's own emitter arrays (emission.systems): one job per sweep point, one dataset and
# one figure per system.

ALL_TARGETS += figure_targets("emission_systems")


rule emission_systems_data:
    message: "emitter array {wildcards.name}"
    input: lambda wc: [dataset_file(key) for key in DATASETS[f"emission_systems/{wc.name}"].inputs]
    output: res("emission_systems/{name}.nc")
    log: res("logs/emission_systems/{name}.log")
    benchmark: res("benchmarks/emission_systems/{name}.tsv")
    params:
        family="emission_systems",
        builder=lambda wc: DATASETS[f"emission_systems/{wc.name}"].builder,
        kwargs=lambda wc: DATASETS[f"emission_systems/{wc.name}"].params,
    wildcard_constraints: name=dataset_names("emission_systems")
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=60
    script: "../scripts/dataset.py"


rule emission_systems_figure:
    message: "emitter-array figure {wildcards.fig}"
    input: lambda wc: [dataset_file(key) for key in FIGURES[wc.fig].inputs]
    output: figure_outputs(["emission_systems"], "Your own systems")
    log: res("logs/figures/{fig}.log")
    params:
        family="emission_systems",
        kwargs=lambda wc: FIGURES[wc.fig].params,
        plot=lambda wc: FIGURES[wc.fig].plot_function,
    wildcard_constraints: fig="|".join(figure_names("emission_systems"))
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=10
    script: "../scripts/figure.py"


localrules: emission_systems_figure

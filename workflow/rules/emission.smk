# Paper E: couplings -> emission dynamics (chunks of grid points) -> aggregated sweeps -> figures.

from nonrecip.pipeline.grids import chunk_points, grid_points

EMISSION = config["emission"]
EMISSION_CHUNKS = {
    name: chunk_points(grid_points(sweep), EMISSION["chunk_size"])
    for name, sweep in EMISSION["sweeps"].items()
}
ALL_TARGETS += figure_targets("emission")
ALL_TARGETS += [res(f"emission/{name}.nc") for name in EMISSION["sweeps"]]


wildcard_constraints:
    sweep="|".join(EMISSION["sweeps"]),
    chunk="[0-9]+",


rule emission_couplings:
    message: "coupling matrices, sweep {wildcards.sweep}, chunk {wildcards.chunk}"
    output: res("emission/{sweep}/couplings_{chunk}.nc")
    log: res("logs/emission/{sweep}/couplings_{chunk}.log")
    priority: chunk_priority
    params:
        points=lambda wc: canonical(EMISSION_CHUNKS[wc.sweep][int(wc.chunk)]),
        coupling=canonical(EMISSION["coupling"]),
        physics=canonical(EMISSION["physics"]),
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=1000, runtime=30
    script: "../scripts/emission_couplings.py"


rule emission_dynamics:
    message: "emission dynamics, sweep {wildcards.sweep}, chunk {wildcards.chunk}"
    input: res("emission/{sweep}/couplings_{chunk}.nc")
    output: res("emission/{sweep}/dynamics_{chunk}.nc")
    log: res("logs/emission/{sweep}/dynamics_{chunk}.log")
    benchmark: res("benchmarks/emission/{sweep}/dynamics_{chunk}.tsv")
    priority: chunk_priority
    params:
        times=lambda wc: {k: EMISSION["sweeps"][wc.sweep][k] for k in ("n_times", "t_max")},
        solver=canonical({"method": EMISSION["solver"]["method"],  # only the chosen method's options
                          EMISSION["solver"]["method"]: EMISSION["solver"][EMISSION["solver"]["method"]]}),
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=4000, runtime=120
    script: "../scripts/emission_dynamics.py"


rule emission_aggregate:
    message: "aggregate sweep {wildcards.sweep}"
    input: lambda wc: [res(f"emission/{wc.sweep}/dynamics_{i}.nc") for i in range(len(EMISSION_CHUNKS[wc.sweep]))]
    output: res("emission/{sweep}.nc")
    log: res("logs/emission/{sweep}/aggregate.log")
    params: sweep=lambda wc: canonical(EMISSION["sweeps"][wc.sweep])
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=10
    script: "../scripts/emission_aggregate.py"


rule emission_fig3_data:
    message: "Fig. E3 data: two qubits, closed equations and QuTiP"
    output: dataset_file("emission/fig3")
    log: res("logs/emission/fig3.log")
    params: kwargs=DATASETS["emission/fig3"].params
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=1000, runtime=10
    script: "../scripts/emission_fig3.py"


rule emission_figure:
    message: "paper E figure {wildcards.fig}"
    input: lambda wc: [dataset_file(key) for key in FIGURES[wc.fig].inputs]
    output: figure_outputs(["emission"], "Paper E")
    log: res("logs/figures/{fig}.log")
    params:
        family="emission",
        kwargs=lambda wc: FIGURES[wc.fig].params,
        plot=lambda wc: FIGURES[wc.fig].plot_function,
    wildcard_constraints: fig="|".join(figure_names("emission"))
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=10
    script: "../scripts/figure.py"


localrules: all, emission_aggregate, emission_fig3_data, emission_figure

# Paper E: couplings -> emission dynamics (chunks of grid points) -> aggregated sweeps -> figures.

from nonrecip.emission.plots import FIGURE_INPUTS as EMISSION_FIGURE_INPUTS
from nonrecip.emission.sweep import chunk_points, grid_points

EMISSION = config["emission"]
EMISSION_CHUNKS = {
    name: chunk_points(grid_points(sweep), EMISSION["chunk_size"])
    for name, sweep in EMISSION["sweeps"].items()
}
EMISSION_FIGS = list(EMISSION_FIGURE_INPUTS)
ALL_TARGETS += [res(f"figures/{fig}.{ext}") for fig in EMISSION_FIGS for ext in EMISSION["figures"]["format"]]
ALL_TARGETS += [res(f"emission/{name}.nc") for name in EMISSION["sweeps"]]


wildcard_constraints:
    sweep="|".join(EMISSION["sweeps"]),
    chunk="[0-9]+",
    efig="|".join(EMISSION_FIGURE_INPUTS),


rule emission_couplings:
    message: "coupling matrices, sweep {wildcards.sweep}, chunk {wildcards.chunk}"
    output: res("emission/{sweep}/couplings_{chunk}.nc")
    log: res("logs/emission/{sweep}/couplings_{chunk}.log")
    params:
        points=lambda wc: EMISSION_CHUNKS[wc.sweep][int(wc.chunk)],
        coupling=EMISSION["coupling"],
        physics=EMISSION["physics"],
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=1000, runtime=30
    script: "../scripts/emission_couplings.py"


rule emission_dynamics:
    message: "emission dynamics, sweep {wildcards.sweep}, chunk {wildcards.chunk}"
    input: res("emission/{sweep}/couplings_{chunk}.nc")
    output: res("emission/{sweep}/dynamics_{chunk}.nc")
    log: res("logs/emission/{sweep}/dynamics_{chunk}.log")
    params:
        sweep=lambda wc: EMISSION["sweeps"][wc.sweep],
        solver=EMISSION["solver"],
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=4000, runtime=120
    script: "../scripts/emission_dynamics.py"


rule emission_aggregate:
    message: "aggregate sweep {wildcards.sweep}"
    input: lambda wc: [res(f"emission/{wc.sweep}/dynamics_{i}.nc") for i in range(len(EMISSION_CHUNKS[wc.sweep]))]
    output: res("emission/{sweep}.nc")
    log: res("logs/emission/{sweep}/aggregate.log")
    params: sweep=lambda wc: EMISSION["sweeps"][wc.sweep]
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=10
    script: "../scripts/emission_aggregate.py"


rule emission_fig3_data:
    message: "Fig. E3 data: two qubits, closed equations and QuTiP"
    output: res("emission/fig3.nc")
    log: res("logs/emission/fig3.log")
    params: fig3=EMISSION["fig3"]
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=1000, runtime=10
    script: "../scripts/emission_fig3.py"


rule emission_figure:
    message: "paper E figure {wildcards.efig}"
    input: unpack(lambda wc: {key: res(f"emission/{key}.nc") for key in EMISSION_FIGURE_INPUTS[wc.efig]})
    output: figure_files("{efig}", EMISSION["figures"]["format"], "../report/emission.rst", "Paper E")
    log: res("logs/emission/figure_{efig}.log")
    params:
        figures=EMISSION["figures"],
        physics=EMISSION["physics"],
        outdir=lambda wildcards, output: os.path.dirname(output[0]),
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=10
    script: "../scripts/emission_figure.py"


localrules: all, emission_aggregate, emission_fig3_data, emission_figure

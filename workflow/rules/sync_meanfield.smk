# Paper S, thermodynamic limit: mean-field grids and sweeps (NetCDF) -> Figs. S1d-g, S2, S14, S15.

SMF = config["sync_meanfield"]
SMF_COMMON = {k: SMF[k] for k in ("Gamma", "w", "t_final", "seed")}
# dataset -> figures drawn from it (plot function in nonrecip.sync.plot_meanfield)
SMF_FIGURES = {
    "S1d": ("phase_diagram", "plot_phase_diagram"),
    "S15": ("phase_diagram", "plot_amplitude_maps"),
    "S1efg": ("traces", "plot_phase_traces"),
    "S2a": ("chirality", "plot_chirality_diagram"),
    "S2b": ("hysteresis_Delta", "plot_hysteresis"),
    "S2c": ("hysteresis_J_imag", "plot_hysteresis"),
    "S14a": ("threshold", "plot_threshold"),
    "S14b": ("decoherence", "plot_decoherence"),
}
ALL_TARGETS += [res(f"figures/{fig}.{ext}") for fig in SMF_FIGURES for ext in SMF["format"]]


wildcard_constraints:
    smf_data="|".join(sorted({d for d, _ in SMF_FIGURES.values()})),
    smf_fig="|".join(SMF_FIGURES),


rule sync_meanfield_data:
    message: "mean field of paper S: {wildcards.smf_data}"
    output: res("sync_meanfield/{smf_data}.nc")
    log: res("logs/sync_meanfield/{smf_data}.log")
    params:
        kind=lambda wc: wc.smf_data,
        section=lambda wc: SMF[wc.smf_data],
        common=SMF_COMMON,
    threads: 2
    conda: CONDA_ENV
    resources: mem_mb=1500, runtime=20
    script: "../scripts/sync_meanfield_data.py"


rule sync_meanfield_figure:
    message: "paper S figure {wildcards.smf_fig} (mean field)"
    input: lambda wc: res(f"sync_meanfield/{SMF_FIGURES[wc.smf_fig][0]}.nc")
    output: figure_files("{smf_fig}", SMF["format"], "../report/sync_meanfield.rst", "Paper S")
    log: res("logs/sync_meanfield/figure_{smf_fig}.log")
    params: plot=lambda wc: SMF_FIGURES[wc.smf_fig][1]
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=1000, runtime=5
    script: "../scripts/sync_meanfield_figure.py"


localrules: sync_meanfield_figure

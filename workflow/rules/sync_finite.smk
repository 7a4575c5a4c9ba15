# Paper S at finite N: exact / cumulant steady states and spectra (NetCDF) -> Figs. S4-S7.

SFN = config["sync_finite"]
SFN_COMMON = {k: SFN[k] for k in ("Gamma", "w")}
SFN_DATA = ["observables_N", "observables_kappa", "spectra_J", "spectra_Delta", "comb"]
# figure -> (datasets, plot function in nonrecip.sync.plot_finite)
SFN_FIGURES = {
    "S4": (["observables_N"], "plot_S4"),
    "S5": (["observables_kappa"], "plot_S5"),
    "S6": (["spectra_J", "spectra_Delta"], "plot_S6"),
    "S7": (["comb"], "plot_S7"),
}
ALL_TARGETS += [res(f"figures/{fig}.{ext}") for fig in SFN_FIGURES for ext in SFN["format"]]


wildcard_constraints:
    sfn_data="|".join(SFN_DATA),
    sfn_fig="|".join(SFN_FIGURES),


rule sync_finite_data:
    message: "finite-N paper S: {wildcards.sfn_data}"
    output: res("sync_finite/{sfn_data}.nc")
    log: res("logs/sync_finite/{sfn_data}.log")
    params:
        kind=lambda wc: wc.sfn_data,
        section=lambda wc: SFN[wc.sfn_data],
        common=SFN_COMMON,
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=20
    script: "../scripts/sync_finite_data.py"


rule sync_finite_figure:
    message: "paper S figure {wildcards.sfn_fig} (finite N)"
    input: lambda wc: [res(f"sync_finite/{d}.nc") for d in SFN_FIGURES[wc.sfn_fig][0]]
    output: figure_files("{sfn_fig}", SFN["format"], "../report/sync_finite.rst", "Paper S")
    log: res("logs/sync_finite/figure_{sfn_fig}.log")
    params: plot=lambda wc: SFN_FIGURES[wc.sfn_fig][1]
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=1000, runtime=5
    script: "../scripts/sync_finite_figure.py"


localrules: sync_finite_figure

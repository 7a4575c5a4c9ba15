# Paper S under continuous monitoring: cumulant quantum trajectories (NetCDF) -> Figs. S8-S11.

from nonrecip.sync.trajectory_sweeps import dataset_kinds

STR = config["sync_trajectories"]
STR_DATA = dataset_kinds(STR)
STR_S10 = [f"S10_N{n}" for n in STR["fig_S10"]["N"]]
# figure -> (datasets, plot function in nonrecip.sync.plot_trajectories)
STR_FIGURES = {
    "S8": ([k for k in STR_DATA if k.startswith("S8_")], "plot_S8"),
    "S9": (["S9"], "plot_S9"),
    "S10": (["S10_rates"], "plot_S10"),
    "S11": (["S11"], "plot_S11"),
}
ALL_TARGETS += [res(f"figures/{fig}.{ext}") for fig in STR_FIGURES for ext in STR["format"]]


wildcard_constraints:
    str_data="|".join(STR_DATA),
    str_fig="|".join(STR_FIGURES),


rule sync_trajectories_data:
    message: "monitored trajectories of paper S: {wildcards.str_data}"
    output: res("sync_trajectories/{str_data}.nc")
    log: res("logs/sync_trajectories/{str_data}.log")
    params:
        kind=lambda wc: wc.str_data,
        section=STR,
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=1500, runtime=15
    script: "../scripts/sync_trajectories_data.py"


rule sync_trajectories_rates:
    message: "reversal rates vs N (Fig. S10)"
    input: [res(f"sync_trajectories/{k}.nc") for k in STR_S10]
    output: res("sync_trajectories/S10_rates.nc")
    log: res("logs/sync_trajectories/S10_rates.log")
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=1500, runtime=5
    script: "../scripts/sync_trajectories_rates.py"


rule sync_trajectories_figure:
    message: "paper S figure {wildcards.str_fig} (trajectories)"
    input: lambda wc: [res(f"sync_trajectories/{d}.nc") for d in STR_FIGURES[wc.str_fig][0]]
    output: figure_files("{str_fig}", STR["format"], "../report/sync_trajectories.rst", "Paper S")
    log: res("logs/sync_trajectories/figure_{str_fig}.log")
    params: plot=lambda wc: STR_FIGURES[wc.str_fig][1]
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=1500, runtime=5
    script: "../scripts/sync_trajectories_figure.py"


# cheap rules run on the submitting host under a cluster executor
localrules: sync_trajectories_rates, sync_trajectories_figure

# Claims of both papers checked on the computed data -> NetCDF table + HTML report item.

ALL_TARGETS += [res("claims.nc"), res("claims.html")]


rule claims:
    message: "checking the papers' claims on the computed data"
    input:
        fig3=res("emission/fig3.nc"),
        map_k0=res("emission/map_k0.nc"),
        fig4d=res("emission/fig4d.nc"),
        fig4bc=res("emission/fig4bc.nc"),
        phase_diagram=res("sync_meanfield/phase_diagram.nc"),
        observables_kappa=res("sync_finite/observables_kappa.nc"),
        observables_N=res("sync_finite/observables_N.nc"),
        spectra_J=res("sync_finite/spectra_J.nc"),
        reversal_rates=res("sync_trajectories/S10_rates.nc"),
    output:
        table=res("claims.nc"),
        html=report(res("claims.html"), caption="../report/claims.rst", category="Claims"),
    log: res("logs/claims.log")
    params:
        n_sites=config["emission"]["figures"]["fig4_N"],
        physics=config["emission"]["physics"],
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=5
    script: "../scripts/claims.py"


localrules: claims

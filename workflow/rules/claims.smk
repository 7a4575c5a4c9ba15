# Claims of both papers checked on the computed data -> NetCDF table + HTML report item.

ALL_TARGETS += [res("claims.nc"), res("claims.html")]


rule claims:
    message: "checking the papers' claims on the computed data"
    input: **{key: dataset_file(dataset) for key, dataset in registry.CLAIM_INPUTS.items()}
    output:
        table=res("claims.nc"),
        html=report(res("claims.html"), caption="../report/claims.rst", category="Claims"),
    log: res("logs/claims.log")
    params:
        N=config["emission"]["figures"]["fig4_N"],
        physics=canonical(config["emission"]["physics"]),
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=2000, runtime=5
    script: "../scripts/claims.py"


localrules: claims


ALL_TARGETS += [res("run_times.html")]


rule run_times:
    message: "run times of the heavy jobs"
    input: benchmark_records()
    output: report(res("run_times.html"), caption="../report/run_times.rst", category="Run times")
    log: res("logs/run_times.log")
    threads: 1
    conda: CONDA_ENV
    resources: mem_mb=500, runtime=5
    script: "../scripts/run_times.py"


localrules: run_times

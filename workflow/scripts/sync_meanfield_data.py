"""One mean-field dataset of paper S (phase diagram, traces, chirality, hysteresis, thresholds)."""
from nonrecip.io import write_dataset
from nonrecip.log import setup_logging
from nonrecip.runtime import limit_threads

limit_threads(snakemake.threads)
setup_logging(snakemake.log[0])
from nonrecip.sync.meanfield_sweeps import dataset_from_config  # noqa: E402

p = snakemake.params
ds = dataset_from_config(p.kind, p.section, p.common)
write_dataset(ds, snakemake.output[0], params={"kind": p.kind, **p.common, **p.section},
              solver="nonrecip.sync.meanfield_kernel (Dormand-Prince 5(4), early stopping)",
              tolerances={"rtol": 1e-7, "atol": 1e-10, "eps_fp": 1e-6, "lc_tol": 1e-5})

"""One finite-N dataset of paper S (observables vs N or kappa, spectra maps, comb)."""
from nonrecip.io import write_dataset
from nonrecip.log import setup_logging
from nonrecip.runtime import limit_threads

limit_threads(snakemake.threads)
setup_logging(snakemake.log[0])
from nonrecip.sync.finite_sweeps import dataset_from_config  # noqa: E402

p = snakemake.params
ds = dataset_from_config(p.kind, p.section, p.common)
write_dataset(ds, snakemake.output[0], params={"kind": p.kind, **p.common, **p.section},
              solver="nonrecip.sync exact (symmetric basis, q=0, PARDISO/SuperLU), cumulants K=2,4 "
                     "(LSODA + Newton), 2x2 QRT / exact q=-1 spectra",
              tolerances={"newton": 1e-12, "lsoda_rtol": 1e-8})

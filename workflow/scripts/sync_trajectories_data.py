"""One monitored-trajectory dataset of paper S (Figs. S8-S11)."""
from nonrecip.io import write_dataset
from nonrecip.log import setup_logging
from nonrecip.runtime import limit_threads

limit_threads(snakemake.threads)
setup_logging(snakemake.log[0])
from nonrecip.sync.trajectory_sweeps import dataset_from_config  # noqa: E402

p = snakemake.params
ds = dataset_from_config(p.kind, p.section)
write_dataset(ds, snakemake.output[0], params={"kind": p.kind, **p.section},
              solver=f"nonrecip.sync.trajectories (cumulant2): {ds.attrs['scheme']}",
              tolerances={"dt": p.section["dt"]})

"""Chirality-reversal rates vs N from the per-N trajectory ensembles (Fig. S10)."""
from nonrecip.io import read_dataset, write_dataset
from nonrecip.log import setup_logging
from nonrecip.runtime import limit_threads

limit_threads(snakemake.threads)
setup_logging(snakemake.log[0])
from nonrecip.sync.trajectory_sweeps import s10_rates  # noqa: E402

ds = s10_rates([read_dataset(path) for path in snakemake.input])
write_dataset(ds, snakemake.output[0], params={"inputs": list(snakemake.input)},
              solver="nonrecip.sync.chirality_reversals (windowed circular average, spec S §10)",
              tolerances={})

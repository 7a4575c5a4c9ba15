"""Draw one monitored-trajectory figure of paper S from its dataset(s)."""
from nonrecip.io import read_dataset
from nonrecip.log import setup_logging
from nonrecip.sync import plot_trajectories

setup_logging(snakemake.log[0])
datasets = [read_dataset(path) for path in snakemake.input]
getattr(plot_trajectories, snakemake.params.plot)(*datasets, outputs=list(snakemake.output))

"""Draw one mean-field figure of paper S from its dataset."""
from nonrecip.io import read_dataset
from nonrecip.log import setup_logging
from nonrecip.sync import plot_meanfield

setup_logging(snakemake.log[0])
getattr(plot_meanfield, snakemake.params.plot)(read_dataset(snakemake.input[0]), list(snakemake.output))

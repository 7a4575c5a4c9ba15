"""One registry figure: its family's plot function on the input datasets -> PNG/PDF."""
from importlib import import_module

from nonrecip.io import read_dataset
from nonrecip.log import setup_logging

setup_logging(snakemake.log[0])
figures = import_module(f"nonrecip.pipeline.figures.{snakemake.params.family}")
from nonrecip.pipeline.figures.style import save_figure  # noqa: E402

datasets = [read_dataset(path) for path in snakemake.input]
fig = figures.PLOTS[snakemake.params.plot](*datasets, **snakemake.params.kwargs)
save_figure(fig, snakemake.output)

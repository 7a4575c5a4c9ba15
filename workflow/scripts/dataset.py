"""One registry dataset: call its family's builder with the job's parameters -> NetCDF."""
from importlib import import_module

from nonrecip.io import read_dataset, write_dataset
from nonrecip.log import setup_logging
from nonrecip.runtime import limit_threads

limit_threads(snakemake.threads)
setup_logging(snakemake.log[0])
p = snakemake.params
build = import_module(f"nonrecip.pipeline.sweeps.{p.family}").BUILDERS[p.builder]
ds = build(*[read_dataset(path) for path in snakemake.input], **p.kwargs)
write_dataset(ds, snakemake.output[0], params=p.kwargs)

"""Coupling matrices of one chunk of grid points -> NetCDF."""
from nonrecip.io import write_dataset
from nonrecip.log import setup_logging
from nonrecip.pipeline.sweeps.emission import couplings_chunk
from nonrecip.runtime import limit_threads

limit_threads(snakemake.threads)
setup_logging(snakemake.log[0])
p = snakemake.params
ds = couplings_chunk(p.points, coupling=p.coupling, physics=p.physics)
write_dataset(ds, snakemake.output[0], params=dict(points=p.points, coupling=p.coupling, physics=p.physics))

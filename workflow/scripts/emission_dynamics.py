"""Emission dynamics of one chunk of grid points -> NetCDF."""
import json

from nonrecip.io import read_dataset, write_dataset
from nonrecip.log import setup_logging
from nonrecip.pipeline.grids import time_grid
from nonrecip.pipeline.sweeps.emission import dynamics_chunk
from nonrecip.runtime import limit_threads

limit_threads(snakemake.threads)
setup_logging(snakemake.log[0])
p = snakemake.params
couplings = read_dataset(snakemake.input[0])
ds = dynamics_chunk(couplings, times=time_grid(p.times), solver=p.solver)
params = {**p.times, "points": json.loads(couplings.attrs["params"])["points"], "solver": p.solver}
write_dataset(ds, snakemake.output[0], params=params)

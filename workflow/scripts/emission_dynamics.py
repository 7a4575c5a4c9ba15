"""Emission dynamics of one chunk of grid points -> NetCDF."""
from nonrecip.emission.sweep import dynamics_chunk, time_grid
from nonrecip.io import read_dataset, write_dataset
from nonrecip.log import setup_logging
from nonrecip.runtime import limit_threads

limit_threads(snakemake.threads)
setup_logging(snakemake.log[0])
p = snakemake.params
couplings = read_dataset(snakemake.input[0])
ds = dynamics_chunk(couplings, times=time_grid(p.sweep), solver=p.solver)
params = {**p.sweep, "points": couplings.attrs["params"], "solver": p.solver}
write_dataset(ds, snakemake.output[0], params=params, solver=p.solver["method"],
              tolerances={k: p.solver[k] for k in ("rtol", "atol", "ode_method")})

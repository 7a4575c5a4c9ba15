"""Fig. E3 data: R_1, R_2 of two qubits for several J^a (closed equations + QuTiP reference)."""
from nonrecip.io import write_dataset
from nonrecip.log import setup_logging
from nonrecip.pipeline.sweeps.emission_fig3 import fig3_dataset

setup_logging(snakemake.log[0])
ds = fig3_dataset(**snakemake.params.kwargs)
write_dataset(ds, snakemake.output[0], params=snakemake.params.kwargs)

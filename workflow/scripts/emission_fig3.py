"""Fig. E3 data: R_1, R_2 of two qubits for several J^a (closed equations + QuTiP reference)."""
from nonrecip.emission.figures_data import fig3_dataset
from nonrecip.io import write_dataset
from nonrecip.log import setup_logging

setup_logging(snakemake.log[0])
fig3 = snakemake.params.fig3
ds = fig3_dataset(**fig3)
write_dataset(ds, snakemake.output[0], params=fig3, solver="pair-equations/DOP853 + qutip.mesolve/adams",
              tolerances={"rtol": 1e-10, "atol": 1e-12})

"""Combine the chunks of one sweep into a dataset with one dimension per swept parameter."""
import json

from nonrecip.emission.sweep import aggregate_chunks
from nonrecip.io import read_dataset, write_dataset
from nonrecip.log import setup_logging

setup_logging(snakemake.log[0])
chunks = [read_dataset(path) for path in snakemake.input]
ds = aggregate_chunks(chunks)
write_dataset(ds, snakemake.output[0], params=dict(snakemake.params.sweep), solver=chunks[0].attrs["solver"],
              tolerances=json.loads(chunks[0].attrs["solver_tolerances"]))

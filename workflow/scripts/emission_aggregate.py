"""Combine the chunks of one sweep into a dataset with one dimension per swept parameter."""
from nonrecip.io import read_dataset, write_dataset
from nonrecip.log import setup_logging
from nonrecip.pipeline.sweeps.emission import aggregate_chunks, check_chunk_coverage

setup_logging(snakemake.log[0])
chunks = [read_dataset(path) for path in snakemake.input]
check_chunk_coverage(chunks, snakemake.params.sweep, list(snakemake.input))
ds = aggregate_chunks(chunks)
write_dataset(ds, snakemake.output[0], params=dict(snakemake.params.sweep))

"""Table of the heavy jobs' run times (Snakemake benchmark records) -> HTML report item."""
from pathlib import Path

from nonrecip.log import setup_logging
from nonrecip.pipeline.run_times import run_times_html

setup_logging(snakemake.log[0])
Path(snakemake.output[0]).write_text(run_times_html(list(snakemake.input), snakemake.params.root))

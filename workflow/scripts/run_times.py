"""Table of the heavy jobs' run times (Snakemake benchmark records) -> HTML report item."""
import os
from pathlib import Path

from nonrecip.log import setup_logging
from nonrecip.pipeline.run_times import run_times_html

setup_logging(snakemake.log[0])
paths = list(snakemake.input)
root = os.path.commonpath([os.path.dirname(p) for p in paths])  # <results>/benchmarks for a full run
Path(snakemake.output[0]).write_text(run_times_html(paths, root))

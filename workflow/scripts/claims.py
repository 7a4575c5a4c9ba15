"""Evaluate the papers' claims on the computed data: NetCDF table + HTML report item."""
from pathlib import Path

from nonrecip.io import write_dataset
from nonrecip.log import get_logger, setup_logging
from nonrecip.pipeline.claims import claims_html, claims_markdown, evaluate_claims

setup_logging(snakemake.log[0])
p = snakemake.params
ds = evaluate_claims(dict(snakemake.input), N=p.N, physics=p.physics)
get_logger("claims").info("\n%s", claims_markdown(ds))
write_dataset(ds, snakemake.output.table, params={"N": p.N, "physics": p.physics})
Path(snakemake.output.html).write_text(claims_html(ds))

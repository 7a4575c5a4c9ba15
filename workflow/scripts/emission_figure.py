"""Draw one paper-E figure from the aggregated datasets."""
from nonrecip.emission.plots import draw_emission_figure
from nonrecip.log import setup_logging

setup_logging(snakemake.log[0])
draw_emission_figure(snakemake.wildcards.efig, dict(snakemake.input), snakemake.params.outdir,
                     figures=snakemake.params.figures, physics=snakemake.params.physics)

# nonrecip — regenerate every figure of papers E and S from the physics.
#
#   snakemake --workflow-profile workflow/profiles/default            # default config
#   snakemake --configfile config/test/tiny.yaml ...                   # tiny test config
#
# The configuration is validated against workflow/schemas/config.schema.yaml (defaults filled
# in from the schema) before any job is scheduled.

import os
import sys

from nonrecip.pipeline.config import ConfigError, validate_config


configfile: "config/config.yaml"


try:
    _validated = validate_config(config, os.path.join(workflow.basedir, "workflow", "schemas", "config.schema.yaml"))
except ConfigError as err:
    sys.stderr.write(f"nonrecip: {err}\n")
    sys.exit(1)
config.clear()
config.update(_validated)


if workflow.is_main_process:  # not again inside every cluster job
    from nonrecip.checksums import mismatches

    _changed = mismatches(config["results_dir"])
    if _changed:
        sys.stderr.write("nonrecip: these results no longer match the checksum written with them (replaced or "
                         "corrupted after they were made); delete them, and what was made from them, to "
                         "recompute:\n  " + "\n  ".join(_changed) + "\n")
        sys.exit(1)


include: "workflow/rules/common.smk"


rule all:
    message:
        "nonrecip: every figure of the configured sweeps"
    input:
        lambda wildcards: ALL_TARGETS,
    default_target: True


include: "workflow/rules/emission.smk"
include: "workflow/rules/emission_large.smk"
include: "workflow/rules/emission_systems.smk"
include: "workflow/rules/sensing.smk"
include: "workflow/rules/sync.smk"
include: "workflow/rules/claims.smk"

"""Dataset builders of the workflow: one function per dataset family, NetCDF-ready results."""

"""Figures of both papers drawn from the workflow's datasets (matplotlib lives only here)."""

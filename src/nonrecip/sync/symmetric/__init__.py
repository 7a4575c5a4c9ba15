"""Exact finite-N method of paper S in the permutation-symmetric (collective) basis."""

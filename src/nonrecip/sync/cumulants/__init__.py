"""Cumulant expansions of paper S: moment labels, closure, hierarchy and steady states."""

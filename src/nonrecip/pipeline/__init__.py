"""The pipeline layer: configuration and its checks, sweep drivers, claims, figures.

Nothing in :mod:`nonrecip.emission` or :mod:`nonrecip.sync` imports from here.
"""

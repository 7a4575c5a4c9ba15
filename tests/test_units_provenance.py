"""Provenance comes from the computation: method, options and physics overrides reach the datasets."""

import json

import numpy as np

from nonrecip.pipeline.sweeps.emission import aggregate_chunks, couplings_chunk, dynamics_chunk

POINTS = [{"N": 2, "k0": 0.1, "spacing_nm": 20.0, "distance_nm": 0.0}]
COUPLING = {"model": "auto", "f_J": 1.0, "include_near_field": True}
SOLVER = {"method": "blocks", "blocks": {"tol": 1e-9, "max_memory_gb": 1.0}}


def test_physics_overrides_and_solver_options_reach_the_aggregate():
    couplings = couplings_chunk(POINTS, coupling=COUPLING, physics={"field_gauss": 380.0})
    couplings.attrs["params"] = json.dumps({"points": POINTS})
    dyn = dynamics_chunk(couplings, times=np.linspace(0, 1, 5), solver=SOLVER)
    out = aggregate_chunks([dyn])
    assert json.loads(out.attrs["coupling_options"])["physics"] == {"field_gauss": 380.0}
    assert out.attrs["method"] == "blocks"
    assert json.loads(out.attrs["method_options"])["tol"] == 1e-9  # the value used, not a script literal
    # a different field gives different couplings: the override really was applied
    plain = couplings_chunk(POINTS, coupling=COUPLING, physics={})
    assert abs(float(plain["lambda1_nm"][0]) - float(couplings["lambda1_nm"][0])) > 1e-6

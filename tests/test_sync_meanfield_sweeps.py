"""Figure-family drivers of the paper-S mean field: Fig. S2 classes, hysteresis, thresholds, config."""

import numpy as np
import pytest

from nonrecip.pipeline.config import ConfigError, validate_config
from nonrecip.io import check_labelled
from nonrecip.pipeline import registry
from nonrecip.pipeline.sweeps.sync_meanfield import (BUILDERS, CHIRALITY_CLASSES, chirality_diagram,
                                            decoherence_scan, hysteresis_sweep, kappa_threshold, threshold_scan)

SCHEMA = "workflow/schemas/config.schema.yaml"


def test_chirality_classes_kappa_half_and_zero():
    """docs/theory/sync.md#explicit-pt-breaking: κ = 0.5 has coexisting, unique and unlocked regions; κ = 0 has no unique chirality."""
    J, D = [1.0, 2.0], [0.0, 0.4, 0.9, 1.2]
    c = chirality_diagram(0.5, J, D, t_final=1000.0).chirality_class.isel(kappa=0)
    name = lambda v: CHIRALITY_CLASSES[int(v)]  # noqa: E731
    assert [name(v) for v in c.sel(J=1.0).values] == ["coexisting_chiralities", "unique_chirality",
                                                      "unsynchronized", "unsynchronized"]
    assert [name(v) for v in c.sel(J=2.0).values] == ["coexisting_chiralities", "coexisting_chiralities",
                                                      "unique_chirality", "unsynchronized"]
    c0 = chirality_diagram(0.0, J, D, t_final=1000.0).chirality_class
    assert CHIRALITY_CLASSES.index("unique_chirality") not in c0.values


def test_hysteresis_im_J():
    """The −π/2 branch survives up to Im J ≈ 0.45, then jumps; the down sweep stays on the + branch."""
    h = hysteresis_sweep("J_imag", np.linspace(0, 1.0, 11), kappa=0.5, J=1.0, t_step=400.0)
    check_labelled(h)
    up = h.frequency.sel(direction="up")
    down = h.frequency.sel(direction="down")
    assert up.sel(branch=1).isel(J_imag=4) < 0 < up.sel(branch=1).isel(J_imag=6)
    assert (down.sel(branch=1) > 0).all()
    np.testing.assert_allclose(up.sel(branch=0), down.sel(branch=0), atol=1e-4)


def test_threshold_scan_and_decoherence_follow_eq31():
    kc = float(kappa_threshold(0.3, w=1.2))
    np.testing.assert_allclose(kc, np.sqrt(0.2 ** 2 + 0.3 ** 2), rtol=1e-12)
    s = threshold_scan([kc - 0.02, kc + 0.05], [0.3], t_final=2000.0).isel(J=0, ic=0)
    assert float(s.abs_s_A[0]) < 1e-6 < 1e-2 < float(s.abs_s_A[1])
    d = decoherence_scan([0.0, 0.1, 0.14], kappa=0.0, J=1.0, t_final=1000.0)
    check_labelled(d)
    amp = d.abs_s_A.isel(ic=0)
    np.testing.assert_allclose(amp.sel(channel="damping", rate=0.0), np.sqrt(0.125), atol=1e-5)
    # damping γ: z0 = (w−γ)/(w+γ), TW disappears where Γz0 = w + γ, i.e. γ ≈ 0.118 for w = 0.5
    assert float(amp.sel(channel="damping", rate=0.1)) > 1e-2 > 1e-6 > float(amp.sel(channel="damping", rate=0.14))
    assert float(amp.sel(channel="dephasing", rate=0.14)) > 1e-2


def test_config_section_defaults_checks_and_tiny_datasets():
    cfg = validate_config({"sync_meanfield": {"t_final": 50.0}}, SCHEMA)["sync_meanfield"]
    assert cfg["phase_diagram"]["kappa"] == {"start": -1.0, "stop": 1.0, "num": 101}
    with pytest.raises(ConfigError, match="phase_diagram.kappa"):
        validate_config({"sync_meanfield": {"phase_diagram": {"kappa": [-1.5, 0.5]}}}, SCHEMA)
    with pytest.raises(ConfigError, match="hysteresis_Delta.values"):
        validate_config({"sync_meanfield": {"hysteresis_Delta": {"values": [0.5, 0.1]}}}, SCHEMA)
    with pytest.raises(ConfigError, match="unknown key"):
        validate_config({"sync_meanfield": {"phase_diagram": {"kapa": [0.1]}}}, SCHEMA)
    small = {"phase_diagram": {"kappa": [0.5], "J": [0.2, 2.0]}, "traces": {**cfg["traces"], "t_start": 20.0, "t_end": 25.0},
             "chirality": {**cfg["chirality"], "Delta": [0.0], "J": [1.0], "t_final": 50.0},
             "hysteresis_Delta": {**cfg["hysteresis_Delta"], "values": [0.0, 0.5], "t_step": 20.0},
             "hysteresis_J_imag": {**cfg["hysteresis_J_imag"], "values": [0.0, 0.5], "t_step": 20.0},
             "threshold": {**cfg["threshold"], "kappa": [0.5]}, "decoherence": {**cfg["decoherence"], "rates": [0.1]}}
    full = validate_config({"sync_meanfield": {**small, "t_final": 50.0}}, SCHEMA)
    jobs = [job for job in registry.datasets(full).values() if job.family == "sync_meanfield"]
    assert sorted(job.name for job in jobs) == sorted(small)
    for job in jobs:
        check_labelled(BUILDERS[job.builder](**job.params))

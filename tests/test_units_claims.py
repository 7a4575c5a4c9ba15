"""Claims evaluation on planted data: each outcome (confirmed, differs, fails) is reached as stated."""

import numpy as np
import pytest
import xarray as xr

from nonrecip.pipeline.claims import OUTCOMES, Claim, claims_dataset, claims_html, claims_markdown
from nonrecip.pipeline.claims.emission import emission_claims


def _grid(k0, N, values):
    """A sweep-shaped dataset: max_abs_delta and mirror_residual on (N, k0, spacing_nm, distance_nm)."""
    v = np.asarray(values, dtype=float).reshape(len(N), len(k0), 1, 1)
    return xr.Dataset(
        {"max_abs_delta": (("N", "k0", "spacing_nm", "distance_nm"), v),
         "mirror_residual": (("N", "k0", "spacing_nm", "distance_nm"), np.zeros_like(v))},
        coords={"N": N, "k0": k0, "spacing_nm": [20.0], "distance_nm": [0.0]},
    )


def _fig3(deviation):
    t = np.linspace(0, 6, 61)
    rate = np.stack([np.exp(-t) + deviation, np.exp(-t)])[None, ...]
    return xr.Dataset({"rate": (("J_a_over_gamma_s", "site", "time"), rate),
                       "rate_uncorrelated": ("time", np.exp(-t))},
                      coords={"J_a_over_gamma_s": [1.0], "site": [1, 2], "time": t})


def _claims(peak_k0, fig4d_peaks, fig3_deviation=0.0):
    k0 = [0.0, 0.001, 0.003, 0.01, 0.03]
    map_k0 = _grid(k0, [9], [[0.0 if k != peak_k0 else 2.0 for k in k0[:-1]] + [1.0 if peak_k0 != 0.03 else 3.0]])
    fig4d = _grid([0.3], [5, 7, 9], np.reshape(fig4d_peaks, (3, 1)))
    fig4bc = _grid([0.0, 0.003], [9], [[0.0, 1.0]])
    out = emission_claims(fig3=_fig3(fig3_deviation), map_k0=map_k0, fig4d=fig4d, fig4bc=fig4bc, N=9)
    return {c.key: c for c in out}


def test_paper_values_are_confirmed_and_the_burst_threshold_differs():
    c = _claims(peak_k0=0.003, fig4d_peaks=[0.1, 0.2, 0.3])
    assert c["k0_max_asymmetry"].outcome == "confirmed" and c["k0_max_asymmetry"].value == 0.003
    assert c["asymmetry_grows_with_N"].outcome == "confirmed"
    assert c["mirror_k0_zero"].outcome == "confirmed"
    assert c["fig3c_isolated"].outcome == "confirmed"
    burst = c["k0_burst_loss"]  # computed from the couplings at N = 9: 0.144, the paper reads ~0.2
    assert burst.outcome == "differs"
    assert burst.value == pytest.approx(0.144, abs=1e-3)
    assert burst.paper_value == "~0.2" and "burst criterion" in burst.reason


def test_planted_failures_fail():
    c = _claims(peak_k0=0.03, fig4d_peaks=[0.3, 0.2, 0.1], fig3_deviation=1e-3)
    assert c["k0_max_asymmetry"].outcome == "fails" and c["k0_max_asymmetry"].value == 0.03
    assert c["asymmetry_grows_with_N"].outcome == "fails"
    assert c["fig3c_isolated"].outcome == "fails"
    assert c["fig3c_isolated"].value == pytest.approx(1e-3)


def test_a_difference_must_state_the_paper_value_and_reason():
    with pytest.raises(ValueError, match="paper_value and reason"):
        Claim("E", "x", "statement", 1.0, "expectation", "differs")
    with pytest.raises(ValueError, match="outcome"):
        Claim("E", "x", "statement", 1.0, "expectation", "passed")


def test_table_and_reports_count_each_outcome():
    claims = [Claim("E", "a", "s", 1.0, "e", "confirmed"),
              Claim("E", "b", "s", 2.0, "e", "differs", paper_value="3", reason="because"),
              Claim("S", "c", "s", 3.0, "e", "fails")]
    ds = claims_dataset(claims)
    assert [str(o) for o in ds["outcome"].values] == list(OUTCOMES)
    assert (ds.attrs["n_confirmed"], ds.attrs["n_differs"], ds.attrs["n_fails"]) == (1, 1, 1)
    md = claims_markdown(ds)
    assert md.startswith("1 of 3 claims confirmed, 1 differ") and "paper: 3; ours differs because because" in md
    html = claims_html(ds)
    assert html.count("<tr style") == 3 and "FAILS" in html and "DIFFERS" in html

"""Fig. E3 data: two qubits from the closed pair equations, with QuTiP as a check."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import xarray as xr

from nonrecip.emission.dynamics import PairOptions, QutipOptions, emission_dynamics, pair_emission_rates

__all__ = ["fig3_dataset", "BUILDERS"]


def fig3_dataset(*, gamma_s: float = 0.9, J_a_over_gamma_s=(0.0, 0.2, 1.0, 4.0), t_max: float = 6.0,
                 n_times: int = 241) -> xr.Dataset:
    """R_1(t), R_2(t) of paper E Fig. 3: closed Eqs. (22)–(26), (29) and QuTiP as a check.

    J_12 = i J^a, γ_12 = γ^s (J^s = γ^a = 0), γ0 = 1, from |ee⟩.
    """
    times = np.linspace(0.0, t_max, n_times)
    closed, reference = PairOptions(), QutipOptions(rtol=1e-10, atol=1e-12)
    ratios = np.asarray(J_a_over_gamma_s, dtype=float)
    pair, ref = [], []
    for r in ratios:
        ja = r * gamma_s
        pair.append(pair_emission_rates(ja, gamma_s, times, rtol=closed.rtol, atol=closed.atol).T)
        J = np.array([[0, 1j * ja], [-1j * ja, 0]])
        g = np.array([[1.0, gamma_s], [gamma_s, 1.0]])
        ref.append(emission_dynamics(J, g, times, method="qutip", options=reference)["rate"].values)
    pair, ref = np.array(pair), np.array(ref)
    site = {"units": "1", "long_name": "qubit index alpha (1 = left)"}
    return xr.Dataset(
        {
            "rate": (("J_a_over_gamma_s", "site", "time"), pair,
                     {"units": "gamma0", "long_name": "emission rate R_alpha / gamma0 (Eqs. 22-26, 29)"}),
            "rate_qutip": (("J_a_over_gamma_s", "site", "time"), ref,
                           {"units": "gamma0", "long_name": "emission rate R_alpha / gamma0 (QuTiP mesolve)"}),
            "rate_uncorrelated": (("time",), np.exp(-times),
                                  {"units": "gamma0", "long_name": "isolated qubit exp(-gamma0 t)"}),
            "max_deviation": ((), float(np.abs(pair - ref).max()),
                              {"units": "gamma0", "long_name": "max |closed equations - QuTiP|"}),
        },
        coords={
            "J_a_over_gamma_s": ("J_a_over_gamma_s", ratios, {"units": "1", "long_name": "J^a_12 / gamma^s_12"}),
            "site": ("site", [1, 2], site),
            "time": ("time", times, {"units": "1/gamma0", "long_name": "time gamma0 t"}),
        },
        attrs={"gamma_s": gamma_s, "method": "pair (reference: qutip)",
               "method_options": json.dumps({"pair": asdict(closed), "qutip": asdict(reference)}, sort_keys=True)},
    )


#: dataset builders of :func:`nonrecip.pipeline.registry.datasets`, called with the job's params
BUILDERS = {"fig3": fig3_dataset}

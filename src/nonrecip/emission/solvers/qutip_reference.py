"""Reference solver: QuTiP ``mesolve`` of the emission master equation on the full 2^N space."""

from __future__ import annotations

import math

import numpy as np

from nonrecip.emission.solvers.errors import SolverFailure

__all__ = ["qutip_correlations"]


def _full_space_state(initial, n):
    """The density matrix of an :class:`~nonrecip.emission.initial.InitialState` on the 2^N space (QuTiP order)."""
    from nonrecip.emission.initial import manifold_basis

    dim = 2 ** n
    rho = np.zeros((dim, dim), dtype=complex)
    for m, F in initial.factors.items():
        index = (2 ** (n - manifold_basis(n, m))).sum(axis=1) if m else np.zeros(1, dtype=np.int64)
        rho[np.ix_(index, index)] += F @ F.conj().T
    return rho


def qutip_correlations(J, gamma, times, *, rtol, atol, ode_method, max_steps, initial=None):
    """C_αβ(t) from QuTiP mesolve with CSR operators (docs/theory/emission.md#verification: 'Dia' is 10-100x slower).

    ``initial`` is an :class:`~nonrecip.emission.initial.InitialState` (``None``: all qubits excited);
    site α is tensor factor α − 1 and ``basis(2, 1)`` is |e⟩.
    """
    import qutip as qt
    import scipy.sparse as sp

    n = J.shape[0]
    sm = qt.destroy(2).to("CSR")  # basis(2, 1) = |e>, destroy = sigma^-
    eye = qt.qeye(2).to("CSR")
    lower = [qt.tensor([sm if k == a else eye for k in range(n)]).to("CSR") for a in range(n)]
    H = 0.5 * sum(J[a, b] * lower[a].dag() * lower[b] for a in range(n) for b in range(n) if J[a, b] != 0)
    if not isinstance(H, qt.Qobj):
        H = 0 * lower[0].dag() * lower[0]
    rates, U = np.linalg.eigh(gamma)
    rates = np.where(rates < 1e-12, 0.0, rates)  # docs/theory/emission.md#master-equation: clip round-off negatives
    c_ops = [
        math.sqrt(r) * sum(np.conj(U[b, m]) * lower[b] for b in range(n))
        for m, r in enumerate(rates) if r > 0
    ]
    L = qt.liouvillian(H, c_ops).to("CSR")
    if initial is None:
        rho0 = qt.ket2dm(qt.tensor([qt.basis(2, 1)] * n)).to("CSR")
    else:
        rho0 = qt.Qobj(_full_space_state(initial, n), dims=[[2] * n, [2] * n]).to("CSR")
    # C = M @ vec(rho): one sparse row per (α, β) with Tr(σ⁺_α σ⁻_β ρ) = Σ_ij X_ij ρ_ji
    dim = 2 ** n
    rows = []
    for a in range(n):
        for b in range(n):
            X = (lower[a].dag() * lower[b]).data.as_scipy().tocoo()
            # column-stacked vec(rho)[j + i*dim]... qutip stacks columns: vec index = i + j*dim for rho_ij
            rows.append(sp.csr_matrix((X.data, (np.zeros_like(X.row), X.col + X.row * dim)), shape=(1, dim * dim)))
    M = sp.vstack(rows).tocsr()
    solver = qt.MESolver(L, options={"method": ode_method, "rtol": rtol, "atol": atol, "nsteps": max_steps,
                                     "progress_bar": False, "store_states": False})
    out = np.empty((len(times), n, n), dtype=complex)
    solver.start(rho0, times[0])
    for k, t in enumerate(times):
        try:
            state = rho0 if (k == 0 and t == times[0]) else solver.step(t)
        except Exception as err:  # qutip raises IntegratorException (a plain Exception)
            raise SolverFailure(
                f"qutip mesolve ({ode_method}, rtol={rtol}, atol={atol}, max_steps={max_steps}) failed "
                f"before t = {t:g}: {err}"
            ) from None
        vec = state.full().ravel(order="F")
        out[k] = (M @ vec).reshape(n, n)
    return out

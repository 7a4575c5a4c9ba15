"""Full-Hilbert-space QuTiP reference of docs/theory/sync.md Eq. (1) + Eq. (28) (microscopic rates).

Independent of the package: built from qutip operators only, used by the sync finite-N tests.
Convention (docs/theory/sync.md#conventions): basis(2, 0) = |e⟩, so qutip's sigmap/sigmam/sigmaz are σ^+, σ^-, σ^z.
"""

import numpy as np
import qutip as qt


def full_model(NA, NB, *, Gamma, kappa, J, Delta, w, gamma=0.0, gamma_phi=0.0):
    """Return (L, site) with L the full Liouvillian and site(op, k) the embedded operator."""
    n = NA + NB

    def site(op, k):
        ops = [qt.qeye(2)] * n
        ops[k] = op
        return qt.tensor(ops)

    sm, sz = qt.sigmam(), qt.sigmaz()
    SmA = sum(site(sm, k) for k in range(NA))
    SmB = sum(site(sm, k) for k in range(NA, n))
    SzA = 0.5 * sum(site(sz, k) for k in range(NA))
    SzB = 0.5 * sum(site(sz, k) for k in range(NA, n))
    H = Delta / 2 * (SzA - SzB) + 0.5j * (J * SmA.dag() * SmB - np.conj(J) * SmB.dag() * SmA)

    def D(X, Y):
        return qt.sprepost(X, Y.dag()) - 0.5 * qt.spre(Y.dag() * X) - 0.5 * qt.spost(Y.dag() * X)

    L = qt.liouvillian(H) + kappa * (D(SmA, SmB) + D(SmB, SmA)) + Gamma * (D(SmA, SmA) + D(SmB, SmB))
    for k in range(n):
        L += w * qt.lindblad_dissipator(site(qt.sigmap(), k))
        if gamma:
            L += gamma * qt.lindblad_dissipator(site(sm, k))
        if gamma_phi:
            L += gamma_phi / 2 * qt.lindblad_dissipator(site(sz, k))
    return L, site


def label_operator(site, NA, lab):
    """Π σ on distinct sites for a moment label (p, m, z of A on sites 0..; p, m, z of B from NA)."""
    op = None
    for (p, m, z), start in ((lab[:3], 0), (lab[3:], NA)):
        k = start
        for o, cnt in ((qt.sigmap(), p), (qt.sigmam(), m), (qt.sigmaz(), z)):
            for _ in range(cnt):
                s = site(o, k)
                op = s if op is None else op * s
                k += 1
    return op


def moment(rho, site, NA, a, b):
    """⟨Π σ⟩ on distinct sites: a = (p, m, z) on species A (sites 0..), b on B (sites NA..)."""
    op = label_operator(site, NA, tuple(a) + tuple(b))
    if op is None:
        return complex(rho.tr())
    return complex((op * rho).tr())

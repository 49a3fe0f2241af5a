"""Ad hoc Monte Carlo of ``invariance(..., ordered=True)`` on the benchmark design (issue 19).

The design of ``benchmarks/invariance.py`` (four language groups of 60, four five-point items;
scenarios ``none``, ``intercept``, ``loading``), fitted as ordinal items with both
``ordinal_identification`` choices. Per scenario and identification it prints how many datasets
were flagged (a step "does not hold"), refused (an answer category unused in some group, as
lavaan refuses) and fitted. The figures quoted in docs/methods/psychometrics.md come from

    PYTHONPATH=. python tests/reference/invariance/simulate_ordinal_verdict.py 100

(seed 20261202; a few minutes). Not a unit test and not part of ``benchmarks/coverage``.
"""

from __future__ import annotations

import sys


def main(reps: int, seed: int = 20261202) -> dict[str, dict[str, list[int]]]:
    """``{scenario: {identification: [flagged, refused, fitted]}}``."""
    import numpy as np
    from benchmarks.invariance import ITEMS, SCENARIOS, simulate

    from deliberval.analysis.cfa import invariance
    from deliberval.errors import AnalysisInputError

    gen = np.random.default_rng(seed)
    out: dict[str, dict[str, list[int]]] = {}
    for scenario in SCENARIOS:
        counts = {"lavaan": [0, 0, 0], "wu_estabrook": [0, 0, 0]}
        for _ in range(reps):
            df = simulate(gen, scenario)
            for ident, c in counts.items():
                try:
                    res = invariance(
                        df, ITEMS, across="language", ordered=True, ordinal_identification=ident
                    )
                except AnalysisInputError:
                    c[1] += 1
                    continue
                c[2] += 1
                c[0] += bool(res["verdict"].iloc[1:].str.contains("does not hold").any())
        out[scenario] = counts
        print(scenario, counts, flush=True)
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)

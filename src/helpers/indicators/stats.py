"""Small statistics used by the indicators: the Wilson score interval."""
from __future__ import annotations

import numpy as np

Z95 = 1.959963984540054


def wilson(successes, trials, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes out of n (vectorised). NaN where n is 0 or missing.

    8/10 -> (0.4902, 0.9433).
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        z2 = z * z
        denom = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
        low = np.clip(centre - half, 0, 1)
        high = np.clip(centre + half, 0, 1)
    bad = ~(n > 0)
    low[bad] = np.nan
    high[bad] = np.nan
    return low, high

"""Step 5: the indicator library (registry, computation, published files)."""
from .compute import compute_all, compute_indicator, earlier_periods, overview, write_indicators
from .registry import CATEGORY_LABELS, REGISTRY, Indicator, dictionary

__all__ = ["REGISTRY", "Indicator", "CATEGORY_LABELS", "compute_indicator", "compute_all", "write_indicators",
           "overview", "earlier_periods", "dictionary"]

"""Step 5's indicators: one registry, one module per family. Computing and protecting the cells is
``publication``'s job."""
from .registry import CATEGORY_LABELS, REGISTRY, Indicator, dictionary

__all__ = ["REGISTRY", "Indicator", "CATEGORY_LABELS", "dictionary"]

"""Systematisk uppföljning: helpers behind the notebooks, the pipeline and the report."""
import pandas as _pd

# Text columns keep pandas' string dtype, stored as Python strings rather than Arrow arrays: the work here is many
# small frames, where Arrow's conversions cost more than they save (the publication is computed in 7,6 s instead
# of 13,4 s on the demo; bench_publication.py measures it). Set once, for notebooks, the runner and the tests.
_pd.set_option("mode.string_storage", "python")

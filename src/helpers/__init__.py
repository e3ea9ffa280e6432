"""Systematisk uppföljning: helpers behind the notebooks, the pipeline and the report."""
import importlib.util
import sys

# Text columns keep pandas' string dtype, stored as Python strings rather than Arrow arrays: the work here is many
# small frames, where Arrow's conversions cost more than they save (the publication is computed in 7,6 s instead
# of 13,4 s on the demo; bench_publication.py measures it). Set once, for notebooks, the runner and the tests, the
# moment pandas is imported: importing helpers does not import pandas, so the runner's coordinator does not spend
# 0,4 s on a pandas it does not use.


def _configure(pandas) -> None:
    pandas.set_option("mode.string_storage", "python")


class _WhenPandasLoads:
    """An import hook that configures pandas right after it is imported, then removes itself."""

    def find_spec(self, name, path=None, target=None):
        if name != "pandas":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("pandas")
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_configure(module):
            exec_module(module)
            _configure(module)

        spec.loader.exec_module = exec_and_configure
        return spec


if "pandas" in sys.modules:
    _configure(sys.modules["pandas"])
elif not any(isinstance(f, _WhenPandasLoads) for f in sys.meta_path):
    sys.meta_path.insert(0, _WhenPandasLoads())

"""The error a report check raises; its message is Swedish and names what failed."""


class ReportCheckError(RuntimeError):
    """A rendered report that must not be published as it is (totals that do not add up, a privacy leak)."""

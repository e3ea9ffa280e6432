"""The synthetic demo municipality, Exempelkommun: raw exports as its source systems would write them."""
from .command import FAULT_LIST, FILES, cli_demo, generate, generate_period
from .people import luhn_ok

__all__ = ["FAULT_LIST", "FILES", "cli_demo", "generate", "generate_period", "luhn_ok"]

"""argparse in Swedish: its own texts ("usage:", "options", "show this help message and exit", the error
messages) are looked up through gettext, so they are swapped for Swedish ones while the parser is built and used.

A usage error raises ``UsageError`` instead of exiting, so the caller decides how to report it (text on stderr,
or JSON on stdout for commands run with --json).
"""
from __future__ import annotations

import argparse
import contextlib
import re

TEXTS = {
    "usage: ": "användning: ",
    "options": "flaggor",
    "optional arguments": "flaggor",
    "positional arguments": "argument",
    "show this help message and exit": "visa den här hjälpen och avsluta",
    "show program's version number and exit": "visa programmets version och avsluta",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
    "the following arguments are required: %s": "följande argument krävs: %s",
    "unrecognized arguments: %s": "okända argument: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ogiltigt val: %(value)r (välj bland %(choices)s)",
    "invalid choice: %(value)r, choose from %(choices)s": "ogiltigt val: %(value)r (välj bland %(choices)s)",
    "invalid %(type)s value: %(value)r": "ogiltigt värde: %(value)r (ska vara %(type)s)",
    "argument %(argument_name)s: %(message)s": "argumentet %(argument_name)s: %(message)s",
    "expected one argument": "ett värde saknas",
    "expected at most one argument": "högst ett värde får anges",
    "expected at least one argument": "minst ett värde krävs",
    "ambiguous option: %(option)s could match %(matches)s": "tvetydig flagga: %(option)s kan betyda %(matches)s",
    "not allowed with argument %s": "kan inte kombineras med %s",
    "one of the arguments %s is required": "ett av argumenten %s krävs",
    "ignored explicit argument %r": "värdet %r används inte",
    "can't open '%(filename)s': %(error)s": "kan inte öppna '%(filename)s': %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "okänt kommando %(parser_name)r (välj bland %(choices)s)",
    "unexpected option string: %s": "oväntad flagga: %s",
}
PLURALS = {("expected %s argument", "expected %s arguments"): ("%s värde krävs", "%s värden krävs")}
TYPE_NAMES = {"int": "ett heltal", "float": "ett tal", "Path": "en sökväg", "str": "text"}
_TYPE = re.compile(r"\(ska vara (\w+)\)")


class UsageError(Exception):
    """A command line that argparse cannot use; ``message`` is Swedish, ``usage`` the parser's usage line."""

    def __init__(self, message: str, usage: str, prog: str):
        super().__init__(message)
        self.message, self.usage, self.prog = message, usage, prog


def translate(text: str) -> str:
    return TEXTS.get(text, text)


def translate_plural(singular: str, plural: str, n: int) -> str:
    one, many = PLURALS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


@contextlib.contextmanager
def swedish():
    """Swedish argparse texts inside the block (argparse reads them through its module-level ``_``)."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = translate, translate_plural
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class SwedishParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise UsageError with a Swedish message (subparsers inherit it)."""

    def error(self, message: str):
        message = _TYPE.sub(lambda m: f"(ska vara {TYPE_NAMES.get(m.group(1), m.group(1))})", message)
        raise UsageError(message, self.format_usage(), self.prog)

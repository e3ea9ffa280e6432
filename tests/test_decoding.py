"""The lines of a file that may hold UTF-8 in a Windows-1252 file: every line with a lead byte followed by a
continuation byte, found as the pattern finds them one match at a time."""
import random
import re

from helpers.collect.decoding import _candidate_lines

PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def by_pattern(body: bytes, lines: list[bytes]) -> list[int]:
    found, start = [], 0
    for i, line in enumerate(lines):
        if PAIR.search(body, start, start + len(line)):
            found.append(i)
        start += len(line)
    return found


def test_the_lines_with_a_utf8_pair_are_those_the_pattern_finds():
    rng = random.Random(7)
    pieces = [b"a", b";", b"\n", b"\r\n", b"\r", b"\xc3", b"\xa5", b"\xc2", b"\xf4", b"\xf5", b"\xc1", b"\x80", b"\xbf",
              b"\xc0", b"\xff", "å".encode(), "å".encode("cp1252")]
    for _ in range(2000):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 80)))
        lines = body.splitlines(keepends=True)
        assert _candidate_lines(body, lines) == by_pattern(body, lines), body


def test_a_pair_split_by_a_line_end_is_not_one_and_the_last_line_counts():
    body = b"ab\xc3\nx\xa5\r\nok\nsista \xc3\xa5"
    lines = body.splitlines(keepends=True)
    assert _candidate_lines(body, lines) == [3]
    assert _candidate_lines(b"", []) == []

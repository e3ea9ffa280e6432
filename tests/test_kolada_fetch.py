"""`uppfoljning kolada hamta` against recorded Kolada answers served on 127.0.0.1 (never the real network): paging,
a retry after one failure, a clear Swedish message and exit 2 when Kolada cannot be reached."""
from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import threading
import time
from pathlib import Path

import pytest
import yaml

from helpers.cli import main
from helpers.comparison import build_comparison, read_snapshot
from helpers.comparison import fetch as fetch_module
from helpers.comparison.fetch import KoladaResponseError, fetch_snapshot
from helpers.config import load_config

RECORDED = Path(__file__).parent / "data" / "kolada"
DATA = "/v3/data/kpi/U31402,N31816/municipality/1111,2222,3333,0000/year/2021,2022,2023,2024,2025"
ROUTES = {DATA + "?per_page=5000": "data_sida1.json", DATA + "?page=2&per_page=5000": "data_sida2.json",
          "/v3/municipality/1111,2222,3333,0000?per_page=5000": "kommuner.json",
          "/v3/kpi/U31402,N31816?per_page=5000": "nyckeltal.json"}


class Kolada:
    """A local stand-in for api.kolada.se that answers with the recorded files."""

    def __init__(self):
        self.requests: list[str] = []
        self.fail_next: list[int] = []  # HTTP codes to answer the next requests with
        self.override: dict[str, str] = {}
        self.delay = 0.0  # seconds before answering
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests.append(self.path)
                time.sleep(owner.delay)
                if owner.fail_next:
                    self.send_error(owner.fail_next.pop(0))
                    return
                body = owner.override.get(self.path)
                if body is None and self.path in ROUTES:
                    body = (RECORDED / ROUTES[self.path]).read_text(encoding="utf-8")
                if body is None:
                    self.send_error(404)
                    return
                data = body.replace("{base}", owner.base).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def kolada(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    server = Kolada()
    yield server
    server.close()


@pytest.fixture
def pauses(monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr(fetch_module, "_pause", waited.append)
    return waited


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "provkommun.yml"
    path.write_text(yaml.safe_dump({
        "kommun": "Provkommun", "kommunkod": "1111", "enheter": [], "default_period": "2025",
        "jamforelse": {"kolada": {
            "fil": "kolada/provkommun.json",
            "jamforelsegrupp": {"namn": "Liknande kommuner", "kommuner": ["2222", "3333"]},
            "nyckeltal": [{"kpi": "U31402"}, {"kpi": "N31816"}]}}}, allow_unicode=True), encoding="utf-8")
    return path


def test_fetch_follows_the_pages_and_writes_a_snapshot_the_report_reads(kolada, pauses, config, capsys):
    code = main(["kolada", "hamta", "--config", str(config), "--api-url", f"{kolada.base}/v3"])
    assert code == 0, capsys.readouterr().err
    assert kolada.requests == list(ROUTES)  # both data pages, then names and titles
    assert pauses == []
    out = capsys.readouterr().out
    assert "Skrev 8 värden till" in out
    snapshot_path = config.parent / "kolada" / "provkommun.json"
    doc = json.loads(snapshot_path.read_text(encoding="utf-8"))
    assert doc["metadata"]["hamtad"] == dt.date.today().isoformat() and doc["metadata"]["syntetisk"] is False
    assert doc["metadata"]["sidor"] == 2 and doc["count"] == len(doc["values"]) == 6
    snap = read_snapshot(snapshot_path)
    names = dict(zip(snap.frame["municipality_id"], snap.frame["municipality_name"]))
    assert names == {"0000": "Riket", "1111": "Provkommun", "2222": "Grannkommun", "3333": "Annankommun"}
    c = build_comparison(load_config(config), "2025")
    waiting = c.frame.iloc[0]
    assert (waiting["municipality_value"], waiting["group_value"], waiting["country_value"]) == (14.0, 15.5, 16.5)
    long_term = c.frame.iloc[1]
    assert (long_term["year"], long_term["country_value"]) == ("2024", 1.2)  # the deleted 9.9 is left out
    assert "Senaste värde i Kolada-filen gäller 2024." in long_term["note"]


def test_one_failure_is_retried_after_a_pause(kolada, pauses):
    kolada.fail_next = [503]
    doc = fetch_snapshot(["U31402", "N31816"], ["1111", "2222", "3333", "0000"],
                         ["2021", "2022", "2023", "2024", "2025"], api_url=f"{kolada.base}/v3")
    assert pauses == [1.0]
    assert kolada.requests[:2] == [DATA + "?per_page=5000"] * 2
    assert len(doc["values"]) == 6


def test_offline_gives_a_clear_message_exit_2_and_keeps_the_old_file(config, pauses, capsys):
    with socket.socket() as s:  # a port on this machine that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    old = config.parent / "kolada" / "provkommun.json"
    old.parent.mkdir()
    old.write_text('{"values": []}', encoding="utf-8")
    code = main(["kolada", "hamta", "--config", str(config), "--api-url", f"http://127.0.0.1:{port}/v3"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"Fel: Kunde inte nå Kolada (127.0.0.1:{port}) efter 4 försök: anslutningen nekades." in err
    assert "Datorn verkar sakna kontakt med internet" in err and "Traceback" not in err
    assert pauses == [1.0, 2.0, 4.0]
    assert old.read_text(encoding="utf-8") == '{"values": []}'


def test_a_slow_answer_times_out(kolada, pauses):
    kolada.delay = 1.0
    with pytest.raises(fetch_module.KoladaUnavailable, match=r"efter 2 försök: inget svar inom 0\.2 s"):
        fetch_snapshot(["U31402"], ["1111"], ["2025"], api_url=f"{kolada.base}/v3", timeout=0.2, retries=1)
    assert pauses == [1.0]


def test_a_client_error_is_not_retried(kolada, pauses):
    with pytest.raises(KoladaResponseError, match="Kolada svarade HTTP 404"):
        fetch_snapshot(["U99999"], ["1111"], ["2025"], api_url=f"{kolada.base}/v3")
    assert pauses == [] and len(kolada.requests) == 1


def test_an_answer_that_cannot_be_read_is_not_written(kolada, pauses, config, capsys):
    bad = json.loads((RECORDED / "data_sida2.json").read_text(encoding="utf-8"))
    bad["values"][0]["values"][0]["gender"] = "X"
    kolada.override[DATA + "?page=2&per_page=5000"] = json.dumps(bad)
    code = main(["kolada", "hamta", "--config", str(config), "--api-url", f"{kolada.base}/v3"])
    assert code == 2
    err = capsys.readouterr().err
    assert "Kolada svarade med data som inte gick att läsa" in err and "gender: ska vara T, K eller M" in err
    assert not (config.parent / "kolada" / "provkommun.json").exists()


def test_more_than_25_ids_are_split_over_requests():
    asked = []

    def opener(url, timeout):
        asked.append(url)
        return b'{"values": []}'

    ids = [f"{i:04d}" for i in range(1, 27)]
    fetch_snapshot(["U31402"], ids, ["2025"], api_url="https://kolada.invalid/v3", opener=opener)
    data = [u for u in asked if "/data/" in u]
    assert len(data) == 2 and data[0].count(",") == 24 and "/municipality/0026/year/2025" in data[1]


def test_the_synthetic_demo_file_is_not_overwritten(capsys):
    assert main(["kolada", "hamta", "--api-url", "https://kolada.invalid/v3"]) == 2
    err = capsys.readouterr().err
    assert "exempelkommun_syntetisk.json är en syntetisk demofil" in err and "Ange --output" in err


def test_visa_shows_the_demo_comparison(capsys):
    assert main(["kolada", "visa", "--period", "2025"]) == 0
    out = capsys.readouterr().out
    assert "Exempelkommun (Kolada): 14,6" in out and "Syntetiska demodata, inte verkliga värden." in out

"""The many-users benchmark in small (bench/load.py): two headless-Chromium sessions ask the
real app, idle and while another process ingests; no error, every session answered. Timings
are printed by the full benchmark, not asserted."""

import importlib.util
import shutil
import sys

import pytest

from assistant.config import PROJECT_ROOT


def test_two_sessions_idle_and_during_an_ingestion(model_ready, tmp_path):
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        pytest.skip("chromium / chromedriver absents : apt-get install chromium chromium-driver")
    pytest.importorskip("selenium")
    spec = importlib.util.spec_from_file_location("load", PROJECT_ROOT / "bench" / "load.py")
    load = importlib.util.module_from_spec(spec)
    sys.modules["load"] = load  # its dataclasses look their module up
    spec.loader.exec_module(load)
    results = load.run(2, 25, ["idle", "ingestion"], cache=tmp_path / "vecteurs.sqlite")
    for name in ("idle", "ingestion"):
        assert results[name]["errors"] == 0, results[name]["error_examples"]
        assert results[name]["answers"] >= 2
    assert results["ingestion"]["ingestion_ok"] and results["ingestion"]["ingestion_added"] == 1
    assert "pendant une indexation" in load.table(results)

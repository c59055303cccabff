"""The scale benchmark in small (bench/scale.py): it runs end to end on a slice of the
11,920-article corpus, and an edited article re-encodes only its own passage. Timings are
printed by the full benchmark, not asserted."""

import importlib.util

import pytest

from assistant.config import PROJECT_ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("scale", PROJECT_ROOT / "bench" / "scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_scale_run(model_ready):
    scale = _bench()
    if not scale.ARTICLES.is_file():
        pytest.skip(f"{scale.ARTICLES} absent : banc d'essai à l'échelle sauté")
    result = scale.run(limit=40, n_questions=4)
    assert result["articles"] == 40 and result["passages"] >= 40
    assert result["failed"] == []
    assert result["edit_encoded"] == 1 and result["edit_reused"] >= 1
    assert result["edit_written"] == 1
    assert result["questions"] == 4 and result["rss_mb"] > 0 and result["served_rss_mb"] > 0
    table = scale.table(result)
    assert table.count("\n") == 11 and "≤ 1,15" in table

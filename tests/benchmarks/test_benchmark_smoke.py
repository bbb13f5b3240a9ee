"""The benchmark suite runs end to end at a tiny size and reports every figure.

Only that it runs and produces sane figures: speed is judged by the benchmarks themselves,
never by the tests. (No __init__.py here: a package named "benchmarks" under tests/
would shadow the real one.)
"""

from __future__ import annotations

import json
import math

import pytest

from benchmarks import registry
from benchmarks.cli import main

CUSTOMERS = 2_000


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("benchmarks")
    out = folder / "figures.json"
    status = main(
        [
            "--customers", str(CUSTOMERS),
            "--queries", "100",
            "--warmup", "10",
            "--unlock-runs", "1",
            "--cache-dir", str(folder / "cache"),
            "--json", str(out),
        ]
    )
    assert status == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _sane(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


@pytest.mark.slow
def test_every_figure_has_a_positive_value(result):
    run = result["runs"][str(CUSTOMERS)]
    expected = {figure.key for figure in registry.figures()}
    assert expected == {f["key"] for f in result["figures"]}
    assert expected <= set(run["figures"])
    for key in expected:
        assert _sane(run["figures"][key]), key


@pytest.mark.slow
def test_baseline_and_ratio_for_every_comparable_figure(result):
    run = result["runs"][str(CUSTOMERS)]
    for figure in registry.figures():
        if figure.has_baseline:
            assert _sane(run["baseline"][figure.key]), figure.key
            assert _sane(run["ratio"][figure.key]), figure.key


@pytest.mark.slow
def test_lookups_find_the_customers_they_were_drawn_from(result):
    hit_rate = result["runs"][str(CUSTOMERS)]["details"]["hit_rate"]
    assert set(hit_rate) == {"exact_phone", "last4", "name_prefix", "email_exact", "email_prefix", "card_code"}
    assert all(rate > 0.9 for rate in hit_rate.values()), hit_rate


@pytest.mark.slow
def test_every_target_gets_a_verdict(result):
    targeted = {figure.key for figure in registry.figures() if figure.target is not None}
    assert set(result["verdicts"]) == targeted
    assert all(v["verdict"] in ("pass", "MISS") for v in result["verdicts"].values())


def test_lookups_ask_for_a_page_of_the_results_list():
    from desktop.ui.customer_results_model import PAGE

    assert registry.RunOptions().limit == PAGE


@pytest.mark.slow
def test_the_synthetic_shop_has_history_and_the_sync_bundle_carries_it(result):
    run = result["runs"][str(CUSTOMERS)]
    history = run["shop"]["history"]
    assert history["loyalty_entries"] > CUSTOMERS / 2 and history["consents"] > 0 and history["calls"] > 0
    carried = run["details"]["sync"]["rows"]
    assert carried["loyalty_cards"] == CUSTOMERS
    assert (carried["loyalty_entries"], carried["consents"], carried["phone_calls"]) == (
        history["loyalty_entries"], history["consents"], history["calls"])
    assert run["details"]["sync"]["import_rejected"] == 0

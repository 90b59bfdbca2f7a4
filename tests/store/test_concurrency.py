"""Concurrent saves, from 20 threads and from 20 processes, on SQLite and PostgreSQL.

Nothing is lost and nothing is duplicated: every save either becomes exactly one new
version or is refused with :class:`ConflictError`, and version numbers run 1, 2, 3...
without gaps or repeats.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter

import pytest

from dashboard.store import ConflictError, ScenarioStore
from dashboard.store.database import database_url, engine_for
from tests.store.conftest import ANN, tiers_document

WORKERS = 20
MAX_ATTEMPTS = 200


def marked(worker: int):
    """A document that says which worker saved it (its PCN band's lower bound)."""
    return tiers_document(bands={"pcn": (20_000 + worker, 60_000)})


def worker_of(document) -> int:
    return document.bands["pcn"][0] - 20_000


def save_until_accepted(store, scenario_id: str, worker: int) -> tuple[int, int]:
    """Save from the latest version, retrying after each refusal; (version, refusals)."""
    refusals = 0
    for _ in range(MAX_ATTEMPTS):
        base = store.get(scenario_id, ANN).latest_version
        try:
            return store.save_version(
                scenario_id, marked(worker), ANN, base_version=base
            ).version, refusals
        except ConflictError:
            refusals += 1
    raise AssertionError(f"worker {worker} was refused {MAX_ATTEMPTS} times")


def save_once_from_version_1(store, scenario_id: str, worker: int) -> tuple[int, int]:
    """Everyone starts from version 1: one wins, the rest must be refused."""
    try:
        return store.save_version(scenario_id, marked(worker), ANN, base_version=1).version, 0
    except ConflictError as error:
        assert error.latest_version >= 2 and error.saved_by == "Ann Analyst"
        return 0, 1


def save_new_scenario(store, _scenario_id: str, worker: int) -> tuple[str, int]:
    return store.save_new(marked(worker), f"Scenario {worker:02d}", ANN).id, 0


ACTIONS = {
    "retry": save_until_accepted,
    "same_base": save_once_from_version_1,
    "new": save_new_scenario,
}


def _process_main(url, action, scenario_id, worker, barrier, results):
    # A fresh engine in the child: no connection is shared across the fork.
    store = ScenarioStore(engine_for(database_url(url)))
    try:
        barrier.wait(timeout=120)
        results.put((worker, ACTIONS[action](store, scenario_id, worker)))
    except BaseException as exc:  # reported to the parent, which fails the test
        results.put((worker, repr(exc)))
    finally:
        store.dispose()


def run_concurrently(kind: str, url: str, store, action: str, scenario_id: str) -> dict:
    """Run one action in WORKERS threads or processes released together."""
    if kind == "threads":
        barrier = threading.Barrier(WORKERS)
        results: dict = {}

        def body(worker: int) -> None:
            try:
                barrier.wait(timeout=120)
                results[worker] = ACTIONS[action](store, scenario_id, worker)
            except BaseException as exc:
                results[worker] = repr(exc)

        threads = [threading.Thread(target=body, args=(w,)) for w in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        return results
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WORKERS)
    queue = context.Queue()
    store.engine.dispose()  # children must not inherit open connections
    processes = [
        context.Process(target=_process_main, args=(url, action, scenario_id, w, barrier, queue))
        for w in range(WORKERS)
    ]
    for process in processes:
        process.start()
    results = dict(queue.get(timeout=300) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return results


def stored_versions(store, scenario_id: str) -> list[int]:
    return sorted(v.version for v in store.versions(scenario_id, ANN))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_twenty_concurrent_saves_each_become_exactly_one_version(store, database_url, kind):
    scenario = store.save_new(tiers_document(), "Contended", ANN)
    results = run_concurrently(kind, database_url, store, "retry", scenario.id)
    errors = {w: r for w, r in results.items() if isinstance(r, str)}
    assert not errors, errors
    won = sorted(version for version, _ in results.values())
    assert won == list(range(2, WORKERS + 2))  # each save got its own version number
    assert stored_versions(store, scenario.id) == list(range(1, WORKERS + 2))
    saved_by = Counter(
        worker_of(store.get_version(scenario.id, ANN, v).document) for v in range(2, WORKERS + 2)
    )
    assert saved_by == Counter(range(WORKERS))  # none lost, none duplicated
    assert store.get(scenario.id, ANN).latest_version == WORKERS + 1


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_twenty_saves_from_one_base_one_wins_the_rest_are_refused(store, database_url, kind):
    scenario = store.save_new(tiers_document(), "Contended", ANN)
    results = run_concurrently(kind, database_url, store, "same_base", scenario.id)
    assert not {w: r for w, r in results.items() if isinstance(r, str)}
    winners = [w for w, (version, _) in results.items() if version == 2]
    refused = [w for w, (_, refusals) in results.items() if refusals == 1]
    assert len(winners) == 1 and len(refused) == WORKERS - 1
    assert stored_versions(store, scenario.id) == [1, 2]
    assert worker_of(store.get_version(scenario.id, ANN, 2).document) == winners[0]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_twenty_different_scenarios_saved_at_once(store, database_url, kind):
    results = run_concurrently(kind, database_url, store, "new", "")
    assert not {w: r for w, r in results.items() if isinstance(r, str)}
    listed = store.list_scenarios(ANN)
    assert len(listed) == WORKERS and len({s.id for s in listed}) == WORKERS
    assert sorted(s.name for s in listed) == [f"Scenario {w:02d}" for w in range(WORKERS)]
    assert {s.id for s in listed} == {scenario_id for scenario_id, _ in results.values()}
    for summary in listed:
        document = store.get_version(summary.id, ANN).document
        assert summary.name == f"Scenario {worker_of(document):02d}"
        assert stored_versions(store, summary.id) == [1]

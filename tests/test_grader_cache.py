"""autograder.assignments.grader_cache: computed once per inputs, sources and machine; a damaged entry is computed
again."""

import pytest

from autograder.assignments import grader_cache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The cache in a scratch folder; the list of computations made."""
    monkeypatch.setattr(grader_cache.config, "path", lambda *parts: tmp_path.joinpath(*parts))
    source = tmp_path / "oracle.py"
    source.write_text("x = 1\n")
    made = []

    def value(inputs, result=1.5):
        def compute():
            made.append(inputs)
            return result

        return grader_cache.cached("value", inputs, [source], compute)

    return value, made, source, tmp_path


def test_computes_once_per_inputs(cache):
    value, made, _, _ = cache
    assert [value({"n": 1}), value({"n": 1}), value({"n": 2})] == [1.5, 1.5, 1.5]
    assert made == [{"n": 1}, {"n": 2}]


def test_a_changed_source_is_computed_again(cache):
    value, made, source, _ = cache
    value({"n": 1})
    source.write_text("x = 2\n")
    value({"n": 1})
    assert len(made) == 2


def test_a_damaged_entry_is_computed_again(cache):
    value, made, _, root = cache
    value({"n": 1})
    for entry in root.joinpath("cache", "grader").glob("*.json"):
        entry.write_text("{not json")
    assert value({"n": 1}, result=2.5) == 2.5
    assert len(made) == 2


def test_another_machine_computes_its_own(cache, monkeypatch):
    value, made, _, _ = cache
    value({"n": 1})
    here = grader_cache.machine()
    monkeypatch.setattr(grader_cache, "machine", lambda: [here[0], here[1][:-1], here[2], here[3]])
    value({"n": 1})
    assert len(made) == 2

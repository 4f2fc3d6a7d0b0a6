"""Hypothesis strategies for malformed submissions: bytes that are not JSON, JSON that is not a notebook, the
wrong nbformat, and real notebooks damaged or tampered with (cell ids missing or duplicated, cells of unknown
type, nbgrader metadata changed, locked cells deleted or edited, outputs of 100 MB)."""

import copy
import json

from hypothesis import strategies as st

from autograder import config

ASSIGNMENT = config.assignment("a2_q_learning")
"""The assignment whose release is damaged: the reader and the batch treat every assignment alike, and this one
grades without TensorFlow, so a damaged copy that is graded costs little."""
GRADE_IDS = [*ASSIGNMENT.setup_cells, *ASSIGNMENT.points, *(f"test_{function}" for function in ASSIGNMENT.points)]
HUGE_OUTPUT_BYTES = 100 * 2**20


def base():
    """The released notebook: every function a stub, so any point a damaged copy gets was given, not earned."""
    return json.loads(config.path("release", ASSIGNMENT.id, ASSIGNMENT.notebook).read_text())


def _cell_index():
    return st.integers(0, len(base()["cells"]) - 1)


_NBGRADER = st.fixed_dictionaries(
    {},
    optional={
        "grade": st.booleans(),
        "solution": st.booleans(),
        "locked": st.booleans(),
        "task": st.booleans(),
        "points": st.one_of(st.integers(-10, 10**6), st.floats(allow_nan=True), st.text(max_size=3), st.none()),
        "grade_id": st.one_of(st.sampled_from(GRADE_IDS), st.text(max_size=8), st.none(), st.integers()),
        "checksum": st.text(max_size=8),
        "schema_version": st.integers(0, 5),
    },
)

MUTATIONS = st.one_of(
    st.tuples(st.just("delete cell"), _cell_index()),
    st.tuples(st.just("delete graded cell"), st.sampled_from(GRADE_IDS)),
    st.tuples(
        st.just("edit graded cell"),
        st.sampled_from(GRADE_IDS),
        st.sampled_from(
            ["", "raise SystemExit", "import numpy as np\nnp.allclose = lambda *a, **k: True", "print(100)"]
        ),
    ),
    st.tuples(st.just("duplicate cell"), _cell_index()),
    st.tuples(st.just("delete id"), _cell_index()),
    st.tuples(st.just("same id everywhere"), st.text(max_size=4)),
    st.tuples(
        st.just("cell type"),
        _cell_index(),
        st.one_of(st.sampled_from(["raw", "heading", "", "code", "markdown"]), st.none(), st.integers()),
    ),
    st.tuples(
        st.just("source"),
        _cell_index(),
        st.one_of(st.none(), st.integers(), st.lists(st.integers(), max_size=3), st.text(max_size=40)),
    ),
    st.tuples(
        st.just("metadata"), _cell_index(), st.one_of(st.none(), st.text(max_size=4), st.lists(st.none(), max_size=2))
    ),
    st.tuples(st.just("nbgrader metadata"), _cell_index(), _NBGRADER),
    st.tuples(st.just("cell replaced"), _cell_index(), st.sampled_from(["not a cell", 1, None, [], {}])),
    st.tuples(
        st.just("outputs"),
        _cell_index(),
        st.one_of(
            st.none(),
            st.text(max_size=10),
            st.lists(st.dictionaries(st.text(max_size=3), st.text(max_size=3)), max_size=2),
        ),
    ),
    st.tuples(
        st.just("notebook metadata"),
        st.one_of(
            st.none(),
            st.text(max_size=4),
            st.dictionaries(
                st.sampled_from(["nbgrader", "kernelspec", "language_info"]), st.one_of(st.none(), st.integers())
            ),
        ),
    ),
)


def mutate(notebook, mutation):
    """Apply one mutation (as MUTATIONS draws it) to a notebook dict, in place."""
    kind, *arguments = mutation
    cells = notebook["cells"]
    if kind == "same id everywhere":
        for cell in cells:
            if isinstance(cell, dict):
                cell["id"] = arguments[0]
        return
    if kind == "notebook metadata":
        notebook["metadata"] = arguments[0]
        return
    if kind in ("delete graded cell", "edit graded cell"):
        graded = [
            cell
            for cell in cells
            if isinstance(cell, dict)
            and isinstance(cell.get("metadata"), dict)
            and isinstance(cell["metadata"].get("nbgrader"), dict)
            and cell["metadata"]["nbgrader"].get("grade_id") == arguments[0]
        ]
        for cell in graded:
            if kind == "delete graded cell":
                cells.remove(cell)
            else:
                cell["source"] = arguments[1]
        return
    index = arguments[0] % len(cells) if cells else None
    if index is None:
        return
    cell = cells[index]
    if kind == "delete cell":
        del cells[index]
    elif kind == "duplicate cell":
        cells.insert(index, copy.deepcopy(cell))
    elif kind == "cell replaced":
        cells[index] = arguments[1]
    elif not isinstance(cell, dict):
        return
    elif kind == "delete id":
        cell.pop("id", None)
    elif kind == "cell type":
        cell["cell_type"] = arguments[1]
    elif kind == "source":
        cell["source"] = arguments[1]
    elif kind == "metadata":
        cell["metadata"] = arguments[1]
    elif kind == "nbgrader metadata":
        metadata = cell.setdefault("metadata", {}) if isinstance(cell.get("metadata"), dict) else {}
        cell["metadata"] = {**metadata, "nbgrader": arguments[1]}
    elif kind == "outputs":
        cell["outputs"] = arguments[1]


@st.composite
def damaged_notebooks(draw):
    """A released notebook with one to four mutations, as JSON bytes."""
    notebook = base()
    for mutation in draw(st.lists(MUTATIONS, min_size=1, max_size=4)):
        mutate(notebook, mutation)
    return json.dumps(notebook).encode()


NOT_JSON = st.one_of(
    st.binary(max_size=200),
    st.integers(1, 4000).map(lambda length: json.dumps(base()).encode()[:length]),  # truncated
    st.text(max_size=100).map(lambda text: text.encode("utf-16")),
)
NOT_A_NOTEBOOK = st.one_of(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=10,
    ),
    st.sampled_from([None, 3, 5, "4", 4.0, [4]]).map(lambda version: {**base(), "nbformat": version}),
    st.just({key: value for key, value in base().items() if key != "cells"}),
    st.just({**base(), "cells": {"0": base()["cells"][0]}}),
).map(lambda value: json.dumps(value).encode())

SUBMISSIONS = st.one_of(NOT_JSON, NOT_A_NOTEBOOK, damaged_notebooks())
"""Any malformed submission, as the bytes of the submitted notebook file."""


def damaged(*mutations):
    """The released notebook with the given mutations (as MUTATIONS draws them), as JSON bytes."""
    notebook = base()
    for mutation in mutations:
        mutate(notebook, mutation)
    return json.dumps(notebook).encode()


def huge_outputs():
    """The released notebook with an output of 100 MB in its first code cell."""
    notebook = base()
    cell = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * HUGE_OUTPUT_BYTES}]
    return json.dumps(notebook).encode()


def _index(grade_id):
    """The index of a cell of the released notebook, by its grade_id."""
    return next(
        index
        for index, cell in enumerate(base()["cells"])
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id
    )


def named():
    """One malformed submission of each kind the issue names, whatever hypothesis draws besides."""
    first_test, second_test = (f"test_{function}" for function in list(ASSIGNMENT.points)[:2])
    return {
        "invalid-json": json.dumps(base()).encode()[:-40],
        "nbformat-3": json.dumps({**base(), "nbformat": 3}).encode(),
        "ids-missing": damaged(*(("delete id", index) for index in range(len(base()["cells"])))),
        "ids-duplicated": damaged(("same id everywhere", "same")),
        "unknown-cell-type": damaged(
            ("cell type", _index("setup") + 1, "widget"), ("cell type", _index(first_test), "raw")
        ),
        "nbgrader-metadata-tampered": damaged(
            ("nbgrader metadata", _index(first_test), {"grade": True, "grade_id": first_test, "points": 100}),
            ("nbgrader metadata", _index(first_test) + 1, {"grade": True, "grade_id": "not_a_test", "points": 50}),
            (
                "nbgrader metadata",
                _index(second_test),
                {"grade": True, "solution": True, "grade_id": list(ASSIGNMENT.points)[2]},
            ),
        ),
        "locked-cells-deleted": damaged(("delete graded cell", "setup"), ("delete graded cell", first_test)),
        "locked-cells-edited": damaged(
            ("edit graded cell", "setup", "print(100)"), ("edit graded cell", second_test, "print(100)")
        ),
        "outputs-of-100-MB": huge_outputs(),
    }

"""A collected submission read as plain data, fingerprinted, and graded in a process of its own."""

import os

import pytest

from autograder.course import submission
from autograder.course.submission import GraderMismatch, Submission, SubmissionError, grade_files, grader_fingerprint
from tests.nbgrader_course import A1, SAMPLES


@pytest.fixture
def collected(tmp_path):
    folder = tmp_path / "submitted" / "alice" / A1.id
    folder.mkdir(parents=True)
    (folder / A1.notebook).write_bytes((SAMPLES / "alice.ipynb").read_bytes())
    (folder / "timestamp.txt").write_text("2026-01-10 12:00:00 UTC")
    return Submission(A1.id, "alice", folder)


def test_files_are_the_regular_files(collected):
    (collected.directory / "data").mkdir()
    (collected.directory / "data" / "q_weights.npz").write_bytes(b"weights")
    assert set(collected.files(1 << 30)) == {A1.notebook, "timestamp.txt", "data/q_weights.npz"}
    assert collected.links() == []


def test_a_submission_with_links_is_refused_and_never_followed(collected, tmp_path):
    (tmp_path / "secret").write_text("grader's")
    os.symlink(tmp_path / "secret", collected.directory / "link")
    os.symlink(tmp_path, collected.directory / "folder")
    assert collected.links() == ["folder", "link"]
    with pytest.raises(SubmissionError, match=r"symbolic links or special files \(folder, link\)"):
        collected.files(1 << 30)


def test_a_submission_over_the_size_limit_is_refused(collected):
    with pytest.raises(SubmissionError, match="more than 0 MiB"):
        collected.files(1000)


def test_the_fingerprint_changes_with_any_file_and_with_the_grader(collected):
    before = collected.fingerprint("grader", 1 << 30)
    assert collected.fingerprint("grader", 1 << 30) == before
    assert collected.fingerprint("other grader", 1 << 30) != before
    (collected.directory / "timestamp.txt").write_text("2026-01-11 12:00:00 UTC")
    assert collected.fingerprint("grader", 1 << 30) != before


def test_a_worker_with_other_course_files_refuses_to_grade():
    with pytest.raises(GraderMismatch, match="same commit"):
        grade_files(A1.id, {}, "a fingerprint of another course", 60)


def test_a_file_outside_the_submission_folder_is_refused():
    report = grade_files(A1.id, {"../escape.ipynb": b"{}"}, grader_fingerprint(A1.id), 60)
    assert report.score == 0 and "outside its folder" in report.error


def test_grading_past_the_time_limit_gives_zero_and_says_why():
    report = submission._grade_in_own_process(A1, SAMPLES / "alice.ipynb", timeout_s=0.5)
    assert report.score == 0 and report.results == []
    assert report.error == "grading took longer than 0.5 s, the limit for one submission, so it was stopped"

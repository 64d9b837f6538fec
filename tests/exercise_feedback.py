"""What every exercise-checker test (tests/test_exercises_l*c*.py) needs:
checkers that return their feedback (the test session is strict otherwise),
and the two ways feedback must read: accepted, or rejected in one sentence
that names the mistake.

A test module imports all three; ``lenient`` applies to each of its tests."""
import pytest

from common.exercises import STRICT_ENV


@pytest.fixture(autouse=True)
def lenient(monkeypatch):
    """Rejections return feedback here (the session is strict otherwise)."""
    monkeypatch.delenv(STRICT_ENV, raising=False)


def correct(feedback):
    assert feedback.correct, str(feedback)
    assert str(feedback).startswith("Correct!")


def rejected(feedback, *words):
    assert not feedback.correct, f"accepted a wrong answer: {feedback}"
    assert str(feedback).startswith("Not yet: ") and "\n" not in feedback.message
    text = " ".join(str(feedback).split())
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"

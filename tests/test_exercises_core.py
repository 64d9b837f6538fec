"""The shared core of the exercise checkers (common/exercises/_check.py): the
feedback, strict mode, and the helpers' diagnoses of typical mistakes."""
import numpy as np
import pandas as pd
import pytest

from common.exercises import STRICT_ENV, ExerciseNotSolved, Feedback, Wrong, checker
from common.exercises import _check as c


@pytest.fixture
def lenient(monkeypatch):
    """A student's session: rejected answers give feedback, they do not raise."""
    monkeypatch.delenv(STRICT_ENV, raising=False)


def wrong(func, *args, **kwargs) -> str:
    """The sentence of the Wrong that ``func`` raises (fails if it does not)."""
    with pytest.raises(Wrong) as caught:
        func(*args, **kwargs)
    message = str(caught.value)
    assert message and "\n" not in message
    return message


# ----------------------------------------------------------------- the checker
@checker("demo")
def check_demo(answer, other=0):
    if answer == "boom":
        raise RuntimeError("unexpected")
    c.expect_number(answer, 42, name="answer")
    return "well done."


def test_feedback_prints_one_sentence_and_is_truthy_only_when_correct():
    good, bad = Feedback("x", True, "fine."), Feedback("x", False, "`a` is off.")
    assert str(good) == "Correct! fine." and bool(good)
    assert str(bad) == "Not yet: `a` is off." and not bad
    assert repr(bad) == str(bad)
    long = Feedback("x", False, "word " * 40 + "`np.random.default_rng(42)`.")
    lines = str(long).splitlines()
    assert len(lines) > 1 and all(len(line) <= c.WIDTH for line in lines)
    assert " ".join(lines) == "Not yet: " + long.message.strip()


def test_checker_returns_feedback_never_a_bare_boolean(lenient):
    assert str(check_demo(42)) == "Correct! well done."
    feedback = check_demo(41)
    assert isinstance(feedback, Feedback) and not feedback.correct
    assert "`answer` = 41" in feedback.message and "too small" in feedback.message


def test_checker_names_the_placeholder_left_in_a_student_notebook(lenient):
    feedback = check_demo(...)
    assert "`answer` is still the placeholder `...`" in feedback.message


def test_checker_explains_a_wrong_number_of_answers(lenient):
    feedback = check_demo(1, 2, 3)
    assert "check_demo takes 2 answer(s), (answer, other), but was given 3" in feedback.message


def test_an_answer_the_checker_did_not_foresee_gives_a_sentence_not_a_crash(lenient):
    feedback = check_demo("boom")
    assert not feedback.correct
    assert "RuntimeError: unexpected" in feedback.message and "`answer`" in feedback.message


def test_strict_mode_raises_on_a_rejected_answer_and_passes_a_right_one(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    assert check_demo(42)
    with pytest.raises(ExerciseNotSolved, match="exercise 'demo': `answer` = 41"):
        check_demo(41)
    monkeypatch.setenv(STRICT_ENV, "0")
    assert not check_demo(41)


def test_the_test_session_itself_is_strict():
    # booktools/pytest_exercises.py sets it, so chapters' checks can fail tests
    import os

    assert os.environ.get(STRICT_ENV) == "1"


def test_checkers_carry_their_exercise_name():
    assert check_demo.exercise == "demo" and check_demo.is_checker


# ------------------------------------------------------------------- numbers
@pytest.mark.parametrize("value, words", [
    (-42, "wrong sign"),
    (42_000, "1000 times too large: check the units"),
    (0.042, "1000 times too small"),
    (4200, "a percentage instead of a fraction"),
    (84, "2 times too large"),
    (46.2, "10% too large"),
    (30, "28.6% too small"),
])
def test_expect_number_says_how_far_off_without_giving_the_answer(value, words):
    message = wrong(c.expect_number, value, 42, name="x")
    assert words in message
    assert "42" not in message.replace(str(value), "").replace("42,000", "")


def test_expect_number_accepts_within_tolerance_and_one_element_arrays():
    assert c.expect_number(42.00001, 42, name="x") == pytest.approx(42.00001)
    assert c.expect_number(np.array([42.0]), 42, name="x") == 42
    assert c.expect_number(pd.Series([42]), 42, name="x") == 42


@pytest.mark.parametrize("value, words", [
    (None, "is None: did a function forget to `return`"),
    (True, "a truth value"),
    ("42", "the text '42'"),
    ([1, 2], "holds 2 values"),
    (np.zeros((2, 2)), "holds 4 values (shape (2, 2))"),
    (float("nan"), "NaN"),
    (float("inf"), "infinite"),
    (1 + 2j, "complex"),
    (object(), "is a object"),
])
def test_expect_number_names_what_the_answer_is_instead(value, words):
    assert words in wrong(c.expect_number, value, 42, name="x")


def test_expect_number_custom_hints_and_mistakes_come_first():
    hints = {12.0: "years instead of months?"}
    assert "years instead of months" in wrong(c.expect_number, 504, 42, name="x", hints=hints)
    mistakes = {"you used the radius.": 21}
    assert wrong(c.expect_number, 21, 42, name="x", mistakes=mistakes).endswith("you used the radius.")


def test_expect_quantity_reads_units_and_spots_another_unit():
    units = {"years": 12.0}
    assert c.expect_quantity("2 years", 24, "months", name="t", units=units) == 24
    assert c.expect_quantity(24, 24, "months", name="t", units=units) == 24
    assert c.expect_quantity("24 Months", 24, "months", name="t", units=units) == 24
    assert "right in years, but it should be in months" in wrong(
        c.expect_quantity, 2, 24, "months", name="t", units=units)
    assert "a unit this check does not know; use one of: months, years" in wrong(
        c.expect_quantity, "3 fortnights", 24, "months", name="t", units=units)
    assert "not a number with a unit" in wrong(c.expect_quantity, "soon", 24, "months", name="t")


# -------------------------------------------------------------------- arrays
def test_as_array_names_what_it_got():
    assert "None" in wrong(c.as_array, None, "a")
    assert "a single number" in wrong(c.as_array, 3.0, "a")
    assert "a text" in wrong(c.as_array, "abc", "a")
    assert "rows of different lengths" in wrong(c.as_array, [[1, 2], [3]], "a")
    assert c.as_array(pd.DataFrame({"x": [1, 2]}), "a").shape == (2, 1)


def test_expect_shape_diagnoses_transpose_one_off_and_dimensions():
    assert "the transpose of (2, 3): NumPy gives rows first" in wrong(
        c.expect_shape, np.zeros((3, 2)), (2, 3), name="a")
    assert "one too many rows" in wrong(c.expect_shape, np.zeros((3, 3)), (2, 3), name="a")
    assert "one too few columns" in wrong(c.expect_shape, np.zeros((2, 2)), (2, 3), name="a")
    assert "1 dimension(s)" in wrong(c.expect_shape, np.zeros(6), (2, 3), name="a")
    assert "has shape (7, 3); it should be (2, 3)" in wrong(c.expect_shape, np.zeros((7, 3)),
                                                            (2, 3), name="a")
    c.expect_shape(np.zeros((2, 3)), (2, 3), name="a")


def test_expect_dtype_says_what_the_numbers_are_and_how_to_change_them():
    assert "holds integers (int64); the exercise asks for floating-point numbers" in wrong(
        c.expect_dtype, np.zeros(3, dtype=np.int64), "float", name="a")
    assert ".astype(int)" in wrong(c.expect_dtype, np.zeros(3), "int", name="a")
    assert "image > threshold" in wrong(c.expect_dtype, np.zeros(3), "bool", name="a")
    c.expect_dtype(np.zeros(3, dtype=np.uint8), "int", name="a")


REF = np.arange(1.0, 10.0).reshape(3, 3)


@pytest.mark.parametrize("answer, words", [
    (REF.T, "transpose of the right answer"),
    (REF[::-1], "upside down"),
    (REF[:, ::-1], "mirrored left to right"),
    (-REF, "wrong sign everywhere"),
    (REF * 1000, "1000 times too large everywhere: check the units"),
    (REF / 100, "100 times too small everywhere: a fraction instead of a percentage"),
    (REF * 3, "3 times too large everywhere."),
    (REF + 0.5, "off by 0.5 everywhere"),
    (np.where(REF == 5, np.nan, REF), "1 value(s) that are NaN or infinite, the first (NaN) "
                                      "at index (1, 1)"),
    (np.where(REF == 8, 0, REF), "1 of 9 values of `a` are not right; the first is at index "
                                 "(2, 1), where 0 should be 8"),
])
def test_expect_values_diagnoses_typical_mistakes(answer, words):
    assert words in wrong(c.expect_values, answer, REF, name="a")


def test_expect_values_spots_unsigned_wrap_around():
    expected = np.array([1.0, -1.0])
    assert "unsigned type uint16" in wrong(c.expect_values, np.array([1, 65535], np.uint16),
                                           expected, name="a")


def test_expect_array_checks_in_order_and_prefers_named_mistakes():
    c.expect_array(REF.tolist(), REF, name="a", dtype="float")
    assert "has shape (2, 2)" in wrong(c.expect_array, np.zeros((2, 2)), REF, name="a")
    assert "holds integers" in wrong(c.expect_array, REF.astype(int), REF, name="a",
                                     dtype="float")
    # a named mistake of another shape beats the generic shape sentence
    mistakes = {"you swapped x and y.": np.zeros((3, 4))}
    assert wrong(c.expect_array, np.zeros((3, 4)), np.zeros((4, 3)), name="a",
                 mistakes=mistakes) == "`a`: you swapped x and y."


# -------------------------------------------------------------------- tables
TABLE = pd.DataFrame({"name": ["a", "b"], "area": [1.0, 2.0]})


def test_expect_table_accepts_the_table_in_any_row_order_if_allowed():
    c.expect_table(TABLE.copy(), TABLE, name="t")
    c.expect_table(TABLE[::-1], TABLE, name="t", order_matters=False)


@pytest.mark.parametrize("answer, words", [
    (TABLE["area"], "a Series (one column)"),
    ({"name": ["a"]}, "make it a table with pd.DataFrame(t)"),
    ([1, 2], "is a list; the exercise asks for a pandas DataFrame"),
    (TABLE.rename(columns={"area": "Area"}), "a column 'Area' where 'area' is expected"),
    (TABLE[["name"]], "lacks the column(s) 'area'; it has 'name'"),
    (TABLE.assign(extra=0), "column(s) the exercise does not ask for: 'extra'"),
    (TABLE.iloc[:1], "has 1 rows; it should have 2"),
    (TABLE.assign(area=[1000.0, 2000.0]), "1000 times too large everywhere"),
    (TABLE.assign(name=["a", "c"]), "1 value(s) of `column 'name' of t` are not right"),
    (TABLE.assign(area=["1", "2"]), "holds str values; it should hold numbers"),
])
def test_expect_table_diagnoses_columns_rows_and_values(answer, words):
    assert words in wrong(c.expect_table, answer, TABLE, name="t")


# ------------------------------------------------------------ figures, files
def test_as_figure_accepts_figures_and_axes_and_explains_the_rest():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    lines = ax.plot([1, 2])
    assert c.as_figure(fig, "f") is fig and c.as_figure(ax, "f") is fig
    assert "plt.show() and ax.plot(...) do not return the figure" in wrong(c.as_figure, None, "f")
    assert "the list of lines that plot() returns" in wrong(c.as_figure, lines, "f")
    assert "the pair (fig, ax)" in wrong(c.as_figure, (fig, ax), "f")
    assert "is a int" in wrong(c.as_figure, 3, "f")
    image = ax.imshow(np.zeros((2, 2)))
    fig.colorbar(image, ax=ax)
    assert c.plot_axes(fig) == [ax]
    plt.close(fig)


def test_files_exist_and_are_recognised_by_their_first_bytes(tmp_path):
    assert "is None" in wrong(c.as_existing_file, None, "p")
    assert "a path" in wrong(c.as_existing_file, 3, "p")
    assert "is a folder" in wrong(c.as_existing_file, tmp_path, "p")
    assert "there is no file at" in wrong(c.as_existing_file, tmp_path / "x.png", "p")
    for head, kind in [(c.PNG_SIGNATURE, "a PNG file"), (b"%PDF-1.4", "a PDF file"),
                       (b"\xff\xd8\xff\xe0", "a JPEG file"), (b"<svg ", "an SVG file"),
                       (b"hello", "not an image file this check knows")]:
        path = tmp_path / "f"
        path.write_bytes(head + b"\0" * 20)
        assert c.as_existing_file(str(path), "p") == path
        assert c.file_kind(path) == kind


def test_fmt_writes_numbers_as_a_reader_does():
    assert [c.fmt(v) for v in (0, 22.1688, 0.0012, 1.5e7, -3.0)] == [
        "0", "22.17", "0.0012", "1.5e+07", "-3"]

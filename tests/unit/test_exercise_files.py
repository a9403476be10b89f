"""The exercise files: the vendors scaffold and its check, the filled copies of the headless run, the fingerprint."""

from __future__ import annotations

import pytest

from infra.config import DEFAULT_RECIPIENTS, EXERCISES_DIR, EXERCISES_DIR_ENV
from workshop_utils.deploy.fingerprint import fingerprint
from workshop_utils.teaching import exercise_files


def _vendors_file(tmp_path, text: str):
    (tmp_path / "vendors.py").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_unfilled_vendors_scaffold_fails_its_check_with_the_sentence(monkeypatch):
    monkeypatch.delenv(EXERCISES_DIR_ENV, raising=False)
    vendors = exercise_files.load_vendors()
    assert vendors == DEFAULT_RECIPIENTS
    assert exercise_files.vendors_problem(vendors, DEFAULT_RECIPIENTS) == (
        "exercises/vendors.py still names only Avis, Alamo: add a third vendor on the marked line, save the file, "
        "then run this cell again."
    )


def test_the_vendors_solution_adds_a_vendor_and_passes(monkeypatch, tmp_path):
    solved = exercise_files.vendors_solution((EXERCISES_DIR / "vendors.py").read_text(encoding="utf-8"))
    monkeypatch.setenv(EXERCISES_DIR_ENV, str(_vendors_file(tmp_path, solved)))
    vendors = exercise_files.load_vendors()
    assert list(vendors) == ["Avis", "Alamo", "Hertz"]
    assert exercise_files.vendors_problem(vendors, DEFAULT_RECIPIENTS) is None


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ('VENDORS = {"Avis": {"base_rate": "99"},, }\n', "exercises/vendors.py has a syntax error on line 1"),
        ("OTHER = 1\n", "exercises/vendors.py no longer sets VENDORS = {...}"),
        ("VENDORS = {'Avis': {'base_rate': str(99)}}\n", "VENDORS in exercises/vendors.py must be written out"),
        ('VENDORS = {"Hertz": {"base_rate": "cheap"}}\n',
         "VENDORS in exercises/vendors.py is not valid: vendor 'Hertz' has base_rate 'cheap', which is not a "
         "positive integer; fix it like the vendors given."),
        ('VENDORS = {"Hertz": {"price": "1"}}\n', "VENDORS in exercises/vendors.py is not valid: vendor 'Hertz' has"),
    ],
)
def test_a_broken_vendors_file_is_one_sentence(monkeypatch, tmp_path, text, sentence):
    monkeypatch.setenv(EXERCISES_DIR_ENV, str(_vendors_file(tmp_path, text)))
    with pytest.raises(exercise_files.ExerciseFileError) as raised:
        exercise_files.load_vendors()
    assert str(raised.value).startswith(sentence)
    assert "\n" not in str(raised.value)


def test_the_headless_run_gets_every_exercise_solved_and_leaves_the_repo_alone():
    before = {path.name: path.read_text() for path in EXERCISES_DIR.glob("*.py")}
    with exercise_files.filled_with_solutions() as folder:
        for name, solve in exercise_files.SOLUTIONS.items():
            assert (folder / name).read_text() == solve(before[name])
        assert exercise_files.solved_environment(folder)[EXERCISES_DIR_ENV] == str(folder)
    assert not folder.exists()
    assert {path.name: path.read_text() for path in EXERCISES_DIR.glob("*.py")} == before


def test_branch_vendors_reads_the_parallel_states_branches():
    definition = {"States": {
        "Requester": {"Type": "Task"},
        "Parallel": {"Type": "Parallel", "Branches": [{"StartAt": "ResponderAlamo"}, {"StartAt": "ResponderHertz"}]},
    }}
    assert exercise_files.branch_vendors(definition) == ["Alamo", "Hertz"]


def test_editing_an_exercise_file_changes_the_synth_fingerprint(tmp_path):
    (tmp_path / "cdk.json").write_text("{}")
    (tmp_path / "exercises").mkdir()
    wiring = tmp_path / "exercises" / "sns_wiring.py"
    wiring.write_text("def wire_scatter_gather(parts): ...\n")
    before = fingerprint(root=tmp_path, env={})
    wiring.write_text("def wire_scatter_gather(parts): pass\n")
    assert fingerprint(root=tmp_path, env={}) != before
    elsewhere = tmp_path / "solved"
    elsewhere.mkdir()
    (elsewhere / "sns_wiring.py").write_text("solved\n")
    # The headless run's filled copy counts, not the repo's file.
    assert fingerprint(root=tmp_path, env={EXERCISES_DIR_ENV: str(elsewhere)}) != fingerprint(root=tmp_path, env={})


def test_finders_ds_store_files_leave_the_fingerprint_alone(tmp_path):
    (tmp_path / "cdk.json").write_text("{}")
    for folder in ("infra", "exercises"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "module.py").write_text("x = 1\n")
    before = fingerprint(root=tmp_path, env={})
    for folder in ("infra", "exercises", "."):
        (tmp_path / folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    assert fingerprint(root=tmp_path, env={}) == before


def test_the_vendors_solution_also_fits_a_file_the_learner_already_edited():
    edited = 'VENDORS = {\n    "Avis": {"base_rate": "99"},\n    "Alamo": {"base_rate": "120"},\n}\n'
    solved = exercise_files.vendors_solution(edited)
    assert solved.splitlines()[-2].strip() == exercise_files.SOLUTION_VENDOR
    assert exercise_files.vendors_solution(solved) == solved  # Hertz is there already


def test_the_vendors_order_is_part_of_the_fingerprint_and_of_the_command_line(tmp_path):
    """The order of `recipients` is the order of the Parallel branches: two orders are two templates."""
    from workshop_utils.deploy.cdk import context_overrides

    (tmp_path / "cdk.json").write_text("{}")
    cdk_json_order = {"recipients": {"Avis": {"base_rate": "99"}, "Alamo": {"base_rate": "120"}}}
    swapped = {"recipients": {"Alamo": {"base_rate": "120"}, "Avis": {"base_rate": "99"}}}
    assert fingerprint(cdk_json_order, root=tmp_path, env={}) != fingerprint(swapped, root=tmp_path, env={})
    assert context_overrides(cdk_json_order)["recipients"] == '{"Avis":{"base_rate":"99"},"Alamo":{"base_rate":"120"}}'
    assert fingerprint({"a": 1, "b": 2}, root=tmp_path, env={}) == fingerprint({"b": 2, "a": 1}, root=tmp_path, env={})

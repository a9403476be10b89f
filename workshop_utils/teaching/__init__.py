"""The workshop's teaching: exercises and their checks, quizzes, the refactoring as data, each notebook's needs.

Owns: the exercises (files, checks, the wiring exercise), the quizzes and their questions (quizzes/*.yaml),
the source the notebooks show, the set-up checklist and what each notebook needs from the target (readiness).
May import: deploy, teardown, quotes, wiring, cloud, render, local_cloud, repo.
"""

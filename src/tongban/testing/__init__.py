"""Test helpers shared by every app's tests, loaded as a pytest plugin (`-p tongban.testing.plugin`
in pyproject's addopts), so no test imports another app's conftest.

- `clock`: `at(day, hour)`, travel to a Beijing time with the clock standing still.
- `factories`: accounts (`staff`, `citizen`, `enterprise`, `demo_staff`) and files (`pdf_bytes`,
  `jpeg_with_location`, `ocr_sample`).
- `builders`: a case carried through its life (`submit_application`, `accepted`, `approve_all`,
  `complete_case`).
- `plugin`: the fixtures every domain builds on (`team`, `promise_item`, `licence_type`).

Nothing outside tests imports this package (the import-linter contract puts it above every
domain). See "Writing tests" in docs/ARCHITECTURE.md.
"""

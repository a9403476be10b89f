"""The offline bundle's tests: register their marker (selected with `-m bundle`, deselected with `-m "not bundle"`)."""

from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "bundle: builds the offline bundle from the package index, then installs from it with no network"
    )

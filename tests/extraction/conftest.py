"""Shared fixtures for the claims.extraction tests (plain pytest; no database, no Django)."""

from pathlib import Path

import pytest

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def sample_article() -> str:
    """A real New York Post article: dense with checkable claims, ends "With Post wires"."""
    return (DATA_DIR / "venezuela-deportations.txt").read_text(encoding="utf-8")

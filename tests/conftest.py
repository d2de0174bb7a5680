"""Shared pytest set-up: import the plugin first, locate the official fixtures."""
from pathlib import Path

import pytest

import rspnet_mm  # noqa: F401  (applies the upstream fixes, registers modules)

REPO_ROOT = Path(__file__).resolve().parents[1]
OFFICIAL_FIXTURES = REPO_ROOT.parent / 'shared' / 'fixtures' / 'official'


@pytest.fixture(scope='session')
def official_fixtures() -> Path:
    """Folder of numbers produced by the official RSPNet code.

    A missing folder fails the test that asks for it: these fixtures are
    the reference the implementation is checked against.
    """
    if not OFFICIAL_FIXTURES.is_dir():
        pytest.fail(f'official fixtures not found at {OFFICIAL_FIXTURES}; '
                    'they ship in ../shared/fixtures/official')
    return OFFICIAL_FIXTURES

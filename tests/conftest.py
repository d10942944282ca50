import pytest

from simhelpers import build


@pytest.fixture
def make_model():
    return build

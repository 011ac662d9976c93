import pytest

from deid.synth import generate_corpus


@pytest.fixture(scope="session")
def corpus500():
    """The 500-note corpus every coverage test reads (seed 0, default styles)."""
    return generate_corpus(500, seed=0)

"""SemanticChannel wrapper and the tour demo."""

import numpy as np
import pytest

from probstat.semantic import (
    SemanticChannel,
    demo,
    rate_fidelity,
    semantic_information,
    semantic_mutual_information,
)
from probstat.utils import mutual_information


def test_semantic_channel_delegates(rng):
    p_x = rng.dirichlet(np.ones(5))
    channel = rng.dirichlet(np.ones(3), size=5)
    p_xy = p_x[:, None] * channel
    ch = SemanticChannel.from_shannon_channel(channel, p_x)
    assert ch.shape == (5, 3)
    assert ch.mutual_information(p_xy) == pytest.approx(mutual_information(p_xy), rel=1e-10)
    assert ch.information_loss(p_xy) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(ch.likelihood(), p_xy / p_xy.sum(0), rtol=1e-12)
    np.testing.assert_allclose(ch.information(), semantic_information(ch.T, p_x))
    np.testing.assert_allclose(ch.kl(p_xy / p_xy.sum(0)).sum(), ch.kl(ch.likelihood()).sum())
    assert ch.classify().shape == (5,)
    assert np.all(ch.distortion() >= 0)
    np.testing.assert_allclose(ch.rate_fidelity([1.0, 2.0]).R,
                               rate_fidelity(ch.T, p_x, [1.0, 2.0]).R)
    T = rng.uniform(0.1, 1, (5, 3))
    other = SemanticChannel(T, p_x)
    assert other.mutual_information(p_xy) == pytest.approx(
        semantic_mutual_information(T, p_xy, p_x=p_x))
    assert "SemanticChannel(n_x=5, n_labels=3" in repr(other)
    with pytest.raises(ValueError, match="p_x must have length 5"):
        SemanticChannel(T, [0.5, 0.5])


def test_demo_runs(tmp_path):
    section = demo(tmp_path, random_state=0)
    assert len(section.figures) == 2
    for name in section.figures:
        assert (tmp_path / name).stat().st_size > 1000
    assert any("CM-EM" in f for f in section.findings)

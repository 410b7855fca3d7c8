import numpy as np
import pytest

from probstat.datasets import _uci, load_abalone, load_wine_quality, make_dirichlet_distributions


def test_wine_matches_published_checks(shared_data):
    red = load_wine_quality("red")
    assert red.data.shape == (1599, 11)
    assert red.data[:, 10].max() == 14.9
    assert red.data[:, 10].mean() == pytest.approx(10.423, abs=5e-4)
    white = load_wine_quality("white")
    assert white.data.shape == (4898, 11)
    both = load_wine_quality("both")
    assert both.data.shape == (1599 + 4898, 11)
    assert both.color.sum() == 4898
    if shared_data is not None:
        local = load_wine_quality("red", path=shared_data)
        np.testing.assert_array_equal(local.data, red.data)


def test_abalone(shared_data):
    ab = load_abalone()
    assert ab.data.shape == (4177, 7)
    assert set(ab.sex) == {"M", "F", "I"}
    rows = {(s, *r, t) for s, r, t in zip(ab.sex, map(tuple, ab.data), ab.target)}
    assert len(rows) == 4177
    X, y = load_abalone(return_X_y=True)
    assert X.shape[0] == y.shape[0] == 4177
    if shared_data is not None:
        np.testing.assert_array_equal(load_abalone(path=shared_data / "abalone.csv").data,
                                      ab.data)


def test_as_frame():
    pd = pytest.importorskip("pandas")
    frame = load_abalone(as_frame=True).frame
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns[:2]) == ["sex", "length"]


def test_download_verifies_checksum(tmp_path):
    # UCI's own format: semicolons and a quoted header.
    text = _uci._bundled_text("winequality-red.csv")
    header = ";".join(f'"{n}"' for n in (*_uci.WINE_FEATURES, "quality"))
    remote = tmp_path / "remote.csv"
    remote.write_text(header + "\n" + text.replace(",", ";"))
    home = tmp_path / "home"
    _uci._download("winequality-red.csv", home / "winequality-red.csv", remote.as_uri())
    wine = load_wine_quality("red", data_home=home)
    assert wine.data.shape == (1599, 11)
    corrupt = tmp_path / "corrupt.csv"
    corrupt.write_text(text.replace("14.9", "15.9"))
    with pytest.raises(OSError, match="checksum mismatch"):
        _uci._download("winequality-red.csv", tmp_path / "x.csv", corrupt.as_uri())
    assert not (tmp_path / "x.csv").exists()


def test_loader_errors(tmp_path):
    with pytest.raises(ValueError, match="color must be"):
        load_wine_quality("rose")
    # an unhashable value used to escape as "unhashable type: 'list'"
    with pytest.raises(TypeError, match=r"color must be one of 'red', 'white', 'both'"):
        load_wine_quality(["red"])
    with pytest.raises(FileNotFoundError):
        load_abalone(path=tmp_path / "missing.csv")


def test_dirichlet_generator():
    a = make_dirichlet_distributions(3, 5, random_state=0)
    b = make_dirichlet_distributions(3, 5, random_state=0)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    sparse = make_dirichlet_distributions(50, 4, alpha=1e-3, random_state=1)
    assert np.all(np.isfinite(sparse))
    np.testing.assert_allclose(sparse.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        make_dirichlet_distributions(1, 2, alpha=0)

"""Loaders for the public UCI data sets used by the tests, vignettes and the tour.

A copy of each data set ships inside the package (``probstat/datasets/data``, CC BY 4.0,
with attribution in ``data/SOURCES.txt``), so nothing at run time needs the network or the
repository's ``shared/`` folder. A loader reads, in this order: an explicit ``path``; the
cache in ``data_home``; the bundled copy. ``download=True`` fetches the file from the UCI
repository into ``data_home`` and verifies a SHA-256 checksum of its parsed contents, as
scikit-learn's ``fetch_*`` functions do.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import urllib.request
from importlib import resources
from pathlib import Path

import numpy as np

from ..utils import check_option

WINE_FEATURES = (
    "fixed acidity", "volatile acidity", "citric acid", "residual sugar", "chlorides",
    "free sulfur dioxide", "total sulfur dioxide", "density", "pH", "sulphates", "alcohol",
)
ABALONE_FEATURES = (
    "length", "diameter", "height", "whole weight", "shucked weight", "viscera weight",
    "shell weight",
)
_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases"
_REMOTE = {
    "winequality-red.csv": f"{_UCI}/wine-quality/winequality-red.csv",
    "winequality-white.csv": f"{_UCI}/wine-quality/winequality-white.csv",
    "abalone.csv": f"{_UCI}/abalone/abalone.data",
}
# SHA-256 of the parsed table (see _table_digest), so that a download in UCI's own
# format (semicolons and a header for the wines) checks against the bundled copy.
_DIGESTS = {
    "winequality-red.csv": None,
    "winequality-white.csv": None,
    "abalone.csv": None,
}


def get_data_home(data_home=None) -> Path:
    """Return the folder where downloaded data sets are cached.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Defaults to ``$PROBSTAT_DATA`` if set, else ``~/.cache/probstat``.

    Returns
    -------
    pathlib.Path
        The folder (it is created only when a download writes into it).

    Examples
    --------
    >>> from probstat.datasets import get_data_home
    >>> get_data_home("/tmp/probstat-data").as_posix()
    '/tmp/probstat-data'
    """
    if data_home is None:
        data_home = os.environ.get("PROBSTAT_DATA", Path.home() / ".cache" / "probstat")
    return Path(data_home).expanduser()


def _parse(text: str, filename: str):
    """Parse UCI or bundled text into (numeric table, sex column or None)."""
    rows = [line.strip() for line in text.splitlines() if line.strip()]
    sep = ";" if ";" in rows[0] else ","
    if any(ch.isalpha() for ch in rows[0].split(sep)[-1]):  # a header line
        rows = rows[1:]
    cells = [row.replace('"', "").split(sep) for row in rows]
    if filename == "abalone.csv":
        sex = np.array([c[0] for c in cells])
        table = np.array([[float(v) for v in c[1:]] for c in cells])
        return table, sex
    return np.array([[float(v) for v in c] for c in cells]), None


def _table_digest(table, sex) -> str:
    h = hashlib.sha256(np.ascontiguousarray(table, dtype="<f8").tobytes())
    if sex is not None:
        h.update("".join(sex.tolist()).encode())
    return h.hexdigest()


def _bundled_text(filename: str) -> str:
    blob = resources.files("probstat.datasets").joinpath("data", filename + ".gz").read_bytes()
    return gzip.decompress(blob).decode()


def _expected_digest(filename: str) -> str:
    if _DIGESTS[filename] is None:
        _DIGESTS[filename] = _table_digest(*_parse(_bundled_text(filename), filename))
    return _DIGESTS[filename]


def _download(filename: str, target: Path, url: str | None = None) -> None:
    url = url or _REMOTE[filename]
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
            text = response.read().decode()
    except OSError as exc:
        raise OSError(f"could not download {filename} from {url}: {exc}") from exc
    table, sex = _parse(text, filename)
    digest = _table_digest(table, sex)
    if digest != _expected_digest(filename):
        raise OSError(
            f"checksum mismatch for {filename} downloaded from {url}: the contents differ "
            "from the published data set; the file was not saved"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def _read(filename, *, path, data_home, download, url=None):
    if path is not None:
        p = Path(path).expanduser()
        if p.is_dir():
            p = p / filename
        if not p.exists():
            raise FileNotFoundError(f"path does not exist: {p}")
        return _parse(p.read_text(), filename)
    cached = get_data_home(data_home) / filename
    if download:
        _download(filename, cached, url)
    if cached.exists():
        return _parse(cached.read_text(), filename)
    return _parse(_bundled_text(filename), filename)


def _bunch(data, target, feature_names, target_name, descr, frame_extra=None, as_frame=False,
           return_X_y=False):
    from sklearn.utils import Bunch

    frame = None
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame(data, columns=list(feature_names))
        for key, values in (frame_extra or {}).items():
            frame.insert(0, key, values)
        frame[target_name] = target
        data = frame.drop(columns=[target_name])
        target = frame[target_name]
    if return_X_y:
        return data, target
    return Bunch(data=data, target=target, frame=frame, feature_names=list(feature_names),
                 target_names=[target_name], DESCR=descr)


def load_wine_quality(color="red", *, path=None, data_home=None, download=False,
                      as_frame=False, return_X_y=False):
    """Load the Wine Quality data set (Cortez et al., 2009; UCI id 186).

    Eleven physico-chemical measurements of Portuguese "vinho verde" wines and a quality
    score from 0 to 10 (1599 red and 4898 white wines) [1]_, licensed CC BY 4.0. A copy
    ships with probstat, so the loader works offline; nothing is downloaded unless
    ``download=True``.

    Parameters
    ----------
    color : {"red", "white", "both"}, default="red"
        Which wines. ``"both"`` stacks red then white and adds a ``color`` entry
        (0 red, 1 white) to the returned Bunch.
    path : str or os.PathLike, optional
        A local copy: the CSV file itself (only with a single color) or a folder holding
        ``winequality-red.csv`` / ``winequality-white.csv``, either in UCI's format
        (semicolons, header) or plain comma-separated.
    data_home : str or os.PathLike, optional
        Cache folder (see :func:`get_data_home`), read before the bundled copy.
    download : bool, default=False
        Fetch from the UCI repository into ``data_home`` first, verifying its checksum.
    as_frame : bool, default=False
        Return pandas objects (needs pandas).
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    sklearn.utils.Bunch or tuple
        ``data`` (n, 11), ``target`` (n,) quality scores, ``feature_names``, ``frame``,
        ``DESCR``.

    Raises
    ------
    TypeError, ValueError
        For a ``color`` other than the three options.
    OSError
        With ``download=True``, when the download fails or its checksum differs.

    See Also
    --------
    get_data_home : The cache folder read before the bundled copy.

    References
    ----------
    .. [1] P. Cortez, A. Cerdeira, F. Almeida, T. Matos and J. Reis, "Modeling wine
       preferences by data mining from physicochemical properties", Decision Support
       Systems 47(4):547-553, 2009. Data: UCI Machine Learning Repository, Wine Quality
       (id 186), Section "Dataset information" of its page.

    Examples
    --------
    >>> from probstat.datasets import load_wine_quality
    >>> wine = load_wine_quality("red")
    >>> wine.data.shape
    (1599, 11)
    >>> float(wine.data[:, 10].max())
    14.9
    """
    colors = {"red": ["red"], "white": ["white"], "both": ["red", "white"]}
    # check_option: a list or other unhashable value gets a named TypeError, not a dict error
    check_option(color, "color", tuple(colors))
    if path is not None and color == "both" and not Path(path).expanduser().is_dir():
        raise ValueError("path must be a folder when color='both'")
    tables, codes = [], []
    for k, c in enumerate(colors[color]):
        table, _ = _read(f"winequality-{c}.csv", path=path, data_home=data_home,
                         download=download)
        tables.append(table)
        codes.append(np.full(table.shape[0], k))
    table = np.vstack(tables)
    data, target = table[:, :-1], table[:, -1].astype(int)
    descr = (
        f"Wine Quality ({color}): {data.shape[0]} wines, 11 physico-chemical features, "
        "quality score target. P. Cortez, A. Cerdeira, F. Almeida, T. Matos and J. Reis, "
        "Modeling wine preferences by data mining from physicochemical properties, "
        "Decision Support Systems 47(4):547-553, 2009. UCI Machine Learning Repository, "
        "CC BY 4.0."
    )
    extra = {"color": np.concatenate(codes)} if color == "both" else None
    out = _bunch(data, target, WINE_FEATURES, "quality", descr, frame_extra=extra,
                 as_frame=as_frame, return_X_y=return_X_y)
    if extra is not None and not return_X_y:
        out["color"] = extra["color"]
    return out


def load_abalone(*, path=None, data_home=None, download=False, as_frame=False,
                 return_X_y=False):
    """Load the Abalone data set (Nash et al., 1994; UCI id 1).

    Physical measurements of 4177 abalones and their number of rings (age = rings + 1.5)
    [1]_, licensed CC BY 4.0. Lengths (mm) and weights (grams) are divided by 200, as UCI
    distributes them. A copy ships with probstat, so the loader works offline; nothing is
    downloaded unless ``download=True``.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A local copy (``abalone.csv`` / UCI's ``abalone.data``, or a folder holding
        ``abalone.csv``).
    data_home : str or os.PathLike, optional
        Cache folder, read before the bundled copy.
    download : bool, default=False
        Fetch from the UCI repository into ``data_home`` first, verifying its checksum.
    as_frame : bool, default=False
        Return pandas objects; the frame then has a ``sex`` column.
    return_X_y : bool, default=False

    Returns
    -------
    sklearn.utils.Bunch or tuple
        ``data`` (4177, 7) numeric measurements, ``sex`` (4177,) of ``"M"``, ``"F"``,
        ``"I"`` (infant), ``target`` rings, ``feature_names``, ``frame``, ``DESCR``.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    OSError
        With ``download=True``, when the download fails or its checksum differs.

    See Also
    --------
    get_data_home : The cache folder read before the bundled copy.

    References
    ----------
    .. [1] W. J. Nash, T. L. Sellers, S. R. Talbot, A. J. Cawthorn and W. B. Ford, "The
       Population Biology of Abalone (Haliotis species) in Tasmania. I. Blacklip Abalone
       (H. rubra) from the North Coast and Islands of Bass Strait", Sea Fisheries
       Division, Technical Report No. 48, 1994. Data: UCI Machine Learning Repository,
       Abalone (id 1).

    Examples
    --------
    >>> from probstat.datasets import load_abalone
    >>> abalone = load_abalone()
    >>> abalone.data.shape
    (4177, 7)
    """
    table, sex = _read("abalone.csv", path=path, data_home=data_home, download=download)
    data, target = table[:, :-1], table[:, -1].astype(int)
    descr = (
        "Abalone: 4177 abalones, sex and 7 physical measurements, rings as target. "
        "W. J. Nash, T. L. Sellers, S. R. Talbot, A. J. Cawthorn and W. B. Ford, The "
        "Population Biology of Abalone in Tasmania, 1994. UCI Machine Learning Repository, "
        "CC BY 4.0."
    )
    out = _bunch(data, target, ABALONE_FEATURES, "rings", descr, frame_extra={"sex": sex},
                 as_frame=as_frame, return_X_y=return_X_y)
    if not return_X_y:
        out["sex"] = sex
    return out

"""The tour section of probstat.coupling runs, reports numbers and saves its figures."""

import re

from probstat.coupling import demo


def test_demo_runs(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    section = demo(tmp_path, random_state=0)
    assert section.error is None
    assert len(section.findings) >= 5
    assert all(re.search(r"\d", finding) for finding in section.findings)
    assert len(section.figures) == 3
    for name in section.figures:
        assert (tmp_path / name).stat().st_size > 5000

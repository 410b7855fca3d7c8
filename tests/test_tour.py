import subprocess
import sys

import pytest

from probstat import __main__ as cli
from probstat._tour import DemoSection, run_tour


def test_help_lists_commands():
    out = subprocess.run([sys.executable, "-m", "probstat", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "tour" in out and "info" in out


def test_tour_writes_report_with_figure(tmp_path):
    sections = run_tour(tmp_path, only=["utils"])
    assert len(sections) == 1 and sections[0].error is None
    report = (tmp_path / "report.md").read_text()
    assert "Shared measures" in report
    figure = sections[0].figures[0]
    assert (tmp_path / figure).stat().st_size > 1000
    assert figure in (tmp_path / "report.html").read_text()


def test_tour_reports_a_failing_demo(tmp_path, monkeypatch):
    from probstat import _tour

    def broken(out_dir, *, random_state=0):
        raise RuntimeError("boom")

    def ok(out_dir, *, random_state=0):
        return DemoSection("fine", findings=["1 + 1 = 2"])

    monkeypatch.setattr(_tour, "_demos", lambda: iter([("a", broken), ("b", ok)]))
    sections = run_tour(tmp_path)
    assert "boom" in sections[0].error
    assert sections[1].findings == ["1 + 1 = 2"]
    assert "RuntimeError: boom" in (tmp_path / "report.md").read_text()
    assert cli.main(["tour", "--out", str(tmp_path / "x")]) == 1


def test_info_command(capsys):
    assert cli.main(["info"]) == 0
    assert "GPU" in capsys.readouterr().out


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "probstat", *args], capture_output=True,
                          text=True)


def test_version_flag():
    import probstat

    done = _cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"probstat {probstat.__version__}"


def test_tour_help_lists_every_section():
    from probstat._tour import SECTIONS, _demos

    assert [name for name, _ in _demos()] == list(SECTIONS)
    done = _cli("tour", "--help")
    assert done.returncode == 0
    for name, text in SECTIONS.items():
        assert name in done.stdout and text in done.stdout


def test_unknown_section_is_an_error(tmp_path):
    done = _cli("tour", "--only", "foo", "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "invalid choice: 'foo'" in done.stderr and "bayesopt" in done.stderr
    assert not (tmp_path / "out").exists()


def test_run_tour_refuses_unknown_sections(tmp_path):
    with pytest.raises(ValueError, match="only must name sections among utils"):
        run_tour(tmp_path, only=["utils", "foo"])
    with pytest.raises(ValueError, match="only must name"):
        run_tour(tmp_path, only=[])

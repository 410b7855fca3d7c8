import subprocess
import sys

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

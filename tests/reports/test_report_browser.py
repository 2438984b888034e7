"""The report as a browser shows it: headless Chromium (Debian's ``chromium``) renders the page
of a warehouse holding real and simulated rows; the screenshot must not be blank and the page
must carry what a trader reads first. Skipped where Chromium is not installed."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from reports.build import write_report

CHROMIUM = Path("/usr/bin/chromium")
WINDOW = (1400, 3000)
# the mixed-data banner's background (#a34700), as 0..1 RGB
BANNER_RGB = np.array([0xA3, 0x47, 0x00]) / 255.0
NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)


def _screenshot(page: Path, png: Path, profile: Path) -> None:
    """Render ``page`` to ``png`` with a throwaway profile and nothing fetched from outside."""
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed (/usr/bin/chromium)")
def test_report_renders_in_chromium(mixed_warehouse: Path, tmp_path: Path) -> None:
    page = write_report(tmp_path / "report.html", now=NOW)
    png = tmp_path / "report.png"

    _screenshot(page, png, tmp_path / "profile")

    pixels = mpimg.imread(png)[:, :, :3]
    assert pixels.shape[:2] == (WINDOW[1], WINDOW[0])
    rgb = (pixels * 255).round().astype(np.uint32)
    distinct = np.unique(rgb[:, :, 0] << 16 | rgb[:, :, 1] << 8 | rgb[:, :, 2])
    assert len(distinct) > 200  # text, tables and plots, not a blank or single-colour page
    banner = np.all(np.abs(pixels - BANNER_RGB) < 0.02, axis=2)
    assert banner[:400].sum() > 10_000  # the mixed-data banner, styled, at the top

    html = page.read_text()
    assert "REAL AND SIMULATED DATA" in html
    sources = re.findall(r'<li class="source-line" data-source="([a-z]+)">', html)
    assert sources == ["real", "simulated"]
    assert "real: no verdicts; simulated: 1 of 3 station-contracts pass" in html
    assert (
        "no real observations (fct_climate_day has no real day with IEM observations): load IEM with `python -m pipelines run --source live`"
        in html
    )
    assert "Backtest equity curve: GO station-contracts only" in html
    assert 'alt="equity curve, GO only (simulated)"' in html
    assert 'alt="reliability diagram of the priced probability (simulated)"' in html

"""The run-time table of the HTML report, from Snakemake benchmark records."""

import math

import pytest

from nonrecip.pipeline.run_times import read_benchmark, run_times_html

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def _record(path, wall, cpu, rss="-"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{wall}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t95.0\t{cpu}\n")
    return path


def test_records_are_read_and_listed_slowest_first(tmp_path):
    fast = _record(tmp_path / "sync_finite" / "spectra_J.tsv", 1.5, 1.4, 120.0)
    slow = _record(tmp_path / "emission" / "map_k0" / "dynamics_3.tsv", 42.25, 80.5)
    record = read_benchmark(slow)
    assert record["s"] == 42.25 and record["cpu_time"] == 80.5 and math.isnan(record["max_rss"])
    page = run_times_html([fast, slow], tmp_path)
    assert page.index("emission/map_k0/dynamics_3") < page.index("sync_finite/spectra_J")
    assert "2 jobs, 44 s wall and 82 s CPU" in page and "<td>120.0</td>" in page


def test_an_empty_record_is_refused_with_its_path(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text(HEADER)
    with pytest.raises(ValueError, match="x.tsv"):
        read_benchmark(path)

"""Rank sweeps: search formats × ranks against the best known, locally or on a Dask cluster.

``sweep(formats, ranks="auto", strategy="als", budget=60)`` runs one cell per (format, rank)
for a fixed budget (:mod:`._cells`), on an executor (:mod:`discovery.search.executor`), records every
cell in a tidy ``cells.csv``, keeps every verified scheme (one folder per format) and a
``best.json`` per format, and resumes when run again (:mod:`._run`). :func:`write_report`
compares a sweep folder with the best known ranks (:mod:`._report`). The package is named
``sweeps`` so that ``discovery.sweep`` can be the function.
"""

from discovery.search.sweeps._cells import CellResult as CellResult
from discovery.search.sweeps._cells import fewest_additions as fewest_additions
from discovery.search.sweeps._config import STRATEGIES as STRATEGIES
from discovery.search.sweeps._config import SweepConfig as SweepConfig
from discovery.search.sweeps._config import SweepConfigError as SweepConfigError
from discovery.search.sweeps._config import formats_up_to as formats_up_to
from discovery.search.sweeps._config import parse_formats as parse_formats
from discovery.search.sweeps._config import parse_ranks as parse_ranks
from discovery.search.sweeps._flips import flips_cell as flips_cell
from discovery.search.sweeps._flips import prime_flips as prime_flips
from discovery.search.sweeps._plan import planned_ranks as planned_ranks
from discovery.search.sweeps._report import comparison_figure as comparison_figure
from discovery.search.sweeps._report import comparison_rows as comparison_rows
from discovery.search.sweeps._report import gap_lines as gap_lines
from discovery.search.sweeps._report import write_report as write_report
from discovery.search.sweeps._run import SweepResult as SweepResult
from discovery.search.sweeps._run import read_cells as read_cells
from discovery.search.sweeps._run import sweep as sweep
from discovery.search.sweeps._run import sweep_with as sweep_with

__all__ = [
    "CellResult", "STRATEGIES", "SweepConfig", "SweepConfigError", "SweepResult", "comparison_figure",
    "comparison_rows", "fewest_additions", "flips_cell", "formats_up_to", "gap_lines", "parse_formats", "parse_ranks",
    "planned_ranks", "prime_flips", "read_cells", "sweep", "sweep_with", "write_report",
]

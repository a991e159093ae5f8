"""The catalogue run: every format of a family from its best start, walked for a fixed budget,
against the best known ranks.

Each format (smallest first) starts from the best of the standard algorithm, a scheme composed
from a library and the results so far, and a projection of a larger result (:mod:`._starts`); it
walks the flip graph for the same recorded budget (the sweep's flips cell, on local processes or
a Dask cluster); its best scheme joins the library. An optional meta search over the family and a
last composition pass follow. One row per format goes to ``catalogue.csv`` with the gap figure
(:mod:`._report`); every scheme is verified exactly before it is kept; a rerun resumes.

May import: ``discovery.core``, ``formats``, ``ranks``, ``discovery.search.store``, ``summary``,
``executor``, ``flips``, ``meta`` and ``sweeps``.
"""

from discovery.search.catalogue._config import CatalogueConfig as CatalogueConfig
from discovery.search.catalogue._config import CatalogueConfigError as CatalogueConfigError
from discovery.search.catalogue._report import COLUMNS as COLUMNS
from discovery.search.catalogue._report import catalogue_figure as catalogue_figure
from discovery.search.catalogue._report import publish as publish
from discovery.search.catalogue._report import read_rows as read_rows
from discovery.search.catalogue._report import row_for as row_for
from discovery.search.catalogue._run import CatalogueResult as CatalogueResult
from discovery.search.catalogue._run import catalogue as catalogue
from discovery.search.catalogue._starts import Starts as Starts
from discovery.search.catalogue._starts import best_starts as best_starts
from discovery.search.catalogue._starts import load_library as load_library

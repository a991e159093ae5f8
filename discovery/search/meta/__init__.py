"""The meta search: many walkers across a family of formats (Perminov's meta flip graph,
arXiv 2511.20317, 2603.02398; Kauers & Wood, arXiv 2510.19787).

A walker alternates a walk phase on its format (:func:`discovery.search.flips.flip_search`) with a
meta move (:mod:`discovery.core.meta`: project, extend, merge) taken with a probability and by a
strategy; a walker far above its format's best known rank resets. The best verified schemes of every
format are kept in one folder per format (:class:`discovery.search.store.SchemeStore`).

May import: ``discovery.core``, ``formats``, ``ranks``, ``discovery.search.store``, ``summary`` and
``flips``.
"""

from discovery.search.meta._best import BestSchemes as BestSchemes
from discovery.search.meta._config import STARTS as STARTS
from discovery.search.meta._config import STRATEGIES as STRATEGIES
from discovery.search.meta._config import MetaConfig as MetaConfig
from discovery.search.meta._config import MetaConfigError as MetaConfigError
from discovery.search.meta._config import family_up_to as family_up_to
from discovery.search.meta._moves import meta_move as meta_move
from discovery.search.meta._plot import walk_figure as walk_figure
from discovery.search.meta._run import MetaResult as MetaResult
from discovery.search.meta._run import meta_search as meta_search

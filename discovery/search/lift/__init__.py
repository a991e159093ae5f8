"""Hensel lifting of schemes valid modulo 2 or 3 to exact schemes over Z or Q.

* :func:`lift` — the lift (see :mod:`discovery.search.lift._lift` for the method).
* :class:`LiftConfig`, :class:`LiftResult`, :class:`LiftOutcome` — its settings, its result (in the
  run-summary vocabulary of :mod:`discovery.search.summary`) and what came of it.
"""

from discovery.search.lift._lift import lift as lift
from discovery.search.lift._result import LiftConfig as LiftConfig
from discovery.search.lift._result import LiftOutcome as LiftOutcome
from discovery.search.lift._result import LiftResult as LiftResult

__all__ = ["LiftConfig", "LiftOutcome", "LiftResult", "lift"]

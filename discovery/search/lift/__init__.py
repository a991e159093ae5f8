"""Hensel lifting of schemes valid modulo 2 or 3 to exact schemes over Z or Q.

* :func:`lift` — the lift (see :mod:`discovery.search.lift._lift` for the method).
* :class:`LiftConfig`, :class:`LiftResult`, :class:`LiftStop` — its settings, outcome and stop reason.
"""

from discovery.search.lift._lift import lift as lift
from discovery.search.lift._result import LiftConfig as LiftConfig
from discovery.search.lift._result import LiftResult as LiftResult
from discovery.search.lift._result import LiftStop as LiftStop

__all__ = ["LiftConfig", "LiftResult", "LiftStop", "lift"]

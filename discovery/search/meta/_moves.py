"""The meta move a walker takes after a walk phase: which moves lead into the family, and one drawn.

A walker's scheme is always held in its sorted orientation (n <= m <= p, the family's keys);
a move permutes a partner's format where a merge needs it and sorts the result again. Every
scheme returned comes from :mod:`discovery.core.meta`, so it is verified exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from discovery.core.meta import extend, merge, project
from discovery.core.scheme import Scheme
from discovery.ranks.bounds import permuted

Format = tuple[int, int, int]


def sorted_format(f) -> Format:
    return tuple(sorted(int(x) for x in f))


def oriented(s: Scheme) -> Scheme:
    """``s`` in its sorted orientation (the same scheme up to transposition and rotation)."""
    return permuted(s, sorted_format(s.format))


def merge_options(fmt: Format, rank: int, partners: dict[Format, int], family: set[Format],
                  limit: Callable[[Format], float]) -> list[tuple[Format, Format, int]]:
    """(partner format, its orientation, axis) for every merge of a scheme of ``fmt`` and ``rank``
    with a partner (format -> rank) whose result is in ``family`` within ``limit``.

    Only the partner is permuted: merging after permuting both formats gives the same result up to
    a permutation of the format, and the result is sorted anyway.
    """
    out = []
    for g, rg in partners.items():
        for gp in sorted(set(itertools.permutations(g))):
            for x in range(3):
                if any(gp[d] != fmt[d] for d in range(3) if d != x):
                    continue
                new = list(fmt)
                new[x] += gp[x]
                key = sorted_format(new)
                if key in family and rank + rg <= limit(key):
                    out.append((g, gp, x))
    return out


def project_options(fmt: Format, family: set[Format]) -> list[int]:
    """The axes along which dropping one entry of ``fmt`` gives a format of ``family``."""
    return [x for x in range(3) if sorted_format(fmt[:x] + (fmt[x] - 1,) + fmt[x + 1:]) in family]


def extend_options(fmt: Format, rank: int, family: set[Format], limit: Callable[[Format], float]) -> list[int]:
    """The axes along which one more entry gives a format of ``family`` within ``limit``."""
    out = []
    for x in range(3):
        new = sorted_format(fmt[:x] + (fmt[x] + 1,) + fmt[x + 1:])
        added = int(np.prod([fmt[d] for d in range(3) if d != x]))
        if new in family and rank + added <= limit(new):
            out.append(x)
    return out


def meta_move(s: Scheme, strategy: str, rng: np.random.Generator, family: set[Format],
              best: dict[Format, list[Scheme]], limit: Callable[[Format], float]) -> tuple[str, Scheme] | None:
    """One meta move of ``s`` by ``strategy`` ("default", "proj", "ext"), or None if none applies.

    Args:
        s: the walker's scheme (sorted orientation). rng: the search's generator (draws in a
            fixed order, so the search is reproducible). family: the formats a move may reach.
        best: format -> the best schemes held for it (merge partners).
        limit: format -> the highest rank a move may reach there (reference + margin).
    Returns ("merge" | "project" | "extend", the new scheme in sorted orientation).
    """
    fmt, r = s.format, s.rank
    if strategy == "default":
        partners = {g: schemes[0].rank for g, schemes in best.items() if schemes}
        options = merge_options(fmt, r, partners, family, limit)
        if options:
            g, gp, x = options[int(rng.integers(len(options)))]
            partner = best[g][int(rng.integers(len(best[g])))]
            return "merge", oriented(merge(s, permuted(partner, gp), x))
        kinds = ("project", "extend") if rng.random() < 0.5 else ("extend", "project")
    else:
        kinds = ("project",) if strategy == "proj" else ("extend",)
    for kind in kinds:
        if kind == "project":
            axes = project_options(fmt, family)
            if axes:
                x = axes[int(rng.integers(len(axes)))]
                return "project", oriented(project(s, x, int(rng.integers(fmt[x]))))
        else:
            axes = extend_options(fmt, r, family, limit)
            if axes:
                return "extend", oriented(extend(s, axes[int(rng.integers(len(axes)))]))
    return None

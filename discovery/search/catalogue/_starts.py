"""Where each format of a catalogue starts: the best of the standard algorithm, a scheme composed
from the library (direct sums, Kronecker products, restrictions: :class:`~discovery.ranks.bounds.RankTable`)
and a meta start (a projection of a scheme one row or column larger, :func:`discovery.core.meta.project`).

Two starts per format: the best ternary one (the flip walk needs coefficients in {-1,0,1}) and the
best exact one over any ring (an integer or rational scheme of lower rank is kept as the format's
result, not walked). Every scheme here is exact: library files are verified as they are read, and
every composed or projected scheme is verified by the core before it is returned.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from discovery.core.known import standard, strassen
from discovery.core.meta import project
from discovery.core.scheme import Scheme
from discovery.core.verify import require_valid, verify
from discovery.errors import DiscoveryError, RunRecordFile
from discovery.formats import load_schemes, scheme_files
from discovery.ranks.bounds import RankTable, permuted

Format = tuple[int, int, int]


def ring_of(s: Scheme) -> str:
    """The smallest ring a scheme is exact over, as the catalogue records it: ZT, Z or Q."""
    if s.is_ternary:
        return "ZT"
    return "Z" if verify(s, "Z").ok else "Q"


def load_library(paths) -> tuple[list[Scheme], list[str]]:
    """Every scheme exact over Q in ``paths`` (files or folders; run records skipped), and one line
    per file or scheme left out (unreadable, or valid only modulo a prime)."""
    schemes: list[Scheme] = []
    skipped: list[str] = []
    for given in paths:
        q = Path(given)
        files = scheme_files(q, recursive=True) if q.is_dir() else [q]
        for f in files:
            try:
                items = load_schemes(f)
            except RunRecordFile:
                continue
            except DiscoveryError as exc:
                skipped.append(f"{f}: {exc}")
                continue
            for label, s in items:
                if s.ring in ("Z2", "Z3") or not verify(s, "Q").ok:
                    skipped.append(f"{label}: not exact over Q (valid modulo a prime at most)")
                    continue
                schemes.append(s)
    return schemes, skipped


RESTRICT_REACH = 2  # restrict schemes at most this many rows and columns larger in all (nearer ones win)


def lowest_per_format(library: list[Scheme]) -> list[Scheme]:
    """The lowest-rank ternary and the lowest-rank scheme of every sorted format in ``library``
    (what composition and projection can use: a higher-rank scheme of a format never beats them)."""
    best: dict[tuple, Scheme] = {}
    for s in library:
        for key in ((tuple(sorted(s.format)), s.is_ternary), (tuple(sorted(s.format)), None)):
            if key[1] is False:
                continue
            if key not in best or s.rank < best[key].rank:
                best[key] = s
    out = []
    for s in best.values():
        if all(s is not t for t in out):
            out.append(s)
    return out


def _larger(s: Scheme, fmt: Format, reach: int):
    """The orientations of ``s`` that contain ``fmt`` and are at most ``reach`` entries larger."""
    for perm in sorted(set(itertools.permutations(s.format))):
        diff = [a - b for a, b in zip(perm, fmt)]
        if min(diff) >= 0 and 0 < sum(diff) <= reach:
            yield perm, diff


def _composed(fmt: Format, library: list[Scheme]) -> Scheme:
    """The lowest-rank scheme for ``fmt`` composed from ``library`` (and Strassen, the standard
    algorithm) or restricted from a slightly larger library scheme; verified."""
    from discovery.core.transforms import restrict

    best = RankTable([strassen(), *library], max_dim=max(fmt)).build(fmt)
    for s in library:
        for perm, _ in _larger(s, fmt, RESTRICT_REACH):
            cand = restrict(permuted(s, perm), *fmt)
            if cand.rank < best.rank:
                best = cand
    return require_valid(best)


def _projected(fmt: Format, library: list[Scheme]) -> Scheme | None:
    """The lowest-rank projection onto ``fmt`` of a scheme one entry larger along one axis (each
    index tried: which products vanish depends on the row or column dropped); None if none."""
    best = None
    for s in library:
        for perm, diff in _larger(s, fmt, 1):
            x = diff.index(1)
            t = permuted(s, perm)
            for i in range(perm[x]):
                cand = project(t, x, i)
                if best is None or cand.rank < best.rank:
                    best = cand
    return best


@dataclass(frozen=True)
class Starts:
    """The starts of one format: ``ternary`` (walked) and ``exact`` (over any ring, rank <= the
    ternary one's), each with how it was made: "standard", "composed" or "meta"."""

    ternary: Scheme
    ternary_how: str
    exact: Scheme
    exact_how: str


def _best(cands: list[tuple[str, Scheme | None]]) -> tuple[str, Scheme]:
    got = [(s.rank, k, how, s) for k, (how, s) in enumerate(cands) if s is not None]
    _rank, _k, how, s = min(got)
    return how, s


def best_starts(fmt: Format, library: list[Scheme]) -> Starts:
    """The best ternary and the best exact start for ``fmt`` (sorted or not) from ``library``
    (exact schemes of any formats: the known library and the catalogue's results so far).

    Candidates, lowest rank first, earlier on a tie: the standard algorithm, the composed scheme,
    the best projection (meta start). Ternary schemes compose into ternary ones, so the ternary
    start uses the ternary part of the library only.
    """
    fmt = tuple(int(x) for x in fmt)
    library = lowest_per_format(library)
    tern = [s for s in library if s.is_ternary]
    how_t, s_t = _best([("standard", standard(*fmt)), ("composed", _composed(fmt, tern)),
                        ("meta", _projected(fmt, tern))])
    others = [s for s in library if not s.is_ternary]
    if not others:
        return Starts(s_t, how_t, s_t, how_t)
    how_e, s_e = _best([(how_t, s_t), ("composed", _composed(fmt, library)), ("meta", _projected(fmt, others))])
    return Starts(s_t, how_t, s_e, how_e)

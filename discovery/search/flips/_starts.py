"""Starting points for flip-graph walks: the standard algorithm, scheme files and folders,
and schemes composed from smaller ones (direct sums, Kronecker products, restrictions)."""

from __future__ import annotations

import os
from pathlib import Path

from discovery.ranks.bounds import RankTable, permuted
from discovery.errors import DiscoveryError, RunRecordFile, SchemeFileError, VerificationError
from discovery.formats import EXTENSIONS, load_schemes
from discovery.core.known import standard, strassen
from discovery.core.scheme import Scheme
from discovery.core.transforms import restrict
from discovery.core.verify import verify


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(q for q in path.rglob("*") if q.suffix.lower() in EXTENSIONS and q.is_file())
    if not path.exists():
        raise SchemeFileError(f"{path}: no such file or folder")
    return [path]


def load_starts(paths: list[str | os.PathLike], fmt: tuple[int, int, int], ring: str) -> list[Scheme]:
    """Every scheme of format ``fmt`` in ``paths`` (files, or folders such as the solver's
    output), each checked exactly over ``ring``.

    A start of another format, or one that is not exact over ``ring``, is an error naming
    the file (solver run records in folders are skipped). A larger format is accepted and
    restricted to ``fmt`` (:func:`discovery.core.transforms.restrict`).
    """
    out: list[Scheme] = []
    for given in paths:
        files = _files(Path(given))
        for f in files:
            try:
                items = load_schemes(f)
            except RunRecordFile:
                continue
            for label, s in items:
                if s.format != tuple(fmt):
                    if all(a >= b for a, b in zip(s.format, fmt)):
                        s = restrict(s, *fmt)
                    elif len(files) > 1:
                        continue  # a folder of mixed formats: take the ones that fit
                    else:
                        raise DiscoveryError(
                            f"{label}: the start is <{','.join(map(str, s.format))}> but the walk is for "
                            f"<{','.join(map(str, fmt))}>; give a scheme of that format (or a larger one)")
                if ring == "ZT" and not s.is_ternary:
                    raise DiscoveryError(f"{label}: coefficients outside {{-1,0,1}}; a ZT walk needs a "
                                         "ternary start (use --ring Z2 to walk modulo 2)")
                report = verify(s, ring)
                if not report.ok:
                    raise VerificationError(f"{label}: not a valid start over {ring}: {report.summary(2)}")
                out.append(s)
    if not out:
        raise DiscoveryError(f"no scheme of format <{','.join(map(str, fmt))}> in {', '.join(map(str, paths))}")
    return out


def composed_start(fmt: tuple[int, int, int], library: list[Scheme] | None = None,
                   ring: str = "ZT") -> Scheme:
    """The lowest-rank scheme for ``fmt`` composed from ``library`` (plus Strassen and the
    standard algorithm) by direct sums and Kronecker products, or restricted from a larger
    library scheme; verified exactly (:class:`discovery.ranks.bounds.RankTable`)."""
    lib = [strassen()] + [s for s in (library or []) if ring == "Z2" or s.is_ternary]
    lib = [s for s in lib if s.ring != "Z2" or ring == "Z2"]
    size = max(max(fmt), *(max(s.format) for s in lib))
    best = RankTable(lib, max_dim=size).build(fmt)
    for s in lib:  # a larger scheme restricted to fmt can beat the composition
        if s.format != tuple(fmt) and all(a >= b for a, b in zip(sorted(s.format), sorted(fmt))):
            cand = restrict(permuted(s, _fit(s.format, fmt)), *fmt)
            if cand.rank < best.rank:
                best = cand
    return best if ring != "Z2" else best.with_ring("Z2")


def _fit(big: tuple[int, int, int], fmt: tuple[int, int, int]) -> tuple[int, int, int]:
    """A permutation of ``big`` that dominates ``fmt`` entry by entry."""
    import itertools

    for perm in itertools.permutations(big):
        if all(a >= b for a, b in zip(perm, fmt)):
            return perm
    raise DiscoveryError(f"{big} does not contain {fmt}")


def standard_start(fmt: tuple[int, int, int]) -> Scheme:
    return standard(*fmt)

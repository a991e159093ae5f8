"""Hensel lifting: known schemes reduced mod 2 come back exact; mod-2-only ones are named."""

import numpy as np
import pytest

import discovery as d
from discovery.errors import DiscoveryError
from discovery.search.lift import lift


@pytest.mark.parametrize("s", [d.strassen(), d.winograd(), d.laderman()], ids=lambda s: s.name)
def test_a_known_scheme_reduced_mod_2_lifts_to_an_exact_one(s):
    mod2 = d.Scheme.from_rows(*s.format, s.u % 2, s.v % 2, s.w % 2, ring="Z2")
    assert not d.verify(mod2, "Q").ok  # the reduction alone is not exact over Q
    res = lift(mod2)
    assert res.ok and d.verify(res.scheme, "Q").ok and res.scheme.rank == s.rank
    assert np.array_equal(np.asarray(res.scheme.u, dtype=object) % 2, s.u % 2)  # same scheme mod 2
    assert d.verify_sympy(res.scheme).ok


def test_alphatensor_mod_2_schemes(shared_data):
    f2 = dict((lab.split("[")[1].rstrip("]"), s)
              for lab, s in d.load_schemes(shared_data / "alphatensor" / "factorizations_f2.npz"))
    for key in ("2,2,3", "2,3,3", "3,3,3", "2,4,4"):  # ranks equal to the integer ranks
        res = lift(f2[key])
        assert res.ok and d.verify(res.scheme, "Q").ok, key
    res = lift(f2["4,4,4"])  # rank 47 exists only in characteristic 2
    assert not res.ok and res.failed_step == 1 and "no lift exists" in res.message


def test_lift_refuses_a_scheme_that_is_wrong_mod_2():
    s = d.strassen()
    u = s.u % 2
    u[0, 0] ^= 1
    with pytest.raises(DiscoveryError, match="not valid modulo 2"):
        lift(d.Scheme.from_rows(2, 2, 2, u, s.v % 2, s.w % 2, ring="Z2"))

"""The one result store: the door verifies before it writes, loading names every file it skips."""

from __future__ import annotations

import json

import numpy as np
import pytest

import discovery as d
from discovery.errors import RunRecordFile, SchemeFileError, SchemeFormatError, VerificationError
from discovery.search.store import Added, SchemeStore, Skipped


def _wrong(s: d.Scheme) -> d.Scheme:
    """``s`` with its first w coefficient zeroed: not exact over any ring."""
    w = np.array(s.w)
    w[0, np.flatnonzero(w[0])[0]] = 0
    return d.Scheme(s.n, s.m, s.p, s.u, s.v, w, ring=s.ring)


def _mod2_only() -> d.Scheme:
    """Strassen with one coefficient off by 2: valid modulo 2, wrong over the integers."""
    s = d.strassen()
    u = np.array(s.u)
    u[0, 0] += 2
    return d.Scheme(2, 2, 2, u, s.v, s.w, ring="Z")


def test_add_verifies_then_writes_once_under_the_fingerprint(tmp_path):
    store = SchemeStore(tmp_path / "new" / "folder", fmt=(2, 2, 2), ring="ZT")
    assert store.folder.is_dir() and len(store) == 0 and store.best_rank() is None
    with pytest.raises(VerificationError):
        store.add(_wrong(d.strassen()))
    assert list(store.folder.iterdir()) == []  # nothing written for a wrong scheme
    added = store.add(d.strassen())
    assert added == Added(d.fingerprint(d.strassen()), store.folder / f"r7-{added.fingerprint}.json", True)
    assert d.load_scheme(added.path) == d.strassen() and added.fingerprint in store and len(store) == 1
    again = store.add(d.strassen().with_provenance(d.Provenance("elsewhere")))
    assert again.is_new is False and again.path == added.path and len(store) == 1
    with pytest.raises(SchemeFormatError, match="not of the store's format <2,2,2>"):
        store.add(d.laderman())
    # a ZT store refuses integer coefficients outside {-1,0,1}, a Z one takes them
    big = d.sandwich(d.strassen(), np.array([[2, 1], [1, 1]]), np.eye(2, dtype=int), np.eye(2, dtype=int))
    assert big.is_integral and not big.is_ternary
    with pytest.raises(VerificationError):
        store.add(big)
    assert SchemeStore(tmp_path / "z", ring=d.Ring.Z).add(big).is_new
    # a new store on the same folder knows what is there by name
    assert added.fingerprint in SchemeStore(store.folder) and store.best_rank() == 7


def test_a_mod2_store_takes_what_holds_modulo_2_only(tmp_path):
    s = _mod2_only()
    with pytest.raises(VerificationError):
        SchemeStore(tmp_path / "zt").add(s)
    assert SchemeStore(tmp_path / "z2", ring="Z2").add(s).is_new


def test_existing_names_every_file_it_skips_and_why(tmp_path):
    store = SchemeStore(tmp_path, fmt=(2, 2, 2), ring="ZT")
    store.add(d.strassen())
    store.add(d.winograd())
    d.save_scheme(d.standard(2, 2, 2), tmp_path / "standard.exp")          # any scheme file counts
    store.record("best.json", {"format": [2, 2, 2], "rank": 7, "file": "x.json"})
    store.record("run-r7-als-seed0.json", {"config": {"n": 2}, "done": [[0, 4]]})
    (tmp_path / "old-best.json").write_text(json.dumps({"format": [2, 2, 2], "rank": 7}))  # no record key
    (tmp_path / "broken.json").write_text("{not json")
    d.save_scheme(d.laderman(), tmp_path / "laderman.json")
    d.save_scheme(_wrong(d.strassen()), tmp_path / "wrong.json")
    d.save_scheme(_mod2_only(), tmp_path / "mod2.json")
    (tmp_path / "cells.csv").write_text("a,b\n")                            # not a scheme file
    (tmp_path / ".r7-0.json.tmp").write_text("half")                        # an atomic write in flight
    schemes, skipped = store.existing()
    assert sorted(s.rank for s in schemes) == [7, 7, 8]
    assert {s for s in schemes} == {d.strassen(), d.winograd(), d.standard(2, 2, 2)}
    why = {q.path.name: (q.kind, q.reason) for q in skipped}
    assert set(why) == {"best.json", "run-r7-als-seed0.json", "old-best.json", "broken.json", "laderman.json",
                        "wrong.json", "mod2.json"}
    assert {k for k, (kind, _) in why.items() if kind == "record"} == {"best.json", "run-r7-als-seed0.json",
                                                                     "old-best.json"}
    assert why["broken.json"][0] == "unreadable" and "not valid JSON" in why["broken.json"][1]
    assert why["laderman.json"] == ("format", f"{tmp_path / 'laderman.json'}: <3,3,3> rank 23, not of the "
                                              "store's format <2,2,2>")
    assert why["wrong.json"][0] == "inexact" and "not exact over ZT" in why["wrong.json"][1]
    assert why["mod2.json"][0] == "inexact"
    assert all(isinstance(q, Skipped) for q in skipped) and store.best_rank() == 7
    # without a format every format counts; over Z2 the mod-2 scheme too
    schemes, _ = SchemeStore(tmp_path, ring="Z2", create=False).existing()
    assert {s.format for s in schemes} == {(2, 2, 2), (3, 3, 3)} and _mod2_only() in schemes


def test_records_are_json_never_schemes_and_read_back(tmp_path):
    store = SchemeStore(tmp_path)
    path = store.record("best.json", {"rank": 7, "record": "ignored"})
    assert json.loads(path.read_text()) == {"record": "best", "rank": 7}
    assert store.read_record("best.json") == {"rank": 7} and store.read_record("none.json") is None
    with pytest.raises(RunRecordFile):
        d.load_schemes(path)
    for bad in ["r7-0123abcd.json", "../x.json", "state.txt", ".hidden.json"]:
        with pytest.raises(ValueError, match="run record name"):
            store.record(bad, {})
    (tmp_path / "state.json").write_text("[1, 2")
    with pytest.raises(SchemeFileError, match="state.json: the run record is damaged.*remove it"):
        store.read_record("state.json")


def test_a_missing_folder_is_one_clear_error(tmp_path):
    with pytest.raises(SchemeFileError, match="does not exist"):
        SchemeStore(tmp_path / "nope", create=False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(SchemeFileError, match="cannot create the folder|is not a folder"):
        SchemeStore(tmp_path / "file")
    with pytest.raises(SchemeFormatError, match="unknown ring"):
        SchemeStore(tmp_path, ring="Z5")
    with pytest.raises(SchemeFormatError, match="three positive integers"):
        SchemeStore(tmp_path, fmt=(2, 0, 2))


def test_a_folder_with_records_is_a_scheme_source_for_the_flips(tmp_path):
    flips = pytest.importorskip("discovery.search.flips")
    store = SchemeStore(tmp_path, fmt=(2, 2, 2))
    store.add(d.strassen())
    store.record("best.json", {"format": [2, 2, 2], "rank": 7, "file": "r7.json"})
    (tmp_path / "run-r7-als-seed0.json").write_text(json.dumps({"config": {}, "done": []}))
    assert flips.load_starts([tmp_path], (2, 2, 2), "ZT") == [d.strassen()]

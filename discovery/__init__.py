"""discovery: fast matrix multiplication algorithms and multiplication-budget neural networks.

The public API is the explicit list of re-exports below, grouped by module.
"""

from ._version import __version__ as __version__

from ._lazy import lazy_exports

# --- scheme core (tensor, Scheme, verification, known algorithms, transforms, symmetry, formats) ---
from .errors import DiscoveryError as DiscoveryError
from .errors import SchemeFileError as SchemeFileError
from .errors import SchemeFormatError as SchemeFormatError
from .errors import UnsafeFileError as UnsafeFileError
from .errors import VerificationError as VerificationError
from .formats import from_graphml as from_graphml
from .formats import load_scheme as load_scheme
from .formats import load_schemes as load_schemes
from .formats import load_symmetric as load_symmetric
from .formats import save_scheme as save_scheme
from .formats import read_reduced as read_reduced
from .formats import save_schemes as save_schemes
from .formats import save_symmetric as save_symmetric
from .formats import to_dot as to_dot
from .formats import to_graphml as to_graphml
from .formats import to_reduced as to_reduced
from .core.formulas import from_formulas as from_formulas
from .core.formulas import to_formulas as to_formulas
from .core.known import CATALOGUE as CATALOGUE
from .core.known import known as known
from .core.known import laderman as laderman
from .core.known import standard as standard
from .core.known import strassen as strassen
from .core.known import winograd as winograd
from .core.scheme import OperationCounts as OperationCounts
from .core.scheme import Provenance as Provenance
from .core.scheme import Ring as Ring
from .core.scheme import Scheme as Scheme
from .core.symmetry import SymmetricScheme as SymmetricScheme
from .core.symmetry import SymmetryGroup as SymmetryGroup
from .core.symmetry import detect_symmetry as detect_symmetry
from .core.symmetry import symmetric_pad as symmetric_pad
from .core.symmetry import symmetric_standard as symmetric_standard
from .core.tensor import matmul_tensor as matmul_tensor
from .core.transforms import canonical as canonical
from .core.transforms import cyclic as cyclic
from .core.transforms import direct_sum as direct_sum
from .core.transforms import fingerprint as fingerprint
from .core.transforms import kron as kron
from .core.transforms import permute_terms as permute_terms
from .core.transforms import sandwich as sandwich
from .core.transforms import scale_term as scale_term
from .core.transforms import restrict as restrict
from .core.transforms import transpose as transpose
from .core.meta import extend as extend
from .core.meta import merge as merge
from .core.meta import product as product
from .core.meta import project as project
from .core.equivalence import Equivalence as Equivalence
from .core.equivalence import find_equivalence as find_equivalence
from .core.verify import BrentFailure as BrentFailure
from .core.verify import VerificationReport as VerificationReport
from .core.verify import require_valid as require_valid
from .core.verify import valid_rings as valid_rings
from .core.verify import verify as verify
from .core.verify import verify_sympy as verify_sympy

# --- symbolic simplification, circuits, exports, fast multiplication ---
from .circuits.circuit import CircuitCounts as CircuitCounts
from .circuits.circuit import build_circuit as build_circuit
from .circuits.circuit import circuit_counts as circuit_counts
from .circuits.circuit import evaluate_circuit as evaluate_circuit
from .circuits.codegen import to_latex as to_latex
from .circuits.codegen import to_program as to_program
from .circuits.codegen import to_python as to_python
from .circuits.codegen import to_text as to_text
from .circuits.fastmm import BlockMultiplier as BlockMultiplier
from .circuits.fastmm import fast_matmul as fast_matmul
from .circuits.optimize_additions import optimize_additions as optimize_additions
from .circuits.slp import LinearProgram as LinearProgram
from .circuits.symbolic import SimplifiedScheme as SimplifiedScheme
from .circuits.symbolic import simplify_additions as simplify_additions

# --- neural-network layers live in discovery.nn (import torch lazily there) ---

# --- rank sweeps against the best known, and where batches run (local processes or Dask) ---
from .ranks.best_known import BestKnown as BestKnown
from .ranks.best_known import best_known as best_known
from .ranks.best_known import best_known_table as best_known_table
from .search.summary import Stop as Stop

# --- quantizers shared by the solver and the layers; the solver ---
# These modules import torch (or numba: flips, lift; or cost start-up time: sweeps, executors), so they load on
# first use (see discovery/_lazy.py); this dict is the one list of them.
_LAZY_EXPORTS = {
    "QuantMode": ".spn.quant",
    "TernaryMethod": ".spn.quant",
    "Ternarizer": ".spn.quant",
    "ste": ".spn.quant",
    "ste_ternarize": ".spn.quant",
    "ternarize": ".spn.quant",
    "ternarize_threshold": ".spn.quant",
    "ternarize_twn": ".spn.quant",
    "ternary_scale": ".spn.quant",
    "DiscoverResult": ".search.solver",
    "SolverConfig": ".search.solver",
    "FlipConfig": ".search.flips",
    "discover": ".search.solver",
    "MatMulSPN": ".search.solver._spn",
    # numba-compiled flip-graph walks and Hensel lifting (numba loads on first use too)
    "FlipResult": ".search.flips",
    "ExploreResult": ".search.flips",
    "explore": ".search.flips",
    "flip_search": ".search.flips",
    "LiftConfig": ".search.lift",
    "LiftResult": ".search.lift",
    "LiftOutcome": ".search.lift",
    "lift": ".search.lift",
    "SymmetricConfig": ".search.flips",
    "SymmetricResult": ".search.flips",
    "symmetric_search": ".search.flips",
    # sweeps and the executors they run on: plain Python, but ~50 ms of import time otherwise
    "DaskExecutor": ".search.executor",
    "LocalExecutor": ".search.executor",
    "make_executor": ".search.executor",
    "SweepConfig": ".search.sweeps",
    "SweepResult": ".search.sweeps",
    "sweep": ".search.sweeps",
}
__getattr__, __dir__ = lazy_exports(__name__, _LAZY_EXPORTS)

"""discovery: fast matrix multiplication algorithms and multiplication-budget neural networks.

The public API is the explicit list of re-exports below, grouped by module.
"""

__version__ = "0.1.0"

from ._lazy import lazy_exports

# --- scheme core (tensor, Scheme, verification, known algorithms, transforms, formats) ---
from .errors import DiscoveryError as DiscoveryError
from .errors import SchemeFileError as SchemeFileError
from .errors import SchemeFormatError as SchemeFormatError
from .errors import UnsafeFileError as UnsafeFileError
from .errors import VerificationError as VerificationError
from .formats import load_scheme as load_scheme
from .formats import load_schemes as load_schemes
from .formats import save_scheme as save_scheme
from .formats import save_schemes as save_schemes
from .formulas import from_formulas as from_formulas
from .formulas import to_formulas as to_formulas
from .known import CATALOGUE as CATALOGUE
from .known import known as known
from .known import laderman as laderman
from .known import standard as standard
from .known import strassen as strassen
from .known import winograd as winograd
from .scheme import OperationCounts as OperationCounts
from .scheme import Provenance as Provenance
from .scheme import Ring as Ring
from .scheme import Scheme as Scheme
from .tensor import matmul_tensor as matmul_tensor
from .transforms import canonical as canonical
from .transforms import cyclic as cyclic
from .transforms import direct_sum as direct_sum
from .transforms import fingerprint as fingerprint
from .transforms import kron as kron
from .transforms import permute_terms as permute_terms
from .transforms import sandwich as sandwich
from .transforms import scale_term as scale_term
from .transforms import restrict as restrict
from .transforms import transpose as transpose
from .equivalence import Equivalence as Equivalence
from .equivalence import find_equivalence as find_equivalence
from .verify import BrentFailure as BrentFailure
from .verify import VerificationReport as VerificationReport
from .verify import require_valid as require_valid
from .verify import valid_rings as valid_rings
from .verify import verify as verify
from .verify import verify_sympy as verify_sympy

# --- quantizers shared by the solver and the layers; the solver ---
# These modules import torch (or numba: flips, lift), so they load on first use (see discovery/_lazy.py); this dict
# is the one list of them.
_TORCH_EXPORTS = {
    "QuantMode": ".quant",
    "TernaryMethod": ".quant",
    "Ternarizer": ".quant",
    "ste": ".quant",
    "ste_ternarize": ".quant",
    "ternarize": ".quant",
    "ternarize_threshold": ".quant",
    "ternarize_twn": ".quant",
    "ternary_scale": ".quant",
    "DiscoverResult": ".solver",
    "SolverConfig": ".solver",
    "discover": ".solver",
    "MatMulSPN": ".solver._spn",
    # numba-compiled flip-graph walks and Hensel lifting (numba loads on first use too)
    "FlipResult": ".flips",
    "ExploreResult": ".flips",
    "explore": ".flips",
    "flip_search": ".flips",
    "LiftResult": ".lift",
    "lift": ".lift",
}
__getattr__, __dir__ = lazy_exports(__name__, _TORCH_EXPORTS)

# --- symbolic simplification, circuits, exports, fast multiplication ---
from .circuit import CircuitCounts as CircuitCounts
from .circuit import build_circuit as build_circuit
from .circuit import circuit_counts as circuit_counts
from .circuit import evaluate_circuit as evaluate_circuit
from .circuit import to_dot as to_dot
from .circuit import to_graphml as to_graphml
from .codegen import to_latex as to_latex
from .codegen import to_program as to_program
from .codegen import to_python as to_python
from .fastmm import BlockMultiplier as BlockMultiplier
from .fastmm import fast_matmul as fast_matmul
from .optimize_additions import optimize_additions as optimize_additions
from .slp import LinearProgram as LinearProgram
from .symbolic import SimplifiedScheme as SimplifiedScheme
from .symbolic import read_reduced as read_reduced
from .symbolic import simplify_additions as simplify_additions
from .symbolic import to_reduced as to_reduced

# --- neural-network layers live in discovery.nn (import torch lazily there) ---

# --- rank sweeps against the best known, and where batches run (local processes or Dask) ---
from .best_ranks import BestKnown as BestKnown
from .best_ranks import best_known as best_known
from .best_ranks import best_known_table as best_known_table
from .executor import DaskExecutor as DaskExecutor
from .executor import LocalExecutor as LocalExecutor
from .executor import make_executor as make_executor
from .sweeps import SweepConfig as SweepConfig
from .sweeps import SweepResult as SweepResult
from .sweeps import sweep as sweep

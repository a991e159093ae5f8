"""discovery: fast matrix multiplication algorithms and multiplication-budget neural networks.

The public API is the explicit list of re-exports below, grouped by module.
"""

__version__ = "0.1.0"

# --- scheme core (tensor, Scheme, verification, known algorithms, transforms, formats) ---

# --- quantizers shared by the solver and the layers ---
from .quant import QuantMode as QuantMode
from .quant import TernaryMethod as TernaryMethod
from .quant import ste as ste
from .quant import ste_ternarize as ste_ternarize
from .quant import ternarize as ternarize
from .quant import ternarize_threshold as ternarize_threshold
from .quant import ternarize_twn as ternarize_twn
from .quant import ternary_scale as ternary_scale

# --- solver ---

# --- symbolic simplification, circuits, exports, fast multiplication ---

# --- neural-network layers live in discovery.nn (import torch lazily there) ---

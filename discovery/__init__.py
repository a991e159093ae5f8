"""discovery: fast matrix multiplication algorithms and multiplication-budget neural networks.

The public API is the explicit list of re-exports below, grouped by module.
"""

__version__ = "0.1.0"

# --- scheme core (tensor, Scheme, verification, known algorithms, transforms, formats) ---

# --- quantizers shared by the solver and the layers ---

# --- solver ---

# --- symbolic simplification, circuits, exports, fast multiplication ---

# --- neural-network layers live in discovery.nn (import torch lazily there) ---

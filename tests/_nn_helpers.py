"""Shared test data: Strassen's 2×2 scheme as SPN factors (row-major vec, C indexed normally)."""

import torch

# M_t = (U[t] · vec(A)) * (V[t] · vec(B)); vec(A @ B) = W @ M. vec(X) = [X11, X12, X21, X22].
STRASSEN_U = torch.tensor([[1, 0, 0, 1], [0, 0, 1, 1], [1, 0, 0, 0], [0, 0, 0, 1],
                           [1, 1, 0, 0], [-1, 0, 1, 0], [0, 1, 0, -1]], dtype=torch.float64)
STRASSEN_V = torch.tensor([[1, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, -1], [-1, 0, 1, 0],
                           [0, 0, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1]], dtype=torch.float64)
STRASSEN_W = torch.tensor([[1, 0, 0, 1, -1, 0, 1], [0, 0, 1, 0, 1, 0, 0],
                           [0, 1, 0, 1, 0, 0, 0], [1, -1, 1, 0, 0, 1, 0]], dtype=torch.float64)

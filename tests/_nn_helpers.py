"""Shared test data: Strassen's scheme from :mod:`discovery.known` as SPN factors, in the one
index convention of :mod:`discovery.core.tensor` (vec row-major; w indexes C transposed).

``M_t = (U[t] · vec(A)) * (V[t] · vec(B))`` and ``vec(C^T) = W.T @ M``: an SPN layer's W_c is
``STRASSEN_W.T`` (4, 7) and its output is vec((AB)^T). Shapes (7, 4), float64.
"""

import numpy as np
import torch

from discovery.core.known import strassen

STRASSEN_U, STRASSEN_V, STRASSEN_W = (torch.tensor(np.asarray(a, dtype=np.float64))
                                      for a in strassen().factors())

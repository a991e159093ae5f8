"""Strassenified neural-network layers (StrassenNets, Tschannen et al., ICML 2018).

Every matrix product of a layer is computed by a sum-product network
``c = W_c[(W_b b) ⊙ ã]`` with r hidden multiplications (ã learned directly):

* layers: :class:`StrassenLinear`, :class:`StrassenConv2d` (output patches p, grouped W_b),
  :class:`StrassenLSTM` (input-to-hidden and hidden-to-hidden SPNs; one SPN for all four gates,
  or ``layout="per_gate"``: one per gate as in the paper's code);
* modes: :class:`QuantMode` (from :mod:`discovery.spn.quant`, shared with the solver);
  ``layer.set_mode(QuantMode.FROZEN)`` makes W_b, W_c exact ternary and folds scales into ã;
* conversion: :func:`strassenify` with a :class:`StrassenSpec` (or a per-layer function),
  SVD-initialised from the dense weights;
* training: :func:`distillation_loss`, :func:`fit`, :func:`train_phases` (:class:`PhaseConfig`);
* counting: :func:`count_ops` -> :class:`ModelCount` of :class:`LayerCount` (what is counted
  is documented in ``discovery/nn/_count.py``); :func:`plain_adds`, :func:`cse_adds`;
* plotting: :func:`plot_tradeoff` (returns a figure, no I/O).
"""

from discovery.spn.quant import QuantMode as QuantMode
from discovery.spn.quant import Ternarizer as Ternarizer
from discovery.spn.quant import TernaryMethod as TernaryMethod

from ._conv import StrassenConv2d as StrassenConv2d
from ._convert import StrassenSpec as StrassenSpec
from ._convert import strassenify as strassenify
from ._count import LayerCount as LayerCount
from ._count import ModelCount as ModelCount
from ._count import count_ops as count_ops
from ._cse import cse_adds as cse_adds
from ._cse import plain_adds as plain_adds
from ._linear import StrassenLinear as StrassenLinear
from ._lstm import StrassenLSTM as StrassenLSTM
from ._plot import plot_tradeoff as plot_tradeoff
from ._spn import SPNFactors as SPNFactors
from ._spn import resolve_width as resolve_width
from ._spn import svd_factors as svd_factors
from ._train import PhaseConfig as PhaseConfig
from ._train import distillation_loss as distillation_loss
from ._train import fit as fit
from ._train import set_mode as set_mode
from ._train import train_phases as train_phases

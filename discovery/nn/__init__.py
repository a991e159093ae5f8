"""Strassenified neural-network layers (StrassenNets, Tschannen et al., ICML 2018).

Public API (explicit re-exports).
"""

from discovery.quant import QuantMode as QuantMode
from discovery.quant import TernaryMethod as TernaryMethod

from ._spn import SPNFactors as SPNFactors
from ._spn import resolve_width as resolve_width
from ._spn import svd_factors as svd_factors
from ._linear import StrassenLinear as StrassenLinear
from ._conv import StrassenConv2d as StrassenConv2d
from ._lstm import StrassenLSTM as StrassenLSTM
from ._train import PhaseConfig as PhaseConfig
from ._train import distillation_loss as distillation_loss
from ._train import fit as fit
from ._train import set_mode as set_mode
from ._train import train_phases as train_phases
from ._convert import StrassenSpec as StrassenSpec
from ._convert import strassenify as strassenify
from ._count import LayerCount as LayerCount
from ._count import ModelCount as ModelCount
from ._count import count_ops as count_ops
from ._cse import cse_adds as cse_adds
from ._cse import plain_adds as plain_adds

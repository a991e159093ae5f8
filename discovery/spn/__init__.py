"""Sum-product network pieces shared by the solver and the neural-network layers: ternary
quantizers and the SPN block (torch).

May import: ``discovery.core`` and the layers below it; never ``search`` or ``nn``.
"""

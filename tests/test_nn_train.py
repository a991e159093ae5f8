"""Distillation loss, the three phases, strassenify and their errors."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from discovery.errors import DiscoveryError
from discovery.nn import (
    PhaseConfig,
    QuantMode,
    StrassenConv2d,
    StrassenLinear,
    StrassenLSTM,
    StrassenSpec,
    distillation_loss,
    strassenify,
    train_phases,
)


def test_distillation_loss_matches_formula():
    torch.manual_seed(0)
    s, t = torch.randn(6, 4), torch.randn(6, 4)
    y = torch.randint(0, 4, (6,))
    T, lam = 3.0, 0.3
    p_t = F.softmax(t / T, -1)
    kl = (p_t * (p_t.log() - F.log_softmax(s / T, -1))).sum(-1).mean()
    ref = (1 - lam) * F.cross_entropy(s, y) + lam * T * T * kl
    torch.testing.assert_close(distillation_loss(s, t, y, lam, T), ref)
    torch.testing.assert_close(distillation_loss(s, None, y, lam, T), F.cross_entropy(s, y))


def test_distillation_errors():
    y = torch.zeros(2, dtype=torch.long)
    with pytest.raises(DiscoveryError, match="same output classes"):
        distillation_loss(torch.randn(2, 3), torch.randn(2, 4), y)
    with pytest.raises(DiscoveryError):
        distillation_loss(torch.randn(2, 3), torch.randn(2, 3), y, lam=1.5)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.lstm = nn.LSTM(4, 5, batch_first=True)
        self.fc = nn.Linear(5, 3)

    def forward(self, x):  # (N, 1, 4, 4)
        h = self.conv(x).flatten(2).transpose(1, 2)  # (N, 16, 4)
        return self.fc(self.lstm(h)[0][:, -1])


def test_strassenify_converts_and_initialises_exactly():
    torch.manual_seed(0)
    net = Net()
    big = strassenify(net, StrassenSpec(r_ratio=4.0))
    assert isinstance(big.conv, StrassenConv2d) and isinstance(big.lstm, StrassenLSTM)
    assert isinstance(big.fc, StrassenLinear) and isinstance(net.fc, nn.Linear)
    x = torch.randn(2, 1, 4, 4)
    torch.testing.assert_close(big(x), net(x), rtol=1e-4, atol=1e-5)
    only_fc = strassenify(net, lambda n, m: StrassenSpec(r=2) if n == "fc" else None)
    assert isinstance(only_fc.conv, nn.Conv2d) and only_fc.fc.r == 2


def test_strassenify_errors():
    with pytest.raises(DiscoveryError, match="no convertible layer"):
        strassenify(nn.Sequential(nn.ReLU()), StrassenSpec(r=2))
    with pytest.raises(DiscoveryError, match="^conv: groups=2"):
        strassenify(Net(), lambda n, m: StrassenSpec(r=3, groups=2) if n == "conv" else None)
    odd = strassenify(Net(), lambda n, m: StrassenSpec(r=4, p=3) if n == "conv" else None)
    with pytest.raises(DiscoveryError, match="^conv: output size 4x4 is not divisible by p=3"):
        odd(torch.randn(1, 1, 4, 4))  # spatial sizes are only known at the first forward
    with pytest.raises(DiscoveryError, match="dilat"):
        strassenify(nn.Sequential(nn.Conv2d(1, 2, 3, dilation=2)), StrassenSpec(r=2))


def test_three_phases_learn_a_toy_task():
    torch.manual_seed(0)
    X = torch.randn(256, 8)
    y = (X[:, :3].sum(1) > 0).long() + (X[:, 3] > 1).long()
    teacher = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    student = strassenify(teacher, StrassenSpec(r_ratio=2.0, init="random"))
    batches = lambda: ((X[i:i + 64], y[i:i + 64]) for i in range(0, 256, 64))  # noqa: E731
    fwd = lambda m, b: (m(b[0]), b[1])  # noqa: E731
    cfg = PhaseConfig(epochs_full=15, epochs_ternary=15, epochs_frozen=5, lr=1e-2)
    hist = train_phases(student, batches, fwd, cfg, teacher=teacher, progress=False)
    assert set(hist) == {"full", "ternary", "frozen"}
    assert hist["full"][-1] < hist["full"][0]
    assert student[0].mode is QuantMode.FROZEN
    acc = (student(X).argmax(1) == y).float().mean().item()
    assert acc > 0.6
    with pytest.raises(DiscoveryError, match="no Strassen layers"):
        train_phases(teacher, batches, fwd, cfg, progress=False)

"""CPU speed modes (assistant/speed.py): names, the ``auto`` choice, and what each mode does to a model."""

import pytest
import torch

from assistant.speed import SpeedModeError, apply_speed, cpu_has_native_bf16, resolve_speed


def test_cpu_flags_decide_native_bf16(tmp_path):
    with_bf16 = tmp_path / "a"
    with_bf16.write_text("processor : 0\nflags : fpu sse avx512f avx512_bf16 avx512_vnni\n")
    without = tmp_path / "b"
    without.write_text("processor : 0\nflags : fpu sse avx2 avx512f\n")
    assert cpu_has_native_bf16(with_bf16) and not cpu_has_native_bf16(without)
    assert not cpu_has_native_bf16(tmp_path / "missing")


def test_resolve_and_unknown_mode():
    assert resolve_speed("fp32") == "fp32" and resolve_speed("int8") == "int8"
    assert resolve_speed("auto") == ("bf16" if cpu_has_native_bf16() else "fp32")
    with pytest.raises(SpeedModeError, match="unknown speed mode 'fast'"):
        resolve_speed("fast")


def test_modes_change_the_model_as_documented():
    def make():
        torch.manual_seed(0)
        return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)).eval()

    x = torch.randn(4, 8)
    ref = make()(x)
    assert apply_speed(make(), "fp32")(x).equal(ref)
    bf = apply_speed(make(), "bf16")
    out = bf(x.to(torch.bfloat16))
    assert out.dtype is torch.bfloat16 and torch.allclose(out.float(), ref, atol=0.05)
    q = apply_speed(make(), "int8")
    assert not isinstance(q[0], torch.nn.Linear)  # replaced by a dynamically quantized Linear
    assert torch.allclose(q(x), ref, atol=0.05)

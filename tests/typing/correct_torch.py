"""A correct script using torch: `mypy --strict` must accept every line, and it runs (tests/test_typing.py)."""
from typing_extensions import assert_type

import numpy as np
import numpy.typing as npt
import torch

import xinit_c as xi
from xinit_c import torch as xt

linear = torch.nn.Linear(256, 512)
assert_type(xi.xavier_uniform_(linear.weight, generator=xi.Generator(0)), torch.Tensor)
assert_type(xi.normal_(torch.empty(4, 4, dtype=torch.float64), std=0.02), torch.Tensor)
xi.kaiming_normal_(torch.empty(3, 7, 7, 64).permute(3, 0, 1, 2), mode="fan_out", nonlinearity="relu")

net = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
assert_type(xt.init_module_(net, "xavier_uniform", xi.Generator(0), gain=5 / 3), torch.nn.Sequential)
xt.init_module_(torch.nn.Linear(8, 4), "kaiming_uniform", bias="zeros", nonlinearity="relu")
view: npt.NDArray[np.float32] = xt.as_array(torch.empty(3))

with torch.device("meta"):
    meta = torch.nn.Sequential(torch.nn.Embedding(10, 4), torch.nn.Linear(4, 10))
assert_type(xt.materialize_(meta, scheme="gpt2", generator=torch.Generator(), n_layers=1), torch.nn.Sequential)
plans: list[xt.ParameterPlan] = xt.plan_module(meta, "xavier_normal", xi.Generator(1), overrides={"*.bias": "zeros"})
stream: int = xt.parameter_stream(plans[0].name)

"""Wrong calls into xinit_c.torch: `mypy --strict` must report the error code after `# E:` on each marked line."""
import numpy as np
import torch

from xinit_c import torch as xt

xt.init_module_(torch.nn.Linear(2, 2), "glorot")  # E: arg-type
xt.init_module_(torch.nn.Linear(2, 2), bias="ones")  # E: arg-type
xt.init_module_(np.empty((2, 2)))  # E: type-var
xt.as_array(np.empty(3))  # E: arg-type
xt.materialize_(torch.nn.Linear(2, 2), scheme="glorot")  # E: arg-type
xt.plan_module(torch.nn.Linear(2, 2), bias="ones")  # E: arg-type

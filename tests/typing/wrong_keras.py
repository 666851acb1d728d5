"""Wrong calls into xinit_c.keras: `mypy --strict` must report the error code after `# E:` on each marked line."""
from xinit_c import keras as xk

xk.GlorotUniform(seed="0")  # E: arg-type
xk.VarianceScaling(mode="fan_sum")  # E: arg-type
xk.RandomNormal(mean="0")  # E: arg-type
xk.Orthogonal(seed=1.5)  # E: arg-type
xk.HeUniform(input_axes=1)  # E: arg-type
xk.Zeros(0)  # E: call-arg
xk.Constant(value=0.0).get_config(1)  # E: call-arg

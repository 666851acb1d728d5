"""Wrong calls into xinit_c.jax: `mypy --strict` must report the error code after `# E:` on each marked line."""
import jax

from xinit_c import jax as xj

key = jax.random.key(0)
xj.variance_scaling(1.0, "fan_sum", "uniform")  # E: arg-type
xj.variance_scaling(1.0, "fan_in", "cauchy")  # E: arg-type
xj.glorot_uniform(in_axis="rows")  # E: arg-type
xj.normal(stddev="big")  # E: arg-type
xj.orthogonal(column_axis=1.5)  # E: arg-type
xj.uniform(0.5, scale=1.0)  # E: misc

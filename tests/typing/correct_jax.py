"""A correct script using jax: `mypy --strict` must accept every line, and it runs (tests/test_typing.py)."""
import jax
import jax.numpy as jnp
import numpy as np

from xinit_c import jax as xj

key = jax.random.key(0)
init: jax.nn.initializers.Initializer = xj.glorot_uniform()
w: jax.Array = init(key, (64, 32))
xj.glorot_normal(in_axis=0, out_axis=(1, 2))(key, (4, 3, 5), jnp.bfloat16)
xj.he_uniform(batch_axis=0, dtype=np.float32)(key, (2, 8, 4))
xj.variance_scaling(2.0, "fan_avg", "truncated_normal", in_axis=-2, out_axis=-1)(key, (8, 4))
xj.uniform(0.5)(key, (3,))
xj.normal(0.02, jnp.float16)(jax.random.PRNGKey(1), (3, 3))
xj.truncated_normal(1.0, lower=-1.0, upper=1.5)(key, (3, 3))
xj.orthogonal(2.0, column_axis=0)(key, (4, 4))
xj.delta_orthogonal()(key, (3, 3, 4, 8))
xj.constant(-7, jnp.int32)(key, (2, 2))
zeros: jax.Array = xj.zeros(key, (2,))
jitted: jax.Array = jax.jit(lambda k: xj.lecun_normal()(k, (8, 8)))(key)
assert np.array_equal(np.asarray(jitted), np.asarray(xj.lecun_normal()(key, (8, 8))))

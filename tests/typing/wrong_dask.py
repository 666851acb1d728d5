"""Wrong calls into xinit_c.dask: `mypy --strict` must report the error code after `# E:` on each marked line."""
from xinit_c import dask as xd

xd.xavier_uniform((4, 4), gain="big")  # E: arg-type
xd.kaiming_normal((4, 4), mode=5)  # E: arg-type
xd.normal((4, 4), threads=2)  # E: call-arg
xd.uniform((4, 4), 0.0, 1.0)  # E: arg-type

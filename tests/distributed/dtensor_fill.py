"""One rank of the DTensor test: fill a sharded tensor, gather it, save it (rank 0).

Run by tests/test_torch.py as WORLD_SIZE processes with RANK, MASTER_ADDR and
MASTER_PORT set: python dtensor_fill.py OUT.npy SHAPE PLACEMENT INIT
"""
import sys

import numpy as np
import torch
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import Replicate, Shard, distribute_tensor

import xinit_c as xi

out_path, shape, placement, init = sys.argv[1], tuple(map(int, sys.argv[2].split("x"))), sys.argv[3], sys.argv[4]
dist.init_process_group("gloo")
mesh = init_device_mesh("cpu", (dist.get_world_size(),))
place = Replicate() if placement == "replicate" else Shard(int(placement[-1]))
t = distribute_tensor(torch.zeros(shape), mesh, [place])
getattr(xi, init + "_")(t, generator=xi.Generator(2024))
full = t.full_tensor()
if dist.get_rank() == 0:
    np.save(out_path, full.numpy())
# every rank leaves together: a rank that tears gloo down while its peer is still in a collective aborts the
# peer ("terminate called without an active exception")
dist.barrier()
dist.destroy_process_group()

"""One rank of the whole-model tests: materialise a split model, save what this rank holds.

Run by tests/test_torch_models.py as WORLD_SIZE processes with RANK, MASTER_ADDR and MASTER_PORT set:
python model_parallel.py OUT_DIR MODES, MODES a comma-separated list of

* "tp": every rank builds the whole model on the meta device, shards each block's ``up`` column-wise and
  ``down`` row-wise (parallelize_module), materialises it, and rank 0 saves the gathered state dict;
* "pipeline": rank r builds the model and keeps only its stage's blocks (as torchtitan's pipeline split
  does, by deleting the others), materialises it, and saves its own state dict;
* "fsdp": as "tp", with FSDP2's fully_shard on every block instead.

Each rank writes OUT_DIR/{mode}-rank{r}.pt (a dict of CPU tensors) for each mode.
"""
import pathlib
import sys

import torch
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent))   # tests/, for the model
import xinit_c as xi  # noqa: E402
from xinit_c import torch as xt  # noqa: E402
from model_zoo import WHOLE_TENSOR_OVERRIDES, Tiny  # noqa: E402

out_dir, modes = pathlib.Path(sys.argv[1]), sys.argv[2].split(",")
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
mesh = init_device_mesh("cpu", (world,))


def split(mode):
    with torch.device("meta"):
        model = Tiny(n_layers=4)
    if mode == "tp":
        from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module
        for block in model.layers.values():
            parallelize_module(block, mesh, {"up": ColwiseParallel(), "down": RowwiseParallel()})
    elif mode == "fsdp":
        from torch.distributed.fsdp import fully_shard
        for block in model.layers.values():
            fully_shard(block, mesh=mesh)
        fully_shard(model, mesh=mesh)
    elif mode == "pipeline":
        stage = [name for i, name in enumerate(list(model.layers)) if i * world // len(model.layers) == rank]
        for name in list(model.layers):
            if name not in stage:
                del model.layers[name]
        if rank != 0:
            model.embed = None
        if rank != world - 1:
            model.norm = None
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    return model


for mode in modes:
    model = xt.materialize_(split(mode), generator=xi.Generator(2024), overrides=WHOLE_TENSOR_OVERRIDES)
    state = {}
    for name, tensor in model.state_dict().items():
        full = tensor.full_tensor() if type(tensor).__name__ == "DTensor" else tensor
        state[name] = full.detach().clone()
    torch.save(state, out_dir / f"{mode}-rank{rank}.pt")
# every rank leaves together: a rank that tears gloo down while its peer is still in a collective aborts the
# peer ("terminate called without an active exception")
dist.barrier()
dist.destroy_process_group()

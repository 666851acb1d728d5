"""Command line: ``xinit-c fill`` writes initialised .npy and safetensors files, ``xinit-c info`` describes the build.

The fill computes the tensor in row chunks into one reused buffer and writes
each chunk through the file descriptor, so the file may be larger than RAM and
resident memory stays about one chunk. Chunked fills give exactly the bytes of
one in-memory fill with ``Generator(seed)`` because every element's value
depends only on its index.

While it runs, ``OUT.progress`` records everything that determines the bytes
and how many rows are written, so ``--resume`` can continue after Ctrl-C and
refuse to mix in the bytes of another fill.

With ``--tensor NAME SHAPE INIT`` (repeatable) or ``--spec SPEC.json`` the
fill writes a safetensors file of several tensors instead (through
xinit_c._safetensors, which needs no torch), each tensor drawing from its own
name-keyed stream (xinit_c._streams), so its values depend on its name, not
on the other tensors.
"""
import argparse
import copy
import io
import json
import math
import operator
import os
import platform
import secrets
import shlex
import shutil
import sys
import time

import numpy as np

import xinit_c
from xinit_c import _api, _core
from xinit_c._fans import LAYOUTS

FAN_INITS = _api.FAN_BASED
# For each init, the fill options it takes: command-line dest -> keyword of its fill function.
INIT_OPTIONS = {
    "xavier_uniform": {"gain": "gain"},
    "xavier_normal": {"gain": "gain"},
    "kaiming_uniform": {"a": "a", "mode": "mode", "nonlinearity": "nonlinearity"},
    "kaiming_normal": {"a": "a", "mode": "mode", "nonlinearity": "nonlinearity"},
    "lecun_uniform": {},
    "lecun_normal": {},
    "variance_scaling": {"scale": "scale", "mode": "mode", "distribution": "distribution"},
    "uniform": {"low": "low", "high": "high"},
    "normal": {"mean": "mean", "std": "std"},
    "trunc_normal": {"mean": "mean", "std": "std", "a_bound": "a", "b_bound": "b"},
    "zeros": {},
    "ones": {},
}
UNSEEDED_INITS = ("zeros", "ones")
DTYPES = ("float16", "bfloat16", "float32", "float64")
DEFAULT_CHUNK_MB = 64
STATS_BLOCK = 1 << 16   # elements per float32 dot product in the observed std
SEED_BITS = 64        # the key has 64 bits, so a longer drawn seed would add nothing
# Options that decide the bytes of every fill; the init's own options and --layout come on top.
SOURCE_OPTIONS = ("shape", "init", "dtype", "seed", "stream")
INIT_DESTS = tuple(sorted({dest for opts in INIT_OPTIONS.values() for dest in opts}))
FILL_OPTIONS = SOURCE_OPTIONS + ("layout",) + INIT_DESTS
MARKER_SUFFIX = ".progress"
MARKER_FIELDS = ("stream_version", "init", "options", "layout", "parameters", "dtype", "shape", "seed", "key",
                 "stream", "position", "npy_header", "file_bytes", "rows_done")
INTERRUPTED_STATUS = 130   # what shells report for a process ended by SIGINT (128 + 2)
SAFETENSORS_SUFFIX = ".safetensors"
TEXT_OPTIONS = ("mode", "nonlinearity", "distribution")   # the init options that are words; the others are numbers
SPEC_FIELDS = {"name", "shape", "init", "options", "dtype"}


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a fill; the file holds the fill's values in rows ``[first_row, rows_done)``.

    ``rows_done`` is what the progress marker records (for tracked fills), so
    a resume continues from exactly there. ``wrote_nothing`` is True when a new
    fill was stopped before its file was created.
    """

    def __init__(self, first_row, rows_done, stop_row, wrote_nothing):
        super().__init__(f"interrupted with rows {first_row}:{rows_done} of {first_row}:{stop_row} written")
        self.first_row, self.rows_done, self.stop_row = first_row, rows_done, stop_row
        self.wrote_nothing = wrote_nothing


def _dtype(name):
    if name == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise SystemExit("xinit-c: bfloat16 needs the ml_dtypes package (pip install ml_dtypes)")
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def _human_bytes(n):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1000


def _progress(done, total, elapsed, stream):
    rate = done / elapsed if elapsed > 0 else 0.0
    stream.write(f"\r  {100 * done / total:5.1f}%  {_human_bytes(done)} / {_human_bytes(total)}"
                 f"  {_human_bytes(rate)}/s ")
    stream.flush()


def marker_path(path):
    return f"{path}{MARKER_SUFFIX}"


def _npy_header(shape, dtype):
    """The .npy header that np.save writes for a C-order array of this shape and dtype."""
    fields = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
    header = io.BytesIO()
    try:
        np.lib.format.write_array_header_1_0(header, fields)
    except ValueError:   # over 64 KiB (thousands of dimensions): format 2.0 has a 4-byte length field
        header = io.BytesIO()
        np.lib.format.write_array_header_2_0(header, fields)
    return header.getvalue()


def _file_identity(path):
    """(header bytes, file size, description) of the .npy at ``path``."""
    readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    with open(path, "rb") as npy:
        try:
            reader = readers.get(np.lib.format.read_magic(npy))
            if reader is None:
                raise ValueError("a .npy format version other than 1.0 and 2.0")
            shape, fortran_order, dtype = reader(npy)
        except ValueError as exc:
            raise ValueError(f"{path} is not a .npy file this fill can write into ({exc})") from None
        data_offset = npy.tell()
        npy.seek(0)
        header = npy.read(data_offset)
        size = os.fstat(npy.fileno()).st_size
    order = ", Fortran order" if fortran_order else ""
    return header, size, f"{tuple(shape)} {dtype}{order}"


def _jsonable(value):
    """``value`` as it reads back from JSON (tuples become lists), so records compare equal after a round trip."""
    return json.loads(json.dumps(value))


def fill_record(shape, init, dtype, seed, stream, layout, options):
    """Everything that determines the bytes of a fill, as the progress marker stores it.

    Besides the arguments it holds what they imply in this build (the key,
    the fans and distribution parameters, the .npy header and size), so a
    resume refuses a marker written by a build that would give other bytes.
    """
    header = _npy_header(shape, dtype)
    record = {
        "stream_version": xinit_c.STREAM_VERSION,
        "init": init,
        "options": options,
        "layout": layout if init in FAN_INITS else None,
        "parameters": _api.describe(init, shape, layout=layout, **options) if init in FAN_INITS else None,
        "dtype": str(dtype),
        "shape": shape,
        "seed": seed,
        "key": _api.Generator(seed, stream=stream).key,
        "stream": stream,
        "position": 0,
        "npy_header": header.decode("latin-1"),
        "file_bytes": len(header) + math.prod(shape) * dtype.itemsize,
    }
    return _jsonable(record)


def read_marker(path):
    """The progress marker of an interrupted fill of ``path`` (a dict with ``rows_done``)."""
    try:
        with open(marker_path(path)) as marker:
            text = marker.read()
    except FileNotFoundError:
        raise ValueError(f"nothing to resume: {marker_path(path)} is missing "
                         "(the fill finished, or never started)") from None
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        record = None
    if not isinstance(record, dict) or any(name not in record for name in MARKER_FIELDS):
        raise ValueError(f"{marker_path(path)} is not a progress marker this version of xinit-c wrote; "
                         "nothing was changed (start the fill again with --force)")
    return record


def _write_marker(path, record, rows_done):
    # write-then-rename: whenever Ctrl-C lands, the marker is either the old one or the new one, never torn
    partial = marker_path(path) + ".tmp"
    try:
        with open(partial, "w") as marker:
            json.dump({**record, "rows_done": rows_done}, marker, indent=1)
        os.replace(partial, marker_path(path))
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _differences(wanted, recorded):
    return [f"{name} {json.dumps(recorded.get(name))} there, {json.dumps(value)} here"
            for name, value in wanted.items() if recorded.get(name) != value]


def _check_same_fill(path, record):
    """Refuse a resume whose marker or file belong to another fill; returns the rows already written."""
    recorded = read_marker(path)
    differences = _differences(record, recorded)
    if differences:
        raise ValueError(f"{marker_path(path)} records a different fill: {'; '.join(differences)}. "
                         "Nothing was changed")
    _check_file_is(path, record, f"the file that {marker_path(path)} records")
    rows_done = recorded["rows_done"]
    total_rows = (record["shape"] or [1])[0]
    if type(rows_done) is not int or not 0 <= rows_done <= total_rows:
        raise ValueError(f"{marker_path(path)} records rows_done {rows_done!r}, not a row count in "
                         f"[0, {total_rows}]; nothing was changed")
    return rows_done


def _check_file_is(path, record, what):
    try:
        header, size, holds = _file_identity(path)
    except FileNotFoundError:
        raise ValueError(f"{path} is missing; nothing was changed") from None
    wanted_header = record["npy_header"].encode("latin-1")
    if header != wanted_header:
        raise ValueError(f"{path} holds {holds}, not {tuple(record['shape'])} {record['dtype']} "
                         f"({what}): its .npy header differs. Nothing was changed")
    if size != record["file_bytes"]:
        raise ValueError(f"{path} has {size} bytes, not the {record['file_bytes']} of {what}. Nothing was changed")


def _create(path, header, size, force):
    """Create (or, forced, truncate) the output with its header, at its final size."""
    if not force and os.path.lexists(path):
        resumable = os.path.exists(marker_path(path))
        hint = " --resume to continue the interrupted fill it records," if resumable else ""
        raise ValueError(f"{path} exists ({_human_bytes(os.lstat(path).st_size)}); nothing was written. "
                         f"Add --force to replace it,{hint} or --rows START STOP to refill rows of it")
    # "x" rather than "w": a file that appears after the check above is still not overwritten
    output = open(path, "wb" if force else "xb", buffering=0)
    _write_all(output, 0, header)
    output.truncate(size)
    return output


def _write_all(output, offset, data):
    """Write the bytes-like ``data`` at ``offset``: an unbuffered write may take only part of it."""
    output.seek(offset)
    view = memoryview(data)
    while view:
        view = view[output.write(view):]


def _sum_and_sumsq(flat):
    """Sum and sum of squares to about float64 accuracy, without a float64 copy of the chunk."""
    if flat.dtype in (np.float32, np.float64):
        # BLAS dot is several times faster than einsum; short blocks keep float32's accumulated error ~1e-8
        total_sum = total_sumsq = 0.0
        for start in range(0, flat.size, STATS_BLOCK):
            block = flat[start:start + STATS_BLOCK]
            total_sum += float(block.sum(dtype=np.float64))
            total_sumsq += float(np.dot(block, block))
        return total_sum, total_sumsq
    # no BLAS for float16 or bfloat16: accumulate in float64 through numpy's small cast buffers
    return float(flat.sum(dtype=np.float64)), float(np.einsum("i,i->", flat, flat, dtype=np.float64))


def fill_file(path, shape, init, dtype, seed=None, stream=0, layout="torch", options=None,
              chunk_bytes=DEFAULT_CHUNK_MB << 20, progress=None, rows=None, resume=False, force=False):
    """Write ``init`` into a .npy of ``shape`` in row chunks.

    Each chunk is filled as its block of the whole tensor (``global_shape=``,
    ``offset=``) into one reused buffer and written at its place in the file,
    so the file gets exactly the bytes of one in-memory fill with
    ``Generator(seed)``, whichever rows are written when, and resident memory
    stays about one chunk whatever the file size.

    ``seed=None`` draws a 64-bit seed from OS entropy (returned as ``seed``).
    A new file is refused if ``path`` exists, unless ``force``. ``rows=(a, b)``
    (re)fills only rows a..b-1 of an existing file of this shape and dtype.
    Otherwise ``PATH.progress`` records the fill (``fill_record``) and the rows
    written, after each chunk is written; ``resume=True`` continues from there
    and refuses a marker or file of another fill. Nothing is written before
    the arguments and the file are checked and the first chunk is computed.
    Ctrl-C raises ``Interrupted``, with the marker holding the rows written.

    Returns a dict: the record, fans and distribution parameters, observed
    mean and std (of the rows written), bytes written and seconds spent
    computing values.
    """
    options = dict(options or {})
    dtype = _dtype(dtype) if isinstance(dtype, str) else np.dtype(dtype)
    shape = tuple(operator.index(n) for n in shape)
    if any(n < 0 for n in shape):
        raise ValueError(f"shape {shape} has a negative dimension")
    seed = secrets.randbits(SEED_BITS) if seed is None else operator.index(seed)
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    record = fill_record(shape, init, dtype, seed, stream, layout, options)
    fill = getattr(_api, init + "_")
    fill_options = {**options, "layout": layout} if init in FAN_INITS else options
    generator = _api.Generator(seed, stream=stream)
    block_shape = shape or (1,)   # a 0-d tensor's one element is row 0 of a 1-element block
    total_rows = block_shape[0]
    tracking = rows is None
    if resume:
        first_row, stop_row = _check_same_fill(path, record), total_rows
    elif rows is not None:
        first_row, stop_row = rows
        _check_file_is(path, record, f"the fill of {init} asked for")
        if not 0 <= first_row <= stop_row <= total_rows:
            raise ValueError(f"rows {first_row}:{stop_row} are not inside the {total_rows} rows of {path}")
    else:
        first_row, stop_row = 0, total_rows
    row_shape = block_shape[1:]
    row_bytes = math.prod(row_shape) * dtype.itemsize
    rows_per_chunk = max(1, chunk_bytes // max(row_bytes, 1))
    chunk_buffer = np.empty((min(rows_per_chunk, stop_row - first_row),) + row_shape, dtype)
    data_offset = len(record["npy_header"])
    total_sum = total_sumsq = 0.0
    fill_seconds = 0.0
    start = time.perf_counter()
    output = None
    rows_done = first_row
    try:
        first = first_row
        while True:
            chunk = chunk_buffer[:min(rows_per_chunk, stop_row - first)]
            began = time.perf_counter()
            if init in UNSEEDED_INITS:
                fill(chunk)
            else:
                fill(chunk, generator=copy.copy(generator), global_shape=block_shape,
                     offset=(first,) + (0,) * len(row_shape), **fill_options)
            fill_seconds += time.perf_counter() - began
            if output is None:   # the first chunk computed: every argument has passed the fill's own checks
                if tracking and not resume:
                    output = _create(path, record["npy_header"].encode("latin-1"), record["file_bytes"], force)
                    _write_marker(path, record, first_row)
                else:
                    output = open(path, "r+b", buffering=0)
            # as bytes: the buffer protocol has no bfloat16 format
            _write_all(output, data_offset + first * row_bytes, chunk.reshape(-1).view(np.uint8))
            chunk_sum, chunk_sumsq = _sum_and_sumsq(chunk.reshape(-1))
            total_sum += chunk_sum
            total_sumsq += chunk_sumsq
            first += len(chunk)
            if tracking:
                _write_marker(path, record, first)
            rows_done = first
            if progress is not None and stop_row > first_row:
                _progress((first - first_row) * row_bytes, (stop_row - first_row) * row_bytes,
                          time.perf_counter() - start, progress)
            if first >= stop_row:
                break
    except KeyboardInterrupt:
        if output is not None and tracking:
            if os.path.exists(marker_path(path)):
                rows_done = read_marker(path)["rows_done"]   # exactly what a resume will continue from
            else:   # stopped between creating the file and its first marker: no rows are written yet
                _write_marker(path, record, first_row)
        raise Interrupted(first_row, rows_done, stop_row, output is None and tracking and not resume) from None
    finally:
        if output is not None:
            output.close()
    if tracking:
        os.remove(marker_path(path))
    if progress is not None:
        progress.write("\n")
    n = (stop_row - first_row) * math.prod(row_shape)
    mean = total_sum / n if n else float("nan")
    variance = max(total_sumsq / n - mean * mean, 0.0) if n else float("nan")
    info = {"record": record, "shape": shape, "dtype": str(dtype), "init": init, "seed": seed,
            "key": tuple(record["key"]), "stream": stream}
    info.update(record["parameters"] or {"distribution": init, **options})
    info.update(elements=n, bytes=n * dtype.itemsize, observed_mean=mean, observed_std=math.sqrt(variance),
                fill_seconds=fill_seconds, rows=(first_row, stop_row))
    return info


# --------------------------------------------------------------------------
# The fill command: options <-> record, messages
# --------------------------------------------------------------------------

def _relevant_options(init):
    """The command-line options that decide the bytes of an ``init`` fill."""
    return SOURCE_OPTIONS + (("layout",) if init in FAN_INITS else ()) + tuple(INIT_OPTIONS[init])


def _options_from_record(path, recorded):
    """The command-line values of the fill that the progress marker of ``path`` records."""
    init = recorded["init"]
    try:
        values = {"shape": recorded["shape"], "init": init, "dtype": recorded["dtype"], "seed": recorded["seed"],
                  "stream": recorded["stream"]}
        if init in FAN_INITS:
            values["layout"] = recorded["layout"]
        values.update((dest, recorded["options"][keyword]) for dest, keyword in INIT_OPTIONS[init].items())
    except (KeyError, TypeError):
        raise ValueError(f"{marker_path(path)} records an {init!r} fill this version of xinit-c cannot redo; "
                         "nothing was changed") from None
    return values


def _flag(dest):
    return "--" + dest.replace("_", "-")


def _words(dest, value):
    return [_flag(dest), *map(str, value)] if isinstance(value, (list, tuple)) else [_flag(dest), str(value)]


def _program():
    """The words that run this program again: short when PATH finds this very script, else its full path."""
    invoked = sys.argv[0] if sys.argv else ""
    if os.path.basename(invoked) == "__main__.py":
        return [sys.executable, "-m", "xinit_c"]
    on_path = shutil.which("xinit-c")
    if os.path.isfile(invoked) and os.path.basename(invoked).startswith("xinit-c"):
        return ["xinit-c"] if on_path and os.path.samefile(on_path, invoked) else [os.path.abspath(invoked)]
    return ["xinit-c"]


def _command(out, values, *extra):
    words = _program() + ["fill", out]
    for dest in _relevant_options(values["init"]):
        words += _words(dest, values[dest])
    return shlex.join(words + list(extra))


def _resume_command(out):
    return shlex.join(_program() + ["fill", out, "--resume"])


def _check_options_apply(init, given):
    stray = [_flag(dest) for dest in FILL_OPTIONS if dest in given and dest not in _relevant_options(init)]
    if stray:
        raise ValueError(f"{', '.join(stray)} do{'es' if len(stray) == 1 else ''} not apply to --init {init}")


def _resumed_values(args, given):
    """The values of the interrupted fill, refusing any option given here that differs from them."""
    recorded = _options_from_record(args.out, read_marker(args.out))
    given = [dest for dest in FILL_OPTIONS if dest in given]
    stray = [_flag(dest) for dest in given if dest not in recorded]
    if stray:
        raise ValueError(f"{', '.join(stray)}: not an option of the interrupted {recorded['init']} fill that "
                         f"{marker_path(args.out)} records; nothing was changed")
    differing = [dest for dest in given if dest in recorded and _jsonable(getattr(args, dest)) != recorded[dest]]
    if differing:
        asked = " ".join(" ".join(_words(dest, getattr(args, dest))) for dest in differing)
        had = " ".join(" ".join(_words(dest, recorded[dest])) for dest in differing)
        raise ValueError(f"{asked} differ{'s' if len(differing) == 1 else ''} from the interrupted fill that "
                         f"{marker_path(args.out)} records ({had}); nothing was changed. Resume with "
                         f"`{_resume_command(args.out)}`, or give --force to start again")
    return recorded


def _cmd_fill(args, given):
    started = time.perf_counter()
    if args.chunk_mb < 1:
        raise ValueError(f"--chunk-mb must be at least 1, got {args.chunk_mb}")
    if "tensor" in given or "spec" in given:
        return _cmd_fill_safetensors(args, given, started)
    if args.out.endswith(SAFETENSORS_SUFFIX):
        raise ValueError(f"a {SAFETENSORS_SUFFIX} file takes its tensors from --tensor NAME SHAPE INIT or --spec "
                         "SPEC.json")
    progress = sys.stderr if (sys.stderr.isatty() and not args.quiet) else None
    if args.resume:
        values = _resumed_values(args, given)
    else:
        if args.shape is None:
            raise ValueError("--shape is needed (only --resume takes it from the progress marker)")
        if args.rows and args.seed is None:
            raise ValueError("--rows needs the --seed of the original fill (the 'reproduce with' line of its "
                             "summary has it)")
        _check_options_apply(args.init, given)
        values = {dest: getattr(args, dest) for dest in _relevant_options(args.init)}
    init = values["init"]
    options = {keyword: values[dest] for dest, keyword in INIT_OPTIONS[init].items()}
    try:
        info = fill_file(args.out, values["shape"], init, values["dtype"], values["seed"], stream=values["stream"],
                         layout=values.get("layout", "torch"), options=options, chunk_bytes=args.chunk_mb << 20,
                         progress=progress, rows=args.rows, resume=args.resume, force=args.force)
    except Interrupted as stop:
        if progress is not None:
            progress.write("\n")
        print(f"xinit-c: interrupted: {_interrupted_message(args, values, stop)}", file=sys.stderr)
        return INTERRUPTED_STATUS
    values["seed"] = info["seed"]
    _report(args, values, info, time.perf_counter() - started)
    return 0


# --------------------------------------------------------------------------
# The fill command's safetensors output: several tensors, each on its own name-keyed stream
# --------------------------------------------------------------------------

def _shape_from_text(text, where):
    """``"4096,1024"`` -> (4096, 1024); ``""`` -> () (a 0-d tensor)."""
    try:
        return tuple(int(size) for size in text.split(",")) if text.strip() else ()
    except ValueError:
        raise ValueError(f"{where}: SHAPE {text!r} is not comma-separated sizes such as 4096,1024") from None


def _init_from_text(text, where):
    """``"normal:std=0.02,mean=0"`` -> ("normal", {"std": 0.02, "mean": 0.0}), keys spelled as the options'."""
    init, _, listed = text.partition(":")
    options = {}
    for item in filter(None, listed.split(",")):
        key, equals, value = item.partition("=")
        if not equals:
            raise ValueError(f"{where}: {item!r} in INIT {text!r} is not OPTION=VALUE")
        options[key.strip().lstrip("-").replace("-", "_")] = value.strip()
    return init, options


def _tensor_options(init, options, where):
    """The fill keywords of ``options`` (option dests -> values), each of its option's type."""
    if init not in INIT_OPTIONS:
        raise ValueError(f"{where}: unknown INIT {init!r}; choose from {', '.join(INIT_OPTIONS)}")
    if not isinstance(options, dict):
        raise ValueError(f"{where}: options must be an object of OPTION: VALUE")
    stray = [key for key in options if key not in INIT_OPTIONS[init]]
    if stray:
        takes = ", ".join(INIT_OPTIONS[init]) or "none"
        raise ValueError(f"{where}: {', '.join(stray)} do{'es' if len(stray) == 1 else ''} not apply to {init} "
                         f"(it takes: {takes})")
    keywords = {}
    for key, value in options.items():
        kind = str if key in TEXT_OPTIONS else float
        try:
            keywords[INIT_OPTIONS[init][key]] = kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: {key}={value!r} is not a {kind.__name__}") from None
    return keywords


def _tensors_from_arguments(triples, dtype):
    tensors = []
    for name, shape, init_text in triples or ():
        where = f"--tensor {name}"
        init, options = _init_from_text(init_text, where)
        tensors.append({"name": name, "shape": _shape_from_text(shape, where), "init": init,
                        "options": _tensor_options(init, options, where), "dtype": dtype,
                        "words": ["--tensor", name, shape, init_text]})
    return tensors


def _tensors_from_spec(path, dtype):
    """The tensors of a spec file: {"tensors": [{"name", "shape", "init", "options"?, "dtype"?}, ...]}."""
    with open(path) as spec_file:
        try:
            spec = json.load(spec_file)
        except json.JSONDecodeError as exc:
            raise ValueError(f"--spec {path} is not JSON: {exc}") from None
    listed = spec.get("tensors") if isinstance(spec, dict) else None
    if not isinstance(listed, list) or set(spec) != {"tensors"}:
        raise ValueError(f'--spec {path} must hold one object {{"tensors": [...]}}')
    tensors = []
    for index, entry in enumerate(listed):
        where = f"--spec {path} tensors[{index}]"
        if not isinstance(entry, dict) or not {"name", "shape", "init"} <= set(entry) \
                or not set(entry) <= SPEC_FIELDS:
            raise ValueError(f"{where} must be an object with name, shape and init, and optionally options and "
                             "dtype")
        name, shape, init = entry["name"], entry["shape"], entry["init"]
        if not isinstance(name, str):
            raise ValueError(f"{where}: name must be a string")
        if not isinstance(shape, list) or any(type(size) is not int or size < 0 for size in shape):
            raise ValueError(f"{where} ({name}): shape must be a list of non-negative integers")
        tensor_dtype = entry.get("dtype", dtype)
        if tensor_dtype not in DTYPES:
            raise ValueError(f"{where} ({name}): dtype must be one of {', '.join(DTYPES)}")
        tensors.append({"name": name, "shape": tuple(shape), "init": init, "dtype": tensor_dtype,
                        "options": _tensor_options(init, entry.get("options", {}), f"{where} ({name})")})
    return tensors


def _tensor_fill(tensor, seed, stream, layout):
    """The TensorFill of one tensor, its arguments checked by filling one element (or none) of it."""
    from xinit_c._safetensors import TensorFill
    from xinit_c._streams import parameter_stream

    init, shape = tensor["init"], tensor["shape"]
    function = getattr(_api, init + "_")
    if init in UNSEEDED_INITS:
        def fill(out, global_shape, offset):
            function(out)
    else:
        generator = _api.Generator(seed, stream=parameter_stream(tensor["name"], stream))
        options = {**tensor["options"], "layout": layout} if init in FAN_INITS else tensor["options"]

        def fill(out, global_shape, offset):
            function(out, generator=copy.copy(generator), global_shape=global_shape, offset=offset, **options)
    probe = np.empty(tuple(min(size, 1) for size in shape), _dtype(tensor["dtype"]))
    try:
        fill(probe, shape, (0,) * len(shape))
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"tensor {tensor['name']}: {exc}") from None
    return TensorFill(tensor["name"], shape, tensor["dtype"], fill)


def _cmd_fill_safetensors(args, given, started):
    from xinit_c._safetensors import write_safetensors

    npy_only = [_flag(dest) for dest in ("shape", "init", "rows", "resume") + tuple(INIT_DESTS) if dest in given]
    if npy_only:
        raise ValueError(f"{', '.join(npy_only)}: for .npy output; a safetensors file takes each tensor's "
                         "initialiser and options as --tensor NAME SHAPE INIT[:OPTION=VALUE,...] or in --spec")
    seed = secrets.randbits(SEED_BITS) if args.seed is None else args.seed
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    tensors = _tensors_from_arguments(args.tensor, args.dtype)
    if args.spec is not None:
        tensors += _tensors_from_spec(args.spec, args.dtype)
    fills = [_tensor_fill(tensor, seed, args.stream, args.layout) for tensor in tensors]
    if not args.force and os.path.lexists(args.out):
        raise ValueError(f"{args.out} exists; nothing was written. Add --force to replace it")
    metadata = {"xinit_c.version": xinit_c.__version__, "xinit_c.stream_version": str(xinit_c.STREAM_VERSION),
                "xinit_c.seed": str(seed), "xinit_c.stream": str(args.stream)}
    write_safetensors(args.out, fills, metadata=metadata, chunk_bytes=args.chunk_mb << 20,
                      progress=False if args.quiet else None)
    seconds = time.perf_counter() - started
    size = sum(math.prod(fill.shape) * _dtype(fill.dtype).itemsize for fill in fills)
    drawn = " (drawn from OS entropy)" if args.seed is None else ""
    print(f"wrote {args.out}: {len(fills)} tensors, {_human_bytes(size)}, seed {seed}{drawn}, stream "
          f"{args.stream}, stream contract version {xinit_c.STREAM_VERSION}")
    for tensor in tensors:
        options = " ".join(f"{key}={value}" for key, value in tensor["options"].items())
        print(f"  {tensor['name']}: shape {tensor['shape']} {tensor['dtype']}, {tensor['init']} {options}".rstrip())
    print(f"whole run: {seconds:.3f} s, {size / max(seconds, 1e-9) / 1e9:.2f} GB/s")
    words = _program() + ["fill", args.out]
    for tensor in tensors:
        words += tensor.get("words", [])
    if args.spec is not None:
        words += ["--spec", args.spec]
    words += ["--dtype", args.dtype, "--seed", str(seed), "--stream", str(args.stream)]
    if any(tensor["init"] in FAN_INITS for tensor in tensors):
        words += ["--layout", args.layout]
    print(f"reproduce with: {shlex.join(words)}")
    return 0


def _interrupted_message(args, values, stop):
    if stop.wrote_nothing:
        return f"nothing was written to {args.out}"
    if args.rows is None:
        return f"{stop.rows_done} of {stop.stop_row} rows of {args.out} are written; resume with: " \
               f"{_resume_command(args.out)}"
    return (f"rows {stop.first_row}:{stop.rows_done} of {args.out} are rewritten, {stop.rows_done}:{stop.stop_row} "
            f"are not; finish with: {_command(args.out, values, '--rows', str(stop.rows_done), str(stop.stop_row))}")


def _report(args, values, info, seconds):
    first, stop = info["rows"]
    what = "" if (first, stop) == (0, (info["shape"] or (1,))[0]) else f" rows {first}:{stop} of"
    drawn = " (from the progress marker)" if args.resume else " (drawn from OS entropy)" if args.seed is None else ""
    print(f"wrote{what} {args.out}: shape {info['shape']} {info['dtype']}, {info['init']}, "
          f"seed {info['seed']}{drawn}, key {info['key'][0]:#010x} {info['key'][1]:#010x}, stream {info['stream']}, "
          f"stream contract version {xinit_c.STREAM_VERSION}")
    if "fan_in" in info:
        print(f"fan_in {info['fan_in']}  fan_out {info['fan_out']}")
    dist = info["distribution"]
    if dist == "uniform":
        print(f"uniform bounds [{info['low']:.9g}, {info['high']:.9g}]")
    elif dist in ("normal", "trunc_normal"):
        line = f"{dist} mean {info['mean']:.9g}  std {info['std']:.9g}"
        if dist == "trunc_normal":
            line += f"  truncated to [{info['a']:.9g}, {info['b']:.9g}]"
        print(line)
    print(f"observed mean {info['observed_mean']:.6g}  std {info['observed_std']:.6g}")
    size = info["bytes"]
    print(f"whole run: {seconds:.3f} s for {_human_bytes(size)}, {size / max(seconds, 1e-9) / 1e9:.2f} GB/s "
          "(checks, computing, writing the file)")
    computing = info["fill_seconds"]
    print(f"computing values only: {computing:.3f} s, {size / max(computing, 1e-9) / 1e9:.2f} GB/s, "
          f"{computing / max(info['elements'], 1) * 1e9:.2f} ns/element")
    print(f"reproduce with: {_command(args.out, values)}")


def _cmd_info(args, given):
    print(f"xinit-c {xinit_c.__version__}")
    print(f"stream contract version {xinit_c.STREAM_VERSION} (docs/stream.md)")
    print(f"python {platform.python_version()} ({platform.python_implementation()}), "
          f"numpy {np.__version__}")
    print(f"platform {platform.platform()}, machine {platform.machine()}")
    print(f"compiled by {platform.python_compiler()}")
    print(f"kernel variant {_core.get_simd()} (this CPU runs: {' '.join(_core.simd_backends())}), "
          f"threads {_core.get_num_threads()}")
    print(f"extension {_core.__file__}")
    return 0


def _cmd_bench(args, given):
    from xinit_c import _bench
    return _bench.main(args.bench_args)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except where there is none to show (None, or an unset flag)."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def build_parser(with_defaults=True):
    """The argument parser; ``with_defaults=False`` leaves out what was not given (to tell given from default)."""
    parser = argparse.ArgumentParser(prog="xinit-c", description=__doc__.splitlines()[0],
                                     formatter_class=_HelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fill = sub.add_parser("fill", help="write an initialised .npy or safetensors file", formatter_class=_HelpFormatter,
                          description="Write an initialised .npy file in row chunks, with exactly the bytes of "
                                      "the in-memory fill, or (with --tensor or --spec) a safetensors file of "
                                      "several tensors, each from the stream its name selects. Without --seed a "
                                      "64-bit seed is drawn and printed.")

    def option(*names, default=None, **kwargs):
        fill.add_argument(*names, default=default if with_defaults else argparse.SUPPRESS, **kwargs)

    fill.add_argument("out", help="output .npy path")
    option("--shape", type=int, nargs="+", help="tensor shape (needed unless --resume)")
    option("--init", choices=tuple(INIT_OPTIONS), default="xavier_uniform", help="initialiser")
    option("--dtype", choices=DTYPES, default="float32", help="element type")
    option("--seed", type=int, help="seed (default: 64 bits from OS entropy, printed in the summary)")
    option("--stream", type=int, default=0, help="64-bit stream id")
    option("--layout", choices=LAYOUTS, default="torch", help="axis convention for fans (fan-based inits)")
    option("--gain", type=float, default=1.0, help="xavier gain")
    option("--a", type=float, default=0.0, help="kaiming negative slope")
    option("--mode", default="fan_in", help="fan mode (kaiming: fan_in, fan_out; variance_scaling: also fan_avg, "
                                            "fan_geo_avg)")
    option("--nonlinearity", default="leaky_relu", help="kaiming nonlinearity")
    option("--scale", type=float, default=1.0, help="variance_scaling scale")
    option("--distribution", default="truncated_normal", help="variance_scaling distribution")
    option("--low", type=float, default=0.0, help="uniform lower bound")
    option("--high", type=float, default=1.0, help="uniform upper bound")
    option("--mean", type=float, default=0.0, help="normal and trunc_normal mean")
    option("--std", type=float, default=1.0, help="normal and trunc_normal standard deviation")
    option("--a-bound", type=float, default=-2.0, help="trunc_normal lower bound")
    option("--b-bound", type=float, default=2.0, help="trunc_normal upper bound")
    option("--chunk-mb", type=int, default=DEFAULT_CHUNK_MB,
           help="rows per chunk: this many MiB (resident memory is about one chunk)")
    option("--quiet", action="store_true", help="no progress display")
    option("--tensor", nargs=3, action="append", metavar=("NAME", "SHAPE", "INIT"),
           help="write a safetensors file with this tensor (repeatable): SHAPE as comma-separated sizes (4096,1024), "
                "INIT as an initialiser with its options, e.g. normal:std=0.02 or kaiming_uniform:a=2.2,mode=fan_out; "
                "the element type is --dtype")
    option("--spec", help='write a safetensors file with the tensors a JSON file lists: {"tensors": [{"name": ..., '
                          '"shape": [...], "init": ..., "options": {...}, "dtype": ...}]} (options and dtype '
                          "optional)")
    existing = fill.add_mutually_exclusive_group()
    existing.add_argument("--force", action="store_true", default=False if with_defaults else argparse.SUPPRESS,
                          help="replace OUT if it exists (without it, an existing OUT is refused)")
    existing.add_argument("--rows", type=int, nargs=2, metavar=("START", "STOP"),
                          default=None if with_defaults else argparse.SUPPRESS,
                          help="(re)fill only these rows of an existing OUT, with the values the whole fill gives")
    existing.add_argument("--resume", action="store_true", default=False if with_defaults else argparse.SUPPRESS,
                          help="continue an interrupted fill of OUT from OUT.progress, which supplies every "
                               "option; options given must match it")
    fill.set_defaults(run=_cmd_fill)
    info = sub.add_parser("info", help="version and build details")
    info.set_defaults(run=_cmd_info)
    # prefix_chars="+": every option after "bench" goes untouched to xinit_c._bench.main
    bench = sub.add_parser("bench", help="time xinit_c against numpy, torch, mkl_random and jax (xinit-c bench --help)",
                           add_help=False, prefix_chars="+")
    bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    bench.set_defaults(run=_cmd_bench)
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser().parse_args(argv)
        given = set(vars(build_parser(with_defaults=False).parse_args(argv))) if args.command == "fill" else set()
        return args.run(args, given)
    except (ValueError, TypeError) as exc:
        print(f"xinit-c: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"xinit-c: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("xinit-c: interrupted", file=sys.stderr)
        return INTERRUPTED_STATUS


if __name__ == "__main__":
    sys.exit(main())

"""Types and documentation of the public API: `mypy --strict` accepts a correct script and flags each wrong call,
the stubs have the runtime signatures, every public function documents its parameters and errors, the examples
run, and the optional modules name their extra when it is missing."""
import ast
import doctest
import importlib
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import xinit_c

PACKAGE = Path(xinit_c.__file__).parent
SCRIPTS = Path(__file__).parent / "typing"

# script suffix -> the optional package its scripts import (None: numpy only)
VARIANTS = {"": None, "_torch": "torch", "_dask": "dask", "_keras": "keras", "_jax": "jax"}
VARIANT_IDS = ["numpy", "torch", "dask", "keras", "jax"]

ERROR_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): error: .*?(?:  \[(?P<code>[a-z0-9-]+)\])?$")
MARKER = re.compile(r"#\s*E:\s*(?P<codes>[a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$")


def _installed(name):
    # the keras scripts run on Keras's numpy backend, which imports jax (keras 3.15, keras/src/backend/numpy)
    needs = ("keras", "jax") if name == "keras" else (name,)
    return name is None or all(importlib.util.find_spec(need) is not None for need in needs)


def _skip_unless_installed(name):
    if not _installed(name):
        pytest.skip(f"{name} is not installed (keras: with jax, which its numpy backend imports): the scripts "
                    "that use it are not checked")


# --------------------------------------------------------------------------
# mypy --strict on the scripts under tests/typing
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """One mypy run over every script whose imports are installed, and the correct scripts run for real."""
    pytest.importorskip("mypy", reason="mypy is not installed (the test extra installs it)")
    work = tmp_path_factory.mktemp("mypy")
    # A copy of the typed files, found through MYPYPATH: an installed package sits in site-packages, which
    # MYPYPATH may not name, and mypy would silence errors in it; the copy is checked like the user's code.
    copy = work / "packages" / "xinit_c"
    copy.mkdir(parents=True)
    for pattern in ("*.py", "*.pyi", "py.typed"):
        for source in PACKAGE.glob(pattern):
            shutil.copy(source, copy / source.name)
    config = work / "mypy.ini"
    config.write_text("[mypy]\n")   # no configuration of the machine's or the repository's applies
    scripts = [SCRIPTS / f"{kind}{suffix}.py" for suffix, needs in VARIANTS.items() if _installed(needs)
               for kind in ("correct", "wrong")]
    # Keras runs the keras script on its numpy backend and writes its keras.json here, not in ~/.keras
    script_env = dict(os.environ, KERAS_BACKEND="numpy", KERAS_HOME=str(work / "keras-home"))
    runs = {script.name: subprocess.Popen([sys.executable, str(script)], cwd=work, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True, env=script_env)
            for script in scripts if script.name.startswith("correct")}
    mypy = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--config-file", str(config),
                           "--cache-dir", str(work / "cache"), "--no-error-summary", "--no-color-output",
                           "--no-pretty", "--show-absolute-path", *map(str, scripts)],
                          cwd=work, env=dict(os.environ, MYPYPATH=str(copy.parent)), capture_output=True,
                          text=True, timeout=600)
    outcomes = {name: (run.wait(timeout=600), run.stdout.read()) for name, run in runs.items()}
    assert mypy.returncode in (0, 1), f"mypy failed to run:\n{mypy.stdout}\n{mypy.stderr}"
    errors = {}
    for line in mypy.stdout.splitlines():
        match = ERROR_LINE.match(line)
        if match:
            errors.setdefault(Path(match["path"]).resolve(), []).append((int(match["line"]), match["code"], line))
    return {"errors": errors, "package": copy.resolve(), "runs": outcomes, "output": mypy.stdout}


def test_the_package_itself_passes_strict(checked):
    inside = [line for path, found in checked["errors"].items() if checked["package"] in path.parents
              for _, _, line in found]
    assert not inside, "\n".join(inside)


@pytest.mark.parametrize("suffix", VARIANTS, ids=VARIANT_IDS)
def test_a_correct_script_passes_strict_and_runs(checked, suffix):
    _skip_unless_installed(VARIANTS[suffix])
    script = SCRIPTS / f"correct{suffix}.py"
    found = checked["errors"].get(script.resolve(), [])
    assert not found, "\n".join(line for _, _, line in found)
    status, output = checked["runs"][script.name]
    assert status == 0, output


@pytest.mark.parametrize("suffix", VARIANTS, ids=VARIANT_IDS)
def test_each_marked_line_of_a_wrong_script_is_an_error_and_no_other(checked, suffix):
    _skip_unless_installed(VARIANTS[suffix])
    script = SCRIPTS / f"wrong{suffix}.py"
    expected = set()
    for number, text in enumerate(script.read_text().splitlines(), start=1):
        marker = MARKER.search(text)
        if marker:
            expected.update((number, code.strip()) for code in marker["codes"].split(","))
    assert len(expected) >= 4, "the wrong script lost its markers"
    found = checked["errors"].get(script.resolve(), [])
    assert {(number, code) for number, code, _ in found} == expected, checked["output"]


# --------------------------------------------------------------------------
# the stubs mypy reads have the runtime signatures
# --------------------------------------------------------------------------

def _stub_tree(module_name):
    """The file mypy reads for a module of the package: its .pyi stub, else its source."""
    stem = module_name.split(".", 1)[1] if "." in module_name else "__init__"
    path = PACKAGE / f"{stem}.pyi"
    if not path.exists():
        path = PACKAGE / f"{stem}.py"
    return ast.parse(path.read_text(), str(path))


def _stub_node(module_name, name):
    """The stub's definition of ``name`` as mypy finds it, following ``from ... import`` re-exports."""
    for node in _stub_tree(module_name).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return module_name, node
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return module_name, node
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xinit_c"):
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    return _stub_node(node.module, alias.name)
    return module_name, None


NO_DEFAULT = "no default"


def _default(node, namespace):
    if node is None:
        return NO_DEFAULT
    value = eval(compile(ast.Expression(node), "<stub default>", "eval"), namespace)
    return type(value), value


def _stub_parameters(function, namespace):
    args = function.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    kinds = [inspect.Parameter.POSITIONAL_ONLY] * len(args.posonlyargs)
    kinds += [inspect.Parameter.POSITIONAL_OR_KEYWORD] * len(args.args)
    parameters = [(a.arg, kind, _default(d, namespace)) for a, kind, d in zip(positional, kinds, defaults)]
    if args.vararg:
        parameters.append((args.vararg.arg, inspect.Parameter.VAR_POSITIONAL, NO_DEFAULT))
    parameters += [(a.arg, inspect.Parameter.KEYWORD_ONLY, _default(d, namespace))
                   for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    if args.kwarg:
        parameters.append((args.kwarg.arg, inspect.Parameter.VAR_KEYWORD, NO_DEFAULT))
    return parameters


def _runtime_parameters(signature):
    return [(p.name, p.kind, NO_DEFAULT if p.default is inspect.Parameter.empty else (type(p.default), p.default))
            for p in signature.parameters.values()]


def _public_modules():
    modules = [xinit_c]
    for name in ("dask", "torch", "jax"):
        if _installed(name):
            modules.append(importlib.import_module(f"xinit_c.{name}"))
    return modules


def _decorator_name(node):
    target = node.func if isinstance(node, ast.Call) else node
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)


def _signature_mismatches(module_name, name, obj):
    stub_module, node = _stub_node(module_name, name)
    if node is None:
        return [f"{module_name}.{name}: no stub"]
    if not callable(obj):
        return []
    namespace = vars(sys.modules[obj.__module__])
    if isinstance(node, ast.FunctionDef):
        stub, runtime = _stub_parameters(node, namespace), _runtime_parameters(inspect.signature(obj))
        return [] if stub == runtime else [f"{name}: stub {stub}\n    runtime {runtime}"]
    methods = {n.name: n for n in node.body if isinstance(n, ast.FunctionDef)}
    problems: list[str] = []
    if "__init__" in methods:
        stub_init = _stub_parameters(methods["__init__"], namespace)[1:]   # without self
    else:   # a dataclass: __init__ takes its annotated fields, in order
        stub_init = [(n.target.id, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                      NO_DEFAULT if n.value is None else _default(n.value, namespace))
                     for n in node.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)]
        if not any(_decorator_name(d) == "dataclass" for d in node.decorator_list):
            problems.append(f"{name}: a class without __init__ in its stub that is not a dataclass")
    runtime_init = _runtime_parameters(inspect.signature(obj))
    if stub_init != runtime_init:
        problems.append(f"{name}(): stub {stub_init}\n    runtime {runtime_init}")
    public = [m for m, value in vars(obj).items() if not m.startswith("_") and callable(value)]
    for method in public:
        if method not in methods:
            problems.append(f"{name}.{method}: no stub")
            continue
        stub = _stub_parameters(methods[method], namespace)
        runtime = _runtime_parameters(inspect.signature(getattr(obj, method)))
        if stub != runtime:
            problems.append(f"{name}.{method}: stub {stub}\n    runtime {runtime}")
    return problems


@pytest.mark.parametrize("module_name", ["xinit_c", "xinit_c.dask", "xinit_c.torch"])
def test_every_public_name_has_a_stub_with_its_runtime_signature(module_name):
    _skip_unless_installed(module_name.split(".")[1] if "." in module_name else None)
    module = importlib.import_module(module_name)
    assert module.__all__
    problems = [p for name in module.__all__ for p in _signature_mismatches(module_name, name, getattr(module, name))]
    assert not problems, "\n".join(problems)


def test_each_lazy_dask_fill_takes_the_options_of_its_eager_fill():
    xd = pytest.importorskip("xinit_c.dask", reason="dask is not installed")
    lazy_names = [name for name in xd.__all__ if name != "to_npy"]
    assert len(lazy_names) == 10
    for name in lazy_names:
        lazy = list(inspect.signature(getattr(xd, name)).parameters.values())
        eager = list(inspect.signature(getattr(xinit_c, name + "_")).parameters.values())
        assert [p.name for p in lazy[:4]] == ["shape", "chunks", "generator", "dtype"], name
        # the block's place, its thread count and the generator state are the lazy fill's to set
        eager_options = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in eager
                         if p.name not in ("out", "generator", "global_shape", "offset", "threads")]
        assert [(p.name, p.kind, p.default) for p in lazy[4:]] == \
            [(p.name, p.kind, p.default) for p in eager_options], name


@pytest.mark.parametrize("module_name", ["xinit_c._api", "xinit_c._fans"])
def test_the_stubs_of_compiled_modules_export_what_the_modules_export(module_name):
    module = importlib.import_module(module_name)
    stub_all = next(ast.literal_eval(node.value) for node in _stub_tree(module_name).body
                    if isinstance(node, ast.Assign) and [t.id for t in node.targets] == ["__all__"])
    assert stub_all == module.__all__


def _literal_alias(module_name, alias):
    for node in _stub_tree(module_name).body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if target is not None and isinstance(target, ast.Name) and target.id == alias:
            literal = node.value.slice
            return tuple(ast.literal_eval(e) for e in (literal.elts if isinstance(literal, ast.Tuple) else [literal]))
    raise AssertionError(f"no {alias} in the {module_name} stub")


@pytest.mark.parametrize("module_name, alias, runtime", [
    ("xinit_c._fans", "_Layout", "LAYOUTS"),
    ("xinit_c._fans", "_Mode", "MODES"),
    ("xinit_c._fans", "_Nonlinearity", "NONLINEARITIES"),
    ("xinit_c._api", "_KaimingMode", "KAIMING_MODES"),
    ("xinit_c._api", "_Distribution", "DISTRIBUTIONS"),
    ("xinit_c._api", "_FanBased", "FAN_BASED"),
])
def test_the_literal_types_are_the_accepted_names(module_name, alias, runtime):
    assert _literal_alias(module_name, alias) == tuple(getattr(importlib.import_module(module_name), runtime))


# --------------------------------------------------------------------------
# docstrings: numpydoc sections, every parameter, examples that run
# --------------------------------------------------------------------------

def _sections(doc):
    """numpydoc section title -> its lines (a title is a line underlined by as many dashes)."""
    lines = inspect.cleandoc(doc).splitlines()
    sections, current = {}, None
    for i, line in enumerate(lines):
        underline = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if line.strip() and underline and set(underline) == {"-"} and len(underline) == len(line.strip()):
            current = sections.setdefault(line.strip(), [])
        elif current is not None and not (line.strip() and set(line.strip()) == {"-"}):
            current.append(line)
    return sections


def _documented_names(parameter_lines):
    names = set()
    for line in parameter_lines:
        if line.strip() and not line[0].isspace():
            names.update(n.strip().lstrip("*") for n in line.split(" : ")[0].split(","))
    return names


def _documented_callables(module):
    for name in module.__all__:
        obj = getattr(module, name)
        if callable(obj):
            yield name, obj, inspect.isclass(obj)
            if inspect.isclass(obj):
                for method, value in vars(obj).items():
                    if not method.startswith("_") and callable(value):
                        yield f"{name}.{method}", getattr(obj, method), False


def _docstring_problems(name, obj, is_class):
    sections = _sections(obj.__doc__ or "")
    parameters = [p for p in inspect.signature(obj).parameters if p != "self"]
    needed = ["Examples"] + ([] if is_class else ["Returns"]) + (["Parameters", "Raises"] if parameters else [])
    problems = [f"{name}: no {section} section" for section in needed if section not in sections]
    if parameters and "Parameters" in sections:
        documented = _documented_names(sections["Parameters"])
        problems += [f"{name}: parameter {p} is not in Parameters" for p in parameters if p not in documented]
        problems += [f"{name}: Parameters names {d}, which it does not take" for d in documented - set(parameters)]
    if "Examples" in sections and not any(line.lstrip().startswith(">>>") for line in sections["Examples"]):
        problems.append(f"{name}: Examples has no example")
    return problems


def _keras_for_this_process(monkeypatch, tmp_path):
    """Skip without keras; otherwise let xinit_c.keras import here: Keras fixes its backend at its first import
    (the numpy one, unless the environment names another) and writes its keras.json into a temporary KERAS_HOME."""
    _skip_unless_installed("keras")
    if "keras" not in sys.modules:
        monkeypatch.setenv("KERAS_BACKEND", os.environ.get("KERAS_BACKEND", "numpy"))
        monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))


@pytest.mark.parametrize("module_name", ["xinit_c", "xinit_c.initializers", "xinit_c.dask", "xinit_c.torch",
                                         "xinit_c.keras", "xinit_c.jax"])
def test_every_public_callable_documents_parameters_returns_raises_and_examples(module_name, monkeypatch,
                                                                                tmp_path):
    if module_name in ("xinit_c.dask", "xinit_c.torch", "xinit_c.jax"):
        _skip_unless_installed(module_name.split(".")[1])
    if module_name == "xinit_c.keras":
        _keras_for_this_process(monkeypatch, tmp_path)
    module = importlib.import_module(module_name)
    checked = list(_documented_callables(module))
    assert len(checked) >= 3
    problems = [p for name, obj, is_class in checked for p in _docstring_problems(name, obj, is_class)]
    assert not problems, "\n".join(problems)


def test_raises_is_only_left_out_where_nothing_can_be_passed_in():
    # the rule above exempts functions without parameters; these are all of them, and they have nothing to
    # reject (capi_functions documents the one error it can raise)
    exempt = sorted(name for name, obj, _ in _documented_callables(xinit_c)
                    if not [p for p in inspect.signature(obj).parameters if p != "self"])
    assert exempt == ["capi_functions", "default_generator", "get_include", "get_num_threads", "get_simd",
                      "simd_backends"]
    assert "Raises" in _sections(xinit_c.capi_functions.__doc__)


def test_help_shows_each_signature_once():
    # embedsignature would put the signature in __doc__ as well as in inspect's signature
    for name, obj, _ in _documented_callables(xinit_c):
        assert not inspect.cleandoc(obj.__doc__).startswith(name.split(".")[-1] + "("), name
    assert str(inspect.signature(xinit_c.Generator)) == "(seed=None, *, key=None, stream=0, position=0)"


DOCTEST_MODULES = ["xinit_c", "xinit_c._api", "xinit_c._fans", "xinit_c._core", "xinit_c._capi",
                   "xinit_c.initializers", "xinit_c._structured", "xinit_c._buffers", "xinit_c.dask",
                   "xinit_c.torch", "xinit_c._torch_models", "xinit_c._torch_init", "xinit_c._safetensors",
                   "xinit_c._streams", "xinit_c.keras", "xinit_c.jax"]


def _docstrings(module):
    """The module's docstring and those of the public objects defined in it (methods included)."""
    yield module.__name__, module.__doc__
    public = getattr(module, "__all__", xinit_c.__all__)
    for name in public:
        obj = getattr(module, name, None)
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        yield f"{module.__name__}.{name}", obj.__doc__
        if inspect.isclass(obj):
            for member, value in vars(obj).items():
                if not member.startswith("_") and getattr(value, "__doc__", None):
                    yield f"{module.__name__}.{name}.{member}", value.__doc__


@pytest.mark.parametrize("module_name", DOCTEST_MODULES)
def test_the_examples_run(module_name, tmp_path, monkeypatch):
    if module_name in ("xinit_c.dask", "xinit_c.torch", "xinit_c._buffers", "xinit_c._torch_models",
                       "xinit_c._torch_init"):
        _skip_unless_installed("dask" if module_name == "xinit_c.dask" else "torch")
    if module_name == "xinit_c.jax":
        _skip_unless_installed("jax")
    if module_name == "xinit_c._safetensors":   # save_initialized's example builds a torch model and loads it back
        _skip_unless_installed("torch")
        _skip_unless_installed("safetensors")
    if module_name == "xinit_c.keras":   # tests/keras_backends.py runs these examples on every backend
        _keras_for_this_process(monkeypatch, tmp_path)
    monkeypatch.chdir(tmp_path)   # examples that write files write them here
    module = importlib.import_module(module_name)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    for name, doc in _docstrings(module):
        if doc:
            runner.run(parser.get_doctest(doc, dict(vars(module)), name, module.__file__, 0), out=report.append)
    results = runner.summarize(verbose=False)
    assert results.attempted > 0, f"{module_name} has no examples"
    assert results.failed == 0, "".join(report)


# --------------------------------------------------------------------------
# the optional modules name the extra to install
# --------------------------------------------------------------------------

WITHOUT = '''
import importlib.abc, json, sys

class Uninstalled(importlib.abc.MetaPathFinder):
    """{blocked} and its submodules, as if they were not installed."""
    def find_spec(self, name, path=None, target=None):
        if name == {blocked!r} or name.startswith({blocked!r} + "."):
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Uninstalled())
import numpy as np, xinit_c
xinit_c.xavier_uniform_(np.empty((4, 4)))
try:
    import {module}
except ImportError as exc:
    print(json.dumps({{"type": type(exc).__name__, "message": str(exc), "cause": type(exc.__cause__).__name__,
                      "missing": getattr(exc.__cause__, "name", None)}}))
'''


@pytest.mark.parametrize("module, blocked, extra", [("xinit_c.torch", "torch", "torch"),
                                                     ("xinit_c.dask", "dask", "dask"),
                                                     ("xinit_c.keras", "keras", "keras"),
                                                     ("xinit_c.jax", "jax", "jax")])
def test_a_missing_extra_is_an_import_error_naming_it(module, blocked, extra, tmp_path):
    code = WITHOUT.format(module=module, blocked=blocked)
    # from outside the source tree: -c puts the working directory first on sys.path
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr   # the core imports and fills without the extra
    raised = json.loads(result.stdout)
    assert raised["type"] == "ImportError"   # not ModuleNotFoundError: xinit_c's module exists
    assert f"pip install 'xinit-c[{extra}]'" in raised["message"]
    assert raised["cause"] == "ModuleNotFoundError" and raised["missing"] == blocked

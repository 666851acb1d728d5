"""Build the xinit_c._core extension: the C99 core in src/ plus the Cython layer."""
import itertools
import os
import platform
import struct
import subprocess
import sysconfig

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

CORE_SOURCES = [
    "src/dispatch.c", "src/fill.c", "src/kernels_scalar.c", "src/kernels_sse2.c", "src/kernels_avx2.c",
    "src/kernels_avx512.c", "src/kernels_neon.c", "src/normal_cdf.c", "src/params.c", "src/threads.c",
    "src/capi.c",
]

# Bit-exact streams need IEEE semantics: no contraction into FMA, no fast-math.
# No -march: wheels must run on every CPU of their platform.
FLAGS = {
    "msvc": ["/O2", "/fp:precise"],   # precise: no contraction into FMA
    "unix": ["-O3", "-std=c99", "-ffp-contract=off", "-fno-math-errno", "-fno-strict-aliasing"],
}

# GCC on s390x evaluates float arithmetic in double under -std=c99 (FLT_EVAL_METHOD
# 1, which src/dispatch.c refuses): its s390 hook asks for double under
# -fexcess-precision=standard, implied by ISO mode, to agree with old glibc's
# float_t, and for float under -fexcess-precision=fast, as the hardware adds no
# precision of its own (gcc/config/s390/s390.cc, s390_excess_precision). fast is
# exact binary32 there; tests/c/run.sh does the same. Clang evaluates float as
# float there already, and rejects the flag under -Werror.
S390X_GCC = ["-fexcess-precision=fast"]

# 32-bit x86 compilers default to x87 math, whose 80-bit registers change the
# bits (FLT_EVAL_METHOD 2, also refused); SSE2 math rounds each operation to
# binary32/binary64, as tests/c/platforms.sh's i686 build does. Such a wheel
# needs an SSE2 CPU (Pentium 4 and later). A 32-bit interpreter on a 64-bit
# kernel (no linux32) reports linux-x86_64, hence the pointer size.
PLATFORM = sysconfig.get_platform()
if PLATFORM in ("linux-i386", "linux-i586", "linux-i686") or (
        struct.calcsize("P") == 4 and platform.machine() in ("x86_64", "i386", "i586", "i686")):
    FLAGS["unix"] = FLAGS["unix"] + ["-msse2", "-mfpmath=sse"]


# XINIT_C_SANITIZE=1: an AddressSanitizer + UndefinedBehaviorSanitizer build
# for tools/sanitize.sh (GCC/Clang only; never for a wheel).
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"]


# XINIT_C_WERROR=1 (set by the CI workflows): warnings are errors.
WERROR = {"msvc": ["/WX"], "unix": ["-Werror"]}


# src/fpenv.h sets the floating-point environment through <fenv.h> on CPUs
# other than x86-64 and AArch64, and glibc keeps those functions in libm.
LIBRARIES = {"unix": ["m"]}


class BuildExt(build_ext):
    def build_extensions(self):
        flags = FLAGS.get(self.compiler.compiler_type, FLAGS["unix"])
        if PLATFORM.endswith("s390x") and self.compiler.compiler_type == "unix" and not self._is_clang():
            flags = flags + S390X_GCC
        if os.environ.get("XINIT_C_WERROR") == "1":
            flags = flags + WERROR.get(self.compiler.compiler_type, WERROR["unix"])
        sanitize = os.environ.get("XINIT_C_SANITIZE") == "1" and self.compiler.compiler_type == "unix"
        for ext in self.extensions:
            if ext.name == extension.name:
                ext.libraries = LIBRARIES.get(self.compiler.compiler_type, [])
            ext.extra_compile_args = flags + (SANITIZE if sanitize else [])
            ext.extra_link_args = SANITIZE if sanitize else []
        super().build_extensions()

    def _is_clang(self):
        command = list(itertools.takewhile(lambda word: not word.startswith("-"), self.compiler.compiler_so))
        macros = subprocess.run([*command, "-dM", "-E", "-x", "c", os.devnull],
                                capture_output=True, text=True, check=True).stdout
        return "__clang__" in macros


extension = Extension(
    "xinit_c._core",
    sources=["xinit_c/_core.pyx"] + CORE_SOURCES,
    include_dirs=["src", "xinit_c/include", numpy.get_include()],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_22_API_VERSION")],
)

# The Python API is plain Python, compiled as well: every fill call passes
# through it, and compiled it costs a fraction of the interpreted call.
python_modules = [Extension(f"xinit_c.{name}", [f"xinit_c/{name}.py"]) for name in ("_api", "_fans")]

# binding=True gives every function a signature that inspect, help() and the
# tests read; embedsignature would repeat it as the docstring's first line (and
# for the Generator class it wrote key= as positional).
setup(ext_modules=cythonize([extension] + python_modules, language_level=3,
                            compiler_directives={"binding": True, "embedsignature": False}),
      cmdclass={"build_ext": BuildExt})

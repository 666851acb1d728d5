"""python setup.py build_ext --inplace: builds nogil_fill against the installed xinit_c."""
import os

from Cython.Build import cythonize
from setuptools import Extension, setup

import xinit_c

# where Cython finds xinit_c/capi.pxd: the directory holding the package
package_parent = os.path.dirname(os.path.dirname(os.path.abspath(xinit_c.__file__)))

setup(ext_modules=cythonize([Extension("nogil_fill", ["nogil_fill.pyx"], include_dirs=[xinit_c.get_include()])],
                            include_path=[package_parent], language_level=3))

"""python setup.py build_ext --inplace: builds capsule_fill against the installed xinit_c."""
from setuptools import Extension, setup

import xinit_c

setup(ext_modules=[Extension("capsule_fill", ["capsule_fill.c"], include_dirs=[xinit_c.get_include()])])

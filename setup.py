"""Only for editable installs' data files; everything else is in pyproject.toml.

setuptools' editable wheel installs data files (the econ kernelspec, share/jupyter/kernels/econ)
only when the distribution answers ``has_data()``, a method it does not define (distutils has
``has_data_files()``), so ``pip install -e .`` would skip them. This answers it; a normal install is
unchanged. tests/test_kernel.py checks both kinds of install.
"""

from setuptools import Distribution, setup


class _Distribution(Distribution):
    def has_data(self) -> bool:
        return self.has_data_files()


setup(distclass=_Distribution)

"""Ship the top-level configs/ and themes/ folders in the wheel as mgtui.configs / mgtui.themes.

All metadata lives in pyproject.toml. Its package discovery only walks mgtui/, and these
two data packages live beside it ([tool.setuptools.package-dir] maps them), so they are
added to the package list here.
"""

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_PACKAGES = ("mgtui.configs", "mgtui.themes")


class BuildPyWithData(build_py):
    def finalize_options(self) -> None:
        packages = list(self.distribution.packages or [])
        self.distribution.packages = packages + [p for p in DATA_PACKAGES if p not in packages]
        super().finalize_options()


setup(cmdclass={"build_py": BuildPyWithData})

"""Packaging glue that pyproject.toml cannot express: the top-level resources/ folder
travels inside the wheel as the package ``commune_desk._resources``."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["commune_desk", "commune_desk.*"]) + ["commune_desk._resources"],
    package_dir={"commune_desk._resources": "resources"},
    package_data={
        "commune_desk._resources": ["**/*"],
        "commune_desk.store": ["migrations/*.mako", "migrations/versions/*.py"],
    },
)

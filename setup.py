"""Install rspnet-mm: RSPNet as an MMAction2 1.x plugin."""
from setuptools import find_packages, setup


def read_requirements(path):
    with open(path) as f:
        return [
            line.split('#')[0].strip() for line in f
            if line.split('#')[0].strip()
        ]


setup(
    name='rspnet-mm',
    version='0.1.0',
    description='RSPNet (relative speed perception) for MMAction2 1.x',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['rspnet_mm', 'rspnet_mm.*']),
    python_requires='>=3.10',
    install_requires=read_requirements('requirements/runtime.txt'),
    extras_require={'tests': read_requirements('requirements/tests.txt')},
    license='Apache-2.0',
)

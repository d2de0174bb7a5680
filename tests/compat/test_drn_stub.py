"""drn_stub: ``mmaction.models`` imports although the 1.2.0 wheel lacks
``localizers/drn``, and the stand-in is there only when it is missing."""
import sys

import pytest

from rspnet_mm.compat import drn_stub

PKG = 'mmaction.models.localizers.drn'


def test_mmaction_models_import_and_the_stub_stands_in():
    from mmaction.models import Recognizer3D
    from mmaction.registry import MODELS
    assert MODELS.get('Recognizer3D') is Recognizer3D
    assert not drn_stub._drn_is_shipped()  # the pinned wheel's defect
    stub = sys.modules[PKG + '.drn']
    assert sys.modules[PKG].__path__ == [] and sys.modules[PKG].drn is stub
    with pytest.raises(ImportError) as info:
        stub.DRN(1, key=2)
    assert str(info.value) == (
        'DRN is not part of the mmaction2 1.2.0 wheel (upstream issue '
        '#2714); install mmaction2 from source to use it.')
    assert drn_stub.apply() is False  # already installed


def test_nothing_is_installed_when_the_wheel_ships_drn(monkeypatch):
    for name in (PKG, PKG + '.drn'):
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(drn_stub, '_drn_is_shipped', lambda: True)
    assert drn_stub.apply() is False
    assert PKG not in sys.modules and PKG + '.drn' not in sys.modules
    monkeypatch.setattr(drn_stub, '_drn_is_shipped', lambda: False)
    assert drn_stub.apply() is True  # and back, as import rspnet_mm left it
    assert sys.modules[PKG + '.drn'].DRN is drn_stub._MissingDRN

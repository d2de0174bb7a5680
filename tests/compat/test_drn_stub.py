import sys

import pytest


def test_mmaction_models_imports_after_plugin():
    from mmaction.models import Recognizer3D
    from mmaction.registry import MODELS

    assert MODELS.get('Recognizer3D') is Recognizer3D


def test_stub_only_stands_in_for_the_missing_drn():
    from rspnet_mm.compat import drn_stub

    stub = sys.modules['mmaction.models.localizers.drn.drn']
    with pytest.raises(ImportError, match='#2714'):
        stub.DRN()
    # applying again changes nothing
    assert drn_stub.apply() is False

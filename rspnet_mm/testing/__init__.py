"""Helpers for tests: regenerate official-layout weights from the
manifests in ``../shared/fixtures/official``."""
from .official_weights import (
    OFFICIAL_ARCHS,
    assert_close_to_official,
    load_manifest,
    official_backbone_weights,
    official_checkpoint,
    official_input,
    official_pretrain_state_dict,
    run_on_official_fixture,
)

__all__ = [
    'OFFICIAL_ARCHS', 'assert_close_to_official', 'load_manifest',
    'official_backbone_weights', 'official_checkpoint', 'official_input',
    'official_pretrain_state_dict', 'run_on_official_fixture'
]

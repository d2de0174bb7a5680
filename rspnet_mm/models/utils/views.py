"""The per-sample view layout RelativeSpeedSampler packs and the models read.

Each sample holds ``NUM_VIEWS`` clips ``[q, k+, k-]``: q from window A at
speed s, k+ from window B at s, k- from window B at the other speed.
"""

NUM_VIEWS = 3

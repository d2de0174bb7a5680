from . import backbones, heads, necks, recognizers  # noqa: F401

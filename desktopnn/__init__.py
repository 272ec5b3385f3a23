"""desktopnn: a desktop app that teaches how neural networks see and remember."""

__version__ = "0.1.0"

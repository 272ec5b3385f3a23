"""Sources: camera, video files, microphone, audio files and demo sources; numpy arrays out."""

from desktopnn.sources.base import FrameSource, qimage_to_numpy, video_frame_to_numpy
from desktopnn.sources.demo import DemoSource
from desktopnn.sources.switcher import LiveInput

__all__ = ["DemoSource", "FrameSource", "LiveInput", "qimage_to_numpy", "video_frame_to_numpy"]

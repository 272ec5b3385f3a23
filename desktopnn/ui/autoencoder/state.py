"""The Encoder & decoder tab's state: the choices a scene saves and the lists they are chosen from
(sub-views, bottlenecks, noise kinds, audio sources, spectrogram windows and hops). No widgets: the
views build their controls from these lists, and scene.py checks a scene against them.
"""

from __future__ import annotations

VIEWS = ["images", "audio"]

# the images view (digits, notes 3)
IMAGE_BOTTLENECKS = [2, 4, 8, 16, 32]
NOISE_ORDER = ["none", "gaussian", "salt_pepper", "masking"]

# the audio view (notes 3.0.1)
DEMO, MIC, FILE = "demo", "mic", "file"          # where the sound comes from
WINDOWS = [6.0, 11.0, 23.0, 46.0]                # spectrogram window lengths, ms
HOP_CHOICES = [("½ window", 0.5), ("¼ window", 0.25), ("1 window", 1.0)]
HOPS = [frac for _label, frac in HOP_CHOICES]
PHASES = [("phase of the input", "phase"), ("Griffin-Lim", "griffin_lim")]   # how the sound is rebuilt
RECORD_SECONDS = 10                              # retraining on the input uses its last seconds

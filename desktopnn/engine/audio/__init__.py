"""Audio through an autoencoder (notes 3.0.1): spectrograms, the live processor fed by the
microphone's ring buffer, reconstruction, and audio files.
"""

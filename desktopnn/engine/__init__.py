"""The engine: pure numpy/torch, no Qt, usable from a notebook.

Conventions follow Keras, as in the course notes: images are channels last ``(H, W, C)`` and kernel
banks are ``(kh, kw, C, K)``.  Importing this package is cheap; torch loads on the first call that
needs it, so the app's window can appear before torch has finished importing.

>>> from desktopnn.engine import conv2d, explain_conv
"""

from __future__ import annotations

import importlib

# public name -> submodule that defines it
_EXPORTS = {
    "Autoencoder": "autoencoder.model",
    "train_autoencoder": "autoencoder.model",
    "add_noise": "autoencoder.model",
    "transfer_compare": "autoencoder.model",
    "load_digits_data": "autoencoder.model",
    "RingBuffer": "audio.config",
    "SpectrogramConfig": "audio.config",
    "stft_magnitude": "audio.spectrogram",
    "LiveProcessor": "audio.spectrogram",
    "reconstruct_audio": "audio.spectrogram",
    "read_audio": "audio.files",
    "Layer": "cnn.layers",
    "SequentialCNN": "cnn.layers",
    "summary_text": "cnn.layers",
    "TrainConfig": "cnn.train",
    "TrainControl": "cnn.train",
    "fit": "cnn.train",
    "load_digits_dataset": "cnn.datasets",
    "load_folder": "cnn.datasets",
    "softmax_steps": "cnn.inside",
    "dropout_passes": "cnn.inside",
    "neighbour_indices": "cnn.inside",
    "shuffle_pixels": "cnn.inside",
    "conv2d": "convolution.conv",
    "feature_maps": "convolution.conv",
    "explain_conv": "convolution.explain",
    "ConvExplanation": "convolution.explain",
    "resolve_padding": "convolution.padding",
    "output_size": "convolution.padding",
    "output_shape": "convolution.padding",
    "KERNEL_PRESETS": "convolution.kernels",
    "Kernel": "convolution.kernels",
    "kernel_preset": "convolution.kernels",
    "EXERCISE": "convolution.kernels",
    "NOTES_308": "convolution.kernels",
    "get_device": "device",
    "set_device": "device",
    "device_label": "device",
    "run_with_oom_fallback": "device",
    "load_image": "images",
    "sample_images": "images",
    "to_grayscale": "images",
    "TensorExprError": "tensors.expr",
    "EvalResult": "tensors.expr",
    "evaluate_tensor_expr": "tensors.expr",
    "parse_tensor_expr": "tensors.expr",
    "tensor_selection": "tensors.expr",
    "format_numpy": "tensors.expr",
    "format_tensor": "tensors.expr",
    "ShapeError": "tensors.shapes",
    "ReshapeError": "tensors.shapes",
    "BroadcastError": "tensors.shapes",
    "infer_shape": "tensors.shapes",
    "reshape_flow": "tensors.shapes",
    "transpose_order": "tensors.shapes",
    "broadcast_plan": "tensors.shapes",
    "broadcast_stages": "tensors.shapes",
    "aligned_table": "tensors.shapes",
    "describe_index": "tensors.expr",
    "TENSOR_PRESETS": "tensors.presets",
    "run_preset": "tensors.presets",
    "pool2d": "convolution.pooling",
    "conv_steps": "convolution.steps",
    "pool_steps": "convolution.steps",
    "Step": "convolution.steps",
    "StepPlan": "convolution.steps",
    "size_formula": "convolution.steps",
    "axis_reads": "convolution.steps",
    "expected_reads": "convolution.steps",
    "NotesCNN": "cnn.notes_cnn",
    "KerasExampleCNN": "cnn.notes_cnn",
    "load_notes_cnn": "cnn.notes_cnn",
    "center_crop": "cnn.notes_cnn",
    "run_frame": "live.pipeline",
    "make_network": "live.networks",
    "load_imagenet": "live.imagenet",
    "random_imagenet": "live.imagenet",
    "weights_status": "live.weights",
    "download_weights": "live.weights",
    "weights_dir": "live.weights",
    "strongest_response": "live.units",
    "saliency": "live.units",
    "grad_cam": "live.units",
    "ideal_input": "live.ideal",
    "mosaic_layout": "live.mosaic",
    "build_mosaic": "live.mosaic",
    "SHAPE_CLASSES": "cnn.shapes",
    "SimpleRNN": "rnn.cell",
    "bptt": "rnn.cell",
    "autograd_dh": "rnn.cell",
    "step_losses": "rnn.cell",
    "BpttResult": "rnn.cell",
    "CLOTHES": "rnn.memory",
    "REGULAR": "rnn.memory",
    "IRREGULAR": "rnn.memory",
    "SEQUENCE_PRESETS": "rnn.memory",
    "parse_sequence": "rnn.memory",
    "one_hot": "rnn.memory",
    "ambiguous_items": "rnn.memory",
    "train_memory": "rnn.memory",
    "MemoryResult": "rnn.memory",
    "seasonal_series": "rnn.forecast",
    "load_series_csv": "rnn.forecast",
    "train_forecaster": "rnn.forecast",
    "ForecastResult": "rnn.forecast",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'desktopnn.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__

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
    "Autoencoder": "autoencoder",
    "train_autoencoder": "autoencoder",
    "add_noise": "autoencoder",
    "transfer_compare": "autoencoder",
    "load_digits_data": "autoencoder",
    "RingBuffer": "ae_config",
    "SpectrogramConfig": "ae_config",
    "stft_magnitude": "audio",
    "LiveProcessor": "audio",
    "reconstruct_audio": "audio",
    "read_audio": "audio_files",
    "Layer": "cnn_model",
    "SequentialCNN": "cnn_model",
    "summary_text": "cnn_model",
    "TrainConfig": "cnn_train",
    "TrainControl": "cnn_train",
    "fit": "cnn_train",
    "load_digits_dataset": "datasets",
    "load_folder": "datasets",
    "softmax_steps": "cnn_inside",
    "dropout_passes": "cnn_inside",
    "neighbour_indices": "cnn_inside",
    "shuffle_pixels": "cnn_inside",
    "conv2d": "conv",
    "feature_maps": "conv",
    "explain_conv": "explain",
    "ConvExplanation": "explain",
    "resolve_padding": "padding",
    "output_size": "padding",
    "output_shape": "padding",
    "KERNEL_PRESETS": "kernels",
    "Kernel": "kernels",
    "kernel_preset": "kernels",
    "EXERCISE": "kernels",
    "NOTES_308": "kernels",
    "get_device": "device",
    "set_device": "device",
    "device_label": "device",
    "run_with_oom_fallback": "device",
    "load_image": "images",
    "sample_images": "images",
    "to_grayscale": "images",
    "TensorExprError": "tensors",
    "EvalResult": "tensors",
    "evaluate_tensor_expr": "tensors",
    "parse_tensor_expr": "tensors",
    "tensor_selection": "tensors",
    "format_numpy": "tensors",
    "format_tensor": "tensors",
    "ShapeError": "tensor_shapes",
    "ReshapeError": "tensor_shapes",
    "BroadcastError": "tensor_shapes",
    "infer_shape": "tensor_shapes",
    "reshape_flow": "tensor_shapes",
    "transpose_order": "tensor_shapes",
    "broadcast_plan": "tensor_shapes",
    "broadcast_stages": "tensor_shapes",
    "aligned_table": "tensor_shapes",
    "describe_index": "tensors",
    "TENSOR_PRESETS": "tensor_presets",
    "run_preset": "tensor_presets",
    "pool2d": "pooling",
    "conv_steps": "steps",
    "pool_steps": "steps",
    "Step": "steps",
    "StepPlan": "steps",
    "size_formula": "steps",
    "axis_reads": "steps",
    "expected_reads": "steps",
    "NotesCNN": "models",
    "KerasExampleCNN": "models",
    "load_notes_cnn": "models",
    "center_crop": "models",
    "run_frame": "live",
    "mosaic_layout": "mosaic",
    "build_mosaic": "mosaic",
    "SHAPE_CLASSES": "shapes",
    "SimpleRNN": "rnn",
    "bptt": "rnn",
    "autograd_dh": "rnn",
    "step_losses": "rnn",
    "BpttResult": "rnn",
    "CLOTHES": "rnn_memory",
    "REGULAR": "rnn_memory",
    "IRREGULAR": "rnn_memory",
    "SEQUENCE_PRESETS": "rnn_memory",
    "parse_sequence": "rnn_memory",
    "one_hot": "rnn_memory",
    "ambiguous_items": "rnn_memory",
    "train_memory": "rnn_memory",
    "MemoryResult": "rnn_memory",
    "seasonal_series": "rnn_forecast",
    "load_series_csv": "rnn_forecast",
    "train_forecaster": "rnn_forecast",
    "ForecastResult": "rnn_forecast",
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

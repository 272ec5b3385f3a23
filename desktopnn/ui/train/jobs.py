"""The Train tab's background jobs. Each runs in a :class:`~desktopnn.workers.LatestJobRunner` thread;
those taking ``ctx`` report progress with ``ctx.progress`` and end early when ``ctx.check`` says so.
Nothing here touches a widget: results go back to the tab by signal.
"""

from __future__ import annotations

from functools import lru_cache

from desktopnn.engine.device import get_device


@lru_cache(maxsize=1)
def demo_photos() -> dict:
    """The bundled photos at most 640 pixels on a side, for the demo camera (read once per process)."""
    from desktopnn.engine.images import load_image, sample_images

    photos = {}
    for name, path in sample_images().items():
        try:
            img = load_image(path, max_side=640)
        except ValueError:
            continue
        if img.ndim == 3:
            img.setflags(write=False)
            photos[name] = img
    return photos


def startup(ctx):
    """The offline digits, the shipped model trained on them, and the photos the demo camera looks at."""
    from desktopnn.engine.cnn.train import shipped_digits_model
    from desktopnn.engine.cnn.datasets import load_digits_dataset

    photos = demo_photos()
    ctx.check()
    dataset = load_digits_dataset()
    model, problem = None, ""
    try:
        model, _card = shipped_digits_model()
    except ValueError as exc:
        problem = f"The shipped trained model could not be loaded ({exc}); train one on the Train view."
    return dataset, model, dict(photos), problem


def digits(ctx):
    from desktopnn.engine.cnn.datasets import load_digits_dataset

    ctx.progress(-1.0, ("", "reading scikit-learn's digits…"))
    return load_digits_dataset()


def shapes(ctx):
    from desktopnn.engine.cnn.datasets import load_shapes_dataset

    ctx.progress(-1.0, ("", "drawing 3,000 shapes…"))
    return load_shapes_dataset()


def cifar(ctx):
    from desktopnn.engine.cnn.datasets import load_cifar10
    from desktopnn.engine.download import DownloadStopped

    def report(fraction, text):
        ctx.progress(fraction, (fraction, f"CIFAR-10: {text}"))

    try:
        return load_cifar10(progress=report, should_stop=lambda: ctx.cancelled)
    except DownloadStopped:
        ctx.check()
        raise ValueError("the download was stopped") from None


def folder(ctx, path):
    from desktopnn.engine.cnn.datasets import load_folder

    return load_folder(path, progress=lambda f: ctx.progress(f, (f, f"reading images… {f:.0%}")))


def captured(captures):
    from desktopnn.engine.cnn.datasets import from_captures

    return from_captures(captures)


def shipped_model():
    from desktopnn.engine.cnn.train import shipped_digits_model

    return shipped_digits_model()[0]


def save(model, path):
    from desktopnn.engine.cnn.train import save_model

    try:
        return save_model(model, path)
    except OSError as exc:
        raise ValueError(f"could not write {path}: {exc.strerror or exc}") from None


def load(path):
    from desktopnn.engine.cnn.train import load_model

    return load_model(path)


def train(ctx, model, dataset, config, control):
    """model.fit in the worker, then model.evaluate on the test images."""
    from desktopnn.engine.cnn.train import evaluate, fit

    result = fit(model, dataset, config, control=control, device=get_device(),
                 report=lambda f, hist: ctx.progress(f, hist.copy()), alive=ctx.check)
    return result, evaluate(result.model, dataset.x_test, dataset.y_test)


def evaluate(model, dataset):
    from desktopnn.engine.cnn.train import evaluate as ev

    return ev(model, dataset.x_test, dataset.y_test)


def shuffle(ctx, dataset, epochs):
    """The pixel-shuffle experiment on ``dataset`` (None: the ten drawn shapes, generated here)."""
    from desktopnn.engine.cnn.inside import shuffle_experiment
    from desktopnn.engine.cnn.datasets import load_shapes_dataset

    if dataset is None:
        ctx.progress(0.0, {})
        dataset = load_shapes_dataset()

    return shuffle_experiment(dataset, epochs=epochs, device=get_device(),
                              report=lambda f, curves: ctx.progress(f, curves), alive=ctx.check)


def predict(model, image, path=None):
    """``(image shown, SoftmaxSteps)`` for an array or an image file."""
    import numpy as np

    from desktopnn.engine.cnn.inside import predict_steps
    from desktopnn.engine.cnn.datasets import resize_rgb
    from desktopnn.engine.images import load_image

    if path is not None:
        image = load_image(path, max_side=1024)
    image = np.asarray(image)
    h = model.input_shape[0]
    shown = image if image.shape[:2] == (h, h) and image.ndim == 3 else resize_rgb(image, h)
    return shown, predict_steps(model, shown)

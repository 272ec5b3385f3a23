"""Shared by the engine tests: the notes' 2.13 CNN with seeded random weights, and its convolutional
base written out with torch.nn.functional as an independent reference."""

import pytest
import torch
import torch.nn.functional as F

from desktopnn.engine.cnn.notes_cnn import NotesCNN


def reference_features(model, x):
    """The 2.13 base written out with torch.nn.functional, independently of the model's code; computed
    where the model's weights are (the engine may have moved them to the GPU), returned on the CPU."""
    x = x.to(model.conv1.weight.device)
    out = {}
    y = F.relu(F.conv2d(x, model.conv1.weight, model.conv1.bias))
    out["conv1"] = y
    y = F.max_pool2d(y, 2)
    out["pool1"] = y
    y = F.relu(F.conv2d(y, model.conv2.weight, model.conv2.bias))
    out["conv2"] = y
    y = F.max_pool2d(y, 2)
    out["pool2"] = y
    out["conv3"] = F.relu(F.conv2d(y, model.conv3.weight, model.conv3.bias))
    return {name: v.cpu() for name, v in out.items()}


@pytest.fixture(scope="module")
def notes_reference():
    return reference_features


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(3)
    return NotesCNN().eval()

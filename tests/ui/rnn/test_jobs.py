"""The RNN tab's worker functions (desktopnn.ui.rnn.jobs), called directly: no widgets, no threads."""

from __future__ import annotations

import numpy as np
import torch

from desktopnn.engine.rnn.cell import SimpleRNN, bptt
from desktopnn.ui.rnn import jobs


def test_bptt_job_scales_w_hh_before_back_propagating():
    m = SimpleRNN.init(3, 4, 3, seed=1)
    xs = torch.eye(3, dtype=torch.float64)[[0, 1, 2, 0, 1]]
    targets = [1, 2, 0, 1, 2]
    got = jobs.bptt_job(m, xs, targets, "last", None, 0.5)
    want = bptt(m.detached(W_hh_scale=0.5), xs, targets, loss="last")
    np.testing.assert_allclose(got.grad_norms, want.grad_norms)
    assert not np.allclose(got.grad_norms, bptt(m, xs, targets, loss="last").grad_norms)


def test_load_job_reads_the_last_column_of_a_csv(tmp_path):
    path = tmp_path / "temps.csv"
    path.write_text("day,temperature\n" + "".join(f"{d},{10 + d / 2}\n" for d in range(30)))
    values, name = jobs.load_job(str(path))
    np.testing.assert_allclose(values, [10 + d / 2 for d in range(30)])
    assert name

"""Two-process DDP training (gloo on CPU) through torchrun, end to end on tiny data."""

import json
import subprocess
import sys

from conftest import SAMPLE_CORPUS, TINY_FLAGS

from autocomplete.training import checkpoint


def test_torchrun_two_processes_trains_and_only_rank0_writes(tmp_path):
    flags = [item for pair in TINY_FLAGS.items() for item in pair]
    command = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
        "--rdzv-backend=c10d", "--rdzv-endpoint=localhost:0",
        "-m", "autocomplete.train", "--corpus", str(SAMPLE_CORPUS), "--out", str(tmp_path),
        "--quiet", *flags, "--epochs", "2",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    # torchrun's own summary fills the end of stderr: the workers' errors come before it.
    assert result.returncode == 0, result.stderr[-8000:]
    assert result.stdout.count("epochs done") == 1  # rank 0 alone reports
    loaded = checkpoint.load(tmp_path / "model.pt")
    assert loaded.metrics["world_size"] == 2
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records if "valid_ppl" in r] == [1, 2]

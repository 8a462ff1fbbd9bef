import errno
import json
import signal
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import pytest
import torch
from conftest import SAMPLE_CORPUS, TINY_FLAGS, train_tiny

from autocomplete.config import DEFAULT_WEIGHTS, ModelConfig, TrainConfig
from autocomplete.engine import inference_file
from autocomplete.training import checkpoint
from autocomplete.training import trainer as train
from autocomplete.training.model import WordLM


def _metrics(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def test_training_lowers_validation_perplexity_and_logs(tmp_path):
    model_path = train_tiny(tmp_path, epochs=3)
    records = _metrics(tmp_path)
    valid = [r["valid_ppl"] for r in records if "valid_ppl" in r]
    assert len(valid) == 3
    assert valid[-1] < valid[0]
    assert valid[-1] < 0.6 * 200  # far better than a uniform guess over the vocabulary
    for record in records:
        assert {"step", "tokens_seen", "elapsed_s"} <= record.keys()
    loaded = checkpoint.load(model_path)
    assert loaded.metrics["best_valid_ppl"] == pytest.approx(min(valid), rel=1e-3)
    assert loaded.corpus_fingerprint and len(loaded.tokenizer) == 200
    assert loaded.training is None  # model.pt is inference-only; the state is in train_state.pt


def test_same_seed_gives_the_same_model(tmp_path):
    first = checkpoint.load(train_tiny(tmp_path / "a", epochs=2))
    second = checkpoint.load(train_tiny(tmp_path / "b", epochs=2))
    assert first.metrics["best_valid_ppl"] == second.metrics["best_valid_ppl"]
    for (name, a), (_, b) in zip(
        first.model.state_dict().items(), second.model.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name


def test_resume_continues_from_the_saved_step(tmp_path):
    train_tiny(tmp_path, epochs=2)
    state = checkpoint.load(tmp_path / "train_state.pt")
    steps_after_two = state.training["step"]
    assert train.main(["--resume", str(tmp_path), "--epochs", "4", "--quiet"]) == 0
    resumed = checkpoint.load(tmp_path / "train_state.pt")
    assert resumed.training["step"] == 2 * steps_after_two
    assert resumed.training["epoch"] == 4
    steps = [r["step"] for r in _metrics(tmp_path)]
    assert steps == sorted(steps) and steps[-1] == 2 * steps_after_two


def test_fine_tuning_starts_from_an_exported_model(tmp_path, tiny_model):
    exported = tmp_path / "start.npz"
    inference_file.export(tiny_model, exported)
    start = checkpoint.load(tiny_model)
    out = tmp_path / "tuned"
    # Another corpus, another vocabulary size asked for: the starting model's shape and
    # vocabulary win, so its words keep their ids.
    argv = ["--init-from", str(exported), "--corpus", str(SAMPLE_CORPUS / "amostra.txt")]
    argv += ["--vocab-size", "300", "--out", str(out), "--epochs", "1", "--quiet"]
    assert train.main([*argv, "--batch-size", "4", "--bptt", "12", "--lr", "0.001"]) == 0
    tuned = checkpoint.load(out / "model.pt")
    assert tuned.tokenizer.model_bytes == start.tokenizer.model_bytes
    assert tuned.model.config == start.model.config
    assert tuned.train_config.init_from == str(exported)
    # One small epoch moves the weights a little from where they were, not from random ones.
    before, after = start.model.state_dict(), tuned.model.state_dict()
    for name in before:
        change = (after[name] - before[name]).norm() / before[name].norm()
        assert 0 < change < 0.5, name
    from_scratch = train_tiny(tmp_path / "scratch", corpus=SAMPLE_CORPUS / "amostra.txt", epochs=1)
    scratch_ppl = checkpoint.load(from_scratch).metrics["best_valid_ppl"]
    assert tuned.metrics["best_valid_ppl"] < scratch_ppl


def test_weights_can_be_saved_in_half_precision(tmp_path):
    full = train_tiny(tmp_path / "full", save_dtype="float32", epochs=1)
    half = train_tiny(tmp_path / "half", save_dtype="float16", epochs=1)
    assert half.stat().st_size < full.stat().st_size
    restored = checkpoint.load(half)  # loads back as float32 for inference
    assert all(p.dtype == torch.float32 for p in restored.model.parameters())


def _run(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = train.main(argv)
    except SystemExit as exit_:  # argparse rejects unparsable values itself
        code = exit_.code
    return code, capsys.readouterr().err.strip()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--corpus", "/nao/existe"], "corpus path does not exist"),
        (["--vocab-size", "100000"], "corpus too small for --vocab-size 100000"),
        (["--batch-size", "0"], "batch-size must be a positive number"),
        (["--hidden", "-5"], "hidden must be a positive number"),
        (["--lr", "-1"], "lr must be positive"),
        (["--cell", "transformer"], "cell must be lstm, gru or rnn"),
        (["--device", "tpu"], "device must be auto, cpu or cuda"),
        (["--batch-size", "100000", "--vocab-size", "100"], "corpus too small"),
        (["--weights", "corpus=-1"], "--weights takes SOURCE=WEIGHT with a weight >= 0"),
        (["--tie-weights"], "tie-weights works with --output softmax only"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, flags, message):
    argv = ["--corpus", str(SAMPLE_CORPUS), "--out", str(tmp_path), "--quiet", *flags]
    code, err = _run(argv, capsys)
    assert code == 2
    assert len(err.splitlines()) == 1 and message in err


def test_corpus_without_readable_text(tmp_path, capsys):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    code, err = _run(["--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and err == f"error: no readable text in {tmp_path / 'corpus'} (binary file)"


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, err = _run(["--corpus", str(SAMPLE_CORPUS), "--out", str(blocker / "sub")], capsys)
    assert code == 2 and err.startswith("error: cannot write to output folder")


@pytest.mark.parametrize("content", [b"", b"not a checkpoint", b"PK\x03\x04garbage"])
def test_corrupt_resume_file(tmp_path, capsys, content):
    bad = tmp_path / "train_state.pt"
    bad.write_bytes(content)
    code, err = _run(["--resume", str(bad)], capsys)
    assert code == 2 and err.startswith("error: cannot read checkpoint")
    assert len(err.splitlines()) == 1


def test_foreign_and_truncated_checkpoints(tmp_path, tiny_model):
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": {}}, foreign)
    with pytest.raises(checkpoint.CheckpointError, match="not an autocomplete checkpoint"):
        checkpoint.load(foreign)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(tiny_model.read_bytes()[:5000])
    with pytest.raises(checkpoint.CheckpointError, match="cannot read checkpoint"):
        checkpoint.load(truncated)


def test_cli_never_prints_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "autocomplete.train", "--corpus", str(tmp_path / "x")],
        capture_output=True, text=True, timeout=600,  # only ends a hung run
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: corpus path does not exist: {tmp_path / 'x'}"


def line_count(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_kill_9_leaves_a_loadable_checkpoint_and_resume_continues(tmp_path):
    flags = [item for pair in TINY_FLAGS.items() for item in pair]
    command = [
        sys.executable, "-m", "autocomplete.train", "--corpus", str(SAMPLE_CORPUS),
        "--out", str(tmp_path), "--quiet", *flags, "--epochs", "100000", "--eval-every", "3",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state_file = tmp_path / "train_state.pt"
    try:
        # Kill mid-run, after a few saves, while it is busy writing more of them. The state
        # file comes before the first metrics line: wait for both. The deadline only ends a
        # hung run; a loaded machine may take long.
        deadline = time.monotonic() + 600
        while not (state_file.exists() and line_count(tmp_path / "metrics.jsonl") > 6):
            assert process.poll() is None, "training stopped before it was killed"
            assert time.monotonic() < deadline, "training never saved"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    killed_at = checkpoint.load(state_file).training["step"]
    assert checkpoint.load(tmp_path / "model.pt").metrics["step"] > 0  # intact, loadable
    target_epochs = checkpoint.load(state_file).training["epoch"] + 1
    assert train.main(["--resume", str(tmp_path), "--epochs", str(target_epochs), "--quiet"]) == 0
    assert checkpoint.load(state_file).training["step"] > killed_at


def test_every_config_field_is_a_flag():
    options = {a.dest for a in train.build_parser()._actions}
    for config in (TrainConfig, ModelConfig):
        assert {f.name for f in fields(config)} <= options


def test_flags_reach_the_configs():
    args = train.build_parser().parse_args(
        ["--weights", "senado=0.2", "tatoeba=5", "--cutoffs", "100", "500", "--corpus", "a", "b"]
    )
    train_config, model_config = train.configs_from_args(args)
    assert train_config.weights["senado"] == 0.2 and train_config.weights["tatoeba"] == 5
    assert train_config.weights["machado"] == DEFAULT_WEIGHTS["machado"]  # others keep theirs
    assert model_config.cutoffs == [100, 500] and train_config.corpus == ["a", "b"]
    assert Path(train_config.out).parent == Path("runs")  # never checkpoints/ by default


def test_training_never_overwrites_a_trained_model(tmp_path, capsys):
    shipped = tmp_path / "model.pt"
    shipped.write_bytes(b"the shipped model")
    code, err = _run(["--corpus", str(SAMPLE_CORPUS), "--out", str(tmp_path), "--quiet"], capsys)
    assert code == 2 and "already holds a trained model" in err
    assert shipped.read_bytes() == b"the shipped model"
    # Following the message's advice (resume) destroys nothing either.
    code, err = _run(["--resume", str(tmp_path), "--quiet"], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert shipped.read_bytes() == b"the shipped model"


def test_training_writes_what_cleaning_removed(tmp_path):
    train_tiny(tmp_path, epochs=1)
    assert "near-duplicates" in (tmp_path / "cleaning.txt").read_text(encoding="utf-8")


def test_a_damaged_cache_is_rebuilt_and_stale_temporary_files_removed(tmp_path, capsys):
    train_tiny(tmp_path / "first", epochs=1)
    (cache,) = (tmp_path / "first" / ".cache").glob("data-*.npz")
    out = tmp_path / "second"
    (out / ".cache").mkdir(parents=True)
    (out / ".cache" / cache.name).write_bytes(b"PK\x03\x04 cut short by a full disk")
    stale = [out / ".model.pt.abc123.tmp", out / ".cache" / "data-0123.tmp.npz"]
    for path in stale:
        path.write_bytes(b"half written")
    train_tiny(out, epochs=1)
    assert "rebuilding the damaged data cache" in capsys.readouterr().err
    assert checkpoint.load(out / "model.pt").metrics["step"] > 0
    assert not any(path.exists() for path in stale)


def test_a_full_disk_is_one_line(tmp_path, capsys, monkeypatch):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "model.pt"))

    monkeypatch.setattr(checkpoint, "save", no_space)
    code, err = _run(["--corpus", str(SAMPLE_CORPUS), "--out", str(tmp_path), "--quiet",
                      *[item for pair in TINY_FLAGS.items() for item in pair]], capsys)  # fmt: skip
    assert code == 2  # after the one progress line, one error line and no traceback
    assert (
        err.splitlines()[-1]
        == f"error: cannot write {tmp_path / 'model.pt'}: No space left on device"
    )
    assert "Traceback" not in err


def test_a_step_budget_ends_the_run_at_that_step(tmp_path):
    train_tiny(tmp_path, epochs=50, max_steps=7, warmup_steps=1)
    records = _metrics(tmp_path)
    assert max(r["step"] for r in records) == 7
    assert [r["step"] for r in records if "valid_ppl" in r][-1] == 7


@pytest.mark.parametrize("forget_bias", [0.0, 1.0, 2.0])
def test_the_lstm_forget_gate_starts_at_its_bias(forget_bias):
    config = ModelConfig(cell="lstm", vocab_size=50, emb=8, hidden=6, forget_bias=forget_bias)
    rnn = WordLM(config).rnn
    total = rnn.bias_ih_l0 + rnn.bias_hh_l0  # torch adds the two; gates in order i, f, g, o
    assert torch.equal(total[6:12], torch.full((6,), forget_bias))
    assert total[:6].abs().max() < 1  # the other gates keep torch's small uniform start

"""Write the metadata JSON that ships beside a checkpoint (checkpoints/default.json).

Records how the model was made (commands, corpus fingerprint, wall time, hardware) and its
held-out metrics from `python -m autocomplete.evaluate` beside the Kneser-Ney trigram's.

    python benchmarks/describe_checkpoint.py --checkpoint checkpoints/model.npz \
        --corpus ../shared/corpus/machado --command "python -m autocomplete.train ..." \
        --max-words 20000 > checkpoints/default.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from dataclasses import asdict

import torch

from autocomplete import inference_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=str(inference_file.default_path()))
    parser.add_argument("--corpus", default="../shared/corpus/machado")
    parser.add_argument("--command", action="append", required=True, help="training command(s)")
    parser.add_argument("--max-words", type=int, default=20000)
    parser.add_argument("--note", default="", help="anything else a reader should know")
    args = parser.parse_args()
    loaded = inference_file.read(args.checkpoint)
    evaluation = subprocess.run(
        [sys.executable, "-m", "autocomplete.evaluate", "--json", "--checkpoint", args.checkpoint,
         "--baseline-corpus", args.corpus, "--max-words", str(args.max_words), args.corpus],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    description = {
        "checkpoint": args.checkpoint,
        "size_bytes": os.path.getsize(args.checkpoint),
        "commands": args.command,
        "note": args.note,
        "corpus": args.corpus,
        "corpus_fingerprint": loaded.corpus_fingerprint,
        "model_config": asdict(loaded.model.config),
        "parameters": sum(weight.size for weight in loaded.model.weights.values()),
        "training": loaded.metrics,
        "lexicon": None
        if loaded.lexicon is None
        else {"words": len(loaded.lexicon), "source": loaded.lexicon.source},
        "hardware": {
            "machine": platform.machine(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(),
            "torch": torch.__version__,
        },
        "held_out_evaluation": json.loads(evaluation.stdout),
    }
    print(json.dumps(description, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

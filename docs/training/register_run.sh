#!/usr/bin/env bash
# The register run: four 1x512 LSTMs, one per weight of corpus/registro (0, 3, 10, 30), trained
# side by side on one CUDA GPU for the same wall-clock budget, each then scored on the validation
# split of every source (benchmarks/register_weights.py turns that into the weight table).
# Run from the repository root, with ../shared/corpus in place:
#   bash docs/training/register_run.sh RESULTS [MINUTES]
# RESULTS gets the training logs, metrics and the evaluate JSON of each run; runs/registro-W
# hold the checkpoints (model.pt, resumable with --resume).
set -u
results=${1:?usage: register_run.sh RESULTS [MINUTES]}
minutes=${2:-5}
read -r -a weights <<<"${WEIGHTS:-0 3 10 30}"  # WEIGHTS="0 10" for a smaller trial
sources=(../shared/corpus/machado ../shared/corpus/moderno corpus/cotidiano corpus/registro)
mkdir -p "$results"

for weight in "${weights[@]}"; do
    # Wider batches than the CPU default (64): a GPU step costs about the same at 128.
    python -m autocomplete.train --out "runs/registro-$weight" --corpus "${sources[@]}" \
        --weights "registro=$weight" --batch-size 128 --lr 4e-3 --dropout 0.3 \
        --eval-every 400 --max-minutes "$minutes" --threads 2 --device auto --quiet \
        >"$results/train-$weight.log" 2>&1 &
done
wait

for weight in "${weights[@]}"; do
    cp "runs/registro-$weight/metrics.jsonl" "$results/metrics-$weight.jsonl"
    python -m autocomplete.evaluate --checkpoint "runs/registro-$weight/model.pt" \
        --split valid --max-words 3000 --per-source --phrase-thresholds none --json \
        corpus/registro ../shared/corpus/moderno ../shared/corpus/machado \
        >"$results/valid-$weight.json" 2>"$results/valid-$weight.log" &
done
wait
candidates=()
for weight in "${weights[@]:1}"; do candidates+=("$results/valid-$weight.json"); done
# The first weight (0: no registro) is the reference the others may not fall 2% behind.
python benchmarks/register_weights.py "$results/valid-${weights[0]}.json" "${candidates[@]}" \
    | tee "$results/weights.md"

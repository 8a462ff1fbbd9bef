#!/usr/bin/env bash
# The register run on a CUDA GPU: the shipped model trained on for MINUTES more on the whole
# mix, once per weight of corpus/registro (default 10 and 30), side by side on one GPU. The
# shipped model saw 17M tokens on the 2-core CPU; a GPU gives it several more epochs, so every
# source can improve while the register is learned. The candidates are then scored here, on
# the CPU, by benchmarks/split_perplexity.py and benchmarks/register_weights.py
# (docs/training/register_weights.md).
# Run from the repository root, with ../shared/corpus in place:
#   bash docs/training/register_gpu.sh RESULTS [MINUTES]
# RESULTS gets one archive, cut into parts of 15 MiB: each run's best model.pt, metrics and
# log. Put it back together with: cat RESULTS/runs.tar.part-* | tar -xf -
set -u
results=${1:?usage: register_gpu.sh RESULTS [MINUTES]}
minutes=${2:-5}
read -r -a weights <<<"${WEIGHTS:-10 30}"
sources=(../shared/corpus/machado ../shared/corpus/moderno corpus/cotidiano corpus/registro)
mkdir -p "$results" runs/gpu-logs

for weight in "${weights[@]}"; do
    # Wider batches than the CPU default (64): a GPU step costs about the same at 128. The
    # peak learning rate is half a fresh run's (3e-3): the weights start trained.
    python -m autocomplete.train --out "runs/gpu-registro-$weight" \
        --init-from checkpoints/model.npz --corpus "${sources[@]}" \
        --weights "registro=$weight" --batch-size 128 --lr 1.5e-3 --warmup-steps 100 \
        --eval-every 500 --patience 4 --max-minutes "$minutes" --threads 4 --device auto \
        --quiet >"runs/gpu-logs/train-$weight.log" 2>&1 &
done
wait

for weight in "${weights[@]}"; do
    cp "runs/gpu-registro-$weight/metrics.jsonl" "runs/gpu-logs/metrics-$weight.jsonl"
    tail -n 3 "runs/gpu-logs/train-$weight.log"
done
# One archive (the device returns few files): the best model of each run, metrics, logs.
tar -cf - runs/gpu-logs runs/gpu-registro-*/model.pt | split -b 15m - "$results/runs.tar.part-"
ls -l "$results"

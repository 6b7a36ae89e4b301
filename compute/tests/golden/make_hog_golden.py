#!/usr/bin/env python3
"""Writes hog_skimage.json: `skimage.feature.hog` of some 8×8 digits (and of 16×16 images made
from them) with a few parameter sets, for compute/tests/image_datasets.rs.

    python3 compute/tests/golden/make_hog_golden.py

Images are the CSV's pixels divided by 255 (what `compute::image::features` feeds its HOG);
block_norm L2-Hys, feature_vector=True.
"""

import csv
import json
from pathlib import Path

import numpy as np
import skimage
from skimage.feature import hog

HERE = Path(__file__).resolve().parent
DATASETS = HERE.parent.parent.parent.parent / "shared/datasets"

rows = list(csv.DictReader(open(DATASETS / "image/digits_8x8.csv")))
cases = []
for row in rows[:6]:
    image = np.array([float(row[f"pixel_{i}"]) for i in range(64)]).reshape(8, 8) / 255.0
    # 16×16: each pixel repeated 2×2, then a horizontal ramp so that gradients are not all axis-aligned.
    big = np.kron(image, np.ones((2, 2))) * 0.8 + np.linspace(0, 0.2, 16)[None, :]
    for pixels, (orientations, ppc, cpb) in [
        (image, (9, 4, 2)),
        (image, (9, 2, 2)),
        (image, (6, 2, 3)),
        (big, (9, 4, 2)),
        (big, (12, 5, 2)),
    ]:
        features = hog(pixels, orientations=orientations, pixels_per_cell=(ppc, ppc),
                       cells_per_block=(cpb, cpb), block_norm="L2-Hys", feature_vector=True)
        cases.append({
            "file": row["file"],
            "width": pixels.shape[1],
            "height": pixels.shape[0],
            "pixels": pixels.ravel().tolist(),
            "orientations": orientations,
            "pixels_per_cell": ppc,
            "cells_per_block": cpb,
            "hog": features.tolist(),
        })
json.dump({"skimage": skimage.__version__, "cases": cases}, open(HERE / "hog_skimage.json", "w"))
print(f"{len(cases)} cases, skimage {skimage.__version__}")

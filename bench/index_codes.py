"""Realistic PDQ codes for the index benchmark, modelled on real hashes of the photo corpus.

Real PDQ bits are neither uniform nor independent (neighbouring DCT coefficients agree), which
is what makes multi-index buckets uneven. We hash many distinct pictures made from the corpus
(random crops of each photo at 25-60 % of its area: different framings of different scenes),
fit a Gaussian copula to their bits (per-bit frequencies plus the latent correlation matrix,
from Pearson correlations of the bits by the arcsine law) and draw any number of codes from it.
Near-duplicates are stored codes with k bits flipped, k drawn from the distances measured
between corpus photos and their re-encoded, resized and slightly cropped variants.
"""

from __future__ import annotations

import io
from math import erf, sqrt
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pdqhash
from PIL import Image

U8 = npt.NDArray[np.uint8]
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "photos"


def _pdq(image: Image.Image) -> U8:
    bits, _quality = pdqhash.compute(np.asarray(image.convert("RGB")))
    return np.packbits(np.asarray(bits, dtype=np.uint8))


def _photos(limit_side: int = 768) -> list[Image.Image]:
    photos = []
    for path in sorted(CORPUS.glob("*")):
        with Image.open(path) as image:
            image.draft("RGB", (limit_side, limit_side))
            copy = image.convert("RGB")
        copy.thumbnail((limit_side, limit_side))
        photos.append(copy)
    return photos


def _variants(photo: Image.Image, rng: np.random.Generator) -> list[Image.Image]:
    width, height = photo.size
    out: list[Image.Image] = []
    for quality in (30, 60):
        buffer = io.BytesIO()
        photo.save(buffer, "JPEG", quality=quality)
        out.append(Image.open(io.BytesIO(buffer.getvalue())))
    out.append(photo.resize((width // 3, height // 3)))
    margin = int(rng.integers(2, 8)) / 100
    out.append(photo.crop((int(width * margin), 0, width, int(height * (1 - margin)))))
    return out


def real_samples(crops_per_photo: int = 30, seed: int = 0) -> tuple[U8, npt.NDArray[np.int64]]:
    """(hashes of distinct crops, distances photo -> variant) from the corpus."""
    rng = np.random.default_rng(seed)
    hashes: list[U8] = []
    distances: list[int] = []
    for photo in _photos():
        width, height = photo.size
        base = _pdq(photo)
        hashes.append(base)
        for variant in _variants(photo, rng):
            distances.append(int(np.unpackbits(base ^ _pdq(variant)).sum()))
        for _ in range(crops_per_photo):
            scale = sqrt(rng.uniform(0.25, 0.6))
            w, h = int(width * scale), int(height * scale)
            x, y = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
            hashes.append(_pdq(photo.crop((x, y, x + w, y + h))))
    return np.stack(hashes), np.array(distances, dtype=np.int64)


class CodeModel:
    """Gaussian copula over the 256 bits, fitted to real hashes."""

    def __init__(self, samples: U8) -> None:
        bits = np.unpackbits(samples, axis=1).astype(np.float64)
        frequency = bits.mean(axis=0).clip(0.02, 0.98)
        signs = 2 * bits - 1
        correlation = np.asarray(np.nan_to_num(np.corrcoef(signs, rowvar=False)), dtype=np.float64)
        np.fill_diagonal(correlation, 1.0)
        latent = np.sin(np.pi / 2 * correlation)
        values, vectors = np.linalg.eigh(latent)
        latent = (vectors * values.clip(1e-3)) @ vectors.T
        self.mixing = np.linalg.cholesky(latent).T.astype(np.float32)
        self.cut = np.array([_normal_quantile(1 - p) for p in frequency], dtype=np.float32)

    def draw(self, n: int, rng: np.random.Generator, chunk: int = 500_000) -> U8:
        out = np.empty((n, 32), dtype=np.uint8)
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            latent = rng.standard_normal((stop - start, 256), dtype=np.float32) @ self.mixing
            out[start:stop] = np.packbits(latent > self.cut, axis=1)
        return out


def near_duplicates(codes: U8, distances: npt.NDArray[np.int64], rng: np.random.Generator) -> U8:
    """Each code with a measured variant distance's worth of random bits flipped."""
    out = codes.copy()
    for row, flips in enumerate(rng.choice(distances, size=len(codes))):
        chosen = rng.choice(256, size=int(flips), replace=False)
        bits = np.unpackbits(out[row])
        bits[chosen] ^= 1
        out[row] = np.packbits(bits)
    return out


def _normal_quantile(p: float) -> float:
    low, high = -8.0, 8.0
    for _ in range(60):
        mid = (low + high) / 2
        if 0.5 * (1 + erf(mid / sqrt(2))) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2

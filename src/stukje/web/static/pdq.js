/*
 * stukje's PDQ hasher for the browser: the photo stays on the device, only 64-hex-digit codes
 * leave it.
 *
 * A port of the PDQ algorithm (luma, two passes of a box filter, 64x64 decimation, a 16x16 DCT,
 * threshold at the median) written for stukje from the published algorithm. The arithmetic
 * follows the reference in single precision (Math.fround at each step), so on identical pixels
 * the hash is bit for bit the one the Python engine (pdqhash) gives.
 *
 * Large photos are first shrunk the way stukje.hashing does it (pdq_target_size): a box
 * reduction by a whole factor (powers of two for JPEG, as libjpeg's scaled decoding does), then
 * Pillow's bilinear resize to the target size. That keeps phones fast and keeps the hash within a
 * few bits of the server's.
 *
 * Works as a classic browser script (window.StukjePdq) and as a CommonJS module in node.
 */
(function (root) {
  "use strict";

  const f32 = Math.fround;
  const MIN_HASHABLE = 5;
  const PDQ_WINDOW = 3;
  const PDQ_BOX_DIVISOR = 128;
  const PIL_PRECISION_BITS = 22; // Pillow's fixed point for 8-bit resampling
  const DIHEDRAL_NAMES = [
    "original", "rotate90_ccw", "rotate180", "rotate90_cw",
    "flip_top_bottom", "flip_left_right", "transpose", "transverse",
  ];

  // Python's round(): halves go to the even neighbour.
  function roundHalfEven(x) {
    const floor = Math.floor(x);
    const diff = x - floor;
    if (diff > 0.5) return floor + 1;
    if (diff < 0.5) return floor;
    return floor % 2 === 0 ? floor : floor + 1;
  }

  function targetLength(length) {
    const window = Math.ceil(length / PDQ_BOX_DIVISOR);
    return window <= PDQ_WINDOW ? length : roundHalfEven((PDQ_WINDOW * length) / window);
  }

  /** The size stukje.hashing resizes a width x height picture to before PDQ. */
  function pdqTargetSize(width, height) {
    return [targetLength(width), targetLength(height)];
  }

  // ---------------------------------------------------------------- PDQ proper

  function lumaFromRgb(rgb, width, height, channels) {
    const luma = new Float32Array(width * height);
    for (let p = 0, i = 0; p < luma.length; p++, i += channels) {
      // Same order and double precision as pdqhash's numpy step, then stored as float32.
      luma[p] = rgb[i] * 0.299 + rgb[i + 1] * 0.587 + rgb[i + 2] * 0.114;
    }
    return luma;
  }

  // One box-filter pass over n values spaced by stride; the window is centred and shrinks at
  // the edges, as the reference's running sum does (the order of float adds is kept).
  function boxPass(input, output, start, n, stride, window) {
    const half = (window + 2) >> 1;
    let sum = 0;
    let count = 0;
    let right = start;
    let left = start;
    let out = start;
    for (let i = 0; i < half - 1; i++, right += stride) {
      sum = f32(sum + input[right]);
      count++;
    }
    for (let i = 0; i < window - half + 1; i++, right += stride, out += stride) {
      sum = f32(sum + input[right]);
      count++;
      output[out] = f32(sum / count);
    }
    for (let i = 0; i < n - window; i++, right += stride, left += stride, out += stride) {
      sum = f32(sum + input[right]);
      sum = f32(sum - input[left]);
      output[out] = f32(sum / count);
    }
    for (let i = 0; i < half - 1; i++, left += stride, out += stride) {
      sum = f32(sum - input[left]);
      count--;
      output[out] = f32(sum / count);
    }
  }

  // The same pass down every column at once, sweeping rows so memory is read in order; each
  // column sees exactly the operations boxPass would do (Float32Array stores round to float).
  function boxColumns(input, output, rows, cols, window) {
    const half = (window + 2) >> 1;
    const sums = new Float32Array(cols);
    let count = 0;
    let right = 0;
    let left = 0;
    let out = 0;
    const add = (row) => {
      for (let c = 0, i = row * cols; c < cols; c++, i++) sums[c] += input[i];
    };
    const write = (row) => {
      for (let c = 0, o = row * cols; c < cols; c++, o++) output[o] = sums[c] / count;
    };
    for (let i = 0; i < half - 1; i++, right++) {
      add(right);
      count++;
    }
    for (let i = 0; i < window - half + 1; i++, right++, out++) {
      add(right);
      count++;
      write(out);
    }
    for (let i = 0; i < rows - window; i++, right++, left++, out++) {
      add(right);
      for (let c = 0, k = left * cols; c < cols; c++, k++) sums[c] -= input[k];
      write(out);
    }
    for (let i = 0; i < half - 1; i++, left++, out++) {
      for (let c = 0, k = left * cols; c < cols; c++, k++) sums[c] -= input[k];
      count--;
      write(out);
    }
  }

  function blurAndDecimate(luma, rows, cols) {
    if (rows === 64 && cols === 64) return Float32Array.from(luma);
    const alongRows = Math.floor((cols + 127) / 128);
    const alongCols = Math.floor((rows + 127) / 128);
    const scratch = new Float32Array(luma.length);
    for (let pass = 0; pass < 2; pass++) {
      for (let r = 0; r < rows; r++) boxPass(luma, scratch, r * cols, cols, 1, alongRows);
      boxColumns(scratch, luma, rows, cols, alongCols);
    }
    const out = new Float32Array(64 * 64);
    for (let i = 0; i < 64; i++) {
      const row = Math.trunc(((i + 0.5) * rows) / 64);
      for (let j = 0; j < 64; j++) {
        out[i * 64 + j] = luma[row * cols + Math.trunc(((j + 0.5) * cols) / 64)];
      }
    }
    return out;
  }

  function quality(grid) {
    let gradients = 0;
    const step = (u, v) => Math.abs(Math.trunc(f32(f32(f32(u - v) * 100) / 255)));
    for (let i = 0; i < 63; i++) {
      for (let j = 0; j < 64; j++) gradients += step(grid[i * 64 + j], grid[(i + 1) * 64 + j]);
    }
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < 63; j++) gradients += step(grid[i * 64 + j], grid[i * 64 + j + 1]);
    }
    return Math.min(100, Math.floor(gradients / 90));
  }

  const DCT = (() => {
    const scale = f32(Math.sqrt(2 / 64));
    const matrix = new Float32Array(16 * 64);
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 64; j++) {
        matrix[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
      }
    }
    return matrix;
  })();

  // The 16x16 lowest non-constant frequencies of the 64x64 grid: D * grid * D^T.
  function dct16(grid) {
    const partial = new Float32Array(16 * 64);
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 64; j++) {
        let sum = 0;
        for (let k = 0; k < 64; k++) sum = f32(sum + f32(DCT[i * 64 + k] * grid[k * 64 + j]));
        partial[i * 64 + j] = sum;
      }
    }
    const out = new Float32Array(256);
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) {
        let sum = 0;
        for (let k = 0; k < 64; k++) sum = f32(sum + f32(partial[i * 64 + k] * DCT[j * 64 + k]));
        out[i * 16 + j] = sum;
      }
    }
    return out;
  }

  // The DCT of a rotated or mirrored picture, from the original's: transposes and sign flips.
  function dihedralDct(a, name) {
    const b = new Float32Array(256);
    const odd = (x) => (x & 1) === 1;
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) {
        const v = a[i * 16 + j];
        switch (name) {
          case "original": b[i * 16 + j] = v; break;
          case "rotate90_ccw": b[j * 16 + i] = odd(j) ? v : -v; break;
          case "rotate180": b[i * 16 + j] = odd(i + j) ? -v : v; break;
          case "rotate90_cw": b[j * 16 + i] = odd(i) ? v : -v; break;
          case "flip_top_bottom": b[i * 16 + j] = odd(i) ? v : -v; break;
          case "flip_left_right": b[i * 16 + j] = odd(j) ? v : -v; break;
          case "transpose": b[j * 16 + i] = v; break;
          case "transverse": b[j * 16 + i] = odd(i + j) ? -v : v; break;
          default: throw new Error("unknown dihedral transform " + name);
        }
      }
    }
    return b;
  }

  // Bit k = i * 16 + j is set when that coefficient is above the median; the hex string
  // starts with bit 255, as PdqHash.to_hex does.
  function toHex(coefficients) {
    const median = Float32Array.from(coefficients).sort()[127];
    let hex = "";
    for (let byte = 0; byte < 32; byte++) {
      let value = 0;
      for (let t = 0; t < 8; t++) {
        const bit = 255 - 8 * byte - t;
        if (coefficients[bit] > median) value |= 1 << (7 - t);
      }
      hex += value.toString(16).padStart(2, "0");
    }
    return hex;
  }

  /** The code and quality of a 64 x 64 luma grid (row-major), PDQ's last steps. */
  function hashGrid(grid) {
    return { hash: toHex(dct16(grid)), quality: quality(grid) };
  }

  /**
   * PDQ of exactly these pixels (no resizing), like stukje.hashing.hash_pixels.
   * pixels: RGB or RGBA bytes, row-major; channels: 3 or 4.
   * Returns {hash, quality} or, with dihedral, {hash, quality, dihedral: [{name, hash}...]}.
   */
  function hashPixels(pixels, width, height, channels = 4, options = {}) {
    if (width < MIN_HASHABLE || height < MIN_HASHABLE) {
      const zero = "0".repeat(64);
      const dihedral = DIHEDRAL_NAMES.map((name) => ({ name, hash: zero }));
      return options.dihedral ? { hash: zero, quality: 0, dihedral } : { hash: zero, quality: 0 };
    }
    const grid = blurAndDecimate(lumaFromRgb(pixels, width, height, channels), height, width);
    const coefficients = dct16(grid);
    const result = { hash: toHex(coefficients), quality: quality(grid) };
    if (options.dihedral) {
      result.dihedral = DIHEDRAL_NAMES.map((name) => ({
        name, hash: toHex(dihedralDct(coefficients, name)),
      }));
    }
    return result;
  }

  // ---------------------------------------------------------------- shrinking like Pillow

  /**
   * Average factorX x factorY blocks (partial blocks at the edges), as Pillow's Image.reduce
   * (factorY defaults to factorX; one of them may be 1).
   */
  function boxReduce(pixels, width, height, channels, factorX, factorY = factorX) {
    const outWidth = Math.ceil(width / factorX);
    const outHeight = Math.ceil(height / factorY);
    const out = new Uint8ClampedArray(outWidth * outHeight * 3);
    const sums = new Float64Array(outWidth * 3);
    for (let oy = 0; oy < outHeight; oy++) {
      sums.fill(0);
      const y1 = Math.min(height, (oy + 1) * factorY);
      for (let y = oy * factorY; y < y1; y++) {
        let i = y * width * channels;
        for (let x = 0; x < width; x++, i += channels) {
          const o = Math.floor(x / factorX) * 3;
          sums[o] += pixels[i];
          sums[o + 1] += pixels[i + 1];
          sums[o + 2] += pixels[i + 2];
        }
      }
      const rows = y1 - oy * factorY;
      for (let ox = 0; ox < outWidth; ox++) {
        const count = rows * (Math.min(width, (ox + 1) * factorX) - ox * factorX);
        // Pillow divides by multiplying with a single-precision reciprocal in 8.24 fixed point.
        const multiplier = Math.trunc(f32(4294967296 / (256 * count)));
        for (let c = 0; c < 3; c++) {
          const o = ox * 3 + c;
          const sum = sums[o] + Math.floor(count / 2);
          out[oy * outWidth * 3 + o] = Math.floor((sum * multiplier) / 16777216);
        }
      }
    }
    return out;
  }

  // Pillow's resampling filters with their support (Resample.c): a triangle, and a box that
  // keeps a sample on the right edge of its half-open window.
  const FILTERS = {
    bilinear: { support: 1, weight: (x) => Math.max(0, 1 - Math.abs(x)) },
    box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  };

  // Pillow's weights (fixed point) for resampling inSize samples to outSize with a filter.
  function resampleWeights(inSize, outSize, filterName = "bilinear") {
    const filter = FILTERS[filterName];
    const scale = inSize / outSize;
    const filterScale = Math.max(scale, 1);
    const support = filter.support * filterScale;
    const inverse = 1 / filterScale; // Pillow multiplies by the reciprocal
    const bounds = [];
    for (let x = 0; x < outSize; x++) {
      const centre = (x + 0.5) * scale;
      const first = Math.max(Math.trunc(centre - support + 0.5), 0);
      const end = Math.min(Math.trunc(centre + support + 0.5), inSize);
      const weights = [];
      let total = 0;
      for (let k = first; k < end; k++) {
        const w = filter.weight((k - centre + 0.5) * inverse);
        weights.push(w);
        total += w;
      }
      const fixed = Int32Array.from(weights, (w) => {
        const v = (total !== 0 ? w / total : w) * (1 << PIL_PRECISION_BITS);
        return v < 0 ? Math.trunc(-0.5 + v) : Math.trunc(0.5 + v);
      });
      bounds.push({ first, weights: fixed });
    }
    return bounds;
  }

  function clip8(sum) {
    const v = Math.floor(sum / (1 << PIL_PRECISION_BITS));
    return v < 0 ? 0 : v > 255 ? 255 : v;
  }

  /** Pillow's Image.resize(size, BILINEAR) of RGB bytes: rows first, then columns. */
  function bilinearResize(rgb, width, height, outWidth, outHeight) {
    return resample(rgb, width, height, outWidth, outHeight, "bilinear");
  }

  // One horizontal pass: rows firstRow.. of source (width wide) to outWidth columns.
  function horizontalPass(source, width, firstRow, rows, outWidth, weightsOf) {
    const rounding = 1 << (PIL_PRECISION_BITS - 1);
    const out = new Uint8ClampedArray(outWidth * rows * 3);
    for (let y = 0; y < rows; y++) {
      const inRow = (y + firstRow) * width * 3;
      for (let x = 0, o = y * outWidth * 3; x < outWidth; x++, o += 3) {
        const { first, weights } = weightsOf[x];
        let r = rounding;
        let g = rounding;
        let b = rounding;
        for (let k = 0, i = inRow + first * 3; k < weights.length; k++, i += 3) {
          const w = weights[k];
          r += source[i] * w;
          g += source[i + 1] * w;
          b += source[i + 2] * w;
        }
        out[o] = clip8(r);
        out[o + 1] = clip8(g);
        out[o + 2] = clip8(b);
      }
    }
    return out;
  }

  // One vertical pass: columns of source (width wide, rows from firstRow) to outHeight rows.
  function verticalPass(source, width, firstRow, outHeight, weightsOf) {
    const rounding = 1 << (PIL_PRECISION_BITS - 1);
    const stride = width * 3;
    const out = new Uint8ClampedArray(stride * outHeight);
    for (let y = 0; y < outHeight; y++) {
      const { first, weights } = weightsOf[y];
      const top = (first - firstRow) * stride;
      for (let v = 0, o = y * stride; v < stride; v++, o++) {
        let sum = rounding;
        for (let k = 0, i = top + v; k < weights.length; k++, i += stride) {
          sum += source[i] * weights[k];
        }
        out[o] = clip8(sum);
      }
    }
    return out;
  }

  /**
   * Pillow's Image.resize(size, BOX or BILINEAR) of RGB bytes, in two passes. Horizontal
   * first, over only the rows the vertical pass reads; since Pillow 13 vertical first when
   * the height loses more than twice the pixels the width loses (the passes round to 8 bits
   * in between, so the order shows in the result). That rule was measured on Pillow 13.0
   * (844 random sizes, none off); tests/web/test_pdq_js.py checks it against Pillow.
   */
  function resample(rgb, width, height, outWidth, outHeight, filterName) {
    const needHorizontal = outWidth !== width;
    const needVertical = outHeight !== height;
    const vertical = needVertical ? resampleWeights(height, outHeight, filterName) : null;
    const horizontal = needHorizontal ? resampleWeights(width, outWidth, filterName) : null;
    if (!needHorizontal) return needVertical ? verticalPass(rgb, width, 0, outHeight, vertical) : rgb;
    if (!needVertical) return horizontalPass(rgb, width, 0, height, outWidth, horizontal);
    if (outHeight < height && height - outHeight > 2 * (width - outWidth)) {
      const tall = verticalPass(rgb, width, 0, outHeight, vertical);
      return horizontalPass(tall, width, 0, outHeight, outWidth, horizontal);
    }
    const last = vertical[outHeight - 1];
    const firstRow = vertical[0].first;
    const rows = last.first + last.weights.length - firstRow;
    const wide = horizontalPass(rgb, width, firstRow, rows, outWidth, horizontal);
    return verticalPass(wide, outWidth, firstRow, outHeight, vertical);
  }

  /**
   * The picture as stukje.hashing decodes it (Picture.pixels): full size when small, else shrunk
   * by a whole factor that keeps at least pdq_target_size. kind: "jpeg" (libjpeg's scaled
   * decoding: powers of two, when both sides shrink at least twofold), "full" (modes the
   * server does not reduce: 1-bit and 16-bit grey) or anything else (Image.reduce). A very
   * wide or tall picture shrinks along its long axis alone, as on the server.
   * Returns {pixels, width, height, channels, reduced}.
   */
  function decodedPixels(pixels, width, height, channels, kind) {
    const [targetWidth, targetHeight] = pdqTargetSize(width, height);
    const factorX = Math.floor(width / targetWidth);
    const factorY = Math.floor(height / targetHeight);
    let factor = Math.min(factorX, factorY);
    if (Math.max(factorX, factorY) < 2 || kind === "full") {
      return { pixels, width, height, channels, reduced: false };
    }
    let [byX, byY] = factor >= 2 ? [factor, factor] : [factorX, factorY];
    if (kind === "jpeg" && factor >= 2) {
      factor = [8, 4, 2].find((s) => factor >= s);
      [byX, byY] = [factor, factor];
    }
    return {
      pixels: boxReduce(pixels, width, height, channels, byX, byY),
      width: Math.ceil(width / byX),
      height: Math.ceil(height / byY),
      channels: 3,
      reduced: true,
    };
  }

  /** PDQ's input from decodedPixels: a reduced picture resized (bilinear) to the target size. */
  function pdqInputOf(decoded, width, height) {
    if (!decoded.reduced) return decoded;
    const [targetWidth, targetHeight] = pdqTargetSize(width, height);
    const resized = bilinearResize(
      decoded.pixels, decoded.width, decoded.height, targetWidth, targetHeight
    );
    return { pixels: resized, width: targetWidth, height: targetHeight, channels: 3 };
  }

  /**
   * The pixels PDQ sees for an upright decoded picture, as stukje.hashing chooses them
   * (kind as for decodedPixels). Returns {pixels, width, height, channels}.
   */
  function pdqInput(pixels, width, height, channels, kind) {
    return pdqInputOf(decodedPixels(pixels, width, height, channels, kind), width, height);
  }

  /** Hash an upright decoded picture (RGBA from a canvas) the way the Python engine does. */
  function hashPicture(pixels, width, height, channels, kind, options = {}) {
    const input = pdqInput(pixels, width, height, channels, kind);
    return hashPixels(input.pixels, input.width, input.height, input.channels, options);
  }

  /** Bits that differ between two hex hashes. */
  function distance(a, b) {
    let bits = 0;
    for (let i = 0; i < a.length; i += 8) {
      let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
      while (x) { x &= x - 1; bits++; }
    }
    return bits;
  }

  const api = {
    DIHEDRAL_NAMES, pdqTargetSize, hashPixels, hashPicture, hashGrid, pdqInput, decodedPixels,
    pdqInputOf, boxReduce, bilinearResize, resample, roundHalfEven, distance,
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.StukjePdq = api;
})(typeof globalThis !== "undefined" ? globalThis : this);

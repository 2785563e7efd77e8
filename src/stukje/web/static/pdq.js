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

  /** Average factor x factor blocks (partial blocks at the edges), as Pillow's Image.reduce. */
  function boxReduce(pixels, width, height, channels, factor) {
    const outWidth = Math.ceil(width / factor);
    const outHeight = Math.ceil(height / factor);
    const out = new Uint8ClampedArray(outWidth * outHeight * 3);
    const sums = new Float64Array(outWidth * 3);
    for (let oy = 0; oy < outHeight; oy++) {
      sums.fill(0);
      const y1 = Math.min(height, (oy + 1) * factor);
      for (let y = oy * factor; y < y1; y++) {
        let i = y * width * channels;
        for (let x = 0; x < width; x++, i += channels) {
          const o = Math.floor(x / factor) * 3;
          sums[o] += pixels[i];
          sums[o + 1] += pixels[i + 1];
          sums[o + 2] += pixels[i + 2];
        }
      }
      const rows = y1 - oy * factor;
      for (let ox = 0; ox < outWidth; ox++) {
        const count = rows * (Math.min(width, (ox + 1) * factor) - ox * factor);
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

  // Pillow's bilinear weights (fixed point) for resizing inSize samples to outSize.
  function bilinearWeights(inSize, outSize) {
    const scale = inSize / outSize;
    const filterScale = Math.max(scale, 1);
    const support = filterScale;
    const bounds = [];
    for (let x = 0; x < outSize; x++) {
      const centre = (x + 0.5) * scale;
      const first = Math.max(Math.trunc(centre - support + 0.5), 0);
      const end = Math.min(Math.trunc(centre + support + 0.5), inSize);
      const weights = [];
      let total = 0;
      for (let k = first; k < end; k++) {
        const w = Math.max(0, 1 - Math.abs((k - centre + 0.5) / filterScale));
        weights.push(w);
        total += w;
      }
      const fixed = weights.map((w) => {
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
    const rounding = 1 << (PIL_PRECISION_BITS - 1);
    let source = rgb;
    let sourceWidth = width;
    const vertical = bilinearWeights(height, outHeight);
    let firstRow = 0;
    if (outWidth !== width) {
      const horizontal = bilinearWeights(width, outWidth);
      const last = vertical[outHeight - 1];
      firstRow = vertical[0].first;
      const rows = last.first + last.weights.length - firstRow;
      const temp = new Uint8ClampedArray(outWidth * rows * 3);
      for (let y = 0; y < rows; y++) {
        const inRow = (y + firstRow) * width * 3;
        for (let x = 0; x < outWidth; x++) {
          const { first, weights } = horizontal[x];
          for (let c = 0; c < 3; c++) {
            let sum = rounding;
            for (let k = 0; k < weights.length; k++) {
              sum += rgb[inRow + (first + k) * 3 + c] * weights[k];
            }
            temp[(y * outWidth + x) * 3 + c] = clip8(sum);
          }
        }
      }
      source = temp;
      sourceWidth = outWidth;
    }
    if (outHeight === height) return source;
    const out = new Uint8ClampedArray(outWidth * outHeight * 3);
    for (let y = 0; y < outHeight; y++) {
      const { first, weights } = vertical[y];
      for (let x = 0; x < outWidth; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = rounding;
          for (let k = 0; k < weights.length; k++) {
            sum += source[((first - firstRow + k) * sourceWidth + x) * 3 + c] * weights[k];
          }
          out[(y * outWidth + x) * 3 + c] = clip8(sum);
        }
      }
    }
    return out;
  }

  /**
   * The pixels PDQ sees for an upright decoded picture, as stukje.hashing chooses them.
   * kind: "jpeg" (scaled decoding in powers of two), "full" (formats stukje does not reduce:
   * palette and 16-bit pictures) or anything else (whole-factor box reduction).
   * Returns {pixels, width, height, channels}.
   */
  function pdqInput(pixels, width, height, channels, kind) {
    const [targetWidth, targetHeight] = pdqTargetSize(width, height);
    let factor = Math.min(Math.floor(width / targetWidth), Math.floor(height / targetHeight));
    if (factor < 2 || kind === "full") return { pixels, width, height, channels };
    if (kind === "jpeg") factor = [8, 4, 2].find((s) => factor >= s);
    const reduced = boxReduce(pixels, width, height, channels, factor);
    const resized = bilinearResize(
      reduced, Math.ceil(width / factor), Math.ceil(height / factor), targetWidth, targetHeight
    );
    return { pixels: resized, width: targetWidth, height: targetHeight, channels: 3 };
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
    DIHEDRAL_NAMES, pdqTargetSize, hashPixels, hashPicture, pdqInput, boxReduce,
    bilinearResize, distance,
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.StukjePdq = api;
})(typeof globalThis !== "undefined" ? globalThis : this);

/*
 * The submission set in the browser: several PDQ codes per photo, so that mirrored, rotated,
 * bordered, screenshotted and cropped copies still match. It follows stukje.hashing.variants
 * (labelled_submission_signals; docs/quality.md, "The submission set") step by step: the plain
 * code and the 7 other symmetries and 4 small turns of PDQ's own input pixels; the picture
 * inside its borders (as found, and as a black or white frame would leave it), hashed at
 * 384 x 384, and region hashes of the whole picture, its halves, a grid of 175 crops, 4 strips
 * (a side's 40 %) and the tops (upper 70 %) of the picture and of 65 crops, all on the working
 * pixels (the photo shrunk, area average, to at most 512 x 512, aspect kept, or a small photo
 * enlarged, bilinear, to 128 pixels on its short side). A region hash is kept in one
 * orientation of the eight (as if transposed, flipped or mirrored so that the part's leans come
 * out positive), or in each one a lean within the margin allows. Extra codes below quality 40
 * or already in the set are left out.
 *
 * Works as a classic browser script (window.StukjeVariants, after pdq.js) and in node.
 */
(function (root) {
  "use strict";

  const pdq = typeof module === "object" && module.exports ? require("./pdq.js") : root.StukjePdq;
  const f32 = Math.fround;

  const EXTRA_MIN_QUALITY = 40;
  const TRIM_OUTLIER_SHARE = 0.02;
  const TRIM_LUMA_TOLERANCE = 8;
  const TRIM_MIN_KEPT = 0.25;
  const TRIM_MIN_REMOVED = 0.01;
  const ROTATION_DEGREES = [-4, -2, 2, 4];
  const CROP_GRID = [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65].map((scale) => [scale, 5]);
  const STRIP_SHARE = 0.4;
  const TOP_SHARE = 0.7;
  const TOP_GRID = [[0.95, 4], [0.9, 7]];
  const REGION_GRID = 64;
  const WINDOW_SIZE = 384;
  const FRAME_SHARE = 0.1;
  const WORKING_PIXELS = 512 * 512;
  const MIN_WORKING_SIDE = 128;
  const FRAMES = [["black", 0], ["white", 255]];
  // stukje.hashing.variants.MIRROR_MASK and FLIP_MASK, in hex: the bits of odd horizontal
  // (vertical) frequency, whose signs flip when a part is mirrored (flipped top to bottom).
  const MIRROR_HEX = "55".repeat(32);
  const FLIP_HEX = "0000ffff".repeat(8);
  // stukje.hashing.variants.ORIENTATION_MARGIN: a lean under this either way allows both
  // choices (the submission side's margin; the query side, not in the browser, uses 0).
  const ORIENTATION_MARGIN = 0.05;
  // stukje.hashing.regions.ACROSS_TERMS: across compares coefficients (0, 1..7) with (1..7, 0).
  const ACROSS_TERMS = 7;
  // stukje.hashing.regions._FLAT_ROOT: a grid whose low coefficients' root is under this is flat.
  const FLAT_ROOT = 1e-6;
  // The steps one photo can take: 8 symmetries, 3 trims, 4 turns, then the parts hashed as
  // region hashes: the whole, its 4 halves, 175 crops, 4 strips, the top and the tops of 65 crops.
  const squares = (grid) => grid.reduce((sum, [, count]) => sum + count * count, 0);
  const REGION_PARTS = 5 + squares(CROP_GRID) + 4 + 1 + squares(TOP_GRID);
  const MAX_STEPS = 8 + 3 + ROTATION_DEGREES.length + REGION_PARTS;
  // The most codes one photo can give: a part may give its code in all 8 orientations.
  const MAX_CODES = 8 + 3 + ROTATION_DEGREES.length + 8 * REGION_PARTS;
  const LUMA = [f32(0.299), f32(0.587), f32(0.114)];

  const roundHalfEven = pdq.roundHalfEven;

  // An RGB picture: {pixels: Uint8Array-like (3 per pixel), width, height}.
  function picture(pixels, width, height) {
    return { pixels, width, height };
  }

  /** The picture under one symmetry, in stukje.hashing.DIHEDRAL_NAMES order. */
  function dihedral(image, name) {
    const { pixels, width: w, height: h } = image;
    const swap = ["rotate90_ccw", "rotate90_cw", "transpose", "transverse"].includes(name);
    const outW = swap ? h : w;
    const outH = swap ? w : h;
    const out = new Uint8ClampedArray(outW * outH * 3);
    // For output (row i, column j): the source row and column.
    const source = {
      original: (i, j) => [i, j],
      rotate90_ccw: (i, j) => [j, w - 1 - i],
      rotate180: (i, j) => [h - 1 - i, w - 1 - j],
      rotate90_cw: (i, j) => [h - 1 - j, i],
      flip_top_bottom: (i, j) => [h - 1 - i, j],
      flip_left_right: (i, j) => [i, w - 1 - j],
      transpose: (i, j) => [j, i],
      transverse: (i, j) => [h - 1 - j, w - 1 - i],
    }[name];
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const [r, c] = source(i, j);
        const from = (r * w + c) * 3;
        const to = (i * outW + j) * 3;
        out[to] = pixels[from];
        out[to + 1] = pixels[from + 1];
        out[to + 2] = pixels[from + 2];
      }
    }
    return picture(out, outW, outH);
  }

  function cut(image, [left, top, right, bottom]) {
    const width = right - left;
    const out = new Uint8ClampedArray(width * (bottom - top) * 3);
    for (let y = top; y < bottom; y++) {
      const start = (y * image.width + left) * 3;
      out.set(image.pixels.subarray(start, start + width * 3), (y - top) * width * 3);
    }
    return picture(out, width, bottom - top);
  }

  function lumaOf(image) {
    const values = new Float32Array(image.width * image.height);
    const p = image.pixels;
    for (let k = 0, i = 0; k < values.length; k++, i += 3) {
      // numpy's float32 matmul here is a chain of fused multiply-adds; in double the product
      // of a byte and a float32 and its sum with a float32 are exact, so one rounding is left.
      const red = f32(p[i] * LUMA[0]);
      const green = f32(p[i + 1] * LUMA[1] + red);
      values[k] = f32(p[i + 2] * LUMA[2] + green);
    }
    return values;
  }

  function median(line) {
    const sorted = Float32Array.from(line).sort();
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : f32(f32(sorted[mid - 1] + sorted[mid]) / 2);
  }

  // Is each line flat: few of its values far from the line's median luma?
  function flatLines(lines) {
    return lines.map((line) => {
      const middle = median(line);
      let outliers = 0;
      for (const value of line) if (Math.abs(f32(value - middle)) > TRIM_LUMA_TOLERANCE) outliers++;
      return outliers <= TRIM_OUTLIER_SHARE * line.length;
    });
  }

  function longestBusyRun(flat) {
    let best = [0, 0];
    let start = null;
    [...flat, true].forEach((isFlat, position) => {
      if (!isFlat && start === null) start = position;
      else if (isFlat && start !== null) {
        if (position - start > best[1] - best[0]) best = [start, position];
        start = null;
      }
    });
    return best;
  }

  function rowsOf(values, width, top, bottom, left, right) {
    const rows = [];
    for (let y = top; y < bottom; y++) rows.push(values.subarray(y * width + left, y * width + right));
    return rows;
  }

  function columnsOf(values, width, top, bottom, left, right) {
    const columns = [];
    for (let x = left; x < right; x++) {
      const column = new Float32Array(bottom - top);
      for (let y = top; y < bottom; y++) column[y - top] = values[y * width + x];
      columns.push(column);
    }
    return columns;
  }

  /** The picture inside borders, letterboxing, a status bar or a caption bar; null if none. */
  function trimBox(image) {
    const values = lumaOf(image);
    const { width, height } = image;
    let [top, bottom, left, right] = [0, height, 0, width];
    for (let pass = 0; pass < 2; pass++) {
      const [rowStart, rowEnd] = longestBusyRun(flatLines(rowsOf(values, width, top, bottom, left, right)));
      [top, bottom] = [top + rowStart, top + rowEnd];
      if (bottom <= top) return null;
      const [colStart, colEnd] = longestBusyRun(flatLines(columnsOf(values, width, top, bottom, left, right)));
      [left, right] = [left + colStart, left + colEnd];
      if (right <= left) return null;
    }
    if (Math.min((right - left) / width, (bottom - top) / height) < TRIM_MIN_KEPT) return null;
    const removed = Math.max(left / width, top / height, 1 - right / width, 1 - bottom / height);
    if (removed < TRIM_MIN_REMOVED) return null;
    return [left, top, right, bottom];
  }

  /** Turn counter-clockwise about the centre, same size, bilinear, black outside (as Pillow). */
  function rotate(image, degrees) {
    const { pixels, width: w, height: h } = image;
    const angle = (degrees * Math.PI) / 180;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const cx = w / 2;
    const cy = h / 2;
    const a = [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy];
    const out = new Uint8ClampedArray(w * h * 3);
    const clipX = (x) => (x < 0 ? 0 : x < w ? x : w - 1);
    const clipY = (y) => (y < 0 ? 0 : y < h ? y : h - 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let xs = a[0] * (x + 0.5) + a[1] * (y + 0.5) + a[2];
        let ys = a[3] * (x + 0.5) + a[4] * (y + 0.5) + a[5];
        if (xs < 0 || xs >= w || ys < 0 || ys >= h) continue; // stays black
        xs -= 0.5;
        ys -= 0.5;
        const x0 = Math.floor(xs);
        const y0 = Math.floor(ys);
        const dx = xs - x0;
        const dy = ys - y0;
        const row = clipY(y0) * w;
        const left = clipX(x0);
        const right = clipX(x0 + 1);
        const below = y0 + 1 >= 0 && y0 + 1 < h ? (y0 + 1) * w : -1;
        for (let c = 0; c < 3; c++) {
          const a0 = pixels[(row + left) * 3 + c];
          const v1 = a0 + (pixels[(row + right) * 3 + c] - a0) * dx;
          let v2 = v1;
          if (below >= 0) {
            const b0 = pixels[(below + left) * 3 + c];
            v2 = b0 + (pixels[(below + right) * 3 + c] - b0) * dx;
          }
          out[(y * w + x) * 3 + c] = Math.trunc(v1 + (v2 - v1) * dy);
        }
      }
    }
    return picture(out, w, h);
  }

  /**
   * The crops of grid in grid order (scale, row, column), of the picture or of the part within
   * it ([left, top, right, bottom]); first, if whole, the part itself and its left, right, top
   * and bottom halves. Edges are fractional.
   */
  function cropBoxes(width, height, grid = CROP_GRID, whole = false, within = null) {
    const [left, top, right, bottom] = within || [0, 0, width, height];
    const partW = right - left;
    const partH = bottom - top;
    const prefix = within ? "trimmed " : "";
    const boxes = [];
    if (whole) {
      const middleX = left + partW / 2;
      const middleY = top + partH / 2;
      boxes.push([`${prefix}whole`, [left, top, right, bottom]],
        [`${prefix}left half`, [left, top, middleX, bottom]],
        [`${prefix}right half`, [middleX, top, right, bottom]],
        [`${prefix}top half`, [left, top, right, middleY]],
        [`${prefix}bottom half`, [left, middleY, right, bottom]]);
    }
    for (const [scale, count] of grid) {
      const cropW = partW * scale;
      const cropH = partH * scale;
      for (let row = 0; row < count; row++) {
        for (let column = 0; column < count; column++) {
          const x = left + (partW - cropW) * (column / (count - 1));
          const y = top + (partH - cropH) * (row / (count - 1));
          boxes.push([`${prefix}crop ${scale.toFixed(2)} ${row + 1} ${column + 1}`,
            [x, y, x + cropW, y + cropH]]);
        }
      }
    }
    return boxes;
  }

  // The left, right, top and bottom STRIP_SHARE of the picture (stukje.hashing.strip_boxes).
  function stripBoxes(width, height) {
    const stripW = width * STRIP_SHARE;
    const stripH = height * STRIP_SHARE;
    return [
      ["left strip", [0, 0, stripW, height]],
      ["right strip", [width - stripW, 0, width, height]],
      ["top strip", [0, 0, width, stripH]],
      ["bottom strip", [0, height - stripH, width, height]],
    ];
  }

  // The top (upper TOP_SHARE, full width) of the picture, then the tops of grid's crops
  // (stukje.hashing.top_boxes).
  function topBoxes(width, height, grid = []) {
    const boxes = [["top", [0, 0, width, height * TOP_SHARE]]];
    for (const [label, [x0, y0, x1, y1]] of cropBoxes(width, height, grid)) {
      boxes.push([`top of ${label}`, [x0, y0, x1, y0 + (y1 - y0) * TOP_SHARE]]);
    }
    return boxes;
  }

  // Rows 0-16 of the 64-point DCT-II in double, as stukje.hashing.regions' _CONSTANT and _DCT
  // (row 0, the constant one, is left out of the hash but needed for the lean).
  const DCT17 = (() => {
    const matrix = new Float64Array(17 * REGION_GRID);
    for (let j = 0; j < REGION_GRID; j++) matrix[j] = Math.sqrt(2 / REGION_GRID);
    for (let i = 1; i <= 16; i++) {
      for (let j = 0; j < REGION_GRID; j++) {
        matrix[i * REGION_GRID + j] = Math.sqrt(2 / REGION_GRID) *
          Math.cos((Math.PI / 2 / REGION_GRID) * i * (2 * j + 1));
      }
    }
    return matrix;
  })();

  /**
   * A grid's leans (stukje.hashing.regions._leans), in double on the cells' exact means: left
   * and top, its coefficients C(0, 1) and C(1, 0) (vertical, horizontal frequency) over the root
   * of the summed squares of the 17 x 17 lowest coefficients but C(0, 0); across, (a - b) /
   * (a + b) for a and b the summed squares of C(0, 1..7) and C(1..7, 0). All 0 for a flat grid
   * (root under FLAT_ROOT), across also when a + b is 0. Mirroring a part negates left,
   * flipping it negates top, transposing it swaps the two and negates across.
   */
  function leanOf(cells) {
    const n = REGION_GRID;
    // partial = DCT17 @ cells (17 x 64), then coefficients = partial @ DCT17^T (17 x 17).
    const partial = new Float64Array(17 * n);
    for (let i = 0; i < 17; i++) {
      for (let k = 0; k < n; k++) {
        const weight = DCT17[i * n + k];
        const row = k * n;
        const out = i * n;
        for (let j = 0; j < n; j++) partial[out + j] += weight * cells[row + j];
      }
    }
    let energy = 0;
    let along = 0; // C(0, 1..ACROSS_TERMS) squared
    let down = 0; // C(1..ACROSS_TERMS, 0) squared
    let left = 0; // C(0, 1)
    let top = 0; // C(1, 0)
    for (let i = 0; i < 17; i++) {
      for (let l = 0; l < 17; l++) {
        if (i === 0 && l === 0) continue;
        let sum = 0;
        for (let j = 0; j < n; j++) sum += partial[i * n + j] * DCT17[l * n + j];
        energy += sum * sum;
        if (i === 0 && l <= ACROSS_TERMS) along += sum * sum;
        if (l === 0 && i <= ACROSS_TERMS) down += sum * sum;
        if (i === 0 && l === 1) left = sum;
        if (i === 1 && l === 0) top = sum;
      }
    }
    const root = Math.sqrt(energy);
    if (root < FLAT_ROOT) return { left: 0, top: 0, across: 0 };
    const across = along + down > 0 ? (along - down) / (along + down) : 0;
    return { left: left / root, top: top / root, across };
  }

  // An orientation is 4 t + 2 v + h: transpose (t), then flip top to bottom (v) and mirror left
  // to right (h); these are its labels' endings (stukje.hashing.variants._ORIENTATION_NAMES).
  const ORIENTATION_NAMES = Array.from({ length: 8 }, (_, g) =>
    (g & 4 ? " transposed" : "") + (g & 2 ? " flipped" : "") + (g & 1 ? " mirrored" : ""));

  // Is changing (1) or keeping (0) the part ruled out by this lean? (variants._refused)
  const refused = (lean, change, margin) => (lean < 0) !== Boolean(change) &&
    Math.abs(lean) >= margin;

  /**
   * The orientations that make the part's leans positive (stukje.hashing.variants._orientations):
   * transpose when across < 0 (then left and top swap), flip when top < 0, mirror when left < 0;
   * a lean within margin of 0 allows both choices. Ascending.
   */
  function orientations({ left, top, across }, margin) {
    const chosen = [];
    for (const t of [0, 1]) {
      if (refused(across, t, margin)) continue;
      const [ahead, above] = t ? [top, left] : [left, top];
      for (const v of [0, 1]) {
        if (refused(above, v, margin)) continue;
        for (const h of [0, 1]) if (!refused(ahead, h, margin)) chosen.push(4 * t + 2 * v + h);
      }
    }
    return chosen;
  }

  // Two hex codes XORed digit by digit.
  function xorHex(hex, mask) {
    let out = "";
    for (let d = 0; d < hex.length; d++) {
      out += (parseInt(hex[d], 16) ^ parseInt(mask[d], 16)).toString(16);
    }
    return out;
  }

  // A code with its bits moved as transposing its part moves its coefficients: bit k = 16 i + j
  // (packed bit 255 - k, most significant first) moves to 16 j + i (variants._TRANSPOSED_BITS).
  function transposedHex(hex) {
    const bits = new Uint8Array(256);
    for (let p = 0; p < 256; p++) {
      const k = 255 - p;
      const moved = 255 - ((k & 15) * 16 + (k >> 4));
      bits[moved] = (parseInt(hex[p >> 2], 16) >> (3 - (p & 3))) & 1;
    }
    let out = "";
    for (let d = 0; d < 64; d++) {
      out += ((bits[4 * d] << 3) | (bits[4 * d + 1] << 2) | (bits[4 * d + 2] << 1) |
        bits[4 * d + 3]).toString(16);
    }
    return out;
  }

  // The code as if the part were turned by this orientation (variants._oriented): bits moved
  // for a transpose, then FLIP_MASK and MIRROR_MASK XORed for the flips.
  function orientedHex(hex, orientation) {
    let out = orientation & 4 ? transposedHex(hex) : hex;
    if (orientation & 2) out = xorHex(out, FLIP_HEX);
    if (orientation & 1) out = xorHex(out, MIRROR_HEX);
    return out;
  }

  /**
   * Region hashes (stukje.hashing.regions): each part cut into 64 x 64 cells whose mean integer
   * luma is read from one summed-area table, then PDQ's DCT, median and quality, and the part's
   * leans. Returns [label, {hash, quality}] for each labelled box, leaving out parts under 64
   * pixels a side, in the orientations the leans choose, as
   * stukje.hashing.variants._region_hashes: ascending, each labelled part label + " transposed"
   * / " flipped" / " mirrored" as it applies. The whole parts also keep their own code, and its
   * mirrored code when left < 0 or within margin of 0.
   */
  function regionSignals(image, boxes, margin = ORIENTATION_MARGIN) {
    const { pixels, width, height } = image;
    const stride = width + 1;
    const table = new Float64Array(stride * (height + 1));
    for (let y = 0; y < height; y++) {
      let rowSum = 0;
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        rowSum += 299 * pixels[i] + 587 * pixels[i + 1] + 114 * pixels[i + 2];
        table[(y + 1) * stride + x + 1] = table[y * stride + x + 1] + rowSum;
      }
    }
    const edges = (start, end) => {
      const out = new Int32Array(REGION_GRID + 1);
      for (let k = 0; k <= REGION_GRID; k++) {
        out[k] = Math.floor(start + (end - start) * (k / REGION_GRID) + 0.5);
      }
      return out;
    };
    const signals = [];
    for (const [label, [left, top, right, bottom]] of boxes) {
      const xs = edges(left, right);
      const ys = edges(top, bottom);
      let usable = true;
      for (let k = 0; k < REGION_GRID; k++) {
        if (xs[k + 1] <= xs[k] || ys[k + 1] <= ys[k]) usable = false;
      }
      if (!usable) continue;
      // The cells' means in double (Python's grid, float64); the hash takes them as float32.
      const cells = new Float64Array(REGION_GRID * REGION_GRID);
      for (let i = 0; i < REGION_GRID; i++) {
        const above = ys[i] * stride;
        const below = ys[i + 1] * stride;
        for (let j = 0; j < REGION_GRID; j++) {
          const sum = table[below + xs[j + 1]] - table[above + xs[j + 1]] -
            table[below + xs[j]] + table[above + xs[j]];
          const area = (ys[i + 1] - ys[i]) * (xs[j + 1] - xs[j]);
          cells[i * REGION_GRID + j] = sum / (area * 1000);
        }
      }
      const signal = pdq.hashGrid(new Float32Array(cells));
      const leans = leanOf(cells);
      const chosen = new Set(orientations(leans, margin));
      if (label.endsWith("whole")) {
        chosen.add(0);
        if (leans.left < 0 || Math.abs(leans.left) < margin) chosen.add(1);
      }
      for (const orientation of [...chosen].sort((a, b) => a - b)) {
        const hash = orientedHex(signal.hash, orientation);
        signals.push([label + ORIENTATION_NAMES[orientation], { hash, quality: signal.quality }]);
      }
    }
    return signals;
  }

  /**
   * The decoded picture shrunk (Pillow's BOX) to at most WORKING_PIXELS, aspect kept; one whose
   * short side is under MIN_WORKING_SIDE enlarged (Pillow's bilinear) to that side, or as far as
   * WORKING_PIXELS allows.
   */
  function workingPixels(image) {
    const { width, height } = image;
    const scale = Math.sqrt(WORKING_PIXELS / (width * height));
    if (scale < 1) {
      const outWidth = Math.max(1, roundHalfEven(width * scale));
      const outHeight = Math.max(1, roundHalfEven(height * scale));
      return picture(pdq.resample(image.pixels, width, height, outWidth, outHeight, "box"),
        outWidth, outHeight);
    }
    const grow = Math.min(scale, MIN_WORKING_SIDE / Math.min(width, height));
    if (grow <= 1) return image;
    const outWidth = roundHalfEven(width * grow);
    const outHeight = roundHalfEven(height * grow);
    if (outWidth === width && outHeight === height) return image;
    return picture(pdq.bilinearResize(image.pixels, width, height, outWidth, outHeight),
      outWidth, outHeight);
  }

  /** PDQ of a part of the picture resized (bilinear) to WINDOW_SIZE a side. */
  function hashWindow(image) {
    let pixels = image.pixels;
    if (image.width !== WINDOW_SIZE || image.height !== WINDOW_SIZE) {
      pixels = pdq.bilinearResize(pixels, image.width, image.height, WINDOW_SIZE, WINDOW_SIZE);
    }
    return pdq.hashPixels(pixels, WINDOW_SIZE, WINDOW_SIZE, 3);
  }

  /**
   * What trimming keeps of the picture inside a solid frame of a tenth of each side; null when
   * that is the picture itself (within 1 % a side) or nothing.
   */
  function trimmedOn(image, colour) {
    const { width, height } = image;
    const padX = Math.max(1, roundHalfEven(width * FRAME_SHARE));
    const padY = Math.max(1, roundHalfEven(height * FRAME_SHARE));
    const framedWidth = width + 2 * padX;
    const framed = new Uint8ClampedArray(framedWidth * (height + 2 * padY) * 3).fill(colour);
    for (let y = 0; y < height; y++) {
      framed.set(image.pixels.subarray(y * width * 3, (y + 1) * width * 3),
        ((y + padY) * framedWidth + padX) * 3);
    }
    const framedImage = picture(framed, framedWidth, height + 2 * padY);
    const box = trimBox(framedImage);
    if (!box) return null;
    const expected = [padX, padY, padX + width, padY + height];
    const sizes = [width, height, width, height];
    const off = Math.max(...box.map((edge, k) => Math.abs(edge - expected[k]) / sizes[k]));
    return off <= TRIM_MIN_REMOVED ? null : cut(framedImage, box);
  }

  function toRgb({ pixels, width, height, channels }) {
    if (channels === 3) return picture(pixels, width, height);
    const rgb = new Uint8ClampedArray(width * height * 3);
    for (let k = 0, i = 0; i < rgb.length; k += channels, i += 3) {
      rgb[i] = pixels[k];
      rgb[i + 1] = pixels[k + 1];
      rgb[i + 2] = pixels[k + 2];
    }
    return picture(rgb, width, height);
  }

  /**
   * Every code of the set, in order, before the quality and duplicate filter: yields
   * [label, {hash, quality}] one at a time, so a caller can pause between them.
   */
  function* candidateSignals(pixels, width, height, channels, kind) {
    const decoded = pdq.decodedPixels(pixels, width, height, channels, kind);
    const whole = toRgb(pdq.pdqInputOf(decoded, width, height));
    const hashWhole = (image) => pdq.hashPixels(image.pixels, image.width, image.height, 3);
    yield ["plain", hashWhole(whole)];
    for (const name of pdq.DIHEDRAL_NAMES.slice(1)) yield [name, hashWhole(dihedral(whole, name))];
    const working = workingPixels(toRgb(decoded));
    const box = trimBox(working);
    if (box) yield ["trimmed", hashWindow(cut(working, box))];
    for (const [name, colour] of FRAMES) {
      const inside = trimmedOn(working, colour);
      if (inside) yield [`trimmed on ${name}`, hashWindow(inside)];
    }
    for (const degrees of ROTATION_DEGREES) {
      yield [`rotate ${degrees > 0 ? "+" : ""}${degrees}`, hashWhole(rotate(whole, degrees))];
    }
    const { width: workingW, height: workingH } = working;
    yield* regionSignals(working, [...cropBoxes(workingW, workingH, CROP_GRID, true),
      ...stripBoxes(workingW, workingH), ...topBoxes(workingW, workingH, TOP_GRID)]);
  }

  // Keeps the plain code, then extras of quality 40 and up that are not in the set yet.
  function keeper() {
    const kept = [];
    const seen = new Set();
    return {
      kept,
      offer(label, { hash, quality }) {
        if (kept.length === 0 || (quality >= EXTRA_MIN_QUALITY && !seen.has(hash))) {
          kept.push({ label, hash, quality });
          seen.add(hash);
        }
      },
    };
  }

  /**
   * Every code to send for one decoded photo (RGBA or RGB pixels, upright), the plain code
   * first: [{label, hash, quality}], as stukje.hashing.labelled_submission_signals.
   * kind as for StukjePdq.decodedPixels.
   */
  function submissionSignals(pixels, width, height, channels, kind) {
    const { kept, offer } = keeper();
    for (const [label, signal] of candidateSignals(pixels, width, height, channels, kind)) {
      offer(label, signal);
    }
    return kept;
  }

  // A label's orientation ending (ORIENTATION_NAMES), to tell a part's codes apart from steps.
  const ORIENTATION_ENDING = /( transposed)?( flipped)?( mirrored)?$/;

  /**
   * submissionSignals that hands the event loop back every ~40 ms so the page stays
   * responsive; onProgress(done, MAX_STEPS) after each pause, done counting the hashes made
   * (a part's codes in other orientations, which follow one another, are no extra steps).
   */
  async function submissionSignalsAsync(pixels, width, height, channels, kind, onProgress) {
    const { kept, offer } = keeper();
    const pause = () => new Promise((resolve) => setTimeout(resolve, 0));
    let done = 0;
    let previous = null;
    let since = Date.now();
    for (const [label, signal] of candidateSignals(pixels, width, height, channels, kind)) {
      offer(label, signal);
      const part = label.replace(ORIENTATION_ENDING, "");
      if (part !== previous) done++;
      previous = part;
      if (Date.now() - since > 40) {
        if (onProgress) onProgress(Math.min(done, MAX_STEPS), MAX_STEPS);
        await pause();
        since = Date.now();
      }
    }
    if (onProgress) onProgress(MAX_STEPS, MAX_STEPS);
    return kept;
  }

  const api = {
    MAX_CODES, MAX_STEPS, ORIENTATION_MARGIN, submissionSignals, submissionSignalsAsync,
    candidateSignals, workingPixels,
    hashWindow, trimBox, rotate, cropBoxes, stripBoxes, topBoxes, regionSignals, dihedral,
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.StukjeVariants = api;
})(typeof globalThis !== "undefined" ? globalThis : this);

/*
 * Shared by stukje's pages: the page's words, calls to this server's API, copying, and turning a
 * chosen photo into PDQ codes on this device (the photo itself is never sent anywhere).
 */
(function (root) {
  "use strict";

  const texts = JSON.parse(document.getElementById("texts").textContent);

  function say(key, values = {}) {
    let text = texts[key] || key;
    for (const [name, value] of Object.entries(values)) text = text.replace("{" + name + "}", value);
    return text;
  }

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error && body.error.message) || "HTTP " + status);
      this.status = status;
      this.body = body;
    }
  }

  /** JSON to and from this server's API; throws ApiError on a non-2xx answer. */
  async function api(method, path, { body, headers = {}, key } = {}) {
    const init = { method, headers: { Accept: "application/json", ...headers }, cache: "no-store" };
    if (key) init.headers.Authorization = "Bearer " + key;
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  async function copyText(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {
      // Older browsers, or no permission: select the text so the person can copy it.
      const range = document.createRange();
      range.selectNodeContents(button.previousElementSibling);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }
    const label = button.textContent;
    button.textContent = say("copied");
    setTimeout(() => { button.textContent = label; }, 2000);
  }

  // Which reduction stukje.hashing would use for this file (see pdq.js, decodedPixels): JPEG
  // decodes at reduced scale, 1-bit and 16-bit grey PNGs stay full size, the rest (palette
  // PNGs and GIFs too) shrink with Image.reduce.
  async function sniffKind(file) {
    const head = new Uint8Array(await file.slice(0, 32).arrayBuffer());
    if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
    if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) {
      const bitDepth = head[24];
      const colourType = head[25];
      return colourType === 0 && (bitDepth === 16 || bitDepth === 1) ? "full" : "other";
    }
    return "other";
  }

  const MAX_PIXELS = 100000000;
  // Whether a photo's codes are the whole submission set (static/variants.js, the same set
  // stukje.hashing.submission_signals gives) or its plain PDQ code only.
  const SEND_SUBMISSION_SET = true;

  // The API's limits, rendered into the page from the Python constants (pages.py); read when
  // used, so what the page says is what it does.
  const limits = {
    get perRequest() { return Number(document.body.dataset.maxSignalsPerRequest) || 1000; },
    get perCase() { return Number(document.body.dataset.maxSignalsPerCase) || 1000; },
  };

  function newCanvas(width, height) {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    return canvas;
  }

  /**
   * Hash one chosen photo on this device. Returns {hash, quality, signals, width, height,
   * thumbnail}: the plain code and its quality, the submission set ([{label, hash, quality}],
   * plain first), and a small canvas for showing the photo back to its owner.
   * onProgress(done, total) is called while the set is made; the page stays responsive.
   * plainOnly: the plain code alone (a quick look, as the conformance tests take).
   */
  async function hashFile(file, { thumbnailSize = 160, onProgress, plainOnly = false } = {}) {
    const kind = await sniffKind(file);
    const bitmap = await createImageBitmap(file, {
      imageOrientation: "from-image",
      colorSpaceConversion: "none", // as stukje.hashing, which does not apply ICC profiles
    });
    try {
      const { width, height } = bitmap;
      if (width * height > MAX_PIXELS) throw new Error("too many pixels");
      const canvas = newCanvas(width, height);
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.fillStyle = "#fff"; // transparency is flattened onto white, as on the server
      context.fillRect(0, 0, width, height);
      context.drawImage(bitmap, 0, 0);
      const pixels = context.getImageData(0, 0, width, height).data;
      canvas.width = canvas.height = 0; // let the browser drop the canvas's copy now
      const signals = SEND_SUBMISSION_SET && !plainOnly
        ? await StukjeVariants.submissionSignalsAsync(pixels, width, height, 4, kind, onProgress)
        : [{ label: "plain", ...StukjePdq.hashPicture(pixels, width, height, 4, kind) }];
      const scale = Math.min(1, thumbnailSize / Math.max(width, height));
      const thumbnail = newCanvas(Math.max(1, Math.round(width * scale)),
        Math.max(1, Math.round(height * scale)));
      thumbnail.getContext("2d").drawImage(bitmap, 0, 0, thumbnail.width, thumbnail.height);
      const [plain] = signals;
      return { hash: plain.hash, quality: plain.quality, signals, width, height, thumbnail };
    } finally {
      bitmap.close();
    }
  }

  /**
   * The codes sent for one photo: the same set the Python engine submits
   * (stukje.hashing.submission_signals): the plain code first, then codes of mirrored,
   * rotated, trimmed and cropped copies. Only the code and its quality; the labels stay here.
   */
  function submissionSignals(result) {
    return result.signals.map(({ hash, quality }) => ({ hash, quality }));
  }

  const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

  root.Stukje = {
    texts, say, api, ApiError, element, copyText, hashFile, submissionSignals, pause, limits,
  };
})(window);

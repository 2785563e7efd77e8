// Runs stukje's browser PDQ port in node for tests/web/test_pdq_js.py.
// argv[2]: path of pdq.js. stdin: a JSON list of jobs; stdout: a JSON list of results.
"use strict";
const fs = require("fs");
const path = require("path");
const pdq = require(process.argv[2]);
const variants = require(path.join(path.dirname(process.argv[2]), "variants.js"));

function run(job) {
  if (job.op === "target") return pdq.pdqTargetSize(job.width, job.height);
  const pixels = new Uint8Array(fs.readFileSync(job.file));
  if (job.op === "hash") {
    return pdq.hashPixels(pixels, job.width, job.height, 3, { dihedral: true });
  }
  if (job.op === "input") {
    const input = pdq.pdqInput(pixels, job.width, job.height, 3, job.kind);
    fs.writeFileSync(job.out, Buffer.from(input.pixels.buffer, input.pixels.byteOffset, input.pixels.length));
    return { width: input.width, height: input.height };
  }
  if (job.op === "resize") {
    const out = pdq.bilinearResize(pixels, job.width, job.height, job.out_width, job.out_height);
    fs.writeFileSync(job.out, Buffer.from(out.buffer, out.byteOffset, out.length));
    return {};
  }
  if (job.op === "box") {
    const out = pdq.resample(pixels, job.width, job.height, job.out_width, job.out_height, "box");
    fs.writeFileSync(job.out, Buffer.from(out.buffer, out.byteOffset, out.length));
    return {};
  }
  if (job.op === "reduce") {
    const out = pdq.boxReduce(pixels, job.width, job.height, 3, job.factor, job.factor_y);
    fs.writeFileSync(job.out, Buffer.from(out.buffer, out.byteOffset, out.length));
    return {};
  }
  if (job.op === "submission") {
    return variants.submissionSignals(pixels, job.width, job.height, 3, job.kind || "full");
  }
  if (job.op === "rotate") {
    const out = variants.rotate({ pixels, width: job.width, height: job.height }, job.degrees);
    fs.writeFileSync(job.out, Buffer.from(out.pixels.buffer, out.pixels.byteOffset, out.pixels.length));
    return {};
  }
  if (job.op === "dihedral") {
    const out = variants.dihedral({ pixels, width: job.width, height: job.height }, job.name);
    fs.writeFileSync(job.out, Buffer.from(out.pixels.buffer, out.pixels.byteOffset, out.pixels.length));
    return { width: out.width, height: out.height };
  }
  throw new Error("unknown op " + job.op);
}

const jobs = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(jobs.map(run)));

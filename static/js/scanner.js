// One camera scanner for every field that takes a code (product scan, stock lookup,
// floor check-in, the order form's EAN field).
//
// Markup: an <input data-scan> inside a form. The scanner adds a camera button beside the
// input's submit button and a camera panel below, both cloned from the
// <template id="scanner-ui"> that base.html renders (translated there). Optional:
//   data-scan-label="…"   the button's text (default: the template's)
//   data-scan-hint="…"    what the panel says while the camera looks
// A code read fills the input, sets the form's [data-scanned] field to "1" if it has one,
// and submits the form with the submit button of the input's row (a click, so htmx sees
// the button as it would a tap).
//
// Decoder: the browser's BarcodeDetector where it reads our formats; otherwise the
// vendored ZXing polyfill (static/vendor/barcode-detector), loaded from our own origin on
// the first tap. It compiles WebAssembly: the CSP needs 'wasm-unsafe-eval' in script-src.
// Without a camera API the typed field works as it is, and [data-scan-unavailable]
// elements are shown.

const FORMATS = [
  "qr_code",
  "ean_13",
  "ean_8",
  "upc_a",
  "upc_e",
  "code_128",
  "code_39",
  "data_matrix",
  "pdf417",
];
const LOOK_EVERY_MS = 150;
const VENDOR = new URL("../vendor/barcode-detector/", import.meta.url);

let detectorPromise = null;

async function nativeFormats() {
  if (!("BarcodeDetector" in window)) return [];
  try {
    const supported = await window.BarcodeDetector.getSupportedFormats();
    return FORMATS.filter((format) => supported.includes(format));
  } catch {
    return [];
  }
}

async function polyfillDetector() {
  const zxing = await import(new URL("ponyfill.js", VENDOR).href);
  zxing.prepareZXingModule({
    overrides: {
      locateFile: (path, prefix) =>
        path.endsWith(".wasm") ? new URL(path, VENDOR).href : prefix + path,
    },
    fireImmediately: true,
  });
  return new zxing.BarcodeDetector({ formats: FORMATS });
}

// One detector per page, made on first use: the browser's own if it reads our formats.
export function detector() {
  detectorPromise ||= (async () => {
    const formats = await nativeFormats();
    if (formats.length) return new window.BarcodeDetector({ formats });
    return polyfillDetector();
  })();
  detectorPromise.catch(() => {
    detectorPromise = null;
  });
  return detectorPromise;
}

export function cameraAvailable() {
  return Boolean(window.isSecureContext && navigator.mediaDevices?.getUserMedia);
}

function submitterFor(input) {
  return input.parentElement.querySelector("button[type=submit], button:not([type])");
}

function setUp(input) {
  if (input.dataset.scanReady) return;
  const ui = document.getElementById("scanner-ui");
  if (!ui || !input.form) return;
  input.dataset.scanReady = "1";
  const parts = ui.content.cloneNode(true);
  const start = parts.querySelector("[data-scan-start]");
  const camera = parts.querySelector("[data-scan-camera]");
  const video = parts.querySelector("video");
  const status = parts.querySelector("[data-scan-status]");
  const denied = parts.querySelector("[data-scan-denied]");
  if (input.dataset.scanLabel) start.textContent = input.dataset.scanLabel;
  const hint = input.dataset.scanHint || status.textContent;
  const submitter = submitterFor(input);
  if (submitter) submitter.after(start);
  else input.after(start);
  // The panel goes under the row in a form with other fields (the order form), under the
  // whole form when the code is all it asks for (a search box).
  const fields = [...input.form.elements].filter((el) =>
    el.matches("input:not([type=hidden]), select, textarea"),
  );
  const row = input.parentElement === input.form ? input : input.parentElement;
  (fields.length > 1 ? row : input.form).after(camera, denied);

  let stream = null;
  let timer = null;

  function halt() {
    clearTimeout(timer);
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    camera.hidden = true;
    start.hidden = false;
  }

  function found(code) {
    halt();
    input.value = code.trim();
    const scanned = input.form.querySelector("[data-scanned]");
    if (scanned) scanned.value = "1";
    input.dispatchEvent(new Event("change", { bubbles: true }));
    if (submitter && !submitter.disabled) submitter.click();
    else input.form.requestSubmit();
  }

  let failures = 0;
  async function look(reader) {
    if (!stream) return;
    if (!input.isConnected) return halt();
    try {
      if (video.readyState >= 2) {
        const codes = await reader.detect(video);
        failures = 0;
        const code = codes.find((c) => c.rawValue && c.rawValue.trim());
        if (code) return found(code.rawValue);
      }
    } catch {
      // A frame that was not ready: try the next one. A decoder that keeps failing (say,
      // WebAssembly refused by the CSP) gives up and says so.
      if (++failures > 20) {
        halt();
        denied.hidden = false;
        return;
      }
    }
    timer = setTimeout(() => look(reader), LOOK_EVERY_MS);
  }

  start.addEventListener("click", async () => {
    denied.hidden = true;
    status.textContent = hint;
    const reader = detector(); // starts loading while the camera opens
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
    } catch {
      denied.hidden = false;
      return;
    }
    video.srcObject = stream;
    camera.hidden = false;
    start.hidden = true;
    try {
      await video.play();
      look(await reader);
    } catch {
      halt();
      denied.hidden = false;
    }
  });
  camera.querySelector("[data-scan-stop]").addEventListener("click", halt);
  window.addEventListener("pagehide", halt);
  start.hidden = false;
}

function setUpAll(root) {
  const inputs = root.querySelectorAll ? root.querySelectorAll("input[data-scan]") : [];
  if (!inputs.length) return;
  if (!cameraAvailable()) {
    for (const note of document.querySelectorAll("[data-scan-unavailable]")) note.hidden = false;
    return;
  }
  inputs.forEach(setUp);
}

setUpAll(document);
document.addEventListener("htmx:load", (event) => setUpAll(event.target));

// Scan page: the camera reads a product's barcode (EAN/UPC) or a shelf label's QR code with
// BarcodeDetector where the browser has it, then submits the typed-code form with it.
// Without a camera or BarcodeDetector the typed field works as it is.
const WANTED = ["ean_13", "ean_8", "upc_a", "upc_e", "qr_code", "code_128"];

async function usableFormats() {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices?.getUserMedia) return [];
  try {
    const supported = await window.BarcodeDetector.getSupportedFormats();
    return WANTED.filter((format) => supported.includes(format));
  } catch {
    return [];
  }
}

function setUp(root, formats) {
  const start = root.querySelector("[data-scan-start]");
  const camera = root.querySelector("[data-scan-camera]");
  const video = root.querySelector("[data-scan-video]");
  const denied = root.querySelector("[data-scan-denied]");
  const form = root.querySelector("[data-scan-form]");
  const input = form.querySelector("input[name=code]");
  const detector = new window.BarcodeDetector({ formats });
  let stream = null;

  function halt() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    camera.hidden = true;
    start.hidden = false;
  }

  async function look() {
    if (!stream) return;
    try {
      const found = await detector.detect(video);
      if (found.length) {
        input.value = found[0].rawValue;
        halt();
        form.requestSubmit();
        return;
      }
    } catch {
      // The frame was not ready: try the next one.
    }
    setTimeout(look, 150);
  }

  start.addEventListener("click", async () => {
    denied.hidden = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
    } catch {
      denied.hidden = false;
      return;
    }
    video.srcObject = stream;
    await video.play();
    camera.hidden = false;
    start.hidden = true;
    look();
  });
  root.querySelector("[data-scan-stop]").addEventListener("click", halt);
  window.addEventListener("pagehide", halt);
  start.hidden = false;
}

const root = document.querySelector("[data-scanner]");
if (root) {
  const formats = await usableFormats();
  if (formats.length) setUp(root, formats);
  else root.querySelector("[data-scan-unavailable]").hidden = false;
}

// The Floor page: who serves whom, and loyalty cards read by the tablet's camera.
(() => {
  "use strict";
  const floor = document.querySelector("[data-testid=floor]");
  if (!floor) return;
  const me = floor.dataset.me;

  // Pushed cards are the same for every tablet: show "Done" and "Release" only on the
  // cards this associate is serving.
  const markMine = (root) => {
    const cards = root.matches?.(".floor-card") ? [root] : root.querySelectorAll?.(".floor-card") || [];
    for (const card of cards) card.classList.toggle("is-mine", card.dataset.servedBy === me);
  };
  markMine(document);
  document.addEventListener("htmx:load", (event) => markMine(event.target));
  document.addEventListener("htmx:wsAfterMessage", () => markMine(document));

  // An arriving card replaces any copy already shown (say, one the resync on connect
  // brought a moment before the push).
  document.addEventListener("htmx:oobBeforeSwap", (event) => {
    const { target, fragment } = event.detail;
    if (target.id !== "floor-clients" || !fragment.querySelectorAll) return;
    for (const card of fragment.querySelectorAll(".floor-card")) {
      document.getElementById(card.id)?.remove();
    }
  });

  // Say whether pushes are coming in (the extension reconnects by itself; every
  // reconnect brings the whole list again).
  document.addEventListener("htmx:wsOpen", () => { floor.dataset.live = "true"; });
  document.addEventListener("htmx:wsClose", () => { floor.dataset.live = "false"; });

  // Scanning: the browser's BarcodeDetector where it exists; the typed field always works.
  const setUpScanner = () => {
    const panel = document.getElementById("checkin");
    if (!panel || !("BarcodeDetector" in window) || !navigator.mediaDevices?.getUserMedia) return;
    const scanButton = panel.querySelector("[data-scan]");
    const scanner = panel.querySelector("[data-scanner]");
    const video = panel.querySelector("[data-scan-video]");
    const form = panel.querySelector("[data-checkin-form]");
    if (!scanButton || scanButton.dataset.ready) return;
    scanButton.dataset.ready = "1";
    scanButton.hidden = false;
    let stream = null;
    let timer = null;
    const stop = () => {
      clearInterval(timer);
      stream?.getTracks().forEach((t) => t.stop());
      stream = null;
      scanner.hidden = true;
    };
    panel.querySelector("[data-scan-stop]").addEventListener("click", stop);
    scanButton.addEventListener("click", async () => {
      const detector = new window.BarcodeDetector({
        formats: ["qr_code", "code_128", "code_39", "ean_13", "pdf417", "data_matrix"],
      });
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      } catch {
        panel.querySelector("[data-scan-status]").textContent = scanButton.dataset.denied || "";
        return;
      }
      scanner.hidden = false;
      video.srcObject = stream;
      await video.play();
      timer = setInterval(async () => {
        const codes = await detector.detect(video).catch(() => []);
        if (!codes.length) return;
        stop();
        form.querySelector("[name=q]").value = codes[0].rawValue.trim();
        form.querySelector("[data-scanned]").value = "1";
        form.requestSubmit();
      }, 250);
    });
  };
  setUpScanner();
  document.addEventListener("htmx:load", setUpScanner);
})();

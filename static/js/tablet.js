// Shared store tablet: the PIN pad, and the idle lock (CSP-friendly, no inline code).
(() => {
  if (window.__tablet) return;
  window.__tablet = true;
  document.addEventListener("click", (event) => {
    const key = event.target.closest("[data-pin-digit], [data-pin-clear]");
    const pin = key && key.form && key.form.elements.pin;
    if (!pin) return;
    if ("pinClear" in key.dataset) pin.value = pin.value.slice(0, -1);
    else if (pin.value.length < 6) pin.value += key.dataset.pinDigit;
  });

  const lock = document.querySelector("form[data-idle-lock]");
  if (!lock) return;
  const idleMs = Number(lock.dataset.idleLock) * 1000;
  const awakeUrl = lock.dataset.awakeUrl;
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  let last = Date.now();
  let told = Date.now();
  let locking = false;

  const used = () => {
    last = Date.now();
    // Reading a card makes no request: tell the server now and then that someone is here.
    if (last - told > 30000) {
      told = last;
      fetch(awakeUrl, { method: "POST", headers: { "X-CSRFToken": csrf }, credentials: "same-origin" });
    }
  };
  for (const type of ["pointerdown", "keydown", "input", "scroll"]) {
    document.addEventListener(type, used, { passive: true, capture: true });
  }
  // What the page asks for on its own (polls, loads) is not someone using the tablet.
  document.addEventListener("htmx:configRequest", (event) => {
    const cause = event.detail.triggeringEvent;
    if (!cause || !cause.isTrusted) event.detail.headers["X-Tablet-Background"] = "1";
    else told = Date.now();
  });
  setInterval(() => {
    if (!locking && Date.now() - last >= idleMs) {
      locking = true;
      lock.requestSubmit();
    }
  }, 1000);
})();

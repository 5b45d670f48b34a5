// The Floor page: who serves whom. (Scanning: scanner.js; connection state: live.js.)
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
})();

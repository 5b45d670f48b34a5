// Small, CSP-friendly behaviours (no inline handlers; htmx does the rest).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]") && el.form) el.form.requestSubmit();
});

// A live page shows whether its websocket is connected ([data-live][data-ws-state]).
for (const [event, state] of [["htmx:wsOpen", "open"], ["htmx:wsClose", "closed"]]) {
  document.addEventListener(event, (e) => {
    const live = e.target.closest && e.target.closest("[data-live]");
    if (live) live.dataset.wsState = state;
  });
}

// Small, CSP-friendly behaviours (no inline handlers; htmx does the rest).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]") && el.form) el.form.requestSubmit();
});


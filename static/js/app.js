// Small, CSP-friendly behaviours (no inline handlers; htmx does the rest).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]") && el.form) el.form.requestSubmit();
});

// A live socket closed by the server because the session ended (4401: signed out,
// expired, deactivated) goes to the sign-in page, back here afterwards; one that lost
// access to this page (4403: store or role withdrawn) goes home. Neither reconnects.
document.addEventListener("htmx:wsClose", (e) => {
  const code = e.detail?.event?.code;
  if (code === 4401) {
    const next = encodeURIComponent(location.pathname + location.search);
    location.assign(`/accounts/login/?next=${next}`);
  } else if (code === 4403) {
    location.assign("/");
  }
});

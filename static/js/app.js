// Small, CSP-friendly behaviours (no inline handlers; htmx does the rest).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]") && el.form) el.form.requestSubmit();
});

// A choice made in a live part of a page (the board's "associate to send") survives the
// pushes that re-render that part, until its form is sent.
const choices = new Map(); // select id -> value chosen
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-keep-choice]") && el.id) choices.set(el.id, el.value);
});
document.addEventListener("submit", (event) => {
  for (const el of event.target.querySelectorAll("select[data-keep-choice]")) choices.delete(el.id);
});
document.addEventListener("htmx:load", () => {
  for (const [id, value] of choices) {
    const el = document.getElementById(id);
    if (!el) choices.delete(id);
    else if (el.value !== value && [...el.options].some((o) => o.value === value)) el.value = value;
  }
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

// The header's menu (a <details>) closes on a tap elsewhere or on Escape.
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details[data-menu][open]")) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details[data-menu][open]")) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});

// Django admin's widgets, named for assistive technology (loaded by
// templates/admin/base_site.html). Admin renders some fields without a label a screen
// reader can read: inputs in tabular inlines and editable list columns (their column
// title stands in for a label), select2's autocomplete boxes (labelled by their field's
// label), and the filter icon of the two-box multi-selects (an aria-label on a span
// without a role). Re-applied whenever admin adds widgets (a new inline row).
(() => {
  const text = (el) => (el ? el.textContent.trim().replace(/\s+/g, " ").replace(/:$/, "") : "");
  const named = (el) =>
    el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby") || (el.labels && el.labels.length);

  function columnTitle(cell) {
    const table = cell.closest("table");
    const head = table && table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return "";
    let index = 0;
    for (const c of cell.parentElement.cells) {
      if (c === cell) break;
      index += c.colSpan;
    }
    let at = 0;
    for (const th of head.cells) {
      if (at <= index && index < at + th.colSpan) return text(th);
      at += th.colSpan;
    }
    return "";
  }

  function fix() {
    for (const field of document.querySelectorAll("td input:not([type=hidden]), td select, td textarea")) {
      if (named(field)) continue;
      const title = columnTitle(field.closest("td"));
      const row = field.closest("tr");
      const first = row && row.querySelector("th, td.original p, td.field-__str__");
      const label = [title || field.name, text(first)].filter(Boolean).join(" — ");
      field.setAttribute("aria-label", label);
    }
    for (const icon of document.querySelectorAll(".help-tooltip[aria-label]:not([role])")) {
      icon.setAttribute("role", "img");
    }
    for (const box of document.querySelectorAll(".select2-selection")) {
      const container = box.closest(".select2-container");
      const select = container && container.previousElementSibling;
      const label = select && select.labels && select.labels[0];
      const name = label ? text(label) : select && select.getAttribute("aria-label");
      if (!name) continue;
      if (box.getAttribute("aria-label") !== name) box.setAttribute("aria-label", name);
      box.removeAttribute("aria-labelledby");
      const rendered = box.querySelector(".select2-selection__rendered[role=textbox]");
      if (rendered && !rendered.hasAttribute("aria-label")) rendered.setAttribute("aria-label", name);
      // A list holds only items: select2's "clear" cross goes beside its list of choices.
      const list = box.querySelector("ul.select2-selection__rendered");
      for (const stray of list ? [...list.children].filter((c) => c.tagName !== "LI") : []) {
        list.before(stray);
      }
      const search = box.querySelector(".select2-search__field");
      if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", name);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    fix();
    new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  });
  window.addEventListener("load", fix);
})();

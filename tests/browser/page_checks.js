// The page sweep's checks (tests/browser/test_page_sweep.py), run inside each page.
({
  describe(el) {
    const classes = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\s+/).join(".") : "";
    const name = (el.getAttribute("aria-label") || el.textContent || el.name || "")
      .trim().replace(/\s+/g, " ").slice(0, 40);
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes
      + (name ? ` "${name}"` : "");
  },

  // Wider than the screen: the deepest elements that stick out on the right.
  overflow() {
    const root = document.documentElement, width = root.clientWidth;
    if (root.scrollWidth <= width) return null;
    // An element past the edge, or one whose text runs past it (a long word, nowrap).
    const out = el => el.getBoundingClientRect().right > width + 1
      || el.getBoundingClientRect().left + el.scrollWidth > width + 1;
    const wide = [...document.body.querySelectorAll("*")]
      .filter(el => out(el) && ![...el.children].some(out))
      .slice(0, 4)
      .map(el => `${this.describe(el)} (right ${Math.round(el.getBoundingClientRect().right)},`
        + ` content ${el.scrollWidth} px in ${el.clientWidth})`);
    return {scrollWidth: root.scrollWidth, clientWidth: width, wide};
  },

  // Boxes whose content is cut: it scrolls sideways inside them.
  cut() {
    return [...document.body.querySelectorAll("*")]
      .filter(el => el.scrollWidth > el.clientWidth + 1 && el.clientWidth
        && el.tagName !== "SELECT" && el.tagName !== "TEXTAREA"
        && ["auto", "scroll"].includes(getComputedStyle(el).overflowX)
        && !el.closest("[hidden]"))
      .slice(0, 4)
      .map(el => `${this.describe(el)} (${el.scrollWidth} px in ${el.clientWidth})`);
  },

  // What the header shows below its first row (its menu's panel aside).
  headerRows() {
    const header = document.querySelector(".app-header");
    if (!header) return [];
    const parts = [...header.querySelectorAll("a, button, select, summary, .store-name")]
      .filter(el => !el.closest(".menu-panel, noscript") && el.getBoundingClientRect().height);
    const firstBottom = Math.min(...parts.map(el => el.getBoundingClientRect().bottom));
    return parts.filter(el => el.getBoundingClientRect().top >= firstBottom)
      .map(el => this.describe(el));
  },

  // Interactive elements smaller than 44x44 px. A check box or radio counts with its
  // label; a link inside a sentence is exempt (WCAG 2.5.8's inline exception).
  smallTargets(minimum) {
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, "
      + "[role=button]";
    const small = [];
    for (const el of document.querySelectorAll(selector)) {
      if (el.closest("[hidden], .visually-hidden, template, .skip-link")) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden") continue;
      const label = el.closest("label") || el.labels?.[0];
      const target = (el.type === "checkbox" || el.type === "radio") && label ? label : el;
      const box = target.getBoundingClientRect();
      if (!box.width || !box.height) continue;
      const inSentence = el.tagName === "A" && style.display === "inline"
        && [...el.parentElement.childNodes].some(
          n => n !== el && n.nodeType === Node.TEXT_NODE && n.textContent.trim());
      if (inSentence) continue;
      if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
        small.push(`${this.describe(el)} ${Math.round(box.width)}x${Math.round(box.height)}`);
      }
    }
    return small;
  },
})

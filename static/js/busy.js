// A busy server answers 503 with Retry-After (clienteling/overload.py). For an htmx request
// the page says so ("busy, retrying") and sends the same request again after that delay,
// up to MAX_TRIES times; then it says to try again. A repeated "place" is safe: the order
// form carries its idempotency key, so the server makes one order whatever the tries.
// The texts come translated from <body data-text-busy data-text-busy-gave-up>.
(() => {
  "use strict";
  if (!window.htmx) return;

  const MAX_TRIES = 5;
  const DEFAULT_WAIT_S = 2;
  const MAX_WAIT_S = 30;
  const tries = new WeakMap(); // element -> 503s in a row

  const notice = () => {
    let el = document.querySelector("[data-busy-notice]");
    if (!el) {
      el = document.createElement("div");
      el.className = "busy-notice";
      el.dataset.busyNotice = "";
      el.setAttribute("role", "status");
      el.setAttribute("aria-live", "polite");
      el.hidden = true;
      document.body.append(el);
    }
    return el;
  };
  const say = (key) => {
    const el = notice();
    el.textContent = document.body.dataset[key] || "";
    el.hidden = !el.textContent;
  };
  const quiet = () => {
    const el = document.querySelector("[data-busy-notice]");
    if (el) el.hidden = true;
  };

  // FormData -> {name: value | [values]}, as htmx.ajax's `values` takes it.
  const valuesOf = (formData) => {
    const values = {};
    if (!formData) return values;
    for (const [name, value] of formData.entries()) {
      if (!(name in values)) values[name] = value;
      else if (Array.isArray(values[name])) values[name].push(value);
      else values[name] = [values[name], value];
    }
    return values;
  };

  const retryAfter = (xhr) => {
    const seconds = parseInt(xhr.getResponseHeader("Retry-After") || "", 10);
    return Math.min(MAX_WAIT_S, Number.isFinite(seconds) && seconds >= 0 ? seconds : DEFAULT_WAIT_S);
  };

  document.addEventListener("htmx:beforeSwap", (event) => {
    const { xhr, elt, requestConfig, target } = event.detail;
    if (xhr.status !== 503 || !requestConfig) return;
    event.detail.shouldSwap = false;
    event.detail.isError = false; // handled here: no generic error
    const count = (tries.get(elt) || 0) + 1;
    if (count > MAX_TRIES) {
      tries.delete(elt);
      say("textBusyGaveUp");
      return;
    }
    tries.set(elt, count);
    say("textBusy");
    // A little jitter so that a floor of tablets does not come back in step.
    const wait = retryAfter(xhr) * 1000 * (1 + Math.random() * 0.25);
    window.setTimeout(() => {
      if (!elt.isConnected) return quiet();
      htmx.ajax(requestConfig.verb, requestConfig.path, {
        source: elt,
        target: target && target.isConnected ? target : undefined,
        values: valuesOf(requestConfig.formData),
        headers: { "X-Clienteling-Retry": String(count) },
      });
    }, wait);
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const { xhr, elt } = event.detail;
    if (xhr && xhr.status !== 503 && tries.has(elt)) {
      tries.delete(elt);
      quiet();
    }
  });
})();

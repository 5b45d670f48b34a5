// One websocket-state mechanism for every live page (the floor, the manager's board): the
// element with htmx's `ws-connect` is the live root.
//
// - It says the truth: data-ws-state="connecting|open|offline" and data-live="true|false"
//   on the root, and the root's [data-live-status] element reads its data-text-connecting,
//   data-text-live and data-text-offline strings (translated by the template; "{time}" is
//   replaced by the HH:MM the connection was lost).
// - Heartbeat: every PING_MS the page sends "ping" and the consumer answers "pong". A ping
//   left unanswered for PONG_WAIT_MS means the socket is dead even if the browser thinks
//   it open (a cut cable or a sleeping Wi-Fi closes nothing): it is dropped and replaced.
//   A connection attempt that hangs longer than CONNECT_WAIT_MS is dropped the same way.
// - Reconnects: after any unexpected close, waits capped at MAX_WAIT_MS, with jitter; at
//   once on the browser's `online` event and when the page comes back to the foreground.
//   While the browser says it is offline, no attempt is made (the `online` event starts one).
// - While not connected, the actions that need the live state (hx-post/put/patch/delete
//   buttons and [data-needs-live]) are disabled.
// The server sends the full current state on every connect, so what was missed arrives
// with the reconnection.
(() => {
  "use strict";
  if (!window.htmx) return;

  const PING_MS = 4000;
  const PONG_WAIT_MS = 3000;
  const CONNECT_WAIT_MS = 5000;
  const MAX_WAIT_MS = 4500; // with the connection itself, back within about 5 s
  const STOP_CODES = [1008, 4401, 4403]; // refused: reconnecting would be refused again
  const ACTIONS =
    "button[hx-post], button[hx-put], button[hx-patch], button[hx-delete], [data-needs-live]";

  // Capped exponential backoff with jitter: 0.25 s, 0.5 s, 1 s, 2 s, 4 s, then 5 s, each
  // drawn between half and all of it.
  const waitFor = (retry) => {
    const cap = Math.min(MAX_WAIT_MS, 250 * 2 ** Math.min(retry, 10));
    return cap / 2 + (Math.random() * cap) / 2;
  };
  htmx.config.wsReconnectDelay = waitFor;

  let api = null;
  htmx.defineExtension("live-state", {
    init(internalApi) {
      api = internalApi;
    },
  });

  const pad = (n) => String(n).padStart(2, "0");
  const hhmm = (t) => {
    const d = new Date(t);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };

  const lives = new Map(); // root element -> its state

  function wrapperOf(root) {
    return api?.getInternalData(root).webSocket || null;
  }

  function stateOf(root) {
    let live = lives.get(root);
    if (live) return live;
    live = {
      root,
      state: "connecting",
      since: null, // when the connection was lost
      retry: 0,
      timer: null,
      connectingAt: Date.now(),
      pingSentAt: 0,
      heardAt: 0,
      stopped: false,
      patched: false,
    };
    lives.set(root, live);
    return live;
  }

  function isUsable(socket) {
    return socket && !socket.abandoned && socket.readyState <= WebSocket.OPEN;
  }

  // The extension's reconnect timers call wrapper.init(); make that a no-op while a usable
  // socket exists, so ours and theirs never open two sockets.
  function patch(live) {
    const wrapper = wrapperOf(live.root);
    if (!wrapper || live.patched) return wrapper;
    const init = wrapper.init;
    wrapper.init = function () {
      if (live.stopped || isUsable(wrapper.socket)) return;
      if (navigator.onLine === false) return;
      clearTimeout(live.timer);
      live.timer = null;
      init.call(wrapper);
    };
    live.patched = true;
    return wrapper;
  }

  function render(live) {
    const { root, state } = live;
    root.dataset.wsState = state;
    root.dataset.live = state === "open" ? "true" : "false";
    const status = root.querySelector("[data-live-status]");
    if (status) {
      const text =
        state === "open"
          ? status.dataset.textLive
          : state === "offline" && live.since
            ? (status.dataset.textOffline || "").replace("{time}", hhmm(live.since))
            : status.dataset.textConnecting;
      if (text && status.textContent !== text) status.textContent = text;
    }
    disableActions(root, state !== "open");
  }

  function disableActions(scope, off) {
    for (const el of scope.querySelectorAll(ACTIONS)) {
      if (off && !el.disabled) {
        el.disabled = true;
        el.dataset.offlineDisabled = "";
      } else if (!off && "offlineDisabled" in el.dataset) {
        el.disabled = false;
        delete el.dataset.offlineDisabled;
      }
    }
  }

  function lost(live) {
    live.since ||= Date.now();
    live.state = "offline";
    render(live);
  }

  function connectSoon(live, now = false) {
    if (live.stopped) return;
    const wrapper = patch(live);
    if (!wrapper || isUsable(wrapper.socket)) return;
    clearTimeout(live.timer);
    const delay = now ? 0 : waitFor(live.retry);
    live.retry += 1;
    live.timer = setTimeout(() => {
      live.timer = null;
      wrapper.init();
      if (!isUsable(wrapper.socket)) connectSoon(live); // still offline: try again later
    }, delay);
  }

  // Drop a socket that no longer carries anything, without waiting for its close.
  function abandon(live) {
    const socket = wrapperOf(live.root)?.socket;
    if (socket && !socket.abandoned) {
      socket.abandoned = true;
      try {
        socket.close();
      } catch {
        // already closing
      }
    }
    lost(live);
  }

  function beat() {
    const now = Date.now();
    for (const live of lives.values()) {
      if (!live.root.isConnected) {
        lives.delete(live.root);
        continue;
      }
      const socket = wrapperOf(live.root)?.socket;
      if (!socket || socket.abandoned) continue;
      if (socket.readyState === WebSocket.CONNECTING) {
        if (now - live.connectingAt > CONNECT_WAIT_MS) {
          abandon(live);
          connectSoon(live);
        }
        continue;
      }
      if (socket.readyState !== WebSocket.OPEN) continue;
      const waiting = live.pingSentAt && live.heardAt < live.pingSentAt;
      if (waiting && now - live.pingSentAt > PONG_WAIT_MS) {
        abandon(live);
        connectSoon(live, true);
      } else if (!waiting && now - live.pingSentAt >= PING_MS) {
        live.pingSentAt = now;
        socket.send("ping");
      }
    }
  }
  setInterval(beat, 1000);

  document.addEventListener("htmx:wsConnecting", (e) => {
    const live = stateOf(e.target);
    live.connectingAt = Date.now();
    if (live.state !== "offline") {
      live.state = "connecting";
      render(live);
    }
  });

  document.addEventListener("htmx:wsOpen", (e) => {
    const live = stateOf(e.target);
    const wrapper = patch(live);
    if (wrapper && e.detail.event.target !== wrapper.socket) return;
    live.state = "open";
    live.since = null;
    live.retry = 0;
    live.pingSentAt = Date.now(); // first ping one period from now
    live.heardAt = live.pingSentAt;
    render(live);
  });

  document.addEventListener("htmx:wsClose", (e) => {
    const live = stateOf(e.target);
    const wrapper = patch(live);
    const closed = e.detail.event.target;
    if (wrapper && closed !== wrapper.socket) return; // an old socket, already replaced
    if (STOP_CODES.includes(e.detail.event.code)) live.stopped = true;
    lost(live);
    connectSoon(live);
  });

  // Every message proves the socket alive; the heartbeat's answer goes no further.
  document.addEventListener("htmx:wsBeforeMessage", (e) => {
    const live = stateOf(e.target);
    live.heardAt = Date.now();
    if (e.detail.message === "pong") e.preventDefault();
  });

  // A card swapped in while disconnected (say, by the periodic re-read) gets its actions
  // disabled too.
  document.addEventListener("htmx:load", (e) => {
    const root = e.target.closest?.("[ws-connect]");
    const live = root && lives.get(root);
    if (live && live.state !== "open") disableActions(e.target, true);
  });

  window.addEventListener("offline", () => {
    for (const live of lives.values()) abandon(live);
  });
  window.addEventListener("online", () => {
    for (const live of lives.values()) {
      live.retry = 0;
      connectSoon(live, true);
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    for (const live of lives.values()) {
      if (live.state === "open") live.pingSentAt = live.heardAt = 0; // ping now
      else connectSoon(live, true);
    }
    beat();
  });
})();

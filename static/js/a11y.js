/*
 * «Версия для слабовидящих»: progressive enhancement of the settings panel.
 *
 * Without this script every panel button submits the form to /accessibility/,
 * which stores the `a11y` cookie and reloads the page. With it, the same
 * cookie is written here and the <html> classes are swapped at once, so the
 * reader keeps their place on the page. "Standard version" and the header
 * "enable" button still submit normally: a reload there is expected.
 *
 * Cookie and class formats mirror core/accessibility.py; keep them in sync.
 */
(function () {
  "use strict";

  var COOKIE = "a11y";
  var MAX_AGE = 60 * 60 * 24 * 365;
  var DEFAULTS = { fs: 1, cs: "bw", img: "on", ls: 0, lh: 0, ff: "sans", media: "on" };
  var ALLOWED = {
    fs: ["0", "1", "2", "3", "4"],
    cs: ["bw", "wb", "blue", "brown", "green"],
    img: ["on", "off", "grey"],
    ls: ["0", "1", "2"],
    lh: ["0", "1", "2"],
    ff: ["sans", "serif"],
    media: ["on", "off"]
  };

  var root = document.documentElement;
  var form = document.querySelector("[data-a11y-panel]");
  // The panel is only rendered while the low-vision version is on; without
  // cookies nothing could be remembered, so the plain form stays in charge.
  if (!form || !navigator.cookieEnabled) {
    return;
  }

  function isAllowed(key, value) {
    return Object.prototype.hasOwnProperty.call(ALLOWED, key) &&
      ALLOWED[key].indexOf(String(value)) !== -1;
  }

  // The server-rendered classes are the truth: read the state from them.
  function readState() {
    var state = {};
    Object.keys(DEFAULTS).forEach(function (key) { state[key] = DEFAULTS[key]; });
    var match;
    var classes = root.className.split(/\s+/);
    classes.forEach(function (name) {
      if ((match = /^a11y-(fs|ls|lh)-(\d)$/.exec(name)) && isAllowed(match[1], match[2])) {
        state[match[1]] = Number(match[2]);
      } else if ((match = /^a11y-cs-(\w+)$/.exec(name)) && isAllowed("cs", match[1])) {
        state.cs = match[1];
      } else if ((match = /^a11y-img-(\w+)$/.exec(name)) && isAllowed("img", match[1])) {
        state.img = match[1];
      } else if ((match = /^a11y-ff-(\w+)$/.exec(name)) && isAllowed("ff", match[1])) {
        state.ff = match[1];
      }
    });
    state.media = classes.indexOf("a11y-media-off") !== -1 ? "off" : "on";
    return state;
  }

  function cookieValue(state) {
    return [
      "on:1",
      "fs:" + state.fs,
      "cs:" + state.cs,
      "img:" + state.img,
      "ls:" + state.ls,
      "lh:" + state.lh,
      "ff:" + state.ff,
      "media:" + state.media
    ].join("|");
  }

  function readCookie() {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === COOKIE) {
        return parts[i].slice(eq + 1).replace(/^"|"$/g, "");
      }
    }
    return null;
  }

  // Returns false when the browser refused the cookie, so the caller can let
  // the form submit and the server decide.
  function writeCookie(state) {
    var value = cookieValue(state);
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + value + "; path=/; max-age=" + MAX_AGE + "; SameSite=Lax" + secure;
    return readCookie() === value;
  }

  function applyClasses(state) {
    var keep = root.className.split(/\s+/).filter(function (name) {
      return name && name !== "a11y" && name.indexOf("a11y-") !== 0;
    });
    var classes = [
      "a11y",
      "a11y-fs-" + state.fs,
      "a11y-cs-" + state.cs,
      "a11y-img-" + state.img,
      "a11y-ls-" + state.ls,
      "a11y-lh-" + state.lh,
      "a11y-ff-" + state.ff
    ];
    if (state.media === "off") {
      classes.push("a11y-media-off");
    }
    root.className = keep.concat(classes).join(" ");
  }

  function updatePanel(state) {
    var label = form.querySelector("[data-a11y-fs-label]");
    if (label) {
      label.textContent = (100 + 25 * state.fs) + " %";
    }
    form.querySelectorAll("[data-a11y-set]").forEach(function (button) {
      var pair = button.getAttribute("data-a11y-set").split(":");
      button.setAttribute("aria-pressed", String(state[pair[0]]) === pair[1] ? "true" : "false");
    });
    form.querySelectorAll("[data-a11y-select]").forEach(function (select) {
      select.value = String(state[select.getAttribute("data-a11y-select")]);
    });
  }

  // Try to save; on success update the page and report true.
  function commit(state) {
    if (!writeCookie(state)) {
      return false;
    }
    applyClasses(state);
    updatePanel(state);
    return true;
  }

  var label = form.querySelector("[data-a11y-fs-label]");
  if (label) {
    // Focus stays on A−/A+, so the new size has to be announced.
    label.setAttribute("aria-live", "polite");
  }

  form.querySelectorAll(".a11y-panel__apply").forEach(function (button) {
    button.hidden = true;
  });

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !form.contains(button)) {
      return;
    }
    var state = readState();
    var action = button.getAttribute("data-a11y-action");
    var set = button.getAttribute("data-a11y-set");

    if (action === "smaller" || action === "bigger") {
      state.fs = Math.min(4, Math.max(0, state.fs + (action === "bigger" ? 1 : -1)));
    } else if (action === "reset") {
      Object.keys(DEFAULTS).forEach(function (key) { state[key] = DEFAULTS[key]; });
    } else if (set) {
      var pair = set.split(":");
      if (!isAllowed(pair[0], pair[1])) {
        return;
      }
      state[pair[0]] = /^(fs|ls|lh)$/.test(pair[0]) ? Number(pair[1]) : pair[1];
    } else {
      return; // "disable" and anything unknown: a normal submit
    }

    if (commit(state)) {
      event.preventDefault();
    }
  });

  form.addEventListener("change", function (event) {
    var select = event.target.closest("[data-a11y-select]");
    if (!select) {
      return;
    }
    var key = select.getAttribute("data-a11y-select");
    if (!isAllowed(key, select.value)) {
      return;
    }
    var state = readState();
    state[key] = /^(fs|ls|lh)$/.test(key) ? Number(select.value) : select.value;
    if (!commit(state)) {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
})();

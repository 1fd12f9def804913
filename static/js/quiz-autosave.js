/*
 * Quiz attempts: save the answers on every change and show the time left.
 * Without JavaScript the form works as is («Save answers», «Finish and
 * submit…»); the server is the only judge of time, this clock is a courtesy.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-quiz-form]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var statusLine = document.querySelector("[data-quiz-autosave-status]");
  var answered = document.querySelector("[data-quiz-answered]");
  var url = form.getAttribute("data-autosave-url");
  var timer = null;
  var busy = false;
  var again = false;
  var closed = false;

  function say(text) {
    if (statusLine) {
      statusLine.textContent = text;
    }
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function save() {
    if (closed) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, status: response.status, body: body };
        });
      })
      .then(function (result) {
        if (result.ok) {
          say(form.getAttribute("data-saved-label") + " " + result.body.saved_at);
          if (answered) {
            answered.textContent = result.body.answered;
          }
          return;
        }
        say(result.body.error || form.getAttribute("data-offline-label"));
        if (result.status === 409 && result.body.url) {
          // The attempt is closed (time is up or submitted elsewhere): show the result.
          closed = true;
          window.location.assign(result.body.url);
        }
      })
      .catch(function () {
        say(form.getAttribute("data-offline-label"));
        again = true;
      })
      .then(function () {
        busy = false;
        if (again && !closed) {
          again = false;
          schedule(3000);
        }
      });
  }

  form.addEventListener("change", function () {
    schedule(300);
  });
  form.addEventListener("input", function (event) {
    if (event.target && event.target.type === "text") {
      schedule(1500);
    }
  });

  var countdown = document.querySelector("[data-quiz-countdown]");
  var clock = document.querySelector("[data-quiz-clock]");
  var remaining = countdown ? parseInt(countdown.getAttribute("data-remaining"), 10) : NaN;
  if (isNaN(remaining)) {
    return;
  }
  var endsAt = Date.now() + remaining * 1000;
  var lastMinute = null;
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    if (clock) {
      clock.hidden = false;
      clock.textContent = pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60) + ":" + pad(left % 60);
    }
    // Screen readers hear the time once a minute, not every second.
    if (minutes !== lastMinute) {
      lastMinute = minutes;
      countdown.textContent = countdown.getAttribute("data-label") + " " + minutes;
    }
    if (left === 0) {
      closed = true;
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "submit";
      form.appendChild(action);
      form.submit();
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();

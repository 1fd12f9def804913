// Live progress of a bulk certificate issue. Without JavaScript the page reloads itself
// (a <meta refresh> inside <noscript>); with it, the JSON is polled and the numbers
// updated in place, and the page reloads once when the issue is finished to show errors.
(function () {
  "use strict";
  var box = document.querySelector("[data-batch-progress][data-active]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-batch-progress");
  var bar = document.getElementById("batch-progress");
  var fields = {};
  box.querySelectorAll("[data-field]").forEach(function (el) {
    fields[el.getAttribute("data-field")] = el;
  });

  function show(data) {
    Object.keys(fields).forEach(function (name) {
      if (name in data) fields[name].textContent = data[name];
    });
    if (data.total > 0) {
      bar.max = data.total;
      bar.value = data.processed;
    }
    bar.textContent = data.percent + " %";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.status === "queued" || data.status === "running") {
          window.setTimeout(poll, 1500);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        // Fall back to what the page does without JavaScript.
        window.setTimeout(function () { window.location.reload(); }, 2000);
      });
  }

  window.setTimeout(poll, 1000);
})();

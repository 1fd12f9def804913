/*
 * Online events: show the start time in the viewer's own time zone when it
 * differs from the site's zone. Without JavaScript the page shows the site
 * zone only, which is always correct.
 */
(function () {
  "use strict";

  var times = document.querySelectorAll("time[data-local-time]");
  var target = document.querySelector(".local-time[data-local-label]");
  if (!times.length || !target || !window.Intl) {
    return;
  }
  var start = new Date(times[0].getAttribute("datetime"));
  var end = times.length > 1 ? new Date(times[1].getAttribute("datetime")) : null;
  var siteOffset = times[0].getAttribute("datetime").slice(-6);
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var offset = -start.getTimezoneOffset();
  var sign = offset >= 0 ? "+" : "-";
  var viewerOffset = sign + pad(Math.floor(Math.abs(offset) / 60)) + ":" + pad(Math.abs(offset) % 60);
  if (viewerOffset === siteOffset) {
    return;
  }
  var format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  var text = format.format(start);
  if (end) {
    text += "–" + new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      hour: "2-digit", minute: "2-digit"
    }).format(end);
  }
  target.textContent = "(" + target.getAttribute("data-local-label") + ": " + text + ")";
  target.hidden = false;
})();

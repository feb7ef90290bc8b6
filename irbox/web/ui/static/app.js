// Keyboard triage on the alert queue: j/k move, x selects for bulk dismissal, d dismisses (with
// the reason chosen in the row), e opens the alert to escalate it, ? shows the keys. The queue
// also polls for alerts stored since it was drawn; destructive forms ask first. No inline
// script: the CSP forbids it.
(function () {
  "use strict";
  var POLL_MS = 3000;
  function rows() { return Array.from(document.querySelectorAll("table.queue tbody tr[id^='row-']")); }
  function current() { return document.querySelector("tr.selected"); }
  function select(row) {
    var old = current();
    if (old) { old.classList.remove("selected"); }
    if (row) { row.classList.add("selected"); row.scrollIntoView({ block: "nearest" }); }
  }
  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    select(all[Math.max(0, Math.min(all.length - 1, index + step))] || all[0]);
  }
  function typing(event) {
    var target = event.target || {};
    var tag = target.tagName || "";
    if (tag === "INPUT") { return ["checkbox", "radio", "button", "submit"].indexOf(target.type) < 0; }
    return tag === "TEXTAREA" || tag === "SELECT";
  }
  function countSelected() {
    var out = document.getElementById("selected-count");
    if (!out) { return; }
    var n = document.querySelectorAll("input[name=ids][form=bulk-dismiss]:checked").length;
    out.textContent = n ? n + " selected" : "";
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "ids") { countSelected(); }
  });
  document.addEventListener("keydown", function (event) {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var help = document.getElementById("keys-help");
    if (event.key === "?") { if (help) { help.hidden = !help.hidden; } return; }
    if (event.key === "Escape" && help) { help.hidden = true; return; }
    if (!document.querySelector("table.queue")) { return; }
    var row = current();
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (event.key === "x") {
      var box = row && row.querySelector("input[name=ids]");
      if (box) { box.checked = !box.checked; countSelected(); event.preventDefault(); }
    } else if (event.key === "d") {
      var form = row && row.querySelector("form.dismiss");
      if (form) { form.requestSubmit(); event.preventDefault(); }
    } else if (event.key === "e") {
      var link = row && row.querySelector(".title a");
      if (link) { window.location.assign(link.href); event.preventDefault(); }
    }
  });
  // A form that destroys something asks first (its data-confirm holds the question).
  document.addEventListener("submit", function (event) {
    var question = event.target && event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id && target.id.indexOf("row-") === 0) { move(1); }
  });

  // New alerts appear at the top without a reload: ask for rows newer than the newest seen.
  function poll(body) {
    if (document.hidden) { return; }
    var url = body.dataset.poll + "&newer=" + encodeURIComponent(body.dataset.newest || "0");
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (!response.ok) { return; }
        var newest = response.headers.get("X-Newest-Seq");
        return response.text().then(function (html) {
          if (html.trim()) {
            var empty = body.querySelector("tr.empty-row");
            if (empty) { empty.remove(); }
            body.insertAdjacentHTML("afterbegin", html);
            if (window.htmx) { window.htmx.process(body); }
          }
          if (newest) { body.dataset.newest = newest; }
        });
      })
      .catch(function () { /* offline for a moment: the next tick tries again */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.querySelector("tbody[data-poll]");
    if (body) { window.setInterval(function () { poll(body); }, POLL_MS); }
  });
})();

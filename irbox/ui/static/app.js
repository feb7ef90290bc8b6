// Keyboard triage on the alert queue: j/k move, d dismisses (with the reason chosen in the row),
// e opens the alert to escalate it, ? shows the keys. No inline script: the CSP forbids it.
(function () {
  "use strict";
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
    var tag = (event.target && event.target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }
  document.addEventListener("keydown", function (event) {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var help = document.getElementById("keys-help");
    if (event.key === "?") { if (help) { help.hidden = !help.hidden; } return; }
    if (event.key === "Escape" && help) { help.hidden = true; return; }
    if (!document.querySelector("table.queue")) { return; }
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (event.key === "d") {
      var form = current() && current().querySelector("form.dismiss");
      if (form) { form.requestSubmit(); event.preventDefault(); }
    } else if (event.key === "e") {
      var link = current() && current().querySelector(".title a");
      if (link) { window.location.assign(link.href); event.preventDefault(); }
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id && target.id.indexOf("row-") === 0) { move(1); }
  });
})();

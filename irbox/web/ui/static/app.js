// Keys on every page (each lists its own under ?), keyboard triage on the alert queue (j/k move,
// x ticks for a bulk action, d asks the reason then dismisses, e or Enter opens the
// alert). The queue also polls for alerts stored since it was drawn; destructive forms ask
// first. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var POLL_MS = 3000;
  function rows() { return Array.from(document.querySelectorAll("#alert-queue tbody tr[id^='row-']")); }
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
  // Keys. Every page lists its own under ? (the Keys button in the header too). An element
  // with data-key="k" is what k does on its page: a link or button is followed or pressed, a
  // field gets the focus. g then a letter opens a page of the menu (data-go). Esc in a field
  // leaves it, so that the keys work again without the mouse.
  var going = 0;
  function toggleHelp(show) {
    var help = document.getElementById("keys-help");
    var button = document.getElementById("keys-button");
    if (!help) { return; }
    help.hidden = show === undefined ? !help.hidden : !show;
    if (button) { button.setAttribute("aria-expanded", String(!help.hidden)); }
  }
  function press(target) {
    if (target.tagName === "SUMMARY") {
      target.click();
      var field = target.parentElement.querySelector("input:not([type=hidden]), select, textarea");
      if (field) { field.focus(); }
    } else if (target.matches("a, button")) {
      target.click();
    } else {
      target.focus();
    }
  }
  // d on the queue: a dialog asks why (a number key picks a reason), Enter dismisses the row
  // with that reason and comment through the row's own form, Esc leaves it.
  function askReason(row, form) {
    var dialog = document.getElementById("dismiss-dialog");
    if (!dialog) { form.requestSubmit(); return; }
    var ask = dialog.querySelector("form");
    var title = row.querySelector(".title a");
    document.getElementById("dismiss-what").textContent = title ? title.textContent : "";
    ask.reset();
    dialog.onclose = function () {
      if (dialog.returnValue !== "dismiss") { return; }
      form.querySelector("select[name=reason_code]").value = ask.querySelector("input[name=reason]:checked").value;
      form.querySelector("input[name=comment]").value = ask.querySelector("input[name=comment]").value;
      form.requestSubmit();
    };
    dialog.returnValue = "";
    dialog.showModal();
    ask.querySelector("input[name=reason]:checked").focus();
  }
  document.addEventListener("keydown", function (event) {
    var dialog = document.getElementById("dismiss-dialog");
    if (!dialog || !dialog.open) { return; }
    if (event.key === "Enter" && !(event.target && event.target.matches("button"))) {
      dialog.querySelector("button[value=dismiss]").click();
      event.preventDefault();
      return;
    }
    if (!/^[1-9]$/.test(event.key)) { return; }
    if (event.target && event.target.name === "comment") { return; }
    var choice = dialog.querySelectorAll("input[name=reason]")[Number(event.key) - 1];
    if (choice) { choice.checked = true; choice.focus(); event.preventDefault(); }
  });
  function queueKey(event, row) {
    if (event.key === "j") { move(1); }
    else if (event.key === "k") { move(-1); }
    else if (event.key === "x") {
      var box = row && row.querySelector("input[name=ids]");
      if (!box) { return false; }
      box.checked = !box.checked;
      countSelected();
    } else if (event.key === "d") {
      var form = row && row.querySelector("form.dismiss");
      if (!form) { return false; }
      askReason(row, form);
    } else if (event.key === "e" || (event.key === "Enter" && event.target === document.body)) {
      var link = row && row.querySelector(".title a");
      if (!link) { return false; }
      window.location.assign(link.href);
    } else {
      return false;
    }
    return true;
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#keys-button")) { toggleHelp(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event)) {
      if (event.key === "Escape" && !event.target.closest("dialog")) { event.target.blur(); }
      return;
    }
    if (event.key === "?") { toggleHelp(); event.preventDefault(); return; }
    var help = document.getElementById("keys-help");
    if (event.key === "Escape" && help && !help.hidden) { toggleHelp(false); return; }
    if (going && Date.now() - going < 1500) {
      going = 0;
      var page = document.querySelector('[data-go="' + event.key + '"]');
      if (page) { window.location.assign(page.href); event.preventDefault(); }
      return;
    }
    if (event.key === "g") { going = Date.now(); return; }
    if (document.getElementById("alert-queue") && queueKey(event, current())) {
      event.preventDefault();
      return;
    }
    var target = event.key.length === 1 && document.querySelector('[data-key="' + CSS.escape(event.key) + '"]');
    if (target && !target.closest("[hidden]")) { press(target); event.preventDefault(); }
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

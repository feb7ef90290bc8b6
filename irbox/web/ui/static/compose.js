// The case workspace's helpers: @mention autocomplete in the comment box (it writes
// "@address", which the server turns into a mention), dropping a file on the evidence form, and
// the buttons that open a dialog (resolve).
(function () {
  "use strict";
  function mentionQuery(area) {
    var before = area.value.slice(0, area.selectionStart);
    var match = /(^|[\s(])@([^\s@]*)$/.exec(before);
    return match ? { start: before.length - match[2].length - 1, text: match[2].toLowerCase() } : null;
  }
  function setUp(area) {
    var users = JSON.parse(area.dataset.mentionUsers || "[]");
    var menu = document.getElementById("mention-menu");
    var active = 0;
    var query = null;
    function close() { menu.hidden = true; menu.textContent = ""; query = null; }
    function choices() { return Array.from(menu.querySelectorAll("li")); }
    function highlight(index) {
      var items = choices();
      active = (index + items.length) % items.length;
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
    }
    function pick(li) {
      var address = "@" + li.dataset.email + " ";
      var end = area.selectionStart;
      area.value = area.value.slice(0, query.start) + address + area.value.slice(end);
      var caret = query.start + address.length;
      area.setSelectionRange(caret, caret);
      close();
      area.focus();
    }
    function open() {
      query = mentionQuery(area);
      if (!query) { close(); return; }
      var found = users.filter(function (u) {
        return u.email.toLowerCase().indexOf(query.text) >= 0 || (u.name || "").toLowerCase().indexOf(query.text) >= 0;
      }).slice(0, 8);
      if (!found.length) { close(); return; }
      menu.textContent = "";
      found.forEach(function (u) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.email = u.email;
        li.textContent = u.name ? u.name + " <" + u.email + ">" : u.email;  // text, never HTML
        li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(li); });
        menu.appendChild(li);
      });
      menu.hidden = false;
      highlight(0);
    }
    area.addEventListener("input", open);
    area.addEventListener("blur", function () {
      window.setTimeout(function () { if (document.activeElement !== area) { close(); } }, 100);
    });
    area.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && area.form) {
        area.form.requestSubmit();  // Ctrl+Enter sends, as in most chat and mail tools
        event.preventDefault();
        return;
      }
      if (menu.hidden) { return; }
      if (event.key === "ArrowDown") { highlight(active + 1); event.preventDefault(); }
      else if (event.key === "ArrowUp") { highlight(active - 1); event.preventDefault(); }
      else if (event.key === "Enter" || event.key === "Tab") { pick(choices()[active]); event.preventDefault(); }
      else if (event.key === "Escape") { close(); event.preventDefault(); }
    });
  }
  function dropzone(form) {
    var input = form.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) { event.preventDefault(); form.classList.add("dragging"); });
    });
    form.addEventListener("dragleave", function () { form.classList.remove("dragging"); });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      form.classList.remove("dragging");
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      input.files = event.dataTransfer.files;
      form.requestSubmit();
    });
  }
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-open-dialog]");
    var dialog = opener && document.getElementById(opener.dataset.openDialog);
    if (dialog && dialog.showModal) { dialog.showModal(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-mention-users]").forEach(setUp);
    document.querySelectorAll("form[data-dropzone]").forEach(dropzone);
  });
})();

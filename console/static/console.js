// Lindungi console: keyboard review of the queue, select-all, and confirmations. No framework.
(function () {
  "use strict";

  // Forms with data-confirm ask first (no inline handlers: the CSP forbids them).
  // A second click while the first submit is on its way sends nothing (the server would refuse
  // a second decision anyway); downloads do not leave the page, so they may be repeated.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    var many = form.getAttribute("data-confirm-many");
    if (many) {
      var chosen = document.querySelectorAll("input[name=ids][form='" + form.id + "']:checked").length;
      question = chosen ? many.replace("{n}", chosen) : null;
    }
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    if (form.classList.contains("export")) { return; }
    if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }  // back from the history cache: the forms may be used again
    document.querySelectorAll("form[data-sent]").forEach(function (form) { form.removeAttribute("data-sent"); });
  });

  var table = document.querySelector("table[data-keyboard]");
  var rows = table ? Array.prototype.slice.call(table.tBodies[0].rows) : [];
  var current = -1;

  function focusRow(index, quiet) {
    if (!rows.length) { return; }
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0 && rows[current]) { rows[current].classList.remove("current"); rows[current].removeAttribute("aria-selected"); }
    current = index;
    var row = rows[current];
    row.classList.add("current");
    row.setAttribute("aria-selected", "true");
    if (quiet) { return; }  // on load: mark the first row, but do not scroll or steal focus
    var link = row.querySelector("a");
    if (link) { link.focus({ preventScroll: true }); }
    row.scrollIntoView({ block: "nearest" });
  }

  rows.forEach(function (row, index) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, input, button, label")) { return; }
      window.location.href = row.getAttribute("data-href");
    });
    row.addEventListener("focusin", function () {
      if (current !== index) { focusRow(index); }
    });
  });

  function quickApprove(row) {
    if (row.getAttribute("data-status") !== "pending") { return; }
    var template = table.getAttribute("data-confirm-approve") || "?";
    if (!window.confirm(template.replace("{ref}", row.getAttribute("data-ref")))) { return; }
    var form = document.getElementById("quick");
    form.action = row.getAttribute("data-approve");
    form.submit();
  }

  var selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      rows.forEach(function (row) {
        var box = row.querySelector("input[type=checkbox]");
        if (box && !box.disabled) { box.checked = selectAll.checked; }
      });
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    // Letters are commands only outside form fields; a focused link or button is fine.
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) { return; }
    var key = event.key;
    if (key === "/") {
      var search = document.getElementById("q");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (rows.length) {
      var row = rows[current];
      if (key === "j" || key === "ArrowDown" && current >= 0) { event.preventDefault(); focusRow(current + 1); return; }
      if (key === "k" || key === "ArrowUp" && current >= 0) { event.preventDefault(); focusRow(current - 1); return; }
      if (!row) { return; }
      if (key === "Enter" && !/^(A|BUTTON)$/.test(target.tagName)) { window.location.href = row.getAttribute("data-href"); return; }
      if (key === "a") { event.preventDefault(); quickApprove(row); return; }
      if (key === "r") { window.location.href = row.getAttribute("data-href") + "#reject-form"; return; }
      if (key === "x") {
        var box = row.querySelector("input[type=checkbox]");
        if (box && !box.disabled) { box.checked = !box.checked; }
      }
      return;
    }
    // The detail page: a approve, r reject (focus the reason), n next pending, u back.
    var command = document.querySelector("[data-key='" + key + "']");
    if (!command) { return; }
    event.preventDefault();
    if (command.tagName === "A") { window.location.href = command.href; }
    else if (command.tagName === "SELECT") { command.focus(); }
    else if (command.form) { command.form.requestSubmit(command); }
  });

  if (rows.length) { focusRow(0, true); }
  if (window.location.hash === "#reject-form") {
    var reason = document.getElementById("reason-choice");
    if (reason) { reason.focus(); }
  }
})();

// Kuzot's only script: small conveniences on top of pages that work
// without it. The CSP allows no inline script, so everything is bound here.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // The language switch applies on change.
  document.querySelectorAll("select.autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  // Copy buttons copy the text of the element they name.
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      var src = document.getElementById(b.dataset.copy);
      if (!src || !navigator.clipboard) { return; }
      navigator.clipboard.writeText(src.textContent).then(function () {
        var label = b.textContent;
        b.textContent = "✓";
        setTimeout(function () { b.textContent = label; }, 1500);
      });
    });
  });

  // "/" focuses the search box, as in most search tools.
  var q = document.getElementById("q");
  if (q) {
    document.addEventListener("keydown", function (e) {
      var t = e.target.tagName;
      if (e.key === "/" && t !== "INPUT" && t !== "TEXTAREA" && t !== "SELECT") {
        e.preventDefault();
        q.focus();
        q.select();
      }
    });
  }

  // A form button is disabled once pressed, so a double click does not
  // send a comment twice.
  document.querySelectorAll("form.act").forEach(function (f) {
    f.addEventListener("submit", function () {
      setTimeout(function () {
        f.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
});

// The proofing view: edit the text in place (the words stay clickable), show a clicked word's box
// on the scan, and send the edited lines as the form's plain text. Without JavaScript the page
// is a plain textarea beside the image.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var editor = document.getElementById("proof-text");
    var plain = document.getElementById("proof-plain");
    var form = document.getElementById("proof-form");
    var box = document.getElementById("word-box");
    if (!editor || !plain || !form) { return; }
    var original = plain.value;
    // Notes ("[^1]: …") are not on the scan: they stay in the textarea's tail, after the lines.
    var notes = original.split("\n").filter(function (l) { return /^\s*\[\^\w+\]:/.test(l); });
    document.documentElement.classList.add("js");
    editor.hidden = false;
    editor.contentEditable = "true";
    editor.spellcheck = false;

    function show(word) {
      var previous = editor.querySelector(".w.current");
      if (previous) { previous.classList.remove("current"); }
      if (!word) { return; }
      word.classList.add("current");
      if (!box) { return; }
      var spec = (word.getAttribute("data-box") || "").split(" ").map(Number);
      if (spec.length !== 4 || isNaN(spec[0])) { box.classList.remove("shown"); return; }
      box.setAttribute("x", spec[0]); box.setAttribute("y", spec[1]);
      box.setAttribute("width", spec[2]); box.setAttribute("height", spec[3]);
      box.classList.add("shown");
    }

    editor.addEventListener("click", function (event) {
      var word = event.target.closest ? event.target.closest(".w") : null;
      show(word);
    });

    function lines() {
      var out = [];
      editor.querySelectorAll(":scope > div, :scope > .line").forEach(function (div) {
        out.push(div.innerText.replace(/\n+$/, "").replace(/\u00a0/g, " "));
      });
      return out;
    }

    form.addEventListener("submit", function () {
      plain.value = lines().join("\n") + (notes.length ? "\n" + notes.join("\n") : "") + "\n";
    });
  });
})();

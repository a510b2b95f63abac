// Progressive extras for the reading room; every page works without them (no inline JS: CSP).
(function () {
  "use strict";

  // Sort: apply the choice at once (without JS the search button does it).
  var sort = document.getElementById("sort");
  if (sort && sort.form) {
    sort.addEventListener("change", function () { sort.form.submit(); });
  }

  // Zoom: toggle a page between fitting the column and 2.5× inside its scroll box
  // (without JS, a.zoom opens the full-size image).
  document.querySelectorAll("a.zoom").forEach(function (link) {
    link.setAttribute("role", "button");  // with JS it toggles instead of leaving the page
    link.setAttribute("aria-pressed", "false");
    link.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); link.click(); }  // as a button does
    });
    link.addEventListener("click", function (event) {
      var page = link.closest(".page");
      var view = page && page.querySelector(".page-view");
      if (!view) { return; }
      event.preventDefault();
      var zoomed = view.classList.toggle("zoomed");
      var image = view.querySelector("img.page-image");
      if (zoomed && image && !image.dataset.full) {
        image.dataset.full = "1";
        image.src = link.href;  // sharper pixels for the larger view
      }
      link.textContent = zoomed ? "Thu nhỏ" : "Xem ảnh cỡ lớn";
      link.setAttribute("aria-pressed", zoomed ? "true" : "false");
    });
  });

  // Copy the citation or the permalink (the text stays selectable without JS).
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) { return; }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = "Đã sao chép";
        setTimeout(function () { button.textContent = label; }, 2000);
      }, function () {
        button.textContent = "Không sao chép được: hãy chọn và sao chép";
      });
    });
  });
})();

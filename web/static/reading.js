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

  // Facets behind a button on a phone (the panel starts open: without JS nothing is hidden).
  var facets = document.getElementById("facets-panel");
  if (facets && window.matchMedia && window.matchMedia("(max-width: 50rem)").matches) {
    facets.open = false;
  }

  // Deep zoom: OpenSeadragon over the page's IIIF tiles, loaded on first use; pan by dragging
  // or the arrow keys, zoom with + and -, turn with r / R or the rotate buttons; the hit boxes
  // ride along as an overlay. Esc or the close button goes back to the page image.
  var script = document.currentScript || document.querySelector("script[data-osd]");
  var osdUrl = script && script.dataset.osd;
  var osdImages = script && script.dataset.osdImages;
  var osdLoading = null;

  function loadOsd() {
    if (window.OpenSeadragon) { return Promise.resolve(window.OpenSeadragon); }
    if (!osdLoading) {
      osdLoading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = osdUrl;
        tag.onload = function () { resolve(window.OpenSeadragon); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return osdLoading;
  }

  function openDeepZoom(button, view) {
    var holder = document.createElement("div");
    holder.className = "deep-zoom-viewer";
    holder.setAttribute("role", "region");
    holder.setAttribute("aria-label", "Xem chi tiết: kéo để di chuyển, + và - để phóng to, thu nhỏ, r để xoay, Esc để đóng");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "deep-zoom-close";
    close.textContent = "Đóng xem chi tiết";
    view.hidden = true;
    view.parentNode.insertBefore(close, view);
    view.parentNode.insertBefore(holder, view);
    button.hidden = true;
    loadOsd().then(function (OSD) {
      var viewer = OSD({
        element: holder, prefixUrl: osdImages, tileSources: view.dataset.iiif,
        showRotationControl: true, showNavigator: true,
        gestureSettingsTouch: { pinchRotate: true }
      });
      viewer.addHandler("rotate", function (event) { holder.dataset.rotation = event.degrees; });
      var layer = view.querySelector("svg.hl-layer");
      viewer.addHandler("open", function () {
        var page = viewer.world.getItemAt(0);
        page.addHandler("fully-loaded-change", function (event) {
          holder.dataset.loaded = event.fullyLoaded ? "1" : "";
        });
        if (layer) {
          var size = page.getContentSize();
          var overlay = layer.cloneNode(true);
          overlay.classList.add("deep-zoom-hits");
          viewer.addOverlay({ element: overlay,
            location: new OSD.Rect(0, 0, 1, size.y / size.x) });
        }
        holder.dataset.ready = "1";
        var canvas = holder.querySelector(".openseadragon-canvas");
        if (canvas) { canvas.focus(); }
      });
      function shut() {
        viewer.destroy();
        holder.remove();
        close.remove();
        view.hidden = false;
        button.hidden = false;
        button.focus();
      }
      close.addEventListener("click", shut);
      holder.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { shut(); }
      });
    }, function () {
      close.remove();
      holder.remove();
      view.hidden = false;
      button.hidden = false;
    });
  }

  if (osdUrl) {
    document.querySelectorAll(".page").forEach(function (page) {
      var button = page.querySelector("button.deep-zoom");
      var view = page.querySelector(".page-view[data-iiif]");
      if (!button || !view) { return; }
      button.hidden = false;
      button.addEventListener("click", function () { openDeepZoom(button, view); });
    });
  }

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

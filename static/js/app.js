// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true]") !== null;
  }

  // "/" focuses the product search from anywhere (on other pages it opens the product list).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    event.preventDefault();
    var box = document.querySelector("[data-search-box]");
    if (box) {
      box.focus();
      box.select();
    } else {
      window.location.assign("/products/");
    }
  });

  // A dashboard in a hidden tab does not poll; it catches up at the next poll once the tab is shown again.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (document.hidden && event.detail.elt.hasAttribute("data-poll-while-visible")) {
      event.preventDefault();
    }
  });
})();

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

  // Back/Forward may restore a page from memory (bfcache) with old figures and already-used form ids:
  // every page here shows live data, so fetch it again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });

  // A failed htmx request that carries no form to swap (403, 404, 500, no network): say so where messages go,
  // the same with DEBUG on and off, instead of leaving the click without an answer.
  var REQUEST_FAILED = "That did not work (the server answered {status}). Reload the page to see the current figures before trying again.";
  var NO_CONNECTION = "The server could not be reached. Check the connection, then reload the page to see what was saved.";

  function say(text) {
    var area = document.getElementById("messages");
    if (!area) {
      return;
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    area.replaceChildren(alert);
  }

  document.addEventListener("htmx:responseError", function (event) {
    say(REQUEST_FAILED.replace("{status}", String(event.detail.xhr.status)));
  });
  document.addEventListener("htmx:sendError", function () {
    say(NO_CONNECTION);
  });

  // Next/Previous swap the list in place and scroll to its top (hx-swap show:window:top); keyboard and
  // screen-reader users land there too: on the new page's result count.
  document.addEventListener("htmx:afterSettle", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    var start = document.getElementById("result-count");
    if (trigger && trigger.hasAttribute("data-pager") && start) {
      start.focus({ preventScroll: true });
    }
  });

  // A dashboard in a hidden tab does not poll; it catches up at the next poll once the tab is shown again.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (document.hidden && event.detail.elt.hasAttribute("data-poll-while-visible")) {
      event.preventDefault();
    }
  });
})();

// The door page, a little quicker with JavaScript: the count of people present keeps itself
// current, and the list follows the search while it is typed. Without JavaScript the
// "Vernieuwen" link and the "Zoeken" button do the same.
(function () {
  "use strict";
  if (!window.fetch) { return; }

  var box = document.querySelector("[data-count-url]");
  if (box) {
    var text = box.querySelector(".door-count-text");
    var count = function () {
      if (document.hidden) { return; }
      fetch(box.getAttribute("data-count-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && text.textContent !== data.text) { text.textContent = data.text; } })
        .catch(function () { /* offline for a moment: the next round tries again */ });
    };
    setInterval(count, 5000);
    document.addEventListener("visibilitychange", count);
  }

  var form = document.querySelector(".door-search");
  var results = document.querySelector(".door-results");
  if (!form || !results || !window.DOMParser) { return; }
  var input = form.querySelector("input[name=q]");
  var timer = null;
  var asked = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = form.action + "?q=" + encodeURIComponent(input.value.trim());
      var mine = ++asked;
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null || mine !== asked) { return; }  // a later search is on its way
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".door-results");
          if (fresh) {
            results.replaceWith(fresh);
            results = fresh;
            window.history.replaceState(null, "", url);
          }
        })
        .catch(function () { /* the button still searches */ });
    }, 250);
  });
}());

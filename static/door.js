// The door page's count of people present, kept current while the page is open.
// Without JavaScript the "Vernieuwen" link does the same.
(function () {
  var box = document.querySelector("[data-count-url]");
  if (!box || !window.fetch) { return; }
  var text = box.querySelector(".door-count-text");
  function update() {
    if (document.hidden) { return; }
    fetch(box.getAttribute("data-count-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && text.textContent !== data.text) { text.textContent = data.text; } })
      .catch(function () { /* offline for a moment: the next round tries again */ });
  }
  setInterval(update, 5000);
  document.addEventListener("visibilitychange", update);
}());

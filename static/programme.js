// The workshop lists follow the chosen role: options for other groups are hidden and
// unchecked. CSS (:has) hides them too; this covers browsers without :has.
(function () {
  var fieldsets = document.querySelectorAll("fieldset.workshops");
  if (!fieldsets.length) return;
  var form = fieldsets[0].form || fieldsets[0].closest("form");
  function follow() {
    var role = form.querySelector("input[name=role]:checked");
    form.querySelectorAll(".workshop[data-roles]").forEach(function (option) {
      var open = !role || option.getAttribute("data-roles").split(" ").indexOf(role.value) >= 0;
      option.hidden = !open;
      if (!open) option.querySelector("input").checked = false;
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "role") follow();
  });
  follow();
})();

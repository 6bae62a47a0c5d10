// The staff form: show the scope the chosen role needs (a district, or divisions), hide the other.
document.addEventListener("DOMContentLoaded", function () {
  var role = document.querySelector("select[data-staff-role]");
  if (!role) return;
  var rows = {
    district_reviewer: document.querySelector(".form-row.field-district"),
    municipal_reviewer: document.querySelector(".form-row.field-divisions"),
  };
  function show() {
    Object.keys(rows).forEach(function (name) {
      if (rows[name]) rows[name].classList.toggle("is-hidden", role.value !== name);
    });
  }
  role.addEventListener("change", show);
  show();
});

// <select data-section-field="industry_section">: the divisions (大类) of the national
// classification are grouped by section (门类) as "C 制造业"; once a section is chosen only its
// group is offered. The server checks the pair either way.
(function () {
  document.querySelectorAll("select[data-section-field]").forEach(function (division) {
    var section = division.form.elements[division.getAttribute("data-section-field")];
    if (!section) return;
    function offer() {
      var letter = section.value;
      division.querySelectorAll("optgroup").forEach(function (group) {
        var mine = !letter || group.label.indexOf(letter + " ") === 0;
        group.hidden = !mine;
        group.disabled = !mine;
      });
      var chosen = division.selectedOptions[0];
      if (chosen && chosen.parentElement.tagName === "OPTGROUP" && chosen.parentElement.disabled) {
        division.value = "";
      }
    }
    section.addEventListener("change", offer);
    offer();
  });
})();

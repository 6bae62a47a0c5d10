// A file input in the site's own words: a 选择文件 button and the chosen file's name (未选择文件
// before), in place of the browser's "Choose File / No file chosen". The words come from the
// script tag's data attributes (translated in the template); the input itself stays in the page,
// visually hidden but focusable, so Tab reaches it and Enter or Space opens the chooser.
(function () {
  var script = document.currentScript;
  if (!script) return;
  var choose = script.getAttribute("data-choose");
  var none = script.getAttribute("data-none");
  var many = script.getAttribute("data-many");
  var count = 0;

  function enhance(input) {
    if (input.getAttribute("data-file-input")) return;
    input.setAttribute("data-file-input", "1");
    if (!input.id) input.id = "file-input-" + (++count);
    var label = document.createElement("label");
    label.className = "file-choose";
    label.htmlFor = input.id;
    label.textContent = choose;
    var chosen = document.createElement("span");
    chosen.className = "file-chosen";
    chosen.setAttribute("aria-live", "polite");
    function show() {
      var files = input.files;
      if (!files || !files.length) chosen.textContent = none;
      else if (files.length === 1) chosen.textContent = files[0].name;
      else chosen.textContent = many.replace("{count}", String(files.length));
    }
    input.classList.add("file-input");
    input.insertAdjacentElement("afterend", label);
    label.insertAdjacentElement("afterend", chosen);
    input.addEventListener("change", show);
    show();
  }

  function run() {
    document.querySelectorAll('input[type="file"]').forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();

// <button data-print>: prints the page (the report's print stylesheet shows the report alone).
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

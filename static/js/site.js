// Behaviour the pages ask for with data attributes; the content security policy allows no inline
// script or event handler.
(function () {
  // <select data-autosubmit>: choosing an option sends its form (a <noscript> button does without).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // <form data-confirm="question">: the form is sent only once the question is answered yes.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  // <button data-print hidden>: prints the page; shown only where a script can press it.
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // <div class="table-scroll">: a table wider than the screen scrolls inside its box. Such a box
  // takes the keyboard's focus (the arrow keys scroll it) and is named after its table, so that
  // a person without a mouse or pointer reaches the columns beyond the edge too.
  function tableName(box) {
    var table = box.querySelector("table");
    if (table && table.caption) return table.caption.textContent.trim();
    var section = box.closest("section, article, main");
    var heading = section && section.querySelector("h2, h3, h1");
    return heading ? heading.textContent.trim() : document.title;
  }
  function reachScrollingTables() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", tableName(box));
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
      }
    });
  }
  reachScrollingTables();
  window.addEventListener("resize", reachScrollingTables);
  // The admin's calendar captions its month as "十二月 2026" (Django's calendar.js joins the
  // month's name and the year with a space); a Chinese page says 2026年12月.
  if (window.CalendarNamespace && document.documentElement.lang.indexOf("zh") === 0) {
    var draw = window.CalendarNamespace.draw;
    window.CalendarNamespace.draw = function (month, year, divId) {
      draw.apply(this, arguments);
      var caption = document.querySelector("#" + divId + " caption");
      if (caption) caption.textContent = year + "年" + month + "月";
    };
  }
})();

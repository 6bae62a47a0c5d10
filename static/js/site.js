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
})();

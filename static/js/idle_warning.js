// The officials' idle-session warning. The server ends an official's session after a stretch
// without a request (enterprises/sessions.py); shortly before, this asks whether they are still
// there: 继续使用 sends a keep-alive, and once the time is up the page goes to the login page
// with the reason. Told everything by the data attributes of its <script> tag
// ({% idle_warning %}); the content security policy allows no inline script.
(function () {
  "use strict";
  var script = document.querySelector("script[data-idle-warning]");
  if (!script || !window.fetch) return;
  var KEY = "idle-warning-deadline"; // shared by the windows of one browser, one session
  var MARGIN_MS = 2000; // the server counts whole seconds: go only once it surely has ended
  var warningMs = Number(script.getAttribute("data-idle-warning-seconds")) * 1000;
  var endedUrl = script.getAttribute("data-ended-url");
  var deadline = Date.now() + Number(script.getAttribute("data-idle-remaining")) * 1000;
  var dialog = null;
  var leaving = false;

  function stored() {
    try {
      return Number(window.localStorage.getItem(KEY)) || 0;
    } catch (error) {
      return 0;
    }
  }

  // Another window's request keeps this session alive too: the latest deadline counts.
  function share(value) {
    try {
      if (value > stored()) window.localStorage.setItem(KEY, String(value));
    } catch (error) {
      // No storage (a private window): each window counts for itself.
    }
  }

  function leave() {
    if (leaving) return;
    leaving = true;
    window.location.assign(endedUrl);
  }

  function keepAlive() {
    var button = dialog.querySelector("button");
    button.disabled = true;
    fetch(script.getAttribute("data-keep-alive-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": script.getAttribute("data-csrf-token"), Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 401) return leave(); // it has ended already
        if (!response.ok) return;
        return response.json().then(function (answer) {
          deadline = Date.now() + Number(answer.remaining) * 1000;
          share(deadline);
          hide();
        });
      })
      .catch(function () {
        // The site did not answer: the dialog stays, the button may be pressed again.
      })
      .finally(function () {
        button.disabled = false;
      });
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "idle-warning";
    dialog.setAttribute("role", "alertdialog");
    var text = document.createElement("p");
    text.textContent = script.getAttribute("data-text");
    dialog.setAttribute("aria-label", text.textContent);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "primary";
    button.textContent = script.getAttribute("data-continue");
    button.addEventListener("click", keepAlive);
    // Escape would close it without an answer; only the button answers.
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
    });
    dialog.appendChild(text);
    dialog.appendChild(button);
    document.body.appendChild(dialog);
  }

  function show() {
    if (!dialog) build();
    if (dialog.open) return;
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    dialog.querySelector("button").focus();
  }

  function hide() {
    if (!dialog || !dialog.open) return;
    if (typeof dialog.close === "function") dialog.close();
    else dialog.removeAttribute("open");
  }

  function tick() {
    var left = Math.max(deadline, stored()) - Date.now();
    if (left <= -MARGIN_MS) leave();
    else if (left <= warningMs) show();
    else hide();
  }

  share(deadline);
  tick();
  window.setInterval(tick, 1000);
  document.addEventListener("visibilitychange", tick);
})();

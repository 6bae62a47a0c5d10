// The periodic task form: the chosen crontab in words below its field (django-celery-beat's
// inline script, moved here for the Content-Security-Policy).
(function () {
  "use strict";
  var script = document.getElementById("periodic-task-overrides");
  var data = document.getElementById("readable-crontabs");
  var select = document.getElementById("id_crontab");
  if (!script || !data || !select) {
    return;
  }
  var readable = JSON.parse(data.textContent);
  var help = document.querySelector(".field-crontab .help");
  var original = script.dataset.crontabHelp || "";
  var translation = document.querySelector(".field-crontab_translation");
  if (translation) {
    translation.hidden = true;
  }
  function update() {
    if (!help) {
      return;
    }
    help.textContent = original;
    var words = readable[select.value];
    if (words) {
      help.appendChild(document.createElement("br"));
      help.appendChild(document.createTextNode(script.dataset.described + "：" + words));
    }
  }
  select.addEventListener("change", update);
  update();
})();

// Shows each 元 amount in 万元 (and 亿元) beside its input while it is typed.
(function () {
  function describe(text) {
    var value = Number(String(text).replace(/[,\s]/g, ""));
    if (!text || !isFinite(value)) return "";
    if (Math.abs(value) >= 1e8) return "≈ " + (value / 1e8).toLocaleString("zh-CN", {maximumFractionDigits: 4}) + " 亿元";
    return "≈ " + (value / 1e4).toLocaleString("zh-CN", {maximumFractionDigits: 6}) + " 万元";
  }
  document.querySelectorAll("input[data-money]").forEach(function (input) {
    var hint = document.createElement("span");
    hint.className = "wan";
    hint.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", hint);
    var update = function () { hint.textContent = describe(input.value); };
    input.addEventListener("input", update);
    update();
  });
})();

// Reads each 元 amount beside its input (input[data-money]) as it is typed, the way every page
// reads amounts (measures/money.py, format_yuan): a whole number of 万 in 万元, from 1亿 on in
// 亿元 (200万元, 1.5亿元); any other amount exactly, with thousands separators (1,234,567.89元).
// The digits are handled as text, never as a floating-point number, so nothing is rounded.
// Nothing is shown for anything but plain digits (separators, signs, exponents, letters).
(function () {
  var AMOUNT = /^\s*(\d*)(?:\.(\d*))?\s*$/;

  function grouped(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function reading(text) {
    var match = AMOUNT.exec(text);
    if (!match || match[1] + (match[2] || "") === "") return "";
    var whole = match[1].replace(/^0+/, "");
    var fraction = (match[2] || "").replace(/0+$/, "");
    if (!whole && !fraction) return "0元";
    if (!fraction && /0000$/.test(whole)) {
      var wan = whole.slice(0, -4);
      if (wan.length > 4) {
        var yi = wan.slice(0, -4);
        var rest = wan.slice(-4).replace(/0+$/, "");
        return grouped(yi) + (rest ? "." + rest : "") + "亿元";
      }
      return wan + "万元";
    }
    if (!fraction) return grouped(whole) + "元";
    while (fraction.length < 2) fraction += "0";
    return grouped(whole || "0") + "." + fraction + "元";
  }

  document.querySelectorAll("input[data-money]").forEach(function (input) {
    var hint = document.createElement("span");
    hint.className = "wan";
    hint.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", hint);
    var update = function () { hint.textContent = reading(input.value); };
    input.addEventListener("input", update);
    update();
  });
})();

// The apply page's finder: as one types, only the open measures and tracks that match stay
// shown in the whole list; the suggestions (links to cards of that list) step aside meanwhile. A query of digits (10, 第10条) is a measure's
// number; any other text is looked for in the measure's title and the tracks' names: a measure
// whose title matches keeps all its tracks. Without script the finder stays hidden and every
// measure shows.
(function () {
  var finder = document.querySelector("[data-measure-finder]");
  var cards = Array.prototype.slice.call(document.querySelectorAll("[data-search-item]"));
  if (!finder || !cards.length) return;
  var input = finder.querySelector("input");
  var empty = finder.querySelector("[data-finder-empty]");
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-search-group]"));
  var links = Array.prototype.slice.call(document.querySelectorAll("[data-section-link]"));
  var recommended = document.getElementById("recommended");

  function normalize(text) {
    return (text || "").toLowerCase().replace(/\s+/g, "");
  }

  function filter() {
    var query = normalize(input.value);
    var number = /^第?(\d+)条?$/.exec(query);
    var shown = 0;
    cards.forEach(function (card) {
      var tracks = Array.prototype.slice.call(card.querySelectorAll("[data-track-name]"));
      var whole = !query ||
        (number ? card.getAttribute("data-measure-number") === String(Number(number[1]))
          : normalize(card.getAttribute("data-measure-title")).indexOf(query) !== -1);
      var any = false;
      tracks.forEach(function (track) {
        var match = whole ||
          (!number && normalize(track.getAttribute("data-track-name")).indexOf(query) !== -1);
        track.hidden = !match;
        any = any || match;
      });
      card.hidden = !any;
      if (any) shown += 1;
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("[data-search-item]:not([hidden])");
    });
    links.forEach(function (link) {
      var group = document.querySelector('[data-section="' + link.getAttribute("data-section-link") + '"]');
      link.hidden = !group || group.hidden;
    });
    if (recommended) recommended.hidden = !!query;
    empty.hidden = shown > 0;
  }

  finder.hidden = false;
  input.addEventListener("input", filter);
  // A query kept by the browser (back, reload) filters at once.
  if (input.value) filter();
})();

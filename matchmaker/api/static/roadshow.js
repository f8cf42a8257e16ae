// Roadshow page: keep "pitching now" on the right project as the clock moves (no reload).
(function () {
  "use strict";
  function mark() {
    var now = Date.now();
    document.querySelectorAll("li.pitch[data-start]").forEach(function (row) {
      var start = Date.parse(row.dataset.start);
      var end = Date.parse(row.dataset.end);
      row.classList.toggle("now", start <= now && now < end);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    mark();
    window.setInterval(mark, 30000);
  });
})();

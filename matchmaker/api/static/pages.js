/* Page behaviour that would otherwise be inline (the Content-Security-Policy allows scripts
   from this site only): forms with data-confirm ask first; buttons with data-print print. */
(function () {
  'use strict';
  document.addEventListener('submit', function (event) {
    var question = event.target.getAttribute && event.target.getAttribute('data-confirm');
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  document.addEventListener('click', function (event) {
    if (event.target.closest && event.target.closest('[data-print]')) { window.print(); }
  });
})();

/* Page behaviour that would otherwise be inline (the Content-Security-Policy allows scripts
   from this site only): forms with data-confirm ask first, and so do submit buttons with
   data-confirm (a form with several buttons asks only for the one that was pressed); buttons
   with data-print print. */
(function () {
  'use strict';
  document.addEventListener('submit', function (event) {
    var button = event.submitter;
    var question = (button && button.getAttribute && button.getAttribute('data-confirm')) ||
      (event.target.getAttribute && event.target.getAttribute('data-confirm'));
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  document.addEventListener('click', function (event) {
    if (event.target.closest && event.target.closest('[data-print]')) { window.print(); }
  });
})();

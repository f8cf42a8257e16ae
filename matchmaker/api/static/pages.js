/* Page behaviour that would otherwise be inline (the Content-Security-Policy allows scripts
   from this site only): forms with data-confirm ask first; buttons with data-print print; a select with
   data-autosubmit submits its form. */
(function () {
  'use strict';
  document.addEventListener('submit', function (event) {
    var question = event.target.getAttribute && event.target.getAttribute('data-confirm');
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  // a select marked data-autosubmit (the header's event choice) submits its form when changed
  document.addEventListener('change', function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute('data-autosubmit') && target.form) {
      target.form.submit();
    }
  });
  document.addEventListener('click', function (event) {
    if (event.target.closest && event.target.closest('[data-print]')) { window.print(); }
  });
})();

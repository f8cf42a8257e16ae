/* Page behaviour that would otherwise be inline (the Content-Security-Policy allows scripts
   from this site only): forms with data-confirm ask first, and so do submit buttons with
   data-confirm (a form with several buttons asks only for the one that was pressed); buttons
   with data-print print; a required field with data-invalid says that sentence (in the page's
   language) when left empty, instead of the browser's own words; a select with data-autosubmit
   submits its form. */
(function () {
  'use strict';
  document.addEventListener('submit', function (event) {
    var button = event.submitter;
    var question = (button && button.getAttribute && button.getAttribute('data-confirm')) ||
      (event.target.getAttribute && event.target.getAttribute('data-confirm'));
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  document.addEventListener('invalid', function (event) {
    var field = event.target;
    var text = field.getAttribute && field.getAttribute('data-invalid');
    if (text && field.validity.valueMissing) { field.setCustomValidity(text); }
  }, true);  /* invalid does not bubble */
  document.addEventListener('change', function (event) {
    var field = event.target;
    if (!field.getAttribute || !field.getAttribute('data-invalid') || !field.form) { return; }
    /* a radio group is one answer: choosing any of its buttons clears the message on all */
    var fields = field.type === 'radio' && field.name
      ? field.form.querySelectorAll('input[type=radio][name="' + CSS.escape(field.name) + '"]')
      : [field];
    Array.prototype.forEach.call(fields, function (f) { f.setCustomValidity(''); });
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

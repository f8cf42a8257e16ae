/* Starts the vendored Swagger UI on /api/docs from the settings the page carries as JSON
   (templates/swagger_ui.html), so the page needs no inline script. */
(function () {
  'use strict';
  function read(id) { return JSON.parse(document.getElementById(id).textContent); }
  window.addEventListener('load', function () {
    var config = Object.assign(read('swagger-ui-config'), read('swagger-ui-overrides'));
    window.ui = window.SwaggerUIBundle(config);
  });
})();

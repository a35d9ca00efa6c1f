/* Starts Swagger UI on /api/docs. A file, not an inline script: the site's CSP allows scripts
 * from our own origin only. The OpenAPI document's URL comes from the page (data attribute). */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    // no badge fetched from the validator's site: the page works with no internet
    validatorUrl: null,
  });
})();

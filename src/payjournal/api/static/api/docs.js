/* Starts Swagger UI on /api/docs. A file, not an inline script: the site's CSP allows scripts
 * from our own origin only. The OpenAPI document's URL comes from the page (data attribute). */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    // no link inside each operation's summary button: a link nested in a button is one
    // control inside another, which screen readers and keyboards cannot tell apart (WCAG 4.1.2)
    deepLinking: false,
    // examples as plain text: the highlighter's colours fail the contrast WCAG 2.1 AA asks
    syntaxHighlight: { activated: false },
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    // no badge fetched from the validator's site: the page works with no internet
    validatorUrl: null,
  });

  // What Swagger UI's own markup leaves out for WCAG 2.1 AA (the axe-core audit of
  // tests/web/test_browser_accessibility.py), added as it draws: a name for each list of
  // examples, and a tab stop on each code box that scrolls so the keyboard can scroll it.
  var unnamed = "select.examples-select-element:not([aria-label])";
  var boxes = ".microlight:not([tabindex]), .body-param__example:not([tabindex])";
  function patch() {
    root.querySelectorAll(unnamed).forEach(function (select) {
      select.setAttribute("aria-label", "Examples");
    });
    root.querySelectorAll(boxes).forEach(function (box) {
      box.setAttribute("tabindex", "0");
    });
  }
  new MutationObserver(patch).observe(root, { childList: true, subtree: true });
})();
